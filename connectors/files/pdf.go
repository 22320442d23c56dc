package files

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"sync"
	"time"

	"datakart/connectors"
	"datakart/internal/frame"
	"datakart/internal/pdftext"
)

// The text of a PDF is read by a child process (internal/pdftext): this
// same program, started again. PDF readers are large, and on hostile input
// they loop, recurse until the stack overflows (which no recover catches)
// or allocate without bound. In a child, the worst such a file can do is
// end its own process: it is stopped after pdfTimeout, held to pdfMemory,
// and the scan goes on with an error for that file.
//
// A child reads PDFs one after another: starting one takes many times
// what reading a payslip does, and a share may hold a million payslips.
// A child that fails on a file is not used again, and one is retired
// after pdfWorkerReads files or a large one, so no file is read by a
// child that an earlier file left in a bad state or with a large heap.

// pdfTimeout bounds the time of one PDF, and pdfMemory a child's data
// segment, where its heap lives; tests lower both.
var (
	pdfTimeout        = 60 * time.Second
	pdfMemory  uint64 = 512 << 20
)

const (
	// pdfWorkerReads is how many PDFs a child reads before it is retired.
	pdfWorkerReads = 500
	// pdfRetireBytes: a child that has read a PDF this large is retired,
	// so its heap does not stay grown for the files after.
	pdfRetireBytes = 8 << 20
)

// A pdfWorker is a child process that reads PDFs.
type pdfWorker struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	memory uint64 // the pdfMemory it was started with
	reads  int
}

// pdfWorkers are the children waiting for a PDF.
var pdfWorkers struct {
	sync.Mutex
	idle []*pdfWorker
}

// pdfStarts counts the children started, for tests.
var pdfStarts int

// takePDFWorker returns a waiting child, or starts one.
func takePDFWorker() (*pdfWorker, error) {
	pdfWorkers.Lock()
	for len(pdfWorkers.idle) > 0 {
		w := pdfWorkers.idle[len(pdfWorkers.idle)-1]
		pdfWorkers.idle = pdfWorkers.idle[:len(pdfWorkers.idle)-1]
		if w.memory == pdfMemory {
			pdfWorkers.Unlock()
			return w, nil
		}
		go w.stop()
	}
	pdfStarts++
	pdfWorkers.Unlock()
	cmd, in, out, err := startChild(pdftext.Env, pdfMemory)
	if err != nil {
		return nil, err
	}
	return &pdfWorker{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 64<<10), memory: pdfMemory}, nil
}

// release puts w back among the waiting children when it read a file
// without fault, else ends it.
func (w *pdfWorker) release(ok bool, size int) {
	w.reads++
	if ok && w.reads < pdfWorkerReads && size < pdfRetireBytes {
		pdfWorkers.Lock()
		if len(pdfWorkers.idle) < runtime.GOMAXPROCS(0) {
			pdfWorkers.idle = append(pdfWorkers.idle, w)
			pdfWorkers.Unlock()
			return
		}
		pdfWorkers.Unlock()
	}
	w.stop()
}

// stop ends the child and returns how it ended.
func (w *pdfWorker) stop() error {
	w.in.Close()
	w.cmd.Process.Kill()
	return w.cmd.Wait()
}

// pageLetters counts the letters and digits of each page of a PDF's text
// read through it (the bytes of multi-byte characters as such); the
// child ends each page with a form feed.
type pageLetters struct {
	r     io.Reader
	pages []int
	n     int // of the page being read
}

func (c *pageLetters) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for _, b := range p[:n] {
		switch {
		case b == '\f':
			c.pages = append(c.pages, c.n)
			c.n = 0
		case isLetterOrDigit(b):
			c.n++
		}
	}
	return n, err
}

// scanned returns the pages (numbered from 1) with fewer than
// minPageText letters and digits: pages that are images.
func (c *pageLetters) scanned() []int {
	var pages []int
	for i, n := range c.pages {
		if n < minPageText {
			pages = append(pages, i+1)
		}
	}
	return pages
}

func isLetterOrDigit(b byte) bool { return isDigit(b) || isLetter(b) || b >= 0x80 }

// pdf reads the text of the PDF in r through a child process, then the
// files attached to it as its members.
func (d *decoder) pdf(ctx context.Context, r io.Reader, part string, depth int) error {
	d.sink.Begin(connectors.Part{Path: part, Kind: "pdf"})
	data, err := io.ReadAll(io.LimitReader(r, pdftext.MaxBytes+1))
	switch {
	case err != nil:
		d.sink.PartError(fmt.Errorf("PDF: %w", err))
		return nil
	case len(data) > pdftext.MaxBytes:
		d.sink.PartSkipped(fmt.Sprintf("PDF over %d MiB (not read)", pdftext.MaxBytes>>20))
		return nil
	}
	w, err := takePDFWorker()
	if err != nil {
		d.sink.PartError(fmt.Errorf("PDF: cannot start a reader: %w", err))
		return nil
	}
	// The child is stopped where the file makes it loop, or the scan is
	// cancelled.
	kill := func() { w.cmd.Process.Kill() }
	timer := time.AfterFunc(pdfTimeout, kill)
	stopCancel := context.AfterFunc(ctx, kill)
	frames := &frame.Reader{R: w.out}
	werr := frame.Write(w.in, pdftext.FramePDF, uint32(len(data)), data)
	var rerr error
	code := -1 // the PDF's code, from the end frame after its text
	text := &pageLetters{r: frames.Data(pdftext.FrameText)}
	if werr == nil {
		rerr = d.text(ctx, text, 1)
	}
	var files []pdfFile // attached to it
	for werr == nil && rerr == nil && code < 0 {
		typ, n, err := frames.Header()
		switch {
		case err != nil:
			rerr = err
		case typ == pdftext.FrameFile:
			var f pdfFile
			if f, rerr = parsePDFFile(frames, n); rerr == nil {
				files = append(files, f)
			}
		case typ != pdftext.FrameEnd:
			rerr = frame.ErrNotFrames
		default:
			code = int(n)
		}
	}
	timedOut := !timer.Stop()
	cancelled := !stopCancel()
	ok := werr == nil && rerr == nil && code == 0 && !timedOut && !cancelled
	var exit error
	if ok {
		w.release(true, len(data))
	} else {
		exit = w.stop()
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var scanned []int // pages that are images, where --ocr reads them
	if ok && d.opt.ocr != nil {
		scanned = text.scanned()
	}
	switch {
	case len(scanned) > 0:
		if err := d.ocrPDF(ctx, data, scanned); err != nil {
			return err
		}
	case ok:
	case timedOut:
		d.sink.PartError(fmt.Errorf("PDF: no text after %s (a reader that loops on this file was stopped); the text read before counts", pdfTimeout))
	case code == pdftext.ExitEncrypted:
		d.sink.PartSkipped("encrypted PDF (not read)")
	case code == pdftext.ExitMalformed:
		d.sink.PartError(errors.New("PDF: malformed; the text of the pages before counts"))
	case code == pdftext.ExitTooLarge:
		d.sink.PartSkipped(fmt.Sprintf("PDF over %d MiB (not read)", pdftext.MaxBytes>>20))
	case code < 0:
		d.sink.PartError(fmt.Errorf("PDF: the reader failed on this file (%v, out of memory or a fault); the text read before counts", exit))
	case rerr != nil:
		d.sink.PartError(rerr)
	default:
		d.sink.PartError(fmt.Errorf("PDF: the reader ended with code %d", code))
	}
	return d.pdfFiles(ctx, files, part, depth)
}

// pdfFile is a file attached to a PDF: an invoice's XML (EHF, ZUGFeRD),
// the documents of a PDF portfolio, a spreadsheet attached to a report.
type pdfFile struct {
	name string
	data []byte
	flag byte // pdftext.FileTooLarge, pdftext.FilesLeftOut (name is how many), or 0
}

// parsePDFFile reads the body of a FrameFile frame of n bytes.
func parsePDFFile(frames *frame.Reader, n uint32) (pdfFile, error) {
	b, err := frames.Body(n, pdftext.MaxBytes+1<<16)
	if err != nil {
		return pdfFile{}, err
	}
	if len(b) < 3 {
		return pdfFile{}, frame.ErrNotFrames
	}
	end := 3 + int(binary.LittleEndian.Uint16(b[1:]))
	if end > len(b) {
		return pdfFile{}, frame.ErrNotFrames
	}
	return pdfFile{name: string(b[3:end]), data: b[end:], flag: b[0]}, nil
}

// pdfFiles reads the files attached to the PDF at part as its members,
// named as the PDF names them ("faktura.pdf!faktura.xml"), as an
// archive's are.
func (d *decoder) pdfFiles(ctx context.Context, files []pdfFile, part string, depth int) error {
	for i, f := range files {
		if f.flag == pdftext.FilesLeftOut {
			d.sink.Begin(connectors.Part{Path: part, Kind: "pdf"})
			d.sink.PartError(fmt.Errorf("PDF: %s more files attached past the first %d were not read", f.name, pdftext.MaxFiles))
			continue
		}
		name := fileName(f.name)
		if name == "" {
			name = fmt.Sprintf("attachment-%d", i+1)
		}
		member := joinPart(part, name)
		if skip, stop := d.skipMember(member, i+1); stop {
			return nil
		} else if skip || d.tooDeep(member, "pdf", depth+1) {
			continue
		}
		if f.flag == pdftext.FileTooLarge {
			d.sink.Begin(connectors.Part{Path: member, Kind: kindByName(name)})
			d.sink.PartSkipped(fmt.Sprintf("attached to a PDF, past the %d MiB of attachments a PDF is read for (not read)", pdftext.MaxBytes>>20))
			continue
		}
		if err := d.decode(ctx, &budgetReader{bytes.NewReader(f.data), d}, name, member, depth+1); err != nil {
			return err
		}
	}
	return nil
}
