package parquetchild

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/parquet-go/parquet-go"
)

type benchRow struct {
	ID     int64   `parquet:"id"`
	Name   string  `parquet:"name"`
	Fnr    string  `parquet:"fnr"`
	Email  string  `parquet:"email"`
	Mobile int64   `parquet:"mobile"`
	Note   string  `parquet:"note"`
	Amount float64 `parquet:"amount"`
}

// BenchmarkRead reads a customer table of 200,000 rows, snappy
// compressed, into frames, as the child does: the MB/s are of the file.
func BenchmarkRead(b *testing.B) {
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[benchRow](&buf, parquet.Compression(&parquet.Snappy))
	for i := range 200000 {
		w.Write([]benchRow{{int64(i), fmt.Sprintf("Kunde %d Hansen", i), "10048744732", fmt.Sprintf("kunde%d@firma.no", i),
			90000000 + int64(i), fmt.Sprintf("levert %d enheter til lager %d", i, i%40), float64(i) * 1.5}})
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if c := read(bytes.NewReader(data), int64(len(data)), bufio.NewWriter(io.Discard)); c != CodeOK {
			b.Fatal(c)
		}
	}
	b.ReportMetric(7*200000*float64(b.N)/b.Elapsed().Seconds(), "values/s")
}
