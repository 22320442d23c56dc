package files

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"datakart/connectors"

	"github.com/ledongthuc/pdf"
)

// The text of a PDF is read by a child process: this same program, started
// with pdfChildEnv set to the bytes of memory it may use. PDF readers are large, and on hostile input they
// loop, recurse until the stack overflows (which no recover catches) or
// allocate without bound. In a child, the worst such a file can do is end
// its own process: it is stopped after pdfTimeout, held to pdfMemory, and
// the scan goes on with an error for that file.
const pdfChildEnv = "DATAKART_PDF_CHILD"

// Limits of one PDF.
const (
	maxPDFBytes = 64 << 20 // larger files are skipped with the reason
	maxPDFPages = 10000    // pages past it are not read
)

// pdfTimeout bounds the time of one PDF's child, and pdfMemory its data
// segment, where its heap lives; tests lower both.
var (
	pdfTimeout        = 60 * time.Second
	pdfMemory  uint64 = 512 << 20
)

// The child's exit codes; any other end is a crash.
const (
	pdfExitEncrypted = 10
	pdfExitMalformed = 11
	pdfExitTooLarge  = 12
)

func init() {
	// Before anything else of the program: a child only reads one PDF.
	if limit, err := strconv.ParseUint(os.Getenv(pdfChildEnv), 10, 64); err == nil {
		os.Exit(pdfChild(os.Stdin, os.Stdout, limit))
	}
}

// pdf reads the text of the PDF in r through a child process.
func (d *decoder) pdf(ctx context.Context, r io.Reader, part string) error {
	d.sink.Begin(connectors.Part{Path: part, Kind: "pdf"})
	exe, err := os.Executable()
	if err != nil {
		d.sink.PartError(fmt.Errorf("PDF: cannot start a reader: %w", err))
		return nil
	}
	cctx, cancel := context.WithTimeout(ctx, pdfTimeout)
	defer cancel()
	cmd := exec.CommandContext(cctx, exe)
	cmd.Env = append(os.Environ(), pdfChildEnv+"="+strconv.FormatUint(pdfMemory, 10))
	cmd.Stdin = io.LimitReader(r, maxPDFBytes+1)
	// The child's stderr is not passed on: a crash report may quote the
	// file.
	out, err := cmd.StdoutPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		d.sink.PartError(fmt.Errorf("PDF: cannot start a reader: %w", err))
		return nil
	}
	rerr := readText(ctx, out, 1, d.sink)
	_, _ = io.Copy(io.Discard, out) // what readText left, so the child can end
	werr := cmd.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var exit *exec.ExitError
	switch {
	case rerr != nil:
		d.sink.PartError(rerr)
	case werr == nil:
	case cctx.Err() != nil:
		d.sink.PartError(fmt.Errorf("PDF: no text after %s (a reader that loops on this file was stopped); the text read before counts", pdfTimeout))
	case errors.As(werr, &exit) && exit.ExitCode() == pdfExitEncrypted:
		d.sink.PartSkipped("encrypted PDF (not read)")
	case errors.As(werr, &exit) && exit.ExitCode() == pdfExitMalformed:
		d.sink.PartError(errors.New("PDF: malformed; the text of the pages before counts"))
	case errors.As(werr, &exit) && exit.ExitCode() == pdfExitTooLarge:
		d.sink.PartSkipped(fmt.Sprintf("PDF over %d MiB (not read)", maxPDFBytes>>20))
	default:
		d.sink.PartError(fmt.Errorf("PDF: the reader failed on this file (%v, out of memory or a fault); the text read before counts", werr))
	}
	return nil
}

// pdfChild writes the text of the PDF read from in to out, a line break
// after each page, using at most memory bytes, and returns the process's
// exit code.
func pdfChild(in io.Reader, out io.Writer, memory uint64) (code int) {
	if !raceEnabled {
		limitMemory(memory)
	}
	debug.SetMemoryLimit(int64(memory / 2)) // collect hard before the limit kills
	b, err := io.ReadAll(io.LimitReader(in, maxPDFBytes+1))
	if err != nil {
		return pdfExitMalformed
	}
	if len(b) > maxPDFBytes {
		return pdfExitTooLarge
	}
	w := bufio.NewWriter(out)
	defer func() {
		// The reader panics on some malformed input.
		if recover() != nil {
			code = pdfExitMalformed
		}
		if w.Flush() != nil && code == 0 {
			code = pdfExitMalformed
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	// A user password, or an encryption the reader does not know
	// ("unsupported PDF: encryption version V=5").
	if errors.Is(err, pdf.ErrInvalidPassword) || err != nil && strings.Contains(err.Error(), "encryption") {
		return pdfExitEncrypted
	}
	if err != nil {
		return pdfExitMalformed
	}
	for i := 1; i <= min(r.NumPage(), maxPDFPages); i++ {
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
		args = args[:0]
		for range stk.Len() {
			args = append(args, pdf.Value{})
		}
		for i := len(args) - 1; i >= 0; i-- {
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
