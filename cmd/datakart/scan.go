package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"datakart/connectors"
	"datakart/connectors/files"
	"datakart/detectors"
	"datakart/inventory"
	"datakart/reports"
	"datakart/rules"
	"datakart/scanner"

	"golang.org/x/term"
)

var errHelp = errors.New("help shown")

const scanUsage = `Usage: datakart scan [flags] TARGET...

Scans each TARGET (a file or a directory tree) for personal data and writes
the data inventory: which file and field holds which categories, how sure,
and why. Values are masked and fingerprinted; raw values are never written
unless --show-values=raw.

Examples:
  datakart scan ./exports
  datakart scan --format json -o inventory.json ./exports ./logs
  datakart scan --exclude '**/*.log' --include '**/*.csv' /srv/share
  DATAKART_FINGERPRINT_KEY=$(cat key) datakart scan --format csv ./exports > inventory.csv

Flags:
`

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

type scanFlags struct {
	format, output, showValues, fingerprintKey string
	minConfidence                              string
	concurrency                                int
	include, exclude                           stringList
	followSymlinks, noProgress                 bool
	maxDepth, maxEntries                       int
	maxExpanded                                int64
}

func (f *scanFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.format, "format", "table", "output format: "+strings.Join(reports.Formats, ", "))
	fs.StringVar(&f.output, "output", "", "write the report to this file instead of stdout")
	fs.StringVar(&f.output, "o", "", "shorthand for --output")
	fs.IntVar(&f.concurrency, "concurrency", runtime.NumCPU(), "units (files, tables) read at once, over all targets")
	fs.Var(&f.include, "include", "only scan paths matching this glob (repeatable; ** matches directories)")
	fs.Var(&f.exclude, "exclude", "skip paths matching this glob (repeatable)")
	fs.BoolVar(&f.followSymlinks, "follow-symlinks", false, "follow symbolic links (loops are detected)")
	fs.StringVar(&f.minConfidence, "min-confidence", "medium", "hide findings below this confidence in table, csv and markdown (low, medium, high); json has all")
	fs.StringVar(&f.showValues, "show-values", "masked", "masked or raw: raw puts personal data in the output")
	fs.StringVar(&f.fingerprintKey, "fingerprint-key", "", "key for value fingerprints (default $DATAKART_FINGERPRINT_KEY, else random per run)")
	fs.IntVar(&f.maxDepth, "max-archive-depth", 3, "how deep to open archives inside archives")
	fs.IntVar(&f.maxEntries, "max-archive-entries", 10000, "most members read from one archive")
	fs.Int64Var(&f.maxExpanded, "max-expanded-bytes", 4<<30, "most bytes decompressed from one archive")
	fs.BoolVar(&f.noProgress, "no-progress", false, "never show progress on stderr")
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments, as people type them.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func runScan(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, scanUsage); fs.PrintDefaults() }
	var f scanFlags
	f.register(fs)
	targets, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		return usagef("scan: no target given (a file or directory)")
	}
	if f.showValues != "masked" && f.showValues != "raw" {
		return usagef("--show-values must be masked or raw, not %q", f.showValues)
	}
	if !validFormat(f.format) {
		return usagef("--format %q: want one of %s", f.format, strings.Join(reports.Formats, ", "))
	}
	minConf, err := detectors.ParseConfidence(f.minConfidence)
	if err != nil || minConf == detectors.None {
		return usagef("--min-confidence must be low, medium or high, not %q", f.minConfidence)
	}
	if f.concurrency < 1 {
		return usagef("--concurrency must be at least 1")
	}

	rs, err := rules.Default()
	if err != nil {
		return err
	}
	var sources []connectors.Source
	for _, t := range targets {
		src, err := openTarget(t, f)
		if err != nil {
			return err
		}
		sources = append(sources, src)
	}

	opt := scanner.Options{
		Concurrency: f.concurrency,
		Targets:     targets,
		Version:     version,
		Include:     f.include,
		Exclude:     f.exclude,
		Progress:    &scanner.Progress{},
	}
	switch {
	case f.fingerprintKey != "":
		opt.FingerprintKey, opt.FingerprintKeySource = []byte(f.fingerprintKey), "flag"
	case os.Getenv("DATAKART_FINGERPRINT_KEY") != "":
		opt.FingerprintKey, opt.FingerprintKeySource = []byte(os.Getenv("DATAKART_FINGERPRINT_KEY")), "env"
	}
	if f.showValues == "raw" {
		opt.ShowRawValues = true
		fmt.Fprintln(stderr, "datakart: WARNING: --show-values=raw: the output will contain RAW PERSONAL DATA. Do not share it; delete it when done.")
	}

	ctx, stop := interruptContext()
	defer stop()
	stopProgress := func() {}
	if !f.noProgress && isTerminal(stderr) {
		stopProgress = startProgress(stderr, opt.Progress)
	}
	inv, err := scanner.Scan(ctx, rs, sources, opt)
	stopProgress()
	if err != nil {
		return err
	}
	if err := writeReport(inv, f.format, f.output, reports.Options{MinConfidence: minConf}, stdout); err != nil {
		return err
	}
	if !inv.Complete {
		fmt.Fprintf(stderr, "datakart: scan interrupted; the inventory is partial and marked incomplete\n")
		return exitError{exitInterrupted}
	}
	return nil
}

func validFormat(f string) bool {
	for _, x := range reports.Formats {
		if f == x {
			return true
		}
	}
	return f == "md"
}

// openTarget turns a command-line target into a source.
func openTarget(t string, f scanFlags) (connectors.Source, error) {
	if _, err := os.Stat(t); err != nil {
		return nil, usagef("target %s: %v", t, errors.Unwrap(err))
	}
	return files.New(t, files.Options{
		Include:           f.include,
		Exclude:           f.exclude,
		FollowSymlinks:    f.followSymlinks,
		MaxArchiveDepth:   f.maxDepth,
		MaxArchiveEntries: f.maxEntries,
		MaxExpandedBytes:  f.maxExpanded,
	})
}

// writeReport renders the inventory to stdout or, atomically, to a file.
func writeReport(inv *inventory.Inventory, format, output string, ropt reports.Options, stdout io.Writer) error {
	if output == "" || output == "-" {
		return reports.Render(stdout, inv, format, ropt)
	}
	tmp, err := os.CreateTemp(filepath.Dir(output), ".datakart-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := reports.Render(tmp, inv, format, ropt); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), output)
}

// interruptContext is cancelled by the first SIGINT or SIGTERM, so the scan
// stops and writes what it found; a second signal ends the process at once.
func interruptContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig, ok := <-ch
		if !ok {
			return
		}
		signal.Reset(os.Interrupt, syscall.SIGTERM)
		cancel(fmt.Errorf("received %v", sig))
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(ch)
		cancel(nil)
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// startProgress redraws one status line on stderr until the returned
// function is called, which clears the line.
func startProgress(w io.Writer, p *scanner.Progress) (stop func()) {
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		start := time.Now()
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-quit:
				fmt.Fprint(w, "\r\033[K")
				return
			case <-t.C:
				secs := time.Since(start).Seconds()
				b := p.Bytes.Load()
				fmt.Fprintf(w, "\r\033[Kscanning: %d/%d done, %.1f MB, %.1f MB/s",
					p.UnitsDone.Load(), p.UnitsFound.Load(), float64(b)/1e6, float64(b)/1e6/max(secs, 0.001))
			}
		}
	}()
	return func() { close(quit); <-finished }
}
