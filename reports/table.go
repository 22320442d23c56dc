package reports

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"datakart/inventory"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwarp"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/tw"
)

// Table writes the inventory as terminal tables: one row per field and
// personal category, then totals per category and per GDPR class, then the
// errors and skipped containers.
func Table(w io.Writer, inv *inventory.Inventory, opt Options) error {
	rows, hidden := Rows(inv, true, opt.MinConfidence)
	title := fmt.Sprintf("datakart inventory — %s, %s, %s examined", Count(inv.Totals.Stores, "store"), Count(inv.Totals.Containers, "container"), humanBytes(inv.Totals.Bytes))
	if !inv.Complete {
		title += fmt.Sprintf(" — INCOMPLETE (%s)", inv.IncompleteReason)
	}
	note(w, opt.Width, title)
	fmt.Fprintln(w)

	more, moreLocations := 0, 0
	if opt.MaxRows > 0 && len(rows) > opt.MaxRows {
		more = len(rows) - opt.MaxRows
		// A location's rows are together (Rows is in inventory order): a
		// location starts where the field changes.
		for i := opt.MaxRows; i < len(rows); i++ {
			if rows[i].Field != rows[i-1].Field {
				moreLocations++
			}
		}
		rows = rows[:opt.MaxRows]
	}
	if len(rows) == 0 {
		fmt.Fprintln(w, "No personal data found.")
	} else {
		header := []string{"location", "category", "confidence", "matches", "examples", "why"}
		cells := make([][]string, 0, len(rows))
		for _, r := range rows {
			k := r.Category
			cat := k.ID
			if len(k.Variants) > 0 {
				cat += " (" + variantsText(k.Variants) + ")"
			}
			examples := k.Shown()
			if len(examples) > 2 {
				examples = examples[:2]
			}
			cells = append(cells, []string{oneLine(r.Location()), cat, k.Confidence.String(), fmt.Sprint(k.Matches), strings.Join(examples, " "), k.Explanation})
		}
		widths, fits := fitColumns(header, cells, opt.Width)
		if !fits {
			findingList(w, cells, opt.Width)
		} else {
			t := newTable(w, header...)
			t.Options(tablewriter.WithColumnWidths(paddedWidths(widths)))
			for _, row := range cells {
				for i := range row {
					row[i] = breakWords(row[i], widths[i])
				}
				if err := t.Append(row); err != nil {
					return err
				}
			}
			if err := t.Render(); err != nil {
				return err
			}
		}
	}
	if more > 0 {
		note(w, opt.Width, fmt.Sprintf("%s in %d more %s %s not listed (--max-rows 0 lists all; --format csv or json has everything; the totals below count them).",
			Count(more, "more finding"), moreLocations, plural(moreLocations, "location"), isAre(more)))
	}
	if hidden > 0 {
		note(w, opt.Width, fmt.Sprintf("%s below %s confidence %s not shown (--min-confidence low shows all; --format json has everything).", Count(hidden, "finding"), opt.MinConfidence, isAre(hidden)))
	}

	if len(inv.Totals.ByCategory) > 0 {
		fmt.Fprintln(w)
		t := newTable(w, "category", "locations", "high", "medium", "low", "matches")
		context := contextOnly(inv)
		for _, id := range sortedKeys(inv.Totals.ByCategory) {
			c := inv.Totals.ByCategory[id]
			if context[id] {
				continue
			}
			if err := t.Append(id, fmt.Sprint(c.Locations), fmt.Sprint(c.High), fmt.Sprint(c.Medium), fmt.Sprint(c.Low), fmt.Sprint(c.Matches)); err != nil {
				return err
			}
		}
		if err := t.Render(); err != nil {
			return err
		}
		fmt.Fprintln(w)
		t = newTable(w, "gdpr class", "locations", "high", "medium", "low")
		for _, id := range sortedKeys(inv.Totals.ByClass) {
			c := inv.Totals.ByClass[id]
			if id == "none" {
				continue
			}
			if err := t.Append(id, fmt.Sprint(c.Locations), fmt.Sprint(c.High), fmt.Sprint(c.Medium), fmt.Sprint(c.Low)); err != nil {
				return err
			}
		}
		if err := t.Render(); err != nil {
			return err
		}
	}

	if tables := sampledTables(inv); len(tables) > 0 {
		fmt.Fprintf(w, "\nRows read per table:\n")
		for i, c := range tables {
			if i == 20 {
				fmt.Fprintf(w, "  … and %d more tables (see --format json)\n", len(tables)-20)
				break
			}
			fmt.Fprintf(w, "  %s: %d rows, %s%s\n", oneLine(c.Name), c.Rows, c.Sampling, paceText(c.Pace))
		}
		for _, s := range inv.Stores {
			if line := storePace(s); line != "" {
				fmt.Fprintf(w, "%s: %s\n", oneLine(s.Location), line)
			}
		}
	}
	if len(inv.Errors) > 0 {
		fmt.Fprintf(w, "\n%s (the scan went on):\n", Count(len(inv.Errors), "error"))
		for _, e := range inv.Errors {
			fmt.Fprintf(w, "  %s: %s\n", oneLine(errorPlace(e)), oneLine(e.Message))
		}
	}
	if len(inv.Skipped) > 0 {
		fmt.Fprintf(w, "\n%d skipped:\n", len(inv.Skipped))
		for _, s := range inv.Skipped {
			fmt.Fprintf(w, "  %s: %s\n", oneLine(s.Container), oneLine(s.Reason))
		}
	}
	return nil
}

func errorPlace(e inventory.Error) string {
	if e.Container != "" {
		return e.Container
	}
	return e.Store
}

func newTable(w io.Writer, header ...string) *tablewriter.Table {
	t := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNormal),
		tablewriter.WithRowMaxWidth(columnMax+2),
	)
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = strings.ToUpper(h)
	}
	t.Header(cells...)
	return t
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// sampledTables lists the containers that were read as tables.
func sampledTables(inv *inventory.Inventory) []inventory.Container {
	var out []inventory.Container
	for _, s := range inv.Stores {
		for _, c := range s.Containers {
			if c.Sampling != "" {
				out = append(out, c)
			}
		}
	}
	return out
}

// paceText is a table's pace for its line: ", read in 2.6 s, datakart
// busy 36%".
func paceText(p *inventory.Pace) string {
	if p == nil {
		return ""
	}
	return fmt.Sprintf(", read in %s, datakart busy %.0f%%", seconds(p.ReadSeconds), p.BusyShare()*100)
}

// paceLimit is the busy share from which datakart, not the database, is
// said to have set the pace.
const paceLimit = 0.9

// storePace says what set the pace of reading a database's tables, or ""
// for a store with no pace (files).
func storePace(s inventory.Store) string {
	var p inventory.Pace
	for _, c := range s.Containers {
		if c.Pace != nil {
			p.ReadSeconds += c.Pace.ReadSeconds
			p.BusySeconds += c.Pace.BusySeconds
		}
	}
	if p.ReadSeconds == 0 {
		return ""
	}
	who := "the database and its driver set the pace, not datakart's detectors"
	if p.BusyShare() >= paceLimit {
		who = "datakart's detectors set the pace"
	}
	return fmt.Sprintf("its tables were read in %s, and datakart was busy %.0f%% of that time: %s", seconds(p.ReadSeconds), p.BusyShare()*100, who)
}

// seconds writes a duration in seconds for people: "under 1 ms", "40 ms",
// "2.6 s", "73 s".
func seconds(s float64) string {
	switch {
	case s < 0.0005:
		return "under 1 ms"
	case s < 1:
		return fmt.Sprintf("%.0f ms", s*1000)
	case s < 10:
		return fmt.Sprintf("%.1f s", s)
	}
	return fmt.Sprintf("%.0f s", s)
}

// Count writes n and the noun, plural unless n is 1: "1 store", "13 containers".
func Count(n int, noun string) string { return fmt.Sprintf("%d %s", n, plural(n, noun)) }

func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// note writes a line of prose under a table, wrapped to the terminal's
// width where there is one (width > 0); into a file or a pipe it stays one
// line, as grep finds it.
func note(w io.Writer, width int, text string) {
	if width <= 0 {
		fmt.Fprintln(w, text)
		return
	}
	lines, _ := twwarp.WrapString(text, width)
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
}

// columnMax is the most characters a column of a table not drawn for a
// terminal is wide.
const columnMax = 46

// fitColumns returns the widths of a table's columns, in characters
// without padding: the width of their widest line, at most columnMax when
// width is 0. Where the table must fit in width characters and that is too
// wide, each column keeps its header and words of up to 20 characters
// whole, and the room left is shared in proportion to what each column
// would need more: the long paths and explanations get most of it. fits
// is false when width is too narrow for that.
func fitColumns(header []string, rows [][]string, width int) (widths []int, fits bool) {
	widths = make([]int, len(header))
	least := make([]int, len(header))
	for i, h := range header {
		widths[i] = twwidth.Width(h)
		least[i] = widths[i]
	}
	for _, row := range rows {
		for i, c := range row {
			for line := range strings.SplitSeq(c, "\n") {
				widths[i] = max(widths[i], twwidth.Width(line))
				for word := range strings.SplitSeq(line, " ") {
					least[i] = max(least[i], min(twwidth.Width(word), 20))
				}
			}
		}
	}
	if width <= 0 {
		for i := range widths {
			widths[i] = min(widths[i], columnMax)
		}
		return widths, true
	}
	// Each column has a space on either side and a border after it; the
	// table has one more border before the first.
	room := width - 3*len(widths) - 1
	if sum(widths) <= room {
		return widths, true
	}
	if sum(least) > room {
		return nil, false
	}
	more := make([]int, len(widths))
	for i := range widths {
		more[i] = widths[i] - least[i]
	}
	spare, total := room-sum(least), sum(more)
	for i := range widths {
		widths[i] = least[i] + more[i]*spare/total
	}
	return widths, true
}

// findingList writes the findings table's rows as a list, for a terminal
// too narrow for the table: the location on a line of its own, then what
// was found there and why, indented and wrapped to width.
//
//	hr/payroll.csv → fødselsnummer
//	  no_fnr (d_number 4): high, 50 matches, e.g. ******-***45 ******-***12
//	  50 of 50 non-empty values hold a valid no_fnr (50 distinct); …
func findingList(w io.Writer, rows [][]string, width int) {
	last := ""
	for _, r := range rows {
		location, category, confidence, matches, examples, why := r[0], r[1], r[2], r[3], r[4], r[5]
		if location != last {
			for _, line := range wrapWords(location, width) {
				fmt.Fprintln(w, line)
			}
			last = location
		}
		found := fmt.Sprintf("%s: %s, %s matches", category, confidence, matches)
		if examples != "" {
			found += ", e.g. " + examples
		}
		for _, text := range []string{found, why} {
			lines, _ := twwarp.WrapString(text, max(width-4, 20))
			for k, line := range lines {
				indent := "  "
				if k > 0 {
					indent = "    "
				}
				fmt.Fprintln(w, indent+line)
			}
		}
	}
}

func sum(ns []int) int {
	total := 0
	for _, n := range ns {
		total += n
	}
	return total
}

// paddedWidths turns column widths into tablewriter's, which count the
// space on either side.
func paddedWidths(widths []int) tw.Mapper[int, int] {
	m := tw.NewMapper[int, int]()
	for i, w := range widths {
		m.Set(i, w+2)
	}
	return m
}

// breakWords breaks the words of s that are wider than width into lines,
// after a '/', '!', '.' or another mark that ends a part of a path where
// one does, else where the width ends: tablewriter wraps text at spaces
// only, and cuts off a word longer than a column of fixed width. A long
// path in an archive or an XML document is a long word.
func breakWords(s string, width int) string {
	if width <= 0 || twwidth.Width(s) <= width {
		return s
	}
	var b strings.Builder
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		for j, word := range strings.Split(line, " ") {
			if j > 0 {
				b.WriteByte(' ')
			}
			breakWord(&b, word, width)
		}
	}
	return b.String()
}

// wrapWords fills lines of at most width characters with the words of s,
// breaking a word wider than that as breakWords does: a location in the
// list of findings, a path and a field's path with spaces between.
func wrapWords(s string, width int) []string {
	if width <= 0 || twwidth.Width(s) <= width {
		return []string{s}
	}
	var lines []string
	line := ""
	for _, word := range strings.Split(s, " ") {
		for k, part := range strings.Split(breakWords(word, width), "\n") {
			sep := " "
			if k > 0 || line == "" {
				sep = "" // the rest of a broken word, or the first on the line
			}
			if line != "" && twwidth.Width(line+sep+part) > width {
				lines = append(lines, line)
				line, sep = "", ""
			}
			line += sep + part
		}
	}
	return append(lines, line)
}

// breakWord writes word to b, in lines of at most width characters. Each
// line costs the measure of itself alone, so a path of many thousand
// characters is broken in as many steps.
func breakWord(b *strings.Builder, word string, width int) {
	for {
		// A character is a rune at least: width runes at most fit.
		end := 0
		for n := 0; end < len(word) && n < width; n++ {
			_, size := utf8.DecodeRuneInString(word[end:])
			end += size
		}
		for twwidth.Width(word[:end]) > width {
			_, size := utf8.DecodeLastRuneInString(word[:end])
			if size == end {
				break // one character wider than the column: it has a line of its own
			}
			end -= size
		}
		if end == len(word) {
			b.WriteString(word)
			return
		}
		if mark := strings.LastIndexAny(word[:end], pathMarks); mark >= 0 {
			end = mark + 1
		}
		b.WriteString(word[:end])
		b.WriteByte('\n')
		word = word[end:]
	}
}

// pathMarks end the parts of a path, a file name or a field's name: a
// long one is broken after one of them.
const pathMarks = "/!._-,:;\\&?=)]}"
