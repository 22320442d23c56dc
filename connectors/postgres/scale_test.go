package postgres

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"datakart/connectors"
	"datakart/connectors/sqldb"
	"datakart/internal/testdb"
)

// TestThousandSmallTables scans a schema of 1,000 small tables with
// sampling, within the minute the issue allows (with the default two
// connections).
func TestThousandSmallTables(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	db, schema := testdb.Postgres(t)
	testdb.Exec(t, db, fmt.Sprintf(`DO $$ BEGIN
		FOR i IN 1..1000 LOOP
			EXECUTE format('CREATE TABLE %s.t%%s (id serial PRIMARY KEY, navn text, epost text, notat text)', i);
			EXECUTE format('INSERT INTO %s.t%%s (navn, epost, notat) SELECT ''Ola'', ''ola'' || g || ''@online.no'', ''ordre '' || g FROM generate_series(1, 20) g', i);
		END LOOP; END $$`, schema, schema))
	start := time.Now()
	inv := testdb.Scan(t, open(t, schema, sqldb.Options{}))
	took := time.Since(start)
	t.Logf("1,000 tables scanned in %v (%d containers, %d errors)", took.Round(time.Millisecond), inv.Totals.Containers, len(inv.Errors))
	if inv.Totals.Containers != 1000 || len(inv.Errors) != 0 {
		t.Fatalf("%d containers, errors %v", inv.Totals.Containers, inv.Errors)
	}
	if took > time.Minute {
		t.Errorf("took %v, want under a minute", took)
	}
}

// BenchmarkPostgresFull streams a table of five text columns with --full
// (DATAKART_BENCH_ROWS rows, default 1,000,000): "read" only counts the
// bytes, "scan" runs the whole scanner with every detector, so the two
// rows/s say how much of the time detection takes.
func BenchmarkPostgresFull(b *testing.B) {
	rows := 1000000
	if v, err := strconv.Atoi(os.Getenv("DATAKART_BENCH_ROWS")); err == nil && v > 0 {
		rows = v
	}
	db, schema := testdb.Postgres(b)
	testdb.Exec(b, db,
		"CREATE TABLE "+schema+".big (id bigserial PRIMARY KEY, navn text, epost text, telefon text, kommentar text, referanse text)",
		fmt.Sprintf(`INSERT INTO %s.big (navn, epost, telefon, kommentar, referanse)
			SELECT 'Kunde ' || g, 'kunde' || g || '@online.no', '9' || lpad((g %% 10000000)::text, 7, '0'),
			       CASE WHEN g %% 100 = 0 THEN 'fnr 10048744732 oppgitt' ELSE 'levert ' || g || ' enheter til lager ' || (g %% 40) END,
			       'REF-' || g FROM generate_series(1, %d) g`, schema, rows),
		"ANALYZE "+schema+".big")
	var bytesPerRun int64
	db.QueryRow("SELECT sum(length(navn) + length(epost) + length(telefon) + length(kommentar) + length(referanse)) FROM " + schema + ".big").Scan(&bytesPerRun)

	src, err := Open(context.Background(), target, "", sqldb.Options{Full: true, Include: []string{schema + ".big"}})
	if err != nil {
		b.Fatal(err)
	}
	defer src.DB().Close()
	b.Run("read", func(b *testing.B) {
		b.SetBytes(bytesPerRun)
		for b.Loop() {
			var units []connectors.Unit
			src.Units(context.Background(), func(u connectors.Unit) error { units = append(units, u); return nil })
			for _, u := range units {
				if err := u.Read(context.Background(), &counter{}); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("scan", func(b *testing.B) {
		b.SetBytes(bytesPerRun)
		busy := 0.0
		for b.Loop() {
			inv := testdb.Scan(b, src)
			c := testdb.Container(inv, schema+".big")
			if c == nil || c.Rows != int64(rows) || c.Pace == nil {
				b.Fatalf("read %+v", c)
			}
			busy += c.Pace.BusyShare()
		}
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		// The share of the reading time datakart's scanning was busy: the
		// figure the inventory's pace reports.
		b.ReportMetric(busy/float64(b.N)*100, "%busy")
	})
}

// counter is a sink that only counts.
type counter struct{ values, bytes int64 }

func (c *counter) Begin(connectors.Part) {}
func (c *counter) Fields(...string)      {}
func (c *counter) Value(v connectors.Value) error {
	c.values++
	c.bytes += int64(len(v.Data))
	return nil
}
func (c *counter) PartError(error)                    {}
func (c *counter) PartSkipped(string)                 {}
func (c *counter) Paced(time.Duration, time.Duration) {}
func (c *counter) Sampled(int64, string)              {}
func (c *counter) FieldInfo(string, string, int)      {}
