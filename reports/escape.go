package reports

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// safeText wraps the writer of a format people read in a terminal (table,
// Markdown) so that what the scanned stores named does not reach the
// terminal as commands. A file or table name is the store owner's text:
// ESC and the C1 controls start sequences that recolour or clear the
// screen, set the window title or write the clipboard (OSC 52), and a
// carriage return overwrites what was printed. They are written as Go
// escapes instead ("\x1b", "\r", "\u009b"), as are bytes that are not
// UTF-8. Newlines pass: the formats themselves are made of lines.
func safeText(w io.Writer) io.Writer { return &escaper{w: w} }

// oneLine writes the newlines in a name as "\n", where a line of a text
// format holds it: a name must not start a line of its own ("datakart
// check: passed").
func oneLine(s string) string { return strings.ReplaceAll(s, "\n", `\n`) }

type escaper struct {
	w   io.Writer
	buf []byte
}

func (e *escaper) Write(p []byte) (int, error) {
	clean := true
	for _, c := range p {
		if (c < 0x20 && c != '\n') || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return e.w.Write(p)
	}
	e.buf = e.buf[:0]
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRune(p[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			e.buf = fmt.Appendf(e.buf, `\x%02x`, p[i])
		case r == '\t':
			e.buf = append(e.buf, `\t`...)
		case r == '\r':
			e.buf = append(e.buf, `\r`...)
		case r < 0x20 && r != '\n', r == 0x7f:
			e.buf = fmt.Appendf(e.buf, `\x%02x`, r)
		case r >= 0x80 && r < 0xa0:
			e.buf = fmt.Appendf(e.buf, `\u%04x`, r)
		default:
			e.buf = append(e.buf, p[i:i+size]...)
		}
		i += size
	}
	if _, err := e.w.Write(e.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}
