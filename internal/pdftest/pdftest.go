// Package pdftest writes small PDFs for tests: pages of text in a
// standard font, or any objects, with a correct cross-reference table.
package pdftest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// Of writes a PDF of one page per element of pages, each line of a page
// shown in Helvetica (a line that starts with "RAW " is put into the page's
// content as it is); extra is put into the first page's dictionary, and
// trailer into the trailer's.
func Of(t testing.TB, extra, trailer string, pages ...[]string) []byte {
	var objs []string
	kids := ""
	for i := range pages {
		kids += fmt.Sprintf("%d 0 R ", 4+2*i)
	}
	objs = append(objs,
		"<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, len(pages)),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	for i, lines := range pages {
		content := "BT /F1 12 Tf 14 TL 72 770 Td"
		for _, l := range lines {
			if raw, ok := strings.CutPrefix(l, "RAW "); ok {
				content += " " + raw
				continue
			}
			enc, err := charmap.Windows1252.NewEncoder().String(l)
			if err != nil {
				t.Fatal(err)
			}
			content += " (" + enc + ") Tj T*"
		}
		content += " ET"
		page := fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R", 5+2*i)
		if i == 0 {
			page += " " + extra
		}
		objs = append(objs, page+" >>", fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	}
	return FileOf(objs, trailer)
}

// FileOf is a PDF of the objects objs, numbered from 1 (the first the
// catalog), with its cross-reference table and a trailer holding more.
func FileOf(objs []string, trailer string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, trailer, xref)
	return b.Bytes()
}
