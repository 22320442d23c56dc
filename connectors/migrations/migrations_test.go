package migrations

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"datakart/connectors"
)

func TestParse(t *testing.T) {
	pg := `-- 001: customers. CREATE TABLE fake (fnr text); is only a comment
CREATE TABLE IF NOT EXISTS "public"."Kunder" (
    id bigserial PRIMARY KEY,
    "Navn" varchar(200) NOT NULL DEFAULT 'x(y);z',
    epost text[],
    saldo numeric(12, 2),
    opprettet timestamp with time zone DEFAULT now(),
    CONSTRAINT kunder_pk UNIQUE (epost),
    FOREIGN KEY (id) REFERENCES other (id)
);
CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $body$
BEGIN
  ALTER TABLE kunder ADD COLUMN ssn text; -- inside a function: ignored
  RETURN NEW;
END $body$ LANGUAGE plpgsql;
/* a block
   comment; with a semicolon */
ALTER TABLE ONLY public.kunder
    ADD COLUMN IF NOT EXISTS fodselsnummer varchar(11),
    ADD COLUMN telefon text;
ALTER TABLE public.kunder RENAME COLUMN telefon TO mobil;
ALTER TABLE public.kunder ALTER COLUMN saldo TYPE numeric(14,2);
CREATE INDEX kunder_epost ON public.kunder (epost);
INSERT INTO public.kunder (fodselsnummer) VALUES ('10048744732');
`
	my := "CREATE TABLE `ansatte` (\n" +
		"  `id` int NOT NULL AUTO_INCREMENT,\n" +
		"  `e-post` varchar(100) COMMENT 'work; or private',\n" +
		"  `status` enum('a','b') DEFAULT 'a',\n" +
		"  PRIMARY KEY (`id`),\n" +
		"  KEY `idx` (`e-post`)\n" +
		") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n" +
		"# a MySQL comment\n" +
		"ALTER TABLE `ansatte` CHANGE COLUMN `e-post` `epost` varchar(120), MODIFY `status` varchar(10);\n"
	for _, tt := range []struct {
		name, src string
		want      []column
	}{
		{"postgres", pg, []column{
			{"public.Kunder", "id", "bigserial", 3},
			{"public.Kunder", "Navn", "varchar(200)", 4},
			{"public.Kunder", "epost", "text[]", 5},
			{"public.Kunder", "saldo", "numeric(12,2)", 6},
			{"public.Kunder", "opprettet", "timestamp with time zone", 7},
			{"public.kunder", "fodselsnummer", "varchar(11)", 19},
			{"public.kunder", "telefon", "text", 20},
			{"public.kunder", "mobil", "", 21},
			{"public.kunder", "saldo", "numeric(14,2)", 22},
		}},
		{"mysql", my, []column{
			{"ansatte", "id", "int", 2},
			{"ansatte", "e-post", "varchar(100)", 3},
			{"ansatte", "status", "enum('','')", 4},
			{"ansatte", "epost", "varchar(120)", 9},
			{"ansatte", "status", "varchar(10)", 9},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := parse(tt.src)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

type recorder struct {
	part   string
	fields []string
}

func (r *recorder) Begin(p connectors.Part)      { r.part = p.Path }
func (r *recorder) Fields(...string)             {}
func (r *recorder) Value(connectors.Value) error { return nil }
func (r *recorder) PartError(error)              {}
func (r *recorder) PartSkipped(string)           {}
func (r *recorder) Sampled(int64, string)        {}
func (r *recorder) FieldInfo(n, typ string, l int) {
	r.fields = append(r.fields, r.part+"."+n+":"+typ)
}

func TestSource(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "002_b.sql"), []byte("ALTER TABLE t ADD COLUMN fnr char(11);"), 0o644)
	os.WriteFile(filepath.Join(dir, "001_a.sql"), []byte("CREATE TABLE t (epost text);"), 0o644)
	os.WriteFile(filepath.Join(dir, "README.md"), []byte("notes"), 0o644)
	if !Looks(dir) {
		t.Error("a folder of .sql files and a README is migrations")
	}
	src, err := New(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	var names []string
	src.Units(context.Background(), func(u connectors.Unit) error {
		names = append(names, u.Name)
		return u.Read(context.Background(), rec)
	})
	if !slices.Equal(names, []string{"001_a.sql", "002_b.sql"}) || !slices.Equal(rec.fields, []string{"t.epost:text", "t.fnr:char(11)"}) {
		t.Errorf("units %q, fields %q", names, rec.fields)
	}
	os.WriteFile(filepath.Join(dir, "data.csv"), []byte("a\n1\n"), 0o644)
	if Looks(dir) {
		t.Error("a folder with a CSV is not only migrations")
	}
}

func FuzzParse(f *testing.F) {
	f.Add("CREATE TABLE a (b int, c varchar(3) DEFAULT 'x', PRIMARY KEY (b));")
	f.Add("ALTER TABLE a ADD COLUMN b text, RENAME COLUMN b TO c; $$ x $$ /* unterminated")
	f.Add("CREATE TABLE `a` (`b` enum('x','y')) ENGINE=InnoDB; # comment\n'unterminated")
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range parse(s) {
			if c.line < 1 {
				t.Fatalf("column %+v without a line", c)
			}
		}
	})
}
