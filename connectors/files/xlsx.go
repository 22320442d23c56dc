package files

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"golang.org/x/net/html"

	"datakart/connectors"
)

// An xlsx workbook keeps each sheet's cells in a part of its own
// (xl/worksheets/sheet1.xml: sheetData, row, c elements) and the text of
// its text cells once, in xl/sharedStrings.xml, which a cell points into
// by index ([ECMA-376] part 1, 18.3 and 18.4). Both are read as a stream
// of tokens from the zip: only the shared strings are held, so memory
// grows with a workbook's distinct texts, not with its rows (excelize,
// which held each sheet whole, took 447 MB for 400,000 rows and refused a
// sheet past 256 MiB, so nothing of it was read). Sheets are read as xls
// and ods sheets are: the first non-empty row is the header, and each
// cell below is a value of the field "Sheet!header". A cell's value is as
// stored: a number unformatted, and marked numeric, so a fødselsnummer
// that lost its leading zero gets it back.

// xlsx reads each sheet of a workbook.
func (d *decoder) xlsx(ctx context.Context, zr *zip.Reader, part string) error {
	d.sink.Begin(connectors.Part{Path: part, Kind: "xlsx"})
	sheets, err := xlsxSheets(zr)
	if err != nil || len(sheets) == 0 {
		// A workbook whose list of sheets is broken still has its
		// sheets: each part under xl/worksheets is read, named by its
		// file.
		if err != nil {
			d.sink.PartError(fmt.Errorf("xlsx: %w; the sheets were read by their parts' names", err))
		}
		for _, f := range zr.File {
			if dir, file := path.Split(f.Name); dir == "xl/worksheets/" && path.Ext(file) == ".xml" {
				sheets = append(sheets, xlsxSheet{strings.TrimSuffix(file, ".xml"), f.Name})
			}
		}
	}
	strs, err := d.sharedStrings(ctx, zr)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// The sheets' numbers and inline texts are still read.
		d.sink.PartError(fmt.Errorf("xlsx shared strings: %w", err))
	}
	for _, s := range sheets {
		err := d.xlsxSheet(ctx, zr, s, strs)
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, html.ErrBufferExceeded):
			d.sink.PartError(fmt.Errorf("xlsx sheet %q: a cell over %d MiB; the rest of the sheet was not read", s.name, maxRecordBytes>>20))
		default:
			d.sink.PartError(fmt.Errorf("xlsx sheet %q: %w", s.name, err))
		}
	}
	return nil
}

// maxColumns is how many columns a sheet has: A to XFD.
const maxColumns = 16384

// xlsxSheet is a sheet's name and part.
type xlsxSheet struct{ name, part string }

// xlsxSheets lists a workbook's sheets in its order, with their parts,
// through the workbook's relationships (a target is relative to xl/, or
// from the package's root where it starts with '/').
func xlsxSheets(zr *zip.Reader) ([]xlsxSheet, error) {
	var workbook struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			ID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := decodeMember(zr, "xl/workbook.xml", &workbook); err != nil {
		return nil, err
	}
	targets := linkTargets(zr, "xl/workbook.xml")
	var sheets []xlsxSheet
	for _, s := range workbook.Sheets {
		t, ok := targets[s.ID]
		if !ok {
			continue
		}
		if abs, ok := strings.CutPrefix(t, "/"); ok {
			sheets = append(sheets, xlsxSheet{s.Name, abs})
		} else {
			sheets = append(sheets, xlsxSheet{s.Name, path.Join("xl", t)})
		}
	}
	return sheets, nil
}

// sharedTexts are a workbook's shared strings, in one buffer.
type sharedTexts struct {
	data []byte
	ends []int // where each string ends in data
}

func (s *sharedTexts) at(i int) ([]byte, bool) {
	if s == nil || i < 0 || i >= len(s.ends) {
		return nil, false
	}
	start := 0
	if i > 0 {
		start = s.ends[i-1]
	}
	return s.data[start:s.ends[i]], true
}

// sharedStrings reads xl/sharedStrings.xml: each si element's text, the
// t elements in it but those of a phonetic reading (rPh).
func (d *decoder) sharedStrings(ctx context.Context, zr *zip.Reader) (*sharedTexts, error) {
	f := zipMember(zr, "xl/sharedStrings.xml")
	for _, m := range zr.File {
		if f == nil && strings.EqualFold(path.Base(m.Name), "sharedStrings.xml") {
			f = m // where another writer than Excel put it
		}
	}
	if f == nil {
		return nil, nil // a workbook with numbers only
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	s := &sharedTexts{}
	inT, phonetic := false, 0
	return s, xmlTokens(ctx, &budgetReader{rc, d}, func(tt html.TokenType, name []byte, z *xmlScanner) error {
		switch tt {
		case html.StartTagToken:
			switch string(name) {
			case "t":
				inT = true
			case "rph":
				phonetic++
			}
		case html.EndTagToken:
			switch string(name) {
			case "t":
				inT = false
			case "rph":
				phonetic = max(phonetic-1, 0)
			case "si":
				s.ends = append(s.ends, len(s.data))
			}
		case html.TextToken:
			if inT && phonetic == 0 {
				s.data = append(s.data, z.Text()...)
			}
		}
		if s.size() > d.opt.MaxMemberBytes {
			// They are held: past the bound of what is held, the rest
			// are not read, and the cells that point to them are empty.
			return fmt.Errorf("%w: over %d MiB; the strings after it were not read", connectors.ErrLimit, d.opt.MaxMemberBytes>>20)
		}
		return nil
	})
}

// size is about what the strings take in memory.
func (s *sharedTexts) size() int64 { return int64(len(s.data) + 8*len(s.ends)) }

// xlsxSheet reads the cells of one sheet.
func (d *decoder) xlsxSheet(ctx context.Context, zr *zip.Reader, sh xlsxSheet, strs *sharedTexts) error {
	f := zipMember(zr, sh.part)
	if f == nil {
		return fmt.Errorf("no part %s", sh.part)
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	sheet := &sheetRows{d: d, name: sh.name, row: -1}
	row, col := 0, -1
	var typ cellType
	var text []byte
	inCell, inValue, phonetic := false, false, 0
	err = xmlTokens(ctx, &budgetReader{rc, d}, func(tt html.TokenType, name []byte, z *xmlScanner) error {
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			switch string(name) {
			case "row":
				ref, _ := xlsxAttrs(z.Raw())
				if r, ok := parseDecimal(ref); ok && r > 0 {
					row = r - 1
				} else {
					row++
				}
				col = -1
			case "c":
				ref, t := xlsxAttrs(z.Raw())
				if c, ok := cellColumn(ref); ok {
					col = c
				} else {
					col++
				}
				// Past the columns a sheet has (XFD), or the cells a row
				// can hold, a cell is not one a spreadsheet program wrote.
				inCell = tt == html.StartTagToken && col < maxColumns && len(sheet.cells) < maxColumns
				typ, text = t, text[:0]
			case "v", "t":
				inValue = inCell
			case "rph":
				phonetic++
			}
		case html.EndTagToken:
			switch string(name) {
			case "v", "t":
				inValue = false
			case "rph":
				phonetic = max(phonetic-1, 0)
			case "c":
				inCell = false
				value, numeric := text, false
				switch typ {
				case cellShared:
					i, ok := parseDecimal(bytes.TrimSpace(text))
					value, _ = strs.at(i)
					if !ok {
						value = nil
					}
				case cellText:
				case cellNone:
					value = nil
				default:
					numeric = true
				}
				if len(value) > 0 {
					return putCell(sheet, row, col, value, numeric)
				}
			}
		case html.TextToken:
			if inCell && inValue && phonetic == 0 {
				if text = append(text, z.Text()...); len(text) > maxRecordBytes {
					return html.ErrBufferExceeded // a cell of many text runs
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return sheet.flush()
}

// xmlTokens hands each token of the XML in r to fn, with its tag's local
// name (lower-cased, the prefix dropped) for tags, until the end of r or
// fn's error. A token over maxRecordBytes is html.ErrBufferExceeded.
func xmlTokens(ctx context.Context, r io.Reader, fn func(html.TokenType, []byte, *xmlScanner) error) error {
	z := newXMLScanner(r)
	var name [16]byte // the tags fn tells apart have short names
	for n := 0; ; n++ {
		if n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if err := z.Err(); !errors.Is(err, io.EOF) {
				return err
			}
			return nil
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			if err := fn(tt, lowerLocalName(name[:0], z.Raw()), z); err != nil {
				return err
			}
		case html.TextToken:
			if err := fn(tt, nil, z); err != nil {
				return err
			}
		}
	}
}

// cellType is what a cell's t attribute says its value is.
type cellType uint8

const (
	cellNumber cellType = iota // "n", or no type
	cellShared                 // "s": an index into the shared strings
	cellText                   // "inlineStr", "str" (a formula's text) or "d" (an ISO 8601 date)
	cellNone                   // "b" or "e": a truth value or an error, no data of anyone's
)

// xlsxAttrs are the attributes r (a row's number or a cell's reference)
// and t (a cell's type) of the start tag raw, any prefix dropped,
// whatever their order.
func xlsxAttrs(raw []byte) (r []byte, t cellType) {
	eachAttr(raw, func(key, val []byte) error {
		if key = localTagName(key); len(key) != 1 {
			return nil
		}
		if bytes.IndexByte(val, '&') >= 0 {
			val = []byte(html.UnescapeString(string(val)))
		}
		switch key[0] | 0x20 {
		case 'r':
			r = val
		case 't':
			switch {
			case bytes.EqualFold(val, []byte("s")):
				t = cellShared
			case bytes.EqualFold(val, []byte("inlineStr")), bytes.EqualFold(val, []byte("str")), bytes.EqualFold(val, []byte("d")):
				t = cellText
			case bytes.EqualFold(val, []byte("b")), bytes.EqualFold(val, []byte("e")):
				t = cellNone
			default:
				t = cellNumber
			}
		}
		return nil
	})
	return r, t
}

// parseDecimal reads a row's number or a shared string's index: decimal
// digits only, short enough to be an int.
func parseDecimal(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c-'0' >= 10 {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// cellColumn is the column, from 0, of a cell reference such as "AB12".
func cellColumn[S ~string | ~[]byte](ref S) (int, bool) {
	col, i := 0, 0
	for ; i < len(ref) && i < 3; i++ {
		c := ref[i] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
	}
	if i == 0 || i == len(ref) || !isDigit(ref[i]) {
		return 0, false
	}
	return col - 1, true
}
