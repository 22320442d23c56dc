package inventory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Counts counts a category's matches by a name: a variant, a confidence, a
// reason. In JSON it is an object of numbers with its keys sorted, exactly
// as a map[string]int64 is written. It is a slice sorted by name and not a
// map because the inventory holds three of them for every category of
// every container until the report is written: a Go map with one entry
// takes about 300 bytes, and these took half the memory of a tree of
// small files.
type Counts []NamedCount

// NamedCount is one entry of Counts.
type NamedCount struct {
	Name string
	N    int64
}

// CountsOf returns the entries of m as Counts; nil for an empty m.
func CountsOf(m map[string]int64) Counts {
	var c Counts
	for name, n := range m {
		c = append(c, NamedCount{name, n})
	}
	c.sort()
	return c
}

func (c Counts) sort() {
	slices.SortFunc(c, func(a, b NamedCount) int { return strings.Compare(a.Name, b.Name) })
}

// Sorted returns c sorted by name, adding the counts of a name that
// appears more than once. It may reorder c.
func (c Counts) Sorted() Counts {
	c.sort()
	out := c[:0]
	for _, e := range c {
		if k := len(out) - 1; k >= 0 && out[k].Name == e.Name {
			out[k].N += e.N
		} else {
			out = append(out, e)
		}
	}
	return slices.Clip(out)
}

// Get returns the count of name, 0 when it has none.
func (c Counts) Get(name string) int64 {
	for _, e := range c {
		if e.Name == name {
			return e.N
		}
	}
	return 0
}

// MarshalJSON writes c as an object, {} when it is empty.
func (c Counts) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	// The keys are written without escaping HTML: the encoder that asked
	// escapes the result as it escapes a map's keys, if it does.
	keys := json.NewEncoder(&b)
	keys.SetEscapeHTML(false)
	b.WriteByte('{')
	for i, e := range c {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := keys.Encode(e.Name); err != nil {
			return nil, err
		}
		b.Truncate(b.Len() - 1) // Encode's newline
		fmt.Fprintf(&b, ":%d", e.N)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads an object of numbers, or null.
func (c *Counts) UnmarshalJSON(data []byte) error {
	var m map[string]int64
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	*c = CountsOf(m)
	return nil
}
