// Package reports renders an inventory for people and machines: a terminal
// table, JSON, CSV and Markdown. Every format is rendered from the same
// inventory.Inventory and none of them adds a value the inventory does not
// hold, so a masked inventory gives masked reports.
package reports

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"datakart/detectors"
	"datakart/inventory"
)

// Formats lists the formats Render accepts.
var Formats = []string{"table", "json", "csv", "markdown"}

// Options tune the tabular formats. The JSON format is always the whole
// inventory.
type Options struct {
	// MinConfidence hides findings below it from the table, CSV and
	// Markdown formats; the table says how many it hid.
	MinConfidence detectors.Confidence
	// MaxRows caps the findings the table lists (0: all): a tree of
	// 100,000 files makes a table nobody reads, and tablewriter took
	// longer to draw it than the scan took. The table says how many it
	// left out.
	MaxRows int
	// Width is the width of the terminal the table is drawn for, which
	// its columns of findings share; 0 (no terminal): each column is at
	// most 46 characters wide.
	Width int
}

// Render writes inv to w in the named format.
func Render(w io.Writer, inv *inventory.Inventory, format string, opt Options) error {
	switch format {
	case "table", "":
		return Table(safeText(w), inv, opt)
	case "json":
		return inv.Write(w)
	case "csv":
		return CSV(w, inv, opt)
	case "markdown", "md":
		return Markdown(safeText(w), inv, opt)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

// Row is one field × category of an inventory, flattened for tabular
// formats.
type Row struct {
	Store     *inventory.Store
	Container *inventory.Container
	Field     *inventory.Field
	Category  *inventory.Category
}

// Location names the field for people: "payroll.csv → fnr", or just the
// container for the whole text of a file.
func (r Row) Location() string {
	if r.Field.Name == "" {
		return r.Container.Name
	}
	return r.Container.Name + " → " + r.Field.Name
}

// Rows flattens inv in store, container and field order, surest category
// first within a field, leaving out findings below min. With personalOnly,
// context categories (no_orgnr, kid) are left out too. hidden counts the
// personal findings left out for their confidence.
func Rows(inv *inventory.Inventory, personalOnly bool, min detectors.Confidence) (rows []Row, hidden int) {
	for si := range inv.Stores {
		s := &inv.Stores[si]
		for ci := range s.Containers {
			c := &s.Containers[ci]
			for fi := range c.Fields {
				f := &c.Fields[fi]
				for ki := range f.Categories {
					k := &f.Categories[ki]
					if personalOnly && !k.Personal {
						continue
					}
					if k.Confidence < min {
						if k.Personal {
							hidden++
						}
						continue
					}
					rows = append(rows, Row{s, c, f, k})
				}
			}
		}
	}
	return rows, hidden
}

// variantsText renders variant counts as "d_number 2, synthetic 1", in
// name order so output is stable.
func variantsText(v inventory.Counts) string {
	parts := make([]string, len(v))
	for i, e := range v {
		parts[i] = fmt.Sprintf("%s %d", e.Name, e.N)
	}
	return strings.Join(parts, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// contextOnly lists the categories the inventory holds only as context
// (no_orgnr, kid), which the totals of personal data leave out.
func contextOnly(inv *inventory.Inventory) map[string]bool {
	m := map[string]bool{}
	for _, s := range inv.Stores {
		for _, c := range s.Containers {
			for _, f := range c.Fields {
				for _, k := range f.Categories {
					if !k.Personal {
						m[k.ID] = true
					}
				}
			}
		}
	}
	return m
}
