package postgres

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"datakart/connectors/sqldb"
	"datakart/internal/testdb"
)

// TestHostileDatabase: a connection killed mid-table, a table locked by
// another transaction and a huge JSONB value each end as the right entry,
// the scan finishes, and a rerun gives the same findings for what was
// readable.
func TestHostileDatabase(t *testing.T) {
	db, schema := testdb.Postgres(t)
	s := schema + "."
	testdb.Exec(t, db,
		"CREATE TABLE "+s+"kunder (id serial PRIMARY KEY, epost text)",
		"INSERT INTO "+s+"kunder (epost) SELECT 'kunde' || g || '@online.no' FROM generate_series(1, 50) g",
		"CREATE TABLE "+s+"locked (id serial PRIMARY KEY, fnr text)",
		"INSERT INTO "+s+"locked (fnr) VALUES ('10048744732')",
		"CREATE TABLE "+s+"big_json (id serial PRIMARY KEY, doc jsonb)",
		// About 6 MB of JSON with a phone number at the start.
		"INSERT INTO "+s+`big_json (doc) SELECT jsonb_build_object('customer', jsonb_build_object('phone', '+4791234567'),
			'log', (SELECT jsonb_agg(jsonb_build_object('n', g, 'text', repeat('x', 100))) FROM generate_series(1, 50000) g))`,
		"CREATE VIEW "+s+"slow_rows AS SELECT g, 'ola@online.no'::text AS epost, pg_sleep(0.01)::text AS pause FROM generate_series(1, 2000) g",
	)
	// Another transaction holds the table.
	lockTx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer lockTx.Rollback()
	if _, err := lockTx.Exec("LOCK TABLE " + s + "locked IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	// Kill the connection reading the slow view after a second.
	go func() {
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			time.Sleep(200 * time.Millisecond)
			var n int
			db.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE application_name = 'datakart' AND query LIKE '%slow_rows%' AND state = 'active'
				AND now() - query_start > interval '1 second'`).Scan(&n)
			if n > 0 {
				return
			}
		}
	}()
	src := open(t, schema, sqldb.Options{Views: true, Full: true, StatementTimeout: 5 * time.Second})
	start := time.Now()
	inv := testdb.Scan(t, src)
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("took %v", took)
	}
	msgs := map[string]string{}
	for _, e := range inv.Errors {
		msgs[e.Container] = e.Message
	}
	if m := msgs[s+"slow_rows"]; !strings.Contains(m, "terminat") && !strings.Contains(m, "connection") && !strings.Contains(m, "timeout") {
		t.Errorf("killed connection: %q", m)
	}
	// It says it was cut off, not "full (every row)", and every row it
	// counts was examined.
	if v := testdb.Container(inv, s+"slow_rows"); v == nil || !strings.HasPrefix(v.Sampling, "full, cut off after ") ||
		v.Rows == 0 || testdb.Field(v, "epost") == nil || testdb.Field(v, "epost").Examined != v.Rows {
		t.Errorf("the view cut off: %s, %+v", testdb.Sampling(v), v)
	}
	if m := msgs[s+"locked"]; !strings.Contains(m, "lock") && !strings.Contains(m, "timeout") {
		t.Errorf("locked table: %q", m)
	}
	if c := testdb.Category(inv, s+"big_json", "doc → $.customer.phone", "phone"); c == nil {
		t.Errorf("huge JSONB: phone not found; errors %v", msgs)
	}
	if testdb.Category(inv, s+"kunder", "epost", "email") == nil {
		t.Error("the healthy table was not scanned")
	}
	lockTx.Rollback()

	// A rerun, nothing hostile left but the slow view (excluded), finds the
	// same in the tables that were readable.
	again := testdb.Scan(t, open(t, schema, sqldb.Options{Full: true, Exclude: []string{s + "slow_rows"}}))
	for _, loc := range []struct{ container, field, cat string }{{s + "kunder", "epost", "email"}, {s + "big_json", "doc → $.customer.phone", "phone"}} {
		a, b := testdb.Category(inv, loc.container, loc.field, loc.cat), testdb.Category(again, loc.container, loc.field, loc.cat)
		if a == nil || b == nil || a.Matches != b.Matches || a.Distinct != b.Distinct || a.Confidence != b.Confidence {
			t.Errorf("%s → %s differs between runs: %+v vs %+v", loc.container, loc.field, a, b)
		}
	}
}

// TestInvalidBytesInText: a SQL_ASCII database stores whatever bytes a
// client sends in a text column (a UTF8 one refuses invalid UTF-8), so a
// legacy database can hand the connector text that is not UTF-8: 0xff 0xfe,
// lone continuation bytes, a truncated sequence, an encoded surrogate. The
// personal data around and beside such bytes must still be found, the scan
// must finish, and no error may quote a value.
func TestInvalidBytesInText(t *testing.T) {
	db, url := testdb.PostgresDatabase(t, "ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
	testdb.Exec(t, db,
		"CREATE TABLE kunder (id serial PRIMARY KEY, epost text, fnr text, notat text, vedlegg bytea)",
		`INSERT INTO kunder (epost, fnr, notat, vedlegg) VALUES
			(E'\xff\xfe kari.nordmann@online.no', E'10048744732\x80', E'Kunden \xc3\x28 kari.nordmann@online.no, fnr 10048744732', '\xfffe206b6172692e6e6f72646d616e6e406f6e6c696e652e6e6f'),
			('kari.nordmann@online.no', '10048744732', E'\xff\xfe\xfd', NULL),
			(E'\x80\xbf\xc0\xaf', E'\xed\xa0\x80', E'{"epost": "kari.nordmann@online.no", "x": "\xff"}', NULL),
			(E'ola.nordmann@online.no \xf8\x88\x80\x80\x80', E'\xe2\x82 10048744732', E'fnr 10048744732 \xbf\xbf\xbf', NULL)`,
		"ANALYZE kunder",
	)
	// The server kept the bytes: rows 1, 3 and 4 of epost are not UTF-8.
	// (Read as bytea: the server will not send them to a UTF8 client as
	// text.)
	invalid := testdb.InvalidUTF8(t, db, "SELECT convert_to(epost, 'SQL_ASCII') FROM kunder")
	if invalid != 3 {
		t.Fatalf("%d epost values are invalid UTF-8 in the database, want 3: the fixture did not store raw bytes", invalid)
	}

	for _, opt := range []sqldb.Options{{}, {Full: true}} {
		inv := testdb.Scan(t, openDatabase(t, url, opt))
		// A value found is counted once per row: 0x80 glued to the digits of
		// row 1's fnr reads as a letter (as latin1's "ø" would), so that
		// row does not count; everywhere else the data stands apart.
		label := fmt.Sprintf("full %v, beside the invalid bytes", opt.Full)
		testdb.WantMatches(t, inv, "public.kunder", label, "epost", "email", 3)           // rows 1, 2 and 4
		testdb.WantMatches(t, inv, "public.kunder", label, "fnr", "no_fnr", 2)            // rows 2 and 4
		testdb.WantMatches(t, inv, "public.kunder", label, "notat", "email", 1)           // row 1
		testdb.WantMatches(t, inv, "public.kunder", label, "notat", "no_fnr", 2)          // rows 1 and 4
		testdb.WantMatches(t, inv, "public.kunder", label, "notat → $.epost", "email", 1) // row 3, JSON with a 0xff in another string
		testdb.WantMatches(t, inv, "public.kunder", label, "vedlegg", "email", 1)         // bytea: text with two invalid bytes
		if len(inv.Errors) != 0 {
			t.Errorf("full %v: errors %+v", opt.Full, inv.Errors)
		}
		testdb.NoValueInErrors(t, inv, "kari.nordmann", "10048744732", "\xff")
	}
}

// TestHostileNames: schema, table and column names are data too. Quotes,
// a semicolon and a comment, spaces, a percent sign, a reserved word, upper
// case and non-ASCII must each be quoted wherever datakart builds SQL: the
// scan reads every table by its name, finds what is in it, and runs no
// part of a name as SQL.
func TestHostileNames(t *testing.T) {
	db, url := testdb.PostgresDatabase(t, "")
	const table = `"Sk jema""x"."we""ird; DROP TABLE keep; --"`
	testdb.Exec(t, db,
		`CREATE SCHEMA "Sk jema""x"`,
		"CREATE TABLE "+table+` ("col; drop" text, "Ærlig E-post" text, "fødsels nr" text, "select" text, "%s%d" text)`,
		"INSERT INTO "+table+` SELECT 'a', 'ola' || g || '@online.no', '10048744732', 'x', '%n%s' FROM generate_series(1, 50) g`,
		`CREATE TABLE keep (id int)`,
		`CREATE TABLE "UPPER" ("Mobil" text)`,
		`INSERT INTO "UPPER" SELECT '+4791234' || lpad(g::text, 3, '0') FROM generate_series(1, 30) g`,
		"ANALYZE",
	)
	for _, opt := range []sqldb.Options{{}, {Full: true}} {
		inv := testdb.Scan(t, openDatabase(t, url, opt))
		label := fmt.Sprintf("full %v", opt.Full)
		weird := `Sk jema"x.we"ird; DROP TABLE keep; --`
		testdb.WantMatches(t, inv, weird, label, "Ærlig E-post", "email", 50)
		testdb.WantMatches(t, inv, weird, label, "fødsels nr", "no_fnr", 50)
		testdb.WantMatches(t, inv, "public.UPPER", label, "Mobil", "phone", 30)
		if len(inv.Errors) != 0 {
			t.Errorf("%s: errors %+v", label, inv.Errors)
		}
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM keep").Scan(&n); err != nil {
		t.Errorf("the table a name tried to drop: %v", err)
	}
}

// TestLargeRowsKeepMemoryFlat: rows of documents, 4 MB each, are handed
// from the reading goroutine to the scanning one a few at a time. In
// batches of 256 rows, 300 rows of 4.6 MB peaked at 3.5 GB.
func TestLargeRowsKeepMemoryFlat(t *testing.T) {
	db, schema := testdb.Postgres(t)
	s := schema + "."
	testdb.Exec(t, db,
		"CREATE TABLE "+s+"dok (id serial PRIMARY KEY, tekst text)",
		"INSERT INTO "+s+"dok (tekst) SELECT repeat('Kunden ola@online.no ringte om faktura. ', 100000) FROM generate_series(1, 16)",
	)
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	// Collected often, the heap's peak is what is held, not garbage.
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	inv := testdb.Scan(t, open(t, schema, sqldb.Options{}))
	close(done)
	if c := testdb.Category(inv, s+"dok", "tekst", "email"); c == nil || c.MatchedValues != 16 {
		t.Fatalf("documents: %+v", c)
	}
	// 16 rows of 4 MB are 64 MB; a few of them at a time is what a flat
	// memory holds (about 33 MB; in batches of rows, 146 MB).
	if grew := int64(peak.Load()) - int64(before.HeapAlloc); grew > 48<<20 {
		t.Errorf("the heap grew by %d MB reading 16 rows of 4 MB", grew>>20)
	}
}
