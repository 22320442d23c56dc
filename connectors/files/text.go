package files

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"unicode/utf8"

	"datakart/connectors"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// textReader returns a reader of r as UTF-8: a UTF-8 BOM is dropped,
// UTF-16 (with a BOM, or without one when every other byte is NUL) is
// transcoded, and text that is not valid UTF-8 is read as ISO-8859-1 so
// that 'æøå' survive. ok is false for binary content.
func textReader(r *bufio.Reader, head []byte) (io.Reader, bool) {
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		r.Discard(3)
		return r, true
	case bytes.HasPrefix(head, []byte("\xff\xfe")), bytes.HasPrefix(head, []byte("\xfe\xff")):
		return transform.NewReader(r, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()), true
	}
	if le, be := utf16NoBOM(head); le || be {
		order := unicode.LittleEndian
		if be {
			order = unicode.BigEndian
		}
		return transform.NewReader(r, unicode.UTF16(order, unicode.IgnoreBOM).NewDecoder()), true
	}
	if looksBinary(head) {
		return nil, false
	}
	if !validUTF8Prefix(head) {
		return charmap.ISO8859_1.NewDecoder().Reader(r), true
	}
	return r, true
}

// utf16NoBOM detects UTF-16 text without a BOM: mostly ASCII, so every
// other byte is NUL.
func utf16NoBOM(head []byte) (le, be bool) {
	n := len(head) &^ 1
	if n < 16 {
		return false, false
	}
	var evenNUL, oddNUL int
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			evenNUL++
		}
		if head[i+1] == 0 {
			oddNUL++
		}
	}
	half := n / 2
	return oddNUL > half*9/10 && evenNUL < half/10, evenNUL > half*9/10 && oddNUL < half/10
}

// looksBinary is true when the head has a NUL byte outside the gaps
// withoutNULGaps drops (or nothing but such gaps, or no line end between
// them), or more than 30% control bytes (other than tab, newline,
// carriage return, form feed, escape).
func looksBinary(head []byte) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		text, ok := withoutNULGaps(head)
		if !ok || bytes.IndexByte(text, '\n') < 0 {
			return true
		}
		head = text
	}
	ctl := 0
	for _, c := range head {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b {
			ctl++
		}
	}
	return len(head) > 0 && ctl*10 > len(head)*3
}

// nulGap is the shortest run of NUL bytes inside a text that is taken for
// a gap in it, not for binary data: what a log preallocated on disk, or
// one whose writer crashed, holds between its lines, and a sparse file's
// holes, which are whole pages.
const nulGap = 512

// withoutNULGaps returns head without its runs of NUL bytes of nulGap or
// more and the run that ends it, however short (the window ends there, or
// the file does): a log with a preallocated tail was skipped whole as
// binary, its lines unread. It reports false where another NUL is left,
// as in binary data and UTF-32.
func withoutNULGaps(head []byte) ([]byte, bool) {
	var text []byte
	for len(head) > 0 {
		z := bytes.IndexByte(head, 0)
		if z < 0 {
			return append(text, head...), true
		}
		text = append(text, head[:z]...)
		run := len(head[z:]) - len(bytes.TrimLeft(head[z:], "\x00"))
		if run < nulGap && z+run < len(head) {
			return nil, false
		}
		head = head[z+run:]
	}
	return text, true
}

// validUTF8Prefix reports whether head is valid UTF-8, allowing the last
// rune to be cut by the sniff window.
func validUTF8Prefix(head []byte) bool {
	for i := 0; i < 3 && len(head) > 0; i++ {
		if utf8.Valid(head) {
			return true
		}
		head = head[:len(head)-1]
	}
	return utf8.Valid(head)
}

// Sizes for reading text: values handed to the scanner are batches of
// whole lines up to batchSize; a line longer than that is handed in pieces
// cut at white space where possible.
var (
	batchSize = 64 << 10
	readSize  = 64 << 10
)

// readText hands the text of r, whose first line is line, to the sink in
// batches of whole lines, streaming: memory stays flat however large the
// file or a line is. It reads large blocks and finds the line ends in
// them, rather than reading line by line, which on short lines cost a
// tenth of the scan.
func readText(ctx context.Context, r io.Reader, line int, sink connectors.Sink) error {
	_, err := readTextInto(ctx, r, line, sink, nil)
	return err
}

// readTextInto is readText with the buffer buf, made when it is too small,
// and returns it, for the next text (see decoder.text).
func readTextInto(ctx context.Context, r io.Reader, line int, sink connectors.Sink, buf []byte) ([]byte, error) {
	if cap(buf) < batchSize+readSize {
		buf = make([]byte, 0, batchSize+readSize)
	}
	buf = buf[:0]
	// flush hands buf[:n] on and keeps the rest for the next batch.
	flush := func(n int) error {
		if n <= 0 {
			return nil
		}
		err := sink.Value(connectors.Value{Data: buf[:n], Line: line})
		line += bytes.Count(buf[:n], []byte{'\n'})
		buf = buf[:copy(buf, buf[n:])]
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return buf, err
		}
		n, err := r.Read(buf[len(buf):min(cap(buf), len(buf)+readSize)])
		buf = buf[:len(buf)+n]
		// A batch is the lines up to the first that reaches batchSize. A
		// line that does not end within readSize more goes on in pieces,
		// cut where no value can straddle the cut.
		for len(buf) >= batchSize {
			cut := bytes.IndexByte(buf[batchSize-1:], '\n') + batchSize
			if cut < batchSize {
				if len(buf) < cap(buf) && err == nil {
					break // read on to the end of the line
				}
				cut = safeCut(buf[:batchSize])
			}
			if ferr := flush(cut); ferr != nil {
				return buf, ferr
			}
		}
		if err != nil {
			ferr := flush(len(buf))
			if errors.Is(err, io.EOF) {
				return buf, ferr
			}
			return buf, err
		}
	}
}

// safeCut returns where to cut a batch inside a long line: after the last
// white space that does not stand between two digits ("010190 12345"), in
// the last 4 KiB; else the whole batch, less a rune it would cut in two
// (the sink's values are UTF-8).
func safeCut(b []byte) int {
	for i := len(b) - 1; i > 0 && i > len(b)-4096; i-- {
		if c := b[i]; c == ' ' || c == '\t' || c == '\r' {
			if i+1 < len(b) && isDigit(b[i-1]) && isDigit(b[i+1]) {
				continue
			}
			return i + 1
		}
	}
	for i := len(b) - 1; i > 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return i
			}
			break
		}
	}
	return len(b)
}

func isDigit(c byte) bool { return c-'0' < 10 }
