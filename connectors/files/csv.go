package files

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"datakart/connectors"
	"datakart/connectors/jsonvalues"
	"datakart/internal/tokenguard"
)

// readCSV hands each cell of a delimited file to the sink as a value of
// the field named by its column header.
func readCSV(ctx context.Context, r io.Reader, head []byte, kind string, sink connectors.Sink) error {
	g := tokenguard.New(r, maxRecordBytes)
	cr := csv.NewReader(g)
	// Where the last whole record ended. (The csv reader's InputOffset
	// moves line by line, also inside a record that spans lines.)
	var done int64
	g.Offset = func() int64 { return done }
	err := readRecords(ctx, cr, head, kind, sink, func() { done = cr.InputOffset() })
	if !errors.Is(err, tokenguard.ErrTooLong) {
		return err
	}
	// Nothing is lost: the record, from its first byte, and the rest of
	// the file are read as text.
	sink.PartError(fmt.Errorf("csv: the record from line %d is longer than %d MiB (a quote never closed?); the rest of the file was read as text", g.Line, maxRecordBytes>>20))
	return readText(ctx, g.Rest(), g.Line, sink)
}

// maxRecordBytes bounds one CSV record in memory. A record grows without
// end when a quote is never closed (the rest of the file is one field, as
// LazyQuotes reads it) or a line is huge.
var maxRecordBytes = 4 << 20

// readRecords hands each cell of the csv reader's records to the sink,
// and calls read after each record it read whole.
func readRecords(ctx context.Context, cr *csv.Reader, head []byte, kind string, sink connectors.Sink, read func()) error {
	cr.Comma = delimiter(head, kind)
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("csv header: %w", err)
	}
	read()
	names := make([]string, len(header))
	seen := map[string]int{}
	// A file without a header row: its first row is data, and data must
	// not become field names that reports would print.
	headerless := false
	for _, h := range header {
		headerless = headerless || jsonvalues.DataLike(h)
	}
	var firstRow []string
	if headerless {
		firstRow = append([]string(nil), header...)
	}
	for i, h := range header {
		if headerless {
			h = ""
		}
		h = string(bytes.TrimSpace(bytes.TrimPrefix([]byte(h), []byte("\xef\xbb\xbf"))))
		if h == "" {
			h = fmt.Sprintf("column_%d", i+1)
		}
		if n := seen[h]; n > 0 {
			h = fmt.Sprintf("%s_%d", h, n+1)
		}
		seen[h]++
		names[i] = h
	}
	sink.Fields(names...)
	var buf []byte
	if headerless {
		for i, cell := range firstRow {
			buf = append(buf[:0], cell...)
			if err := sink.Value(connectors.Value{Field: names[i], Data: buf, Line: 1}); err != nil {
				return err
			}
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("csv: %w", err)
		}
		read()
		for i, cell := range rec {
			for i >= len(names) {
				// A row longer than the header: its extra cells are
				// columns of their own.
				names = append(names, fmt.Sprintf("column_%d", len(names)+1))
			}
			field := names[i]
			line, _ := cr.FieldPos(i)
			buf = append(buf[:0], cell...)
			if err := sink.Value(connectors.Value{Field: field, Data: buf, Line: line}); err != nil {
				return err
			}
		}
	}
}

// delimiter picks the delimiter the header line uses most.
func delimiter(head []byte, kind string) rune {
	if kind == "tsv" {
		return '\t'
	}
	first := head
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		first = head[:i]
	}
	best, bestN := ',', 0
	for _, c := range []rune{',', ';', '\t', '|'} {
		if n := bytes.Count(first, []byte(string(c))); n > bestN {
			best, bestN = c, n
		}
	}
	return best
}
