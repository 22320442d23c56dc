package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"datakart/check"
	"datakart/detectors"
	"datakart/inventory"
	"datakart/reports"
)

const checkUsage = `Usage: datakart check [flags] [TARGET...]

Scans like 'datakart scan' (targets from the command line or from
datakart.yaml), then compares what it found with the policy and the
allow-list in datakart.yaml. Exits 1 when there is personal data nobody
declared, at --fail-on confidence or above; 0 when everything found is
declared or allowed; 3 when nothing undeclared was found but a store,
table or file could not be read, so what it holds was not checked
(--ignore-errors makes that 0).

A directory of SQL migrations (or migrations:PATH) is read for the columns
it creates, by name and type, with file and line; --schema-only does the
same against a live database, reading no rows.

Examples:
  datakart check                                   # targets and policy from ./datakart.yaml
  datakart check --format sarif -o datakart.sarif migrations/
  datakart check --baseline inventory.json --format markdown postgres://ci@db/app
  datakart check --schema-only --fail-on low mysql://ci@127.0.0.1:3306/app

Exit codes: 0 passed, 1 undeclared personal data, 2 usage or fatal error,
3 a store, table or file could not be read, 130 interrupted.

Flags:
`

func runCheck(args []string, stdout, stderr io.Writer) error {
	var r scanRun
	var failOn, baseline string
	var ignoreErrors bool
	if err := r.parse("check", checkUsage, checkFlagUse, args, stdout, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&failOn, "fail-on", "", "fail on undeclared findings at this confidence or above: high, medium or low (default medium, or scan.fail_on)")
		fs.StringVar(&baseline, "baseline", "", "an earlier inventory (JSON): only findings new against it count")
		fs.BoolVar(&ignoreErrors, "ignore-errors", false, "pass (exit 0) when a store, table or file could not be read; it is still listed")
	}); err != nil {
		return err
	}
	if !r.set["format"] {
		r.f.format = "table"
	}
	if !validFormat(r.f.format, reports.CheckFormats) {
		return usagef("--format %q: want one of %s", r.f.format, strings.Join(reports.CheckFormats, ", "))
	}
	if failOn == "" && r.cfg != nil {
		failOn = r.cfg.Scan.FailOn
	}
	if failOn == "" {
		failOn = "medium"
	}
	threshold, err := detectors.ParseConfidence(failOn)
	if err != nil || threshold == detectors.None {
		return usagef("--fail-on must be high, medium or low, not %q", failOn)
	}
	var base *inventory.Inventory
	if baseline != "" {
		if base, err = inventory.ReadFile(baseline); err != nil {
			return usagef("--baseline: %v", err)
		}
	}
	ctx, stop := interruptContext()
	defer stop()
	inv, err := r.scan(ctx, stderr)
	if err != nil {
		return err
	}
	r.record(ctx, "check", inv, stderr)
	res := check.Evaluate(inv, r.cfg, check.Options{FailOn: threshold, Baseline: base, Now: time.Now(), IgnoreUnread: ignoreErrors})
	if err := writeReport(r.f.output, stdout, func(w io.Writer) error {
		return reports.RenderCheck(w, res, r.f.format)
	}); err != nil {
		return err
	}
	if err := interrupted(inv, stderr); err != nil {
		return err
	}
	if res.Failed > 0 {
		if r.f.output != "" || r.f.format != "table" {
			fmt.Fprintf(stderr, "datakart check: %s of undeclared personal data\n", reports.Count(res.Failed, "finding"))
		}
		return exitError{exitFindings}
	}
	if !res.Passed() {
		if r.f.output != "" || r.f.format != "table" {
			fmt.Fprintf(stderr, "datakart check: not passed, %s could not be read\n", reports.Count(len(res.Unread), "place"))
		}
		return exitError{exitUnread}
	}
	return nil
}
