package files

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"datakart/connectors"
	"datakart/connectors/jsonvalues"
)

func jsonValid(b []byte) bool { return json.Valid(b) }

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
	var long *jsonvalues.TooLongError
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.As(err, &long):
		// Nothing is lost: the value, from its first byte, and the rest
		// of the file are read as text.
		sink.PartError(fmt.Errorf("json: the value from line %d is longer than %d MiB; the rest of the file was read as text", long.Line, maxJSONToken>>20))
		return readText(ctx, long.Rest, long.Line, sink)
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
	bad, total := 0, 0
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
			if !json.Valid(t) {
				bad++
				if verr := sink.Value(connectors.Value{Data: t, Line: n}); verr != nil {
					return verr
				}
			} else if jerr := w.Walk(ctx, bytes.NewReader(t), emit); jerr != nil {
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
	if bad > 0 {
		return fmt.Errorf("%d of %d lines are not valid JSON (scanned as text)", bad, total)
	}
	return nil
}
