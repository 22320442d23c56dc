package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"datakart/internal/testdb"
	"datakart/inventory"
)

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCheckPolicyAllowAndBaseline runs `datakart check` on a fixture tree
// the way a pipeline would.
func TestCheckPolicyAllowAndBaseline(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	tree := filepath.Join(dir, "fixtures")
	writeFile(t, filepath.Join(tree, "customers.csv"), "navn;epost\nOla;ola.nordmann@online.no\nKari;kari@gmail.com\n")
	cfg := filepath.Join(dir, "datakart.yaml")

	// Nothing declared: fails with exit 1, naming the finding.
	out, _, code := runBinary(t, bin, "check", "--config", filepath.Join(dir, "none.yaml"), tree)
	if code != 2 {
		t.Errorf("a missing --config: exit %d, want 2", code)
	}
	writeFile(t, cfg, "targets: []\n")
	out, _, code = runBinary(t, bin, "check", "--config", cfg, tree)
	if code != 1 || !strings.Contains(out, "customers.csv → epost") || strings.Contains(out, "ola.nordmann") {
		t.Fatalf("undeclared: exit %d\n%s", code, out)
	}

	// Declared by the policy: passes.
	writeFile(t, cfg, `policy:
  - location: "customers.csv"
    categories: [email, person_name]
    purpose: Customer contact
`)
	if out, _, code = runBinary(t, bin, "check", "--config", cfg, tree); code != 0 {
		t.Fatalf("declared: exit %d\n%s", code, out)
	}

	// An expired suppression suppresses no more, and says so.
	writeFile(t, cfg, `allow:
  - location: "customers.csv"
    reason: temporary export for the migration
    expires: 2024-01-31
`)
	out, _, code = runBinary(t, bin, "check", "--config", cfg, tree)
	if code != 1 || !strings.Contains(out, "expired on 2024-01-31") {
		t.Fatalf("expired allow: exit %d\n%s", code, out)
	}
	writeFile(t, cfg, `allow:
  - location: "customers.csv"
    reason: temporary export for the migration
    expires: 2099-01-31
`)
	if out, _, code = runBinary(t, bin, "check", "--config", cfg, tree); code != 0 {
		t.Fatalf("allowed: exit %d\n%s", code, out)
	}

	// A baseline hides what was there and still catches what is new.
	writeFile(t, cfg, "targets: []\n")
	baseline := filepath.Join(dir, "baseline.json")
	if _, _, code = runBinary(t, bin, "scan", "--format", "json", "-o", baseline, tree); code != 0 {
		t.Fatal("baseline scan failed")
	}
	if out, _, code = runBinary(t, bin, "check", "--config", cfg, "--baseline", baseline, tree); code != 0 {
		t.Fatalf("baseline hides old findings: exit %d\n%s", code, out)
	}
	writeFile(t, filepath.Join(tree, "new.csv"), "fnr\n10048744732\n")
	out, _, code = runBinary(t, bin, "check", "--config", cfg, "--baseline", baseline, "--format", "markdown", tree)
	if code != 1 || !strings.Contains(out, "new.csv → fnr") || strings.Contains(out, "customers.csv") {
		t.Fatalf("baseline and a new finding: exit %d\n%s", code, out)
	}

	// A config error names the line and the key.
	writeFile(t, cfg, "policy:\n  - location: x\n    categories: [email]\n    purpose: ok\n    colour: blue\n")
	_, errOut, code := runBinary(t, bin, "check", "--config", cfg, tree)
	if code != 2 || !strings.Contains(errOut, "line 5") || !strings.Contains(errOut, "colour") {
		t.Errorf("bad config: exit %d, %q", code, errOut)
	}
}

// TestCheckLiveDatabases: a new column filled with e-mail addresses in
// PostgreSQL and MariaDB fails the check; declared, it passes.
func TestCheckLiveDatabases(t *testing.T) {
	bin := buildBinary(t)
	pg, schema := testdb.Postgres(t)
	testdb.Exec(t, pg, "CREATE TABLE "+schema+".orders (id serial PRIMARY KEY, total numeric)", "INSERT INTO "+schema+".orders (total) VALUES (10), (20)")
	my, name := testdb.MariaDB(t)
	testdb.Exec(t, my, "CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL(10,2))", "INSERT INTO orders VALUES (1, 10), (2, 20)")
	pgTarget := "postgres://postgres@127.0.0.1:5432/test"
	myTarget := "mysql://root@127.0.0.1:3306/" + name
	dir := t.TempDir()
	cfg := filepath.Join(dir, "datakart.yaml")
	writeFile(t, cfg, "scan:\n  include: [\""+schema+".*\", \""+name+".*\"]\n")
	if out, _, code := runBinary(t, bin, "check", "--config", cfg, pgTarget, myTarget); code != 0 {
		t.Fatalf("before the change: exit %d\n%s", code, out)
	}

	testdb.Exec(t, pg, "ALTER TABLE "+schema+".orders ADD COLUMN contact text", "UPDATE "+schema+".orders SET contact = 'kunde' || id || '@online.no'")
	testdb.Exec(t, my, "ALTER TABLE orders ADD COLUMN kontakt VARCHAR(100)", "UPDATE orders SET kontakt = CONCAT('kunde', id, '@online.no')")
	out, _, code := runBinary(t, bin, "check", "--config", cfg, "--format", "sarif", pgTarget, myTarget)
	if code != 1 || !strings.Contains(out, "db/127.0.0.1/test/"+schema+".orders.contact") || !strings.Contains(out, "db/127.0.0.1/"+name+"/"+name+".orders.kontakt") {
		t.Fatalf("after the change: exit %d\n%s", code, out)
	}
	if strings.Contains(out, "@online.no") {
		t.Error("SARIF holds a raw value")
	}

	writeFile(t, cfg, "scan:\n  include: [\""+schema+".*\", \""+name+".*\"]\npolicy:\n  - location: \"*.orders.contact\"\n    categories: [email]\n  - location: \"*.orders.kontakt\"\n    categories: [email]\n")
	if out, _, code := runBinary(t, bin, "check", "--config", cfg, pgTarget, myTarget); code != 0 {
		t.Fatalf("declared: exit %d\n%s", code, out)
	}
	// --schema-only reads no rows: the e-mail column named "contact" is not
	// a name rule, so it passes without reading values.
	history := filepath.Join(dir, "history.db")
	runBinary(t, bin, "scan", "--history", history, "--config", cfg, pgTarget)
	if _, _, code := runBinary(t, bin, "check", "--history", history, "--schema-only", "--config", cfg, pgTarget); code != 0 {
		t.Errorf("schema-only: exit %d", code)
	}
	// A diff of the two says the e-mails are gone from how the table was
	// read, not from the table.
	out, _, _ = runBinary(t, bin, "diff", "--history", history, "previous", "latest")
	if !strings.Contains(out, "Note: 1 table was read by value before and by column name alone now (--schema-only)") || !strings.Contains(out, "- "+schema+".orders → contact: email") {
		t.Errorf("diff of a scan and a schema-only check:\n%s", out)
	}

	// A database the check cannot log in to (a password changed, a server
	// down) was not checked: that is no pass, and says which and why.
	unreadable := "mysql://root:feil-passord@127.0.0.1:3306/" + name
	out, _, code = runBinary(t, bin, "check", "--config", cfg, pgTarget, unreadable)
	if code != 3 || !strings.Contains(out, "NOT PASSED") || !strings.Contains(out, "mysql://root:xxxxx@127.0.0.1:3306/"+name) ||
		!strings.Contains(out, "Access denied") || strings.Contains(out, "feil-passord") {
		t.Errorf("a database it cannot read: exit %d, want 3\n%s", code, out)
	}
	out, _, code = runBinary(t, bin, "check", "--config", cfg, "--format", "json", pgTarget, unreadable)
	var res struct {
		Passed bool              `json:"passed"`
		Unread []inventory.Error `json:"unread"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 3 || res.Passed || len(res.Unread) != 1 {
		t.Errorf("JSON of a database it cannot read: exit %d, %+v, %v", code, res, err)
	}
	if out, _, code = runBinary(t, bin, "check", "--ignore-errors", "--config", cfg, pgTarget, unreadable); code != 0 || !strings.Contains(out, "could not be read (--ignore-errors)") {
		t.Errorf("--ignore-errors: exit %d, want 0\n%s", code, out)
	}
}

func TestDiffAndInit(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	writeFile(t, filepath.Join(tree, "a.csv"), "epost\nola@online.no\n")
	old := filepath.Join(dir, "old.json")
	runBinary(t, bin, "scan", "--format", "json", "-o", old, tree)
	writeFile(t, filepath.Join(tree, "b.csv"), "fnr\n10048744732\n")
	cur := filepath.Join(dir, "new.json")
	runBinary(t, bin, "scan", "--format", "json", "-o", cur, tree)

	out, _, code := runBinary(t, bin, "diff", "--exit-code", old, cur)
	if code != 1 || !strings.Contains(out, "+ b.csv → fnr: no_fnr (high)") || !strings.Contains(out, "New: b.csv") {
		t.Errorf("diff: exit %d\n%s", code, out)
	}
	if _, _, code := runBinary(t, bin, "diff", "--exit-code", cur, cur); code != 0 {
		t.Errorf("diff of an inventory with itself: exit %d", code)
	}

	// A file name YAML may not hold raw (control characters, a newline, a
	// quote): init must still write a config that check reads and matches.
	writeFile(t, filepath.Join(tree, "c\x1b[31m\"red\"\n\tline.csv"), "epost\nkari@online.no\n")
	cfg := filepath.Join(dir, "datakart.yaml")
	if _, e, code := runBinary(t, bin, "init", "-o", cfg, tree); code != 0 {
		t.Fatalf("init: exit %d %s", code, e)
	}
	if _, _, code := runBinary(t, bin, "init", "-o", cfg, tree); code != 2 {
		t.Errorf("init over an existing file without --force: exit %d", code)
	}
	if out, _, code := runBinary(t, bin, "check", "--config", cfg); code != 0 {
		t.Errorf("check with the config init wrote: exit %d\n%s", code, out)
	}
}

// TestCheckMigrations: a migration that adds a fødselsnummer column fails
// the check, with SARIF pointing at its file and line; a policy entry for
// the table makes it pass.
func TestCheckMigrations(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	mig := filepath.Join(dir, "migrations")
	writeFile(t, filepath.Join(mig, "001_init.sql"), "CREATE TABLE orders (\n  id serial PRIMARY KEY,\n  total numeric(10,2)\n);\n")
	cfg := filepath.Join(dir, "datakart.yaml")
	writeFile(t, cfg, "targets: []\n")
	if out, _, code := runBinary(t, bin, "check", "--config", cfg, mig); code != 0 {
		t.Fatalf("before: exit %d\n%s", code, out)
	}
	writeFile(t, filepath.Join(mig, "002_add_fnr.sql"), "-- payroll\nALTER TABLE orders\n  ADD COLUMN customer_note text,\n  ADD COLUMN fodselsnummer varchar(11);\n")
	out, _, code := runBinary(t, bin, "check", "--config", cfg, "--format", "sarif", mig)
	if code != 1 {
		t.Fatalf("after: exit %d\n%s", code, out)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
						Region           struct{ StartLine int } `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	rs := log.Runs[0].Results
	if len(rs) != 1 || rs[0].RuleID != "no_fnr" || !strings.HasSuffix(rs[0].Locations[0].PhysicalLocation.ArtifactLocation.URI, "migrations/002_add_fnr.sql") || rs[0].Locations[0].PhysicalLocation.Region.StartLine != 4 {
		t.Errorf("SARIF results: %+v", rs)
	}
	writeFile(t, cfg, "policy:\n  - location: orders\n    categories: [no_fnr]\n    purpose: Payroll\n")
	if out, _, code := runBinary(t, bin, "check", "--config", cfg, mig); code != 0 {
		t.Errorf("declared: exit %d\n%s", code, out)
	}
}

// A folder of nothing but .sql files is read for the columns it defines,
// and for what the files hold: a database dump keeps its rows in INSERT
// statements, data the schema alone does not show.
func TestDumpFolderIsReadForItsRowsToo(t *testing.T) {
	bin := buildBinary(t)
	dir := filepath.Join(t.TempDir(), "backup")
	var dump strings.Builder
	dump.WriteString("CREATE TABLE kunde (id int, kontakt text);\n")
	for i := range 20 {
		fmt.Fprintf(&dump, "INSERT INTO kunde VALUES (%d, 'kunde%d@online.no');\n", i, i)
	}
	writeFile(t, filepath.Join(dir, "dump.sql"), dump.String())
	out, e, code := runBinary(t, bin, "scan", "--format", "json", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	var inv inventory.Inventory
	if err := json.Unmarshal([]byte(out), &inv); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	emails := int64(0)
	for _, s := range inv.Stores {
		kinds = append(kinds, s.Kind)
		for _, c := range s.Containers {
			for _, f := range c.Fields {
				for _, k := range f.Categories {
					if s.Kind == "files" && c.Name == "dump.sql" && k.ID == "email" {
						emails = k.Matches
					}
				}
			}
		}
	}
	if !slices.Equal(kinds, []string{"migrations", "files"}) || emails != 20 {
		t.Errorf("stores %v, e-mails found in the dump's rows %d, want migrations and files, 20", kinds, emails)
	}
}

// init declares the files of a folder with one extension and the same
// categories in one entry ("lonn/*.csv") where there are 5 or more, so a
// share of thousands of payslips is a policy a privacy team can fill in;
// check then passes a new payslip there, and fails a file that holds more.
func TestInitGroupsTheFilesOfAFolder(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	for i := range 6 {
		writeFile(t, filepath.Join(tree, "lonn", fmt.Sprintf("slipp%02d.csv", i)), "fnr;epost\n10048744732;ola@online.no\n")
	}
	writeFile(t, filepath.Join(tree, "lonn", "2023", "slipp.csv"), "fnr;epost\n10048744732;ola@online.no\n")
	writeFile(t, filepath.Join(tree, "kunder", "a.csv"), "epost\nkari@online.no\n")
	cfg := filepath.Join(dir, "datakart.yaml")
	if _, e, code := runBinary(t, bin, "init", "-o", cfg, tree); code != 0 {
		t.Fatalf("init: exit %d %s", code, e)
	}
	text, _ := os.ReadFile(cfg)
	for _, want := range []string{
		"  - location: \"lonn/*.csv\"\n    # 6 files with these categories, such as \"lonn/slipp00.csv\"\n    store: files\n    categories: [email, no_fnr]\n",
		"  - location: \"lonn/2023/slipp.csv\"\n", "  - location: \"kunder/a.csv\"\n",
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the config lacks\n%s\nin\n%s", want, text)
		}
	}
	if strings.Count(string(text), "\n  - location:") != 3 {
		t.Errorf("want 3 entries:\n%s", text)
	}
	writeFile(t, filepath.Join(tree, "lonn", "slipp99.csv"), "fnr;epost\n23114048690;kari@online.no\n")
	if out, _, code := runBinary(t, bin, "check", "--no-history", "--config", cfg, tree); code != 0 {
		t.Errorf("a new payslip in the folder: exit %d\n%s", code, out)
	}
	writeFile(t, filepath.Join(tree, "lonn", "konto.csv"), "fnr;iban\n10048744732;NO9386011117947\n")
	if out, _, code := runBinary(t, bin, "check", "--no-history", "--config", cfg, tree); code != 1 || !strings.Contains(out, "lonn/konto.csv → iban") {
		t.Errorf("a file in the folder with an IBAN too: exit %d\n%s", code, out)
	}
}
