package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"datakart/history"
	"datakart/inventory"
	"datakart/reports"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

const historyUsage = `Usage: datakart history [flags]
       datakart history show [flags] RUN

Lists the scans recorded in the history (every scan and check records its
inventory unless --no-history), or prints one run's inventory. RUN is a
run number, latest or previous.

Examples:
  datakart history
  datakart history show --format markdown latest
  datakart diff previous latest

Flags:
`

func runHistory(args []string, stdout, stderr io.Writer) error {
	show := len(args) > 0 && args[0] == "show"
	if show {
		args = args[1:]
	}
	fs := flag.NewFlagSet("history", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, historyUsage); fs.PrintDefaults() }
	path := fs.String("history", history.DefaultPath, "the history database")
	limit := fs.Int("limit", 50, "list at most this many runs (0: all)")
	format := fs.String("format", "table", "with show: "+strings.Join(reports.Formats, ", "))
	minConfidence := fs.String("min-confidence", "medium", "with show: hide findings below this confidence in table, csv and markdown")
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if !show && len(rest) > 0 && rest[0] == "show" {
		// Flags before the subcommand: history --history h.db show latest.
		show, rest = true, rest[1:]
	}
	h, err := openHistory(*path)
	if err != nil {
		return err
	}
	defer h.Close()
	ctx := context.Background()
	if show {
		if len(rest) != 1 {
			return usagef("history show: give one RUN (a number, latest or previous)")
		}
		if !validFormat(*format, reports.Formats) {
			return usagef("--format %q: want one of %s", *format, strings.Join(reports.Formats, ", "))
		}
		minConf, err := parseMinConfidence(*minConfidence)
		if err != nil {
			return err
		}
		inv, err := loadRun(ctx, h, rest[0])
		if err != nil {
			return err
		}
		return reports.Render(stdout, inv, *format, reports.Options{MinConfidence: minConf})
	}
	if len(rest) != 0 {
		return usagef("history: unexpected %q (did you mean history show %s?)", rest[0], rest[0])
	}
	runs, err := h.Runs(ctx, *limit)
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		fmt.Fprintf(stdout, "No runs recorded in %s yet.\n", *path)
		return nil
	}
	t := tablewriter.NewTable(stdout, tablewriter.WithHeaderAutoFormat(tw.Off), tablewriter.WithRowAutoWrap(tw.WrapNormal), tablewriter.WithRowMaxWidth(50))
	t.Header("RUN", "COMMAND", "STARTED (UTC)", "DURATION", "TARGETS", "CONTAINERS", "PERSONAL LOCATIONS (H/M/L)", "ERRORS")
	for _, r := range runs {
		started := r.StartedAt.UTC().Format("2006-01-02 15:04:05")
		if !r.Complete {
			started += " (incomplete)"
		}
		if err := t.Append(fmt.Sprint(r.ID), r.Command, started, r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond).String(),
			strings.Join(r.Targets, " "), fmt.Sprint(r.Containers),
			fmt.Sprintf("%d (%d/%d/%d)", r.PersonalLocations, r.High, r.Medium, r.Low), fmt.Sprint(r.Errors)); err != nil {
			return err
		}
	}
	return t.Render()
}

func openHistory(path string) (*history.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, usagef("no history at %s (scans record there unless --no-history; --history names another)", path)
	}
	return history.Open(context.Background(), path)
}

func loadRun(ctx context.Context, h *history.DB, ref string) (*inventory.Inventory, error) {
	id, err := h.Resolve(ctx, ref)
	if err != nil {
		return nil, usagef("%v", err)
	}
	inv, err := h.Inventory(ctx, id)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return inv, nil
}

// loadInventory reads an inventory from a JSON file or, when arg is not a
// file, from the history (a run number, latest or previous).
func loadInventory(arg, historyPath string) (*inventory.Inventory, error) {
	if _, err := os.Stat(arg); err == nil {
		inv, err := inventory.ReadFile(arg)
		if err != nil {
			return nil, usagef("%s: %v", arg, err)
		}
		return inv, nil
	}
	h, err := openHistory(historyPath)
	if err != nil {
		return nil, usagef("%s is neither an inventory file nor a run (%v)", arg, err)
	}
	defer h.Close()
	return loadRun(context.Background(), h, arg)
}
