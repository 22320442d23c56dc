package inventory

import (
	"bytes"
	"os"
	"reflect"
	"testing"
)

// FuzzRead: an inventory is a file a user hands to diff, report and check
// --baseline, and may be truncated, edited by hand or not an inventory at
// all. Read returns an error for it, never panics, and what it accepts
// writes back to JSON that reads the same.
func FuzzRead(f *testing.F) {
	example, err := os.ReadFile("testdata/hr.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add(example[:len(example)/2])
	f.Add([]byte(`{"schema_version":1,"stores":[{"kind":"files","containers":[{"name":"a","fields":[{"name":"f","categories":[{"id":"email","by_confidence":{"high":1},"reasons":{"x":2}}]}]}]}]}`))
	f.Add([]byte(`{"schema_version":1,"stores":null,"schema_version":2}`))
	f.Add([]byte("{\"schema_version\":1,\"targets\":[\"\xff\"]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := inv.Write(&out); err != nil {
			t.Fatalf("write what was read: %v", err)
		}
		again, err := Read(&out)
		if err != nil {
			t.Fatalf("read what was written: %v\n%s", err, out.String())
		}
		if !reflect.DeepEqual(inv, again) {
			t.Fatalf("a round trip changed the inventory:\n%+v\n%+v", inv, again)
		}
	})
}
