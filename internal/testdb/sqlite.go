package testdb

import (
	"database/sql"
	"testing"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// SQLiteApp opens the SQLite database at path as a running app keeps it:
// in WAL mode, on one connection, which keeps the log open, with no
// checkpoint but those stmts ask for, so what they write stays in
// path-wal. It runs stmts; the connection is closed when the test ends,
// or before by the test, as an app that quits.
func SQLiteApp(tb testing.TB, path string, stmts ...string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	Exec(tb, db, append([]string{`PRAGMA journal_mode=WAL`, `PRAGMA wal_autocheckpoint = 0`}, stmts...)...)
	return db
}
