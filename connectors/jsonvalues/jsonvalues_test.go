package jsonvalues

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// One Walker over documents whose objects change shape from one to the
// next gives each value its own path: what it remembers of the last
// object in a place is only used where the bytes are the same.
func TestPathsAcrossDocumentsOfOtherShapes(t *testing.T) {
	docs := []struct{ in, want string }{
		{`{"a":1,"b":"x"}`, `$.a=1 $.b=x`},
		{`{"a":2,"b":"y"}`, `$.a=2 $.b=y`},
		{`{"b":"z","a":3}`, `$.b=z $.a=3`},
		{`{"a":{"b":4},"c":5}`, `$.a.b=4 $.c=5`},
		{`{"x":{"b":6},"c":7}`, `$.x.b=6 $.c=7`},
		{`{"a":[{"b":8},{"bb":9}],"a":10}`, `$.a[*].b=8 $.a[*].bb=9 $.a=10`},
		{`{"kari@example.no":{"b":11},"b":12}`, `$.*=kari@example.no $.*.b=11 $.b=12`},
		{`[{"a":13},{"b":14}]`, `$[*].a=13 $[*].b=14`},
		{`{"a":1,"b":"x"}`, `$.a=1 $.b=x`},
	}
	var w Walker
	for _, d := range docs {
		var got []string
		err := w.Walk(context.Background(), strings.NewReader(d.in), func(path string, data []byte, numeric bool) error {
			got = append(got, fmt.Sprintf("%s=%s", path, data))
			return nil
		})
		if want := strings.Fields(d.want); err != nil || !slices.Equal(got, want) {
			t.Errorf("%s: %v %v, want %v", d.in, got, err, want)
		}
	}
}
