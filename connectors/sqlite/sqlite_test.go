package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"datakart/connectors/sqldb"
	"datakart/detectors"
	"datakart/internal/testdb"
	"datakart/inventory"
)

func fixture(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "app.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	testdb.Exec(t, db,
		`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT, phone TEXT, born DATE, profile JSON, ssn INTEGER)`,
		`INSERT INTO users (name, email, phone, born, profile, ssn) VALUES
			('Ola Nordmann', 'ola.nordmann@online.no', '+47 912 34 567', '1987-04-10', '{"address": {"ip": "84.210.1.2"}}', 1010101006),
			('Kari Nordmann', 'kari@gmail.com', '+47 923 45 678', '1940-11-23', '{"address": {"ip": "85.166.2.3"}}', 10048745364)`,
		`CREATE TABLE events (id INTEGER PRIMARY KEY, body TEXT)`,
		`WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 30000)
			INSERT INTO events (body) SELECT CASE WHEN n % 500 = 0 THEN 'fnr 10048744732' ELSE 'event ' || n END FROM g`,
	)
	return path
}

func TestScanSQLite(t *testing.T) {
	path := fixture(t)
	src, err := Open(context.Background(), "sqlite:"+path, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.DB().Close()
	inv := testdb.Scan(t, src)
	for _, tt := range []struct {
		container, field, cat string
		conf                  detectors.Confidence
	}{
		{"main.users", "email", "email", detectors.High},
		{"main.users", "phone", "phone", detectors.High},
		{"main.users", "born", "date_of_birth", detectors.Medium}, // never read: a date
		{"main.users", "profile → $.address.ip", "ip_address", detectors.High},
		{"main.users", "ssn", "no_fnr", detectors.High}, // integers that lost their leading zero
		{"main.events", "body", "no_fnr", detectors.High},
	} {
		c := testdb.Category(inv, tt.container, tt.field, tt.cat)
		if c == nil || c.Confidence != tt.conf {
			t.Errorf("%s → %s: %s = %+v, want %s", tt.container, tt.field, tt.cat, c, tt.conf)
		}
	}
	if e := testdb.Container(inv, "main.events"); e == nil || e.Rows != 10000 || !strings.Contains(e.Sampling, "random rows") {
		t.Errorf("events: %+v", e)
	}
}

// The rows of a sample spread over the whole table (the e-mails are in
// its last third alone), and a rerun reads the same ones.
func TestSampleIsRepeatable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.db")
	testdb.SQLiteApp(t, path,
		`CREATE TABLE logg (id INTEGER PRIMARY KEY, tekst TEXT)`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)
		 INSERT INTO logg SELECT i, CASE WHEN i > 20000 THEN 'kunde' || i || '@online.no' ELSE 'ingen' END FROM n`,
		`ANALYZE`,
	).Close()
	var runs []*inventory.Category
	for range 2 {
		src, err := Open(context.Background(), "sqlite:"+path, sqldb.Options{Sample: 300})
		if err != nil {
			t.Fatal(err)
		}
		inv := testdb.Scan(t, src)
		src.DB().Close()
		if c := testdb.Container(inv, "main.logg"); c == nil || c.Rows != 300 || !strings.Contains(c.Sampling, "random rows") {
			t.Fatalf("logg: %+v", c)
		}
		runs = append(runs, testdb.Category(inv, "main.logg", "tekst", "email"))
	}
	a, b := runs[0], runs[1]
	if a == nil || a.Matches < 70 || a.Matches > 130 {
		t.Errorf("a third of the sample, from the table's last third: %+v", a)
	}
	testdb.WantSameSample(t, a, b)
}

func TestReadOnlyAndNeverCreated(t *testing.T) {
	path := fixture(t)
	src, err := Open(context.Background(), "sqlite:"+path, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.DB().Close()
	ctx := context.Background()
	conn, _ := src.DB().Conn(ctx)
	defer conn.Close()
	tx, err := Dialect{}.Begin(ctx, conn, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "DELETE FROM users"); err == nil {
		t.Error("a write through the connector's session succeeded")
	}
	if _, err := src.DB().ExecContext(ctx, "CREATE TABLE x (a)"); err == nil {
		t.Error("a write through the connector's database handle succeeded")
	}

	missing := filepath.Join(t.TempDir(), "nope.db")
	if _, err := Open(ctx, "sqlite:"+missing, sqldb.Options{}); err == nil {
		t.Error("opening a missing file succeeded")
	} else if err.Error() != "no such file or directory" {
		// The store or the container in the inventory names the file;
		// "app.db: sqlite:/srv/share/app.db: …" said it twice.
		t.Errorf("a missing file: %q", err)
	}
	notDB := filepath.Join(t.TempDir(), "app.db")
	os.WriteFile(notDB, []byte("not a database, but long enough to be read as one\n"), 0o644)
	if _, err := Open(ctx, "sqlite:"+notDB, sqldb.Options{}); err == nil || strings.Contains(err.Error(), notDB) {
		t.Errorf("a file that is no database: %v", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Error("opening a missing file created it")
	}
}

// A database in WAL mode, as app databases are, is read as a checkpoint
// would leave it, its log's committed pages laid over the file, without a
// file written beside it.
func TestWAL(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.db")
	w := testdb.SQLiteApp(t, path,
		`CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)`,
		`INSERT INTO users (email) VALUES ('ola.nordmann@online.no'), ('kari@gmail.com')`,
		`PRAGMA wal_checkpoint(TRUNCATE)`,
		`INSERT INTO users (email) VALUES ('per.hansen@online.no')`,
		// A table only the log has: its schema page is in the log too.
		`CREATE TABLE notes (body TEXT)`, `INSERT INTO notes VALUES ('fnr 10048744732')`)
	before := listDir(t, dir)
	if !slices.Contains(before, "app.db-wal") {
		t.Fatalf("no log to test with: %v", before)
	}
	scan := func() *inventory.Inventory {
		t.Helper()
		src, err := Open(context.Background(), "sqlite:"+path, sqldb.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer src.DB().Close()
		return testdb.Scan(t, src)
	}
	inv := scan()
	if c := testdb.Category(inv, "main.users", "email", "email"); c == nil || c.MatchedValues != 3 || inv.Stores[0].Error != "" {
		t.Errorf("users.email: %+v, store error %q", c, inv.Stores[0].Error)
	}
	if c := testdb.Category(inv, "main.notes", "body", "no_fnr"); c == nil {
		t.Errorf("the table only the log holds was not read: %+v", inv.Stores[0].Containers)
	}
	if after := listDir(t, dir); !slices.Equal(before, after) {
		t.Errorf("files beside the database: before %v, after %v", before, after)
	}

	// A copy whose log was cut in its last frame: the transactions before
	// it count, the cut one does not.
	log, err := os.ReadFile(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	db, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "app.db")
	os.WriteFile(cut, db, 0o644)
	os.WriteFile(cut+"-wal", log[:len(log)-100], 0o644)
	src, err := Open(context.Background(), "sqlite:"+cut, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	inv = testdb.Scan(t, src)
	src.DB().Close()
	if c := testdb.Category(inv, "main.users", "email", "email"); c == nil || c.MatchedValues != 3 || testdb.Category(inv, "main.notes", "body", "no_fnr") != nil {
		t.Errorf("a log cut in its last transaction (the note's insert): users.email %+v, notes %+v", c, testdb.Container(inv, "main.notes"))
	}
	// A log whose header is not one's: the file is read, and the store
	// says what is missing.
	os.WriteFile(cut+"-wal", append([]byte("not a log"), log[9:]...), 0o644)
	src, err = Open(context.Background(), "sqlite:"+cut, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	inv = testdb.Scan(t, src)
	src.DB().Close()
	if c := testdb.Category(inv, "main.users", "email", "email"); c == nil || c.MatchedValues != 2 || !strings.Contains(inv.Stores[0].Error, "write-ahead log app.db-wal was not read") {
		t.Errorf("a log that is not one: users.email %+v, store error %q", c, inv.Stores[0].Error)
	}

	// The app closed: its log is checkpointed and removed, and a
	// read-only connection would create app.db-wal and app.db-shm.
	w.Close()
	before = listDir(t, dir)
	inv = scan()
	if c := testdb.Category(inv, "main.users", "email", "email"); c == nil || c.MatchedValues != 3 || inv.Stores[0].Error != "" {
		t.Errorf("after the app closed: %+v, store error %q", c, inv.Stores[0].Error)
	}
	if after := listDir(t, dir); !slices.Equal(before, after) || len(after) != 1 {
		t.Errorf("files beside the database: before %v, after %v", before, after)
	}
}

func listDir(t *testing.T, dir string) []string {
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// A file whose name holds what a URI gives a meaning to is opened as
// itself, read-only: "Sak #12.db" once opened "Sak " read-write, and
// SQLite created it.
func TestNamesThatAreURIs(t *testing.T) {
	src := fixture(t)
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	names := []string{"Sak #12.db", "x?mode=rw.db", "p%41q.db", "med mellomrom.db"}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range names {
		src, err := Open(context.Background(), "sqlite:"+filepath.Join(dir, n), sqldb.Options{})
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		inv := testdb.Scan(t, src)
		src.DB().Close()
		if c := testdb.Category(inv, "main.users", "email", "email"); c == nil {
			t.Errorf("%s: users.email not found (store error %q)", n, inv.Stores[0].Error)
		}
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"Sak #12.db", "med mellomrom.db", "p%41q.db", "x?mode=rw.db"}) {
		t.Errorf("files: %q", got)
	}
}

// FuzzWAL lays a log of any bytes over a database, or a valid log of
// pages of any content: whatever it holds, reading ends in rows or an
// error, never a panic, and no file is added.
func FuzzWAL(f *testing.F) {
	dir := f.TempDir()
	path := filepath.Join(dir, "app.db")
	w := testdb.SQLiteApp(f, path, `CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)`,
		`INSERT INTO users (email) VALUES ('kari@gmail.com')`, `PRAGMA wal_checkpoint(TRUNCATE)`,
		`INSERT INTO users (email) VALUES ('per.hansen@online.no')`, `CREATE TABLE notes (body TEXT)`)
	db, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	log, err := os.ReadFile(path + "-wal")
	if err != nil {
		f.Fatal(err)
	}
	w.Close()
	f.Add(log, false)
	f.Add(log[:walHeaderSize], false)
	f.Add([]byte("\x0d\x00\x00\x00\x01\x0f\xf0"), true)
	f.Fuzz(func(t *testing.T, wal []byte, pages bool) {
		if pages {
			// The bytes are the pages' content instead, in the seed's
			// frames with their checksums made right, so SQLite reads
			// pages of any content through the overlay.
			wal = withPages(log, wal)
		}
		dir := t.TempDir()
		p := filepath.Join(dir, "app.db")
		if err := os.WriteFile(p, db, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p+"-wal", wal, 0o644); err != nil {
			t.Fatal(err)
		}
		src, err := Open(context.Background(), "sqlite:"+p, sqldb.Options{StatementTimeout: 5 * time.Second})
		if err == nil {
			testdb.Scan(t, src)
			src.DB().Close()
		}
		if got := listDir(t, dir); len(got) != 2 {
			t.Fatalf("files: %q", got)
		}
		// A database in an archive has its log laid over it in memory:
		// SQLite must see the same bytes as through the file's overlay.
		image, err := checkpoint(db, wal)
		if err != nil {
			return
		}
		f, err := diskFS{}.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		seen, err := io.ReadAll(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(seen, image) {
			t.Fatalf("the checkpoint in memory (%d bytes) differs from the overlay on disk (%d)", len(image), len(seen))
		}
	})
}

// withPages is the log with its frames' page data overwritten from data,
// in turn, and every checksum made right again.
func withPages(log, data []byte) []byte {
	out := bytes.Clone(log)
	if len(out) < walHeaderSize || len(data) == 0 {
		return out
	}
	order := binary.ByteOrder(binary.LittleEndian)
	if string(out[:4]) == LogMagicBE {
		order = binary.BigEndian
	}
	pageSize := int(binary.BigEndian.Uint32(out[8:]))
	s0, s1 := walChecksum(order, out[:24], 0, 0)
	k := 0
	for off := walHeaderSize; off+walFrameSize+pageSize <= len(out); off += walFrameSize + pageSize {
		page := out[off+walFrameSize : off+walFrameSize+pageSize]
		for i := range page {
			page[i] = data[k%len(data)]
			k++
		}
		s0, s1 = walChecksum(order, out[off:off+8], s0, s1)
		s0, s1 = walChecksum(order, page, s0, s1)
		binary.BigEndian.PutUint32(out[off+16:], s0)
		binary.BigEndian.PutUint32(out[off+20:], s1)
	}
	return out
}
