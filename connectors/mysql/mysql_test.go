package mysql

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"datakart/connectors/sqldb"
	"datakart/detectors"
	"datakart/internal/dsn"
	"datakart/internal/testdb"
	"datakart/inventory"
)

func fixture(t *testing.T) string {
	db, name := testdb.MariaDB(t)
	testdb.Exec(t, db,
		`CREATE TABLE kunder (id INT AUTO_INCREMENT PRIMARY KEY, fornavn VARCHAR(50), etternavn VARCHAR(50),
			email VARCHAR(100), mobil VARCHAR(20), aktiv TINYINT(1), opprettet DATETIME,
			meta JSON, kortnummer VARCHAR(25), kontonummer BIGINT)`,
		`INSERT INTO kunder (fornavn, etternavn, email, mobil, aktiv, opprettet, meta, kortnummer, kontonummer) VALUES
			('Ola', 'Nordmann', 'ola.nordmann@online.no', '91234567', 1, NOW(), '{"customer": {"phone": "+4791234567"}}', '4242 4242 4242 4242', 86011117947),
			('Kari', 'Nordmann', 'kari@gmail.com', '92345678', 0, NOW(), '{"customer": {"phone": "+4792345678"}}', '5555 5555 5555 4444', 15037577003)`,
		`CREATE TABLE support_logg (melding TEXT)`, // no primary key
		`INSERT INTO support_logg VALUES ('Kunden ringte fra 912 34 567 og ba om ny faktura'), ('ingen personopplysninger her')`,
		`CREATE TABLE hendelser (id BIGINT PRIMARY KEY, tekst TEXT)`,
		`INSERT INTO hendelser SELECT seq, IF(seq % 500 = 0, 'fødselsnummer 10048744732 oppgitt', CONCAT('ordre ', seq, ' levert')) FROM seq_1_to_200000`,
		`ANALYZE TABLE hendelser`,
	)
	return name
}

func open(t *testing.T, name string, opt sqldb.Options) *sqldb.Source {
	src, err := Open(context.Background(), "mysql://root@127.0.0.1:3306/"+name, "", opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.DB().Close() })
	return src
}

func TestScanMariaDB(t *testing.T) {
	name := fixture(t)
	inv := testdb.Scan(t, open(t, name, sqldb.Options{}))
	k := name + ".kunder"
	for _, tt := range []struct {
		container, field, cat string
		conf                  detectors.Confidence
	}{
		{k, "fornavn", "person_name", detectors.Medium},
		{k, "email", "email", detectors.High},
		{k, "mobil", "phone", detectors.High},
		{k, "meta → $.customer.phone", "phone", detectors.High},
		{k, "kortnummer", "payment_card", detectors.High},
		{k, "kontonummer", "no_bank_account", detectors.High},
		{name + ".support_logg", "melding", "phone", detectors.High}, // "ringte" starts with the context word "ring"
		{name + ".hendelser", "tekst", "no_fnr", detectors.High},
	} {
		c := testdb.Category(inv, tt.container, tt.field, tt.cat)
		if c == nil || c.Confidence != tt.conf {
			t.Errorf("%s → %s: %s = %+v, want %s", tt.container, tt.field, tt.cat, c, tt.conf)
		}
	}
	h := testdb.Container(inv, name+".hendelser")
	if h == nil || h.Rows < 9000 || h.Rows > 10000 || !strings.Contains(h.Sampling, "primary-key ranges") {
		t.Errorf("hendelser: %d rows by %q, want primary-key ranges", h.Rows, h.Sampling)
	}
	if s := testdb.Container(inv, name+".support_logg"); s == nil || s.Sampling != "every row (fewer than --sample 10000)" {
		t.Errorf("support_logg: sampling %s, want all its rows", testdb.Sampling(s))
	}
	testdb.WantPace(t, inv)
	if len(inv.Errors) != 0 {
		t.Errorf("errors: %+v", inv.Errors)
	}
}

func TestSessionsAreReadOnly(t *testing.T) {
	name := fixture(t)
	src := open(t, name, sqldb.Options{})
	ctx := context.Background()
	conn, err := src.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	d := &Dialect{}
	tx, err := d.Begin(ctx, conn, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, "INSERT INTO support_logg VALUES ('x')")
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "read only") {
		t.Fatalf("a write in the connector's session: %v, want a read-only error", err)
	}
}

func TestStatementTimeout(t *testing.T) {
	name := fixture(t)
	admin, _ := testdb.MariaDB(t)
	testdb.Exec(t, admin, "CREATE VIEW "+name+".slow AS SELECT SLEEP(3) AS x, 'ola@online.no' AS epost")
	src := open(t, name, sqldb.Options{Views: true, StatementTimeout: 300 * time.Millisecond})
	inv := testdb.Scan(t, src)
	found := false
	for _, e := range inv.Errors {
		if e.Container == name+".slow" {
			found = true
		}
	}
	if !found {
		t.Errorf("slow view did not time out: errors %+v", inv.Errors)
	}
}

func TestConfig(t *testing.T) {
	for _, target := range []string{"mysql://scanner:p%40ss@db.internal:3307/crm", "scanner:p@ss@tcp(db.internal:3307)/crm"} {
		cfg, err := config(target)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.User != "scanner" || cfg.Passwd != "p@ss" || cfg.Addr != "db.internal:3307" || cfg.DBName != "crm" {
			t.Errorf("%s: %+v", target, cfg)
		}
		if r := dsn.Redact(target); strings.Contains(r, "p@ss") || strings.Contains(r, "p%40ss") {
			t.Errorf("Redact(%s) = %s", target, r)
		}
	}
	// The URL's query is the DSN's parameters: ?tls=true was dropped, and
	// the connection went unencrypted. A password may be one of them, and
	// is not sent to the server as a session variable.
	cfg, err := config("mysql://scanner@db.internal/crm?tls=true&timeout=7s&password=p%40ss&charset=utf8mb4")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TLSConfig != "true" || cfg.Timeout != 7*time.Second || cfg.Passwd != "p@ss" || cfg.Addr != "db.internal:3306" || cfg.DBName != "crm" {
		t.Errorf("URL parameters: %+v", cfg)
	}
	if _, ok := cfg.Params["password"]; ok {
		t.Errorf("the password is sent as a session variable: %+v", cfg.Params)
	}
	if _, err := config("mysql://scanner@db.internal/crm?tls=maybe"); err == nil {
		t.Error("?tls=maybe is taken")
	}
}

// The catalog gives each table its columns and the integer column its
// primary key starts with, the key sampled by ranges. A database of a
// thousand tables lists in seconds: a subquery per column once made
// MariaDB take over two minutes for 2,000 tables, past the catalog's
// minute, and the scan found nothing.
func TestCatalog(t *testing.T) {
	db, name := testdb.MariaDB(t)
	testdb.Exec(t, db,
		`CREATE TABLE a_composite (x INT, y INT, note TEXT, PRIMARY KEY (x, y))`,
		`CREATE TABLE b_text_key (code VARCHAR(10) PRIMARY KEY, n INT)`,
		`CREATE TABLE c_key_last (note TEXT, id MEDIUMINT PRIMARY KEY)`,
		`CREATE TABLE d_no_key (note TEXT)`,
	)
	var many []string
	for i := range 1000 {
		many = append(many, fmt.Sprintf("CREATE TABLE m%04d (id INT PRIMARY KEY, navn TEXT, epost TEXT, note TEXT, opprettet DATETIME)", i))
	}
	testdb.Exec(t, db, many...)
	testdb.Exec(t, db, `CREATE TABLE z_last (id BIGINT PRIMARY KEY)`)
	src := open(t, name, sqldb.Options{})
	start := time.Now()
	tables, err := (&Dialect{}).Tables(context.Background(), src.DB(), false)
	if took := time.Since(start); err != nil || took > 15*time.Second {
		t.Fatalf("listing %d tables took %s: %v", len(tables), took, err)
	}
	// A composite key is sampled by its first column, when an integer; a
	// string key in ranges of it, where there is nothing else.
	want := map[string]string{"a_composite": "x, first of its key", "b_text_key": "code, first of its key, a string", "c_key_last": "id", "d_no_key": "", "m0999": "id", "z_last": "id"}
	got := map[string]string{}
	for _, tb := range tables {
		if _, ok := want[tb.Name]; ok {
			got[tb.Name] = tb.SampleKey
			if tb.KeyPrefix {
				got[tb.Name] += ", first of its key"
			}
			if tb.Key == sqldb.PrimaryString {
				got[tb.Name] += ", a string"
			}
		}
	}
	if len(tables) != 1005 || !maps.Equal(got, want) {
		t.Errorf("%d tables, integer keys %v; want 1005, %v", len(tables), got, want)
	}
}

// Keys with a gap a thousand times the table (two systems' rows merged)
// leave most key-range probes empty: the sample is filled up from the
// rows outside them, and the older system's rows, with the e-mails, are
// read. Before, 100 of 1,000 rows were read, all from the newer system.
func TestSampleOverKeysWithGaps(t *testing.T) {
	db, name := testdb.MariaDB(t)
	testdb.Exec(t, db,
		`CREATE TABLE kunder (id BIGINT PRIMARY KEY, epost TEXT, note TEXT)`,
		`INSERT INTO kunder SELECT seq, CONCAT('kunde', seq, '@gammel.no'), 'gammelt system' FROM seq_1_to_5000`,
		`INSERT INTO kunder SELECT 1000000000 + seq, NULL, 'nytt system' FROM seq_1_to_5000`,
		`ANALYZE TABLE kunder`,
	)
	inv := testdb.Scan(t, open(t, name, sqldb.Options{Sample: 1000}))
	k := testdb.Container(inv, name+".kunder")
	if k == nil || k.Rows != 1000 || !strings.Contains(k.Sampling, "filled up from the lowest keys outside them") {
		t.Fatalf("kunder: %+v, want 1000 rows, filled up", k)
	}
	if c := testdb.Category(inv, name+".kunder", "epost", "email"); c == nil || c.MatchedValues < 500 {
		t.Errorf("the older system's e-mails: %+v", c)
	}
}

// A multi-tenant table keyed (company_id, id) is sampled across its
// companies: read from its first rows, it showed only the first company,
// and the identity numbers the third keeps were never read.
func TestSampleAcrossCompanies(t *testing.T) {
	db, name := testdb.MariaDB(t)
	testdb.Exec(t, db,
		`CREATE TABLE ansatte (company_id INT, id INT, fnr VARCHAR(11), PRIMARY KEY (company_id, id))`,
		`INSERT INTO ansatte SELECT 1 + seq DIV 5000, seq, IF(seq >= 10000, '10048744732', 'demo') FROM seq_0_to_14999`,
		`ANALYZE TABLE ansatte`,
	)
	inv := testdb.Scan(t, open(t, name, sqldb.Options{Sample: 1500}))
	a := testdb.Container(inv, name+".ansatte")
	if a == nil || a.Rows != 1500 || !strings.Contains(a.Sampling, "3 random ranges of company_id, the primary key's first column") {
		t.Fatalf("ansatte: %+v", a)
	}
	if c := testdb.Category(inv, name+".ansatte", "fnr", "no_fnr"); c == nil || c.MatchedValues != 500 {
		t.Errorf("the third company's identity numbers: %+v, want 500 of 1500", c)
	}
}

// Documents the detectors take longer on than the statement timeout: a
// table keyed by an integer is read in pages, each read whole before the
// detectors run on it, so it is read to the end (it was cut off at the
// timeout); one without such a key is still read in one statement, and
// its error says why it was cut off and what to do.
func TestSlowDetectorsOnDocuments(t *testing.T) {
	db, name := testdb.MariaDB(t)
	testdb.Exec(t, db,
		`CREATE TABLE vedlegg (id INT AUTO_INCREMENT PRIMARY KEY, innhold LONGBLOB)`,
		`INSERT INTO vedlegg (innhold) SELECT REPEAT(UNHEX('00FF'), 32768) FROM seq_1_to_150`,
		`CREATE TABLE vedlegg_uten_nokkel (innhold LONGBLOB)`,
		`INSERT INTO vedlegg_uten_nokkel SELECT innhold FROM vedlegg`,
		`INSERT INTO vedlegg_uten_nokkel SELECT innhold FROM vedlegg`,
	)
	// 10 ms a document against a timeout of 1 s: 1.5 s of detector work
	// in the keyed table, 3 s in the other, and the detectors most of the
	// read even where the other tests load the machine and the driver
	// reads slowly (at 5 ms and 300 ms they were half of it under load).
	slow := func(ctx context.Context, data, text []byte) (sqldb.Document, error) {
		time.Sleep(10 * time.Millisecond)
		return sqldb.Document{Text: text, Kind: "slow"}, nil
	}
	inv := testdb.Scan(t, open(t, name, sqldb.Options{StatementTimeout: time.Second, Documents: slow}))
	if v := testdb.Container(inv, name+".vedlegg"); v == nil || v.Error != "" || v.Rows != 150 {
		t.Errorf("vedlegg: %+v", v)
	}
	if v := testdb.Container(inv, name+".vedlegg_uten_nokkel"); v == nil || !strings.Contains(v.Error, "the detectors were busy") || !strings.Contains(v.Error, "a longer --statement-timeout") {
		t.Errorf("vedlegg_uten_nokkel: %+v", v)
	}
}

// Keys spread over all of BIGINT (hashed ids) neither overflow the key
// range nor lose the largest key: the sample reads both ends.
func TestSampleOverTheWholeKeyRange(t *testing.T) {
	db, name := testdb.MariaDB(t)
	testdb.Exec(t, db,
		`CREATE TABLE hendelser (id BIGINT PRIMARY KEY, epost TEXT)`,
		`INSERT INTO hendelser SELECT CAST(-9223372036854775808 AS SIGNED) + CAST(seq AS SIGNED), NULL FROM seq_0_to_99`,
		`INSERT INTO hendelser SELECT CAST(9223372036854775807 AS SIGNED) - CAST(seq AS SIGNED), CONCAT('kunde', seq, '@online.no') FROM seq_0_to_99`,
		`ANALYZE TABLE hendelser`,
	)
	inv := testdb.Scan(t, open(t, name, sqldb.Options{Sample: 50}))
	h := testdb.Container(inv, name+".hendelser")
	if h == nil || h.Rows != 50 || h.Error != "" {
		t.Fatalf("hendelser: %+v", h)
	}
	if c := testdb.Category(inv, name+".hendelser", "epost", "email"); c == nil || c.MatchedValues == 0 {
		t.Errorf("the rows at the top of the key range: %+v", c)
	}
}

// A table of documents is read in pages along its key, in every probe of
// a sample too: keys at both ends of BIGINT UNSIGNED (past the largest
// signed value, which a key compared as text or as a double would lose)
// give each row once, the sample's size in all.
func TestPagesOverTheWholeKeyRange(t *testing.T) {
	db, name := testdb.MariaDB(t)
	testdb.Exec(t, db,
		`CREATE TABLE dokumenter (id BIGINT UNSIGNED PRIMARY KEY, innhold MEDIUMTEXT)`,
		`INSERT INTO dokumenter SELECT seq, 'ingen' FROM seq_0_to_99`,
		`INSERT INTO dokumenter SELECT 18446744073709551615 - seq, CONCAT('Brev til kunde', seq, '@online.no') FROM seq_0_to_99`,
		`ANALYZE TABLE dokumenter`,
	)
	inv := testdb.Scan(t, open(t, name, sqldb.Options{Sample: 50}))
	d := testdb.Container(inv, name+".dokumenter")
	if d == nil || d.Rows != 50 || d.Error != "" {
		t.Fatalf("dokumenter: %+v", d)
	}
	c := testdb.Category(inv, name+".dokumenter", "innhold", "email")
	if c == nil || c.MatchedValues == 0 || c.MatchedValues != c.Distinct {
		t.Errorf("the rows at the top of the key range, each once: %+v", c)
	}
}

// A sample is drawn from the table's seed: a rerun over the same rows
// reads the same rows (see sqldb.Table.Seed).
func TestSampleIsRepeatable(t *testing.T) {
	db, name := testdb.MariaDB(t)
	testdb.Exec(t, db,
		`CREATE TABLE kunder (id INT PRIMARY KEY, epost TEXT)`,
		`INSERT INTO kunder SELECT seq, IF(seq % 3 = 0, CONCAT('kunde', seq, '@online.no'), 'ingen') FROM seq_1_to_60000`,
		`ANALYZE TABLE kunder`,
	)
	var runs []*inventory.Category
	for range 2 {
		inv := testdb.Scan(t, open(t, name, sqldb.Options{Sample: 1000}))
		runs = append(runs, testdb.Category(inv, name+".kunder", "epost", "email"))
	}
	a, b := runs[0], runs[1]
	testdb.WantSameSample(t, a, b)
}

// A table without an integer key was read from its first rows: a log
// table's oldest, which held no e-mail here. One of up to 64 MiB is
// sampled by a scan that keeps rows by chance, from all over the table,
// the same rows run after run; a larger one is still read from its first
// rows, and the method says why.
func TestSampleWithoutAKey(t *testing.T) {
	db, name := testdb.MariaDB(t)
	testdb.Exec(t, db,
		`CREATE TABLE logg (tid DATETIME, tekst TEXT)`,
		`INSERT INTO logg SELECT NOW(), IF(seq > 20000, CONCAT('kunde', seq, '@online.no'), 'ingen') FROM seq_1_to_30000`,
		`ANALYZE TABLE logg`,
	)
	var runs []*inventory.Category
	for range 2 {
		inv := testdb.Scan(t, open(t, name, sqldb.Options{Sample: 600}))
		l := testdb.Container(inv, name+".logg")
		if l == nil || l.Rows < 500 || l.Rows > 600 || !strings.HasPrefix(l.Sampling, "random rows, about 600 of 30000, by a scan of the whole table") {
			t.Fatalf("logg: %+v", l)
		}
		runs = append(runs, testdb.Category(inv, name+".logg", "tekst", "email"))
	}
	a, b := runs[0], runs[1]
	if a == nil || a.Matches < 140 || a.Matches > 260 {
		t.Errorf("a third of the sample, from the table's last third: %+v", a)
	}
	testdb.WantSameSample(t, a, b)

	tablesTooLargeToScan(t)
	inv := testdb.Scan(t, open(t, name, sqldb.Options{Sample: 600}))
	if l := testdb.Container(inv, name+".logg"); l == nil || l.Rows != 600 || !strings.HasPrefix(l.Sampling, "first 600 rows (no integer primary key to sample by, and about") {
		t.Errorf("a table too large to scan: %+v", l)
	}
}

// A table without an integer primary key, too large to scan for a
// sample, was read from its first rows: a log table's oldest, with no
// e-mail here. One with an index that starts with an integer column that
// is never NULL (a customer id) is sampled in ranges of that column, as a
// multi-tenant table is by its company id.
func TestSampleByAnIndexedColumn(t *testing.T) {
	db, name := testdb.MariaDB(t)
	testdb.Exec(t, db,
		`CREATE TABLE hendelse (kunde_id INT NOT NULL, tekst TEXT, KEY (kunde_id))`,
		`INSERT INTO hendelse SELECT seq % 1000, IF(seq > 20000, CONCAT('kunde', seq, '@online.no'), 'ingen') FROM seq_1_to_30000`,
		`CREATE TABLE uten_indeks (kunde_id INT, tekst TEXT, KEY (kunde_id))`,
		`INSERT INTO uten_indeks SELECT * FROM hendelse`,
		`ANALYZE TABLE hendelse, uten_indeks`,
	)
	tablesTooLargeToScan(t)
	inv := testdb.Scan(t, open(t, name, sqldb.Options{Sample: 600}))
	h := testdb.Container(inv, name+".hendelse")
	if h == nil || h.Rows < 500 || !strings.HasPrefix(h.Sampling, "10 random ranges of kunde_id, an indexed column (no integer primary key)") {
		t.Fatalf("hendelse: %+v", h)
	}
	if c := testdb.Category(inv, name+".hendelse", "tekst", "email"); c == nil || c.Share < 0.2 || c.Share > 0.47 {
		t.Errorf("a third of the rows hold an e-mail: %+v", c)
	}
	// A nullable column would leave its NULL rows out of every range.
	if u := testdb.Container(inv, name+".uten_indeks"); u == nil || !strings.HasPrefix(u.Sampling, "first 600 rows (no integer primary key") {
		t.Errorf("uten_indeks: %+v", u)
	}
}

// A log table with no integer to sample by, too large to scan for a
// sample, was read from its first rows: its oldest, with no e-mail here.
// One whose time starts an index (or its primary key) is sampled in
// random ranges of that time, the same ones run after run; a zero date
// leaves the first rows, and says why.
func TestSampleByADateAndTime(t *testing.T) {
	db, name := testdb.MariaDB(t)
	testdb.Exec(t, db,
		`CREATE TABLE logg (tid DATETIME(6) NOT NULL, tekst TEXT, KEY (tid))`,
		`INSERT INTO logg SELECT TIMESTAMP '2024-01-01 00:00:00' + INTERVAL seq MINUTE, IF(seq > 20000, CONCAT('kunde', seq, '@online.no'), 'ingen') FROM seq_1_to_30000`,
		`CREATE TABLE dager (dag DATE NOT NULL, id CHAR(36) NOT NULL, tekst TEXT, PRIMARY KEY (dag, id))`,
		`INSERT INTO dager SELECT DATE '1960-01-01' + INTERVAL seq DAY, UUID(), IF(seq > 20000, CONCAT('kunde', seq, '@online.no'), 'ingen') FROM seq_1_to_30000`,
		`CREATE TABLE nullbar (tid TIMESTAMP NULL, tekst TEXT, KEY (tid))`,
		`INSERT INTO nullbar SELECT tid, tekst FROM logg`,
		`SET SESSION sql_mode = ''`,
		`CREATE TABLE nulldato (tid DATETIME NOT NULL, tekst TEXT, KEY (tid))`,
		`INSERT INTO nulldato SELECT IF(seq = 1, '0000-00-00 00:00:00', TIMESTAMP '2024-01-01 00:00:00' + INTERVAL seq MINUTE), 'ingen' FROM seq_1_to_30000`,
		`ANALYZE TABLE logg, dager, nullbar, nulldato`,
	)
	tablesTooLargeToScan(t)
	var runs []*inventory.Category
	for range 2 {
		inv := testdb.Scan(t, open(t, name, sqldb.Options{Sample: 600}))
		for _, table := range []string{"logg", "dager"} {
			wantRanges(t, inv, name+"."+table, ", an indexed date and time (no integer key)")
		}
		runs = append(runs, testdb.Category(inv, name+".logg", "tekst", "email"))
		// A nullable time would leave its NULL rows out of every range.
		if u := testdb.Container(inv, name+".nullbar"); u == nil || !strings.HasPrefix(u.Sampling, "first 600 rows (no integer primary key") {
			t.Errorf("nullbar: %+v", u)
		}
		if z := testdb.Container(inv, name+".nulldato"); z == nil || z.Rows != 600 || !strings.HasPrefix(z.Sampling, `first 600 rows (tid, the date and time to sample by, holds "0000-00-00 00:00:00"`) {
			t.Errorf("nulldato: %+v", z)
		}
	}
	testdb.WantSameSample(t, runs[0], runs[1])
}

// A large table keyed by a string, with no integer or date and time to
// sample by, is sampled in ranges of its key: a customer code's rows from
// all over its range (its first rows hold no e-mail), a UUID's (hex, in
// lower case) and a ULID's (upper case) from ranges that find their rows.
func TestSampleByAStringKey(t *testing.T) {
	db, name := testdb.MariaDB(t)
	testdb.Exec(t, db,
		`CREATE TABLE kunder (kode VARCHAR(20) NOT NULL PRIMARY KEY, tekst TEXT)`,
		`INSERT INTO kunder SELECT CONCAT('K-', LPAD(seq, 6, '0')), IF(seq > 20000, CONCAT('kunde', seq, '@online.no'), 'ingen') FROM seq_1_to_30000`,
		`CREATE TABLE hendelser (id CHAR(36) NOT NULL PRIMARY KEY, tekst TEXT)`,
		// Random UUIDs (version 4), as applications make them. (MariaDB's
		// UUID() is version 1, by the clock: where the server paused
		// for a few milliseconds in the insert, a range found too few
		// rows, and the test failed one run in eight.)
		`INSERT INTO hendelser SELECT CONCAT_WS('-', SUBSTR(MD5(seq), 1, 8), SUBSTR(MD5(seq), 9, 4), CONCAT('4', SUBSTR(MD5(seq), 14, 3)), SUBSTR(MD5(seq), 17, 4), SUBSTR(MD5(seq), 21, 12)), IF(seq % 3 = 0, CONCAT('kunde', seq, '@online.no'), 'ingen') FROM seq_1_to_30000`,
		`CREATE TABLE meldinger (id CHAR(26) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY, tekst TEXT)`,
		`INSERT INTO meldinger SELECT CONCAT('01HF', UPPER(SUBSTR(MD5(seq), 1, 22))), IF(seq % 3 = 0, CONCAT('kunde', seq, '@online.no'), 'ingen') FROM seq_1_to_30000`,
		`CREATE TABLE blandet (kode VARCHAR(20) NOT NULL PRIMARY KEY, tekst TEXT)`,
		`INSERT INTO blandet SELECT CONCAT(IF(seq % 2 = 0, 'a', 'B'), LPAD(seq, 6, '0')), 'ingen' FROM seq_1_to_30000`,
		`ANALYZE TABLE kunder, hendelser, meldinger, blandet`,
	)
	tablesTooLargeToScan(t)
	var runs []*inventory.Category
	for range 2 {
		inv := testdb.Scan(t, open(t, name, sqldb.Options{Sample: 600}))
		for _, table := range []string{"kunder", "hendelser", "meldinger"} {
			wantRanges(t, inv, name+"."+table, "a string (no integer or date and time key)")
		}
		// Mixed case, which the collation folds: the smallest key, a…,
		// is no number below the largest, B…; the rows are still read.
		if b := testdb.Container(inv, name+".blandet"); b == nil || b.Error != "" || b.Rows != 600 || !strings.HasPrefix(b.Sampling, "first 600 rows (kode, the string key to sample by: key range:") {
			t.Errorf("blandet: %+v", b)
		}
		runs = append(runs, testdb.Category(inv, name+".kunder", "tekst", "email"))
	}
	testdb.WantSameSample(t, runs[0], runs[1])
}

// wantRanges checks that table was sampled in 10 ranges of a key of the
// kind said, with no row from the fill-up, and that about a third of the
// rows read hold an e-mail, as a third of the table's do.
func wantRanges(t *testing.T, inv *inventory.Inventory, table, kind string) {
	t.Helper()
	c := testdb.Container(inv, table)
	if c == nil || c.Rows < 500 || !strings.HasPrefix(c.Sampling, "10 random ranges of ") || !strings.Contains(c.Sampling, kind) || strings.Contains(c.Sampling, "filled up") {
		t.Fatalf("%s: %+v", table, c)
	}
	if e := testdb.Category(inv, table, "tekst", "email"); e == nil || e.Share < 0.2 || e.Share > 0.47 {
		t.Errorf("%s: a third of the rows hold an e-mail: %+v", table, e)
	}
}

// tablesTooLargeToScan makes every table of the test too large to be
// scanned whole for its sample, as the tables of many megabytes it stands
// for are.
func tablesTooLargeToScan(t *testing.T) {
	old := maxScanBytes
	maxScanBytes = 1 << 10
	t.Cleanup(func() { maxScanBytes = old })
}

// stringRange places keys between the smallest and largest, past their
// shared prefix, and gives back keys that sort as the points do.
func TestStringRange(t *testing.T) {
	for _, tt := range []struct{ min, max string }{
		{"K-000001", "K-030000"},
		{"0a3e6f1c-2b7d-11ef-9c3a-0242ac120002", "ffe41b2a-2b7d-11ef-9c3a-0242ac120002"},
		{"01HF0A2B3C", "01HFZZ9Y8X"},
		{"", "zz"},
	} {
		lo, hi, key, err := stringRange(tt.min, tt.max)
		if err != nil || lo > hi {
			t.Fatalf("%q..%q: %d..%d, %v", tt.min, tt.max, lo, hi, err)
		}
		// In order, binary and folded, from about the smallest to about
		// the largest (a character that is no digit counts as one below).
		prev := ""
		for i := range 11 {
			k := key(lo + (hi-lo)/10*uint64(i)).(string)
			if k < prev || strings.ToLower(k) < strings.ToLower(prev) {
				t.Errorf("%q..%q: key %q after %q", tt.min, tt.max, k, prev)
			}
			prev = k
		}
		if first, last := key(lo).(string), key(hi).(string); !strings.HasPrefix(first, tt.min[:min(2, len(tt.min))]) || !strings.HasPrefix(last, tt.max[:2]) {
			t.Errorf("%q..%q: keys run from %q to %q", tt.min, tt.max, first, last)
		}
		// Any points, in order, give keys in order.
		r := rand.New(rand.NewPCG(lo, hi))
		points := make([]uint64, 200)
		for i := range points {
			points[i] = lo + r.Uint64N(hi-lo+1)
		}
		slices.Sort(points)
		for i := 1; i < len(points); i++ {
			a, b := key(points[i-1]).(string), key(points[i]).(string)
			if a > b || strings.ToLower(a) > strings.ToLower(b) {
				t.Fatalf("%q..%q: points %d < %d give keys %q > %q", tt.min, tt.max, points[i-1], points[i], a, b)
			}
		}
	}
	if _, _, _, err := stringRange("b", "a"); err == nil {
		t.Error("a smallest key above the largest was taken")
	}
}

// timeRange maps dates and times to microseconds and back as the server
// reads them, before 1970 too.
func TestTimeRange(t *testing.T) {
	lo, hi, key, err := timeRange("1960-01-01", "2024-11-01 08:00:00.25")
	if err != nil || lo >= hi {
		t.Fatalf("%d %d %v", lo, hi, err)
	}
	if got := key(lo); got != "1960-01-01 00:00:00" {
		t.Errorf("key(lo) = %v", got)
	}
	if got := key(hi); got != "2024-11-01 08:00:00.25" {
		t.Errorf("key(hi) = %v", got)
	}
	if _, _, _, err := timeRange("0000-00-00 00:00:00", "2024-11-01"); err == nil {
		t.Error("a zero date read as a time")
	}
}

// A user granted SELECT on some tables of a database sees the others
// nowhere: the server lists no table it has no grant on. The scan reads
// what it sees and says, as the store's error, that there may be more;
// with SELECT on the whole database it says nothing.
func TestGrantsOnSingleTables(t *testing.T) {
	db, name := testdb.MariaDB(t)
	user := "dk_" + strings.TrimPrefix(name, "dk_")
	testdb.Exec(t, db,
		"CREATE TABLE betalinger (id INT PRIMARY KEY, kid TEXT)",
		"CREATE TABLE kunder (id INT PRIMARY KEY, epost TEXT)",
		"INSERT INTO kunder VALUES (1, 'kari@online.no')",
		"CREATE USER '"+user+"'@'%' IDENTIFIED BY 'Les-bare-1'",
		"GRANT SELECT ON `"+name+"`.betalinger TO '"+user+"'@'%'",
	)
	t.Cleanup(func() { db.Exec("DROP USER '" + user + "'@'%'") })
	scan := func() *inventory.Inventory {
		src, err := Open(context.Background(), "mysql://"+user+":Les-bare-1@127.0.0.1:3306/"+name, "", sqldb.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer src.DB().Close()
		return testdb.Scan(t, src)
	}
	inv := scan()
	if testdb.Container(inv, name+".betalinger") == nil || testdb.Container(inv, name+".kunder") != nil {
		t.Fatalf("the tables seen: %+v", inv.Stores)
	}
	if len(inv.Errors) != 1 || !strings.Contains(inv.Errors[0].Message, "the user may not see every table: its grants give SELECT on 1 single table of "+name) {
		t.Errorf("errors: %+v", inv.Errors)
	}
	testdb.Exec(t, db, "GRANT SELECT ON `"+name+"`.* TO '"+user+"'@'%'")
	if inv := scan(); len(inv.Errors) != 0 || testdb.Container(inv, name+".kunder") == nil {
		t.Errorf("with SELECT on the database: errors %+v", inv.Errors)
	}
}

func TestLikeMatch(t *testing.T) {
	for _, tt := range []struct {
		pattern, name string
		want          bool
	}{{"crm", "crm", true}, {"crm", "crm2", false}, {`uc2\_%`, "uc2_erp", true}, {`uc2\_%`, "uc2xerp", false}, {"dk_%", "dkxy", true}, {"a.b", "axb", false}} {
		if got := likeMatch(tt.pattern, tt.name); got != tt.want {
			t.Errorf("likeMatch(%q, %q) = %v", tt.pattern, tt.name, got)
		}
	}
}

// MariaDB's INET4 and INET6 columns hold a client's address, and are read
// as its text; they were passed over with the dates and enums.
func TestAddressTypes(t *testing.T) {
	db, name := testdb.MariaDB(t)
	testdb.Exec(t, db,
		"CREATE TABLE innlogging (id INT PRIMARY KEY, klient_ip INET6, v4 INET4)",
		"INSERT INTO innlogging VALUES (1, '2a02:2121:1:2::1', '84.210.1.2'), (2, '::ffff:84.210.1.3', '84.210.1.4')",
	)
	inv := testdb.Scan(t, open(t, name, sqldb.Options{}))
	for _, col := range []string{"klient_ip", "v4"} {
		if c := testdb.Category(inv, name+".innlogging", col, "ip_address"); c == nil || c.MatchedValues != 2 {
			t.Errorf("%s: %+v", col, c)
		}
	}
}
