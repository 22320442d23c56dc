package files

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"datakart/internal/pdftest"
)

// onePagePDF is a PDF of one page showing line, with more in its catalog
// and its page dictionary, and the objects objs numbered from 6 on.
func onePagePDF(catalog, page string, line string, objs ...string) []byte {
	content := "BT /F1 12 Tf 72 770 Td (" + line + ") Tj ET"
	all := append([]string{
		"<< /Type /Catalog /Pages 2 0 R " + catalog + " >>",
		"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R " + page + " >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
	}, objs...)
	return pdftest.FileOf(all, "")
}

// embeddedFile is an embedded file stream holding data.
func embeddedFile(data string) string {
	return fmt.Sprintf("<< /Type /EmbeddedFile /Length %d >>\nstream\n%s\nendstream", len(data), data)
}

// The files attached to a PDF are read as its members: by the catalog's
// name tree (as pdfattach writes it, and below the tree's Kids), and by a
// page's file attachment annotation; a PDF inside a zip has its files
// read too, and a PDF attached to a PDF is read as a PDF.
func TestPDFAttachments(t *testing.T) {
	oldTime := pdfTimeout
	pdfTimeout = 20 * time.Second
	t.Cleanup(func() { pdfTimeout = oldTime })
	dir := t.TempDir()
	write(t, dir, "vedlagt.pdf", fixture(t, "vedlagt.pdf"))
	write(t, dir, "arkiv.zip", zipOf(t, map[string][]byte{"2026/vedlagt.pdf": fixture(t, "vedlagt.pdf")}))
	inner := onePagePDF("", "", "Kontonummer 8601.11.17947")
	portfolio := onePagePDF("/Names << /EmbeddedFiles << /Kids [6 0 R] >> >>",
		"/Annots [<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 10 10] /FS << /Type /Filespec /UF (notat.txt) /EF << /F 10 0 R >> >> >>]",
		"Se vedlegg",
		"<< /Names [(a) 7 0 R (b) 8 0 R] >>",
		"<< /Type /Filespec /F (ansatte.csv) /UF (ansatte.csv) /EF << /F 9 0 R >> >>",
		"<< /Type /Filespec /F (brev.pdf) /EF << /F 11 0 R >> >>",
		embeddedFile("navn;epost\nOla;ola@online.no\n"),
		embeddedFile("Ring meg på 912 34 567.\n"),
		fmt.Sprintf("<< /Type /EmbeddedFile /Length %d >>\nstream\n%s\nendstream", len(inner), inner))
	write(t, dir, "portfolio.pdf", portfolio)
	// 103 files: the first 100 are read, and the PDF says 3 were not.
	var names strings.Builder
	for i := range 103 {
		fmt.Fprintf(&names, "(f%03d) 6 0 R ", i)
	}
	write(t, dir, "mange.pdf", onePagePDF("/Names << /EmbeddedFiles << /Names ["+names.String()+"] >> >>", "", "x",
		"<< /Type /Filespec /F (a.txt) /EF << /F 7 0 R >> >>", embeddedFile("fnr 10048744732\n")))

	rec, _ := scanTree(t, dir, Options{})
	rec.expect(t, map[string]string{
		"vedlagt.pdf|":                               "Kunde: Kari Nordmann",
		"vedlagt.pdf!kunder.csv|fødselsnummer":       "10048744732",
		"arkiv.zip!2026/vedlagt.pdf!kunder.csv|navn": "Kari Nordmann",
		"portfolio.pdf|":                             "Se vedlegg",
		"portfolio.pdf!ansatte.csv|epost":            "ola@online.no",
		"portfolio.pdf!notat.txt|":                   "912 34 567",
		"portfolio.pdf!brev.pdf|":                    "Kontonummer 8601.11.17947",
	})
	if e := rec.errs["mange.pdf"]; e != "PDF: 3 more files attached past the first 100 were not read" {
		t.Errorf("a PDF of 103 files: error %q", e)
	}
	if got := len(rec.values["mange.pdf!a.txt|"]); got != 100 {
		t.Errorf("a PDF of 103 files: %d read", got)
	}
	for name, e := range rec.errs {
		if name != "mange.pdf" {
			t.Errorf("%s: %s", name, e)
		}
	}
	if !strings.Contains(rec.kinds["portfolio.pdf!brev.pdf"], "pdf") {
		t.Errorf("the PDF attached to a PDF: kind %q", rec.kinds["portfolio.pdf!brev.pdf"])
	}
}
