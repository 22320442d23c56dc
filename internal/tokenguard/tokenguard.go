// Package tokenguard bounds the memory of a streaming parser that holds
// one record or token whole (encoding/csv's records, encoding/json's
// strings): a CSV quote never closed, or a JSON string of gigabytes,
// would otherwise be read into memory entire.
//
// A Guard stands between the input and the parser. It keeps the bytes it
// handed on since the end of the parser's last record or token, and fails
// a read once they pass Max, so that the caller can read that record, and
// the rest of the input, another way (as text).
package tokenguard

import (
	"bytes"
	"errors"
	"io"
)

// ErrTooLong is the error a Guard's Read returns once a record passes Max.
var ErrTooLong = errors.New("record too long")

// Guard is an io.Reader over R for a parser whose Offset says where its
// last record or token ended.
type Guard struct {
	R      io.Reader
	Offset func() int64 // the parser's InputOffset
	Max    int
	// Line is the line at the end of the last record: 1 plus the newlines
	// before it.
	Line int

	since   []byte // handed on since sinceAt
	sinceAt int64
}

// New returns a Guard over r; set Offset once the parser is made.
func New(r io.Reader, max int) *Guard { return &Guard{R: r, Max: max, Line: 1} }

func (g *Guard) Read(p []byte) (int, error) {
	g.sync()
	if len(g.since) > g.Max {
		return 0, ErrTooLong
	}
	n, err := g.R.Read(p)
	g.since = append(g.since, p[:n]...)
	return n, err
}

// sync forgets the bytes of the records the parser has finished.
func (g *Guard) sync() {
	if end := g.Offset(); end > g.sinceAt {
		done := g.since[:end-g.sinceAt]
		g.Line += bytes.Count(done, []byte{'\n'})
		g.since = g.since[:copy(g.since, g.since[len(done):])]
		g.sinceAt = end
	}
}

// Rest reads the input from the end of the parser's last record or token
// (so the record that was too long from its first byte) to its end.
func (g *Guard) Rest() io.Reader {
	g.sync()
	return io.MultiReader(bytes.NewReader(g.since), g.R)
}
