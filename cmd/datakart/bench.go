package main

import (
	"bytes"
	"context"
	"datakart/reports"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"datakart/internal/corpus"
)

const benchUsage = `Usage: datakart bench [flags]

Measures datakart on a generated, realistic mixed corpus (Norwegian and
English prose, CSV exports, JSON logs, web-server logs, with digits, '@'
and look-alike numbers at the density of real exports): it writes the
corpus once to --dir, scans it with 1 and with all cores, and runs grep -E
(or ripgrep, if installed) with equivalent patterns on the same files as
a baseline that validates nothing. The three are run --runs times, in
rounds; each figure is the median over the rounds, with its range.

Example:
  datakart bench --size 1GB --dir /tmp/datakart-bench --runs 5

Flags:
`

// benchPatterns are ERE equivalents of the built-in value detectors, one
// or two for each, in every layout the detector reads, without any
// validation: what a grep-based scanner would run.
var benchPatterns = []string{
	// fødselsnummer and D-number: 10048744732, 100487 44732, 10.04.87 447 32
	`[0-9]{2}[ .-]?[0-9]{2}[ .-]?[0-9]{2}[ .-]?[0-9]{2,3}[ .-]?[0-9]{2,3}`,
	// bank account: 86011117947, 8601.11.17947, 8601 11 17947
	`[0-9]{4}[ .]?[0-9]{2}[ .]?[0-9]{5}`,
	// IBAN, also in groups of four: NO9386011117947, NO93 8601 1117 947
	`[A-Z]{2}[0-9]{2}( ?[A-Z0-9]{4}){2,7}( ?[A-Z0-9]{1,3})?`,
	// payment card: 13–19 digits in groups of four, or 4-6-5 (Amex)
	`[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{1,7}`,
	`[0-9]{4}[ -]?[0-9]{6}[ -]?[0-9]{4,5}`,
	// e-mail, also URL-encoded (%40)
	`[A-Za-z0-9._%+-]+(@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}`,
	// phone: Norwegian 8 digits (91234567, 912 34 567, 22 33 44 55) and international
	`[2-9][0-9]( ?[0-9]){6}`,
	`(\+|00)[1-9][0-9 ()-]{6,18}[0-9]`,
	// IP address: v4 and v6
	`([0-9]{1,3}\.){3}[0-9]{1,3}`,
	`[0-9A-Fa-f]{0,4}(:[0-9A-Fa-f]{0,4}){2,7}`,
	// Swedish personnummer and Danish CPR: 8803200016, 880320-0016, 198803200016
	`([0-9]{2})?[0-9]{6}[-+]?[0-9]{4}`,
	// Finnish HETU: 131052-308T
	`[0-9]{6}[-+A-FU-Y][0-9]{3}[0-9A-Y]`,
	// organisation number: 988077917, 988 077 917
	`[0-9]{3} ?[0-9]{3} ?[0-9]{3}`,
}

func runBench(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), benchUsage); fs.PrintDefaults() }
	size := fs.String("size", "256MB", "corpus size (e.g. 256MB, 1GB)")
	dir := fs.String("dir", filepath.Join(os.TempDir(), "datakart-bench"), "where the corpus is written (reused when it is there)")
	files := fs.Int("files", 0, "number of files (default: 4 per core)")
	rounds := fs.Int("runs", 3, "rounds of runs; each figure is the median over them")
	if _, err := parseInterleaved(fs, args, stdout); err != nil {
		return err
	}
	total, err := parseSize(*size)
	if err != nil {
		return usagef("--size: %v", err)
	}
	if *rounds < 1 {
		return usagef("--runs: want 1 or more, not %d", *rounds)
	}
	if *files < 0 {
		return usagef("--files: want 1 or more (or 0, 4 per core), not %d", *files)
	}
	cores := runtime.NumCPU()
	if *files == 0 {
		*files = 4 * cores
	}
	if err := writeCorpus(*dir, total, *files, stderr); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	runs := []*benchRun{datakartRun(self, *dir, 1), datakartRun(self, *dir, cores)}
	if tool, argv, toolCores := grepCommand(*dir); tool != "" {
		runs = append(runs, &benchRun{label: filepath.Base(tool) + " baseline (no validation)", cores: toolCores, name: tool, args: argv})
	}
	// Rounds, not each run n times in a row: this machine's speed drifts,
	// and runs made one after the other see about the same machine.
	for r := range *rounds {
		if *rounds > 1 {
			fmt.Fprintf(stderr, "bench: round %d of %d…\n", r+1, *rounds)
		}
		for _, run := range runs {
			if run.err != nil {
				continue
			}
			secs, rss, err := timeCommand(run.env, run.name, run.args...)
			if err != nil {
				run.err = err
				continue
			}
			run.secs = append(run.secs, secs)
			run.rss = max(run.rss, rss)
		}
	}
	for _, run := range runs[:2] {
		if run.err != nil {
			return run.err // datakart itself failed: no figure means anything
		}
	}
	fmt.Fprintf(stdout, "corpus: %s in %s at %s; median of %s\n\n", humanSize(total), reports.Count(*files, "file"), *dir, reports.Count(*rounds, "round"))
	fmt.Fprintf(stdout, "%-34s %10s %13s %10s %14s %10s\n", "run", "seconds", "range", "MB/s", "MB/s per core", "peak RSS")
	for k, run := range runs {
		if run.err != nil {
			fmt.Fprintf(stdout, "%-34s failed: %v\n", run.label, run.err)
			continue
		}
		secs := median(run.secs)
		mbs := float64(total) / 1e6 / secs
		fmt.Fprintf(stdout, "%-34s %10.2f %13s %10.1f %14.1f %10s\n", run.label, secs, spread(run.secs), mbs, mbs/float64(run.cores), humanSize(run.rss))
		if k == 1 {
			fmt.Fprintf(stdout, "%-34s %10s %13s %10s %13.0f%%\n", "  scaling over 1 core", "", "", "",
				median(ratios(run.secs, runs[0].secs))/float64(cores)*100)
		}
	}
	if len(runs) == 3 && runs[2].err == nil {
		fmt.Fprintf(stdout, "\n%s\n", baselineRatio(filepath.Base(runs[2].name), runs[0].secs, runs[1].secs, runs[2].secs, runs[2].cores))
	}
	return nil
}

// benchRun is one command datakart bench times, and what it measured.
type benchRun struct {
	label     string
	cores     int
	name      string
	args, env []string
	secs      []float64 // one per round
	rss       int64     // the highest peak of all rounds
	err       error
}

// datakartRun scans dir with this binary on n cores. GOMAXPROCS too, so
// the garbage collector and the readers do not borrow the other cores
// either: n cores means n cores. An empty config: the built-in rules are
// measured, whatever datakart.yaml stands in the working directory.
func datakartRun(self, dir string, n int) *benchRun {
	return &benchRun{
		label: "datakart, " + reports.Count(n, "core"), cores: n, name: self,
		env:  []string{"GOMAXPROCS=" + strconv.Itoa(n)},
		args: []string{"scan", "--config", os.DevNull, "--no-history", "--no-progress", "--concurrency", strconv.Itoa(n), "--format", "json", "-o", os.DevNull, dir},
	}
}

// grepCommand returns ripgrep if installed, else grep -E, with the
// equivalent patterns, counting matching lines in every file, and how many
// cores it runs on: ripgrep all, grep one.
func grepCommand(dir string) (string, []string, int) {
	if rg, err := exec.LookPath("rg"); err == nil {
		args := []string{"--count-matches", "--no-filename", "-j", strconv.Itoa(runtime.NumCPU())}
		for _, p := range benchPatterns {
			args = append(args, "-e", p)
		}
		return rg, append(args, dir), runtime.NumCPU()
	}
	grep, err := exec.LookPath("grep")
	if err != nil {
		return "", nil, 0
	}
	args := []string{"-E", "-r", "-c"}
	for _, p := range benchPatterns {
		args = append(args, "-e", p)
	}
	return grep, append(args, dir), 1
}

// baselineRatio compares datakart's seconds on one core and on all with
// the baseline tool's on its cores, per core and in total. Each round's
// runs give a ratio, and the median of those is said, with their range:
// the runs of a round were made one after the other, on about the same
// machine.
func baselineRatio(tool string, single, all, baseline []float64, toolCores int) string {
	cores := "one core"
	if toolCores > 1 {
		cores = fmt.Sprintf("%d cores", toolCores)
	}
	// Per core: the tool's time on its cores is toolCores times as much
	// work for one core.
	perCore := ratios(single, baseline)
	for i := range perCore {
		perCore[i] *= float64(toolCores)
	}
	inTotal := ratios(all, baseline)
	if len(single) == 1 {
		return fmt.Sprintf("datakart is %.2fx %s per core, and %.2fx in total (%s runs on %s).",
			perCore[0], tool, inTotal[0], tool, cores)
	}
	return fmt.Sprintf("datakart is %.2fx %s per core (%s over %d rounds), and %.2fx in total (%s) (%s runs on %s).",
		median(perCore), tool, ratioSpread(perCore), len(perCore), median(inTotal), ratioSpread(inTotal), tool, cores)
}

// ratios returns, round by round, how many times faster the runs that
// took secs are than those that took base: base[i]/secs[i].
func ratios(secs, base []float64) []float64 {
	r := make([]float64, min(len(secs), len(base)))
	for i := range r {
		r[i] = base[i] / secs[i]
	}
	return r
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

// spread writes the range of seconds, "2.61–2.80", or "" for one value.
func spread(v []float64) string {
	if len(v) < 2 {
		return ""
	}
	return fmt.Sprintf("%.2f–%.2f", slices.Min(v), slices.Max(v))
}

func ratioSpread(v []float64) string {
	return fmt.Sprintf("%.2f–%.2fx", slices.Min(v), slices.Max(v))
}

// timeCommand runs a command and returns its wall time and peak memory.
func timeCommand(env []string, name string, args ...string) (float64, int64, error) {
	cmd := exec.CommandContext(context.Background(), name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	peak := watchPeakRSS(cmd.Process.Pid)
	err := cmd.Wait()
	secs := time.Since(start).Seconds()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 && strings.Contains(name, "grep") {
		err = nil // grep: no line matched
	}
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %v: %s", filepath.Base(name), err, strings.TrimSpace(stderr.String()))
	}
	rss := peak()
	if rss == 0 {
		rss = maxRSS(cmd.ProcessState)
	}
	return secs, rss, nil
}

// watchPeakRSS polls a process's high-water mark of resident memory
// (VmHWM in /proc) until it exits, and returns a function that gives the
// last seen. The rusage of a child is no good here: Go starts children
// with vfork, and Linux counts the parent's memory at that moment into the
// child's maxrss, so every run would show at least this process's size.
// The mark only grows, so a late poll loses only the last few milliseconds.
func watchPeakRSS(pid int) func() int64 {
	status := fmt.Sprintf("/proc/%d/status", pid)
	var peak atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			b, err := os.ReadFile(status)
			if err != nil {
				return // gone (or no /proc: the caller falls back on rusage)
			}
			if kb := vmHWM(b); kb > 0 {
				peak.Store(kb * 1024)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	return func() int64 { <-done; return peak.Load() }
}

// vmHWM returns the VmHWM line of /proc/PID/status in kB, or 0.
func vmHWM(status []byte) int64 {
	for line := range bytes.Lines(status) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			kb, _ := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(v), []byte(" kB"))), 10, 64)
			return kb
		}
	}
	return 0
}

// writeCorpus writes total bytes of mixed text in n files under dir,
// unless a corpus of that size is already there.
func writeCorpus(dir string, total int64, n int, log io.Writer) error {
	stamp := filepath.Join(dir, ".corpus")
	want := fmt.Sprintf("%d %d", total, n)
	if b, err := os.ReadFile(stamp); err == nil && string(b) == want {
		return nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	fmt.Fprintf(log, "bench: writing a %s corpus to %s…\n", humanSize(total), dir)
	chunk := corpus.MixedText(42, 16<<20)
	per := total / int64(n)
	for i := 0; i < n; i++ {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("export-%03d.log", i)))
		if err != nil {
			return err
		}
		for w := int64(0); w < per; {
			k := min(int64(len(chunk)), per-w)
			// Start each copy at another place so files differ.
			off := (int64(i) * 7919) % int64(len(chunk)-int(k)+1)
			if _, err := f.Write(chunk[off : off+k]); err != nil {
				f.Close()
				return err
			}
			w += k
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return os.WriteFile(stamp, []byte(want), 0o644)
}

func parseSize(in string) (int64, error) {
	s := strings.ToUpper(strings.TrimSpace(in))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.m
			break
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	// NaN fails both comparisons; a size past 2^62 bytes (4 EiB) would
	// turn negative in an int64.
	if err != nil || !(v > 0 && v*float64(mult) <= 1<<62) {
		return 0, fmt.Errorf("%q is not a size (write 256MB, 1GiB or a number of bytes, up to 4 EiB)", in)
	}
	return int64(v * float64(mult)), nil
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// byteSize is a flag value written 4GiB, 512MB or in bytes.
type byteSize int64

func (b *byteSize) String() string { return humanSize(int64(*b)) }

func (b *byteSize) Set(s string) error {
	v, err := parseSize(s)
	if err != nil {
		return err
	}
	*b = byteSize(v)
	return nil
}
