package reports

import (
	"bytes"
	"strings"
	"testing"

	"datakart/check"
	"datakart/detectors"
	"datakart/inventory"
)

// A name in a store is the store owner's text. In the formats people read
// in a terminal it must not reach the terminal as control sequences: ESC
// (colours, clearing the screen, OSC 52 writing the clipboard), the C1
// controls, BEL, a carriage return that overwrites the line, bytes that
// are not UTF-8, a newline that starts a line the tool did not write. They
// come out escaped, readable, and the rest of the name with them.
func TestTerminalFormatsEscapeControls(t *testing.T) {
	evil := "evil\x1b]52;c;ZXZpbA==\x07\x1b[2J\r\u009b31m\xff\tname\ndatakart check: passed.csv"
	inv := fixture()
	inv.Stores[0].Containers[0].Name = evil
	inv.Stores[0].Containers[0].Fields[0].Name = "fnr\x1b[8m"
	inv.Errors = append(inv.Errors, inventory.Error{Store: "/data/exports", Container: evil, Message: "open " + evil + ": permission denied"})
	inv.ComputeTotals()
	res := &check.Result{FailOn: detectors.Medium, Complete: true, Failed: 1, Findings: []check.Finding{{
		StoreKind: "files", Store: "/data/exports", Container: evil, Field: "fnr\x1b[8m", Category: "no_fnr",
		Class: "national_id", Confidence: detectors.High, Matches: 3, Status: check.Undeclared, Explanation: "3 valid", Fails: true,
	}}}
	old := fixture()
	old.Stores[0].Containers = old.Stores[0].Containers[1:]
	old.ComputeTotals()
	delta := inventory.Diff(old, inv)

	outputs := map[string]func(*bytes.Buffer) error{
		"table":          func(b *bytes.Buffer) error { return Render(b, inv, "table", Options{}) },
		"markdown":       func(b *bytes.Buffer) error { return Render(b, inv, "markdown", Options{}) },
		"check table":    func(b *bytes.Buffer) error { return RenderCheck(b, res, "table") },
		"check markdown": func(b *bytes.Buffer) error { return RenderCheck(b, res, "markdown") },
		"diff table":     func(b *bytes.Buffer) error { return RenderDiff(b, delta, "table") },
		"diff markdown":  func(b *bytes.Buffer) error { return RenderDiff(b, delta, "markdown") },
	}
	for name, render := range outputs {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out := b.String()
		for _, bad := range []string{"\x1b", "\x07", "\r", "\u009b", "\xff", "\t"} {
			if strings.Contains(out, bad) {
				t.Errorf("%s: output holds %q:\n%s", name, bad, out)
			}
		}
		if !strings.Contains(out, `evil\x1b]52;c;ZXZpbA==\x07\x1b[2J`) || !strings.Contains(out, `\u009b31m\xff\tname`) ||
			!strings.Contains(out, `name\ndatakart check: passed.csv`) {
			t.Errorf("%s: the name is not shown escaped:\n%s", name, out)
		}
		if strings.Contains(out, "\ndatakart check: passed.csv") {
			t.Errorf("%s: a newline in the name starts a line of its own:\n%s", name, out)
		}
	}
}
