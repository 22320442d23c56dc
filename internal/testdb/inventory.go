package testdb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"datakart/connectors"
	"datakart/inventory"
	"datakart/rules"
	"datakart/scanner"
)

// Scan scans sources with the built-in rules and a fixed fingerprint key.
func Scan(t testing.TB, sources ...connectors.Source) *inventory.Inventory {
	t.Helper()
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	inv, err := scanner.Scan(context.Background(), rs, sources, scanner.Options{Concurrency: 4, FingerprintKey: []byte("test")})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// Container returns the named container of any store, or nil.
func Container(inv *inventory.Inventory, name string) *inventory.Container {
	for si := range inv.Stores {
		for ci := range inv.Stores[si].Containers {
			if c := &inv.Stores[si].Containers[ci]; c.Name == name {
				return c
			}
		}
	}
	return nil
}

// Sampling says how a container was read, for a test's message.
func Sampling(c *inventory.Container) string {
	if c == nil {
		return "(no such container)"
	}
	return fmt.Sprintf("%d rows by %q", c.Rows, c.Sampling)
}

// Category returns the finding of category cat in a container's field, or
// nil.
func Category(inv *inventory.Inventory, container, field, cat string) *inventory.Category {
	f := Field(Container(inv, container), field)
	if f == nil {
		return nil
	}
	for ki := range f.Categories {
		if k := &f.Categories[ki]; k.ID == cat {
			return k
		}
	}
	return nil
}

// Field returns the field of a container (which may be nil) by its name,
// or nil.
func Field(c *inventory.Container, name string) *inventory.Field {
	if c == nil {
		return nil
	}
	for i := range c.Fields {
		if c.Fields[i].Name == name {
			return &c.Fields[i]
		}
	}
	return nil
}

// NoValueInErrors fails the test when an error or skip entry of inv quotes
// any of values, or is not valid UTF-8 (a raw invalid byte from the data
// leaked into it).
func NoValueInErrors(t testing.TB, inv *inventory.Inventory, values ...string) {
	t.Helper()
	var msgs []string
	for _, e := range inv.Errors {
		msgs = append(msgs, e.Container+": "+e.Message)
	}
	for _, s := range inv.Skipped {
		msgs = append(msgs, s.Container+": "+s.Reason)
	}
	for _, m := range msgs {
		if !utf8.ValidString(m) {
			t.Errorf("an inventory entry holds invalid UTF-8 from the data: %q", m)
		}
		for _, v := range values {
			if strings.Contains(m, v) {
				t.Errorf("an inventory entry quotes the value %q: %q", v, m)
			}
		}
	}
}

// WantSameSample fails the test unless two runs over the same rows found
// the same: the same matches, fingerprints and examples of a category.
func WantSameSample(t testing.TB, a, b *inventory.Category) {
	t.Helper()
	if a == nil || b == nil || a.Matches != b.Matches || !slices.Equal(a.Fingerprints, b.Fingerprints) || !slices.Equal(a.Examples, b.Examples) {
		t.Errorf("two runs over the same rows differ:\n%+v\n%+v", a, b)
	}
}

// WantMatches fails the test unless field of container has exactly
// matches matches of category; label says which run of the test it was.
func WantMatches(t testing.TB, inv *inventory.Inventory, container, label, field, category string, matches int64) {
	t.Helper()
	if c := Category(inv, container, field, category); c == nil || c.Matches != matches {
		t.Errorf("%s: %s: %s = %+v, want %d matches", label, field, category, c, matches)
	}
}

// WantPace fails the test unless every table of inv that read rows says
// how long that took and how busy datakart was meanwhile, within it.
func WantPace(t testing.TB, inv *inventory.Inventory) {
	t.Helper()
	for _, s := range inv.Stores {
		for _, c := range s.Containers {
			p := c.Pace
			switch {
			case c.Rows == 0 && p != nil:
				t.Errorf("%s read no rows, but has a pace %+v", c.Name, *p)
			case c.Rows > 0 && (p == nil || p.ReadSeconds <= 0 || p.BusySeconds <= 0 || p.BusySeconds > p.ReadSeconds):
				t.Errorf("%s read %d rows with pace %+v, want read > busy > 0", c.Name, c.Rows, p)
			}
		}
	}
}
