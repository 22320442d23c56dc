package files

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"datakart/connectors"
	"datakart/internal/ocrexec"
)

// With --ocr, images are read by Tesseract (Debian's tesseract-ocr, with
// tesseract-ocr-nor), and so are the pages of a scanned PDF, drawn by
// pdftoppm (poppler-utils): a scanned payslip, a photographed passport or
// a screenshot in a support ticket holds personal data no text layer
// shows. Each image or PDF is handed to the tool on its stdin, and what
// it makes read from its stdout: nothing is written to disk. Each run is
// held to ocrMemory and ocrTimeout, with one thread (files are read in
// parallel already): a file a tool chokes on gets an error, and the scan
// goes on.

var (
	ocrTimeout        = 60 * time.Second
	ocrMemory  uint64 = 1 << 30 // an A4 page at 300 dpi takes about 150 MiB
)

// Images over maxImageBytes are skipped with the reason; maxOCRText
// bounds the text read back. A page of a PDF with fewer than minPageText
// letters and digits of text is taken for a scan (a page number or a
// scanner's stamp may be text), and up to maxOCRPages such pages of a
// PDF are read by OCR, drawn at ocrDPI (what Tesseract is trained for).
const (
	maxImageBytes = 64 << 20
	maxOCRText    = 16 << 20
	minPageText   = 32
	ocrDPI        = "300"
)

var maxOCRPages = 50 // tests lower it

// ocrLanguages are the languages asked for, where their data is installed.
var ocrLanguages = []string{"nor", "eng"}

// ocrTool is the tesseract and pdftoppm a scan runs, and the languages
// Tesseract reads.
type ocrTool struct {
	tesseract, pdftoppm, langs string
}

const ocrInstall = "apt-get install tesseract-ocr tesseract-ocr-nor poppler-utils"

// findOCR is lookupOCR, once.
var findOCR = sync.OnceValues(lookupOCR)

// lookupOCR finds tesseract and the languages of ocrLanguages it has.
func lookupOCR() (*ocrTool, error) {
	path, err := exec.LookPath("tesseract")
	if err != nil {
		return nil, errors.New("--ocr needs Tesseract, which is not installed (Debian and Ubuntu: " + ocrInstall + ")")
	}
	pdftoppm, err := exec.LookPath("pdftoppm")
	if err != nil {
		return nil, errors.New("--ocr needs pdftoppm for scanned PDFs, which is not installed (Debian and Ubuntu: " + ocrInstall + ")")
	}
	out, err := exec.Command(path, "--list-langs").Output()
	if err != nil {
		return nil, fmt.Errorf("--ocr: tesseract --list-langs: %w", err)
	}
	var have []string
	installed := strings.Fields(string(out))
	for _, l := range ocrLanguages {
		for _, i := range installed {
			if i == l {
				have = append(have, l)
			}
		}
	}
	if len(have) == 0 {
		return nil, fmt.Errorf("--ocr: Tesseract has neither Norwegian nor English data (apt-get install tesseract-ocr-nor tesseract-ocr-eng)")
	}
	return &ocrTool{tesseract: path, pdftoppm: pdftoppm, langs: strings.Join(have, "+")}, nil
}

// imageFormat names the image format that head starts, or "".
func imageFormat(head []byte) string {
	for _, m := range []struct{ prefix, format string }{
		{"\x89PNG\r\n\x1a\n", "PNG"}, {"\xff\xd8\xff", "JPEG"}, {"GIF8", "GIF"},
		{"II*\x00", "TIFF"}, {"MM\x00*", "TIFF"},
	} {
		if bytes.HasPrefix(head, []byte(m.prefix)) {
			return m.format
		}
	}
	if len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP" {
		return "WebP"
	}
	return ""
}

// ocr reads the text of the image in r.
func (d *decoder) ocr(ctx context.Context, r io.Reader, part, format string) error {
	d.sink.Begin(connectors.Part{Path: part, Kind: "image (OCR)"})
	img, err := io.ReadAll(io.LimitReader(r, maxImageBytes+1))
	if err != nil {
		d.sink.PartError(fmt.Errorf("read: %w", err))
		return nil
	}
	if len(img) > maxImageBytes {
		d.sink.PartSkipped(fmt.Sprintf("%s image over %d MiB (not read by OCR)", format, maxImageBytes>>20))
		return nil
	}
	text, err := d.opt.ocr.read(ctx, img)
	if err != nil {
		if ctx.Err() == nil {
			d.sink.PartError(fmt.Errorf("ocr: %w", err))
		}
		return ctx.Err()
	}
	return d.textPart(ctx, bytes.NewReader(text), 1, false)
}

// read runs tesseract on one image and returns its text.
func (t *ocrTool) read(ctx context.Context, img []byte) ([]byte, error) {
	// Page segmentation 3, fully automatic: a form or a payslip has
	// columns and boxes, not one block of text.
	text, err := runTool(ctx, "Tesseract", t.tesseract, img, maxOCRText, "stdin", "stdout", "-l", t.langs, "--psm", "3")
	if errors.Is(err, errToolOutput) {
		err = fmt.Errorf("Tesseract read over %d MiB of text from this image (not read)", maxOCRText>>20)
	}
	return text, err
}

// drawPage draws page n of a PDF as a PNG, with pdftoppm.
func (t *ocrTool) drawPage(ctx context.Context, pdf []byte, n int) ([]byte, error) {
	page := strconv.Itoa(n)
	png, err := runTool(ctx, "pdftoppm", t.pdftoppm, pdf, maxImageBytes, "-r", ocrDPI, "-gray", "-png", "-f", page, "-l", page, "-")
	if errors.Is(err, errToolOutput) {
		err = fmt.Errorf("the page is over %d MiB as an image (not read)", maxImageBytes>>20)
	}
	return png, err
}

var errToolOutput = errors.New("more output than is read")

// runTool runs the tool at path on input, held to ocrMemory and
// ocrTimeout, and returns its output: at most max bytes, more is
// errToolOutput and no output. Its stderr says what it made of the file ("Estimating
// resolution as 300"), never the text, and is not kept.
func runTool(ctx context.Context, name, path string, input []byte, max int, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, ocrTimeout)
	defer cancel()
	cmd, err := ocrexec.Command(ctx, path, ocrMemory, args...)
	if err != nil {
		return nil, err
	}
	cmd.Stdin = bytes.NewReader(input)
	out := &cappedBuffer{max: max}
	cmd.Stdout = out
	err = cmd.Run()
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return nil, fmt.Errorf("%s took over %s on this file and was stopped", name, ocrTimeout)
	case err != nil:
		return nil, fmt.Errorf("%s failed on this file (%v: not one it reads, or one too large for %d MiB)", name, err, ocrMemory>>20)
	case out.over:
		return nil, errToolOutput
	}
	return out.Bytes(), nil
}

// ocrPDF reads the scanned pages of a PDF (numbered from 1) by OCR,
// after its text (see pdf).
func (d *decoder) ocrPDF(ctx context.Context, pdf []byte, pages []int) error {
	for i, n := range pages {
		if i == maxOCRPages {
			d.sink.PartError(fmt.Errorf("%w: only %d scanned pages of a PDF are read by OCR", connectors.ErrLimit, maxOCRPages))
			return nil
		}
		png, err := d.opt.ocr.drawPage(ctx, pdf, n)
		if err == nil {
			var text []byte
			if text, err = d.opt.ocr.read(ctx, png); err == nil {
				err = d.text(ctx, bytes.NewReader(text), 1)
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			d.sink.PartError(fmt.Errorf("ocr: page %d: %w; the pages before count", n, err))
			return nil
		}
	}
	return nil
}

// cappedBuffer holds at most max bytes of what is written to it, and
// says whether more came.
type cappedBuffer struct {
	bytes.Buffer
	max  int
	over bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); len(p) > room {
		b.Buffer.Write(p[:max(room, 0)])
		b.over = true
		return len(p), nil
	}
	return b.Buffer.Write(p)
}
