package files

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"time"

	"datakart/connectors"
	"datakart/internal/pdftext"
)

// The text of a PDF is read by a child process (internal/pdftext): this
// same program, started again. PDF readers are large, and on hostile input
// they loop, recurse until the stack overflows (which no recover catches)
// or allocate without bound. In a child, the worst such a file can do is
// end its own process: it is stopped after pdfTimeout, held to pdfMemory,
// and the scan goes on with an error for that file.

// pdfTimeout bounds the time of one PDF's child, and pdfMemory its data
// segment, where its heap lives; tests lower both.
var (
	pdfTimeout        = 60 * time.Second
	pdfMemory  uint64 = 512 << 20
)

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
	cmd.Env = append(os.Environ(), pdftext.Env+"="+strconv.FormatUint(pdfMemory, 10))
	cmd.Stdin = io.LimitReader(r, pdftext.MaxBytes+1)
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
	rerr := d.text(ctx, out, 1)
	_, _ = io.Copy(io.Discard, out) // what readText left, so the child can end
	werr := cmd.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	code := -1 // a child that did not exit on its own
	if exit := (*exec.ExitError)(nil); errors.As(werr, &exit) {
		code = exit.ExitCode()
	}
	switch {
	case rerr != nil:
		d.sink.PartError(rerr)
	case werr == nil:
	case cctx.Err() != nil:
		d.sink.PartError(fmt.Errorf("PDF: no text after %s (a reader that loops on this file was stopped); the text read before counts", pdfTimeout))
	case code == pdftext.ExitEncrypted:
		d.sink.PartSkipped("encrypted PDF (not read)")
	case code == pdftext.ExitMalformed:
		d.sink.PartError(errors.New("PDF: malformed; the text of the pages before counts"))
	case code == pdftext.ExitTooLarge:
		d.sink.PartSkipped(fmt.Sprintf("PDF over %d MiB (not read)", pdftext.MaxBytes>>20))
	default:
		d.sink.PartError(fmt.Errorf("PDF: the reader failed on this file (%v, out of memory or a fault); the text read before counts", werr))
	}
	return nil
}
