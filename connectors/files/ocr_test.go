package files

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"datakart/internal/pdftest"
)

// needOCR skips a test where Tesseract is not installed, except in CI,
// whose scripts/test installs it.
func needOCR(t *testing.T) {
	t.Helper()
	if _, err := findOCR(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
}

// pngOf is a PNG of the given chunks after the signature, each with its
// CRC.
func pngOf(chunks ...[]byte) []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	for _, c := range chunks {
		b = binary.BigEndian.AppendUint32(b, uint32(len(c)-4))
		b = append(b, c...)
		b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(c))
	}
	return b
}

// pixelBomb is a PNG of 682 bytes that says it is 60,000 by 60,000
// pixels: 3.4 GiB once decoded.
func pixelBomb() []byte {
	ihdr := append([]byte("IHDR"), binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, 60000), 60000)...)
	ihdr = append(ihdr, 8, 0, 0, 0, 0) // 8-bit grey
	var idat bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	zw.Write(bytes.Repeat(append([]byte{0}, bytes.Repeat([]byte{0xff}, 60000)...), 10))
	zw.Close()
	return pngOf(ihdr, append([]byte("IDAT"), idat.Bytes()...), []byte("IEND"))
}

// scannedPDF is a PDF of len(pages) pages: where pages[i] is "", the
// JPEG (w by h pixels, drawn at 72 dpi) and no text, as a scanner writes
// one; else that text in Helvetica.
func scannedPDF(jpg []byte, w, h int, pages ...string) []byte {
	var objs []string
	obj := func(s string, stream []byte) {
		if stream != nil {
			s += "\nstream\n" + string(stream) + "\nendstream"
		}
		objs = append(objs, s)
	}
	// Objects: catalog, page tree, the image, the font, then a page and
	// its content for each page.
	kids := ""
	for p := range pages {
		kids += fmt.Sprintf("%d 0 R ", 5+2*p)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, len(pages)), nil)
	obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>", w, h, len(jpg)), jpg)
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", nil)
	for p, text := range pages {
		draw := fmt.Sprintf("q %d 0 0 %d 0 0 cm /Im0 Do Q", w, h)
		if text != "" {
			draw = fmt.Sprintf("BT /F1 12 Tf 40 %d Td (%s) Tj ET", h-40, text)
		}
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /XObject << /Im0 3 0 R >> /Font << /F1 4 0 R >> >> /Contents %d 0 R >>", w, h, 6+2*p), nil)
		obj(fmt.Sprintf("<< /Length %d >>", len(draw)), []byte(draw))
	}
	return pdftest.FileOf(objs, "")
}

// The payslip, rendered with DejaVu Sans as PNG and JPEG, is read as
// its text: the fødselsnummer, account, mobile and e-mail on it are
// found, in a zip too, and on each page of a scanned PDF. An image
// Tesseract cannot read, a pixel bomb and a corrupt PNG each get an
// error, and the file after them is read.
func TestOCR(t *testing.T) {
	needOCR(t)
	dir := t.TempDir()
	slip := fixture(t, "lonnsslipp.png")
	write(t, dir, "lonnsslipp.png", slip)
	write(t, dir, "skannet.jpg", fixture(t, "lonnsslipp.jpg"))
	write(t, dir, "vedlegg.zip", zipOf(t, map[string][]byte{"sak/bilde.png": slip}))
	write(t, dir, "skannet.pdf", scannedPDF(fixture(t, "lonnsslipp.jpg"), 900, 360, "", ""))
	write(t, dir, "brev.docx", zipOf(t, map[string][]byte{
		"word/document.xml":     []byte(`<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>Se vedlagt lønnsslipp.</w:t></w:r></w:p></w:body></w:document>`),
		"word/media/image1.png": slip,
	}))
	write(t, dir, "tekst.pdf", pdftest.Of(t, "", "", []string{"Lønnsslipp november 2024", "Ansatt: Kari Nordmann", "Fødselsnummer: 10048744732"}))
	write(t, dir, "blandet.pdf", scannedPDF(fixture(t, "lonnsslipp.jpg"), 900, 360, "Vedlegg til sak 4471, ansatt nummer 10023, side 1 av 2", ""))
	write(t, dir, "bombe.png", pixelBomb())
	write(t, dir, "ødelagt.png", append(slip[:200:200], bytes.Repeat([]byte{0x5a}, 500)...))
	write(t, dir, "etter.txt", []byte("fnr 10048744732\n"))
	rec, _ := scanTree(t, dir, Options{OCR: true})
	for _, k := range []string{"lonnsslipp.png|", "skannet.jpg|", "vedlegg.zip!sak/bilde.png|", "skannet.pdf|", "brev.docx!word/media/image1.png|"} {
		for _, want := range []string{"Fødselsnummer: 100487 44732", "8601.11.17947", "912 34 567", "kari.nordmann@firma.no"} {
			if !rec.has(k, want) {
				t.Errorf("%s: no %q in %q (errors %v)", k, want, rec.text(k), rec.errs)
			}
		}
	}
	if n := strings.Count(rec.text("skannet.pdf|"), "Lønnsslipp"); n != 2 {
		t.Errorf("skannet.pdf: %d pages read, want 2 (errors %v)", n, rec.errs)
	}
	if n := strings.Count(rec.text("tekst.pdf|"), "10048744732"); n != 1 {
		t.Errorf("a PDF with text is read once, not by OCR too: %q", rec.text("tekst.pdf|"))
	}
	if got := rec.text("blandet.pdf|"); strings.Count(got, "Vedlegg til sak 4471") != 1 || strings.Count(got, "100487 44732") != 1 {
		t.Errorf("a PDF of a text page and a scanned one: the text page once, the scanned one by OCR: %q (errors %v)", got, rec.errs)
	}
	if !rec.has("brev.docx|", "Se vedlagt lønnsslipp.") {
		t.Errorf("brev.docx: %q", rec.text("brev.docx|"))
	}
	if rec.kinds["lonnsslipp.png"] != "image (OCR)" || !rec.has("etter.txt|", "10048744732") {
		t.Errorf("kinds %v; the file after: %q", rec.kinds, rec.text("etter.txt|"))
	}
	for _, name := range []string{"bombe.png", "ødelagt.png"} {
		if e := rec.errs[name]; !strings.Contains(e, "Tesseract failed on this file") {
			t.Errorf("%s: error %q", name, e)
		}
	}
}

// Tesseract is stopped after ocrTimeout, and held to ocrMemory (with
// too little to load its models, it fails): either way the image gets an
// error with the reason.
func TestOCRLimits(t *testing.T) {
	needOCR(t)
	for _, c := range []struct {
		name    string
		limit   func() (undo func())
		wantErr string
	}{
		{"timeout", func() func() {
			old := ocrTimeout
			ocrTimeout = time.Millisecond
			return func() { ocrTimeout = old }
		}, "took over 1ms"},
		{"pages", func() func() {
			old := maxOCRPages
			maxOCRPages = 1
			return func() { maxOCRPages = old }
		}, "only 1 scanned pages of a PDF are read by OCR"},
		{"memory", func() func() {
			old := ocrMemory
			ocrMemory = 16 << 20
			return func() { ocrMemory = old }
		}, "Tesseract failed on this file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "memory" && runtime.GOOS == "windows" {
				t.Skip("no memory limit for a child on Windows")
			}
			t.Cleanup(c.limit())
			dir := t.TempDir()
			name, file := "lonnsslipp.png", fixture(t, "lonnsslipp.png")
			if c.name == "pages" {
				name, file = "skannet.pdf", scannedPDF(fixture(t, "lonnsslipp.jpg"), 900, 360, "", "")
			}
			write(t, dir, name, file)
			rec, _ := scanTree(t, dir, Options{OCR: true})
			if e := rec.errs[name]; !strings.Contains(e, c.wantErr) {
				t.Errorf("error %q, want %q; values %v", e, c.wantErr, rec.values)
			}
		})
	}
}

// Without --ocr an image is skipped, and the reason says how to read it;
// with --ocr and no Tesseract, the scan does not start.
func TestImagesWithoutOCR(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "lonnsslipp.png", fixture(t, "lonnsslipp.png"))
	write(t, dir, "bilde.webp", []byte("RIFF\x10\x00\x00\x00WEBPVP8 "))
	rec, _ := scanTree(t, dir, Options{})
	for name, want := range map[string]string{"lonnsslipp.png": "image (PNG; --ocr reads its text)", "bilde.webp": "image (WebP; --ocr reads its text)"} {
		if got := rec.skipped[name]; !strings.Contains(got, want) {
			t.Errorf("%s: skipped %q, want %q", name, got, want)
		}
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := lookupOCR(); err == nil || !strings.Contains(err.Error(), "apt-get install tesseract-ocr tesseract-ocr-nor poppler-utils") {
		t.Errorf("without tesseract: %v", err)
	}
}
