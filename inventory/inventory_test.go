package inventory

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// Write streams what json.Encoder with a two-space indent writes, byte
// for byte, and WriteCompact what it writes without one: no stores, none,
// stores without containers and with some, and text JSON escapes (markup,
// quotes, non-ASCII, a key's own name).
func TestWriteIsTheEncodersJSON(t *testing.T) {
	container := func(name string) Container {
		return Container{Name: name, Kind: "csv", Bytes: 12, Values: 3, Fields: []Field{{Name: `"stores": null`, Examined: 2}, {Name: `"containers":null`}}}
	}
	for _, inv := range []*Inventory{
		{},
		{Stores: []Store{}, Targets: []string{"<a&b>"}},
		{Stores: []Store{{Kind: "files", Location: "/x"}}},
		{Stores: []Store{{Kind: "files", Containers: []Container{}}, {Kind: "postgres", Location: "postgres://u:xxxxx@h/db", Error: "\"containers\": null"}}},
		{SchemaVersion: 1, StartedAt: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC), Complete: true,
			Stores: []Store{{Kind: "files", Location: "/data", Containers: []Container{container("a.csv"), container("Kari Nørdmann/\u2028b.csv")}},
				{Kind: "files", Location: "/other", Containers: []Container{container("c.csv")}}},
			Errors: []Error{}, Skipped: []Skip{{}}},
	} {
		for _, pretty := range []bool{true, false} {
			var want, got bytes.Buffer
			enc := json.NewEncoder(&want)
			write := inv.WriteCompact
			if pretty {
				enc.SetIndent("", "  ")
				write = inv.Write
			}
			if err := enc.Encode(inv); err != nil {
				t.Fatal(err)
			}
			if err := write(&got); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("indented %v: got\n%s\nwant\n%s", pretty, got.String(), want.String())
			}
		}
	}
}
