package files

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"datakart/connectors"
)

func jsonValid(b []byte) bool { return json.Valid(b) }

// jsonWalker streams a JSON document with the tokenizer, never holding it
// whole, and hands each string and number to the sink as a value of its
// path: "$.customer.email", arrays folded as "[*]".
type jsonWalker struct {
	sink  connectors.Sink
	stack []jsonFrame
	path  string // the path of the current value, rebuilt when the stack changes
	dirty bool
	buf   []byte
	line  int
}

type jsonFrame struct {
	array     bool
	key       string
	expectKey bool
}

func (w *jsonWalker) currentPath() string {
	if !w.dirty {
		return w.path
	}
	var b strings.Builder
	b.WriteByte('$')
	for _, f := range w.stack {
		if f.array {
			b.WriteString("[*]")
		} else {
			b.WriteByte('.')
			b.WriteString(f.key)
		}
	}
	w.path, w.dirty = b.String(), false
	return w.path
}

// walk reads one JSON document (or a stream of them) from dec.
func (w *jsonWalker) walk(ctx context.Context, dec *json.Decoder) error {
	dec.UseNumber()
	w.stack = w.stack[:0]
	w.dirty = true
	for n := 0; ; n++ {
		if n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if len(w.stack) > 0 {
				return io.ErrUnexpectedEOF // a truncated document
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				w.stack = append(w.stack, jsonFrame{expectKey: true})
			case '[':
				w.stack = append(w.stack, jsonFrame{array: true})
			default:
				if len(w.stack) > 0 {
					w.stack = w.stack[:len(w.stack)-1]
				}
				w.afterValue()
			}
			w.dirty = true
		case string:
			if top := w.top(); top != nil && !top.array && top.expectKey {
				top.key, top.expectKey = v, false
				w.dirty = true
				continue
			}
			if err := w.value(v, false); err != nil {
				return err
			}
		case json.Number:
			if err := w.value(string(v), true); err != nil {
				return err
			}
		default: // bool, null
			w.afterValue()
		}
	}
}

func (w *jsonWalker) top() *jsonFrame {
	if len(w.stack) == 0 {
		return nil
	}
	return &w.stack[len(w.stack)-1]
}

func (w *jsonWalker) afterValue() {
	if top := w.top(); top != nil && !top.array {
		top.expectKey = true
	}
}

func (w *jsonWalker) value(s string, numeric bool) error {
	w.buf = append(w.buf[:0], s...)
	err := w.sink.Value(connectors.Value{Field: w.currentPath(), Data: w.buf, Line: w.line, Numeric: numeric})
	w.afterValue()
	return err
}

// readJSON walks a JSON document.
func readJSON(ctx context.Context, r io.Reader, sink connectors.Sink) error {
	w := &jsonWalker{sink: sink}
	if err := w.walk(ctx, json.NewDecoder(r)); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("json: %w", err)
	}
	return nil
}

// maxJSONLine bounds one NDJSON line decoded as JSON; a longer line is
// scanned as text.
var maxJSONLine = 16 << 20

// readNDJSON walks one JSON document per line. A line that is not JSON is
// scanned as text (it may still hold personal data) and counted; the count
// is reported once at the end.
func readNDJSON(ctx context.Context, r io.Reader, sink connectors.Sink) error {
	br := bufio.NewReaderSize(r, 64<<10)
	w := &jsonWalker{sink: sink}
	var line []byte
	bad, total, n := 0, 0, 0
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
		if t := bytes.TrimSpace(line); len(t) > 0 {
			n++
			total++
			w.line = n
			if !json.Valid(t) {
				bad++
				if verr := sink.Value(connectors.Value{Data: t, Line: n}); verr != nil {
					return verr
				}
			} else if jerr := w.walk(ctx, json.NewDecoder(bytes.NewReader(t))); jerr != nil {
				return jerr
			}
		} else if len(line) > 0 {
			n++
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
