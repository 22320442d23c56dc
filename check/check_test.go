package check

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"datakart/detectors"
	"datakart/inventory"
	"datakart/rules"
)

func inv(fields ...inventory.Field) *inventory.Inventory {
	return &inventory.Inventory{Complete: true, Stores: []inventory.Store{{Kind: "postgres", Location: "postgres://ci@db/app", Containers: []inventory.Container{{Name: "crm.customers", Fields: fields}}}}}
}

func field(name, cat string, conf detectors.Confidence, fps ...string) inventory.Field {
	return inventory.Field{Name: name, Categories: []inventory.Category{{ID: cat, Class: "ordinary", Personal: true, Confidence: conf, Distinct: int64(len(fps)), Fingerprints: fps}}}
}

func cfg(t *testing.T, text string) *rules.Config {
	t.Helper()
	c, err := rules.ParseConfig([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func statuses(res *Result) map[string]Status {
	m := map[string]Status{}
	for _, f := range res.Findings {
		m[f.Field+"/"+f.Category] = f.Status
	}
	return m
}

func TestEvaluate(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	in := inv(
		field("email", "email", detectors.High),
		field("fnr", "no_fnr", detectors.High),
		field("note", "phone", detectors.Low),
		field("test_card", "payment_card", detectors.Medium, "aaaa"),
		field("old_ssn", "no_fnr", detectors.Medium),
	)
	c := cfg(t, `
policy:
  - location: "crm.customers"
    categories: [email]
    purpose: Customer contact
allow:
  - fingerprint: aaaa
    reason: the public test card
  - location: "crm.customers.old_ssn"
    reason: migrated away next sprint
    expires: 2026-10-01
`)
	res := Evaluate(in, c, Options{FailOn: detectors.Medium, Now: now})
	got := statuses(res)
	want := map[string]Status{"email/email": Declared, "fnr/no_fnr": Undeclared, "note/phone": Undeclared, "test_card/payment_card": Allowed, "old_ssn/no_fnr": Undeclared}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s, want %s", k, got[k], v)
		}
	}
	if res.Failed != 2 {
		t.Errorf("failed = %d, want 2 (fnr, and old_ssn whose allow entry expired; the low phone is below the threshold)", res.Failed)
	}
	if len(res.ExpiredAllows) != 1 {
		t.Errorf("expired allows: %+v", res.ExpiredAllows)
	}
	for _, f := range res.Findings {
		if f.Field == "old_ssn" && f.Note == "" {
			t.Error("a finding whose suppression expired does not say so")
		}
	}

	// The same with a baseline that already had fnr: only old_ssn is new.
	base := inv(field("fnr", "no_fnr", detectors.Low))
	res = Evaluate(in, c, Options{FailOn: detectors.Medium, Now: now, Baseline: base})
	if got := statuses(res); got["fnr/no_fnr"] != Baseline || res.Failed != 1 {
		t.Errorf("with baseline: %v, failed %d", got, res.Failed)
	}
	// Nothing declared: everything at or above low fails.
	if res := Evaluate(in, nil, Options{FailOn: detectors.Low, Now: now}); res.Failed != 5 {
		t.Errorf("no config, fail-on low: failed %d, want 5", res.Failed)
	}
}

// What the scan could not read was not checked: no pass, unless the
// caller says so.
func TestUnreadIsNoPass(t *testing.T) {
	in := inv(field("email", "email", detectors.High))
	c := cfg(t, "policy:\n  - location: \"crm.customers\"\n    categories: [email]\n")
	if res := Evaluate(in, c, Options{}); !res.Passed() || len(res.Unread) != 0 {
		t.Fatalf("everything read and declared: passed %v, unread %v", res.Passed(), res.Unread)
	}
	in.Errors = []inventory.Error{{Store: "mysql://ci:xxxxx@db/crm", Message: "connect: access denied"}}
	res := Evaluate(in, c, Options{})
	if res.Passed() || len(res.Unread) != 1 || res.Failed != 0 {
		t.Errorf("a store it could not read: passed %v, unread %v, failed %d", res.Passed(), res.Unread, res.Failed)
	}
	if b, err := json.Marshal(res); err != nil || !strings.Contains(string(b), `"passed":false`) || !strings.Contains(string(b), `"unread":[{`) {
		t.Errorf("JSON: %s, %v", b, err)
	}
	if res := Evaluate(in, c, Options{IgnoreUnread: true}); !res.Passed() {
		t.Error("IgnoreUnread: not passed")
	}
	in.Complete = false
	if res := Evaluate(in, c, Options{IgnoreUnread: true}); res.Passed() {
		t.Error("an interrupted scan passed")
	}
}

func TestGlob(t *testing.T) {
	for _, tt := range []struct {
		pat, name string
		want      bool
	}{
		{"exports/**/*.csv", "exports/2024/a.csv", true},
		{"exports/**/*.csv", "exports/a.csv", true},
		{"exports/*.csv", "exports/2024/a.csv", false},
		{"crm.*", "crm.customers", true},
		{"crm.customers.email", "crm.customers.email", true},
		{"crm.customers.e?ail", "crm.customers.email", true},
		{"hr/**", "hr/a/b.xlsx", true},
		{"hr/**", "hrx/a.xlsx", false},
	} {
		if got := Glob(tt.pat, tt.name); got != tt.want {
			t.Errorf("Glob(%q, %q) = %v", tt.pat, tt.name, got)
		}
	}
}

// The index finds the same first row as trying every row in order, for
// plain and globbed locations, fields, containers in archives and store
// globs.
func TestPolicyIndexAgreesWithEveryRow(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	names := []string{"hr/lonn.csv", "a.zip!lonn.csv", "lonn.csv", "public.kunder", "002_add.sql!public.kunder", "crm/kunder.xlsx!Ark1", "003_alter.sql!kunder"}
	for range 2000 {
		var rows []rules.PolicyRow
		for i := range 1 + r.IntN(12) {
			loc := pick(append(names, "", "hr/*.csv", "**", "public.*", "lonn.csv.fnr", "public.kunder.epost", "**/lonn.csv", "lonn.???", "a.zip", "*.zip", "002_add.sql", "crm/kunder.xlsx")...)
			rows = append(rows, rules.PolicyRow{Location: loc, Store: pick("", "", "files", "postgres", "/data/*"),
				Categories: []string{pick("no_fnr", "email")}, Line: i + 1})
		}
		x := NewPolicyIndex(rows)
		kind, store, container, field, cat := pick("files", "postgres", "migrations"), pick("/data/x", "db"), pick(names...), pick("", "fnr", "epost"), pick("no_fnr", "email")
		declares := func(p rules.PolicyRow) bool { return slices.Contains(p.Categories, cat) }
		got, gotOK := x.First(kind, store, container, field, declares)
		var want rules.PolicyRow
		wantOK := false
		for _, p := range rows {
			if declares(p) && Covers(p.Location, p.Store, kind, store, container, field) {
				want, wantOK = p, true
				break
			}
		}
		if gotOK != wantOK || got.Line != want.Line {
			t.Fatalf("%s %s %s.%s %s in %+v: index gives line %d (%v), every row line %d (%v)", kind, store, container, field, cat, rows, got.Line, gotOK, want.Line, wantOK)
		}
	}
}

// A config datakart init wrote for a share of 5,000 files, one row a
// file, judges 15,000 findings in well under a second (8 s trying every
// row for each). The bound is 6 s: under the race detector, beside the
// other packages' tests on a loaded machine, it took up to 2.7 s.
func TestPolicyOfThousandsOfRows(t *testing.T) {
	inv := &inventory.Inventory{Complete: true}
	cfg := &rules.Config{}
	store := inventory.Store{Kind: "files", Location: "/data"}
	for i := range 5000 {
		name := fmt.Sprintf("avd%02d/kunde%05d.csv", i%50, i)
		c := inventory.Container{Name: name}
		for _, f := range []string{"navn", "fodselsnummer", "epost"} {
			c.Fields = append(c.Fields, inventory.Field{Name: f, Categories: []inventory.Category{{ID: "email", Personal: true, Confidence: detectors.High}}})
		}
		store.Containers = append(store.Containers, c)
		cfg.Policy = append(cfg.Policy, rules.PolicyRow{Location: name, Categories: []string{"email"}, Line: i + 1})
	}
	inv.Stores = []inventory.Store{store}
	start := time.Now()
	res := Evaluate(inv, cfg, Options{})
	if res.Failed != 0 || len(res.Findings) != 15000 {
		t.Fatalf("%d findings, %d failed", len(res.Findings), res.Failed)
	}
	if d := time.Since(start); d > 6*time.Second {
		t.Errorf("took %v", d)
	}
}

// What was read from a file answers to the file's name, as a user sees
// it: a row for a compressed log or an archive covers what is inside.
func TestCoversWhatIsReadFromAFile(t *testing.T) {
	for _, tt := range []struct {
		location, container string
		want                bool
	}{
		{"logs/app.log.gz", "logs/app.log.gz!app.log", true},
		{"backup.zip", "backup.zip!export/kunder.tar!ansatte.csv", true},
		{"*.zip", "backup.zip!ansatte.csv", true},
		{"backup.zip", "other.zip!backup.zip", true}, // its own name, as before
		{"backup.zip", "backup.zip.csv", false},
		{"export/kunder.tar", "backup.zip!export/kunder.tar!ansatte.csv", false}, // the outer file, not a middle one
	} {
		if got := Covers(tt.location, "", "files", "/data", tt.container, "fnr"); got != tt.want {
			t.Errorf("Covers(%q, %q) = %v, want %v", tt.location, tt.container, got, tt.want)
		}
	}
}

// A migration's table named without a schema is in whichever schema the
// migration is run in: a row for public.customers covers it, as it covers
// the table in the live database and in the migration that created it.
func TestCoversAMigrationsUnqualifiedTable(t *testing.T) {
	for _, tt := range []struct {
		location, container string
		want                bool
	}{
		{"public.customers", "002_alter.sql!customers", true},
		{"public.customers.email", "002_alter.sql!customers", true},
		{"public.*", "002_alter.sql!customers", true},
		{"public.customers", "002_alter.sql!orders", false},
		{"public.customers", "002_alter.sql!crm.customers", false}, // another schema, named
	} {
		if got := Covers(tt.location, "", "migrations", "/repo/migrations", tt.container, "email"); got != tt.want {
			t.Errorf("Covers(%q, %q) = %v, want %v", tt.location, tt.container, got, tt.want)
		}
	}
}
