package reports

import (
	"fmt"
	"io"
	"strings"

	"datakart/inventory"
)

// Markdown writes the inventory as GitHub-flavoured Markdown, for a pull
// request comment or a wiki page.
func Markdown(w io.Writer, inv *inventory.Inventory, opt Options) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# datakart inventory\n\n")
	fmt.Fprintf(&b, "%s, %s, %s with findings, %s examined.", Count(inv.Totals.Stores, "store"), Count(inv.Totals.Containers, "container"), Count(countFields(inv), "field"), humanBytes(inv.Totals.Bytes))
	if !inv.Complete {
		fmt.Fprintf(&b, " **Incomplete:** %s.", mdEscape(inv.IncompleteReason))
	}
	b.WriteString("\n\n")

	rows, hidden := Rows(inv, true, opt.MinConfidence)
	if len(rows) == 0 {
		b.WriteString("No personal data found.\n")
	} else {
		b.WriteString("| Location | Category | Class | Confidence | Matches | Distinct | Examples | Why |\n")
		b.WriteString("|---|---|---|---|---:|---:|---|---|\n")
		for _, r := range rows {
			k := r.Category
			cat := "`" + k.ID + "`"
			if len(k.Variants) > 0 {
				cat += " (" + variantsText(k.Variants) + ")"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %d | %s | %s |\n",
				mdEscape(r.Location()), cat, k.Class, k.Confidence, k.Matches, k.Distinct,
				mdCode(k.Shown()), mdEscape(k.Explanation))
		}
	}

	if hidden > 0 {
		fmt.Fprintf(&b, "\n%s below %s confidence %s not shown.\n", Count(hidden, "finding"), opt.MinConfidence, isAre(hidden))
	}

	if len(inv.Totals.ByClass) > 0 {
		b.WriteString("\n## Totals by GDPR class\n\n| Class | Locations | High | Medium | Low |\n|---|---:|---:|---:|---:|\n")
		for _, id := range sortedKeys(inv.Totals.ByClass) {
			c := inv.Totals.ByClass[id]
			if id == "none" {
				continue
			}
			fmt.Fprintf(&b, "| %s | %d | %d | %d | %d |\n", id, c.Locations, c.High, c.Medium, c.Low)
		}
		b.WriteString("\n## Totals by category\n\n| Category | Locations | High | Medium | Low | Matches |\n|---|---:|---:|---:|---:|---:|\n")
		context := contextOnly(inv)
		for _, id := range sortedKeys(inv.Totals.ByCategory) {
			c := inv.Totals.ByCategory[id]
			if context[id] {
				continue
			}
			fmt.Fprintf(&b, "| `%s` | %d | %d | %d | %d | %d |\n", id, c.Locations, c.High, c.Medium, c.Low, c.Matches)
		}
	}
	if len(inv.Errors) > 0 {
		fmt.Fprintf(&b, "\n## Errors (%d)\n\n", len(inv.Errors))
		for _, e := range inv.Errors {
			fmt.Fprintf(&b, "- %s: %s\n", mdEscape(errorPlace(e)), mdEscape(e.Message))
		}
	}
	if len(inv.Skipped) > 0 {
		fmt.Fprintf(&b, "\n## Skipped (%d)\n\n", len(inv.Skipped))
		for _, s := range inv.Skipped {
			fmt.Fprintf(&b, "- %s: %s\n", mdEscape(s.Container), mdEscape(s.Reason))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func countFields(inv *inventory.Inventory) int {
	n := 0
	for _, s := range inv.Stores {
		for _, c := range s.Containers {
			n += len(c.Fields)
		}
	}
	return n
}

var mdReplacer = strings.NewReplacer("|", `\|`, "\n", `\n`, "\r", `\r`, "<", "&lt;", ">", "&gt;", "`", "'", "*", `\*`, "_", `\_`)

// mdCode renders masked examples as code spans, so their stars read as
// stars.
func mdCode(examples []string) string {
	parts := make([]string, len(examples))
	for i, e := range examples {
		parts[i] = "`" + strings.NewReplacer("`", "'", "|", `\|`, "\n", " ").Replace(e) + "`"
	}
	return strings.Join(parts, " ")
}

// mdEscape keeps names from the scanned data from breaking the table or
// injecting markup.
func mdEscape(s string) string { return mdReplacer.Replace(s) }
