package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"datakart/inventory"
)

// DiffFormats lists the formats RenderDiff accepts.
var DiffFormats = []string{"table", "json", "markdown"}

// RenderDiff writes what changed between two inventories.
func RenderDiff(w io.Writer, d *inventory.Delta, format string) error {
	switch format {
	case "table", "":
		return diffText(safeText(w), d)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(d)
	case "markdown", "md":
		return diffMarkdown(safeText(w), d)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(DiffFormats, ", "))
}

func changeText(c inventory.Change) string {
	switch c.Kind {
	case inventory.Appeared:
		s := fmt.Sprintf("+ %s: %s (%s)", oneLine(c.Location()), c.Category, c.After)
		if c.NewContainer {
			s += " — new " + "container"
		}
		return s
	case inventory.Disappeared:
		return fmt.Sprintf("- %s: %s (was %s)", oneLine(c.Location()), c.Category, c.Before)
	}
	return fmt.Sprintf("~ %s: %s %s → %s", oneLine(c.Location()), c.Category, c.Before, c.After)
}

func diffText(w io.Writer, d *inventory.Delta) error {
	if len(d.Changes) == 0 && len(d.NewContainers) == 0 && len(d.RemovedContainers) == 0 {
		_, err := fmt.Fprintln(w, "No changes.")
		return err
	}
	for _, c := range d.Changes {
		ctx := ""
		if !c.Personal {
			ctx = "  (context, not personal)"
		}
		fmt.Fprintln(w, changeText(c)+ctx)
	}
	if len(d.NewContainers) > 0 {
		fmt.Fprintf(w, "\nNew: %s\n", oneLine(strings.Join(d.NewContainers, ", ")))
	}
	if len(d.RemovedContainers) > 0 {
		fmt.Fprintf(w, "Removed: %s\n", oneLine(strings.Join(d.RemovedContainers, ", ")))
	}
	return nil
}

func diffMarkdown(w io.Writer, d *inventory.Delta) error {
	var b strings.Builder
	b.WriteString("### datakart: changes since the previous inventory\n\n")
	if len(d.Changes) == 0 {
		b.WriteString("No changes in personal data.\n")
	} else {
		b.WriteString("| Change | Where | Category | Before | After |\n|---|---|---|---|---|\n")
		for _, c := range d.Changes {
			before, after := c.Before.String(), c.After.String()
			if c.Kind == inventory.Appeared {
				before = ""
			}
			if c.Kind == inventory.Disappeared {
				after = ""
			}
			fmt.Fprintf(&b, "| %s | %s | `%s` | %s | %s |\n", c.Kind, mdEscape(c.Location()), c.Category, before, after)
		}
	}
	if len(d.NewContainers) > 0 {
		fmt.Fprintf(&b, "\nNew: %s\n", mdEscape(strings.Join(d.NewContainers, ", ")))
	}
	if len(d.RemovedContainers) > 0 {
		fmt.Fprintf(&b, "\nRemoved: %s\n", mdEscape(strings.Join(d.RemovedContainers, ", ")))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
