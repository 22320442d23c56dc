package scanner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"datakart/connectors"
	"datakart/detectors"
	"datakart/inventory"
	"datakart/rules"
)

// memSource is an in-memory store: each unit is a table of named columns.
type memSource struct {
	units []connectors.Unit
}

func (m *memSource) Kind() string     { return "memory" }
func (m *memSource) Location() string { return "mem://test" }
func (m *memSource) Units(ctx context.Context, visit func(connectors.Unit) error) error {
	for _, u := range m.units {
		if err := visit(u); err != nil {
			return err
		}
	}
	return nil
}

// table makes a unit whose columns hold the given values, row by row.
func table(name string, cols map[string][]string, numeric ...string) connectors.Unit {
	return connectors.Unit{Name: name, Kind: "table", Read: func(ctx context.Context, sink connectors.Sink) error {
		sink.Begin(connectors.Part{Kind: "table"})
		var names []string
		for c := range cols {
			names = append(names, c)
		}
		sink.Fields(names...)
		for c, vals := range cols {
			isNum := false
			for _, n := range numeric {
				isNum = isNum || n == c
			}
			for i, v := range vals {
				if err := sink.Value(connectors.Value{Field: c, Data: []byte(v), Line: i + 2, Numeric: isNum}); err != nil {
					return err
				}
			}
		}
		return nil
	}}
}

func scanUnits(t *testing.T, ctx context.Context, units ...connectors.Unit) *inventory.Inventory {
	t.Helper()
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := Scan(ctx, rs, []connectors.Source{&memSource{units}}, Options{Concurrency: 2, FingerprintKey: []byte("k")})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func findContainer(inv *inventory.Inventory, name string) *inventory.Container {
	for si := range inv.Stores {
		for ci, c := range inv.Stores[si].Containers {
			if c.Name == name {
				return &inv.Stores[si].Containers[ci]
			}
		}
	}
	return nil
}

func findCat(inv *inventory.Inventory, container, field, cat string) *inventory.Category {
	c := findContainer(inv, container)
	if c == nil {
		return nil
	}
	for _, f := range c.Fields {
		if f.Name != field {
			continue
		}
		for i := range f.Categories {
			if f.Categories[i].ID == cat {
				return &f.Categories[i]
			}
		}
	}
	return nil
}

// Valid fødselsnumre from the public test vectors.
var fnrs = []string{"10048744732", "10048745526", "10048745364", "26111593816", "26111594286", "26111594448", "23114048690", "11111598403", "20036914700", "29020073150"}

func TestVerdicts(t *testing.T) {
	notes := make([]string, 500)
	for i := range notes {
		notes[i] = fmt.Sprintf("Kunden ringte om faktura %d, alt ok.", 1000+i)
	}
	notes[250] = "Kunden oppga fødselsnummer 100487 44732 på telefon."
	inv := scanUnits(t, context.Background(),
		table("hr.ansatte", map[string][]string{
			"fnr":     fnrs,
			"ssn":     {"", "NULL", "", "", "", "", "", "", "", ""},
			"notater": notes,
			"orgnr":   {"988077917", "981566378", "995525828", "965920358", "980430596", "998772680", "987008644", "917313008", "948007029", "966813946"},
		}),
	)
	c := findCat(inv, "hr.ansatte", "fnr", "no_fnr")
	if c == nil || c.Confidence != detectors.High || c.Matches != int64(len(fnrs)) || c.Distinct != int64(len(fnrs)) || !c.NameHint {
		t.Errorf("fnr column: got %+v, want high with %d matches and a name hint", c, len(fnrs))
	}
	if c != nil {
		for _, ex := range c.Examples {
			for _, f := range fnrs {
				if strings.Contains(ex, f[:6]) {
					t.Errorf("example %q shows the date part of a fødselsnummer", ex)
				}
			}
		}
	}
	c = findCat(inv, "hr.ansatte", "ssn", "no_fnr")
	if c == nil || c.Confidence != detectors.Medium || c.Matches != 0 || !strings.Contains(c.Explanation, "0 validated") {
		t.Errorf("ssn column of NULLs: got %+v, want a medium name hint with 0 validated values", c)
	}
	c = findCat(inv, "hr.ansatte", "notater", "no_fnr")
	if c == nil || c.Confidence != detectors.High || c.Matches != 1 || c.Share >= 0.01 {
		t.Errorf("free-text column with one fnr in 500 rows: got %+v, want high with 1 match and a low share", c)
	}
	if c := findCat(inv, "hr.ansatte", "orgnr", "no_fnr"); c != nil {
		t.Errorf("org numbers reported as fødselsnummer: %+v", c)
	}
	if c := findCat(inv, "hr.ansatte", "orgnr", "no_orgnr"); c == nil || c.Personal {
		t.Errorf("orgnr column: got %+v, want a non-personal no_orgnr finding", c)
	}
}

func TestNumericColumnsAreLeftPadded(t *testing.T) {
	// 01010101006 (born 1901) stored as a number loses its leading zero.
	inv := scanUnits(t, context.Background(), table("t", map[string][]string{"ident": {"1010101006"}}, "ident"))
	if c := findCat(inv, "t", "ident", "no_fnr"); c == nil || c.Matches != 1 {
		t.Errorf("10-digit numeric value not padded to a fødselsnummer: %+v", c)
	}
}

func TestFailingUnitsAreRecordedAndTheScanGoesOn(t *testing.T) {
	boom := connectors.Unit{Name: "boom", Kind: "table", Read: func(ctx context.Context, sink connectors.Sink) error {
		sink.Begin(connectors.Part{Kind: "table"})
		panic("decoder bug with value 10048744732")
	}}
	broken := connectors.Unit{Name: "broken", Kind: "table", Read: func(ctx context.Context, sink connectors.Sink) error {
		sink.Begin(connectors.Part{Kind: "table"})
		return errors.New("connection reset")
	}}
	denied := connectors.Unit{Name: "denied", Kind: "file", Err: errors.New("permission denied")}
	// A statement's own deadline is its error, not an interrupted scan.
	timedOut := connectors.Unit{Name: "timed_out", Kind: "table", Read: func(ctx context.Context, sink connectors.Sink) error {
		sink.Begin(connectors.Part{Kind: "table"})
		return fmt.Errorf("statement timeout: %w", context.DeadlineExceeded)
	}}
	inv := scanUnits(t, context.Background(), boom, broken, denied, timedOut, table("ok", map[string][]string{"fnr": fnrs}))
	if len(inv.Errors) != 4 {
		t.Fatalf("errors = %+v, want 4", inv.Errors)
	}
	if c := findContainer(inv, "timed_out"); c == nil || !strings.HasPrefix(c.Error, "statement timeout") {
		t.Errorf("a statement that timed out: %+v, want its timeout", c)
	}
	for _, e := range inv.Errors {
		if strings.Contains(e.Message, "10048744732") {
			t.Errorf("error message leaks a value: %q", e.Message)
		}
	}
	if findCat(inv, "ok", "fnr", "no_fnr") == nil {
		t.Error("the healthy unit was not scanned")
	}
	if !inv.Complete {
		t.Error("a scan with failing units is still complete")
	}
}

// Errors and skips are listed by container, whatever order the units
// finish in, so that a rerun gives the same inventory.
func TestErrorsInTheOrderOfTheirContainers(t *testing.T) {
	var units []connectors.Unit
	for i := range 8 {
		// The first listed finish last.
		units = append(units, connectors.Unit{Name: fmt.Sprintf("t%d", i), Kind: "table", Read: func(ctx context.Context, sink connectors.Sink) error {
			time.Sleep(time.Duration(8-i) * 5 * time.Millisecond)
			sink.Begin(connectors.Part{Kind: "table"})
			return errors.New("connection reset")
		}})
		units = append(units, connectors.Unit{Name: fmt.Sprintf("t%d.bin", i), Kind: "file", Skip: "binary file"})
	}
	slices.Reverse(units[8:]) // and are listed out of order
	inv := scanUnits(t, context.Background(), units...)
	if len(inv.Errors) != 8 || len(inv.Skipped) != 8 {
		t.Fatalf("%d errors, %d skipped", len(inv.Errors), len(inv.Skipped))
	}
	for i := range 8 {
		if want := fmt.Sprintf("t%d", i); inv.Errors[i].Container != want || inv.Skipped[i].Container != want+".bin" {
			t.Errorf("%d: error of %q, skip of %q, want %q", i, inv.Errors[i].Container, inv.Skipped[i].Container, want)
		}
	}
}

// failingListing is a store whose list of units fails.
type failingListing struct {
	memSource
	err error
}

func (f *failingListing) Units(ctx context.Context, visit func(connectors.Unit) error) error {
	if err := f.memSource.Units(ctx, visit); err != nil {
		return err
	}
	return f.err
}

// A store whose catalog did not answer in time is an error of the store,
// though the error is a deadline: only the scan's own end is no error.
// (A MariaDB catalog past its minute was once an empty store.)
func TestStoreDeadlineIsAnError(t *testing.T) {
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	src := &failingListing{memSource{[]connectors.Unit{table("ok", map[string][]string{"fnr": fnrs})}},
		fmt.Errorf("list tables: %w", context.DeadlineExceeded)}
	inv, err := Scan(context.Background(), rs, []connectors.Source{src}, Options{Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	if s := inv.Stores[0]; s.Error == "" || len(inv.Errors) != 1 || len(s.Containers) != 1 {
		t.Errorf("store %+v, errors %+v; want its listing's error and the unit listed before it", s, inv.Errors)
	}
}

func TestCancelledScanIsIncompleteAndLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	slow := connectors.Unit{Name: "slow", Kind: "table", Read: func(ctx context.Context, sink connectors.Sink) error {
		sink.Begin(connectors.Part{Kind: "table"})
		for i := 0; ; i++ {
			if err := sink.Value(connectors.Value{Field: "fnr", Data: []byte(fnrs[i%len(fnrs)])}); err != nil {
				return err
			}
			if i == 0 {
				// Cancelled after a value was taken in, not before: a
				// cancel that came first left nothing to keep.
				close(started)
			}
		}
	}}
	go func() { <-started; cancel() }()
	inv := scanUnits(t, ctx, slow, table("later", map[string][]string{"x": {"y"}}))
	if inv.Complete || inv.IncompleteReason == "" {
		t.Errorf("cancelled scan: complete=%v reason=%q", inv.Complete, inv.IncompleteReason)
	}
	if c := findCat(inv, "slow", "fnr", "no_fnr"); c == nil || c.Matches == 0 {
		t.Error("what was found before the cancel is lost")
	}
	if c := findContainer(inv, "slow"); c == nil || c.Error != "interrupted before the end was read" {
		t.Errorf("the unit the cancel cut short: %+v", c)
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left after a cancelled scan (before: %d)", n, before)
	}
}

func TestRawValuesOnlyWhenAsked(t *testing.T) {
	rs, _ := rules.Default()
	src := []connectors.Source{&memSource{[]connectors.Unit{table("t", map[string][]string{"fnr": fnrs})}}}
	inv, _ := Scan(context.Background(), rs, src, Options{})
	if c := findCat(inv, "t", "fnr", "no_fnr"); c == nil || len(c.Values) != 0 || inv.Settings.ShowValues != "masked" || inv.Settings.FingerprintKey != "random" {
		t.Errorf("default scan: %+v, settings %+v", c, inv.Settings)
	}
	inv, _ = Scan(context.Background(), rs, src, Options{ShowRawValues: true})
	if c := findCat(inv, "t", "fnr", "no_fnr"); c == nil || len(c.Values) == 0 || inv.Settings.ShowValues != "raw" {
		t.Errorf("raw scan: %+v", c)
	}
}

func TestContainerNameVetoesButNeverHints(t *testing.T) {
	inv := scanUnits(t, context.Background(),
		table("erp.produkter", map[string][]string{"navn": {"Skrue 4x40", "Mutter M6"}}),
		table("crm.kunder", map[string][]string{"navn": {"Ola Nordmann"}}),
		table("logs.email_log", map[string][]string{"id": {"1", "2"}}),
	)
	if c := findCat(inv, "erp.produkter", "navn", "person_name"); c != nil {
		t.Errorf("product names reported as person names: %+v", c)
	}
	if c := findCat(inv, "crm.kunder", "navn", "person_name"); c == nil {
		t.Error("customer names not reported")
	}
	if c := findCat(inv, "logs.email_log", "id", "email"); c != nil {
		t.Errorf("the table name made a column an e-mail address: %+v", c)
	}
	for name, want := range map[string]string{"erp.produkter": "produkter", "hr/lonn.csv": "lonn", "a.zip!b/kunder.json": "kunder", "plain": "plain", "001.sql!public.kunder": "kunder"} {
		if got := containerStem(name); got != want {
			t.Errorf("containerStem(%q) = %q, want %q", name, got, want)
		}
	}
}

// A bare phone number with "tlf" beside it stays medium, and the
// explanation does not say that no context word was found.
func TestMediumWithContextSaysSo(t *testing.T) {
	inv := scanUnits(t, context.Background(),
		table("crm.notater", map[string][]string{"notat": {"ring tilbake, tlf: 91234567", "levert", "ok"}}))
	c := findCat(inv, "crm.notater", "notat", "phone")
	if c == nil || c.Confidence != detectors.Medium {
		t.Fatalf("got %+v, want a medium phone finding", c)
	}
	if strings.Contains(c.Explanation, "no context word") || !strings.Contains(c.Explanation, "context word") {
		t.Errorf("explanation %q contradicts the context word found", c.Explanation)
	}
}

// A part keeps maxFields fields apart; the values of the rest (a CSV of a
// million columns, JSON keyed by customer id) are scanned all the same and
// counted together, so memory does not grow with the fields.
func TestFieldsPastTheLimitAreCountedTogether(t *testing.T) {
	n := maxFields + 500
	wide := connectors.Unit{Name: "wide.csv", Kind: "csv", Read: func(ctx context.Context, sink connectors.Sink) error {
		sink.Begin(connectors.Part{Kind: "csv"})
		for i := range n {
			v := "x"
			if i == 7 || i == n-1 {
				v = fmt.Sprintf("kari%d@online.no", i)
			}
			if err := sink.Value(connectors.Value{Field: fmt.Sprintf("kunde_%06d", i), Data: []byte(v), Line: 2}); err != nil {
				return err
			}
		}
		return nil
	}}
	inv := scanUnits(t, context.Background(), wide)
	if c := findCat(inv, "wide.csv", "kunde_000007", "email"); c == nil || c.Matches != 1 {
		t.Errorf("a column within the limit: %+v", c)
	}
	if c := findCat(inv, "wide.csv", otherFields, "email"); c == nil || c.Matches != 1 {
		t.Errorf("a column past the limit, under %q: %+v", otherFields, c)
	}
	p := &partAgg{fields: map[string]*fieldAgg{}}
	for i := range n {
		p.field(fmt.Sprintf("c%d", i))
	}
	if len(p.aggs) != maxFields+1 || len(p.fields) != maxFields+1 {
		t.Errorf("%d fields kept for %d names, want %d and one for the rest", len(p.aggs), n, maxFields)
	}
}

// Every fødselsnummer passes as a bank account number, and some account
// numbers pass as a fødselsnummer by chance: in a column of accounts,
// those are accounts, and the fødselsnummer they seem to be is low. A
// column of fødselsnummer is not touched, nor one whose name says so.
func TestAccountsThatPassAsFodselsnummer(t *testing.T) {
	var accounts, both []string
	for n := 0; len(accounts) < 40 || len(both) < 20; n++ {
		for check := range 10 {
			s := fmt.Sprintf("1503%06d%d", n*7919%1000000, check) // day 15, month 03: a plausible date
			switch {
			case !detectors.ValidKontonummer(s):
			case detectors.ValidFodselsnummer(s):
				if len(both) < 20 {
					both = append(both, s)
				}
			case len(accounts) < 40:
				accounts = append(accounts, s)
			}
		}
	}
	column := func(parts ...[]string) []string { return slices.Concat(parts...) }
	inv := scanUnits(t, context.Background(), table("t", map[string][]string{
		"kto": column(accounts, both[:10]),
		// Up to 4 in 11 accounts pass as a fødselsnummer, under the 2032
		// rule or as FH-numbers (a bank number from 8): 36%, where a
		// column of 300 from such banks had 108.
		"konto": column(accounts[:35], both),
		"ident": fnrs,
		// Identity numbers, and a few account numbers among them.
		"blandet": column(fnrs, accounts[:4]),
		"fnr":     column(accounts, both[:10]), // the name speaks for it
	}))
	for _, col := range []string{"kto", "konto"} {
		if c := findCat(inv, "t", col, "no_fnr"); c == nil || c.Confidence != detectors.Low || !strings.Contains(c.Explanation, "by chance") {
			t.Errorf("%s: accounts that pass as fødselsnummer: %+v", col, c)
		}
	}
	if c := findCat(inv, "t", "kto", "no_bank_account"); c == nil || c.Confidence < detectors.Medium || c.MatchedValues != 50 ||
		c.Matches != 50 || c.ByConfidence.Get("low")+c.ByConfidence.Get("medium") != 50 || c.Reasons.Get(detectors.ReasonMOD11) != 50 {
		t.Errorf("the accounts, those that pass as fødselsnummer too among them: %+v", c)
	}
	if c := findCat(inv, "t", "konto", "no_bank_account"); c == nil || c.Confidence < detectors.Medium || c.MatchedValues != 55 || c.Distinct != 55 {
		t.Errorf("konto: the accounts, a third of them passing as fødselsnummer too: %+v", c)
	}
	if c := findCat(inv, "t", "blandet", "no_fnr"); c == nil || c.Confidence < detectors.Medium {
		t.Errorf("identity numbers with a few accounts among them: %+v", c)
	}
	if c := findCat(inv, "t", "ident", "no_fnr"); c == nil || c.Confidence < detectors.Medium {
		t.Errorf("a column of fødselsnummer: %+v", c)
	}
	if c := findCat(inv, "t", "fnr", "no_fnr"); c == nil || c.Confidence != detectors.High {
		t.Errorf("a column named fnr: %+v", c)
	}
}

// A name that is not UTF-8 (a Latin-1 file name on an old share, a zip
// member named in CP865) keeps its bytes as \xHH, so the inventory's JSON
// tells such files apart and says which file it is; U+FFFD did neither.
func TestNamesThatAreNotUTF8(t *testing.T) {
	inv := scanUnits(t, context.Background(),
		table("L\xf8nn.csv", map[string][]string{"fnr": fnrs}),
		table("L\xe5nn.csv", map[string][]string{"fnr": fnrs}),
		table("Lønn.csv", map[string][]string{"fnr": fnrs}),
	)
	for _, name := range []string{`L\xf8nn.csv`, `L\xe5nn.csv`, "Lønn.csv"} {
		if findCat(inv, name, "fnr", "no_fnr") == nil {
			t.Errorf("no container %q", name)
		}
	}
	var b bytes.Buffer
	if err := inv.Write(&b); err != nil || bytes.Contains(b.Bytes(), []byte("\ufffd")) || !utf8.Valid(b.Bytes()) {
		t.Errorf("the JSON has U+FFFD or is not UTF-8 (%v)", err)
	}
}

// A user pattern that runs out of time on a column of notes does so three
// times in a table, then is not run on the rest of it, and the table's
// error says both; the next table tries it afresh. A pattern that
// backtracked without end cost its timeout on every row: 40 s for 200.
func TestPatternThatTimesOutIsTurnedOffForTheTable(t *testing.T) {
	cfg, err := rules.ParseConfig([]byte(`
rules:
  categories:
    - {id: slow, name: Slow, class: ordinary}
  detectors:
    - {id: slow, category: slow, pattern: '^(a+)+$', timeout: 20ms}
`))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := rules.Default()
	rs, err := base.Extend(cfg)
	if err != nil {
		t.Fatal(err)
	}
	notes := make([]string, 200)
	for i := range notes {
		notes[i] = strings.Repeat("a", 3000) + "!"
	}
	src := []connectors.Source{&memSource{[]connectors.Unit{
		table("a", map[string][]string{"notat": notes}), table("b", map[string][]string{"notat": notes[:2]}),
	}}}
	start := time.Now()
	inv, err := Scan(context.Background(), rs, src, Options{Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the scan took %v", d)
	}
	want := map[string]string{
		"a": `rule slow timed out on field "notat" (3 values); rule slow was not run on the rest of the file or table after timing out 3 times`,
		"b": `rule slow timed out on field "notat" (2 values)`,
	}
	for _, c := range inv.Stores[0].Containers {
		if c.Error != want[c.Name] {
			t.Errorf("%s: error %q, want %q", c.Name, c.Error, want[c.Name])
		}
	}
}

// A column of bare account numbers, nearly all of which pass MOD11, holds
// account numbers: one number in eleven passes by chance. Named konto,
// which is no rule, it was medium.
func TestAColumnOfAccountsIsSure(t *testing.T) {
	var accounts []string
	for n := int64(1503000000); len(accounts) < 30; n += 7919 {
		d := fmt.Sprintf("%010d", n)
		sum := 0
		for i, w := range []int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2} {
			sum += w * int(d[i]-'0')
		}
		if k := (11 - sum%11) % 11; k < 10 && !detectors.ValidFodselsnummer(d+fmt.Sprint(k)) {
			accounts = append(accounts, d+fmt.Sprint(k))
		}
	}
	inv := scanUnits(t, context.Background(), table("lonn.utbetaling", map[string][]string{"konto": accounts}))
	if c := findCat(inv, "lonn.utbetaling", "konto", "no_bank_account"); c == nil || c.Confidence != detectors.High {
		t.Errorf("a column of 30 account numbers: %+v", c)
	}
}
