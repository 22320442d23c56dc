package files

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"datakart/connectors"
	"datakart/connectors/sqldb"
)

// maxDocumentText bounds the text kept of one document in a database
// cell: a 100-page PDF has some 300 KB of it.
const maxDocumentText = 16 << 20

// DocumentReader returns what reads the documents databases keep in
// binary columns (an invoice's PDF, a CV's docx, a scanned passport with
// --ocr) for sqldb.Options.Documents: a document is read as the file it
// is, within opt's limits, and all its text is one value of its column.
// A column of documents is then judged as a column: "12 of 300 non-empty
// values" are 12 of 300 documents.
func DocumentReader(opt Options) (func(ctx context.Context, data, text []byte) (sqldb.Document, error), error) {
	opt.defaults()
	if opt.OCR {
		var err error
		if opt.ocr, err = findOCR(); err != nil {
			return nil, err
		}
	}
	return func(ctx context.Context, data, text []byte) (sqldb.Document, error) {
		return readDocument(ctx, &opt, data, text)
	}, nil
}

// readDocument reads data as a file and appends its text to text; the
// error says what of it could not be read.
func readDocument(ctx context.Context, opt *Options, data, text []byte) (sqldb.Document, error) {
	head := data[:min(len(data), sniffLen)]
	kind := sniff(head, "")
	switch {
	case kind == "" && bytes.HasPrefix(head, []byte(sqliteSignature)):
	case kind == "" && imageFormat(head) != "":
		if opt.ocr == nil {
			// Named in the column's type: a scanned passport is personal
			// data that only --ocr reads.
			return sqldb.Document{Text: text, Kind: "image (--ocr reads it)", Unread: true}, nil
		}
	case !documentKinds[kind]:
		// A hash, a key, a format not read; or bytes the column's reader
		// found no text in, which a text decoder here would take for
		// Latin-1.
		return sqldb.Document{Text: text}, nil
	}
	kind = documentKind(data, head, kind)
	cs := &collectSink{text: text}
	// A cell is one of many: each may inflate no more than a member in
	// memory may, not what a whole file may.
	d := &decoder{opt: opt, sink: cs, budget: min(opt.MaxExpandedBytes, opt.MaxMemberBytes)}
	err := d.decode(ctx, bytes.NewReader(data), "", "", 0)
	if err == nil {
		err = errors.Join(cs.errs...)
	}
	return sqldb.Document{Text: cs.text, Kind: kind}, err
}

// documentKinds are the kinds sniff gives that a binary value may be read
// as: files, not text.
var documentKinds = map[string]bool{
	"pdf": true, "rtf": true, "ole": true, "zip": true, "docx": true, "xlsx": true, "pptx": true,
	"odt": true, "ods": true, "odp": true, "gzip": true, "bzip2": true, "zstd": true, "xz": true,
	"lzma": true, "tar": true, "7z": true, "rar": true, "pst": true, "mdb": true, "parquet": true,
}

// documentKind names what a document is for the column's type: a zip by
// its parts, as the zip reader tells an Office or OpenDocument file (the
// whole cell is in memory, so its directory is at hand).
func documentKind(data, head []byte, kind string) string {
	switch kind {
	case "zip":
		if zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err == nil {
			return officeKind(zr)
		}
	case "ole":
		return "office 97-2003"
	case "":
		if bytes.HasPrefix(head, []byte(sqliteSignature)) {
			return "sqlite"
		}
		return "image"
	}
	return kind
}

// collectSink gathers the text of every part of one document, each value
// after its field's name (a spreadsheet's header, a JSON path), so that a
// context word in the name counts as one beside the value would.
type collectSink struct {
	text []byte
	errs []error
	part string
	cut  bool
}

func (c *collectSink) Begin(p connectors.Part)            { c.part = p.Path }
func (c *collectSink) Fields(...string)                   {}
func (c *collectSink) FieldInfo(string, string, int)      {}
func (c *collectSink) Sampled(int64, string)              {}
func (c *collectSink) Paced(time.Duration, time.Duration) {}

func (c *collectSink) Value(v connectors.Value) error {
	if len(v.Data) == 0 || c.cut {
		return nil
	}
	if len(c.text)+len(v.Field)+len(v.Data)+3 > maxDocumentText {
		c.cut = true
		c.errs = append(c.errs, fmt.Errorf("its text past %d MiB was not read", maxDocumentText>>20))
		return nil
	}
	if len(c.text) > 0 {
		c.text = append(c.text, '\n')
	}
	if v.Field != "" {
		c.text = append(c.text, v.Field...)
		c.text = append(c.text, ": "...)
	}
	if v.LostZero(v.Data) {
		c.text = append(c.text, '0') // as the scanner pads a number that lost its zero
	}
	c.text = append(c.text, v.Data...)
	return nil
}

func (c *collectSink) PartError(err error) {
	if c.part != "" {
		err = fmt.Errorf("%s: %w", c.part, err)
	}
	c.errs = append(c.errs, err)
}

// PartSkipped is an error when the document itself is not read (an
// encrypted PDF); a part of it skipped (a picture in a letter) is not.
func (c *collectSink) PartSkipped(reason string) {
	if c.part == "" {
		c.PartError(errors.New(reason))
	}
}
