// Package pdftext is the child process that reads the text of PDFs for
// the file connector (see connectors/files/pdf.go): this same program,
// started with Env set to the bytes of memory it may use. It reads PDFs
// one after another from stdin, each a frame of its length and its
// bytes, and writes the text of each on stdout in frames, ending with a
// frame of its code. It is apart from the connector because it shares
// nothing with it: the child reads no file, scans nothing, and must not
// grow what it does past reading PDFs.
//
// A child starts in about 18 ms, most of it the other packages' init
// functions, which Go runs before this one's (the phone number metadata
// alone takes 7 ms): many times what reading a payslip takes, so one
// child reads many.
package pdftext

import (
	"bufio"
	"bytes"
	"encoding/binary"
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

// The codes of a PDF the child could not read, in its end frame; a child
// that ends with its own code (and not 0, after its input ended) crashed.
const (
	ExitEncrypted = 10
	ExitMalformed = 11
	ExitTooLarge  = 12
)

// The frames the child writes: FrameText, a length and that many bytes of
// text; FrameEnd, and the PDF's code (0: read) in place of the length.
const (
	FrameText = 't'
	FrameEnd  = 'e'
)

func init() {
	if limit, err := strconv.ParseUint(os.Getenv(Env), 10, 64); err == nil {
		os.Exit(serve(os.Stdin, os.Stdout, limit))
	}
}

// serve reads the PDFs framed in in and writes their text, framed, to
// out, using at most memory bytes. It returns 0 when in ends, or the code
// of a PDF it could not read: the reader may have panicked halfway, so
// the child does not read another.
func serve(in io.Reader, out io.Writer, memory uint64) int {
	if MemoryLimited {
		limitMemory(memory)
	}
	debug.SetMemoryLimit(int64(memory / 2)) // collect hard before the limit kills
	br := bufio.NewReader(in)
	bw := bufio.NewWriterSize(out, 64<<10)
	text := bufio.NewWriterSize(frameWriter{bw}, 32<<10)
	for {
		var n [4]byte
		if _, err := io.ReadFull(br, n[:]); err != nil {
			return 0 // the parent is done
		}
		code := ExitTooLarge
		if size := binary.LittleEndian.Uint32(n[:]); size <= MaxBytes {
			b := make([]byte, size)
			code = ExitMalformed
			if _, err := io.ReadFull(br, b); err == nil {
				code = run(b, text)
			}
		}
		err := text.Flush()
		if err == nil {
			err = writeFrame(bw, FrameEnd, uint32(code), nil)
		}
		if err == nil {
			err = bw.Flush()
		}
		switch {
		case code != 0:
			return code
		case err != nil:
			return ExitMalformed // the parent has gone
		}
	}
}

// frameWriter writes each Write as a text frame.
type frameWriter struct{ w *bufio.Writer }

func (f frameWriter) Write(p []byte) (int, error) {
	if err := writeFrame(f.w, FrameText, uint32(len(p)), p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func writeFrame(w *bufio.Writer, typ byte, n uint32, p []byte) error {
	w.WriteByte(typ)
	w.Write(binary.LittleEndian.AppendUint32(nil, n))
	_, err := w.Write(p)
	return err
}

// run writes the text of the PDF b to w, a line break after each page,
// and returns its code.
func run(b []byte, w *bufio.Writer) (code int) {
	defer func() {
		// The reader panics on some malformed input.
		if recover() != nil {
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
