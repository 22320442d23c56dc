package reports

import (
	"cmp"
	"embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"

	"datakart/check"
	"datakart/detectors"
	"datakart/inventory"
)

//go:embed templates/report.html
var templates embed.FS

var reportTemplate = template.Must(template.ParseFS(templates, "templates/report.html"))

// TrendPoint is one earlier run for the trend chart.
type TrendPoint struct {
	Label        string // "#12 11-28"
	High, Medium int    // locations with personal data, by confidence
}

// HTMLInput is what an audit report shows: the inventory, and where known
// the runs before it, what changed since the previous one, and the policy
// check.
type HTMLInput struct {
	Inventory *inventory.Inventory
	Trend     []TrendPoint     // oldest first; may be empty
	Changes   *inventory.Delta // since the previous audit; nil when there is none
	Check     *check.Result    // nil without a config
	// MaxRows caps the findings the inventory table lists (0: all), and
	// the errors and skipped listed: a page of the 180,000 findings of
	// 50,000 files was 74 MB, and a browser did not open it in two
	// minutes. The surest and most sensitive are kept, undeclared first.
	MaxRows int
}

type htmlRow struct {
	Store, Container, Field, Category, Class, Confidence, Status, Explanation string
	Rank                                                                      int
	Matches, Distinct                                                         int64
	Examples                                                                  []string
}

type classCount struct {
	Label string
	Count int
}

// HTML writes a self-contained audit report: one file with its styles,
// script and charts (inline SVG) inside, loading nothing from the network,
// so it opens from an e-mail attachment. Values are masked, as in the
// inventory.
func HTML(w io.Writer, in HTMLInput) error {
	inv := in.Inventory
	data := map[string]any{
		"Title":   "Personal data inventory",
		"Started": inv.StartedAt.UTC().Format("2006-01-02 15:04 UTC"),
		"Inv":     inv,
		"Bytes":   humanBytes(inv.Totals.Bytes),
		"Check":   in.Check,
		"Changes": personalChanges(in.Changes),
	}
	var rowsExamined int64
	for _, s := range inv.Stores {
		for _, c := range s.Containers {
			rowsExamined += c.Rows
		}
	}
	data["Rows"] = rowsExamined

	status := map[string]string{}
	if in.Check != nil {
		n := counts(in.Check)
		data["Declared"], data["Allowed"] = n[check.Declared], n[check.Allowed]
		for _, f := range in.Check.Findings {
			status[f.StoreKind+"\x00"+f.Container+"\x00"+f.Field+"\x00"+f.Category] = string(f.Status)
		}
	}
	var table []htmlRow
	personal := map[string]bool{}
	classLocations := map[string]map[string]bool{}
	classNames := []string{}
	for _, r := range mustRows(inv) {
		k := r.Category
		row := htmlRow{
			Store: r.Store.Kind + " " + r.Store.Location, Container: r.Container.Name, Field: r.Field.Name,
			Category: k.ID, Class: k.Class, Confidence: k.Confidence.String(), Rank: int(k.Confidence),
			Matches: k.Matches, Distinct: k.Distinct, Examples: k.Shown(), Explanation: k.Explanation,
			Status: status[r.Store.Kind+"\x00"+r.Container.Name+"\x00"+r.Field.Name+"\x00"+k.ID],
		}
		table = append(table, row)
		loc := r.Store.Location + "\x00" + r.Container.Name + "\x00" + r.Field.Name
		if k.Confidence >= detectors.Medium {
			personal[loc] = true
			if classLocations[k.Class] == nil {
				classLocations[k.Class] = map[string]bool{}
			}
			classLocations[k.Class][loc] = true
		}
		if !slices.Contains(classNames, k.Class) {
			classNames = append(classNames, k.Class)
		}
	}
	slices.Sort(classNames)
	data["Findings"] = len(table)
	if in.MaxRows > 0 && len(table) > in.MaxRows {
		table = mostImportant(table, in.MaxRows)
	}
	data["Table"] = table
	data["Errors"], data["ErrorsLeftOut"] = capped(inv.Errors, in.MaxRows)
	data["Skipped"], data["SkippedLeftOut"] = capped(inv.Skipped, in.MaxRows)
	data["Personal"] = len(personal)
	data["ClassNames"] = classNames
	var classes []classCount
	for _, c := range []struct{ id, label string }{
		{"national_id", "national identity numbers"}, {"special_category", "special categories (Art. 9)"},
		{"financial", "financial"}, {"ordinary", "other personal data"},
	} {
		classes = append(classes, classCount{c.label, len(classLocations[c.id])})
	}
	data["Classes"] = classes
	data["Heatmap"] = heatmap(inv)
	data["ClassChart"] = classChart(inv)
	if len(in.Trend) > 1 {
		data["Trend"] = trendChart(in.Trend)
	}
	return reportTemplate.Execute(w, data)
}

// classRank orders the GDPR classes by how much a finding of them weighs.
var classRank = map[string]int{"special_category": 0, "national_id": 1, "financial": 2, "ordinary": 3}

// mostImportant keeps the n rows an auditor must see first: undeclared,
// then surest, then of the weightiest class; in inventory order among
// equals, which the table then shows.
func mostImportant(rows []htmlRow, n int) []htmlRow {
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	rank := func(r htmlRow) (int, int, int) {
		undeclared := 1
		if r.Status == string(check.Undeclared) {
			undeclared = 0
		}
		class, ok := classRank[r.Class]
		if !ok {
			class = len(classRank)
		}
		return undeclared, -r.Rank, class
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ua, ca, ka := rank(rows[a])
		ub, cb, kb := rank(rows[b])
		return cmp.Or(cmp.Compare(ua, ub), cmp.Compare(ca, cb), cmp.Compare(ka, kb))
	})
	order = order[:n]
	slices.Sort(order)
	kept := make([]htmlRow, n)
	for i, o := range order {
		kept[i] = rows[o]
	}
	return kept
}

// capped returns the first n of list (all for n 0) and how many it left
// out.
func capped[T any](list []T, n int) ([]T, int) {
	if n <= 0 || len(list) <= n {
		return list, 0
	}
	return list[:n], len(list) - n
}

// personalChanges keeps what an audit cares about: changes of personal
// data that is, or was, at medium confidence or above.
func personalChanges(d *inventory.Delta) *inventory.Delta {
	if d == nil {
		return nil
	}
	out := *d
	out.Changes = nil
	for _, c := range d.Changes {
		if c.Personal && max(c.Before, c.After) >= detectors.Medium {
			out.Changes = append(out.Changes, c)
		}
	}
	return &out
}

// mustRows is every personal finding at any confidence.
func mustRows(inv *inventory.Inventory) []Row {
	rows, _ := Rows(inv, true, detectors.Low)
	return rows
}

// heatmap draws stores × categories, the shade by how many locations hold
// the category.
func heatmap(inv *inventory.Inventory) template.HTML {
	type cell struct{ store, cat string }
	n := map[cell]int{}
	var stores, cats []string
	for _, s := range inv.Stores {
		name := s.Kind + " " + s.Location
		for _, c := range s.Containers {
			for _, f := range c.Fields {
				for _, k := range f.Categories {
					if !k.Personal || k.Confidence < detectors.Medium {
						continue
					}
					if !slices.Contains(stores, name) {
						stores = append(stores, name)
					}
					if !slices.Contains(cats, k.ID) {
						cats = append(cats, k.ID)
					}
					n[cell{name, k.ID}]++
				}
			}
		}
	}
	if len(cats) == 0 {
		return template.HTML(`<p class="muted">No personal data found.</p>`)
	}
	slices.Sort(cats)
	maxN := 1
	for _, v := range n {
		maxN = max(maxN, v)
	}
	const left, top, cw, ch = 230, 110, 34, 26
	width, height := left+cw*len(cats)+60, top+ch*len(stores)+10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg role="img" aria-label="Categories per store" viewBox="0 0 %d %d" style="width:100%%;max-width:%dpx;height:auto">`, width, height, width)
	for j, c := range cats {
		x := left + j*cw + cw/2
		fmt.Fprintf(&b, `<text transform="translate(%d,%d) rotate(-50)">%s</text>`, x, top-6, template.HTMLEscapeString(c))
	}
	for i, s := range stores {
		y := top + i*ch
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, left-8, y+ch/2+4, template.HTMLEscapeString(shorten(s, 34)))
		for j, c := range cats {
			v := n[cell{s, c}]
			shade := "#f2f4f7"
			if v > 0 {
				alpha := 0.25 + 0.75*float64(v)/float64(maxN)
				shade = fmt.Sprintf("rgba(180,35,24,%.2f)", alpha)
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" rx="3" fill="%s"><title>%s · %s: %d</title></rect>`,
				left+j*cw+1, y+1, cw-2, ch-2, shade, template.HTMLEscapeString(s), c, v)
			if v > 0 {
				fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" style="fill:#fff">%d</text>`, left+j*cw+cw/2, y+ch/2+4, v)
			}
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// classChart draws a stacked bar per GDPR class: locations by confidence.
func classChart(inv *inventory.Inventory) template.HTML {
	order := []string{"national_id", "special_category", "financial", "ordinary"}
	maxN := 1
	for _, id := range order {
		maxN = max(maxN, inv.Totals.ByClass[id].Locations)
	}
	const left, barW, rowH = 130, 300, 30
	var b strings.Builder
	fmt.Fprintf(&b, `<svg role="img" aria-label="GDPR class breakdown" viewBox="0 0 %d %d" style="width:100%%;max-width:%dpx;height:auto">`, left+barW+60, rowH*len(order)+10, left+barW+60)
	for i, id := range order {
		c := inv.Totals.ByClass[id]
		y := i*rowH + 4
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, left-8, y+16, id)
		x := left
		for _, part := range []struct {
			n     int
			color string
		}{{c.High, "var(--high)"}, {c.Medium, "var(--medium)"}, {c.Low, "var(--low)"}} {
			wd := part.n * barW / maxN
			if wd > 0 {
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="20" fill="%s"><title>%d</title></rect>`, x, y+2, wd, part.color, part.n)
			}
			x += wd
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d">%d</text>`, x+6, y+16, c.Locations)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// trendChart draws personal-data locations per run as stacked columns.
func trendChart(points []TrendPoint) template.HTML {
	maxN := 1
	for _, p := range points {
		maxN = max(maxN, p.High+p.Medium)
	}
	const left, bottom, plotH, colW = 40, 40, 160, 56
	width, height := left+colW*len(points)+10, plotH+bottom+10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg role="img" aria-label="Trend over the last runs" viewBox="0 0 %d %d" style="width:100%%;max-width:%dpx;height:auto">`, width, height, width)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#d0d5dd"/>`, left, plotH+5, width-5, plotH+5)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%d</text>`, left-6, 14, maxN)
	for i, p := range points {
		x := left + i*colW + 8
		hh := p.High * plotH / maxN
		mh := p.Medium * plotH / maxN
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="var(--high)"><title>%s: %d high</title></rect>`, x, plotH+5-hh, colW-16, hh, template.HTMLEscapeString(p.Label), p.High)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="var(--medium)"><title>%s: %d medium</title></rect>`, x, plotH+5-hh-mh, colW-16, mh, template.HTMLEscapeString(p.Label), p.Medium)
		run, date, _ := strings.Cut(p.Label, " ")
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">%s</text>`, x+(colW-16)/2, plotH+20, template.HTMLEscapeString(run))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" style="fill:#475467">%s</text>`, x+(colW-16)/2, plotH+34, template.HTMLEscapeString(date))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n/2-1]) + "…" + string(r[len(r)-n/2:])
}
