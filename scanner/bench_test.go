package scanner

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"datakart/connectors"
	"datakart/connectors/files"
	"datakart/internal/corpus"
	"datakart/rules"
)

// BenchmarkSmallFiles scans a tree of 2,000 files of about 1 KiB of
// mixed text each, on one core: what a file costs besides its bytes (a
// share of office files and logs is mostly small files). Made for each
// file, the text buffers and the detectors' state were most of it.
func BenchmarkSmallFiles(b *testing.B) {
	rs, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	lines := bytes.SplitAfter(corpus.MixedText(1, 4<<20), []byte("\n"))
	size := 0
	for i := range 2000 {
		var f []byte
		for j := 0; len(f) < 1000; j++ {
			f = append(f, lines[(i*7+j)%len(lines)]...)
		}
		size += len(f)
		path := filepath.Join(dir, fmt.Sprintf("d%02d", i/100), fmt.Sprintf("f%04d.txt", i))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(path, f, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	src, err := files.New(dir, files.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		inv, err := Scan(context.Background(), rs, []connectors.Source{src}, Options{Concurrency: 1})
		if err != nil || len(inv.Stores[0].Containers) != 2000 {
			b.Fatalf("%v", err)
		}
	}
	b.ReportMetric(2000*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}
