package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
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
       datakart history prune [--keep N] [--older-than AGE]

Lists the scans recorded in the history (every scan and check records its
inventory unless --no-history), prints one run's inventory, or deletes old
runs. RUN is a run number, latest or previous. The history says where
personal data is and holds keyed fingerprints of it: prune it as your
retention policy says. The newest run is never pruned.

Examples:
  datakart history
  datakart history show --format markdown latest
  datakart history prune --keep 30
  datakart history prune --older-than 365d
  datakart diff previous latest

Flags:
`

func runHistory(args []string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 && (args[0] == "show" || args[0] == "prune") {
		sub, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("history", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), historyUsage); fs.PrintDefaults() }
	path := fs.String("history", history.DefaultPath, "the history database")
	limit := fs.Int("limit", 50, "list at most this many runs (0: all)")
	format := fs.String("format", "table", "with show: "+strings.Join(reports.Formats, ", "))
	minConfidence := fs.String("min-confidence", "medium", "with show: hide findings below this confidence in table, csv and markdown")
	keep := fs.Int("keep", 0, "with prune: keep this many of the newest runs")
	olderThan := fs.String("older-than", "", "with prune: delete the runs older than this (365d, 12w, 720h)")
	rest, err := parseInterleaved(fs, args, stdout)
	if err != nil {
		return err
	}
	if sub == "" && len(rest) > 0 && (rest[0] == "show" || rest[0] == "prune") {
		// Flags before the subcommand: history --history h.db show latest.
		sub, rest = rest[0], rest[1:]
	}
	if *limit < 0 {
		return usagef("--limit: want 0 (all) or more, not %d", *limit)
	}
	h, err := openHistory(*path)
	if err != nil {
		return err
	}
	defer h.Close()
	ctx := context.Background()
	if sub == "prune" {
		keepAll := false
		fs.Visit(func(f *flag.Flag) { keepAll = keepAll || f.Name == "keep" && *keep == 0 })
		if keepAll {
			return usagef("--keep must be 1 or more, not 0 (to delete every run, delete %s)", *path)
		}
		return pruneHistory(ctx, h, *path, *keep, *olderThan, rest, stdout)
	}
	if sub == "show" {
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
		return reports.Render(stdout, inv, *format, reports.Options{MinConfidence: minConf, Width: tableWidth("", stdout)})
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

// pruneHistory deletes the runs past --keep or older than --older-than.
func pruneHistory(ctx context.Context, h *history.DB, path string, keep int, olderThan string, rest []string, stdout io.Writer) error {
	if len(rest) > 0 {
		return usagef("history prune: unexpected %q", rest[0])
	}
	if keep < 0 {
		return usagef("--keep must be 1 or more, not %d", keep)
	}
	var before time.Time
	if olderThan != "" {
		age, err := parseAge(olderThan)
		if err != nil {
			return usagef("--older-than %q: %v", olderThan, err)
		}
		before = time.Now().Add(-age)
	}
	if keep == 0 && before.IsZero() {
		return usagef("history prune: say what to keep: --keep N, --older-than AGE, or both")
	}
	size := fileSize(path)
	gone, err := h.Prune(ctx, keep, before)
	if err != nil {
		return err
	}
	if len(gone) == 0 {
		fmt.Fprintf(stdout, "Nothing to prune in %s.\n", path)
		return nil
	}
	left, err := h.Runs(ctx, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Deleted %s from %s (#%d to #%d); %d kept, the newest #%d. %s → %s.\n",
		reports.Count(len(gone), "run"), path, gone[len(gone)-1], gone[0], len(left), left[0].ID, humanSize(size), humanSize(fileSize(path)))
	return nil
}

// parseAge reads an age in days (365d), weeks (12w) or as a Go duration.
// An age longer than a time.Duration holds (292 years) is refused: it
// would wrap around to one in the future, and prune would delete every
// run but the newest.
func parseAge(s string) (time.Duration, error) {
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.Atoi(n)
			if err != nil || v <= 0 {
				return 0, fmt.Errorf("want a number of days or weeks, like 365d or 12w")
			}
			if int64(v) > math.MaxInt64/int64(unit) {
				return 0, fmt.Errorf("want an age of at most %dd (292 years)", math.MaxInt64/int64(24*time.Hour))
			}
			return time.Duration(v) * unit, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("want an age like 365d, 12w or 720h")
	}
	return d, nil
}

// fileSize is the size of the history file and its write-ahead log.
func fileSize(path string) int64 {
	var n int64
	for _, f := range []string{path, path + "-wal"} {
		if st, err := os.Stat(f); err == nil {
			n += st.Size()
		}
	}
	return n
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
	_, statErr := os.Stat(arg)
	if statErr == nil {
		inv, err := inventory.ReadFile(arg)
		if err != nil {
			return nil, usagef("%s: %v", arg, err)
		}
		return inv, nil
	}
	if !history.IsRunRef(arg) {
		// Meant as a file: say what is wrong with it, not how runs are
		// written.
		return nil, usagef("%s: %v (an inventory file, or a run: a number, latest or previous)", arg, errors.Unwrap(statErr))
	}
	h, err := openHistory(historyPath)
	if err != nil {
		return nil, usagef("%s is neither an inventory file nor a run (%v)", arg, err)
	}
	defer h.Close()
	return loadRun(context.Background(), h, arg)
}
