// Package mysql is the MySQL and MariaDB connector: catalog queries on
// information_schema, sampling by random primary-key ranges (never sorting
// a whole table, never only the oldest rows) and read-only sessions with
// each server's own statement timeout, on the shared core in
// connectors/sqldb.
package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand/v2"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"datakart/connectors/sqldb"
	"datakart/internal/dsn"

	driver "github.com/go-sql-driver/mysql"
)

// Dialect is MySQL's and MariaDB's part of a database scan.
type Dialect struct {
	mariaOnce sync.Once
	maria     bool
}

func init() {
	// The driver logs what it also returns ("[mysql] packets.go:100
	// unexpected EOF" on stderr, beside the error entry the scan makes of
	// it): the scan's own errors say it.
	driver.SetLogger(log.New(io.Discard, "", 0))
}

// Open connects to the database a mysql:// URL or a driver DSN
// (user:pass@tcp(host:3306)/db) names. The password may come from the
// target, from MYSQL_PWD, or from password, which wins when not empty.
func Open(ctx context.Context, target, password string, opt sqldb.Options) (*sqldb.Source, error) {
	cfg, err := config(target)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dsn.Redact(target), err)
	}
	switch {
	case password != "":
		cfg.Passwd = password
	case cfg.Passwd == "" && os.Getenv("MYSQL_PWD") != "":
		cfg.Passwd = os.Getenv("MYSQL_PWD")
	}
	cfg.ParseTime = false
	cfg.InterpolateParams = false
	if cfg.Timeout == 0 {
		cfg.Timeout = 15 * time.Second
	}
	conn, err := driver.NewConnector(cfg)
	if err != nil {
		return nil, sqldb.Scrub(fmt.Errorf("connect: %w", err), cfg.Passwd)
	}
	db := sql.OpenDB(conn)
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, sqldb.Scrub(fmt.Errorf("connect: %w", err), cfg.Passwd)
	}
	return sqldb.New(&Dialect{}, db, dsn.Redact(target), cfg.Passwd, opt), nil
}

// config reads a mysql:// URL or a driver DSN.
func config(target string) (*driver.Config, error) {
	if !strings.HasPrefix(target, "mysql://") && !strings.HasPrefix(target, "mariadb://") {
		return driver.ParseDSN(target)
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("not a MySQL URL (a password with # ? / %% or a space in it is written percent-encoded: %%23 %%3F %%2F %%25 %%20)")
	}
	addr := u.Host
	if u.Port() == "" {
		addr = u.Hostname() + ":3306"
	}
	// The query is the driver's DSN parameters (tls, timeout, charset, …):
	// read as the DSN form reads them, so ?tls=true asks for TLS, not a
	// plain connection. The password may be given as one, as PostgreSQL's
	// URLs allow; the driver would send it to the server as a session
	// variable.
	q := u.Query()
	password, hasPassword := u.User.Password()
	if p := q.Get("password"); p != "" && !hasPassword {
		password = p
	}
	q.Del("password")
	cfg, err := driver.ParseDSN("tcp(" + addr + ")/" + url.PathEscape(strings.TrimPrefix(u.Path, "/")) + "?" + q.Encode())
	if err != nil {
		return nil, fmt.Errorf("not a MySQL URL: %w", err)
	}
	cfg.User, cfg.Passwd = u.User.Username(), password
	return cfg, nil
}

// Name implements sqldb.Dialect.
func (*Dialect) Name() string { return "mysql" }

// Quote implements sqldb.Dialect.
func (*Dialect) Quote(ident string) string { return "`" + strings.ReplaceAll(ident, "`", "``") + "`" }

const tablesQuery = `
SELECT c.TABLE_SCHEMA, c.TABLE_NAME, t.TABLE_TYPE = 'VIEW', COALESCE(t.TABLE_ROWS, -1), COALESCE(t.DATA_LENGTH, -1),
       c.COLUMN_NAME, c.DATA_TYPE, c.COLUMN_TYPE, c.COLUMN_KEY = 'PRI', c.IS_NULLABLE = 'NO'
FROM information_schema.COLUMNS c
JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
WHERE (DATABASE() IS NULL OR c.TABLE_SCHEMA = DATABASE())
  AND c.TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')
  AND t.TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED', 'VIEW')
ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION`

// indexesQuery gives the first column of each index, whether it is the
// primary key, and how many columns the index has.
const indexesQuery = `
SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME = 'PRIMARY', MAX(CASE WHEN SEQ_IN_INDEX = 1 THEN COLUMN_NAME END), COUNT(*)
FROM information_schema.STATISTICS
WHERE (DATABASE() IS NULL OR TABLE_SCHEMA = DATABASE())
  AND TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')
GROUP BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME`

// Tables implements sqldb.Dialect. The primary keys and indexes come from
// one query of their own, not a subquery or a join per column, which made
// the catalog quadratic: MariaDB took over two minutes to list 2,000
// tables.
func (d *Dialect) Tables(ctx context.Context, db *sql.DB, views bool) ([]sqldb.Table, error) {
	type key struct{ schema, table string }
	type primary struct {
		first string
		cols  int
	}
	type column struct {
		key
		name string
	}
	keys := map[key]primary{}
	indexed := map[column]bool{} // the first columns of the other indexes
	irows, err := db.QueryContext(ctx, indexesQuery)
	if err != nil {
		return nil, err
	}
	defer irows.Close()
	for irows.Next() {
		var k key
		var isPrimary bool
		var p primary
		if err := irows.Scan(&k.schema, &k.table, &isPrimary, &p.first, &p.cols); err != nil {
			return nil, err
		}
		if isPrimary {
			keys[k] = p
		} else {
			indexed[column{k, p.first}] = true
		}
	}
	if err := irows.Err(); err != nil {
		return nil, err
	}

	rows, err := db.QueryContext(ctx, tablesQuery)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var tables []sqldb.Table
	// Per table, the first integer column an index starts with, the
	// first date and time column a key or an index starts with, never NULL,
	// and the primary key's first column where it is a string.
	var byIndex, byTime, byString []string
	for rows.Next() {
		var schema, name, col, dataType, colType string
		var view, pk, notNull bool
		var est, size int64
		if err := rows.Scan(&schema, &name, &view, &est, &size, &col, &dataType, &colType, &pk, &notNull); err != nil {
			return nil, err
		}
		if view && !views {
			continue
		}
		if len(tables) == 0 || tables[len(tables)-1].Schema != schema || tables[len(tables)-1].Name != name {
			tables = append(tables, sqldb.Table{Schema: schema, Name: name, View: view, Rows: est, Bytes: size})
			byIndex, byTime, byString = append(byIndex, ""), append(byTime, ""), append(byString, "")
		}
		t := &tables[len(tables)-1]
		last := len(tables) - 1
		isInt := strings.HasSuffix(strings.ToLower(dataType), "int")
		p := keys[key{schema, name}]
		if pk && col == p.first && isInt {
			t.SampleKey, t.KeyPrefix = col, p.cols > 1
		}
		startsIndex := indexed[column{key{schema, name}, col}]
		if isInt && notNull && byIndex[last] == "" && startsIndex {
			byIndex[last] = col
		}
		if timeKind[strings.ToLower(dataType)] && notNull && byTime[last] == "" && (startsIndex || pk && col == p.first) {
			byTime[last] = col
		}
		if stringKind[strings.ToLower(dataType)] && pk && col == p.first {
			byString[last] = col
		}
		t.Columns = append(t.Columns, sqldb.Column{Name: col, Type: colType, Kind: columnKind(strings.ToLower(dataType), strings.ToLower(colType))})
	}
	// A table without an integer primary key is sampled by the first
	// integer column an index starts with, as a multi-tenant table is by
	// its company id: a log table keyed by nothing, or by a UUID, has
	// one more often than not (a user or customer id). Never NULL, or
	// the rows where it is would be in no range.
	// Without one either, by the first date and time column a key or an
	// index starts with: a log table's time, which its first rows, the
	// oldest, would not stand for. Without that, by a primary key that
	// starts with a string: a UUID, a ULID, a customer code.
	for i := range tables {
		switch t := &tables[i]; {
		case t.SampleKey != "":
		case byIndex[i] != "":
			t.SampleKey, t.KeyPrefix, t.Key = byIndex[i], true, sqldb.IndexedInteger
		case byTime[i] != "":
			t.SampleKey, t.KeyPrefix, t.Key = byTime[i], true, sqldb.IndexedTime
		case byString[i] != "":
			t.SampleKey, t.KeyPrefix, t.Key = byString[i], true, sqldb.PrimaryString
		}
	}
	return tables, rows.Err()
}

// timeKind are the data types of the date and time columns a table may be
// sampled by.
var timeKind = map[string]bool{"datetime": true, "timestamp": true, "date": true}

// stringKind are the data types of the string keys a table may be
// sampled by.
var stringKind = map[string]bool{"char": true, "varchar": true}

func columnKind(dataType, colType string) sqldb.Kind {
	switch dataType {
	case "char", "varchar", "tinytext", "text", "mediumtext", "longtext":
		return sqldb.Text // MariaDB's JSON is longtext: JSON text is walked when read
	case "inet4", "inet6":
		return sqldb.Text // MariaDB's address types, read as the text of the address
	case "json":
		return sqldb.JSON
	case "tinyint":
		if strings.HasPrefix(colType, "tinyint(1)") {
			return sqldb.Skip // a boolean
		}
		return sqldb.Numeric
	case "smallint", "mediumint", "int", "integer", "bigint", "decimal", "numeric", "float", "double", "real":
		return sqldb.Numeric
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		return sqldb.Binary
	}
	return sqldb.Skip // dates and times, enum, set, bit, geometry
}

// isMaria tells MariaDB (max_statement_time, seconds) from MySQL
// (max_execution_time, milliseconds).
func (d *Dialect) isMaria(ctx context.Context, conn *sql.Conn) bool {
	d.mariaOnce.Do(func() {
		var v string
		if err := conn.QueryRowContext(ctx, "SELECT VERSION()").Scan(&v); err == nil {
			d.maria = strings.Contains(strings.ToLower(v), "mariadb")
		}
	})
	return d.maria
}

func (d *Dialect) setTimeout(ctx context.Context, conn *sql.Conn, timeout time.Duration) error {
	ms := sqldb.TimeoutMillis(timeout)
	q := fmt.Sprintf("SET SESSION max_execution_time = %d", ms)
	if d.isMaria(ctx, conn) {
		q = fmt.Sprintf("SET SESSION max_statement_time = %d.%03d", ms/1000, ms%1000)
	}
	_, err := conn.ExecContext(ctx, q)
	return err
}

// Begin implements sqldb.Dialect: the session's statement timeout, then
// START TRANSACTION READ ONLY.
func (d *Dialect) Begin(ctx context.Context, conn *sql.Conn, timeout time.Duration) (*sql.Tx, error) {
	if err := d.setTimeout(ctx, conn, timeout); err != nil {
		return nil, err
	}
	return conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
}

// probes is how many random key ranges a sample reads.
const probes = 10

// Sample implements sqldb.Dialect. A table whose primary key starts with
// an integer column is sampled in random ranges of that column between its
// smallest and largest value, each read through the index; a small table
// or one without such a key is read with LIMIT, and the method says so.
// A multi-tenant table keyed (company_id, id) is so sampled across its
// companies, not from the first company's rows alone.
func (d *Dialect) Sample(ctx context.Context, tx *sql.Tx, t sqldb.Table, cols string, n int) ([]sqldb.Statement, string, error) {
	from := d.Quote(t.Schema) + "." + d.Quote(t.Name)
	limit := sqldb.Statement{Query: fmt.Sprintf("SELECT %s FROM %s LIMIT %d", cols, from, n), Head: true}
	pk := d.Quote(t.SampleKey)
	// keyed reads at most rows of the rows that meet where, in the key's
	// order: in pages where the table's documents may keep the detectors
	// longer than the statement timeout, else in one statement.
	paged := t.SampleKey != "" && !t.KeyPrefix && !t.View && holdsDocuments(t)
	keyed := func(where string, args []any, rows int) sqldb.Statement {
		k := &sqldb.Keyset{Cols: cols, From: from, Key: pk, Where: where, Args: args, Limit: int64(rows)}
		if paged {
			return sqldb.Statement{Keyset: k}
		}
		return k.Statement()
	}
	switch {
	case t.Rows >= 0 && t.Rows <= int64(n):
		if paged {
			limit = keyed("", nil, n)
			limit.Head = true
		}
		return []sqldb.Statement{limit}, fmt.Sprintf("all rows (about %d)", t.Rows), nil
	case t.View:
		return []sqldb.Statement{limit}, fmt.Sprintf("first %d rows (a view)", n), nil
	case (t.SampleKey == "" || t.Key != sqldb.PrimaryInteger) && t.Bytes >= 0 && t.Bytes <= maxScanBytes:
		return d.sampleByScan(ctx, tx, t, cols, from, n)
	case t.SampleKey == "" && t.Bytes < 0:
		return []sqldb.Statement{limit}, fmt.Sprintf("first %d rows (no integer primary key to sample by, and no size to tell whether a scan would be short)", n), nil
	case t.SampleKey == "":
		return []sqldb.Statement{limit}, fmt.Sprintf("first %d rows (no integer primary key to sample by, and about %d MiB is too much to scan for a sample)", n, t.Bytes>>20), nil
	}
	var minKey, maxKey sql.NullString
	if err := tx.QueryRowContext(ctx, fmt.Sprintf("SELECT MIN(%s), MAX(%s) FROM %s", pk, pk, from)).Scan(&minKey, &maxKey); err != nil {
		return nil, "", err
	}
	if !minKey.Valid {
		return []sqldb.Statement{limit}, fmt.Sprintf("first %d rows (no key to sample by)", n), nil
	}
	ranged := keyRange
	switch t.Key {
	case sqldb.IndexedTime:
		ranged = timeRange
	case sqldb.PrimaryString:
		ranged = stringRange
	}
	lo, hi, key, err := ranged(minKey.String, maxKey.String)
	switch {
	case err != nil && t.Key == sqldb.IndexedTime:
		// A zero date ('0000-00-00', where the server allows one) is no
		// instant: the rows are still read.
		return []sqldb.Statement{limit}, fmt.Sprintf("first %d rows (%s, the date and time to sample by, holds %v)", n, t.SampleKey, err), nil
	case err != nil && t.Key == sqldb.PrimaryString:
		// Keys whose collation sorts them otherwise than their characters
		// (mixed case, folded): the rows are still read.
		return []sqldb.Statement{limit}, fmt.Sprintf("first %d rows (%s, the string key to sample by: %v)", n, t.SampleKey, err), nil
	case err != nil:
		return nil, "", err
	}
	// One probe in each tenth of the key range (or for each value of a
	// narrower one: three companies), from a random key in it to its end:
	// the probes never overlap, so no row is counted twice.
	// In unsigned arithmetic, and with inclusive ends, so that keys
	// spread over all of BIGINT (hashed ids) neither overflow nor lose the
	// largest key.
	span := hi - lo + 1 // 0: all 2^64
	k := probes
	if span != 0 && span < probes {
		k = int(span)
	}
	per := (n + k - 1) / k
	width := span / uint64(k)
	if span == 0 {
		width = math.MaxUint64 / uint64(k)
	}
	// Drawn from the table's seed: a rerun over the same rows reads the
	// same sample (see sqldb.Table.Seed).
	draw := rand.New(rand.NewPCG(t.Seed(), 0))
	stmts := make([]sqldb.Statement, k, k+1)
	var outside []string
	var outsideArgs []any
	for i := range stmts {
		first := lo + uint64(i)*width
		last := first + width - 1
		if i == k-1 {
			last = hi
		}
		size := last - first + 1               // keys in the probe's range
		slack := size - min(size, uint64(per)) // where it may start and still span per keys
		if t.Key == sqldb.IndexedTime || t.Key == sqldb.PrimaryString {
			// A time or a string has far more values than the table has
			// rows, and per of them may hold no row at all: a start in the
			// first half of the range leaves the probe half its rows.
			slack = size / 2
		}
		start := first + draw.Uint64N(max(slack, 1))
		stmts[i] = keyed(pk+" BETWEEN ? AND ?", []any{key(start), key(last)}, per)
		outside = append(outside, fmt.Sprintf("%s NOT BETWEEN ? AND ?", pk))
		outsideArgs = append(outsideArgs, key(start), key(last))
	}
	// The probes take the keys to be dense. Where they are not (rows
	// deleted; two systems' rows merged, keys 1 to 50,000 and from
	// 1,000,000,001), most probes find few rows or none, and the rows
	// outside every probe's range fill the sample, lowest keys first: a
	// whole system's rows were never read before.
	fill := keyed(strings.Join(outside, " AND "), outsideArgs, n)
	fill.Note = "filled up from the lowest keys outside them (the keys have gaps)"
	stmts = append(stmts, fill)
	switch {
	case t.Key == sqldb.IndexedTime:
		return stmts, fmt.Sprintf("%d random ranges of %s, an indexed date and time (no integer key), of about %d rows", k, t.SampleKey, t.Rows), nil
	case t.Key == sqldb.PrimaryString:
		return stmts, fmt.Sprintf("%d random ranges of %s, the primary key's first column, a string (no integer or date and time key), of about %d rows", k, t.SampleKey, t.Rows), nil
	case t.Key == sqldb.IndexedInteger:
		return stmts, fmt.Sprintf("%d random ranges of %s, an indexed column (no integer primary key), of about %d rows", k, t.SampleKey, t.Rows), nil
	case t.KeyPrefix:
		return stmts, fmt.Sprintf("%d random ranges of %s, the primary key's first column, of about %d rows", k, t.SampleKey, t.Rows), nil
	}
	return stmts, fmt.Sprintf("%d random primary-key ranges of about %d rows", k, t.Rows), nil
}

// keyRange maps a table's smallest and largest key, as the server wrote
// them, onto uint64 in order, so that a range of BIGINT UNSIGNED keys past
// the largest signed value is sampled like any other, and returns the
// function that maps a point of it back to a key argument.
func keyRange(minKey, maxKey string) (lo, hi uint64, key func(uint64) any, err error) {
	signedLo, err1 := strconv.ParseInt(minKey, 10, 64)
	signedHi, err2 := strconv.ParseInt(maxKey, 10, 64)
	if err1 == nil && err2 == nil {
		return ordered(signedLo), ordered(signedHi), func(u uint64) any { return unordered(u) }, nil
	}
	lo, err1 = strconv.ParseUint(minKey, 10, 64)
	hi, err2 = strconv.ParseUint(maxKey, 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, 0, nil, fmt.Errorf("key range: %w", err)
	}
	return lo, hi, func(u uint64) any { return u }, nil
}

// timeRange is keyRange for a date and time column: its smallest and
// largest values, as the server wrote them (2024-11-01, 2024-11-01
// 08:00:00, with up to six decimals), as microseconds, and back as the
// server reads them. A TIMESTAMP is written and read in the session's time
// zone, so the instants are compared as written.
func timeRange(minKey, maxKey string) (lo, hi uint64, key func(uint64) any, err error) {
	from, err1 := parseServerTime(minKey)
	to, err2 := parseServerTime(maxKey)
	if err := errors.Join(err1, err2); err != nil {
		return 0, 0, nil, err
	}
	// Dates before 1970 are negative.
	return ordered(from.UnixMicro()), ordered(to.UnixMicro()), func(u uint64) any {
		return time.UnixMicro(unordered(u)).UTC().Format("2006-01-02 15:04:05.999999")
	}, nil
}

// stringRange is keyRange for a string key: the keys past the prefix the
// smallest and largest share, as numbers of their first characters, and
// back as strings. The digits are those the two keys are written in:
// decimal (a customer code, K-000001), hexadecimal (a UUID) or digits and
// letters (a ULID), upper case where the keys have upper case and no
// lower. Such strings sort as the keys do, in a binary collation and in
// the case-insensitive ones, so a point between the two is a key between
// them, and the key is sampled all over its range, not from its first
// rows. A character that is not a digit (a UUID's '-') counts as the
// nearest digit below it.
func stringRange(minKey, maxKey string) (lo, hi uint64, key func(uint64) any, err error) {
	common := 0
	for common < len(minKey) && common < len(maxKey) && minKey[common] == maxKey[common] {
		common++
	}
	prefix, rest := minKey[:common], minKey[common:]+maxKey[common:]
	digits := "0123456789abcdefghijklmnopqrstuvwxyz"
	switch {
	case strings.Trim(rest, "0123456789") == "":
		digits = digits[:10]
	case strings.Trim(rest, "0123456789abcdef-") == "", strings.Trim(rest, "0123456789ABCDEF-") == "":
		digits = digits[:16]
	}
	if strings.ContainsAny(rest, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") && !strings.ContainsAny(rest, "abcdefghijklmnopqrstuvwxyz") {
		digits = strings.ToUpper(digits)
	}
	base := uint64(len(digits))
	value := func(s string) uint64 {
		var v uint64
		for i := range stringKeyChars {
			rank := 0
			if i < len(s) {
				// The last digit not above s[i].
				rank = max(0, strings.LastIndexFunc(digits, func(r rune) bool { return byte(r) <= s[i] }))
			}
			v = v*base + uint64(rank)
		}
		return v
	}
	lo, hi = value(minKey[common:]), value(maxKey[common:])
	if lo > hi {
		return 0, 0, nil, fmt.Errorf("key range: %q and %q do not sort as strings of digits", minKey, maxKey)
	}
	return lo, hi, func(u uint64) any {
		var b [stringKeyChars]byte
		for i := len(b) - 1; i >= 0; i-- {
			b[i] = digits[u%base]
			u /= base
		}
		return prefix + string(b[:])
	}, nil
}

// stringKeyChars is how many characters past the shared prefix a string
// key's place is read from: 36^12 is below 2^63.
const stringKeyChars = 12

// ordered maps v onto uint64 in the order of int64, and unordered back:
// flipping the sign bit keeps the order.
func ordered(v int64) uint64   { return uint64(v) ^ 1<<63 }
func unordered(u uint64) int64 { return int64(u ^ 1<<63) }

// parseServerTime reads a DATE, DATETIME or TIMESTAMP as MySQL and MariaDB
// write it, as if in UTC.
func parseServerTime(s string) (time.Time, error) {
	layout := "2006-01-02 15:04:05.999999999"
	if len(s) == len("2006-01-02") {
		layout = "2006-01-02"
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q, not a date and time", s)
	}
	return t, nil
}

// maxScanBytes bounds the tables without an integer key that are scanned
// whole for a sample, by the catalog's estimate of their size: a table of
// 64 MiB scans in a fraction of a second, and the first rows of a table
// without a key are its oldest (a log table's), or its first in a natural
// key's order.
var maxScanBytes int64 = 64 << 20

// sampleByScan samples a table without an integer key by a scan of the
// whole table that keeps each row by chance, RAND(seed) < n/count: rows
// from all over the table, the same ones run after run while the rows
// stay the same. The count is exact (a scan as well): the catalog's
// estimate may be off by half, and a share too large would let the LIMIT
// cut off the table's end.
func (d *Dialect) sampleByScan(ctx context.Context, tx *sql.Tx, t sqldb.Table, cols, from string, n int) ([]sqldb.Statement, string, error) {
	var count int64
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+from).Scan(&count); err != nil {
		return nil, "", err
	}
	if count <= int64(n) {
		return []sqldb.Statement{{Query: fmt.Sprintf("SELECT %s FROM %s", cols, from), Head: true}}, fmt.Sprintf("all rows (%d)", count), nil
	}
	share := float64(n) / float64(count)
	q := fmt.Sprintf("SELECT %s FROM %s WHERE RAND(%d) < %g LIMIT %d", cols, from, t.Seed()>>33, share, n)
	return []sqldb.Statement{{Query: q}}, fmt.Sprintf("random rows, about %d of %d, by a scan of the whole table (no integer primary key to sample by)", n, count), nil
}

// holdsDocuments reports whether a column of t can hold a document or a
// value too long to be read on a short row's terms: the BLOBs and long
// TEXTs (a TEXT or VARCHAR is at most 64 KiB) and JSON.
func holdsDocuments(t sqldb.Table) bool {
	for _, c := range t.Columns {
		switch typ := strings.ToLower(c.Type); {
		case c.Kind == sqldb.Skip:
		case strings.HasSuffix(typ, "blob") && typ != "tinyblob", strings.HasPrefix(typ, "mediumtext"),
			strings.HasPrefix(typ, "longtext"), typ == "json":
			return true
		}
	}
	return false
}

// Full implements sqldb.FullReader: one streaming SELECT. The driver
// reads rows as they come; the session timeout is lifted for it, since a
// whole big table may take longer than one statement should.
func (d *Dialect) Full(ctx context.Context, tx *sql.Tx, t sqldb.Table, cols string, rows func(*sql.Rows) (int64, error)) error {
	q := "SET SESSION max_execution_time = 0"
	if d.maria {
		q = "SET SESSION max_statement_time = 0"
	}
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return err
	}
	rs, err := tx.QueryContext(ctx, "SELECT "+cols+" FROM "+d.Quote(t.Schema)+"."+d.Quote(t.Name))
	if err != nil {
		return err
	}
	defer rs.Close()
	_, err = rows(rs)
	return err
}

// Unlisted implements sqldb.Unlisted: MySQL and MariaDB list only the
// tables a user has a grant on, so a user granted SELECT on some tables
// of the database, not on all of it, sees the rest of them nowhere. In a
// user check such a scan listed 1 table of 10, with no error, and check
// passed. Where SHOW GRANTS gives SELECT on the database (or all of
// them, or a pattern that names it) nothing is said; where it gives it on
// single tables only, the scan says the database may hold more.
func (d *Dialect) Unlisted(ctx context.Context, db *sql.DB) error {
	var name sql.NullString
	if err := db.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&name); err != nil || !name.Valid {
		return nil // all databases: which the user should see is not known
	}
	rows, err := db.QueryContext(ctx, "SHOW GRANTS")
	if err != nil {
		return nil
	}
	defer rows.Close()
	single := 0 // tables of the database granted one by one
	for rows.Next() {
		var grant string
		if rows.Scan(&grant) != nil {
			return nil
		}
		m := grantOn.FindStringSubmatch(grant)
		if m == nil || !strings.Contains(m[1], "SELECT") && !strings.Contains(m[1], "ALL PRIVILEGES") {
			continue
		}
		dbPart, table, _ := strings.Cut(m[2], ".")
		if table == "*" && (dbPart == "*" || likeMatch(strings.Trim(dbPart, "`"), name.String)) {
			return nil
		}
		if strings.Trim(dbPart, "`") == name.String {
			single++
		}
	}
	if rows.Err() != nil || single == 0 {
		return nil
	}
	return fmt.Errorf("the user may not see every table: its grants give SELECT on %s of %s, not on the whole database, and the server lists no table the user has no grant on (GRANT SELECT ON `%s`.* lets it see them all)",
		plural(single, "single table"), name.String, name.String)
}

// grantOn reads a line of SHOW GRANTS: the privileges, and what they are
// on ("`crm`.*", "`crm`.`kunder`", "*.*").
var grantOn = regexp.MustCompile("^GRANT (.+) ON ((?:\\*|`(?:[^`]|``)*`)\\.(?:\\*|`(?:[^`]|``)*`)) TO ")

// likeMatch reports whether name matches a database name in a grant,
// which may be a LIKE pattern: % any characters, _ one, \ escapes.
func likeMatch(pattern, name string) bool {
	var re strings.Builder
	re.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '\\' && i+1 < len(pattern):
			i++
			re.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		case c == '%':
			re.WriteString("(?s:.*)")
		case c == '_':
			re.WriteString("(?s:.)")
		default:
			re.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		}
	}
	re.WriteString("$")
	ok, _ := regexp.MatchString(re.String(), name)
	return ok
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
