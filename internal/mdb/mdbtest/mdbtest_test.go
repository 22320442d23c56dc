package mdbtest

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fixtures returns the tables the mdbtools checks run on: a 2000-row table
// spanning many data pages, a table with spaces and æøå in its names and
// memos inline, on one LVAL page and on LVAL chains, a table without
// variable columns, and an empty table.
func fixtures() []Table {
	kunder := Table{Name: "Kunder", Columns: []Column{
		{"ID", TypeLong}, {"Navn", TypeText}, {"Saldo", TypeDouble}, {"Opprettet", TypeDateTime}, {"Notat", TypeMemo},
	}}
	base := time.Date(1995, 3, 1, 8, 15, 30, 0, time.UTC)
	for i := range 2000 {
		row := []any{
			int32(i*37 - 1000),
			fmt.Sprintf("Kunde nr %d Ærøskøbing-Åsen", i),
			float64(i)*1.25 - 17.0/3,
			base.Add(time.Duration(i) * 36 * time.Hour).Add(time.Duration(i) * time.Second),
			fmt.Sprintf("Notat %d: \"sitat\", komma og æøå", i),
		}
		// NULLs in every column, in varying combinations.
		for c := range row {
			if (i+c)%11 == 0 {
				row[c] = nil
			}
		}
		kunder.Rows = append(kunder.Rows, row)
	}

	words := "Blåbærsyltetøy på Ærøy, østlig for Åsgårdstrand. "
	personer := Table{Name: "Personer på Ålesund", Columns: []Column{
		{"Fullt navn", TypeText}, {"Fødselsdato", TypeDateTime}, {"Lang merknad", TypeMemo}, {"Nr på rad", TypeLong}, {"Høyde i m", TypeDouble},
	}}
	memos := []any{
		"Kort merknad æøå",                      // inline
		strings.Repeat("abcdefghij", 80),        // 800 Latin-1 characters: one LVAL row, compressed when asked
		strings.Repeat(words, 38),               // ~1900 characters, too long to compress: one LVAL row
		strings.Repeat(words, 180) + "slutt",    // ~9000 characters: a chain of LVAL rows
		strings.Repeat("Pris 5 € – "+words, 50), // not Latin-1, so never compressed; a chain
		nil,
		"linje 1\nlinje 2 med \"anførsel\"",
		strings.Repeat("Ål og ørret. ", 25), // 325 characters: an LVAL row sharing a page with the chain's end
	}
	for i, m := range memos {
		name := any(fmt.Sprintf("Åse Ødegård nr %d", i))
		if i == 4 {
			name = "Zoë Łukasiewicz (€)" // outside Latin-1
		}
		if i == 5 {
			name = nil
		}
		personer.Rows = append(personer.Rows, []any{
			name, time.Date(1900+i*17, time.Month(1+i), 1+i*3, i, i*7, i*5, 0, time.UTC), m, int32(i + 1), 1.5 + float64(i)/10,
		})
	}

	målinger := Table{Name: "Målinger", Columns: []Column{{"Verdi", TypeDouble}, {"Tid", TypeDateTime}, {"Teller", TypeLong}}}
	for i := range 300 {
		målinger.Rows = append(målinger.Rows, []any{float64(i) / 7, time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC).AddDate(0, 0, -i), int32(-i)})
	}
	målinger.Rows[3][1] = nil

	tom := Table{Name: "Tom tabell", Columns: []Column{{"A", TypeText}, {"B", TypeLong}}}
	return []Table{kunder, personer, målinger, tom}
}

// requireMdbtools skips the test when mdbtools is missing, unless CI=true.
func requireMdbtools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"mdb-ver", "mdb-tables", "mdb-schema", "mdb-export"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not installed (apt-get install mdbtools)", tool)
			}
			t.Skipf("%s not installed (apt-get install mdbtools)", tool)
		}
	}
}

// run runs an mdbtools command and fails on an error or any message on
// stderr (mdbtools reports broken pages and maps there but carries on).
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("%s %q: %v\n%s", name, args, err, stderr.String())
	}
	return stdout.String()
}

func TestMdbtoolsAcceptsFiles(t *testing.T) {
	requireMdbtools(t)
	tables := fixtures()
	for _, compress := range []bool{false, true} {
		t.Run(fmt.Sprintf("CompressText=%v", compress), func(t *testing.T) {
			data, err := Write(tables, Options{CompressText: compress})
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(t.TempDir(), "test.mdb")
			if err := os.WriteFile(file, data, 0o644); err != nil {
				t.Fatal(err)
			}

			if v := run(t, "mdb-ver", file); v != "JET4\n" {
				t.Errorf("mdb-ver: %q", v)
			}

			var names []string
			for _, tb := range tables {
				names = append(names, tb.Name)
			}
			if got := run(t, "mdb-tables", "-1", file); got != strings.Join(names, "\n")+"\n" {
				t.Errorf("mdb-tables -1:\n%s\nwant:\n%s", got, strings.Join(names, "\n"))
			}

			schema := run(t, "mdb-schema", file)
			for _, tb := range tables {
				checkSchema(t, schema, tb)
			}

			for _, tb := range tables {
				out := run(t, "mdb-export", "-D", "%Y-%m-%d", "-T", "%Y-%m-%d %H:%M:%S", file, tb.Name)
				checkExport(t, out, tb)
			}
		})
	}
}

var mdbType = map[byte]string{
	TypeLong: "Long Integer", TypeDouble: "Double", TypeDateTime: "DateTime",
	TypeText: "Text (255)", TypeMemo: "Memo/Hyperlink (255)",
}

func checkSchema(t *testing.T, schema string, tb Table) {
	t.Helper()
	start := strings.Index(schema, "CREATE TABLE ["+tb.Name+"]\n")
	if start < 0 {
		t.Errorf("mdb-schema: no CREATE TABLE [%s]", tb.Name)
		return
	}
	block := schema[start:]
	block = block[:strings.Index(block, ");")]
	var got []string
	for _, m := range regexp.MustCompile(`\t\[([^\]]+)\]\t+([^,\n]+?),? *\n`).FindAllStringSubmatch(block, -1) {
		got = append(got, m[1]+": "+m[2])
	}
	var want []string
	for _, c := range tb.Columns {
		want = append(want, c.Name+": "+mdbType[c.Type])
	}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("mdb-schema %s:\n got %q\nwant %q", tb.Name, got, want)
	}
}

func checkExport(t *testing.T, out string, tb Table) {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("mdb-export %s: %v", tb.Name, err)
	}
	var header []string
	for _, c := range tb.Columns {
		header = append(header, c.Name)
	}
	if len(recs) == 0 || strings.Join(recs[0], "|") != strings.Join(header, "|") {
		t.Fatalf("mdb-export %s: header %q", tb.Name, recs[:min(1, len(recs))])
	}
	if len(recs)-1 != len(tb.Rows) {
		t.Fatalf("mdb-export %s: %d rows, want %d", tb.Name, len(recs)-1, len(tb.Rows))
	}
	for i, row := range tb.Rows {
		for c, v := range row {
			if got, ok := recs[i+1][c], sameValue(recs[i+1][c], v); !ok {
				t.Errorf("%s row %d %s: got %.80q, want %.80q", tb.Name, i, tb.Columns[c].Name, got, fmt.Sprint(v))
			}
		}
	}
}

// sameValue compares an mdb-export field with the value written. mdbtools
// prints NULL as an empty field, doubles with 16 significant digits, and
// dates with the -T format.
func sameValue(got string, v any) bool {
	switch v := v.(type) {
	case nil:
		return got == ""
	case string:
		return got == v
	case int32:
		return got == strconv.Itoa(int(v))
	case float64:
		// %.16g: one digit short of what round-trips every double.
		f, err := strconv.ParseFloat(got, 64)
		g, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 16, 64), 64)
		return err == nil && f == g
	case time.Time:
		return got == v.Format("2006-01-02 15:04:05")
	}
	return false
}

// TestLayout checks the properties the fixtures are meant to have, so the
// mdbtools test really covers several data pages and LVAL chains.
func TestLayout(t *testing.T) {
	tables := fixtures()
	data, err := Write(tables, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(data)%pageSize != 0 {
		t.Fatalf("size %d is not a whole number of pages", len(data))
	}
	owners := map[uint32]int{}
	lval := 0
	for p := 0; p < len(data); p += pageSize {
		pg := data[p : p+pageSize]
		if pg[0] == 0x01 {
			if string(pg[4:8]) == "LVAL" {
				lval++
			} else {
				owners[binary.LittleEndian.Uint32(pg[4:])]++
			}
		}
	}
	if owners[3] < 10 { // Kunder's TDEF is page 3
		t.Errorf("Kunder spans %d data pages, want many", owners[3])
	}
	if lval < 4 {
		t.Errorf("%d LVAL pages, want chains over several", lval)
	}
	// Page 0 must decode to Jet 4 with no database key.
	h := append([]byte(nil), data[:pageSize]...)
	rc4XOR(h[0x18:0x98], []byte{0xC7, 0xDA, 0x39, 0x6B})
	if h[0x14] != 1 || binary.LittleEndian.Uint32(h[0x3E:]) != 0 || binary.LittleEndian.Uint16(h[0x6E:]) != 0x0409 {
		t.Errorf("header: version %d key %x sort %x", h[0x14], h[0x3E:0x42], h[0x6E:0x70])
	}
}

func TestWriteRejects(t *testing.T) {
	cols := []Column{{"A", TypeText}}
	for name, tables := range map[string][]Table{
		"value type":  {{Name: "T", Columns: []Column{{"A", TypeLong}}, Rows: [][]any{{5}}}},
		"long text":   {{Name: "T", Columns: cols, Rows: [][]any{{strings.Repeat("x", 256)}}}},
		"column type": {{Name: "T", Columns: []Column{{"A", 0x01}}}},
		"row width":   {{Name: "T", Columns: cols, Rows: [][]any{{"a", "b"}}}},
		"duplicate":   {{Name: "T", Columns: cols}, {Name: "t", Columns: cols}},
		"reserved":    {{Name: "MSysObjects", Columns: cols}},
		"row too big": {{Name: "T", Columns: []Column{{"A", TypeText}, {"B", TypeText}, {"C", TypeText}, {"D", TypeText}, {"E", TypeText}, {"F", TypeText}, {"G", TypeText}, {"H", TypeText}, {"I", TypeText}},
			Rows: [][]any{{strings.Repeat("x", 255), strings.Repeat("x", 255), strings.Repeat("x", 255), strings.Repeat("x", 255), strings.Repeat("x", 255), strings.Repeat("x", 255), strings.Repeat("x", 255), strings.Repeat("x", 255), strings.Repeat("x", 255)}}}},
	} {
		if _, err := Write(tables, Options{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
