package scanner

import (
	"math/rand/v2"
	"slices"
	"testing"

	"datakart/inventory"
)

// hashSet agrees with a map, including for the hash 0 and at its limit,
// whether its answers are asked for at once or later.
func TestHashSetAgreesWithMap(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, limit := range []int{1, 7, 100, 5000} {
		var s hashSet
		offered := map[uint64]bool{}
		// Hashes as maphash gives them, with repeats, and 0.
		hashes := []uint64{0}
		for range 3 * limit {
			hashes = append(hashes, r.Uint64())
		}
		for i := range 20000 {
			h := hashes[r.IntN(len(hashes))]
			before := offered[h]
			offered[h] = true
			if i%3 != 0 {
				s.addLater(h, limit)
				continue
			}
			seen, full := s.add(h, limit)
			if len(offered) <= limit && (seen != before || full) {
				t.Fatalf("limit %d: %d offered before: %v; got seen=%v full=%v", limit, h, before, seen, full)
			}
			if len(offered) > limit && !full {
				t.Fatalf("limit %d: %d distinct offered, got seen=%v full=%v", limit, len(offered), seen, full)
			}
			if i%97 != 0 {
				continue // let addLater gather
			}
			if n, full := s.len(limit); n != min(len(offered), limit) || full != (len(offered) > limit) {
				t.Fatalf("limit %d: len %d full %v, with %d distinct offered", limit, n, full, len(offered))
			}
		}
	}
}

// Counting by batches of addLater gives the count of a map.
func TestHashSetLater(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var s hashSet
	offered := map[uint64]bool{}
	for range 50000 {
		h := r.Uint64N(30000) * 0x9E3779B97F4A7C15 // repeats, spread over 64 bits
		offered[h] = true
		s.addLater(h, 1<<14)
	}
	if n, full := s.len(1 << 14); n != min(len(offered), 1<<14) || full != (len(offered) > 1<<14) {
		t.Fatalf("len %d full %v, with %d distinct offered", n, full, len(offered))
	}
}

func TestTally(t *testing.T) {
	var tl tally
	for _, k := range []string{"date", "checksum", "date", "date"} {
		tl.add(k)
	}
	if c := tl.counts(); !slices.Equal(c, inventory.Counts{{Name: "checksum", N: 1}, {Name: "date", N: 3}}) {
		t.Errorf("tally = %v, want the counts in name order", c)
	}
}

// Hashes that share their top bits, where the first slot comes from, are
// still two values: the set keeps whole hashes, so counts do not depend on
// the hash seed a process draws.
func TestHashSetKeepsWholeHashes(t *testing.T) {
	var s hashSet
	s.add(0xAAAAAAAA_00000001, 10)
	s.addLater(0xAAAAAAAA_00000002, 10)
	if seen, _ := s.add(0xAAAAAAAA_00000003, 10); seen {
		t.Error("a hash sharing only its top 32 bits was taken as seen")
	}
	if n, _ := s.len(10); n != 3 {
		t.Errorf("len %d, want 3", n)
	}
}

// fullSlots is the table a set at maxDistinct keys needs.
func TestFullSlots(t *testing.T) {
	if got := slotsFor(maxDistinct); got != fullSlots {
		t.Fatalf("slotsFor(maxDistinct) = %d, fullSlots = %d", got, fullSlots)
	}
}

// A set that grows to its full size takes a table another set gave back
// cleared, and counts as a map does.
func TestHashSetReusesFullTables(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for round := range 3 {
		var s hashSet
		offered := map[uint64]bool{}
		for range 3 * maxDistinct {
			h := r.Uint64N(2*maxDistinct) * 0x9E3779B97F4A7C15
			offered[h] = true
			s.addLater(h, maxDistinct)
		}
		if n, full := s.len(maxDistinct); n != min(len(offered), maxDistinct) || full != (len(offered) > maxDistinct) {
			t.Fatalf("round %d: len %d full %v, with %d distinct offered", round, n, full, len(offered))
		}
		if len(s.slots) != fullSlots {
			t.Fatalf("round %d: %d slots at the limit, want %d", round, len(s.slots), fullSlots)
		}
		s.release()
		if s.slots != nil || s.n != 0 {
			t.Fatalf("round %d: a released set still holds %d keys in %d slots", round, s.n, len(s.slots))
		}
	}
}
