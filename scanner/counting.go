package scanner

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

func (t *tally) add(key string) {
	for i := range *t {
		if (*t)[i].key == key {
			(*t)[i].n++
			return
		}
	}
	*t = append(*t, tallyEntry{key, 1})
}

// toMap returns the counts as the inventory holds them.
func (t tally) toMap() map[string]int64 {
	m := make(map[string]int64, len(t))
	for _, e := range t {
		m[e.key] += e.n
	}
	return m
}

// hashSet is a set of 64-bit hashes with open addressing and linear
// probing. Zero stands for an empty slot, so the hash 0 is kept aside.
type hashSet struct {
	slots   []uint64
	n       int
	hasZero bool
}

// add inserts h unless the set holds limit hashes already. It reports
// whether h was there before, and whether the set was full for it.
func (s *hashSet) add(h uint64, limit int) (seen, full bool) {
	if h == 0 {
		if s.hasZero {
			return true, false
		}
		if s.n >= limit {
			return false, true
		}
		s.hasZero = true
		s.n++
		return false, false
	}
	if 4*(s.n+1) > 3*len(s.slots) {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case h:
			return true, false
		case 0:
			if s.n >= limit {
				return false, true
			}
			s.slots[i] = h
			s.n++
			return false, false
		}
	}
}

func (s *hashSet) len() int { return s.n }

func (s *hashSet) grow() {
	old := s.slots
	s.slots = make([]uint64, max(16, 2*len(old)))
	mask := uint64(len(s.slots) - 1)
	for _, h := range old {
		if h == 0 {
			continue
		}
		i := h & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = h
	}
}
