package inventory

import (
	"strings"
	"testing"
)

// A diff says where two inventories were made differently: other rules,
// or tables read by value in one and by column name alone in the other.
func TestDiffCaveats(t *testing.T) {
	made := func(rules string, sampling ...string) *Inventory {
		inv := &Inventory{Settings: Settings{RulesFingerprint: rules}}
		s := Store{Kind: "postgres", Location: "postgres://ci@db/app"}
		for i, how := range sampling {
			s.Containers = append(s.Containers, Container{Name: "public.t" + string(rune('a'+i)), Sampling: how})
		}
		inv.Stores = []Store{s}
		return inv
	}
	sampled := "all rows (about 20)"
	if c := Diff(made("r1", sampled, sampled), made("r1", sampled, sampled)).Caveats; len(c) != 0 {
		t.Errorf("alike: %q", c)
	}
	c := Diff(made("r1", sampled, sampled, SchemaOnly), made("r2", SchemaOnly, SchemaOnly, sampled)).Caveats
	want := []string{"the rules differ", "2 tables were read by value before and by column name alone now", "1 table was read by column name alone before"}
	if len(c) != len(want) {
		t.Fatalf("caveats %q, want %d", c, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(c[i], w) {
			t.Errorf("caveat %d: %q, want %q…", i, c[i], w)
		}
	}
}

// Two folders (or a production and a staging database) of one scan, each
// with a kunder.csv, are two places: when one of them lost its
// fødselsnumre, the diff said "no changes". A store alone of its kind is
// matched by kind, so another checkout of the tree compares equal.
func TestDiffKeepsStoresOfOneKindApart(t *testing.T) {
	store := func(loc string, fnr bool) Store {
		f := Field{Name: "fnr"}
		if fnr {
			f.Categories = []Category{{ID: "no_fnr", Personal: true, Confidence: 3}}
		}
		return Store{Kind: "files", Location: loc, Containers: []Container{{Name: "kunder.csv", Fields: []Field{f}}}}
	}
	both := &Inventory{Stores: []Store{store("dirA", true), store("dirB", true)}}
	onlyA := &Inventory{Stores: []Store{store("dirA", true), store("dirB", false)}}
	if d := Diff(both, onlyA); len(d.Changes) != 1 || d.Changes[0].Kind != Disappeared {
		t.Errorf("one of two folders lost its fødselsnumre: %+v", d.Changes)
	}
	here := &Inventory{Stores: []Store{store("/home/runner/work/repo", true)}}
	there := &Inventory{Stores: []Store{store("/tmp/ci/repo", true)}}
	if d := Diff(here, there); len(d.Changes) != 0 {
		t.Errorf("the same tree from another checkout: %+v", d.Changes)
	}
}
