package history

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"datakart/detectors"
	"datakart/inventory"
)

func sample(raw bool) *inventory.Inventory {
	inv := &inventory.Inventory{
		SchemaVersion: inventory.SchemaVersion, Complete: true, Targets: []string{"./exports"},
		StartedAt: time.Now().Add(-time.Second), FinishedAt: time.Now(),
		Settings: inventory.Settings{ShowValues: "masked"},
		Stores: []inventory.Store{{Kind: "files", Location: "/x", Containers: []inventory.Container{{Name: "a.csv", Fields: []inventory.Field{
			{Name: "fnr", Categories: []inventory.Category{{ID: "no_fnr", Personal: true, Confidence: detectors.High, Matches: 2, Examples: []string{"******-***32"}}}},
			{Name: "kid", Categories: []inventory.Category{{ID: "kid", Personal: false, Confidence: detectors.High}}},
		}}}}},
	}
	if raw {
		inv.Settings.ShowValues = "raw"
		inv.Stores[0].Containers[0].Fields[0].Categories[0].Values = []string{"10048744732"}
	}
	inv.ComputeTotals()
	return inv
}

func TestRecordListLoad(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "history.db")
	h, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	id1, err := h.Record(ctx, "scan", sample(false))
	if err != nil {
		t.Fatal(err)
	}
	raw := sample(true)
	id2, err := h.Record(ctx, "check", raw)
	if err != nil {
		t.Fatal(err)
	}
	// What is stored is a copy: the report that follows still has them.
	if c := raw.Stores[0].Containers[0].Fields[0].Categories[0]; len(c.Values) == 0 || raw.Settings.ShowValues != "raw" {
		t.Errorf("recording took the raw values out of the scan's own inventory: %+v", c)
	}
	runs, err := h.Runs(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].ID != id2 || runs[1].ID != id1 || runs[0].PersonalLocations != 1 || runs[0].High != 1 || runs[0].Command != "check" {
		t.Errorf("runs: %+v", runs)
	}
	for ref, want := range map[string]int64{"latest": id2, "previous": id1, "1": 1} {
		if got, err := h.Resolve(ctx, ref); err != nil || got != want {
			t.Errorf("Resolve(%s) = %d, %v", ref, got, err)
		}
	}
	inv, err := h.Inventory(ctx, id2)
	if err != nil {
		t.Fatal(err)
	}
	if c := inv.Stores[0].Containers[0].Fields[0].Categories[0]; len(c.Values) != 0 || c.Matches != 2 {
		t.Errorf("raw values were stored: %+v", c)
	}
	if prev, _ := h.Previous(ctx, id2); prev != id1 {
		t.Errorf("previous of %d = %d", id2, prev)
	}
	h.Close()

	// The file holds no raw value anywhere, compressed or not.
	b, _ := os.ReadFile(path)
	if strings.Contains(string(b), "10048744732") {
		t.Error("the history file holds a raw value")
	}
	// Reopening migrates nothing and keeps the runs.
	h, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if runs, _ := h.Runs(ctx, 1); len(runs) != 1 || runs[0].ID != id2 {
		t.Errorf("after reopening: %+v", runs)
	}
	if _, err := h.Inventory(ctx, 99); err == nil {
		t.Error("a missing run is not an error")
	}
}

// A history named with a '#' or '?' is the file of that name: once,
// "audit #3.db" recorded into a file "audit ".
func TestPathThatIsAURI(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit #3?.db")
	h, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Record(context.Background(), "scan", sample(false)); err != nil {
		t.Fatal(err)
	}
	h.Close()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if !strings.HasPrefix(e.Name(), "audit #3?.db") {
			t.Errorf("a file %q beside the history", e.Name())
		}
	}
	if _, err := os.Stat(path); err != nil {
		t.Error(err)
	}
}

// Prune keeps the newest runs, or those since a date, never deletes the
// newest, and gives the space back: the deleted inventories are not left
// readable in the file.
func TestPrune(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "history.db")
	h, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	now := time.Now().UTC()
	for i := range 6 {
		inv := sample(false)
		// Runs 1 to 6, 50 days apart, the newest today; each with a
		// container of its own, to find in the file.
		inv.StartedAt = now.AddDate(0, 0, -50*(5-i))
		noise := make([]byte, 20000)
		rand.Read(noise)
		inv.Stores[0].Containers[0].Name = fmt.Sprintf("run-%d-%x.csv", i+1, noise)
		if _, err := h.Record(ctx, "scan", inv); err != nil {
			t.Fatal(err)
		}
	}
	ids := func() (out []int64) {
		runs, err := h.Runs(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			out = append(out, r.ID)
		}
		return out
	}
	size := func() (n int64) {
		for _, f := range []string{path, path + "-wal"} {
			if st, err := os.Stat(f); err == nil {
				n += st.Size()
			}
		}
		return n
	}
	before := size()
	if gone, err := h.Prune(ctx, 0, now.AddDate(0, 0, -120)); err != nil || !slices.Equal(gone, []int64{3, 2, 1}) || !slices.Equal(ids(), []int64{6, 5, 4}) {
		t.Fatalf("older than 120 days: deleted %v (%v), left %v", gone, err, ids())
	}
	if gone, err := h.Prune(ctx, 2, time.Time{}); err != nil || !slices.Equal(gone, []int64{4}) || !slices.Equal(ids(), []int64{6, 5}) {
		t.Fatalf("keep 2: deleted %v (%v), left %v", gone, err, ids())
	}
	// The newest run stays, however old.
	if gone, err := h.Prune(ctx, 1, now.AddDate(1, 0, 0)); err != nil || !slices.Equal(gone, []int64{5}) || !slices.Equal(ids(), []int64{6}) {
		t.Fatalf("everything: deleted %v (%v), left %v", gone, err, ids())
	}
	if _, err := h.Inventory(ctx, 6); err != nil {
		t.Fatalf("the newest run: %v", err)
	}
	if _, err := h.Inventory(ctx, 5); !errors.Is(err, ErrNoRun) {
		t.Errorf("a deleted run: %v", err)
	}
	// Vacuumed, the file holds the newest run's inventory alone.
	if after := size(); after > before/3 {
		t.Errorf("the history took %d bytes with six runs and %d with one", before, after)
	}
}

func TestIsRunRef(t *testing.T) {
	for ref, want := range map[string]bool{
		"latest": true, "previous": true, "last": true, "prev": true, "12": true, "#12": true,
		"last-month.json": false, "./12": false, "": false, "abc": false,
	} {
		if got := IsRunRef(ref); got != want {
			t.Errorf("IsRunRef(%q) = %v", ref, got)
		}
	}
}

// ResolveIn resolves latest and previous among the runs given, newest
// first, and a number as any run's.
func TestResolveIn(t *testing.T) {
	runs := []Run{{ID: 9}, {ID: 4}, {ID: 2}}
	for ref, want := range map[string]int64{"latest": 9, "last": 9, "previous": 4, "prev": 4, "7": 7, "#3": 3} {
		if got, err := ResolveIn(runs, ref); err != nil || got != want {
			t.Errorf("ResolveIn(%q) = %d, %v; want %d", ref, got, err, want)
		}
	}
	if _, err := ResolveIn(runs[:1], "previous"); !errors.Is(err, ErrNoRun) {
		t.Errorf("previous of one run: %v", err)
	}
	if _, err := ResolveIn(runs, "gårsdagens"); err == nil {
		t.Error("a word that is no run reference was resolved")
	}
}
