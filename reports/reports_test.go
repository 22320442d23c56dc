package reports

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"datakart/detectors"
	"datakart/inventory"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fixture is a small inventory with the shapes reports must handle: a
// column with a validated category and a name hint, a name hint with no
// values, the free text of a file, a context-only category, an archive
// member, an error and a skipped file, names that need escaping, and a
// database table read whole with its pace.
func fixture() *inventory.Inventory {
	inv := &inventory.Inventory{
		SchemaVersion: inventory.SchemaVersion,
		Tool:          inventory.Tool{Name: "datakart", Version: "test"},
		StartedAt:     time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC),
		FinishedAt:    time.Date(2026, 11, 28, 10, 0, 2, 0, time.UTC),
		Complete:      true,
		Targets:       []string{"./exports"},
		Settings:      inventory.Settings{Concurrency: 2, ShowValues: "masked", FingerprintKey: "flag", RulesFingerprint: "0123456789abcdef"},
		Stores: []inventory.Store{{
			Kind: "files", Location: "/data/exports",
			Containers: []inventory.Container{
				{Name: "hr/payroll.csv", Kind: "csv", Bytes: 2048, Values: 400, Fields: []inventory.Field{
					{Name: "fødselsnummer", Examined: 50, NonNull: 50, Categories: []inventory.Category{{
						ID: "no_fnr", Class: "national_id", Personal: true, Variants: inventory.Counts{{Name: "d_number", N: 4}},
						Confidence: detectors.High, Explanation: `50 of 50 non-empty values hold a valid no_fnr (50 distinct); column name "fødselsnummer" agrees`,
						Matches: 50, MatchedValues: 50, Examined: 50, Distinct: 50, Share: 1, ByConfidence: inventory.Counts{{Name: "medium", N: 50}},
						NameHint: true, NameRule: "fodselsnummer", Lines: []int{2, 3, 4},
						Examples: []string{"******-***45", "******-***12"}, Fingerprints: []string{"a1b2c3d4e5f60718", "0f1e2d3c4b5a6978"},
					}}},
					{Name: "ssn_old", Examined: 50, Categories: []inventory.Category{{
						ID: "no_fnr", Class: "national_id", Personal: true, Variants: nil, Confidence: detectors.Medium,
						Explanation: `column name "ssn_old" suggests no_fnr; name hint only, 0 validated values (50 examined, all empty)`,
						Examined:    50, NameHint: true, NameRule: "ssn", ByConfidence: nil, Examples: []string{}, Fingerprints: []string{},
					}}},
					{Name: "kid", Examined: 50, NonNull: 50, Categories: []inventory.Category{{
						ID: "kid", Class: "none", Personal: false, Variants: nil, Confidence: detectors.Medium,
						Explanation: `column name "kid" suggests kid`, Examined: 50, NameHint: true, NameRule: "kid",
						ByConfidence: nil, Examples: []string{}, Fingerprints: []string{},
					}}},
				}},
				{Name: "support/tickets | 2024.txt", Kind: "text", Bytes: 9000, Values: 3, Fields: []inventory.Field{
					{Name: "", Examined: 3, NonNull: 3, Categories: []inventory.Category{{
						ID: "email", Class: "ordinary", Personal: true, Variants: nil, Confidence: detectors.High,
						Explanation: "3 valid email in the text (2 distinct)", Matches: 3, MatchedValues: 2, Examined: 3, Distinct: 2,
						ByConfidence: inventory.Counts{{Name: "high", N: 3}}, Lines: []int{7, 19}, Examples: []string{"o***@o***.no"}, Fingerprints: []string{"99aa88bb77cc66dd"},
					}}},
				}},
				{Name: "archive/x.zip!=cmd.csv", Kind: "csv", Fields: []inventory.Field{}, Error: "zip: not a valid zip file"},
				{Name: "assets/logo.png", Kind: "file", Fields: []inventory.Field{}, Skipped: "binary file"},
			},
		}, {
			Kind: "postgres", Location: "postgres://scanner@db/erp",
			Containers: []inventory.Container{
				{Name: "public.ordre", Kind: "table", Bytes: 4 << 20, Values: 300000, Rows: 100000, Sampling: "full (every row)",
					Pace: &inventory.Pace{ReadSeconds: 2.61, BusySeconds: 0.94}, Fields: []inventory.Field{}},
			},
		}},
		Errors:  []inventory.Error{{Store: "/data/exports", Container: "archive/x.zip!=cmd.csv", Message: "zip: not a valid zip file"}},
		Skipped: []inventory.Skip{{Store: "/data/exports", Container: "assets/logo.png", Reason: "binary file"}},
	}
	inv.ComputeTotals()
	return inv
}

func TestGolden(t *testing.T) {
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			if err := Render(&b, fixture(), format, Options{MinConfidence: detectors.Medium}); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "inventory."+format+".golden")
			if *update {
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./reports -update to create it)", err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("%s output differs from %s (run go test ./reports -update and review the diff):\n%s", format, golden, b.String())
			}
		})
	}
}

// The pace line says who set the pace from the tables' busy shares
// together, and is there only for stores that read rows.
func TestStorePace(t *testing.T) {
	table := func(read, busy float64) inventory.Container {
		return inventory.Container{Rows: 10, Pace: &inventory.Pace{ReadSeconds: read, BusySeconds: busy}}
	}
	for _, tt := range []struct {
		containers []inventory.Container
		want       string
	}{
		{nil, ""},
		{[]inventory.Container{{Name: "a.csv"}}, ""},
		{[]inventory.Container{table(2, 0.5), table(2, 0.3)}, "its tables were read in 4.0 s, and datakart was busy 20% of that time: the database and its driver set the pace, not datakart's detectors"},
		{[]inventory.Container{table(30, 29), {Name: "empty"}}, "its tables were read in 30 s, and datakart was busy 97% of that time: datakart's detectors set the pace"},
		{[]inventory.Container{table(0.04, 0.04)}, "its tables were read in 40 ms, and datakart was busy 100% of that time: datakart's detectors set the pace"},
		{[]inventory.Container{table(0.0002, 0.0001)}, "its tables were read in under 1 ms, and datakart was busy 50% of that time: the database and its driver set the pace, not datakart's detectors"},
	} {
		if got := storePace(inventory.Store{Containers: tt.containers}); got != tt.want {
			t.Errorf("%+v:\n got %q\nwant %q", tt.containers, got, tt.want)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	var b bytes.Buffer
	if err := Render(&b, fixture(), "json", Options{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{`"schema_version"`, `"started_at"`, `"finished_at"`, `"targets"`, `"stores"`, `"errors"`, `"totals"`,
		`"kind"`, `"location"`, `"containers"`, `"fields"`, `"error"`, `"categories"`, `"variants"`, `"confidence"`, `"matches"`,
		`"examined"`, `"distinct"`, `"name_hint"`, `"explanation"`} {
		if !strings.Contains(b.String(), name) {
			t.Errorf("JSON lacks the stable name %s", name)
		}
	}
	inv, err := inventory.Read(&b)
	if err != nil {
		t.Fatal(err)
	}
	if got := inv.Stores[0].Containers[0].Fields[0].Categories[0].Confidence; got != detectors.High {
		t.Errorf("confidence after round trip = %v", got)
	}
}

func TestCSVDefusesFormulas(t *testing.T) {
	var b bytes.Buffer
	if err := CSV(&b, fixture(), Options{}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 2 || len(recs[0]) != len(CSVHeader) {
		t.Fatalf("unexpected CSV shape: %d rows", len(recs))
	}
	for _, r := range recs {
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+@", rune(cell[0])) {
				t.Errorf("cell %q could run as a formula", cell)
			}
		}
	}
}

func TestMarkdownEscapesPipes(t *testing.T) {
	var b bytes.Buffer
	if err := Markdown(&b, fixture(), Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `tickets \| 2024`) {
		t.Error("a | in a file name must be escaped in Markdown tables")
	}
}

// --max-rows caps the findings the table lists, and the table says how
// many it left out and where; the totals still count them all.
func TestTableMaxRows(t *testing.T) {
	inv := fixture()
	var all, capped bytes.Buffer
	if err := Render(&all, inv, "table", Options{MinConfidence: detectors.Medium}); err != nil {
		t.Fatal(err)
	}
	if err := Render(&capped, inv, "table", Options{MinConfidence: detectors.Medium, MaxRows: 1}); err != nil {
		t.Fatal(err)
	}
	// Three findings at medium or higher, in three locations: one listed.
	if !strings.Contains(capped.String(), "2 more findings in 2 more locations are not listed (--max-rows 0 lists all") {
		t.Errorf("capped table:\n%s", capped.String())
	}
	if strings.Contains(capped.String(), "support/tickets") || !strings.Contains(all.String(), "support/tickets") {
		t.Errorf("the second location is listed in the capped table, or not in the whole one")
	}
	total := func(s string) string { return s[strings.Index(s, "│ CATEGORY │ LOCATIONS"):] }
	if total(all.String()) != total(capped.String()) {
		t.Errorf("the totals differ:\n%s\n%s", total(all.String()), total(capped.String()))
	}
	for _, n := range []int{0, 3, 4} {
		var b bytes.Buffer
		if err := Render(&b, inv, "table", Options{MinConfidence: detectors.Medium, MaxRows: n}); err != nil {
			t.Fatal(err)
		}
		if b.String() != all.String() {
			t.Errorf("--max-rows %d changed a table of 3 findings", n)
		}
	}
}

// A diff of a share that changed in hundreds of places says what it
// amounts to first, and lists the containers that came or went one to a
// line (folded in Markdown), not as one line of thousands of characters;
// a short list stays on one line.
func TestDiffOfManyChanges(t *testing.T) {
	old, cur := fixture(), fixture()
	for i := range 300 {
		old.Stores[0].Containers = append(old.Stores[0].Containers, inventory.Container{Name: fmt.Sprintf("gammel/fil-%03d.csv", i), Kind: "file"})
	}
	cur.Stores[0].Containers = append(cur.Stores[0].Containers, inventory.Container{Name: "ny.csv", Kind: "file"})
	old.ComputeTotals()
	cur.ComputeTotals()
	d := inventory.Diff(old, cur)

	var table, md bytes.Buffer
	if err := RenderDiff(&table, d, "table"); err != nil {
		t.Fatal(err)
	}
	if err := RenderDiff(&md, d, "markdown"); err != nil {
		t.Fatal(err)
	}
	want := "Containers: 1 new, 300 removed."
	if !strings.HasPrefix(table.String(), want+"\n") {
		t.Errorf("table does not start with the summary:\n%s", table.String())
	}
	for _, line := range []string{"\nNew: ny.csv\n", "\nRemoved (300):\n", "\n  gammel/fil-000.csv\n", "\n  gammel/fil-299.csv\n"} {
		if !strings.Contains(table.String(), line) {
			t.Errorf("table lacks %q:\n%s", line, table.String())
		}
	}
	for _, line := range []string{want, "\nNew: ny.csv\n", "<details><summary>Removed: 300</summary>", "\n- gammel/fil-299.csv\n"} {
		if !strings.Contains(md.String(), line) {
			t.Errorf("markdown lacks %q:\n%s", line, md.String())
		}
	}
}

// The summary counts changes in personal data; those in context data (an
// organisation number, a KID) are counted apart, not as personal data
// that appeared.
func TestDiffSummaryCountsContextApart(t *testing.T) {
	d := &inventory.Delta{Changes: []inventory.Change{
		{Kind: inventory.Appeared, Category: "no_fnr", Personal: true},
		{Kind: inventory.Appeared, Category: "email", Personal: true},
		{Kind: inventory.Appeared, Category: "no_orgnr"},
	}}
	if got, want := diffSummary(d), "Changes: 2 appeared, 1 in context data that is not personal."; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}

// The findings table fits the terminal it is drawn for, and a long path
// (an XML element's, a file's deep in archives) is broken into lines, not
// cut off: tablewriter cuts a word that is wider than a column of fixed
// width, and widens a column without one. Without a terminal each column
// is at most 46 characters wide. A terminal too narrow for the table gets
// the findings as a list.
func TestTableFitsItsWidth(t *testing.T) {
	inv := fixture()
	long := "eksport/a-melding-2024-11.zip!2024/11/a-melding.xml"
	field := "/melding/Leveranse/oppgave/virksomhet/inntektsmottaker/identifiserendeInformasjon/navn"
	c := &inv.Stores[0].Containers[0]
	c.Name = long
	c.Fields[0].Name = field
	c.Fields[0].Categories[0].Variants = inventory.Counts{{Name: "d_number", N: 4}, {Name: "h_number", N: 2}, {Name: "synthetic", N: 1}}
	inv.ComputeTotals()
	for _, width := range []int{0, 100, 120, 200} {
		var b bytes.Buffer
		if err := Render(&b, inv, "table", Options{MinConfidence: detectors.Medium, Width: width}); err != nil {
			t.Fatal(err)
		}
		table := findingsTable(b.String())
		var location strings.Builder
		for _, line := range table {
			w := utf8.RuneCountInString(line)
			if width > 0 && w > width {
				t.Errorf("width %d: a line of %d characters:\n%s", width, w, strings.Join(table, "\n"))
				break
			}
			cells := strings.Split(line, "│")
			if width == 0 && len(cells) > 1 && utf8.RuneCountInString(cells[1]) > 48 {
				t.Errorf("no terminal: a location cell of %d characters:\n%s", utf8.RuneCountInString(cells[1]), strings.Join(table, "\n"))
				break
			}
			if len(cells) > 1 && !strings.Contains(line, "LOCATION") {
				location.WriteString(strings.TrimSpace(cells[1]))
			}
		}
		// Every character of the location is there, in order.
		if want := strings.ReplaceAll(long+" → "+field, " ", ""); !strings.Contains(strings.ReplaceAll(location.String(), " ", ""), want) {
			t.Errorf("width %d: the location reads %q, want it to hold %q:\n%s", width, location.String(), want, strings.Join(table, "\n"))
		}
	}

	var b bytes.Buffer
	if err := Render(&b, inv, "table", Options{MinConfidence: detectors.Medium, Width: 60}); err != nil {
		t.Fatal(err)
	}
	list := b.String()[:strings.Index(b.String(), "┌")]
	for _, line := range strings.Split(list, "\n") {
		if w := utf8.RuneCountInString(line); w > 60 {
			t.Errorf("a terminal of 60 characters: a line of %d in the list:\n%s", w, list)
		}
	}
	for _, want := range []string{
		"\neksport/a-melding-2024-11.zip!2024/11/a-melding.xml →\n/melding/Leveranse/oppgave/virksomhet/inntektsmottaker/\nidentifiserendeInformasjon/navn\n  no_fnr (d_number 4, h_number 2, synthetic 1): high, 50\n    matches, e.g. ******-***45 ******-***12\n  50 of 50 non-empty values hold a valid no_fnr (50\n    distinct); column name \"fødselsnummer\" agrees\n",
		"\nsupport/tickets | 2024.txt\n  email: high, 3 matches, e.g. o***@o***.no\n",
	} {
		if !strings.Contains(list, want) {
			t.Errorf("a terminal of 60 characters: the list lacks\n%s\nin\n%s", want, list)
		}
	}
}

// findingsTable returns the lines of the first table in a table report.
func findingsTable(report string) []string {
	var lines []string
	for line := range strings.SplitSeq(report, "\n") {
		if strings.HasPrefix(line, "┌") || len(lines) > 0 {
			lines = append(lines, line)
		}
		if strings.HasPrefix(line, "└") {
			break
		}
	}
	return lines
}

// breakWords breaks only the words wider than the column, after a mark
// that ends a part of a path where there is one in reach.
func TestBreakWords(t *testing.T) {
	for _, c := range []struct {
		in    string
		width int
		want  string
	}{
		{"short words stay", 5, "short words stay"},
		{"a/bb/ccc/dddd", 6, "a/bb/\nccc/\ndddd"},
		{"archive.zip!inner/file.csv → field", 13, "archive.zip!\ninner/file.\ncsv → field"},
		{"abcdefghij", 4, "abcd\nefgh\nij"},
		{"fødselsnummer", 5, "fødse\nlsnum\nmer"},
		{"x", 0, "x"},
	} {
		if got := breakWords(c.in, c.width); got != c.want {
			t.Errorf("breakWords(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
}

// breakWords only ever adds line breaks, and its lines fit the width but
// where a single character is wider.
func FuzzBreakWords(f *testing.F) {
	for _, s := range []string{"a/b/c", "archive.zip!inner/file.csv → field", "fødselsnummer", "日本語のファイル名.csv", "a  b\nc", ""} {
		f.Add(s, 5)
	}
	f.Fuzz(func(t *testing.T, s string, width int) {
		if !utf8.ValidString(s) || width < 1 || width > 80 {
			return
		}
		got := breakWords(s, width)
		if strings.ReplaceAll(got, "\n", "") != strings.ReplaceAll(s, "\n", "") {
			t.Fatalf("breakWords(%q, %d) = %q: more than line breaks changed", s, width, got)
		}
		for line := range strings.SplitSeq(got, "\n") {
			for word := range strings.SplitSeq(line, " ") {
				if twwidth.Width(word) > width && utf8.RuneCountInString(word) > 1 {
					t.Fatalf("breakWords(%q, %d) = %q: the word %q is wider", s, width, got, word)
				}
			}
		}
	})
}
