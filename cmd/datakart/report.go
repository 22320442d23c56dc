package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"datakart/check"
	"datakart/detectors"
	"datakart/history"
	"datakart/inventory"
	"datakart/reports"
	"datakart/rules"
)

const reportUsage = `Usage: datakart report [flags]

Writes an audit report from the latest recorded scan (or --run, or an
inventory file with --inventory):

  html       one self-contained page (no network, opens from an e-mail):
             summary, categories per store, GDPR classes, the trend over
             the last runs, changes since the previous audit, the policy
             view when there is a datakart.yaml, and a sortable, filterable
             inventory with masked examples
  ropa-csv   records of processing (GDPR Art. 30): one row per file or
  ropa-xlsx  table with personal data, filled in from the policy; missing
             fields are left empty for the privacy team to complete

Examples:
  datakart report --format html -o report.html
  datakart report --format ropa-xlsx -o ropa.xlsx --run 12
  datakart report --format html --inventory today.json --previous last-month.json -o audit.html

Flags:
`

var reportFormats = []string{"html", "ropa-csv", "ropa-xlsx"}

func runReport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), reportUsage); fs.PrintDefaults() }
	format := fs.String("format", "html", "output format: "+strings.Join(reportFormats, ", "))
	output := fs.String("output", "", "write to this file instead of stdout")
	fs.StringVar(output, "o", "", "shorthand for --output")
	historyPath := fs.String("history", history.DefaultPath, "the history database")
	runRef := fs.String("run", "latest", "the recorded run to report on: a number, latest or previous")
	invFile := fs.String("inventory", "", "report on this inventory file instead of a recorded run")
	previous := fs.String("previous", "", "compare with this run or inventory file (default: the run before)")
	configPath := fs.String("config", "", "config file for the policy view and the records of processing (default ./"+rules.ConfigFile+" when it exists)")
	minConfidence := fs.String("min-confidence", "medium", "leave out of the records of processing what is below this confidence")
	maxRows := fs.Int("max-rows", 2000, "most findings, errors and skipped the html report lists, undeclared and surest first (0: all); the inventory's json and csv have every one")
	rest, err := parseInterleaved(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("report: unexpected argument %q", rest[0])
	}
	if !slices.Contains(reportFormats, *format) {
		return usagef("--format %q: want one of %s", *format, strings.Join(reportFormats, ", "))
	}
	minConf, err := parseMinConfidence(*minConfidence)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		return err
	}
	ctx := context.Background()

	var h *history.DB
	if _, err := os.Stat(*historyPath); err == nil {
		if h, err = history.Open(ctx, *historyPath); err != nil {
			return err
		}
		defer h.Close()
	}
	if *maxRows < 0 {
		return usagef("--max-rows must be 0 (all) or more, not %d", *maxRows)
	}
	in := reports.HTMLInput{MaxRows: *maxRows}
	var runID int64
	var runs []history.Run // the runs a report is made of, newest first
	if *invFile != "" {
		if in.Inventory, err = inventory.ReadFile(*invFile); err != nil {
			return usagef("%s: %v", *invFile, err)
		}
	} else {
		if h == nil {
			return usagef("no history at %s: scan first, or give --inventory FILE", *historyPath)
		}
		if runs, err = audited(ctx, h); err != nil {
			return err
		}
		if runID, err = history.ResolveIn(runs, *runRef); err != nil {
			return usagef("%v", err)
		}
		if in.Inventory, err = h.Inventory(ctx, runID); err != nil {
			return usagef("%v", err)
		}
	}
	var prev *inventory.Inventory
	switch {
	case *previous != "":
		if prev, err = loadInventory(*previous, *historyPath); err != nil {
			return err
		}
	case runID > 0:
		if id := before(runs, runID); id > 0 {
			prev, _ = h.Inventory(ctx, id)
		}
	}
	if prev != nil {
		in.Changes = inventory.Diff(prev, in.Inventory)
	}
	if h != nil && runs == nil {
		runs, _ = audited(ctx, h)
	}
	in.Trend = trend(runs, runID)
	if cfg != nil {
		failOn := detectors.Medium
		if cfg.Scan.FailOn != "" {
			failOn, _ = detectors.ParseConfidence(cfg.Scan.FailOn)
		}
		in.Check = check.Evaluate(in.Inventory, cfg, check.Options{FailOn: failOn, Now: time.Now()})
	}
	rs, err := rules.Default()
	if err != nil {
		return err
	}
	if rs, err = rs.Extend(cfg); err != nil {
		return usageError{"config: " + err.Error()}
	}
	return writeReport(*output, stdout, func(w io.Writer) error {
		switch *format {
		case "ropa-csv":
			return reports.ROPACSV(w, reports.ROPARows(in.Inventory, cfg, rs, minConf))
		case "ropa-xlsx":
			return reports.ROPAXLSX(w, reports.ROPARows(in.Inventory, cfg, rs, minConf))
		}
		return reports.HTML(w, in)
	})
}

// audited returns the recorded runs a report is made of, newest first:
// the scans, where there are any. A check records its run too, but reads
// what CI points it at (often a schema, or one database), and the latest
// run an audit report stands on is the latest scan, as its help says;
// with no scan recorded, every run.
func audited(ctx context.Context, h *history.DB) ([]history.Run, error) {
	runs, err := h.Runs(ctx, 0)
	if err != nil {
		return nil, err
	}
	scans := slices.DeleteFunc(slices.Clone(runs), func(r history.Run) bool { return r.Command != "scan" })
	if len(scans) > 0 {
		return scans, nil
	}
	return runs, nil
}

// before returns the run among runs that came before id, or 0.
func before(runs []history.Run, id int64) int64 {
	for _, r := range runs {
		if r.ID < id {
			return r.ID
		}
	}
	return 0
}

// trend lists up to the last 12 of runs up to and including upTo (0:
// all), oldest first.
func trend(runs []history.Run, upTo int64) []reports.TrendPoint {
	var pts []reports.TrendPoint
	for _, r := range runs {
		if upTo > 0 && r.ID > upTo {
			continue
		}
		pts = append(pts, reports.TrendPoint{Label: fmt.Sprintf("#%d %s", r.ID, r.StartedAt.Format("01-02")), High: r.High, Medium: r.Medium})
		if len(pts) == 12 {
			break
		}
	}
	slices.Reverse(pts)
	return pts
}

// loadConfig reads --config, or ./datakart.yaml when it exists, or
// nothing.
func loadConfig(path string) (*rules.Config, error) {
	if path == "" {
		if _, err := os.Stat(rules.ConfigFile); err != nil {
			return nil, nil
		}
		path = rules.ConfigFile
	}
	cfg, err := rules.LoadConfig(path)
	if err != nil {
		return nil, usageError{"config " + err.Error()}
	}
	return cfg, nil
}
