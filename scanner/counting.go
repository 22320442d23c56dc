package scanner

import (
	"math/bits"
	"sync"

	"datakart/inventory"
)

// A scan updates a field's aggregates once per match, which on dense data
// is every few hundred bytes; Go maps keyed by strings and by hashes cost
// more there than the detectors. These two small types do the same work
// for the shapes the aggregates have.

// tally counts occurrences of a few distinct strings: a category's
// variants or reasons, which come from a detector's short list of
// constants (compared by pointer first, so usually without reading them).
type tally []tallyEntry

type tallyEntry struct {
	key string
	n   int64
}

func (t *tally) add(key string) { t.addN(key, 1) }

// addN counts n more of key.
func (t *tally) addN(key string, n int64) {
	for i := range *t {
		if (*t)[i].key == key {
			(*t)[i].n += n
			return
		}
	}
	*t = append(*t, tallyEntry{key, n})
}

// counts returns the counts as the inventory holds them.
func (t tally) counts() inventory.Counts {
	c := make(inventory.Counts, len(t))
	for i, e := range t {
		c[i] = inventory.NamedCount{Name: e.key, N: e.n}
	}
	return c.Sorted()
}

// hashSet counts distinct hashes of values (maphash) up to a limit, in a
// table with open addressing and linear probing. It keeps whole 64-bit
// hashes: with 32 bits, two of 16384 values share a hash with a chance of
// 3%, and as the hash seed is drawn per process, two scans of the same data
// could then report counts one apart.
type hashSet struct {
	slots []uint64 // 0 is an empty slot
	shift uint     // 64 - log2(len(slots)): a key's top bits are its first slot
	n     int
	// full is set when a hash was turned away: n is a lower bound.
	full bool
	// later holds keys added by addLater, not yet in slots.
	later []uint64
}

// laterBatch is how many keys addLater gathers before it puts them in the
// table, in order of their slots: one sweep that the hardware reads ahead,
// instead of a cache miss per match on a set of many thousand values.
const laterBatch = 1024

// add inserts h unless the set holds limit hashes already. It reports
// whether h was there before, and whether the set was full for it.
func (s *hashSet) add(h uint64, limit int) (seen, full bool) {
	s.flush(limit)
	if s.insert(key(h), limit) {
		return true, false
	}
	return false, s.full
}

// addLater inserts h when the answer of add is not needed now.
func (s *hashSet) addLater(h uint64, limit int) {
	if s.later = append(s.later, key(h)); len(s.later) == laterBatch {
		s.flush(limit)
	}
}

// len returns how many distinct hashes the set holds, and whether more
// were turned away.
func (s *hashSet) len(limit int) (n int, full bool) {
	s.flush(limit)
	return s.n, s.full
}

// key is h, but never 0, which marks an empty slot.
func key(h uint64) uint64 { return max(h, 1) }

func (s *hashSet) insert(k uint64, limit int) (seen bool) {
	if s.full {
		return false
	}
	if 4*(s.n+1) > 3*len(s.slots) {
		s.grow(limit)
	}
	mask := len(s.slots) - 1
	for i := int(k >> s.shift); ; i = (i + 1) & mask {
		switch s.slots[i] {
		case k:
			return true
		case 0:
			if s.n >= limit {
				s.full = true
				return false
			}
			s.slots[i] = k
			s.n++
			return false
		}
	}
}

// flush puts the keys of addLater in the table, sorted by their top byte
// so that the probes sweep the table once.
func (s *hashSet) flush(limit int) {
	if len(s.later) == 0 {
		return
	}
	var count [257]int
	for _, k := range s.later {
		count[k>>56+1]++
	}
	for b := 1; b < len(count); b++ {
		count[b] += count[b-1]
	}
	var sorted [laterBatch]uint64
	for _, k := range s.later {
		sorted[count[k>>56]] = k
		count[k>>56]++
	}
	for _, k := range sorted[:len(s.later)] {
		s.insert(k, limit)
	}
	s.later = s.later[:0]
}

// grow doubles the table, up to bigSet slots; a set that outgrows that
// goes straight to the size its limit needs. Each step moves every key
// again, and on a column of ids or a log of addresses, which reach the
// limit, the doublings past a few thousand slots cost more than the
// inserts (and their fresh memory a page fault every 512 keys).
func (s *hashSet) grow(limit int) {
	old := s.slots
	size := max(16, 2*len(old))
	if size > bigSet {
		size = max(size, slotsFor(limit))
	}
	s.slots = makeSlots(size)
	s.shift = uint(64 - bits.TrailingZeros(uint(len(s.slots))))
	mask := len(s.slots) - 1
	for _, k := range old {
		if k == 0 {
			continue
		}
		i := int(k >> s.shift)
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = k
	}
	releaseSlots(old)
}

// bigSet is the size (in slots) past which a set grows to its full size.
const bigSet = 4096

// slotsFor returns the table size that holds limit keys at most three
// quarters full, as insert keeps it.
func slotsFor(limit int) int {
	size := 16
	for 3*size < 4*(limit+1) {
		size *= 2
	}
	return size
}

// fullSlots is the size of a set at maxDistinct keys (slotsFor).
const fullSlots = 2 * maxDistinct

// fullTables keeps the tables of sets that grew to fullSlots, for the next
// field or file: a scan of many large files would otherwise take fresh
// memory for each of their categories.
var fullTables = sync.Pool{New: func() any { return new([fullSlots]uint64) }}

func makeSlots(size int) []uint64 {
	if size != fullSlots {
		return make([]uint64, size)
	}
	t := fullTables.Get().(*[fullSlots]uint64)
	clear(t[:])
	return t[:]
}

// releaseSlots hands a table of fullSlots back for reuse; the set that
// held it must not be used after.
func releaseSlots(t []uint64) {
	if len(t) == fullSlots {
		fullTables.Put((*[fullSlots]uint64)(t))
	}
}

// release gives the set's table back for reuse. The set is empty after.
func (s *hashSet) release() {
	releaseSlots(s.slots)
	*s = hashSet{}
}
