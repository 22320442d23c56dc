// Package jsonvalues walks a JSON document as a stream of tokens, never
// holding it whole, and hands on each string and number with its path:
// "$.customer.email", array elements folded as "[*]"
// ("$.orders[*].card"). Connectors use it for JSON files, NDJSON lines and
// JSON database columns, so a JSON path is a field everywhere.
package jsonvalues

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"datakart/internal/intern"
	"datakart/internal/tokenguard"
)

// Emit receives one scalar: its path, its text (valid only during the
// call) and whether it was a JSON number.
type Emit func(path string, data []byte, numeric bool) error

// Walker walks JSON documents; reuse one to keep its buffers.
type Walker struct {
	// MaxToken, if not 0, bounds one token in memory (the decoder holds a
	// string whole): Walk stops with a *StopError at a longer one.
	MaxToken int

	dec   *jsontext.Decoder
	read  int64 // the bytes of the input the last Walk took in tokens
	stack []frame
	// path is the current path, built in pathBuf when dirty and interned
	// in paths: a document repeats a few hundred paths millions of times.
	path    string
	dirty   bool
	pathBuf []byte
	paths   intern.Strings
	buf     []byte
	// seen has, by depth and by a key's place in its object, the last key
	// and path there: the objects of an NDJSON log or an array of records
	// repeat one shape, so a key and a path are most often the ones the
	// last object had in that place, told by comparing bytes instead of
	// hashing them into paths (two map lookups a value were a quarter of
	// reading a file of records).
	seen [][]seenKey
}

type seenKey struct{ key, path string }

type frame struct {
	array     bool
	key       string
	expectKey bool
	member    int // the keys of the object read so far
}

// seenAt returns the memory of the key at member of the object at depth,
// or nil past what is kept.
func (w *Walker) seenAt(depth, member int) *seenKey {
	const maxDepth, maxMembers = 32, 64
	if depth >= maxDepth || member >= maxMembers {
		return nil
	}
	for len(w.seen) <= depth {
		w.seen = append(w.seen, nil)
	}
	for len(w.seen[depth]) <= member {
		w.seen[depth] = append(w.seen[depth], seenKey{})
	}
	return &w.seen[depth][member]
}

// readOptions are how JSON is read, as encoding/json read it: a key
// twice, or bytes that are not UTF-8 in a string, are read, not an error
// (nothing after them would be read).
var readOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}

// Valid reports whether b is one JSON value as Walk reads it.
func Valid(b []byte) bool { return jsontext.Value(b).IsValid(readOptions...) }

// noInput is what a Walker's decoder reads between walks.
var noInput = strings.NewReader("")

func (w *Walker) currentPath() string {
	if !w.dirty {
		return w.path
	}
	b := append(w.pathBuf[:0], '$')
	for _, f := range w.stack {
		if f.array {
			b = append(b, "[*]"...)
		} else {
			b = append(append(b, '.'), f.key...)
		}
	}
	w.pathBuf = b
	w.dirty = false
	var last *string
	if top := w.top(); top != nil && !top.array {
		if seen := w.seenAt(len(w.stack), top.member); seen != nil {
			last = &seen.path
		}
	}
	w.path = w.intern(last, b)
	return w.path
}

// intern returns b as a string of w.paths: *last when that is the same,
// else the one w.paths has, which *last then remembers. last may be nil.
func (w *Walker) intern(last *string, b []byte) string {
	if last != nil && *last == string(b) {
		return *last
	}
	s := w.paths.Of(b)
	if last != nil {
		*last = s
	}
	return s
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
//
// It reads tokens with jsontext (go-json-experiment, what became
// encoding/json/v2), which hands a string or number over as the bytes of
// its input: encoding/json's Token made an interface value and a string of
// each, and took two thirds of a JSON file's scan.
func (w *Walker) Walk(ctx context.Context, r io.Reader, emit Emit) error {
	var g *tokenguard.Guard
	if w.MaxToken > 0 {
		g = tokenguard.New(r, w.MaxToken)
		r = g
	}
	if w.dec == nil {
		w.dec = jsontext.NewDecoder(r, readOptions...)
	} else {
		w.dec.Reset(r, readOptions...)
	}
	dec := w.dec
	defer func() {
		w.read = dec.InputOffset()
		dec.Reset(noInput) // let go of r
	}()
	if g != nil {
		g.Offset = dec.InputOffset
	}
	w.stack = w.stack[:0]
	w.dirty = true
	for n := 0; ; n++ {
		if n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		switch dec.PeekKind() {
		case '{', '[':
			if len(w.stack) == MaxDepth {
				if g == nil {
					return ErrTooDeep
				}
				return &StopError{Rest: g.Rest(), Line: g.Line, Deep: true}
			}
			tok, err := dec.ReadToken()
			if err != nil {
				return w.failed(err, g)
			}
			w.stack = append(w.stack, frame{array: tok.Kind() == '[', expectKey: tok.Kind() == '{'})
			w.dirty = true
		case '}', ']':
			if _, err := dec.ReadToken(); err != nil {
				return w.failed(err, g)
			}
			if len(w.stack) > 0 {
				w.stack = w.stack[:len(w.stack)-1]
			}
			w.afterValue()
			w.dirty = true
		case '"':
			v, err := dec.ReadValue()
			if err != nil {
				return w.failed(err, g)
			}
			// Invalid UTF-8 is replaced, and said in an error that is
			// not one here.
			w.buf, _ = jsontext.AppendUnquote(w.buf[:0], v)
			if top := w.top(); top != nil && !top.array && top.expectKey {
				top.expectKey = false
				top.member++
				w.dirty = true
				if DataLike(w.buf) {
					// An object keyed by e-mail addresses or identity
					// numbers: the key is a value, and must not become a
					// field name that reports would print.
					top.key = "*"
					if err := emit(w.currentPath(), w.buf, false); err != nil {
						return err
					}
					continue
				}
				var last *string
				if seen := w.seenAt(len(w.stack), top.member); seen != nil {
					last = &seen.key
				}
				top.key = w.intern(last, w.buf)
				continue
			}
			if err := w.value(w.buf, false, emit); err != nil {
				return err
			}
		case '0':
			v, err := dec.ReadValue()
			if err != nil {
				return w.failed(err, g)
			}
			if err := w.value(v, true, emit); err != nil {
				return err
			}
		case 't', 'f', 'n':
			if _, err := dec.ReadToken(); err != nil {
				return w.failed(err, g)
			}
			w.afterValue()
		default: // the end, or an error, which the next read returns
			_, err := dec.ReadToken()
			if errors.Is(err, io.EOF) {
				if len(w.stack) > 0 {
					return io.ErrUnexpectedEOF
				}
				return nil
			}
			if err == nil {
				err = errors.New("json: unexpected token")
			}
			return w.failed(err, g)
		}
	}
}

// failed is the error Walk ends with on err from the decoder: a
// *StopError where the guard stopped a token too long.
func (w *Walker) failed(err error, g *tokenguard.Guard) error {
	if g != nil && errors.Is(err, tokenguard.ErrTooLong) {
		return &StopError{Rest: g.Rest(), Line: g.Line}
	}
	return err
}

// DataLike reports whether a name (an object key, a CSV header cell, an
// XML element) looks like data rather than a name: it holds an '@', a run
// of five or more digits, or is long. Such a name must not become a field
// name that reports would print.
func DataLike[T string | []byte](k T) bool {
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

func (w *Walker) value(data []byte, numeric bool, emit Emit) error {
	err := emit(w.currentPath(), data, numeric)
	w.afterValue()
	return err
}

// Read returns how many bytes of its input the last Walk read as whole
// tokens: where it failed on text that is not JSON, what it emitted came
// from before that offset, and the rest has not been seen.
func (w *Walker) Read() int64 { return w.read }
