package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"datakart/history"
	"datakart/inventory"
	"datakart/reports"
)

const diffUsage = `Usage: datakart diff [flags] OLD NEW

Shows what changed between two inventories, each a JSON file (written with
--format json) or a run of the history (a number, latest or previous):
personal data that appeared or disappeared, confidence that went up or
down, files and tables that are new or gone.

Examples:
  datakart diff last-month.json today.json
  datakart diff previous latest
  datakart diff --format markdown --exit-code main.json branch.json

Exit codes: 0 (with --exit-code: no personal data appeared), 1 with
--exit-code when personal data appeared, 2 usage or fatal error.

Flags:
`

func runDiff(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), diffUsage); fs.PrintDefaults() }
	format := fs.String("format", "table", "output format: "+strings.Join(reports.DiffFormats, ", "))
	output := fs.String("output", "", "write to this file instead of stdout")
	fs.StringVar(output, "o", "", "shorthand for --output")
	exitCode := fs.Bool("exit-code", false, "exit 1 when personal data appeared")
	historyPath := fs.String("history", history.DefaultPath, "the history database, for runs")
	files, err := parseInterleaved(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(files) != 2 {
		return usagef("diff: want two inventories, OLD NEW (files or history runs)")
	}
	if !validFormat(*format, reports.DiffFormats) {
		return usagef("--format %q: want one of %s", *format, strings.Join(reports.DiffFormats, ", "))
	}
	old, err := loadInventory(files[0], *historyPath)
	if err != nil {
		return err
	}
	cur, err := loadInventory(files[1], *historyPath)
	if err != nil {
		return err
	}
	d := inventory.Diff(old, cur)
	if err := writeReport(*output, stdout, func(w io.Writer) error { return reports.RenderDiff(w, d, *format) }); err != nil {
		return err
	}
	if *exitCode && d.PersonalAppeared() {
		return exitError{exitFindings}
	}
	return nil
}
