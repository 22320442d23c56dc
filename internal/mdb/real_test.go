package mdb_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"datakart/internal/mdb"
	"datakart/internal/realfiles"
)

// TestRealFiles reads databases Access wrote and checks them against
// mdbtools: the same tables, the same rows, and the same text in every
// text and memo cell.
func TestRealFiles(t *testing.T) {
	for _, c := range []struct{ pkg, name string }{
		{"mdb-parse-1.0.4.tgz", "package/test/fruit.mdb"},
		{"node-adodb-5.0.3.tgz", "package/examples/node-adodb.mdb"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := realfiles.Path(t, c.pkg, c.name)
			for _, tool := range []string{"mdb-tables", "mdb-export"} {
				if _, err := exec.LookPath(tool); err != nil {
					if os.Getenv("CI") == "true" {
						t.Fatalf("%s not installed (scripts/readers installs mdbtools)", tool)
					}
					t.Skipf("%s not installed", tool)
				}
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, tables := openTables(t, b)
			var names []string
			for _, tb := range tables {
				names = append(names, tb.Name)
				ours, theirs := textCells(t, f, tb), exportedText(t, path, tb)
				if !slices.Equal(ours, theirs) {
					t.Errorf("%s: %d text cells, mdb-export %d; not the same", tb.Name, len(ours), len(theirs))
				}
			}
			out, err := exec.Command("mdb-tables", "-1", path).Output()
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.Fields(strings.ReplaceAll(strings.TrimSpace(string(out)), " ", "_")); len(want) != len(names) {
				t.Errorf("tables %q, mdb-tables %q", names, out)
			}
		})
	}
}

// textCells returns a table's rows as "row|column|text" for its text
// and memo cells, sorted.
func textCells(t *testing.T, f *mdb.File, tb *mdb.Table) []string {
	var cells []string
	row := 0
	err := f.Rows(tb, func(r []mdb.Value, err error) error {
		if err != nil {
			t.Errorf("%s: %v", tb.Name, err)
		}
		row++
		for i, v := range r {
			if c := tb.Columns[i]; v.Data != nil && (c.Type == mdb.TypeText || c.Type == mdb.TypeMemo) {
				cells = append(cells, strings.Join([]string{strings.Repeat("#", row), c.Name, string(v.Data)}, "|"))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(cells)
	return cells
}

// exportedText is textCells of what mdb-export writes for the table.
func exportedText(t *testing.T, path string, tb *mdb.Table) []string {
	out, err := exec.Command("mdb-export", path, tb.Name).Output()
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil || len(records) == 0 {
		t.Fatalf("mdb-export %s: %v", tb.Name, err)
	}
	text := map[string]bool{}
	for _, c := range tb.Columns {
		text[c.Name] = c.Type == mdb.TypeText || c.Type == mdb.TypeMemo
	}
	var cells []string
	for i, r := range records[1:] {
		for j, v := range r {
			if h := records[0][j]; text[h] && v != "" {
				cells = append(cells, strings.Join([]string{strings.Repeat("#", i+1), h, v}, "|"))
			}
		}
	}
	slices.Sort(cells)
	return cells
}
