package history

import (
	"context"
	"os"
	"path/filepath"
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
