package files

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"datakart/connectors"
	"datakart/connectors/jsonvalues"
)

// emitTo hands JSON scalars to the sink as values of their path.
func emitTo(sink connectors.Sink, line *int) jsonvalues.Emit {
	return func(path string, data []byte, numeric bool) error {
		return sink.Value(connectors.Value{Field: path, Data: data, Line: *line, Numeric: numeric})
	}
}

// maxJSONToken bounds one JSON token (a string) in memory; from a longer
// one the file is read as text.
var maxJSONToken = 4 << 20

// readJSON walks a JSON document.
func readJSON(ctx context.Context, r io.Reader, sink connectors.Sink) error {
	w := jsonvalues.Walker{MaxToken: maxJSONToken}
	line := 0
	err := w.Walk(ctx, r, emitTo(sink, &line))
	var stop *jsonvalues.StopError
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.As(err, &stop):
		// Nothing is lost: the long value, from its first byte, or what
		// is nested too deep, and the rest of the file are read as text.
		what := fmt.Sprintf("the value from line %d is longer than %d MiB", stop.Line, maxJSONToken>>20)
		if stop.Deep {
			what = fmt.Sprintf("at line %d it nests deeper than %d levels", stop.Line, jsonvalues.MaxDepth)
		}
		sink.PartError(fmt.Errorf("json: %s; the rest of the file was read as text", what))
		return readText(ctx, stop.Rest, stop.Line, sink)
	}
	return fmt.Errorf("json: %w", err)
}

// maxJSONLine bounds one NDJSON line decoded as JSON; a longer line is
// scanned as text.
var maxJSONLine = 16 << 20

// readNDJSON walks one JSON document per line. A line that is not JSON is
// scanned as text (it may still hold personal data) and counted; the count
// is reported once at the end.
func readNDJSON(ctx context.Context, r io.Reader, sink connectors.Sink) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var w jsonvalues.Walker
	n := 0
	emit := emitTo(sink, &n)
	var line []byte
	bad, deep, total := 0, 0, 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) <= maxJSONLine {
			line = append(line, chunk...)
		} else if len(line) > 0 || len(chunk) > 0 {
			// Too long to decode: scan what is held as text and go on.
			if verr := sink.Value(connectors.Value{Data: append(line, chunk...), Line: n + 1}); verr != nil {
				return verr
			}
			line = line[:0]
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if len(line) > 0 {
			n++
		}
		if t := bytes.TrimSpace(line); len(t) > 0 {
			total++
			if !jsonvalues.Valid(t) {
				bad++
				if verr := sink.Value(connectors.Value{Data: t, Line: n}); verr != nil {
					return verr
				}
			} else if jerr := w.Walk(ctx, bytes.NewReader(t), emit); errors.Is(jerr, jsonvalues.ErrTooDeep) {
				deep++
				if verr := sink.Value(connectors.Value{Data: t, Line: n}); verr != nil {
					return verr
				}
			} else if jerr != nil {
				return jerr
			}
		}
		line = line[:0]
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return err
		}
	}
	var problems []string
	if bad > 0 {
		problems = append(problems, fmt.Sprintf("%d of %d lines are not valid JSON", bad, total))
	}
	if deep > 0 {
		problems = append(problems, fmt.Sprintf("%d of %d lines nest deeper than %d levels", deep, total, jsonvalues.MaxDepth))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s (scanned as text)", strings.Join(problems, "; "))
	}
	return nil
}
