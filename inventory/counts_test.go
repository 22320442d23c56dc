package inventory

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
)

// Counts is written byte for byte as the map[string]int64 it replaced,
// by json.Marshal and by encoders that do and do not escape HTML, and
// reads back what it wrote and what older inventories hold.
func TestCountsAreWrittenAsAMap(t *testing.T) {
	for _, m := range []map[string]int64{
		{},
		{"mobile": 3},
		{"medium": 2, "high": 5, "low": 1},
		{"Luhn & prefix <test>": 1, "æøå \"quoted\"": 2, "\u2028": 3},
	} {
		c := CountsOf(m)
		for _, escape := range []bool{true, false} {
			encode := func(v any) string {
				var b bytes.Buffer
				e := json.NewEncoder(&b)
				e.SetEscapeHTML(escape)
				e.SetIndent("", "  ")
				if err := e.Encode(v); err != nil {
					t.Fatal(err)
				}
				return b.String()
			}
			type withMap struct {
				V map[string]int64 `json:"v"`
				R map[string]int64 `json:"r,omitempty"`
			}
			type withCounts struct {
				V Counts `json:"v"`
				R Counts `json:"r,omitempty"`
			}
			if got, want := encode(withCounts{c, c}), encode(withMap{m, m}); got != want {
				t.Errorf("escape HTML %v: Counts wrote\n%s\na map writes\n%s", escape, got, want)
			}
		}
		var back Counts
		if err := json.Unmarshal([]byte(must(json.Marshal(m))), &back); err != nil || !slices.Equal(back, c) {
			t.Errorf("read back %v, %v; want %v", back, err, c)
		}
	}
	var none Counts
	if err := json.Unmarshal([]byte("null"), &none); err != nil || none != nil {
		t.Errorf("null read as %v, %v", none, err)
	}
	if got := (Counts{{"b", 1}, {"a", 2}, {"b", 3}}).Sorted(); !slices.Equal(got, Counts{{"a", 2}, {"b", 4}}) {
		t.Errorf("Sorted = %v", got)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
