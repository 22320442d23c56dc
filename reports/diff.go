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
	for _, c := range d.Caveats {
		fmt.Fprintf(w, "Note: %s.\n", c)
	}
	if len(d.Caveats) > 0 {
		fmt.Fprintln(w)
	}
	if d.Empty() {
		_, err := fmt.Fprintln(w, "No changes.")
		return err
	}
	fmt.Fprintf(w, "%s\n\n", diffSummary(d))
	for _, c := range d.Changes {
		ctx := ""
		if !c.Personal {
			ctx = "  (context, not personal)"
		}
		fmt.Fprintln(w, changeText(c)+ctx)
	}
	for _, l := range containerLists(d) {
		if joined, ok := l.short(); ok {
			fmt.Fprintf(w, "\n%s: %s\n", l.name, oneLine(joined))
			continue
		}
		fmt.Fprintf(w, "\n%s (%d):\n", l.name, len(l.names))
		for _, n := range l.names {
			fmt.Fprintf(w, "  %s\n", oneLine(n))
		}
	}
	return nil
}

// containerList is the containers that came ("New") or went ("Removed").
type containerList struct {
	name  string
	names []string
}

// containerLists returns the lists of d that are not empty.
func containerLists(d *inventory.Delta) []containerList {
	var out []containerList
	for _, l := range []containerList{{"New", d.NewContainers}, {"Removed", d.RemovedContainers}} {
		if len(l.names) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// short returns the list joined on one line, and whether it is short
// enough to be written so; a longer one has a line for each name: the 500
// files of a folder that was removed were one line of 12,000 characters.
func (l containerList) short() (string, bool) {
	joined := strings.Join(l.names, ", ")
	return joined, len(joined) <= 100
}

// diffSummary counts the changes in one line, so that a diff of a share
// that changed in thousands of places says what it amounts to before it
// lists them: "Changes: 533 appeared (532 in new containers), 625
// disappeared; containers: 332 new, 500 removed."
func diffSummary(d *inventory.Delta) string {
	kinds := map[string]int{}
	inNew, context := 0, 0
	for _, c := range d.Changes {
		if !c.Personal {
			context++ // an organisation number, a KID: listed, but no personal data
			continue
		}
		kinds[c.Kind]++
		if c.NewContainer {
			inNew++
		}
	}
	var changes, containers []string
	for _, k := range []string{inventory.Appeared, inventory.Raised, inventory.Lowered, inventory.Disappeared} {
		if n := kinds[k]; n > 0 {
			p := fmt.Sprintf("%d %s", n, k)
			if k == inventory.Appeared && inNew > 0 {
				p += fmt.Sprintf(" (%d in new containers)", inNew)
			}
			changes = append(changes, p)
		}
	}
	if n := len(d.NewContainers); n > 0 {
		containers = append(containers, fmt.Sprintf("%d new", n))
	}
	if n := len(d.RemovedContainers); n > 0 {
		containers = append(containers, fmt.Sprintf("%d removed", n))
	}
	if context > 0 {
		changes = append(changes, fmt.Sprintf("%d in context data that is not personal", context))
	}
	var parts []string
	if len(changes) > 0 {
		parts = append(parts, "Changes: "+strings.Join(changes, ", "))
	}
	if len(containers) > 0 {
		parts = append(parts, "containers: "+strings.Join(containers, ", "))
	}
	line := strings.Join(parts, "; ") + "."
	return strings.ToUpper(line[:1]) + line[1:]
}

func diffMarkdown(w io.Writer, d *inventory.Delta) error {
	var b strings.Builder
	b.WriteString("### datakart: changes since the previous inventory\n\n")
	for _, c := range d.Caveats {
		fmt.Fprintf(&b, "⚠️ %s.\n\n", mdEscape(c))
	}
	if !d.Empty() {
		b.WriteString(mdEscape(diffSummary(d)) + "\n\n")
	}
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
	for _, l := range containerLists(d) {
		if joined, ok := l.short(); ok {
			fmt.Fprintf(&b, "\n%s: %s\n", l.name, mdEscape(joined))
			continue
		}
		// Folded: a pull request's comment that lists 500 files leads
		// with the changes, not the list.
		fmt.Fprintf(&b, "\n<details><summary>%s: %d</summary>\n\n", l.name, len(l.names))
		for _, n := range l.names {
			fmt.Fprintf(&b, "- %s\n", mdEscape(n))
		}
		b.WriteString("\n</details>\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
