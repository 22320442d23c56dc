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
// variable columns, an empty table, and a table of wide rows. For Jet 3
// the text is all in cp1252.
func fixtures(jet3 bool) []Table {
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
			if jet3 {
				name = "Zoë Lukasiewicz (€ – “sitat”)" // in cp1252, outside Latin-1
			}
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
	return []Table{kunder, personer, målinger, tom, wideRows()}
}

// wideRows is a table whose rows have from 230 to 1030 bytes of variable
// data, in steps of one byte around 256, 512 and 768: Jet 3 keeps the
// offsets of those in one byte and a jump table past each 256 bytes,
// with a dummy entry where only the row's trailer crosses a boundary.
func wideRows() Table {
	t := Table{Name: "Brede rader", Columns: []Column{
		{"Nr", TypeLong}, {"A", TypeText}, {"B", TypeText}, {"C", TypeText}, {"Merknad", TypeMemo},
	}}
	var sizes []int
	for _, around := range []int{256, 512, 768} {
		for n := around - 30; n <= around+30; n++ {
			sizes = append(sizes, n)
		}
	}
	sizes = append(sizes, 1030)
	for i, n := range sizes {
		// Fill A, B and C with up to 255 characters each, the memo with the
		// rest (held in the row, behind its 12-byte header).
		row := []any{int32(i), nil, nil, nil, nil}
		for c, ch := range []string{"æ", "x", "ø"} {
			k := min(n, 255)
			if c == 2 && n-k > 0 && n-k < 13 {
				k = n - 13 // leave the memo room for its header and a character
			}
			if k > 0 {
				row[1+c] = strings.Repeat(ch, k)
			}
			n -= k
		}
		if n > 0 {
			row[4] = strings.Repeat("å", n-12)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
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

// formats are the kinds of file the tests write: Jet 4 plain and with
// Unicode compression, and Jet 3.
var formats = []struct {
	name string
	opt  Options
	ver  string // as mdb-ver prints it
}{
	{"jet4", Options{}, "JET4"},
	{"jet4/CompressText", Options{CompressText: true}, "JET4"},
	{"jet3", Options{Jet3: true}, "JET3"},
}

func TestMdbtoolsAcceptsFiles(t *testing.T) {
	requireMdbtools(t)
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			tables := fixtures(f.opt.Jet3)
			data, err := Write(tables, f.opt)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(t.TempDir(), "test.mdb")
			if err := os.WriteFile(file, data, 0o644); err != nil {
				t.Fatal(err)
			}

			if v := run(t, "mdb-ver", file); v != f.ver+"\n" {
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
// mdbtools test really covers several data pages and LVAL chains, and, in
// Jet 3, rows with a jump table.
func TestLayout(t *testing.T) {
	for _, f := range []format{jet4, jet3} {
		t.Run(fmt.Sprint("jet3=", f.jet3), func(t *testing.T) {
			data, err := Write(fixtures(f.jet3), Options{Jet3: f.jet3})
			if err != nil {
				t.Fatal(err)
			}
			if len(data)%f.pageSize != 0 {
				t.Fatalf("size %d is not a whole number of pages", len(data))
			}
			owners := map[uint32]int{}
			lval, jumps := 0, map[int]int{}
			for p := 0; p < len(data); p += f.pageSize {
				pg := data[p : p+f.pageSize]
				if pg[0] != 0x01 {
					continue
				}
				if string(pg[4:8]) == "LVAL" {
					lval++
					continue
				}
				owners[binary.LittleEndian.Uint32(pg[4:])]++
				n := int(binary.LittleEndian.Uint16(pg[f.dataHeader-2:]))
				for i := range n {
					end := f.pageSize
					if i > 0 {
						end = int(binary.LittleEndian.Uint16(pg[f.dataHeader+2*(i-1):]))
					}
					start := int(binary.LittleEndian.Uint16(pg[f.dataHeader+2*i:]))
					jumps[(end-start-1)/256]++
				}
			}
			if owners[3] < 10 { // Kunder's TDEF is page 3
				t.Errorf("Kunder spans %d data pages, want many", owners[3])
			}
			if lval < 4 {
				t.Errorf("%d LVAL pages, want chains over several", lval)
			}
			if f.jet3 && (jumps[1] == 0 || jumps[2] == 0 || jumps[3] == 0 || jumps[4] == 0) {
				t.Errorf("rows by the length of their jump table: %v, want 1 to 4 entries", jumps)
			}
			// Page 0 must decode to the version, with no database key.
			h := append([]byte(nil), data[:f.pageSize]...)
			version, sort, masked := byte(1), 0x6E, 128
			if f.jet3 {
				version, sort, masked = 0, 0x3A, 126
			}
			rc4XOR(h[0x18:0x18+masked], []byte{0xC7, 0xDA, 0x39, 0x6B})
			if h[0x14] != version || binary.LittleEndian.Uint32(h[0x3E:]) != 0 || binary.LittleEndian.Uint16(h[sort:]) != 0x0409 || binary.LittleEndian.Uint16(h[0x3C:]) != 1252 {
				t.Errorf("header: version %d key %x sort %x", h[0x14], h[0x3E:0x42], h[sort:sort+2])
			}
			if f.jet3 && h[0x18+126] != 0 {
				t.Error("Jet 3 masked more than 126 bytes")
			}
		})
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
	for name, tables := range map[string][]Table{
		"not cp1252":        {{Name: "T", Columns: cols, Rows: [][]any{{"Łódź"}}}},
		"column not cp1252": {{Name: "T", Columns: []Column{{"Ł", TypeText}}}},
		"table not cp1252":  {{Name: "Ł", Columns: cols}},
		"memo not cp1252":   {{Name: "T", Columns: []Column{{"M", TypeMemo}}, Rows: [][]any{{"ok, then Ł"}}}},
		"long column name":  {{Name: "T", Columns: []Column{{strings.Repeat("x", 65), TypeText}}}},
		"too many columns":  {{Name: "T", Columns: manyColumns(256)}},
	} {
		if _, err := Write(tables, Options{Jet3: true}); err == nil {
			t.Errorf("Jet 3 %s: no error", name)
		}
	}
	if _, err := Write(nil, Options{Jet3: true, CompressText: true}); err == nil {
		t.Error("Jet 3 with Unicode compression: no error")
	}
}

func manyColumns(n int) []Column {
	var cs []Column
	for i := range n {
		cs = append(cs, Column{fmt.Sprint("c", i), TypeLong})
	}
	return cs
}
