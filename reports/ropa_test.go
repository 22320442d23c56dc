package reports

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"datakart/detectors"
	"datakart/rules"

	"github.com/xuri/excelize/v2"
)

func TestROPA(t *testing.T) {
	inv := fixture()
	cfg, err := rules.ParseConfig([]byte(`policy:
  - location: "hr/*"
    categories: [no_fnr]
    purpose: Payroll
    legal_basis: GDPR Art. 6(1)(c)
    data_subjects: [employees]
    retention: 5 years
    owner: HR
`))
	if err != nil {
		t.Fatal(err)
	}
	rs, _ := rules.Default()
	rows := ROPARows(inv, cfg, rs, detectors.Medium)
	if len(rows) != 2 {
		t.Fatalf("%d rows, want one per container with personal data: %+v", len(rows), rows)
	}
	hr := rows[0]
	if hr.Location != "hr/payroll.csv" || !hr.NationalID || hr.Purpose != "Payroll" || hr.DataSubjects != "employees" || hr.Declared != "yes" || hr.Recipients != "" {
		t.Errorf("payroll row: %+v", hr)
	}
	if tickets := rows[1]; tickets.Declared != "no" || tickets.Purpose != "" || tickets.LegalBasis != "" {
		t.Errorf("an undeclared location must leave the policy fields empty, not invent them: %+v", tickets)
	}

	var b bytes.Buffer
	if err := ROPACSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(recs) != 3 || len(recs[0]) != len(ROPAHeader) {
		t.Fatalf("csv: %v %v", recs, err)
	}

	b.Reset()
	if err := ROPAXLSX(&b, rows); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows(f.GetSheetList()[0])
	if err != nil || len(got) != 3 || got[1][1] != "hr/payroll.csv" || !strings.Contains(got[1][2], "fødselsnummer") {
		t.Errorf("xlsx rows: %q %v", got, err)
	}
}
