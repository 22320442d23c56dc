package scanner

import (
	"math/rand/v2"
	"testing"
)

// hashSet agrees with a map, including for the hash 0 and at its limit.
func TestHashSetAgreesWithMap(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, limit := range []int{1, 7, 100, 5000} {
		var s hashSet
		want := map[uint64]bool{}
		for range 20000 {
			h := r.Uint64N(3 * uint64(limit)) // repeats, and 0 now and then
			seen, full := s.add(h, limit)
			switch {
			case want[h]:
				if !seen || full {
					t.Fatalf("limit %d: %d was added before, got seen=%v full=%v", limit, h, seen, full)
				}
			case len(want) >= limit:
				if seen || !full {
					t.Fatalf("limit %d: %d over the limit, got seen=%v full=%v", limit, h, seen, full)
				}
			default:
				if seen || full {
					t.Fatalf("limit %d: %d is new, got seen=%v full=%v", limit, h, seen, full)
				}
				want[h] = true
			}
			if s.len() != len(want) {
				t.Fatalf("limit %d: len %d, want %d", limit, s.len(), len(want))
			}
		}
	}
}

func TestTally(t *testing.T) {
	var tl tally
	for _, k := range []string{"checksum", "date", "checksum", "checksum"} {
		tl.add(k)
	}
	if m := tl.toMap(); len(m) != 2 || m["checksum"] != 3 || m["date"] != 1 {
		t.Errorf("tally = %v", m)
	}
}
