package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestScheduledAudit is the scheduled job of the audit issue: two scans
// into a history with a change between them, then an HTML report showing
// what changed and a records-of-processing spreadsheet.
func TestScheduledAudit(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	tree := filepath.Join(dir, "share")
	hist := filepath.Join(dir, "h.db")
	writeFile(t, filepath.Join(tree, "kunder.csv"), "navn;epost\nOla;ola.nordmann@online.no\n")
	if _, e, code := runBinary(t, bin, "scan", "--history", hist, "--format", "json", "-o", filepath.Join(dir, "1.json"), tree); code != 0 {
		t.Fatalf("first scan: %s", e)
	}
	writeFile(t, filepath.Join(tree, "lonn.csv"), "fodselsnummer;kontonummer\n10048744732;8601.11.17947\n")
	if _, e, code := runBinary(t, bin, "scan", "--history", hist, "--format", "json", "-o", filepath.Join(dir, "2.json"), tree); code != 0 {
		t.Fatalf("second scan: %s", e)
	}
	out, _, code := runBinary(t, bin, "history", "--history", hist)
	if code != 0 || !strings.Contains(out, "│ 2 ") || !strings.Contains(out, "│ 1 ") {
		t.Errorf("history: exit %d\n%s", code, out)
	}
	// "show" after the flags, as people type it, is the same as before them.
	before, _, code1 := runBinary(t, bin, "history", "show", "--history", hist, "--format", "csv", "latest")
	after, e, code2 := runBinary(t, bin, "history", "--history", hist, "--format", "csv", "show", "latest")
	if code1 != 0 || code2 != 0 || before != after || !strings.Contains(after, "lonn.csv") {
		t.Errorf("history show after its flags: exit %d, %d (%s)\n%s\n%s", code1, code2, e, before, after)
	}
	cfg := filepath.Join(dir, "datakart.yaml")
	writeFile(t, cfg, "policy:\n  - location: kunder.csv\n    categories: [person_name, email]\n    purpose: Customer contact\n    owner: Sales\n")
	page := filepath.Join(dir, "report.html")
	if _, e, code := runBinary(t, bin, "report", "--history", hist, "--config", cfg, "--format", "html", "-o", page); code != 0 {
		t.Fatalf("report: %s", e)
	}
	html, _ := os.ReadFile(page)
	for _, want := range []string{"Changes since the previous audit", "lonn.csv", "appeared", "no_fnr", "Trend over the last runs", "undeclared"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	for _, raw := range []string{"10048744732", "ola.nordmann@online.no", "86011117947"} {
		if strings.Contains(string(html), raw) {
			t.Errorf("the report shows %q", raw)
		}
	}
	sheet := filepath.Join(dir, "ropa.xlsx")
	if _, e, code := runBinary(t, bin, "report", "--history", hist, "--config", cfg, "--format", "ropa-xlsx", "-o", sheet); code != 0 {
		t.Fatalf("ropa: %s", e)
	}
	f, err := excelize.OpenFile(sheet)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows(f.GetSheetList()[0])
	if len(rows) != 3 {
		t.Fatalf("ropa rows: %q", rows)
	}
	for _, r := range rows[1:] {
		if r[1] == "kunder.csv" && (len(r) < 13 || r[8] != "Customer contact" || r[12] != "Sales") {
			t.Errorf("declared row: %q", r)
		}
		if r[1] == "lonn.csv" && len(r) > 8 && r[8] != "" {
			t.Errorf("undeclared row has an invented purpose: %q", r)
		}
	}
	if out, _, code := runBinary(t, bin, "diff", "--history", hist, "--exit-code", "previous", "latest"); code != 1 || !strings.Contains(out, "lonn.csv") {
		t.Errorf("diff of runs: exit %d\n%s", code, out)
	}
	// The retention policy's turn: the older run goes, the newest stays.
	if _, e, code := runBinary(t, bin, "history", "prune", "--history", hist); code != 2 || !strings.Contains(e, "say what to keep") {
		t.Errorf("prune without a limit: exit %d: %s", code, e)
	}
	// An age past what a duration holds once wrapped round to one in the
	// future and deleted every run but the newest.
	if _, e, code := runBinary(t, bin, "history", "prune", "--history", hist, "--older-than", "200000000d"); code != 2 || !strings.Contains(e, "at most 106751d") {
		t.Errorf("prune --older-than 200000000d: exit %d: %s", code, e)
	}
	if out, e, code := runBinary(t, bin, "history", "--history", hist, "prune", "--keep", "1"); code != 0 || !strings.Contains(out, "Deleted 1 run from") {
		t.Errorf("prune --keep 1: exit %d: %s%s", code, out, e)
	}
	if out, _, code := runBinary(t, bin, "history", "--history", hist); code != 0 || !strings.Contains(out, "│ 2 ") || strings.Contains(out, "│ 1 ") {
		t.Errorf("history after pruning: exit %d\n%s", code, out)
	}
}

// A check recorded after the scans (CI on one file) is no audit: the
// report stands on the latest scan, with its changes since the scan
// before and a trend of scans.
func TestReportStandsOnTheLatestScan(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	tree := filepath.Join(dir, "share")
	hist := filepath.Join(dir, "h.db")
	writeFile(t, filepath.Join(tree, "kunder.csv"), "navn;epost\nOla;ola.nordmann@online.no\n")
	if _, e, code := runBinary(t, bin, "scan", "--history", hist, tree); code != 0 {
		t.Fatalf("first scan: %s", e)
	}
	writeFile(t, filepath.Join(tree, "lonn.csv"), "fodselsnummer;kontonummer\n10048744732;8601.11.17947\n")
	if _, e, code := runBinary(t, bin, "scan", "--history", hist, tree); code != 0 {
		t.Fatalf("second scan: %s", e)
	}
	if _, e, code := runBinary(t, bin, "check", "--history", hist, "--config", os.DevNull, filepath.Join(tree, "kunder.csv")); code != exitFindings {
		t.Fatalf("check: exit %d: %s", code, e)
	}
	page := filepath.Join(dir, "report.html")
	if _, e, code := runBinary(t, bin, "report", "--history", hist, "--config", os.DevNull, "--format", "html", "-o", page); code != 0 {
		t.Fatalf("report: %s", e)
	}
	html, _ := os.ReadFile(page)
	for _, want := range []string{"Changes since the previous audit", "lonn.csv", "#1 ", "#2 "} {
		if !strings.Contains(string(html), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if strings.Contains(string(html), "#3 ") {
		t.Error("the check's run is in the trend of audits")
	}
}
