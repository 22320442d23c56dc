// Package sqlite is the SQLite connector, through the pure-Go
// modernc.org/sqlite driver (no cgo). Files are opened read-only and
// never created.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite/vfs"

	"datakart/connectors/sqldb"
	"datakart/internal/noatime"
	"datakart/internal/sqliteuri"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Dialect is SQLite's part of a database scan.
type Dialect struct{}

// Open opens the database file a "sqlite:PATH" target names, read-only. A
// missing file is an error: it is never created. An error does not name
// the file: the caller's store or container does.
func Open(ctx context.Context, target string, opt sqldb.Options) (*sqldb.Source, error) {
	p := strings.TrimPrefix(strings.TrimPrefix(target, "sqlite:"), "//")
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, errUnwrap(err)
	}
	if st.IsDir() {
		return nil, errors.New("is a directory")
	}
	vfsName, err := diskVFS()
	if err != nil {
		return nil, err
	}
	db, err := openDB(sqliteuri.File(abs) + "?vfs=" + vfsName)
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	src := sqldb.New(Dialect{}, db, "sqlite:"+abs, "", opt)
	if _, err := walIndexOf(abs); err != nil && !errors.Is(err, errNoWAL) {
		// A log diskFS could not lay over the file: what it holds since
		// the last checkpoint is missing, and the store says so.
		src.NotRead(LogNotRead(filepath.Base(abs), err))
	}
	return src, nil
}

// openDB opens the database at uri, which names its VFS, read-only.
// immutable: SQLite takes no locks and reads no write-ahead log, so it
// writes nothing beside the file. A read-only connection otherwise
// creates NAME-wal and NAME-shm next to a database in WAL mode (every
// Android and iOS app database) and writes its read marks into the -shm:
// a write to the scanned store. The log is laid over the file by diskFS
// instead (see wal.go). temp_store: a sort too big for the page cache
// goes to memory, since neither VFS opens a temporary file.
func openDB(uri string) (*sql.DB, error) {
	return sql.Open("sqlite", uri+"&mode=ro&immutable=1&_pragma=query_only(1)&_pragma=temp_store(2)")
}

// LogNotRead is the error of a store whose database, named name, has a
// write-ahead log that could not be read for err: what the log holds is
// missing from the scan, and the inventory says so.
func LogNotRead(name string, err error) error {
	return fmt.Errorf("the write-ahead log %s-wal was not read, so changes since its last checkpoint are missing: %w", name, err)
}

// diskVFS registers, once, the file system every scanned database is
// read through: modernc's read-only VFS over disk, which has no way to
// write, create or delete a file whatever a URI or a pragma asks, and
// opens files without updating their access time (internal/noatime).
var diskVFS = sync.OnceValues(func() (string, error) {
	name, _, err := vfs.New(diskFS{})
	return name, err
})

// diskFS opens the files SQLite asks for by the path in their URI, for
// reading only.
type diskFS struct{}

func (diskFS) Open(name string) (fs.File, error) {
	if runtime.GOOS == "windows" && len(name) > 2 && name[0] == '/' && name[2] == ':' {
		name = name[1:] // /C:/data/app.db
	}
	path := filepath.FromSlash(name)
	f, err := noatime.OpenFile(path)
	if err != nil {
		return nil, err // not a nil *os.File in a non-nil fs.File
	}
	idx, err := walIndexOf(path)
	if err != nil {
		return f, nil // no log, or one Open reports as not read
	}
	wal, err := noatime.OpenFile(path + "-wal")
	if err != nil {
		return f, nil
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		wal.Close()
		return nil, err
	}
	return &walFile{db: f, wal: wal, idx: idx, info: info}, nil
}

func errUnwrap(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// Name implements sqldb.Dialect.
func (Dialect) Name() string { return "sqlite" }

// Quote implements sqldb.Dialect.
func (Dialect) Quote(ident string) string { return `"` + strings.ReplaceAll(ident, `"`, `""`) + `"` }

// Tables implements sqldb.Dialect.
func (d Dialect) Tables(ctx context.Context, db *sql.DB, views bool) ([]sqldb.Table, error) {
	rows, err := db.QueryContext(ctx, `SELECT name, type = 'view' FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var tables []sqldb.Table
	for rows.Next() {
		var t sqldb.Table
		if err := rows.Scan(&t.Name, &t.View); err != nil {
			rows.Close()
			return nil, err
		}
		if t.View && !views {
			continue
		}
		t.Schema = "main"
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range tables {
		t := &tables[i]
		cols, err := db.QueryContext(ctx, "SELECT name, type, pk FROM pragma_table_info(?)", t.Name)
		if err != nil {
			return nil, err
		}
		pks := 0
		for cols.Next() {
			var c sqldb.Column
			var pk int
			if err := cols.Scan(&c.Name, &c.Type, &pk); err != nil {
				cols.Close()
				return nil, err
			}
			c.Kind = columnKind(strings.ToUpper(c.Type))
			if pk > 0 {
				pks++
				if strings.Contains(strings.ToUpper(c.Type), "INT") {
					t.SampleKey = c.Name
				}
			}
			t.Columns = append(t.Columns, c)
		}
		cols.Close()
		if pks != 1 {
			t.SampleKey = ""
		}
		t.Rows = -1
		if !t.View {
			var n sql.NullInt64
			if err := db.QueryRowContext(ctx, "SELECT max(rowid) FROM "+d.Quote(t.Name)).Scan(&n); err == nil && n.Valid {
				t.Rows = n.Int64
			} else if err == nil {
				t.Rows = 0
			}
		}
	}
	return tables, nil
}

// columnKind follows SQLite's type affinity rules.
func columnKind(typ string) sqldb.Kind {
	switch {
	case strings.Contains(typ, "JSON"):
		return sqldb.JSON
	case strings.Contains(typ, "BOOL"), strings.Contains(typ, "DATE"), strings.Contains(typ, "TIME"):
		return sqldb.Skip
	case strings.Contains(typ, "INT"), strings.Contains(typ, "REAL"), strings.Contains(typ, "FLOA"),
		strings.Contains(typ, "DOUB"), strings.Contains(typ, "NUM"), strings.Contains(typ, "DEC"):
		return sqldb.Numeric
	case strings.Contains(typ, "BLOB"):
		return sqldb.Binary
	}
	return sqldb.Text // TEXT, CHAR, CLOB, and untyped columns, which hold anything
}

// Begin implements sqldb.Dialect. The file is open read-only and
// immutable with query_only set; the statement timeout is enforced
// through the context.
func (Dialect) Begin(ctx context.Context, conn *sql.Conn, timeout time.Duration) (*sql.Tx, error) {
	if _, err := conn.ExecContext(ctx, "PRAGMA query_only = 1"); err != nil {
		return nil, err
	}
	return conn.BeginTx(ctx, nil)
}

// Sample implements sqldb.Dialect: random rows by rowid, or all rows of a
// small table. The rowids are ordered by Knuth's multiplicative hash,
// offset by the table's seed, not by random(): they spread over the whole
// table, and a rerun over the same rows reads the same ones (see
// sqldb.Table.Seed).
func (d Dialect) Sample(ctx context.Context, tx *sql.Tx, t sqldb.Table, cols string, n int) ([]sqldb.Statement, string, error) {
	from := d.Quote(t.Name)
	if t.View || t.Rows <= int64(n) {
		method := fmt.Sprintf("all rows (about %d)", t.Rows)
		if t.View || t.Rows < 0 {
			method = fmt.Sprintf("first %d rows", n)
		}
		return []sqldb.Statement{{Query: fmt.Sprintf("SELECT %s FROM %s LIMIT %d", cols, from, n), Head: true}}, method, nil
	}
	// In 31 bits, so that the product stays an integer: SQLite turns an
	// integer that overflows into a float.
	q := fmt.Sprintf("SELECT %s FROM %s WHERE rowid IN (SELECT rowid FROM %s ORDER BY ((rowid %% 2147483648) * 1327217885 + %d) %% 2147483648 LIMIT %d)",
		cols, from, from, t.Seed()>>33, n)
	return []sqldb.Statement{{Query: q}}, fmt.Sprintf("%d random rows of about %d", n, t.Rows), nil
}
