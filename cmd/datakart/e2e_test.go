package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"datakart/detectors"
	"datakart/internal/corpus"
	"datakart/inventory"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// buildBinary builds datakart once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "datakart-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "datakart")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	if os.Getenv("DATAKART_TEST_DOUBLE_INTERRUPT") == "1" {
		doubleInterruptHelper()
	}
	// The table's layout follows $COLUMNS; the tests' must not follow the
	// shell that runs them.
	os.Unsetenv("COLUMNS")
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

func runBinary(t *testing.T, bin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	// The default history goes into a directory of its own, not into the
	// source tree.
	return runBinaryIn(t, bin, t.TempDir(), nil, args...)
}

// runBinaryIn is runBinary in the directory dir, with env added to the
// environment.
func runBinaryIn(t *testing.T, bin, dir string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// TestEndToEndLabelledTree scans a generated tree of realistic exports
// whose expected inventory is known, and measures precision and recall of
// what is reported at medium or high confidence.
func TestEndToEndLabelledTree(t *testing.T) {
	bin := buildBinary(t)
	var tp, fp, fn int
	for _, tree := range []corpus.TreeOptions{
		{Seed: 7}, {Seed: 11}, {Seed: 2026},
		// Accounts as banks issue them: up to a third pass as a
		// fødselsnummer by chance, and must still be accounts.
		{Seed: 99, IsFnr: func(string) bool { return false }},
	} {
		a, b, c := scanLabelledTree(t, bin, tree)
		tp, fp, fn = tp+a, fp+b, fn+c
	}
	precision := float64(tp) / float64(max(tp+fp, 1))
	recall := float64(tp) / float64(max(tp+fn, 1))
	t.Logf("4 labelled trees: %d true positives, %d false positives, %d missed: precision %.3f, recall %.3f", tp, fp, fn, precision, recall)
}

// scanLabelledTree generates a labelled tree, scans it with the binary and
// counts, over what is reported at medium or high confidence, the true and
// false positives and the misses; it also checks that nothing raw leaks.
func scanLabelledTree(t *testing.T, bin string, tree corpus.TreeOptions) (tp, fp, fn int) {
	dir := t.TempDir()
	tree.Rows = 200
	if tree.IsFnr == nil {
		tree.IsFnr = detectors.ValidFodselsnummer
	}
	labels, err := corpus.WriteTree(dir, tree)
	if err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runBinary(t, bin, "scan", "--format", "json", "--fingerprint-key", "test", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	inv, err := inventory.Read(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}

	reported := map[string][]string{}
	for _, s := range inv.Stores {
		for _, c := range s.Containers {
			for _, f := range c.Fields {
				for _, k := range f.Categories {
					if !k.Personal || k.Confidence < detectors.Medium {
						continue
					}
					loc := c.Name
					if f.Name != "" {
						loc += " → " + f.Name
					}
					reported[loc] = append(reported[loc], k.ID)
				}
			}
		}
	}
	for loc, cats := range reported {
		for _, c := range cats {
			if slices.Contains(labels[loc], c) {
				tp++
			} else {
				fp++
				t.Errorf("false positive: %s reported as %s", loc, c)
			}
		}
	}
	for loc, cats := range labels {
		for _, c := range cats {
			if !slices.Contains(reported[loc], c) {
				fn++
				t.Errorf("missed: %s should hold %s", loc, c)
			}
		}
	}
	if !strings.Contains(out, `"skipped"`) || !hasSkip(inv, "assets/logo.png") {
		t.Error("the binary file is not recorded as skipped")
	}
	// No raw value of the generated people may appear in any output.
	raw, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"table", "csv", "markdown"} {
		o, _, _ := runBinary(t, bin, "scan", "--format", f, "--min-confidence", "low", dir)
		raw = append(raw, o...)
	}
	leaks := 0
	for _, line := range fileLines(t, filepath.Join(dir, "hr/payroll_2024.csv"))[1:] {
		for _, cell := range strings.Split(line, ";")[3:5] { // fødselsnummer and kontonummer
			if cell != "" && bytes.Contains(raw, []byte(cell)) {
				leaks++
			}
		}
	}
	if leaks > 0 {
		t.Errorf("%d raw identity or account numbers appear in the output", leaks)
	}
	return tp, fp, fn
}

func hasSkip(inv *inventory.Inventory, name string) bool {
	for _, s := range inv.Skipped {
		if s.Container == name {
			return true
		}
	}
	return false
}

func fileLines(t *testing.T, path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func TestCommandLine(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.csv"), []byte("fnr,navn\n10048744732,Ola\n"), 0o644)

	if _, _, code := runBinary(t, bin); code != exitUsage {
		t.Errorf("no arguments: exit %d, want %d", code, exitUsage)
	}
	if _, _, code := runBinary(t, bin, "scan"); code != exitUsage {
		t.Errorf("scan without target: exit %d, want %d", code, exitUsage)
	}
	if _, _, code := runBinary(t, bin, "scan", "--format", "xml", dir); code != exitUsage {
		t.Errorf("bad format: exit %d, want %d", code, exitUsage)
	}
	// A value the connectors would replace with their default is refused,
	// not taken as the default without a word.
	for _, args := range [][]string{
		{"--sample", "0"}, {"--sample", "-5"}, {"--db-connections", "0"}, {"--statement-timeout", "0s"}, {"--statement-timeout", "-5s"},
		{"--full", "--schema-only"},
		{"--max-archive-depth", "0"}, {"--max-archive-depth", "-1"}, {"--max-archive-entries", "0"}, {"--max-archive-entries", "-1"},
	} {
		if _, e, code := runBinary(t, bin, append(append([]string{"scan"}, args...), dir)...); code != exitUsage || !strings.Contains(e, args[0]+" must be") {
			t.Errorf("scan %s: exit %d, %q", strings.Join(args, " "), code, e)
		}
	}
	for _, args := range [][]string{{"history", "--limit", "-1"}, {"bench", "--files", "-4"}} {
		if _, e, code := runBinary(t, bin, args...); code != exitUsage || !strings.Contains(e, args[1]+": want") {
			t.Errorf("%s: exit %d, %q", strings.Join(args, " "), code, e)
		}
	}
	// An inventory file that is not there is said to be missing, not
	// taken for a badly written run.
	if _, e, code := runBinary(t, bin, "diff", filepath.Join(dir, "forrige.json"), "latest"); code != exitUsage || !strings.Contains(e, "forrige.json: no such file or directory (an inventory file, or a run") {
		t.Errorf("diff of a missing file: exit %d, %q", code, e)
	}
	// A path that is not there (a share not mounted) is a store that
	// could not be read, as a database that refuses the connection: the
	// other targets are scanned, and check does not pass.
	missing := filepath.Join(t.TempDir(), "ikke-montert")
	if o, _, code := runBinary(t, bin, "scan", "--no-history", "--format", "json", dir, missing); code != exitOK ||
		!strings.Contains(o, `"location": "`+missing+`"`) || !strings.Contains(o, "no such file or directory") || !strings.Contains(o, "no_fnr") {
		t.Errorf("scan of a tree and a missing path: exit %d\n%s", code, o)
	}
	if o, _, code := runBinary(t, bin, "check", "--no-history", "--config", os.DevNull, missing); code != exitUnread || !strings.Contains(o, missing+": no such file or directory") {
		t.Errorf("check of a missing path: exit %d\n%s", code, o)
	}
	// init says what it could not read, and so did not declare, and exits
	// 3 as check does: the config it wrote is not the whole story.
	if _, e, code := runBinary(t, bin, "init", "-o", filepath.Join(t.TempDir(), "datakart.yaml"), dir, missing); code != exitUnread ||
		!strings.Contains(e, "nothing is declared for what was not read; 1 place could not be read:\n  "+missing+": no such file or directory") {
		t.Errorf("init of a tree and a missing path: exit %d, %q", code, e)
	}
	// A mistyped database URL is a usage error, its password not shown.
	if _, e, code := runBinary(t, bin, "scan", "postgress://kari:Hemmelig-77@127.0.0.1/erp"); code != exitUsage || strings.Contains(e, "Hemmelig-77") || !strings.Contains(e, `unknown kind of target "postgress://"`) {
		t.Errorf("a mistyped scheme: exit %d, %q", code, e)
	}
	// Help asked for is on stdout, for a pager or grep, as the main help is.
	for _, cmd := range []string{"scan", "check", "diff", "history", "report", "init", "rules", "bench"} {
		if o, e, code := runBinary(t, bin, cmd, "--help"); code != exitOK || !strings.Contains(o, "Usage: datakart "+cmd) || e != "" {
			t.Errorf("%s --help: exit %d, stdout %q, stderr %q", cmd, code, o, e)
		}
	}
	if o, _, code := runBinary(t, bin, "scan", "--help"); code != exitOK || !strings.Contains(o, "Examples:") {
		t.Errorf("scan --help: exit %d, %q", code, o)
	}
	// A command's help lists the flags that do something there, with
	// the formats it writes.
	if e, _, _ := runBinary(t, bin, "check", "--help"); !strings.Contains(e, "table, json, markdown, sarif") || strings.Contains(e, "-show-values") || strings.Contains(e, "-min-confidence") {
		t.Errorf("check --help: %s", e)
	}
	if e, _, _ := runBinary(t, bin, "init", "--help"); strings.Contains(e, "-format") || strings.Contains(e, "-show-values") || strings.Contains(e, "-history") || !strings.Contains(e, "declare only the categories found at this confidence") {
		t.Errorf("init --help: %s", e)
	}
	if _, e, code := runBinary(t, bin, "init", "--format", "json", "-o", filepath.Join(dir, "x.yaml"), dir); code != exitUsage || !strings.Contains(e, "-format") {
		t.Errorf("init --format json: exit %d, %q", code, e)
	}
	o, _, code := runBinary(t, bin, "scan", dir, "--format", "csv")
	if code != exitOK || !strings.Contains(o, "no_fnr") || strings.Contains(o, "10048744732") {
		t.Errorf("flags after the target: exit %d\n%s", code, o)
	}
	_, e, code := runBinary(t, bin, "scan", "--show-values=raw", "--format", "json", dir)
	if code != exitOK || !strings.Contains(e, "RAW PERSONAL DATA") {
		t.Errorf("--show-values=raw must warn on stderr: exit %d, %q", code, e)
	}
	out := filepath.Join(dir, "inv.json")
	if _, _, code := runBinary(t, bin, "scan", "-o", out, "--format", "json", dir); code != exitOK {
		t.Errorf("-o: exit %d", code)
	} else if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("-o file: %v, mode %v (want 0600: inventories describe personal data)", err, st.Mode())
	}
	if o, _, code := runBinary(t, bin, "rules"); code != exitOK || !strings.Contains(o, "no_fnr") || !strings.Contains(o, "national_id") {
		t.Errorf("rules: exit %d\n%s", code, o)
	}
	if o, _, code := runBinary(t, bin, "version"); code != exitOK || !strings.HasPrefix(o, "datakart ") {
		t.Errorf("version: %q", o)
	}
}

// The table is drawn for $COLUMNS where it is set (a pipe into less),
// else for the terminal standard output is; a file or a pipe gets columns
// of at most 46 characters. On 70 columns the findings come as a list.
func TestTableWidth(t *testing.T) {
	var pipe bytes.Buffer
	if got := tableWidth("", &pipe); got != 0 {
		t.Errorf("a pipe without $COLUMNS: width %d, want 0", got)
	}
	t.Setenv("COLUMNS", "70")
	if got := tableWidth("", &pipe); got != 70 {
		t.Errorf("COLUMNS=70: width %d, want 70", got)
	}
	if got := tableWidth(filepath.Join(t.TempDir(), "inventory.txt"), &pipe); got != 0 {
		t.Errorf("-o a file: width %d, want 0", got)
	}
	examples, err := filepath.Abs(filepath.Join("..", "..", "examples", "exports"))
	if err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runBinary(t, buildBinary(t), "scan", "--no-history", examples)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "\nanalytics/customers.parquet → fnr\n  no_fnr (d_number 2): high, 40 matches") {
		t.Errorf("COLUMNS=70: the findings are not listed:\n%s", out)
	}
	t.Setenv("COLUMNS", "")
	out, _, _ = runBinary(t, buildBinary(t), "scan", "--no-history", examples)
	if !strings.Contains(out, "│ analytics/customers.parquet → fnr ") {
		t.Errorf("a pipe: the findings are not in a table:\n%s", out)
	}
}
