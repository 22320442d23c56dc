package postgres

import (
	"strings"
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
