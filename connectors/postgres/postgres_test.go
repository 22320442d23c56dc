package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"datakart/connectors"
	"datakart/connectors/files"
	"datakart/connectors/sqldb"
	"datakart/detectors"
	"datakart/internal/dsn"
	"datakart/internal/pdftest"
	"datakart/internal/testdb"
	"datakart/inventory"
)

const target = "postgres://postgres@127.0.0.1:5432/test"

// fixture creates realistic tables: Norwegian and English column names, a
// JSONB column, a numeric column of identity numbers that lost their
// leading zero, arrays, bytea, types that are never read, a table whose
// name misleads, and a 200,000-row table with a fødselsnummer in one row of
// five hundred.
func fixture(t *testing.T) string {
	db, schema := testdb.Postgres(t)
	s := schema + "."
	testdb.Exec(t, db,
		"CREATE TABLE "+s+`kunder (id serial PRIMARY KEY, navn text, epost text, fodselsnummer text, telefon varchar(20),
			aktiv boolean, fodselsdato date, meta jsonb, tags text[], notat bytea, bilde bytea, kunde_id uuid)`,
		"INSERT INTO "+s+`kunder (navn, epost, fodselsnummer, telefon, aktiv, fodselsdato, meta, tags, notat, bilde) VALUES
			('Ola Nordmann', 'ola.nordmann@online.no', '10048744732', '912 34 567', true, '1987-04-10',
			 '{"customer": {"phone": "+4791234567", "email": "ola.nordmann@online.no"}, "source": "web"}',
			 '{vip,ola.nordmann@online.no}', convert_to('Fødselsnummer 100487 44732', 'UTF8'), '\x89504e470d0a1a0a00'),
			('Kari Nordmann', 'kari@gmail.com', '23114048690', '+47 923 45 678', false, '1940-11-23',
			 '{"customer": {"phone": "+4792345678"}}', '{}', NULL, NULL)`,
		"CREATE TABLE "+s+"ansatte (ansattnr integer PRIMARY KEY, ident bigint, ssn text, lonn numeric(12,2))",
		"INSERT INTO "+s+"ansatte VALUES (1, 1010101006, NULL, 550000), (2, 10048745364, NULL, 610000)",
		"CREATE TABLE "+s+"fnr_import_log (id serial PRIMARY KEY, fnr text, status text)",
		"INSERT INTO "+s+"fnr_import_log (fnr, status) SELECT (10000000000 + g * 7919)::text, 'ok' FROM generate_series(1, 50) g",
		"CREATE TABLE "+s+"notes (id bigserial PRIMARY KEY, body text)",
		"INSERT INTO "+s+`notes (body) SELECT CASE WHEN g % 500 = 0 THEN 'Kunden oppga fødselsnummer 10048744732 på telefon'
			ELSE 'Ordre ' || g || ' levert til lager ' || (g % 17) END FROM generate_series(1, 200000) g`,
		"ANALYZE "+s+"notes",
		"CREATE VIEW "+s+"slow AS SELECT pg_sleep(3)::text AS x, 'ola@online.no'::text AS epost",
	)
	return schema
}

func open(t *testing.T, schema string, opt sqldb.Options) *sqldb.Source {
	opt.Include = append(opt.Include, schema+".*")
	src, err := Open(context.Background(), target, "", opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.DB().Close() })
	return src
}

// openDatabase opens a whole database of its own (testdb.PostgresDatabase).
func openDatabase(t *testing.T, url string, opt sqldb.Options) *sqldb.Source {
	src, err := Open(context.Background(), url, "", opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.DB().Close() })
	return src
}

func TestScanPostgres(t *testing.T) {
	schema := fixture(t)
	inv := testdb.Scan(t, open(t, schema, sqldb.Options{}))
	k := schema + ".kunder"
	for _, tt := range []struct {
		container, field, cat string
		conf                  detectors.Confidence
	}{
		{k, "fodselsnummer", "no_fnr", detectors.High},
		{k, "epost", "email", detectors.High},
		{k, "telefon", "phone", detectors.High},
		{k, "navn", "person_name", detectors.Medium},
		{k, "fodselsdato", "date_of_birth", detectors.Medium}, // a date column: judged by name, never read
		{k, "meta → $.customer.phone", "phone", detectors.High},
		{k, "meta → $.customer.email", "email", detectors.High},
		{k, "tags", "email", detectors.High},
		{k, "notat", "no_fnr", detectors.High}, // bytea holding UTF-8 text
		{schema + ".ansatte", "ident", "no_fnr", detectors.Medium},
		{schema + ".ansatte", "ssn", "no_fnr", detectors.Medium}, // only NULLs: a name hint with 0 validated values
		{schema + ".notes", "body", "no_fnr", detectors.High},
	} {
		c := testdb.Category(inv, tt.container, tt.field, tt.cat)
		if c == nil || c.Confidence != tt.conf {
			t.Errorf("%s → %s: %s = %+v, want %s", tt.container, tt.field, tt.cat, c, tt.conf)
		}
	}
	if c := testdb.Category(inv, schema+".ansatte", "ident", "no_fnr"); c == nil || c.Matches != 2 {
		t.Errorf("numeric identity numbers that lost their leading zero: %+v", c)
	}
	if c := testdb.Category(inv, schema+".ansatte", "ssn", "no_fnr"); c == nil || c.Matches != 0 || !strings.Contains(c.Explanation, "0 validated") {
		t.Errorf("ssn of NULLs: %+v", c)
	}
	if c := testdb.Category(inv, schema+".fnr_import_log", "fnr", "no_fnr"); c == nil || c.Confidence != detectors.Low || c.Matches != 0 {
		t.Errorf("a column named fnr whose values are not fødselsnumre: %+v", c)
	}
	if c := testdb.Category(inv, k, "bilde", "no_fnr"); c != nil {
		t.Errorf("binary bytea scanned: %+v", c)
	}
	for _, f := range testdb.Container(inv, k).Fields {
		if f.Name == "aktiv" || f.Name == "kunde_id" {
			t.Errorf("a %s column was reported: %+v", f.Name, f)
		}
	}
	// Small tables are read whole, analysed or not, and the inventory says
	// so rather than "first 10000 rows".
	for _, small := range []string{k, schema + ".ansatte"} {
		if c := testdb.Container(inv, small); c == nil || c.Sampling != "every row (fewer than --sample 10000)" {
			t.Errorf("%s: sampling %s, want all its rows", small, testdb.Sampling(c))
		}
	}
	notes := testdb.Container(inv, schema+".notes")
	if notes == nil || notes.Rows < 5000 || notes.Rows > 10000 || !strings.Contains(notes.Sampling, "tablesample") {
		t.Fatalf("notes: %d rows by %q, want a tablesample of up to 10000", notes.Rows, notes.Sampling)
	}
	c := testdb.Category(inv, schema+".notes", "body", "no_fnr")
	if c.Share > 0.01 || !strings.Contains(c.Explanation, "of") {
		t.Errorf("rare fnr in free text: share %.4f, %q", c.Share, c.Explanation)
	}
	testdb.WantPace(t, inv)
	if len(inv.Errors) != 0 {
		t.Errorf("errors: %+v", inv.Errors)
	}
}

func TestFullReadsEveryRow(t *testing.T) {
	schema := fixture(t)
	src := open(t, schema, sqldb.Options{Full: true, Include: []string{schema + ".notes"}})
	inv := testdb.Scan(t, src)
	notes := testdb.Container(inv, schema+".notes")
	if notes == nil || notes.Rows != 200000 || notes.Sampling != "full (every row)" {
		t.Fatalf("full read: %+v", notes)
	}
	if c := testdb.Category(inv, schema+".notes", "body", "no_fnr"); c == nil || c.Matches != 400 {
		t.Errorf("full read found %+v, want 400 matches", c)
	}
	testdb.WantPace(t, inv)
}

// A partitioned table is read through its parent, which autovacuum never
// analyses: sampled from the estimate of its partitions, in proportion
// to each, though the identity numbers are only in the newest, last
// partition. A table others inherit from is read without their rows,
// which are read as theirs. Fully read, each row counts once.
func TestPartitionsAndInheritance(t *testing.T) {
	db, schema := testdb.Postgres(t)
	s := schema + "."
	testdb.Exec(t, db,
		// Pages a tenth full: a sample of 3000 rows is some 200 pages, and
		// the share of each partition in it varies by a few percent only.
		"CREATE TABLE "+s+"lonn (aar int, fnr text) PARTITION BY RANGE (aar)",
		"CREATE TABLE "+s+"lonn_2022 PARTITION OF "+s+"lonn FOR VALUES FROM (2022) TO (2023) WITH (fillfactor = 10)",
		"CREATE TABLE "+s+"lonn_2023 PARTITION OF "+s+"lonn FOR VALUES FROM (2023) TO (2024) WITH (fillfactor = 10)",
		"CREATE TABLE "+s+"lonn_2024 PARTITION OF "+s+"lonn FOR VALUES FROM (2024) TO (2025) WITH (fillfactor = 10)",
		"INSERT INTO "+s+"lonn SELECT 2022 + g % 3, CASE WHEN g % 3 = 2 THEN '10048744732' ELSE 'anonymisert' END FROM generate_series(1, 90000) g",
		// As autovacuum leaves them: the partitions analysed, the parent not.
		"ANALYZE "+s+"lonn_2022", "ANALYZE "+s+"lonn_2023", "ANALYZE "+s+"lonn_2024",
		"CREATE TABLE "+s+"logg (id serial, tekst text)",
		"CREATE TABLE "+s+"logg_arkiv () INHERITS ("+s+"logg)",
		"INSERT INTO "+s+"logg (tekst) SELECT 'ok' FROM generate_series(1, 100)",
		"INSERT INTO "+s+"logg_arkiv (tekst) SELECT 'kunden ola@online.no ringte' FROM generate_series(1, 100)",
	)
	inv := testdb.Scan(t, open(t, schema, sqldb.Options{Sample: 3000}))
	lonn := testdb.Container(inv, s+"lonn")
	// Pages are sampled, so the rows they hold vary around 3000.
	if lonn == nil || lonn.Rows < 2000 || lonn.Rows > 3000 || !strings.Contains(lonn.Sampling, "of about 90000 rows") {
		t.Fatalf("partitioned table: %+v, want about 3000 rows sampled from the partitions' 90000", lonn)
	}
	// A third of the rows, from all over: LIMIT alone took the pages in
	// partition order and gave the last partition a few percent of them.
	if c := testdb.Category(inv, s+"lonn", "fnr", "no_fnr"); c == nil || c.Share < 0.2 || c.Share > 0.47 {
		t.Errorf("partitioned table: fnr %+v, want about a third of the rows", c)
	}
	for _, name := range []string{"lonn_2022", "lonn_2023", "lonn_2024"} {
		if testdb.Container(inv, s+name) != nil {
			t.Errorf("partition %s is listed apart from its table", name)
		}
	}
	for _, full := range []bool{false, true} {
		inv := testdb.Scan(t, open(t, schema, sqldb.Options{Full: full, Include: []string{s + "logg*"}}))
		if c := testdb.Container(inv, s+"logg"); c == nil || c.Rows != 100 || testdb.Category(inv, s+"logg", "tekst", "email") != nil {
			t.Errorf("full %v: the parent table %+v, want its own 100 rows and no e-mail", full, c)
		}
		if c := testdb.Category(inv, s+"logg_arkiv", "tekst", "email"); c == nil || c.Matches != 100 {
			t.Errorf("full %v: the inheriting table's e-mails %+v, want 100", full, c)
		}
	}
}

func TestSessionsAreReadOnly(t *testing.T) {
	schema := fixture(t)
	src := open(t, schema, sqldb.Options{})
	ctx := context.Background()
	conn, err := src.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tx, err := Dialect{}.Begin(ctx, conn, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, "INSERT INTO "+schema+".ansatte VALUES (99, 1, 'x', 1)")
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("a write in the connector's session: %v, want a read-only error", err)
	}
}

func TestFailuresAreRecordedPerTable(t *testing.T) {
	schema := fixture(t)
	src := open(t, schema, sqldb.Options{Views: true, StatementTimeout: 300 * time.Millisecond})
	var units []connectors.Unit
	if err := src.Units(context.Background(), func(u connectors.Unit) error { units = append(units, u); return nil }); err != nil {
		t.Fatal(err)
	}
	db, _ := testdb.Postgres(t)
	testdb.Exec(t, db, "DROP TABLE "+schema+".fnr_import_log")
	inv := testdb.Scan(t, &fixedUnits{src, units})
	msgs := map[string]string{}
	for _, e := range inv.Errors {
		msgs[e.Container] = e.Message
	}
	if m := msgs[schema+".slow"]; !strings.Contains(m, "timeout") && !strings.Contains(m, "canceling statement") {
		t.Errorf("slow view: %q, want a statement timeout", m)
	}
	if m := msgs[schema+".fnr_import_log"]; !strings.Contains(m, "does not exist") {
		t.Errorf("table dropped after listing: %q", m)
	}
	if testdb.Category(inv, schema+".kunder", "epost", "email") == nil {
		t.Error("the other tables were not scanned")
	}
}

// fixedUnits replays units listed earlier, as if the catalog were read
// before a table was dropped.
type fixedUnits struct {
	connectors.Source
	units []connectors.Unit
}

func (f *fixedUnits) Units(ctx context.Context, visit func(connectors.Unit) error) error {
	for _, u := range f.units {
		if err := visit(u); err != nil {
			return err
		}
	}
	return nil
}

func TestPasswordsNeverShow(t *testing.T) {
	_, err := Open(context.Background(), "postgres://postgres:Hemmelig-Passord-42@127.0.0.1:1/test", "", sqldb.Options{})
	if err == nil || strings.Contains(err.Error(), "Hemmelig-Passord-42") {
		t.Fatalf("error %v", err)
	}
	if got := dsn.Redact("postgres://scanner:Hemmelig-Passord-42@db:5432/erp"); strings.Contains(got, "Hemmelig") {
		t.Errorf("Redact = %q", got)
	}
}

// The documents an ERP keeps in a bytea column (a letter in Word, an
// e-invoice PDF with a CSV attached, a legacy .doc) are read as the files
// they are: each document's text is one value of its column, so the
// column is judged by how many documents hold a number. An image is read
// only with --ocr, but named in the column's type; a corrupt PDF is
// counted in an error of the table while the others count.
func TestDocumentsInBinaryColumns(t *testing.T) {
	db, schema := testdb.Postgres(t)
	s := schema + "."
	testdb.Exec(t, db, "CREATE TABLE "+s+"vedlegg (id serial PRIMARY KEY, filnavn text, innhold bytea)")
	for _, name := range []string{"innebygd.docx", "vedlagt.pdf", "innebygd.doc", "lonnsslipp.png"} {
		b, err := os.ReadFile(filepath.Join("..", "files", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("INSERT INTO "+s+"vedlegg (filnavn, innhold) VALUES ($1, $2)", name, b); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec("INSERT INTO "+s+"vedlegg (filnavn, innhold) VALUES ('ødelagt.pdf', $1)", []byte("%PDF-1.7\n\x00\x01 not a PDF")); err != nil {
		t.Fatal(err)
	}
	// Documents whose bytes pass for text, read as text, showed nothing:
	// a PDF with its text hex-coded (all of it ASCII), RTF with its
	// letters escaped.
	rtf, err := os.ReadFile(filepath.Join("..", "files", "testdata", "brev.rtf"))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"ascii.pdf": pdftest.Of(t, "", "", []string{fmt.Sprintf("RAW <%x> Tj", "fodselsnummer 23114048690")}), "brev.rtf": rtf} {
		if _, err := db.Exec("INSERT INTO "+s+"vedlegg (filnavn, innhold) VALUES ($1, $2)", name, b); err != nil {
			t.Fatal(err)
		}
	}
	documents, err := files.DocumentReader(files.Options{})
	if err != nil {
		t.Fatal(err)
	}
	inv := testdb.Scan(t, open(t, schema, sqldb.Options{Documents: documents}))
	c := testdb.Category(inv, s+"vedlegg", "innhold", "no_fnr")
	if c == nil || c.MatchedValues != 5 || c.Confidence != detectors.High {
		t.Errorf("identity numbers in the documents: %+v, want 5 documents at high", c)
	}
	v := testdb.Container(inv, s+"vedlegg")
	var typ string
	for _, f := range v.Fields {
		if f.Name == "innhold" {
			typ = f.Type
		}
	}
	if typ != "bytea, documents: docx 1, image (--ocr reads it) 1, office 97-2003 1, pdf 3, rtf 1" {
		t.Errorf("the column's type: %q, want the documents it held", typ)
	}
	if !strings.Contains(v.Error, "column innhold: 1 of 6 documents could not be read whole (first: row ") || !strings.Contains(v.Error, ", pdf:") { // (read in a random order: the table is not analysed)
		t.Errorf("the corrupt PDF: %q", v.Error)
	}
	testdb.NoValueInErrors(t, inv, "10048744732")
}

// A statement's timeout counts the time the server waits for the client
// to take its rows: a sample of 5,200 PDFs that took longer to read than
// the timeout was cut off at 1,710 with "statement timeout". The rows now
// come in FETCHes read whole before the detectors run on them, and the
// timeout bounds the database alone. Here the documents take 5 ms each,
// 2 s in all, under a timeout of a second: twice what one FETCH of 8 MiB
// took on a machine busy with other tests and a fuzzer, where half a
// second cut one off.
func TestSlowDetectorsAreNoStatementTimeout(t *testing.T) {
	db, schema := testdb.Postgres(t)
	s := schema + "."
	testdb.Exec(t, db,
		"CREATE TABLE "+s+"vedlegg (id serial PRIMARY KEY, innhold bytea)",
		// 64 KB that is no text each, 25 MB in all: more than the socket
		// and the reader's batches hold.
		"INSERT INTO "+s+"vedlegg (innhold) SELECT decode(repeat('00ff', 32768), 'hex') FROM generate_series(1, 400)",
		"ANALYZE "+s+"vedlegg",
	)
	slow := func(ctx context.Context, data, text []byte) (sqldb.Document, error) {
		time.Sleep(5 * time.Millisecond)
		return sqldb.Document{Text: text, Kind: "slow"}, nil
	}
	for _, full := range []bool{false, true} {
		inv := testdb.Scan(t, open(t, schema, sqldb.Options{Full: full, StatementTimeout: time.Second, Documents: slow}))
		if c := testdb.Container(inv, s+"vedlegg"); c == nil || c.Rows != 400 || c.Error != "" {
			t.Errorf("full %v: %+v, want 400 rows and no error", full, c)
		}
	}
}

// A JDBC or Hibernate application keeps a @Lob byte[] as a large object:
// the column holds its oid. The object behind it is read as a bytea
// cell's value is, a document or text. A role granted SELECT on the
// table is not granted its large objects, and reading one it may not
// read would fail the whole statement: those are counted in the table's
// error instead, as is an object larger than --max-member-bytes, and a
// dangling oid is no value.
func TestLargeObjects(t *testing.T) {
	db, schema := testdb.Postgres(t)
	s := schema + "."
	docx, err := os.ReadFile(filepath.Join("..", "files", "testdata", "innebygd.docx"))
	if err != nil {
		t.Fatal(err)
	}
	role := testdb.Name("dk_lo")
	testdb.Exec(t, db,
		"CREATE TABLE "+s+"vedlegg (id int PRIMARY KEY, fil oid)",
		"INSERT INTO "+s+"vedlegg VALUES (1, lo_from_bytea(0, convert_to('fnr 10048744732', 'UTF8'))), (2, NULL), (3, 4000000000), "+
			"(4, lo_from_bytea(0, convert_to(repeat('x', 70000), 'UTF8')))",
		"CREATE ROLE "+role+" LOGIN",
		"GRANT USAGE ON SCHEMA "+schema+" TO "+role,
		"GRANT SELECT ON "+s+"vedlegg TO "+role,
	)
	t.Cleanup(func() {
		db.Exec("DROP OWNED BY " + role)
		db.Exec("DROP ROLE " + role)
	})
	if _, err := db.Exec("INSERT INTO "+s+"vedlegg VALUES (5, lo_from_bytea(0, $1))", docx); err != nil {
		t.Fatal(err)
	}
	documents, err := files.DocumentReader(files.Options{})
	if err != nil {
		t.Fatal(err)
	}
	opt := sqldb.Options{Documents: documents, MaxDocumentBytes: 64 << 10, Include: []string{s + "*"}}

	inv := testdb.Scan(t, open(t, schema, opt))
	v := testdb.Container(inv, s+"vedlegg")
	if c := testdb.Category(inv, s+"vedlegg", "fil", "no_fnr"); c == nil || c.MatchedValues != 2 {
		t.Errorf("the objects' identity numbers, in text and in a docx: %+v", c)
	}
	// (The row is the fourth or another: a table never analysed is read
	// in a random order.)
	if v == nil || !strings.HasPrefix(v.Error, "column fil: 1 large objects not read: larger than 65536 bytes (--max-member-bytes; first: row ") {
		t.Errorf("the object over the limit: %+v", v)
	}
	if f := testdb.Field(v, "fil"); f == nil || f.Type != "oid, documents: docx 1" {
		t.Errorf("the column's type: %+v", f)
	}

	// As a role that may read the table and one of its objects.
	testdb.Exec(t, db, "GRANT SELECT ON LARGE OBJECT "+loOf(t, db, s, 5)+" TO "+role)
	src, err := Open(context.Background(), strings.Replace(target, "postgres@", role+"@", 1), "", opt)
	if err != nil {
		t.Fatal(err)
	}
	defer src.DB().Close()
	inv = testdb.Scan(t, src)
	v = testdb.Container(inv, s+"vedlegg")
	if v == nil || v.Rows != 5 || !strings.Contains(v.Error, "column fil: 2 large objects not read: no SELECT privilege on them") {
		t.Errorf("objects the role may not read: %+v", v)
	}
	if c := testdb.Category(inv, s+"vedlegg", "fil", "no_fnr"); c == nil || c.MatchedValues != 1 {
		t.Errorf("the object granted to the role: %+v", c)
	}
	testdb.NoValueInErrors(t, inv, "10048744732")

	// From PostgreSQL 19 on, pg_read_all_data reads every large object
	// too. This server is older: the expression for a newer one must at
	// least be one the server takes.
	table := sqldb.Table{Schema: schema, Name: "vedlegg"}
	expr := Dialect{version: 190000}.LargeObject(table, "fil", 1<<20)
	if !strings.Contains(expr, "pg_read_all_data") {
		t.Errorf("no pg_read_all_data for PostgreSQL 19: %s", expr)
	}
	if _, err := db.Exec("EXPLAIN SELECT " + expr + " FROM " + s + "vedlegg"); err != nil {
		t.Errorf("the expression for PostgreSQL 19: %v", err)
	}
}

// An object's bytes are its own: text that reads like bytea's hex
// ("\x3130…", which PostgreSQL sends a bytea as) is not decoded again.
func TestLargeObjectBytesAreTheirOwn(t *testing.T) {
	db, schema := testdb.Postgres(t)
	s := schema + "."
	testdb.Exec(t, db,
		"CREATE TABLE "+s+"notat (id int PRIMARY KEY, fil oid)",
		"INSERT INTO "+s+"notat VALUES (1, lo_from_bytea(0, convert_to('\\x3130303438373434373332', 'UTF8')))",
	)
	inv := testdb.Scan(t, open(t, schema, sqldb.Options{}))
	if n := testdb.Container(inv, s+"notat"); n == nil || n.Rows != 1 || n.Error != "" {
		t.Fatalf("notat: %+v", n)
	}
	if c := testdb.Category(inv, s+"notat", "fil", "no_fnr"); c != nil {
		t.Errorf("the text was decoded as hex into an identity number: %+v", c)
	}
}

// loOf returns the oid row id of vedlegg refers to.
func loOf(t *testing.T, db *sql.DB, s string, id int) string {
	var oid string
	if err := db.QueryRow("SELECT fil::text FROM "+s+"vedlegg WHERE id = $1", id).Scan(&oid); err != nil {
		t.Fatal(err)
	}
	return oid
}

// A sample is drawn from the table's seed, not at random: a rerun over the
// same rows reads the same rows, so that the next scan, diffed with this
// one, shows what changed in the data and not in the draw.
func TestSampleIsRepeatable(t *testing.T) {
	db, schema := testdb.Postgres(t)
	s := schema + "."
	testdb.Exec(t, db,
		"CREATE TABLE "+s+"kunder (id int PRIMARY KEY, epost text)",
		"INSERT INTO "+s+"kunder SELECT g, CASE WHEN g % 3 = 0 THEN 'kunde' || g || '@online.no' ELSE 'ingen' END FROM generate_series(1, 60000) g",
		"ANALYZE "+s+"kunder",
	)
	var runs []*inventory.Category
	for range 2 {
		inv := testdb.Scan(t, open(t, schema, sqldb.Options{Sample: 1000}))
		if c := testdb.Container(inv, s+"kunder"); c == nil || !strings.HasPrefix(c.Sampling, "random pages") {
			t.Fatalf("kunder: %+v", c)
		}
		runs = append(runs, testdb.Category(inv, s+"kunder", "epost", "email"))
	}
	a, b := runs[0], runs[1]
	testdb.WantSameSample(t, a, b)
}

// A small sample draws enough pages to hold it: --sample 5 of a table of
// 150 rows on 3 pages read none, of a table of 60,000 rows most often
// none as well.
func TestSmallSampleReadsItsRows(t *testing.T) {
	db, schema := testdb.Postgres(t)
	s := schema + "."
	testdb.Exec(t, db,
		"CREATE TABLE "+s+"liten (id int PRIMARY KEY, epost text)",
		"INSERT INTO "+s+"liten SELECT g, 'kunde' || g || '@online.no' FROM generate_series(1, 150) g",
		"CREATE TABLE "+s+"stor (id int PRIMARY KEY, epost text)",
		"INSERT INTO "+s+"stor SELECT g, 'kunde' || g || '@online.no' FROM generate_series(1, 60000) g",
		"ANALYZE "+s+"liten", "ANALYZE "+s+"stor",
	)
	for _, n := range []int{1, 5, 20} {
		inv := testdb.Scan(t, open(t, schema, sqldb.Options{Sample: n}))
		for _, table := range []string{"liten", "stor"} {
			c := testdb.Container(inv, s+table)
			if c == nil || c.Rows != int64(n) {
				t.Fatalf("--sample %d of %s: %+v", n, table, c)
			}
			if e := testdb.Category(inv, s+table, "epost", "email"); e == nil || e.MatchedValues != int64(n) {
				t.Errorf("--sample %d of %s: e-mails %+v", n, table, e)
			}
		}
		if c := testdb.Container(inv, s+"liten"); !strings.HasPrefix(c.Sampling, "random rows") {
			t.Errorf("--sample %d of liten: sampling %q, want random rows of the whole table", n, c.Sampling)
		}
	}
}

// The catalog's estimate is of the table when it was last analysed: a
// table analysed at 50 rows and loaded with 20,000 since was read with
// LIMIT from its first rows as "all rows (about 50)", and the e-mails
// in its later rows were never seen. Its estimate is now scaled by the
// pages it has, as the planner scales it.
func TestStaleStatistics(t *testing.T) {
	db, schema := testdb.Postgres(t)
	s := schema + "."
	testdb.Exec(t, db,
		"CREATE TABLE "+s+"stale (id bigint PRIMARY KEY, notat text) WITH (autovacuum_enabled = false)",
		"INSERT INTO "+s+"stale SELECT g, 'ingen kontakt' FROM generate_series(1, 50) g",
		"ANALYZE "+s+"stale",
		"INSERT INTO "+s+"stale SELECT g, 'kunde'||g||'@online.no' FROM generate_series(51, 20000) g",
		"CREATE TABLE "+s+"empty_then_not (id bigint PRIMARY KEY, notat text) WITH (autovacuum_enabled = false)",
		"ANALYZE "+s+"empty_then_not",
		"INSERT INTO "+s+"empty_then_not SELECT g, 'kunde'||g||'@online.no' FROM generate_series(1, 20000) g",
	)
	inv := testdb.Scan(t, open(t, schema, sqldb.Options{Sample: 100}))
	for _, name := range []string{"stale", "empty_then_not"} {
		v := testdb.Container(inv, s+name)
		if v == nil || !strings.HasPrefix(v.Sampling, "random") || v.Rows != 100 {
			t.Errorf("%s: %s, %d rows; want 100 random rows", name, testdb.Sampling(v), v.Rows)
		}
		if c := testdb.Category(inv, s+name, "notat", "email"); c == nil || c.MatchedValues < 90 {
			t.Errorf("%s: the e-mails of the rows loaded since: %+v", name, c)
		}
	}
}

// A text column of JSON that breaks off is walked as far as it goes, and only
// the rest is read as text: the values before the break were counted
// twice, under their path and in the column's text.
func TestJSONCutShort(t *testing.T) {
	db, schema := testdb.Postgres(t)
	s := schema + "."
	testdb.Exec(t, db,
		"CREATE TABLE "+s+"logg (id int PRIMARY KEY, data text)",
		`INSERT INTO `+s+`logg VALUES (1, '{"fnr": "10048744732", "merknad": "ok", brutt her: tlf 91234567}')`,
	)
	inv := testdb.Scan(t, open(t, schema, sqldb.Options{}))
	if c := testdb.Category(inv, s+"logg", "data → $.fnr", "no_fnr"); c == nil || c.Matches != 1 {
		t.Errorf("the fødselsnummer under its path: %+v", c)
	}
	if c := testdb.Category(inv, s+"logg", "data", "no_fnr"); c != nil {
		t.Errorf("the fødselsnummer counted again in the text: %+v", c)
	}
	if c := testdb.Category(inv, s+"logg", "data", "phone"); c == nil || c.Matches != 1 {
		t.Errorf("the phone number after the break: %+v", c)
	}
}
