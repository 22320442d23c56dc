package detectors_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"datakart/detectors"
	"datakart/internal/corpus"
	"datakart/rules"
)

// BenchmarkEngine runs every built-in detector over 4 MiB of realistic
// mixed text (prose, CSV exports, JSON and web-server logs); the MB/s it
// reports is the single-core detection speed.
func BenchmarkEngine(b *testing.B) {
	rs, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	text := corpus.MixedText(1, 4<<20)
	e := rs.Engine()
	matches := 0
	e.Scan(text, func(*detectors.Match) { matches++ }) // warm-up (phone metadata)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		e.Scan(text, func(*detectors.Match) {})
	}
	b.ReportMetric(float64(matches)/float64(len(text))*(1<<20), "matches/MiB")
}

// BenchmarkEngineNoPersonalData is the common case of bulk data with
// nothing to find: the prefilter must make it cheap.
func BenchmarkEngineNoPersonalData(b *testing.B) {
	rs, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	line := []byte("2024-11-01T08:00:00.000Z INFO [worker-3] job=118734 duration=120ms rows=5000 status=ok message=\"batch committed to ledger\"\n")
	var text []byte
	for len(text) < 4<<20 {
		text = append(text, line...)
	}
	e := rs.Engine()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		e.Scan(text, func(*detectors.Match) {})
	}
}

// BenchmarkEngineForeignPhones scans support notes with Swedish and Danish
// numbers, which libphonenumber's metadata decides: its own functions took
// 23 µs a number, and such text scanned at 2.5 MB/s.
func BenchmarkEngineForeignPhones(b *testing.B) {
	var text []byte
	for len(text) < 1<<20 {
		text = append(text, "kunde ringte fra +46 70 123 45 67 og +45 20 12 34 56 om ordre\n"...)
	}
	e := detectors.NewEngine(nil, detectors.Builtin()...)
	matches := 0
	e.Scan(text, func(*detectors.Match) { matches++ })
	if want := 2 * bytes.Count(text, []byte("\n")); matches != want {
		b.Fatalf("%d matches, want %d", matches, want)
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		e.Scan(text, func(*detectors.Match) {})
	}
}

// BenchmarkEngineCells scans the cells of a table one at a time, as a
// database scan does: a name, an e-mail, a mobile, a comment and a
// reference per row, a few dozen bytes each, so the cost of each call
// counts as much as the bytes. "pool" calls Engine.Scan, which takes its
// state from a pool each time; "scanner" keeps one Scanner, as the
// scanner does per table.
func BenchmarkEngineCells(b *testing.B) {
	rs, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	var cells [][]byte
	size := 0
	for g := range 20000 {
		row := []string{
			fmt.Sprintf("Kunde %d", g), fmt.Sprintf("kunde%d@online.no", g), fmt.Sprintf("9%07d", g%10000000),
			fmt.Sprintf("levert %d enheter til lager %d", g, g%40), fmt.Sprintf("REF-%d", g),
		}
		if g%100 == 0 {
			row[3] = "fnr 10048744732 oppgitt"
		}
		for _, c := range row {
			cells = append(cells, []byte(c))
			size += len(c)
		}
	}
	e := rs.Engine()
	for _, way := range []struct {
		name string
		scan func([]byte, func(*detectors.Match))
	}{{"pool", e.Scan}, {"scanner", e.NewScanner().Scan}} {
		b.Run(way.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				for _, c := range cells {
					way.scan(c, func(*detectors.Match) {})
				}
			}
			b.ReportMetric(float64(len(cells)/5)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkEngineWithout runs every built-in detector but one over the
// mixed text: the difference to BenchmarkEngine is what that detector
// costs. "validation" keeps every detector's triggers and filter of digit
// runs but validates nothing: what finding the candidates costs, the floor
// under BenchmarkEngine.
func BenchmarkEngineWithout(b *testing.B) {
	rs, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	words := map[string][]string{}
	for _, c := range rs.Categories() {
		words[c.ID] = rs.ContextWords(c.ID)
	}
	text := corpus.MixedText(1, 4<<20)
	all := detectors.Builtin()
	run := func(name string, ds []detectors.Detector) {
		e := detectors.NewEngine(words, ds...)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				e.Scan(text, func(*detectors.Match) {})
			}
		})
	}
	var candidates []detectors.Detector
	for _, d := range all {
		if f, ok := d.(runFilter); ok {
			candidates = append(candidates, filteredNoop{noop{d}, f})
		} else {
			candidates = append(candidates, noop{d})
		}
	}
	run("validation", candidates)
	run("all", all)
	for i, d := range all {
		run(d.Info().ID, append(slices.Clone(all[:i]), all[i+1:]...))
	}
}

type runFilter interface{ WantsRun(detectors.RunShape) bool }

// noop is a detector's triggers without its validation.
type noop struct{ d detectors.Detector }

func (n noop) Info() detectors.Info                                   { return n.d.Info() }
func (n noop) Triggers() detectors.Trigger                            { return n.d.Triggers() }
func (noop) Inspect([]byte, *detectors.Candidate, *detectors.Context) {}

// filteredNoop is noop with the detector's run filter.
type filteredNoop struct {
	noop
	runFilter
}

// BenchmarkEngineByLineKind scans the mixed text one kind of line at a
// time: where the time goes, by the kind of data. The mixed text is slower
// than the sum of its kinds, because interleaved kinds defeat the branch
// predictor.
func BenchmarkEngineByLineKind(b *testing.B) {
	rs, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	kinds := map[string][]byte{}
	for _, l := range bytes.SplitAfter(corpus.MixedText(1, 8<<20), []byte("\n")) {
		k := lineKind(l)
		kinds[k] = append(kinds[k], l...)
	}
	e := rs.Engine()
	for _, k := range []string{"prose", "applog", "weblog", "json", "support", "payroll", "payments"} {
		text := kinds[k]
		b.Run(k, func(b *testing.B) {
			matches := 0
			e.Scan(text, func(*detectors.Match) { matches++ })
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				e.Scan(text, func(*detectors.Match) {})
			}
			b.ReportMetric(float64(matches)/float64(len(text))*(1<<20), "matches/MiB")
		})
	}
}

// BenchmarkEngineGroupedByKind scans the lines of BenchmarkEngine's text,
// the same bytes, with the lines of each kind together, as a file share
// holds them (a payroll export is all payroll rows, a log all log lines).
// The difference to BenchmarkEngine is what the interleaving of kinds
// costs: the branches of the walk and of the detectors no longer follow a
// pattern the processor can learn.
func BenchmarkEngineGroupedByKind(b *testing.B) {
	rs, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.SplitAfter(corpus.MixedText(1, 4<<20), []byte("\n"))
	slices.SortStableFunc(lines, func(x, y []byte) int { return strings.Compare(lineKind(x), lineKind(y)) })
	text := bytes.Join(lines, nil)
	e := rs.Engine()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		e.Scan(text, func(*detectors.Match) {})
	}
}

// lineKind tells the kinds of line corpus.MixedText writes apart.
func lineKind(l []byte) string {
	switch {
	case bytes.HasPrefix(l, []byte("{")):
		return "json"
	case bytes.Contains(l, []byte(" INFO [worker")):
		return "applog"
	case bytes.Contains(l, []byte(" HTTP/1.1\"")):
		return "weblog"
	case bytes.HasPrefix(l, []byte("Sak #")):
		return "support"
	case bytes.Count(l, []byte(";")) >= 5:
		return "payroll"
	case bytes.HasPrefix(l, []byte("2024-")) && bytes.Count(l, []byte(",")) >= 5:
		return "payments"
	}
	return "prose"
}
