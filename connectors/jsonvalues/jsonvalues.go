// Package jsonvalues walks a JSON document as a stream of tokens, never
// holding it whole, and hands on each string and number with its path:
// "$.customer.email", array elements folded as "[*]"
// ("$.orders[*].card"). Connectors use it for JSON files, NDJSON lines and
// JSON database columns, so a JSON path is a field everywhere.
package jsonvalues

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"datakart/internal/tokenguard"
)

// Emit receives one scalar: its path, its text (valid only during the
// call) and whether it was a JSON number.
type Emit func(path string, data []byte, numeric bool) error

// Walker walks JSON documents; reuse one to keep its buffers.
type Walker struct {
	// MaxToken, if not 0, bounds one token in memory (encoding/json holds
	// a string whole): Walk stops with a *StopError at a longer one.
	MaxToken int

	stack []frame
	path  string
	dirty bool
	buf   []byte
}

type frame struct {
	array     bool
	key       string
	expectKey bool
}

func (w *Walker) currentPath() string {
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

// MaxDepth bounds the nesting Walk follows: each level costs memory (the
// path, the decoder's stack), and a file of nothing but '[' would
// otherwise take gigabytes. Real documents nest a few dozen levels.
const MaxDepth = 256

// ErrTooDeep is Walk's error at nesting deeper than MaxDepth when it
// cannot say where the rest of the input starts (no MaxToken).
var ErrTooDeep = fmt.Errorf("json: nested deeper than %d levels", MaxDepth)

// StopError is Walk's error where it stops before the end of the input to
// keep memory bounded, when MaxToken is set: at a token longer than it, or
// at nesting deeper than MaxDepth. Rest reads the input from there (the
// long token from its first byte); Line is the line it starts on.
type StopError struct {
	Rest io.Reader
	Line int
	Deep bool // nesting, not a long token
}

func (e *StopError) Error() string {
	if e.Deep {
		return fmt.Sprintf("json: nested deeper than %d levels at line %d", MaxDepth, e.Line)
	}
	return fmt.Sprintf("json: the value from line %d is too long to decode", e.Line)
}

// Walk reads JSON values from r until its end and emits every scalar. A
// document cut short is io.ErrUnexpectedEOF; what was emitted before stays
// emitted.
func (w *Walker) Walk(ctx context.Context, r io.Reader, emit Emit) error {
	var g *tokenguard.Guard
	if w.MaxToken > 0 {
		g = tokenguard.New(r, w.MaxToken)
		r = g
	}
	dec := json.NewDecoder(r)
	if g != nil {
		g.Offset = dec.InputOffset
	}
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
				return io.ErrUnexpectedEOF
			}
			return nil
		}
		if g != nil && errors.Is(err, tokenguard.ErrTooLong) {
			return &StopError{Rest: g.Rest(), Line: g.Line}
		}
		if err != nil {
			return err
		}
		switch v := tok.(type) {
		case json.Delim:
			if (v == '{' || v == '[') && len(w.stack) == MaxDepth {
				if g == nil {
					return ErrTooDeep
				}
				return &StopError{Rest: g.Rest(), Line: g.Line, Deep: true}
			}
			switch v {
			case '{':
				w.stack = append(w.stack, frame{expectKey: true})
			case '[':
				w.stack = append(w.stack, frame{array: true})
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
				if dataLike(v) {
					// An object keyed by e-mail addresses or identity
					// numbers: the key is a value, and must not become a
					// field name that reports would print.
					top.key = "*"
					if err := w.key(v, emit); err != nil {
						return err
					}
				}
				w.dirty = true
				continue
			}
			if err := w.value(v, false, emit); err != nil {
				return err
			}
		case json.Number:
			if err := w.value(string(v), true, emit); err != nil {
				return err
			}
		default: // bool, null
			w.afterValue()
		}
	}
}

// key emits an object key that holds data as a value of the object's path.
func (w *Walker) key(k string, emit Emit) error {
	w.dirty = true
	w.buf = append(w.buf[:0], k...)
	return emit(w.currentPath(), w.buf, false)
}

// dataLike reports whether an object key looks like data rather than a
// name: it holds an '@', a run of five or more digits, or is long.
func dataLike(k string) bool {
	if len(k) > 64 {
		return true
	}
	run := 0
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c == '@' {
			return true
		}
		if c >= '0' && c <= '9' {
			if run++; run >= 5 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

func (w *Walker) top() *frame {
	if len(w.stack) == 0 {
		return nil
	}
	return &w.stack[len(w.stack)-1]
}

func (w *Walker) afterValue() {
	if top := w.top(); top != nil && !top.array {
		top.expectKey = true
	}
}

func (w *Walker) value(s string, numeric bool, emit Emit) error {
	w.buf = append(w.buf[:0], s...)
	err := emit(w.currentPath(), w.buf, numeric)
	w.afterValue()
	return err
}
