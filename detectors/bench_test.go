package detectors_test

import (
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
