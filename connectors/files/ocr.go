package files

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"time"

	"datakart/connectors"
	"datakart/internal/ocrexec"
)

// With --ocr, images are read by Tesseract (Debian's tesseract-ocr, with
// tesseract-ocr-nor): a scanned payslip, a photographed passport or a
// screenshot in a support ticket holds personal data no text layer
// shows. Each image is handed to a tesseract process on its stdin, and
// its text read from its stdout: nothing is written to disk. The process
// is held to ocrMemory and ocrTimeout, with one thread (files are read in
// parallel already): an image it chokes on gets an error, and the scan
// goes on.

var (
	ocrTimeout        = 60 * time.Second
	ocrMemory  uint64 = 1 << 30 // an A4 page at 300 dpi takes about 150 MiB
)

// Images over maxImageBytes are skipped with the reason; maxOCRText
// bounds the text read back.
const (
	maxImageBytes = 64 << 20
	maxOCRText    = 16 << 20
)

// ocrLanguages are the languages asked for, where their data is installed.
var ocrLanguages = []string{"nor", "eng"}

// ocrTool is the tesseract a scan runs, and the languages it reads.
type ocrTool struct {
	path, langs string
}

// findOCR is lookupOCR, once.
var findOCR = sync.OnceValues(lookupOCR)

// lookupOCR finds tesseract and the languages of ocrLanguages it has.
func lookupOCR() (*ocrTool, error) {
	path, err := exec.LookPath("tesseract")
	if err != nil {
		return nil, errors.New("--ocr needs Tesseract, which is not installed (Debian and Ubuntu: apt-get install tesseract-ocr tesseract-ocr-nor)")
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
	return &ocrTool{path: path, langs: strings.Join(have, "+")}, nil
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
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		d.sink.PartError(fmt.Errorf("ocr: %w", err))
		return nil
	}
	if err := d.text(ctx, bytes.NewReader(text), 1); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		d.sink.PartError(err)
	}
	return nil
}

// read runs tesseract on one image and returns its text.
func (t *ocrTool) read(ctx context.Context, img []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, ocrTimeout)
	defer cancel()
	// Page segmentation 3, fully automatic: a form or a payslip has
	// columns and boxes, not one block of text.
	cmd, err := ocrexec.Command(ctx, t.path, ocrMemory, "stdin", "stdout", "-l", t.langs, "--psm", "3")
	if err != nil {
		return nil, err
	}
	cmd.Stdin = bytes.NewReader(img)
	out := &cappedBuffer{max: maxOCRText}
	cmd.Stdout = out
	// Its stderr says what it made of the image ("Estimating resolution
	// as 300"), never the text: it is not kept.
	err = cmd.Run()
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return nil, fmt.Errorf("Tesseract took over %s on this image and was stopped", ocrTimeout)
	case err != nil:
		return nil, fmt.Errorf("Tesseract failed on this image (%v: not an image it reads, or one too large for %d MiB)", err, ocrMemory>>20)
	case out.over:
		return out.Bytes(), fmt.Errorf("Tesseract read over %d MiB of text from this image; the rest was not read", maxOCRText>>20)
	}
	return out.Bytes(), nil
}

// cappedBuffer keeps the first max bytes written to it.
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
