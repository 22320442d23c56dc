package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"datakart/scanner"
)

// progressInterval is how often a plain progress line is logged when
// stderr is not a terminal (DATAKART_PROGRESS_INTERVAL overrides it, for
// tests and for impatient log readers).
func progressInterval() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("DATAKART_PROGRESS_INTERVAL")); err == nil && d > 0 {
		return d
	}
	return 30 * time.Second
}

// startProgress reports a running scan on stderr, never stdout: on a
// terminal one status line redrawn four times a second; otherwise a plain
// log line every progressInterval. The returned function stops it and
// clears the status line.
func startProgress(w io.Writer, p *scanner.Progress, stores int, terminal bool) (stop func()) {
	quit, finished := make(chan struct{}), make(chan struct{})
	every := 250 * time.Millisecond
	if !terminal {
		every = progressInterval()
	}
	go func() {
		defer close(finished)
		start := time.Now()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-quit:
				if terminal {
					fmt.Fprint(w, "\r\033[K")
				}
				return
			case <-t.C:
				line := progressLine(p, stores, time.Since(start))
				if terminal {
					fmt.Fprint(w, "\r\033[K"+line)
				} else {
					fmt.Fprintf(w, "datakart: %s %s\n", time.Now().UTC().Format(time.RFC3339), line)
				}
			}
		}
	}()
	return func() { close(quit); <-finished }
}

// progressLine says how far a scan is: files and tables done of those
// found so far, values and bytes per second, and an estimate of the time
// left once there is something to estimate from.
func progressLine(p *scanner.Progress, stores int, elapsed time.Duration) string {
	done, found := p.UnitsDone.Load(), p.UnitsFound.Load()
	secs := max(elapsed.Seconds(), 0.001)
	b, v := p.Bytes.Load(), p.Values.Load()
	line := fmt.Sprintf("scanning %d store(s): %d/%d files and tables, %.0f values/s, %.1f MB/s", stores, done, found, float64(v)/secs, float64(b)/1e6/secs)
	if done > 0 && found > done {
		left := time.Duration(float64(elapsed) * float64(found-done) / float64(done)).Round(time.Second)
		line += fmt.Sprintf(", about %v left", left)
	}
	return line
}
