package migrations

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"datakart/connectors"
)

// rec is one declared field.
type rec struct {
	unit, part, field, typ string
	line                   int
}

func (r rec) String() string {
	return fmt.Sprintf("%s!%s.%s %q @%d", r.unit, r.part, r.field, r.typ, r.line)
}

// recSink records what a unit declares. It fails the test on Value.
type recSink struct {
	t     testing.TB
	unit  string
	part  *connectors.Part
	recs  []rec
	parts []connectors.Part
}

func (s *recSink) Begin(p connectors.Part) { s.part = &p; s.parts = append(s.parts, p) }
func (s *recSink) Fields(names ...string) {
	for _, n := range names {
		s.FieldInfo(n, "", 0)
	}
}
func (s *recSink) FieldInfo(name, dataType string, line int) {
	if s.part == nil {
		s.t.Errorf("FieldInfo(%q) before Begin", name)
		return
	}
	s.recs = append(s.recs, rec{s.unit, s.part.Path, name, dataType, line})
}
func (s *recSink) Value(v connectors.Value) error {
	s.t.Errorf("Value called: %+v", v)
	return nil
}
func (s *recSink) PartError(err error)                { s.t.Errorf("PartError: %v", err) }
func (s *recSink) PartSkipped(reason string)          { s.t.Errorf("PartSkipped: %v", reason) }
func (s *recSink) Paced(time.Duration, time.Duration) { s.t.Error("Paced called") }
func (s *recSink) Sampled(rows int64, method string)  {}

// lineOf returns the 1-based line of the first occurrence of sub in src.
func lineOf(t *testing.T, src, sub string) int {
	t.Helper()
	i := strings.Index(src, sub)
	if i < 0 {
		t.Fatalf("fixture lacks %q", sub)
	}
	return strings.Count(src[:i], "\n") + 1
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// scanAll reads every unit of the source and returns the declared fields.
func scanAll(t *testing.T, src *Source) ([]string, []rec) {
	t.Helper()
	var names []string
	var recs []rec
	err := src.Units(context.Background(), func(u connectors.Unit) error {
		names = append(names, u.Name)
		if u.Err != nil || u.Skip != "" {
			t.Errorf("unit %s: err %v skip %q", u.Name, u.Err, u.Skip)
			return nil
		}
		if u.Kind != "migration" {
			t.Errorf("unit %s kind %q", u.Name, u.Kind)
		}
		s := &recSink{t: t, unit: u.Name}
		if err := u.Read(context.Background(), s); err != nil {
			t.Errorf("read %s: %v", u.Name, err)
		}
		for _, p := range s.parts {
			if p.Kind != "table" {
				t.Errorf("part %q kind %q", p.Path, p.Kind)
			}
		}
		recs = append(recs, s.recs...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names, recs
}

const pg001 = `-- 001_init.sql: customers
/* Header comment, not a statement:
   CREATE TABLE fake (fnr text);
   /* nested */ CREATE TABLE fake2 (fnr text);
*/
CREATE TABLE IF NOT EXISTS "public"."Kunder" (
    "Id" bigserial PRIMARY KEY,
    navn text NOT NULL DEFAULT 'ukjent; (x)',
    -- CREATE TABLE x (fnr text);
    epost character varying(200) UNIQUE,
    saldo numeric(12, 2) CHECK (saldo >= 0),
    opprettet timestamp with time zone DEFAULT now(),
    tags text[], matrix int[3][3],
    "weird ""name""" double precision,
    ref int REFERENCES andre(id) ON DELETE CASCADE,
    notat text COLLATE "nb-NO" /* inline; comment */ DEFAULT E'it\'s; ok',
    beløp public.money_t,
    ident bigint GENERATED ALWAYS AS IDENTITY (START WITH 1),
    CONSTRAINT kunder_navn_chk CHECK (navn <> ''),
    UNIQUE (navn, epost),
    PRIMARY KEY ("Id"),
    FOREIGN KEY (ref) REFERENCES andre (id),
    EXCLUDE USING gist (saldo WITH =)
);
CREATE TABLE kunder (id serial, key text, postnr char(4), interval interval day to second);

CREATE FUNCTION trg() RETURNS trigger AS $$
BEGIN
  EXECUTE 'ALTER TABLE kunder ADD COLUMN hidden text';
  ALTER TABLE kunder ADD COLUMN hidden2 text;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION f2() RETURNS void AS $body$ ALTER TABLE kunder ADD COLUMN x text; $$ $body$ LANGUAGE sql;
CREATE INDEX kunder_idx ON kunder (navn);
CREATE VIEW v AS SELECT data #>> '{a,b}' FROM kunder;
INSERT INTO kunder VALUES (1, 'CREATE TABLE y (z int);');
DROP TABLE IF EXISTS gammel;
CREATE TABLE kopi AS SELECT * FROM kunder;
`

const pg002 = `-- add the national identity number
ALTER TABLE kunder
    ADD COLUMN fodselsnummer varchar(11);
ALTER TABLE ONLY public.kunder ADD COLUMN IF NOT EXISTS a int, ADD b date, DROP COLUMN c, ADD CONSTRAINT x UNIQUE (a);
ALTER TABLE kunder RENAME COLUMN navn TO fullt_navn;
ALTER TABLE IF EXISTS kunder RENAME postnr TO postnummer;
ALTER TABLE kunder ALTER COLUMN postnummer SET DATA TYPE varchar(10) USING postnummer::varchar;
ALTER TABLE kunder RENAME TO klienter;
ALTER TABLE klienter DROP COLUMN a, ALTER COLUMN b SET DEFAULT now();
`

func TestPostgres(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"001_init.sql":       pg001,
		"002_add_fnr.sql":    pg002,
		"README.md":          "CREATE TABLE readme (x int);",
		"sub/003_empty.sql":  "-- nothing\n",
		"sub/004_broken.sql": "CREATE TABLE (;\nALTER TABLE;\nCREATE TABLE ok (\"a\" int",
	})
	src, err := New(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if src.Kind() != "migrations" || src.Location() != dir {
		t.Errorf("kind %q location %q", src.Kind(), src.Location())
	}
	names, recs := scanAll(t, src)
	if want := []string{"001_init.sql", "002_add_fnr.sql", "sub/003_empty.sql", "sub/004_broken.sql"}; !reflect.DeepEqual(names, want) {
		t.Errorf("units %q, want %q", names, want)
	}
	u1, u2 := "001_init.sql", "002_add_fnr.sql"
	l1 := func(s string) int { return lineOf(t, pg001, s) }
	l2 := func(s string) int { return lineOf(t, pg002, s) }
	want := []rec{
		{u1, "public.Kunder", "Id", "bigserial", l1(`"Id" bigserial`)},
		{u1, "public.Kunder", "navn", "text", l1("navn text")},
		{u1, "public.Kunder", "epost", "character varying(200)", l1("epost")},
		{u1, "public.Kunder", "saldo", "numeric(12,2)", l1("saldo numeric")},
		{u1, "public.Kunder", "opprettet", "timestamp with time zone", l1("opprettet")},
		{u1, "public.Kunder", "tags", "text[]", l1("tags")},
		{u1, "public.Kunder", "matrix", "int[3][3]", l1("tags")},
		{u1, "public.Kunder", `weird "name"`, "double precision", l1("weird")},
		{u1, "public.Kunder", "ref", "int", l1("ref int")},
		{u1, "public.Kunder", "notat", "text", l1("notat")},
		{u1, "public.Kunder", "beløp", "public.money_t", l1("beløp")},
		{u1, "public.Kunder", "ident", "bigint", l1("ident")},
		{u1, "kunder", "id", "serial", l1("CREATE TABLE kunder")},
		{u1, "kunder", "key", "text", l1("CREATE TABLE kunder")},
		{u1, "kunder", "postnr", "char(4)", l1("CREATE TABLE kunder")},
		{u1, "kunder", "interval", "interval day to second", l1("CREATE TABLE kunder")},
		{u2, "kunder", "fodselsnummer", "varchar(11)", 3},
		{u2, "public.kunder", "a", "int", l2("IF NOT EXISTS a")},
		{u2, "public.kunder", "b", "date", l2("IF NOT EXISTS a")},
		{u2, "kunder", "fullt_navn", "", l2("fullt_navn")},
		{u2, "kunder", "postnummer", "", l2("RENAME postnr")},
		{u2, "kunder", "postnummer", "varchar(10)", l2("SET DATA TYPE")},
		{"sub/004_broken.sql", "ok", "a", "int", 3},
	}
	if l2("fodselsnummer") != 3 {
		t.Fatal("fixture moved")
	}
	compare(t, recs, want)
}

func compare(t *testing.T, got, want []rec) {
	t.Helper()
	n := max(len(got), len(want))
	for i := range n {
		var g, w rec
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("field %d:\n got %v\nwant %v", i, g, w)
		}
	}
}

const my001 = "# MySQL migration\n" +
	"/*!40101 SET NAMES utf8mb4 */;\n" +
	"CREATE TABLE IF NOT EXISTS `kunder` (\n" +
	"  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,\n" +
	"  `fnr` char(11) COLLATE utf8mb4_danish_ci DEFAULT NULL COMMENT 'fødselsnummer; it''s secret',\n" +
	"  `status` enum('Aktiv','Slettet') NOT NULL DEFAULT 'Aktiv',\n" +
	"  `note` varchar(100) CHARACTER SET utf8mb4 COMMENT \"x; y \\\" z\",\n" +
	"  `total` decimal(10,2) GENERATED ALWAYS AS (`a` * 2) STORED,\n" +
	"  `esc` text COMMENT 'back\\'slash; here', # trailing comment; with semicolon\n" +
	"  `key` varchar(20) -- a column called key\n" +
	"  , `ts` timestamp(3) NULL ON UPDATE CURRENT_TIMESTAMP(3),\n" +
	"  PRIMARY KEY (`id`),\n" +
	"  UNIQUE KEY `fnr_uq` (`fnr`),\n" +
	"  KEY `idx_status` (`status`),\n" +
	"  INDEX idx2 USING BTREE (`note`),\n" +
	"  FULLTEXT KEY ft (`note`),\n" +
	"  KEY `idx_prefix` (`note`(10), `fnr`),\n" +
	"  CONSTRAINT `fk` FOREIGN KEY (`id`) REFERENCES `x` (`id`) ON DELETE CASCADE\n" +
	") ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4 COMMENT='kunder; tabell';\n" +
	"ALTER TABLE `shop`.`kunder` CHANGE COLUMN `fnr` `personnummer` char(11) NOT NULL,\n" +
	"  MODIFY `note` text AFTER `id`, RENAME COLUMN `status` TO `tilstand`,\n" +
	"  ADD INDEX (`note`), ADD COLUMN (`a1` int, `a2` varchar(5)), ADD `a3` bigint FIRST,\n" +
	"  CHANGE gammel ny tinyint(1) DEFAULT '0', MODIFY COLUMN m datetime, ALGORITHM=INPLACE;\n" +
	"DELIMITER $$\n" +
	"CREATE TRIGGER t BEFORE INSERT ON kunder FOR EACH ROW BEGIN\n" +
	"  SET NEW.x = 1; ALTER TABLE foo ADD bar int;\n" +
	"END$$\n" +
	"DELIMITER ;\n" +
	"CREATE TABLE after_delim (id int); CREATE TABLE same_line (`x` json);\n"

func TestMySQL(t *testing.T) {
	dir := writeFiles(t, map[string]string{"V1__kunder.sql": my001})
	src, err := New(filepath.Join(dir, "V1__kunder.sql"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	names, recs := scanAll(t, src)
	if !reflect.DeepEqual(names, []string{"V1__kunder.sql"}) {
		t.Errorf("units %q", names)
	}
	u := "V1__kunder.sql"
	l := func(s string) int { return lineOf(t, my001, s) }
	want := []rec{
		{u, "kunder", "id", "int(10) unsigned", l("`id`")},
		{u, "kunder", "fnr", "char(11)", l("`fnr` char")},
		{u, "kunder", "status", "enum('Aktiv','Slettet')", l("`status` enum")},
		{u, "kunder", "note", "varchar(100)", l("`note` varchar")},
		{u, "kunder", "total", "decimal(10,2)", l("`total`")},
		{u, "kunder", "esc", "text", l("`esc`")},
		{u, "kunder", "key", "varchar(20)", l("`key`")},
		{u, "kunder", "ts", "timestamp(3)", l("`ts`")},
		{u, "shop.kunder", "personnummer", "char(11)", l("CHANGE COLUMN")},
		{u, "shop.kunder", "note", "text", l("MODIFY `note`")},
		{u, "shop.kunder", "tilstand", "", l("MODIFY `note`")},
		{u, "shop.kunder", "a1", "int", l("`a1`")},
		{u, "shop.kunder", "a2", "varchar(5)", l("`a1`")},
		{u, "shop.kunder", "a3", "bigint", l("`a1`")},
		{u, "shop.kunder", "ny", "tinyint(1)", l("CHANGE gammel")},
		{u, "shop.kunder", "m", "datetime", l("CHANGE gammel")},
		{u, "after_delim", "id", "int", l("after_delim")},
		{u, "same_line", "x", "json", l("after_delim")},
	}
	compare(t, recs, want)
}

func TestOptionsAndErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a/001.sql":        "CREATE TABLE a (x int);",
		"a/002.SQL":        "CREATE TABLE b (y int);",
		"vendor/000.sql":   "CREATE TABLE v (z int);",
		"a/down/001.sql":   "CREATE TABLE d (w int);",
		"notes/readme.txt": "CREATE TABLE n (x int);",
	})
	for _, tc := range []struct {
		opt  Options
		want []string
	}{
		{Options{}, []string{"a/001.sql", "a/002.SQL", "a/down/001.sql", "vendor/000.sql"}},
		{Options{Exclude: []string{"vendor"}}, []string{"a/001.sql", "a/002.SQL", "a/down/001.sql"}},
		{Options{Exclude: []string{"**/down/**"}}, []string{"a/001.sql", "a/002.SQL", "vendor/000.sql"}},
		{Options{Include: []string{"a/*"}}, []string{"a/001.sql", "a/002.SQL"}},
	} {
		src, err := New(dir, tc.opt)
		if err != nil {
			t.Fatal(err)
		}
		names, _ := scanAll(t, src)
		if !reflect.DeepEqual(names, tc.want) {
			t.Errorf("%+v: units %q, want %q", tc.opt, names, tc.want)
		}
	}
	// A symlinked root is walked; links below it are not followed.
	link := filepath.Join(t.TempDir(), "migrations")
	if err := os.Symlink(filepath.Join(dir, "a"), link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "vendor", "000.sql"), filepath.Join(dir, "a", "link.sql")); err != nil {
		t.Fatal(err)
	}
	src, err := New(link, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var units []string
	src.Units(context.Background(), func(u connectors.Unit) error {
		units = append(units, u.Name+" "+u.Skip)
		return nil
	})
	if want := []string{"001.sql ", "002.SQL ", "down/001.sql ", "link.sql symlink (not followed)"}; !reflect.DeepEqual(units, want) || src.Location() != link {
		t.Errorf("symlinked root: units %q location %q", units, src.Location())
	}
	os.Remove(filepath.Join(dir, "a", "link.sql"))

	if _, err := New(dir, Options{Include: []string{"["}}); err == nil {
		t.Error("bad glob accepted")
	}
	if _, err := New(filepath.Join(dir, "missing"), Options{}); err == nil {
		t.Error("missing root accepted")
	}

	// A file that disappears after listing cannot be read: an error.
	src, _ = New(dir, Options{Include: []string{"a/001.sql"}})
	err = src.Units(context.Background(), func(u connectors.Unit) error {
		os.Remove(filepath.Join(dir, "a", "001.sql"))
		return u.Read(context.Background(), &recSink{t: t, unit: u.Name})
	})
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("read of a removed file: %v", err)
	}
}

// TestLexer checks line tracking and statement splitting on edge cases.
func TestLexer(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []rec
	}{
		{"unterminated string", "CREATE TABLE t (a int DEFAULT 'x;\nCREATE TABLE u (b int);", []rec{{"", "t", "a", "int", 1}}},
		{"unterminated comment", "CREATE TABLE t (a int); /* CREATE TABLE u (b int);", []rec{{"", "t", "a", "int", 1}}},
		{"unterminated dollar", "CREATE TABLE t (a int); SELECT $x$ CREATE TABLE u (b int);", []rec{{"", "t", "a", "int", 1}}},
		{"dollar param", "CREATE TABLE t (a int); PREPARE p AS SELECT $1;\nCREATE TABLE u (b int);", []rec{{"", "t", "a", "int", 1}, {"", "u", "b", "int", 2}}},
		{"crlf", "CREATE TABLE t (\r\n a int,\r\n b text\r\n);", []rec{{"", "t", "a", "int", 2}, {"", "t", "b", "text", 3}}},
		{"multiline string", "CREATE TABLE t (a text DEFAULT 'x\ny\nz',\n b int);", []rec{{"", "t", "a", "text", 1}, {"", "t", "b", "int", 4}}},
		{"hash operator", "SELECT a #> '{x}' FROM t;\nCREATE TABLE t (a int);", []rec{{"", "t", "a", "int", 2}}},
		{"postgres backslash", "UPDATE cars SET engine = 'C:\\';\nCREATE TABLE t (a int);", []rec{{"", "t", "a", "int", 2}}},
		{"mysql backslash", "CREATE TABLE t (a int AUTO_INCREMENT) ENGINE = InnoDB COMMENT 'x\\';\nCREATE TABLE u (b int);';\nCREATE TABLE v (c int);",
			[]rec{{"", "t", "a", "int", 1}, {"", "v", "c", "int", 3}}},
		{"hash comment at line start", "# CREATE TABLE x (y int);\nCREATE TABLE t (a int);", []rec{{"", "t", "a", "int", 2}}},
		{"temporary unlogged", "CREATE UNLOGGED TABLE t (a int); CREATE TEMPORARY TABLE u (b int);", []rec{{"", "t", "a", "int", 1}, {"", "u", "b", "int", 1}}},
		{"quoted escape", `CREATE TABLE "my ""t""" ("a""b" "MyType");`, []rec{{"", `my "t"`, `a"b`, "mytype", 1}}},
		{"no type", "CREATE TABLE t (a, b) AS SELECT 1, 2;", []rec{{"", "t", "a", "", 1}, {"", "t", "b", "", 1}}},
		{"like", "CREATE TABLE t (LIKE u INCLUDING ALL, extra int);", []rec{{"", "t", "extra", "int", 1}}},
		{"partition of", "CREATE TABLE t PARTITION OF u FOR VALUES IN (1);", nil},
		{"other statements", "CREATE INDEX i ON t (a); DROP TABLE t; ALTER TABLE t DROP COLUMN a; ALTER TABLE t OWNER TO x;", nil},
		{"long type", "CREATE TABLE t (a time(3) without time zone, b bit varying(8), c national character varying(5) NOT NULL);",
			[]rec{{"", "t", "a", "time(3) without time zone", 1}, {"", "t", "b", "bit varying(8)", 1}, {"", "t", "c", "national character varying(5)", 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &recSink{t: t}
			if err := Parse(context.Background(), strings.NewReader(tc.src), s); err != nil {
				t.Fatal(err)
			}
			compare(t, s.recs, tc.want)
		})
	}
}
