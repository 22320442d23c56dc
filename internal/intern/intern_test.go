package intern

import (
	"fmt"
	"testing"
)

func TestOf(t *testing.T) {
	var s Strings
	a, b := s.Of([]byte("$.customer.email")), s.Of([]byte("$.customer.email"))
	if a != b {
		t.Fatal(a, b)
	}
	if n := testing.AllocsPerRun(100, func() { s.Of([]byte("$.customer.email")) }); n != 0 {
		t.Errorf("%v allocations for a string seen before", n)
	}
	for i := range 2 * max {
		s.Of(fmt.Appendf(nil, "$.%d", i))
	}
	if len(s.m) != max {
		t.Errorf("%d strings kept, want at most %d", len(s.m), max)
	}
}
