package inventory

import (
	"fmt"
	"slices"
	"strings"

	"datakart/detectors"
)

// Change kinds in a Diff.
const (
	Appeared    = "appeared"    // a category is found where it was not
	Disappeared = "disappeared" // a category is no longer found
	Raised      = "raised"      // found before, now with higher confidence
	Lowered     = "lowered"     // found before, now with lower confidence
)

// Change is one difference between two inventories for one place and
// category.
type Change struct {
	Kind      string               `json:"kind"`
	StoreKind string               `json:"store_kind"`
	Container string               `json:"container"`
	Field     string               `json:"field"`
	Category  string               `json:"category"`
	Personal  bool                 `json:"personal"`
	Before    detectors.Confidence `json:"before"`
	After     detectors.Confidence `json:"after"`
	// NewContainer is true when the whole container (file, table) is new.
	NewContainer bool `json:"new_container,omitempty"`
}

// Location names the place for people.
func (c Change) Location() string {
	if c.Field == "" {
		return c.Container
	}
	return c.Container + " → " + c.Field
}

// Delta is what changed from one inventory to the next.
type Delta struct {
	Old, New struct {
		StartedAt string   `json:"started_at"`
		Targets   []string `json:"targets"`
	} `json:"-"`
	Changes []Change `json:"changes"`
	// NewContainers and RemovedContainers list files and tables that came
	// or went.
	NewContainers     []string `json:"new_containers"`
	RemovedContainers []string `json:"removed_containers"`
	// Caveats say where the two inventories were not made alike, so that
	// a change may come from how they were made, not from the data.
	Caveats []string `json:"caveats,omitempty"`
}

// SchemaOnly is the sampling of a table read by its columns' names and
// types alone (--schema-only).
const SchemaOnly = "schema only (no rows read)"

// Empty reports whether nothing changed: no finding, and no container
// that came or went.
func (d *Delta) Empty() bool {
	return len(d.Changes) == 0 && len(d.NewContainers) == 0 && len(d.RemovedContainers) == 0
}

// PersonalAppeared reports whether personal data appeared (a category, at
// medium confidence or above, where there was none, or raised to it).
func (d *Delta) PersonalAppeared() bool {
	for _, c := range d.Changes {
		if c.Personal && (c.Kind == Appeared || c.Kind == Raised) && c.After >= detectors.Medium && c.Before < detectors.Medium {
			return true
		}
	}
	return false
}

type place struct{ kind, store, container, field, category string }

// StoreKeys returns, for the stores of invs, the key their places are
// matched by across inventories: the store's kind, and its location too
// for a kind that one of invs has more than one store of. The same tree
// scanned from another checkout compares equal; two folders, or a
// production and a staging database, each with a kunder table, are two
// places, not one.
func StoreKeys(invs ...*Inventory) func(kind, location string) string {
	seen, multi := map[string]string{}, map[string]bool{}
	for _, inv := range invs {
		if inv == nil {
			continue
		}
		clear(seen)
		for _, s := range inv.Stores {
			if loc, ok := seen[s.Kind]; ok && loc != s.Location {
				multi[s.Kind] = true
			}
			seen[s.Kind] = s.Location
		}
	}
	return func(kind, location string) string {
		if multi[kind] {
			return kind + "\x01" + location
		}
		return kind
	}
}

// Diff compares two inventories by place (store, container, field) and
// category. A store is its kind, and its location only where a scan had
// two of a kind (StoreKeys), so the same tree scanned from another
// checkout compares equal.
func Diff(old, new *Inventory) *Delta {
	d := &Delta{Changes: []Change{}, NewContainers: []string{}, RemovedContainers: []string{}}
	storeKey := StoreKeys(old, new)
	before, oldContainers := index(old, storeKey)
	after, newContainers := index(new, storeKey)
	for p, a := range after {
		b, ok := before[p]
		ch := Change{StoreKind: p.kind, Container: p.container, Field: p.field, Category: p.category, Personal: a.Personal, After: a.Confidence}
		switch {
		case !ok:
			ch.Kind = Appeared
			ch.NewContainer = !oldContainers[p.store+"\x00"+p.container]
		case a.Confidence > b.Confidence:
			ch.Kind, ch.Before = Raised, b.Confidence
		case a.Confidence < b.Confidence:
			ch.Kind, ch.Before = Lowered, b.Confidence
		default:
			continue
		}
		d.Changes = append(d.Changes, ch)
	}
	for p, b := range before {
		if _, ok := after[p]; !ok {
			d.Changes = append(d.Changes, Change{Kind: Disappeared, StoreKind: p.kind, Container: p.container, Field: p.field, Category: p.category, Personal: b.Personal, Before: b.Confidence})
		}
	}
	for c := range newContainers {
		if !oldContainers[c] {
			d.NewContainers = append(d.NewContainers, c[strings.IndexByte(c, 0)+1:])
		}
	}
	for c := range oldContainers {
		if !newContainers[c] {
			d.RemovedContainers = append(d.RemovedContainers, c[strings.IndexByte(c, 0)+1:])
		}
	}
	slices.Sort(d.NewContainers)
	slices.Sort(d.RemovedContainers)
	d.Caveats = caveats(old, new)
	order := map[string]int{Appeared: 0, Raised: 1, Lowered: 2, Disappeared: 3}
	slices.SortFunc(d.Changes, func(a, b Change) int {
		if order[a.Kind] != order[b.Kind] {
			return order[a.Kind] - order[b.Kind]
		}
		return strings.Compare(a.Location()+a.Category, b.Location()+b.Category)
	})
	return d
}

// caveats says how old and new were made differently in ways that
// change findings: other rules, or tables read by their values in one and
// by their columns' names alone in the other (a check --schema-only
// recorded between two scans).
func caveats(old, new *Inventory) []string {
	var out []string
	if a, b := old.Settings.RulesFingerprint, new.Settings.RulesFingerprint; a != "" && b != "" && a != b {
		out = append(out, "the rules differ between the two (a config's own rules, or another version of datakart): a change may be the rules', not the data's")
	}
	schemaOnly := func(inv *Inventory) map[string]bool {
		m := map[string]bool{}
		for _, s := range inv.Stores {
			for _, c := range s.Containers {
				if c.Sampling != "" {
					m[s.Kind+"\x00"+c.Name] = c.Sampling == SchemaOnly
				}
			}
		}
		return m
	}
	before, after := schemaOnly(old), schemaOnly(new)
	var onlyNames, onlyValues int // tables read by name alone in the new, in the old
	for c, was := range before {
		now, ok := after[c]
		switch {
		case !ok || was == now:
		case now:
			onlyNames++
		default:
			onlyValues++
		}
	}
	if onlyNames > 0 {
		out = append(out, tablesWere(onlyNames)+" read by value before and by column name alone now (--schema-only): what values alone showed there is gone from this run, not from the data")
	}
	if onlyValues > 0 {
		out = append(out, tablesWere(onlyValues)+" read by column name alone before (--schema-only) and by value now: what values alone show there is new to this run, not to the data")
	}
	return out
}

func tablesWere(n int) string {
	if n == 1 {
		return "1 table was"
	}
	return fmt.Sprintf("%d tables were", n)
}

func index(inv *Inventory, storeKey func(kind, location string) string) (map[place]Category, map[string]bool) {
	cats := map[place]Category{}
	containers := map[string]bool{}
	for _, s := range inv.Stores {
		for _, c := range s.Containers {
			store := storeKey(s.Kind, s.Location)
			containers[store+"\x00"+c.Name] = true
			for _, f := range c.Fields {
				for _, k := range f.Categories {
					cats[place{s.Kind, store, c.Name, f.Name, k.ID}] = k
				}
			}
		}
	}
	return cats, containers
}
