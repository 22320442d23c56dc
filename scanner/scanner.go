// Package scanner is datakart's engine: it asks connectors for units of
// work, reads them with bounded concurrency, feeds every value to the
// detectors, combines value evidence with column-name evidence into a
// verdict per field, and builds the inventory. A unit that fails is
// recorded in the inventory and the scan goes on; cancelling the context
// stops the scan cleanly with what was found so far, marked incomplete.
package scanner

import (
	"context"
	"crypto/rand"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"datakart/connectors"
	"datakart/inventory"
	"datakart/rules"

	"golang.org/x/sync/errgroup"
)

// Options tune a scan.
type Options struct {
	// Concurrency bounds the units read at once, over all sources.
	// Default: the number of CPUs.
	Concurrency int
	// FingerprintKey keys the HMAC-SHA256 fingerprints of values. Empty:
	// a random key for this scan. FingerprintKeySource says where it came
	// from, for the inventory ("flag", "env").
	FingerprintKey       []byte
	FingerprintKeySource string
	// ShowRawValues puts raw values in the inventory. Only for a person who
	// must see them.
	ShowRawValues bool
	// Examples is how many masked examples, fingerprints (and raw values)
	// to keep per field and category. Default 3.
	Examples int
	// Targets are the targets as the user gave them, passwords redacted.
	Targets []string
	// Version is the tool version written into the inventory.
	Version string
	// Include and Exclude are recorded in the settings.
	Include, Exclude []string
	// Progress, if set, is updated as units are read.
	Progress *Progress
}

// Progress counts what a running scan has done; read it from another
// goroutine to show progress.
type Progress struct {
	UnitsFound atomic.Int64
	UnitsDone  atomic.Int64
	Bytes      atomic.Int64
	Values     atomic.Int64
}

// Scan scans every source and returns the inventory. It returns an error
// only when the scan could not start; failures of stores and units are in
// the inventory. When ctx is cancelled, the inventory holds what was found
// and is marked incomplete.
func Scan(ctx context.Context, rs *rules.Ruleset, sources []connectors.Source, opt Options) (*inventory.Inventory, error) {
	if opt.Concurrency <= 0 {
		opt.Concurrency = runtime.NumCPU()
	}
	if opt.Examples <= 0 {
		opt.Examples = 3
	}
	keySource := opt.FingerprintKeySource
	if len(opt.FingerprintKey) == 0 {
		opt.FingerprintKey = make([]byte, 32)
		if _, err := rand.Read(opt.FingerprintKey); err != nil {
			return nil, fmt.Errorf("fingerprint key: %w", err)
		}
		keySource = "random"
	}
	if opt.Progress == nil {
		opt.Progress = &Progress{}
	}
	showValues := "masked"
	if opt.ShowRawValues {
		showValues = "raw"
	}
	inv := &inventory.Inventory{
		SchemaVersion: inventory.SchemaVersion,
		Tool:          inventory.Tool{Name: "datakart", Version: opt.Version},
		StartedAt:     time.Now().UTC(),
		Targets:       nonNil(opt.Targets),
		Settings: inventory.Settings{
			Concurrency:      opt.Concurrency,
			ShowValues:       showValues,
			FingerprintKey:   keySource,
			RulesFingerprint: rs.Fingerprint(),
			Include:          opt.Include,
			Exclude:          opt.Exclude,
		},
		Errors:  []inventory.Error{},
		Skipped: []inventory.Skip{},
	}

	s := &scan{rs: rs, opt: opt, stores: make([]*storeResult, len(sources))}
	// Workers that each read one unit after another: a goroutine per
	// unit grew a new stack for each (decoders nest deep), a tenth of the
	// time of a tree of small files.
	type job struct {
		st *storeResult
		u  connectors.Unit
	}
	jobs := make(chan job)
	work, workCtx := errgroup.WithContext(ctx)
	for range opt.Concurrency {
		work.Go(func() error {
			for j := range jobs {
				s.readUnit(workCtx, j.st, j.u)
				opt.Progress.UnitsDone.Add(1)
			}
			return nil
		})
	}
	var listing sync.WaitGroup
	for i, src := range sources {
		st := &storeResult{store: inventory.Store{Kind: src.Kind(), Location: src.Location(), Containers: []inventory.Container{}}}
		s.stores[i] = st
		listing.Add(1)
		go func() {
			defer listing.Done()
			err := src.Units(workCtx, func(u connectors.Unit) error {
				opt.Progress.UnitsFound.Add(1)
				select {
				case jobs <- job{st, u}:
					return nil
				case <-workCtx.Done():
					return workCtx.Err()
				}
			})
			// A deadline of the store's own (a catalog that did not answer
			// in time) is its error; only the scan's own end is none.
			if err != nil && workCtx.Err() == nil {
				st.mu.Lock()
				st.store.Error = err.Error()
				st.errors = append(st.errors, inventory.Error{Store: st.store.Location, Message: err.Error()})
				st.mu.Unlock()
			}
		}()
	}
	listing.Wait()
	close(jobs)
	_ = work.Wait() // readUnit records its own failures and never returns one

	for _, st := range s.stores {
		// In the order of their names, not in the order the units
		// finished, so that a rerun gives the same inventory. An error
		// of the store itself, with no container, comes first.
		slices.SortFunc(st.store.Containers, func(a, b inventory.Container) int { return strings.Compare(a.Name, b.Name) })
		slices.SortStableFunc(st.errors, func(a, b inventory.Error) int { return strings.Compare(a.Container, b.Container) })
		slices.SortStableFunc(st.skipped, func(a, b inventory.Skip) int { return strings.Compare(a.Container, b.Container) })
		inv.Stores = append(inv.Stores, st.store)
		inv.Errors = append(inv.Errors, st.errors...)
		inv.Skipped = append(inv.Skipped, st.skipped...)
	}
	inv.Complete = ctx.Err() == nil
	if !inv.Complete {
		inv.IncompleteReason = "interrupted: " + context.Cause(ctx).Error()
	}
	inv.FinishedAt = time.Now().UTC()
	inv.ComputeTotals()
	return inv, nil
}

type scan struct {
	rs     *rules.Ruleset
	opt    Options
	stores []*storeResult
}

// storeResult collects one store's containers as units finish.
type storeResult struct {
	mu      sync.Mutex
	store   inventory.Store
	errors  []inventory.Error
	skipped []inventory.Skip
}

// readUnit reads one unit into its store. A panic in a decoder is turned
// into an error for this unit: one bad input must not kill the scan.
func (s *scan) readUnit(ctx context.Context, st *storeResult, u connectors.Unit) {
	sink := newUnitSink(ctx, s, u)
	var readErr error
	switch {
	case u.Err != nil:
		readErr = u.Err
	case u.Skip != "":
		sink.Begin(connectors.Part{Kind: u.Kind})
		sink.PartSkipped(u.Skip)
	default:
		func() {
			defer func() {
				if r := recover(); r != nil {
					// The panic value may quote the input: do not print it.
					readErr = fmt.Errorf("internal error while decoding (%T); the rest of the scan went on", r)
				}
			}()
			readErr = u.Read(ctx, sink)
		}()
	}
	containers := sink.finish(readErr)
	sink.detect.Release()

	st.mu.Lock()
	defer st.mu.Unlock()
	for _, c := range containers {
		st.store.Containers = append(st.store.Containers, c)
		if c.Error != "" {
			st.errors = append(st.errors, inventory.Error{Store: st.store.Location, Container: c.Name, Message: c.Error})
		}
		if c.Skipped != "" {
			st.skipped = append(st.skipped, inventory.Skip{Store: st.store.Location, Container: c.Name, Reason: c.Skipped})
		}
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
