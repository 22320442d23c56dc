// Package sqldb is the shared core of the relational-database connectors:
// it lists tables, describes their columns, reads a stated, fair sample of
// rows (or every row with --full) in a read-only transaction with a
// statement timeout, and hands each value to the scanner. What differs
// between engines — catalog queries, quoting, the sampling statement, how
// a session is made read-only — is a Dialect (connectors/postgres,
// connectors/mysql, connectors/sqlite).
//
// datakart never writes to a scanned database: this package issues no DDL
// or DML, and every read runs in a read-only transaction.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"path"
	"strings"
	"time"

	"datakart/connectors"
)

// Options tune a database scan.
type Options struct {
	// Sample is the number of rows read per table (default 10000).
	Sample int
	// Full reads every row, streaming.
	Full bool
	// StatementTimeout bounds each statement (default 30s).
	StatementTimeout time.Duration
	// MaxConns caps open connections to the database (default 2).
	MaxConns int
	// Include and Exclude are globs on "schema.table" and
	// "schema.table.column" ('*' does not cross a dot).
	Include, Exclude []string
	// Views scans views too.
	Views bool
	// SchemaOnly lists columns and reads no rows: names and types only.
	SchemaOnly bool
	// Documents, if set, reads a binary value that is not text as the
	// file it may be (a PDF, an Office document, an archive), appending
	// its text to text. files.DocumentReader is one; this package cannot
	// import it.
	Documents func(ctx context.Context, data, text []byte) (Document, error)
	// MaxDocumentBytes bounds what is read of one large object (default
	// 256 MiB, --max-member-bytes).
	MaxDocumentBytes int64
}

// Document is what Options.Documents made of a binary value. The error
// that comes with it says what of it could not be read; the text before
// counts.
type Document struct {
	Text []byte
	// Kind is the file's kind ("pdf", "docx"), "" when the value is no
	// document.
	Kind string
	// Unread is a document that is not read, only named in the column's
	// type (an image without --ocr).
	Unread bool
}

func (o *Options) defaults() {
	if o.Sample <= 0 {
		o.Sample = 10000
	}
	if o.StatementTimeout <= 0 {
		o.StatementTimeout = 30 * time.Second
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 2
	}
	if o.MaxDocumentBytes <= 0 {
		o.MaxDocumentBytes = 256 << 20
	}
}

// Kind says what a column can hold, and so how it is read.
type Kind int

// Column kinds.
const (
	Skip        Kind = iota // cannot hold personal data as a value (boolean, date, geometry): named, never read
	Text                    // text-like: read as is
	Numeric                 // a number: leading zeros are lost (see connectors.Value.Numeric)
	JSON                    // walked: each JSON path is a field
	Binary                  // read if it is text (see isText), or a document (Options.Documents)
	LargeObject             // a reference to a large object, read as Binary through the dialect's LargeObjects
)

// LargeObjects is implemented by dialects whose columns of kind
// LargeObject refer to values kept apart from the table: PostgreSQL's
// large objects, where JDBC and Hibernate keep a @Lob byte[] (the column
// holds an oid). The select expression reads the object behind the
// column, at most limit+1 bytes of it (the reader tells one past limit
// from one that fits); NULL when the column refers to none; and
// LargeObjectDenied when the session may not read it, which would
// otherwise fail the whole statement.
type LargeObjects interface {
	LargeObject(t Table, column string, limit int64) string
}

// LargeObjectDenied is the value a LargeObjects expression gives for an
// object the session has no SELECT privilege on. An object that held
// exactly these bytes would be counted as denied; none does by chance.
var LargeObjectDenied = []byte("\x00datakart: no SELECT privilege on the large object\x00")

// Table is a table or view found in the catalog.
type Table struct {
	Schema, Name string
	View         bool
	// Partitioned: its rows are those of its partitions, which are not
	// listed apart (PostgreSQL's declarative partitioning).
	Partitioned bool
	// Rows is the catalog's estimate of the row count; -1 when unknown.
	Rows int64
	// Bytes is the catalog's estimate of the table's size; -1 when
	// unknown (MySQL and MariaDB give it).
	Bytes int64
	// Pages is the catalog's count of the table's pages (PostgreSQL's
	// relpages), 0 when it has none.
	Pages int64
	// SampleKey is the column the table is sampled in ranges of, or "".
	// With Key PrimaryInteger it is the integer column the primary key
	// starts with: the whole key, or with KeyPrefix the first of its
	// columns (a multi-tenant table's company id). MySQL and MariaDB
	// sample a table without one by another column, which Key names.
	SampleKey string
	KeyPrefix bool
	Key       KeyKind
	Columns   []Column
}

// KeyKind says what a table's SampleKey is.
type KeyKind uint8

const (
	// PrimaryInteger: the integer column the primary key starts with.
	PrimaryInteger KeyKind = iota
	// IndexedInteger: no primary key's, but the first column of another
	// index, an integer that is never NULL.
	IndexedInteger
	// IndexedTime: a date and time column that is never NULL and starts
	// a key or an index, where there is no integer (a log table's time).
	IndexedTime
	// PrimaryString: the first column of the primary key, a string (a
	// UUID, a ULID, a code), where there is no integer or date and time.
	PrimaryString
)

// FullName is "schema.table".
func (t Table) FullName() string { return t.Schema + "." + t.Name }

// Seed is the seed of the table's sample: the same table gives the same
// sample run after run while its rows stay the same, so that a rerun, or
// the next day's scan diffed with today's, shows what changed in the
// data, not in the draw. It differs from table to table.
func (t Table) Seed() uint64 {
	h := fnv.New64a()
	h.Write([]byte(t.FullName()))
	return h.Sum64()
}

// Column is a column with its declared type.
type Column struct {
	Name, Type string
	Kind       Kind
}

// Dialect is what one database engine does its own way.
type Dialect interface {
	// Name is the connector kind: "postgres", "mysql", "sqlite".
	Name() string
	// Tables lists the user tables (and views when asked) with their
	// columns, primary keys and estimated row counts, skipping system
	// schemas.
	Tables(ctx context.Context, db *sql.DB, views bool) ([]Table, error)
	// Quote quotes an identifier.
	Quote(ident string) string
	// Begin starts a read-only transaction on conn with the statement
	// timeout in force.
	Begin(ctx context.Context, conn *sql.Conn, timeout time.Duration) (*sql.Tx, error)
	// Sample returns the statements that read about n rows of t, fairly
	// (not only the oldest), and the method to state in the inventory.
	// cols is the quoted select list. Each statement is run in turn.
	Sample(ctx context.Context, tx *sql.Tx, t Table, cols string, n int) (stmts []Statement, method string, err error)
}

// Unlisted is a Dialect whose catalog may hide tables from the user:
// MySQL and MariaDB list only the tables a user has a grant on. It
// returns an error saying so where the user's grants leave tables out; the
// tables listed are read, and the error is the store's, so that check does
// not pass on a database it saw a part of.
type Unlisted interface {
	Unlisted(ctx context.Context, db *sql.DB) error
}

// Statement is one query with its arguments.
type Statement struct {
	Query string
	Args  []any
	// Head is true for a LIMIT read of the whole table (from its start,
	// or in an order of its own): when it returns fewer rows than asked
	// for, it read every row, and the inventory says so instead of the
	// method planned.
	Head bool
	// Note, when the statement read rows, is added to the method the
	// inventory gives (a fallback the plan needed).
	Note string
	// Keyset, when set, is the statement, read in pages along a unique
	// integer key, for a dialect without server-side cursors (see
	// Keyset); Query and Args are then empty.
	Keyset *Keyset
}

// Keyset is a statement "SELECT Cols FROM From WHERE Where ORDER BY Key
// LIMIT Limit" that is read in pages, each two statements of their own:
// the key of the page's last row, then the rows up to it. Each page is
// read whole before the detectors run on it, as a cursor's FETCH is (see
// CursorReader): MySQL and MariaDB count the time the server waits for
// the client to take its rows, and a sample of documents the detectors
// took longer on than the statement timeout was cut off. A dialect plans
// pages only for tables that can hold documents: two statements a page
// cost more than they are worth on a table of short rows.
type Keyset struct {
	Cols, From string
	// Key is the quoted key column: an integer, and the whole primary
	// key, so that no two rows share a value.
	Key string
	// Where is the statement's own condition, or "", with '?'
	// placeholders for Args.
	Where string
	Args  []any
	Limit int64
}

// Statement returns k as one statement, for a table read in one.
func (k *Keyset) Statement() Statement {
	return Statement{Query: fmt.Sprintf("SELECT %s FROM %s%s ORDER BY %s LIMIT %d", k.Cols, k.From, whereClause(k.Where), k.Key, k.Limit), Args: k.Args}
}

// ResultFunc reads one result set of a cursor whole, so that the database
// never waits on the detectors, and says how many rows and bytes it held.
type ResultFunc func(*sql.Rows) (rows, bytes int64, err error)

// MaxFetchRows bounds the rows of one result set handed to a ResultFunc.
const MaxFetchRows = 5000

// FetchBytes is about what one result set read through a cursor or in
// pages holds: each is read whole before the detectors run on it, so this
// is what a table's reader holds. The first asks for one row, lest it be
// 16 documents of 4 MB; later ones for as many as the rows so far say fit,
// growing at most eightfold, up to MaxFetchRows: a table of short rows
// reaches it at the sixth.
const FetchBytes = 8 << 20

// NextFetch returns how many rows the next result set asks for, after
// fetch rows were asked for last and n rows of size bytes were read.
func NextFetch(fetch, n, size int64) int64 {
	return min(MaxFetchRows, 8*fetch, max(1, n*FetchBytes/max(size, 1)))
}

// CursorReader is implemented by dialects that read a statement through a
// server-side cursor, in result sets of at most MaxFetchRows that are each
// a statement of their own and are read whole before the detectors run on
// them: a database's statement timeout counts the time it waits for the
// client to take its rows, and a sample of 5,200 PDFs that took longer to
// read than the timeout was cut off with "statement timeout". Others run
// one streaming statement.
type CursorReader interface {
	Cursor(ctx context.Context, tx *sql.Tx, st Statement, rows ResultFunc) error
}

// FullReader is implemented by dialects that stream a whole table through
// a cursor (see CursorReader); others run one streaming SELECT.
type FullReader interface {
	// Full reads every row of t.
	Full(ctx context.Context, tx *sql.Tx, t Table, cols string, rows ResultFunc) error
}

// Source is one database.
type Source struct {
	d        Dialect
	db       *sql.DB
	location string
	secret   string
	opt      Options
	notRead  error // see NotRead
}

// NotRead records a part of the database that is not read (an SQLite
// database's write-ahead log): Units returns it after it has listed the
// tables, so the inventory has it as the store's error, and what was read
// counts.
func (s *Source) NotRead(err error) { s.notRead = err }

// New returns a source for db. location names it for people (with the
// password already redacted); secret, if not empty, is scrubbed from every
// error message.
func New(d Dialect, db *sql.DB, location, secret string, opt Options) *Source {
	opt.defaults()
	db.SetMaxOpenConns(opt.MaxConns)
	db.SetMaxIdleConns(opt.MaxConns)
	return &Source{d: d, db: db, location: location, secret: secret, opt: opt}
}

// Kind implements connectors.Source.
func (s *Source) Kind() string { return s.d.Name() }

// Location implements connectors.Source.
func (s *Source) Location() string { return s.location }

// DB is the database handle, for callers that close it.
func (s *Source) DB() *sql.DB { return s.db }

// scrub removes the password from an error's text: drivers sometimes
// quote the connection string.
func (s *Source) scrub(err error) error { return Scrub(err, s.secret) }

// Units implements connectors.Source: one unit per table, in catalog
// order.
func (s *Source) Units(ctx context.Context, visit func(connectors.Unit) error) error {
	// The catalog of a big database can take longer to list than one
	// data statement may run: give it at least a minute.
	limit := max(s.opt.StatementTimeout, time.Minute)
	tctx, cancel := context.WithTimeout(ctx, limit)
	tables, err := s.d.Tables(tctx, s.db, s.opt.Views)
	cancel()
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return ctx.Err()
	case tctx.Err() != nil:
		return fmt.Errorf("list tables: the catalog did not answer within %s (a --statement-timeout over a minute gives it longer)", limit)
	default:
		return fmt.Errorf("list tables: %w", s.scrub(err))
	}
	var unlisted error
	if u, ok := s.d.(Unlisted); ok {
		tctx, cancel := context.WithTimeout(ctx, limit)
		unlisted = s.scrub(u.Unlisted(tctx, s.db))
		cancel()
	}
	for _, t := range tables {
		if !s.selected(t.FullName()) {
			continue
		}
		t.Columns = s.selectedColumns(t)
		kind := "table"
		if t.View {
			kind = "view"
		}
		u := connectors.Unit{Name: t.FullName(), Kind: kind, Size: t.Rows}
		u.Read = func(ctx context.Context, sink connectors.Sink) error {
			return s.scrub(s.read(ctx, t, sink))
		}
		if err := visit(u); err != nil {
			return err
		}
	}
	return errors.Join(unlisted, s.notRead)
}

func (s *Source) selected(name string) bool {
	for _, g := range s.opt.Exclude {
		if matchDotted(g, name) {
			return false
		}
	}
	if len(s.opt.Include) == 0 {
		return true
	}
	for _, g := range s.opt.Include {
		if matchDotted(g, name) || strings.HasPrefix(g, name+".") {
			return true // a column pattern selects its table
		}
	}
	return false
}

func (s *Source) selectedColumns(t Table) []Column {
	var out []Column
	for _, c := range t.Columns {
		name := t.FullName() + "." + c.Name
		excluded := false
		for _, g := range s.opt.Exclude {
			excluded = excluded || matchDotted(g, name)
		}
		included := len(s.opt.Include) == 0
		for _, g := range s.opt.Include {
			included = included || matchDotted(g, name) || matchDotted(g, t.FullName())
		}
		if included && !excluded {
			out = append(out, c)
		}
	}
	return out
}

// matchDotted matches a glob against a dotted name, '*' not crossing dots.
func matchDotted(pattern, name string) bool {
	ok, _ := path.Match(strings.ReplaceAll(pattern, ".", "/"), strings.ReplaceAll(name, ".", "/"))
	return ok
}

// Scrub removes secret from an error's text.
func Scrub(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), secret, "xxxxx"))
}

// TimeoutMillis is a statement timeout in the whole milliseconds the
// servers take, rounded up: 0 is no limit to them, and --statement-timeout
// 500us, rounded down, let a scan wait on a locked table for as long as
// the lock was held.
func TimeoutMillis(d time.Duration) int64 {
	return max(1, (d + time.Millisecond - 1).Milliseconds())
}
