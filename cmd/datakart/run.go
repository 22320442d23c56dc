package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"datakart/connectors"
	"datakart/detectors"
	"datakart/history"
	"datakart/internal/dsn"
	"datakart/inventory"
	"datakart/rules"
	"datakart/scanner"
)

// scanRun is what scan, check and init share: the flags, the config file, the
// targets, and the scan that makes an inventory.
type scanRun struct {
	fs         *flag.FlagSet
	f          scanFlags
	configPath string
	cfg        *rules.Config
	targets    []string
	set        map[string]bool // flags given on the command line
}

// parse registers the shared flags (and any extra the command registers
// in more), parses args and loads the config: datakart.yaml in the working
// directory or --config. Flags win over the config's scan settings.
func (r *scanRun) parse(name, usage string, use flagUse, args []string, stdout, stderr io.Writer, more ...func(*flag.FlagSet)) error {
	r.fs = flag.NewFlagSet(name, flag.ContinueOnError)
	r.fs.SetOutput(stderr)
	r.fs.Usage = func() { fmt.Fprint(r.fs.Output(), usage); r.fs.PrintDefaults() }
	r.f.register(r.fs, use)
	r.fs.StringVar(&r.configPath, "config", "", "config file (default ./"+rules.ConfigFile+" when it exists)")
	for _, m := range more {
		m(r.fs)
	}
	targets, err := parseInterleaved(r.fs, args, stdout)
	if err != nil {
		return err
	}
	r.set = map[string]bool{}
	r.fs.Visit(func(fl *flag.Flag) { r.set[fl.Name] = true })
	path := r.configPath
	if path == "" {
		if _, err := os.Stat(rules.ConfigFile); err == nil {
			path = rules.ConfigFile
		}
	}
	if path != "" {
		cfg, err := rules.LoadConfig(path)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return usagef("--config %s: no such file", path)
			}
			return usageError{"config " + err.Error()}
		}
		r.cfg = cfg
		r.applyConfig()
	}
	r.targets = targets
	if len(r.targets) == 0 && r.cfg != nil {
		r.targets = r.cfg.Targets
	}
	if len(r.targets) == 0 {
		return usagef("%s: no target given (a path or a database URL, or targets in %s)", name, rules.ConfigFile)
	}
	if out := r.f.output; out != "" && out != "-" {
		// Before the scan, not after an hour of it.
		if st, err := os.Stat(filepath.Dir(out)); err != nil || !st.IsDir() {
			return usagef("--output %s: the folder %s is not there", out, filepath.Dir(out))
		}
	}
	if r.f.full && r.f.schemaOnly {
		return usagef("--full must be given without --schema-only: one reads every row, the other none")
	}
	if r.f.showValues != "masked" && r.f.showValues != "raw" {
		return usagef("--show-values must be masked or raw, not %q", r.f.showValues)
	}
	if r.f.concurrency < 1 {
		return usagef("--concurrency must be at least 1")
	}
	// The connectors would put their defaults in place of these, and a
	// user who asked for 0 would never know.
	if r.f.sample < 1 {
		return usagef("--sample must be at least 1 row, not %d (--full reads every row, --schema-only none)", r.f.sample)
	}
	if r.f.statementTimeout <= 0 {
		return usagef("--statement-timeout must be longer than 0, not %v (like 30s or 10m)", r.f.statementTimeout)
	}
	if r.f.dbConnections < 1 {
		return usagef("--db-connections must be at least 1, not %d", r.f.dbConnections)
	}
	if r.f.maxDepth < 1 {
		return usagef("--max-archive-depth must be at least 1 (1: an archive inside an archive is opened, and none inside that), not %d", r.f.maxDepth)
	}
	if r.f.maxEntries < 1 {
		return usagef("--max-archive-entries must be at least 1, not %d", r.f.maxEntries)
	}
	return nil
}

// applyConfig takes the config's scan settings for flags not given.
func (r *scanRun) applyConfig() {
	c := r.cfg.Scan
	if !r.set["include"] && len(c.Include) > 0 {
		r.f.include = c.Include
	}
	if !r.set["exclude"] && len(c.Exclude) > 0 {
		r.f.exclude = c.Exclude
	}
	if !r.set["sample"] && c.Sample > 0 {
		r.f.sample = c.Sample
	}
	if !r.set["full"] && c.Full {
		r.f.full = true
	}
	if !r.set["ocr"] && c.OCR {
		r.f.ocr = true
	}
	if !r.set["statement-timeout"] && c.StatementTimeout.Duration > 0 {
		r.f.statementTimeout = c.StatementTimeout.Duration
	}
	if !r.set["db-connections"] && c.DBConnections > 0 {
		r.f.dbConnections = c.DBConnections
	}
	if !r.set["password-env"] && c.PasswordEnv != "" {
		r.f.passwordEnv = c.PasswordEnv
	}
}

// scan opens the targets and scans them with the built-in rules and the
// config's own.
func (r *scanRun) scan(ctx context.Context, stderr io.Writer) (*inventory.Inventory, error) {
	rs, err := rules.Default()
	if err != nil {
		return nil, err
	}
	if rs, err = rs.Extend(r.cfg); err != nil {
		return nil, usageError{"config: " + err.Error()}
	}
	var sources []connectors.Source
	redacted := make([]string, len(r.targets))
	for i, t := range r.targets {
		redacted[i] = dsn.Redact(t)
		srcs, err := openTarget(ctx, t, r.f)
		if err != nil {
			return nil, err
		}
		for _, src := range srcs {
			if c, ok := src.(io.Closer); ok {
				defer c.Close()
			}
		}
		sources = append(sources, srcs...)
	}
	opt := scanner.Options{
		Concurrency: r.f.concurrency,
		Targets:     redacted,
		Version:     version,
		Include:     r.f.include,
		Exclude:     r.f.exclude,
		Progress:    &scanner.Progress{},
	}
	switch {
	case r.f.fingerprintKey != "":
		opt.FingerprintKey, opt.FingerprintKeySource = []byte(r.f.fingerprintKey), "flag"
	case os.Getenv("DATAKART_FINGERPRINT_KEY") != "":
		opt.FingerprintKey, opt.FingerprintKeySource = []byte(os.Getenv("DATAKART_FINGERPRINT_KEY")), "env"
	}
	if r.f.showValues == "raw" {
		opt.ShowRawValues = true
		fmt.Fprintln(stderr, "datakart: WARNING: --show-values=raw: the output will contain RAW PERSONAL DATA. Do not share it; delete it when done.")
	}
	stopProgress := func() {}
	if !r.f.noProgress {
		stopProgress = startProgress(stderr, opt.Progress, len(sources), isTerminal(stderr) && os.Getenv("TERM") != "dumb")
	}
	defer stopProgress()
	return scanner.Scan(ctx, rs, sources, opt)
}

// minConfidence reads --min-confidence.
func (r *scanRun) minConfidence() (detectors.Confidence, error) {
	return parseMinConfidence(r.f.minConfidence)
}

// record keeps the inventory in the history unless told not to. A history
// that cannot be written is a warning: the scan itself succeeded.
func (r *scanRun) record(ctx context.Context, command string, inv *inventory.Inventory, stderr io.Writer) {
	if r.f.noHistory || r.f.history == "" {
		return
	}
	h, err := history.Open(context.WithoutCancel(ctx), r.f.history)
	if err == nil {
		_, err = h.Record(context.WithoutCancel(ctx), command, inv)
		h.Close()
	}
	if err != nil {
		fmt.Fprintf(stderr, "datakart: warning: not recorded in the history: %v\n", err)
	}
}

// parseMinConfidence reads a --min-confidence value.
func parseMinConfidence(s string) (detectors.Confidence, error) {
	c, err := detectors.ParseConfidence(s)
	if err != nil || c == detectors.None {
		return detectors.None, usagef("--min-confidence must be low, medium or high, not %q", s)
	}
	return c, nil
}
