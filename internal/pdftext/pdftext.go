// Package pdftext is the child process that reads the text of one PDF
// for the file connector (see connectors/files/pdf.go): this same program,
// started with Env set to the bytes of memory it may use, reads the PDF on
// stdin and writes its text on stdout. It is apart from the connector
// because it shares nothing with it: the child reads no file, scans
// nothing, and must not grow what it does past reading one PDF.
//
// A child starts in about 18 ms, most of it the other packages' init
// functions, which Go runs before this one's (the phone number metadata
// alone takes 7 ms).
package pdftext

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/ledongthuc/pdf"
)

// Env names the variable that makes this program a PDF child; its value is
// the memory limit in bytes.
const Env = "DATAKART_PDF_CHILD"

// MaxBytes is the largest PDF a child reads; a larger one is refused with
// ExitTooLarge.
const MaxBytes = 64 << 20

// maxPages bounds the pages read; those past it are not.
const maxPages = 10000

// The child's exit codes; any other end is a crash.
const (
	ExitEncrypted = 10
	ExitMalformed = 11
	ExitTooLarge  = 12
)

func init() {
	if limit, err := strconv.ParseUint(os.Getenv(Env), 10, 64); err == nil {
		os.Exit(run(os.Stdin, os.Stdout, limit))
	}
}

// run writes the text of the PDF read from in to out, a line break
// after each page, using at most memory bytes, and returns the process's
// exit code.
func run(in io.Reader, out io.Writer, memory uint64) (code int) {
	if MemoryLimited {
		limitMemory(memory)
	}
	debug.SetMemoryLimit(int64(memory / 2)) // collect hard before the limit kills
	b, err := io.ReadAll(io.LimitReader(in, MaxBytes+1))
	if err != nil {
		return ExitMalformed
	}
	if len(b) > MaxBytes {
		return ExitTooLarge
	}
	w := bufio.NewWriter(out)
	defer func() {
		// The reader panics on some malformed input.
		if recover() != nil {
			code = ExitMalformed
		}
		if w.Flush() != nil && code == 0 {
			code = ExitMalformed
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	// A user password, or an encryption the reader does not know
	// ("unsupported PDF: encryption version V=5").
	if errors.Is(err, pdf.ErrInvalidPassword) || err != nil && strings.Contains(err.Error(), "encryption") {
		return ExitEncrypted
	}
	if err != nil {
		return ExitMalformed
	}
	for i := 1; i <= min(r.NumPage(), maxPages); i++ {
		pageText(r.Page(i), w)
		w.WriteByte('\n')
	}
	return 0
}

// pageText writes the text of page p, with a space where the text moves
// on along its line and a line break where it moves to another. The
// reader's own GetPlainText glues the runs of a line together, and
// "Konto:8601.11.17947" written as two runs became "Konto8601.11.17947",
// a number glued to a word, which no detector may take.
func pageText(p pdf.Page, w *bufio.Writer) {
	content := p.V.Key("Contents")
	if p.V.IsNull() || content.Kind() == pdf.Null {
		return
	}
	encoders := map[string]pdf.TextEncoding{} // by font resource name
	var enc pdf.TextEncoding
	show := func(raw string) {
		if enc == nil {
			w.WriteString(raw)
			return
		}
		w.WriteString(enc.Decode(raw))
	}
	var args []pdf.Value
	lineY := 0.0
	pdf.Interpret(content, func(stk *pdf.Stack, op string) {
		n := stk.Len()
		args = slices.Grow(args[:0], n)[:n]
		for i := n - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		switch op {
		case "BT", "T*":
			w.WriteByte('\n')
		case "Td", "TD":
			if len(args) == 2 && args[1].Float64() != 0 {
				w.WriteByte('\n')
			} else {
				w.WriteByte(' ')
			}
		case "Tm":
			if len(args) == 6 && args[5].Float64() != lineY {
				lineY = args[5].Float64()
				w.WriteByte('\n')
			} else {
				w.WriteByte(' ')
			}
		case "Tf":
			if len(args) == 2 {
				name := args[0].Name()
				e, ok := encoders[name]
				if !ok {
					f := p.Font(name)
					e = f.Encoder()
					encoders[name] = e
				}
				enc = e
			}
		case "'", "\"":
			w.WriteByte('\n')
			if len(args) > 0 {
				show(args[len(args)-1].RawString())
			}
		case "Tj":
			if len(args) == 1 {
				show(args[0].RawString())
			}
		case "TJ":
			if len(args) != 1 {
				return
			}
			for i := range args[0].Len() {
				switch x := args[0].Index(i); x.Kind() {
				case pdf.String:
					show(x.RawString())
				case pdf.Integer, pdf.Real:
					// A move right by more than about a fifth of
					// the font size (in thousandths) is a space.
					if x.Float64() < -200 {
						w.WriteByte(' ')
					}
				}
			}
		}
	})
}
