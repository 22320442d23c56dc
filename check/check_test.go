package check

import (
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
