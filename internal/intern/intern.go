// Package intern turns byte slices into strings once per distinct value:
// a document repeats a few hundred field paths millions of times, and a
// string made for each would be most of what its reader allocates.
package intern

// max bounds the strings a Strings keeps: a document whose keys are all
// different (ids as keys) must not grow it without end.
const max = 10000

// Strings interns byte slices. The zero value is ready to use.
type Strings struct{ m map[string]string }

// Of returns b as a string, the same one each time where it can.
func (s *Strings) Of(b []byte) string {
	if v, ok := s.m[string(b)]; ok { // no allocation for the lookup
		return v
	}
	v := string(b)
	if s.m == nil {
		s.m = map[string]string{}
	}
	if len(s.m) < max {
		s.m[v] = v
	}
	return v
}
