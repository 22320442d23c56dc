package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"datakart/detectors"
	"datakart/internal/dsn"
	"datakart/inventory"
	"datakart/reports"
	"datakart/rules"
)

const initUsage = `Usage: datakart init [flags] TARGET...

Scans the targets and writes a commented starter datakart.yaml in which
every location found with personal data is declared, so adopting datakart
on an existing system is one command. Fill in purpose, legal basis,
retention and the rest of each policy entry before relying on it.

Examples:
  datakart init ./exports postgres://scanner@db:5432/erp
  datakart init -o config/datakart.yaml --min-confidence low ./exports

Flags:
`

func runInit(args []string, stdout, stderr io.Writer) error {
	var r scanRun
	var force bool
	if err := r.parse("init", initUsage, initFlagUse, args, stdout, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&force, "force", false, "overwrite an existing file")
	}); err != nil {
		return err
	}
	out := r.f.output
	if out == "" {
		out = rules.ConfigFile
	}
	if _, err := os.Stat(out); err == nil && !force && out != "-" {
		return usagef("%s exists; use --force to overwrite it", out)
	}
	minConf, err := r.minConfidence()
	if err != nil {
		return err
	}
	ctx, stop := interruptContext()
	defer stop()
	inv, err := r.scan(ctx, stderr)
	if err != nil {
		return err
	}
	text, leftOut := starterConfig(inv, r.targets, r.f.passwordEnv, minConf)
	if _, err := rules.ParseConfig([]byte(text)); err != nil {
		return fmt.Errorf("internal error: the starter config does not parse: %w", err)
	}
	if err := writeReport(out, stdout, func(w io.Writer) error { _, err := io.WriteString(w, text); return err }); err != nil {
		return err
	}
	if out != "-" {
		fmt.Fprintf(stderr, "datakart: wrote %s: %d locations declared; fill in purpose, legal basis and retention for each\n", out, strings.Count(text, "\n  - location:"))
		if leftOut {
			fmt.Fprintf(stderr, "datakart: the passwords in the targets are left out of %s; give them through the environment (scan.password_env, PGPASSWORD, MYSQL_PWD)\n", out)
		}
	}
	if len(inv.Errors) > 0 {
		// What was not read is not declared: a store down, a share not
		// mounted, a password gone would otherwise give a config that
		// looks complete and a check that fails the day they are back.
		reports.Unread(stderr, "datakart: nothing is declared for what was not read; ", inv.Errors)
	}
	if err := interrupted(inv, stderr); err != nil {
		return err
	}
	if len(inv.Errors) > 0 {
		// And a script that writes the config sees it, as check's does.
		return exitError{exitUnread}
	}
	return nil
}

// starterConfig declares every container with personal data found at min
// confidence or above, one policy entry per container but where files of
// a folder share one (see groupFiles). The targets are
// written without their passwords, as the file is kept and shared; the
// variable --password-env named is written in when it gave every database
// its password. leftOut says whether a password was left out.
func starterConfig(inv *inventory.Inventory, targets []string, passwordEnv string, min detectors.Confidence) (text string, leftOut bool) {
	var b strings.Builder
	b.WriteString("# datakart configuration, written by `datakart init` from a scan.\n")
	b.WriteString("# Every location found with personal data is declared below. Review each entry:\n")
	b.WriteString("# remove what should not be there, and fill in the records-of-processing fields.\n\n")
	b.WriteString("targets:\n")
	databases := false
	for _, t := range targets {
		kept := dsn.WithoutPassword(t)
		leftOut = leftOut || kept != t
		databases = databases || dsn.IsDatabaseTarget(t)
		fmt.Fprintf(&b, "  - %s\n", yamlString(kept))
	}
	if leftOut {
		b.WriteString("  # Passwords written in the targets are left out: this file is kept and shared.\n")
		b.WriteString("  # Give them through the environment: scan.password_env gives every target the\n")
		b.WriteString("  # same one; where they differ, PGPASSWORD for PostgreSQL and MYSQL_PWD for MySQL.\n")
	}
	passwordLine := "# password_env: DATAKART_DB_PASSWORD"
	if passwordEnv != "" && databases && !leftOut {
		passwordLine = fmt.Sprintf("password_env: %s   # the variable that holds the databases' password", yamlString(passwordEnv))
	}
	fmt.Fprintf(&b, `
scan:
  # include: ["**/*.csv"]
  # exclude: ["**/node_modules/**"]
  # sample: 10000           # rows per table
  # ocr: true               # read images and scanned PDFs with Tesseract (must be installed)
  # statement_timeout: 30s
  %s
  fail_on: medium           # datakart check fails on undeclared findings at this confidence or above
`, passwordLine)
	b.WriteString(`
# rules:
#   detectors:              # your own patterns (regexp2 syntax; lookarounds work)
#     - id: employee_no
#       category: employee_no
#       pattern: '(?<![0-9])E[0-9]{6}(?![0-9])'
#       confidence: medium
#   categories:
#     - {id: employee_no, name: Employee number, class: ordinary}
#   names:                  # more column names for a category
#     - {category: no_fnr, names: [ident_nr]}
#   context:                # more words that raise confidence nearby
#     phone: [sentralbord]

# allow:                    # suppressions: each needs a reason; expires is optional
#   - location: "test/fixtures/**"
#     reason: synthetic test data
#     expires: 2027-06-30

policy:
`)
	var entries []entry
	for _, s := range inv.Stores {
		for _, c := range s.Containers {
			var cats []string
			for _, f := range c.Fields {
				for _, k := range f.Categories {
					if k.Personal && k.Confidence >= min && !slices.Contains(cats, k.ID) {
						cats = append(cats, k.ID)
					}
				}
			}
			if len(cats) > 0 {
				slices.Sort(cats)
				entries = append(entries, entry{store: s.Kind, location: c.Name, cats: cats})
			}
		}
	}
	entries = groupFiles(entries)
	if len(entries) == 0 {
		b.WriteString("  []   # no personal data was found\n")
	}
	for _, e := range entries {
		fmt.Fprintf(&b, "  - location: %s\n", yamlString(e.location))
		if e.files > 0 {
			fmt.Fprintf(&b, "    # %d files with these categories, such as %s\n", e.files, strconv.Quote(e.example))
		}
		fmt.Fprintf(&b, "    store: %s\n", e.store)
		fmt.Fprintf(&b, "    categories: [%s]\n", strings.Join(e.cats, ", "))
		b.WriteString("    purpose: \"\"          # why the data is processed\n")
		b.WriteString("    legal_basis: \"\"      # GDPR Art. 6 (and Art. 9 for special categories)\n")
		b.WriteString("    data_subjects: []     # e.g. [customers, employees]\n")
		b.WriteString("    retention: \"\"\n")
		b.WriteString("    recipients: []\n")
		b.WriteString("    owner: \"\"\n")
	}
	return b.String(), leftOut
}

// A policy entry of the starter config. files counts the files one
// entry of a folder stands for, one of them the example.
type entry struct {
	store, location string
	cats            []string
	files           int
	example         string
}

// groupMin is how many files of a folder, with one extension and the same
// categories, the starter config declares in one entry ("hr/lonn/*.csv")
// instead of an entry a file. A share of 50,000 payslips made a config of
// 50,000 entries nobody fills in; in folders of 500 it is 100.
const groupMin = 5

// groupFiles puts the files of a folder with one extension and the same
// categories in one entry, where there are groupMin of them or more, in
// the place of the first. Only files of a tree are: not tables, not
// archive members, and not names a glob would misread.
func groupFiles(entries []entry) []entry {
	pattern := func(e entry) string {
		if e.store != "files" || strings.ContainsAny(e.location, "!*?[\\") {
			return ""
		}
		dir, base := path.Split(e.location)
		ext := path.Ext(base)
		if ext == "" || ext == base {
			return ""
		}
		return dir + "*" + ext
	}
	key := func(e entry) string { return pattern(e) + "\x00" + strings.Join(e.cats, ",") }
	count := map[string]int{}
	for _, e := range entries {
		if pattern(e) != "" {
			count[key(e)]++
		}
	}
	var out []entry
	placed := map[string]bool{}
	for _, e := range entries {
		k := key(e)
		if pattern(e) == "" || count[k] < groupMin {
			out = append(out, e)
			continue
		}
		if !placed[k] {
			placed[k] = true
			out = append(out, entry{store: e.store, location: pattern(e), cats: e.cats, files: count[k], example: e.location})
		}
	}
	return out
}

// yamlString quotes a string for YAML.
func yamlString(s string) string {
	// Go's escapes (\n, \t, \x1b, \u00a0, …) are all escapes of YAML's
	// double-quoted style, which may not hold control characters raw: a
	// file named with one must not make a config datakart cannot read.
	return strconv.Quote(s)
}
