package files

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"datakart/connectors"
)

// A database cell is read as the file it holds: its kind, its text with
// each value after its field's name, or nothing when it is no document.
func TestReadDocument(t *testing.T) {
	opt := Options{}
	opt.defaults()
	file := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tt := range []struct {
		name, kind, text string
		unread           bool
	}{
		{"innebygd.docx", "docx", "10048744732", false},
		{"innebygd.odt", "odt", "10048744732", false},
		{"innebygd.xls", "office 97-2003", "10048744732", false},
		{"vedlagt.pdf", "pdf", "fødselsnummer: 10048744732", false},
		{"lonnsslipp.png", "image (--ocr reads it)", "", true},
	} {
		doc, err := readDocument(context.Background(), &opt, file(tt.name), nil)
		if err != nil || doc.Kind != tt.kind || doc.Unread != tt.unread || !strings.Contains(string(doc.Text), tt.text) {
			t.Errorf("%s: %q %v %v: %.200q", tt.name, doc.Kind, doc.Unread, err, doc.Text)
		}
	}
	for _, v := range [][]byte{{0x00, 0x01, 0xff, 0xfe}, bytes.Repeat([]byte{0xAB}, 100)} {
		if doc, err := readDocument(context.Background(), &opt, v, nil); doc.Kind != "" || len(doc.Text) != 0 || err != nil {
			t.Errorf("%x: read as %q %q %v", v, doc.Kind, doc.Text, err)
		}
	}
	if doc, err := readDocument(context.Background(), &opt, []byte("%PDF-1.7\n\x00\x01 not a PDF"), nil); doc.Kind != "pdf" || err == nil {
		t.Errorf("a corrupt PDF: %q, %v", doc.Kind, err)
	}
	// A picture in a letter is skipped, and the letter is read whole; a
	// document skipped itself is not.
	c := &collectSink{}
	c.Begin(connectors.Part{Path: "word/media/image1.emf"})
	c.PartSkipped("binary file")
	c.Begin(connectors.Part{})
	c.PartSkipped("encrypted PDF")
	if len(c.errs) != 1 || c.errs[0].Error() != "encrypted PDF" {
		t.Errorf("skips: %v", c.errs)
	}
}

// The text of a document keeps each value's field before it, pads a
// number that lost its leading zero, and stops at maxDocumentText.
func TestCollectSink(t *testing.T) {
	c := &collectSink{}
	c.Begin(connectors.Part{Path: "Ark1"})
	c.Value(connectors.Value{Field: "Ark1!Fødselsnummer", Data: []byte("1048744732"), Numeric: true})
	c.Value(connectors.Value{Data: []byte("fri tekst")})
	if got := string(c.text); got != "Ark1!Fødselsnummer: 01048744732\nfri tekst" {
		t.Errorf("text %q", got)
	}
	c.Value(connectors.Value{Data: make([]byte, maxDocumentText)})
	if len(c.text) > maxDocumentText || !c.cut || len(c.errs) != 1 {
		t.Errorf("past the limit: %d bytes, cut %v, %v", len(c.text), c.cut, c.errs)
	}
}
