package files

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"golang.org/x/net/html"

	"datakart/connectors"
)

// An OpenDocument spreadsheet (.ods) keeps its sheets in content.xml as
// table:table elements of table:table-row elements of table:table-cell
// elements, each cell's text in text:p elements ([ODF 1.3] part 3, 9.1).
// It is read like an xlsx: the first non-empty row of a sheet is its
// header, and each cell below is a value of the field "Sheet!header".

// maxRepeat bounds how many times a cell or row with a value is counted
// where it says it repeats: a spreadsheet repeats empty cells to the end
// of the sheet, and one with a value a billion times is a bomb.
const maxRepeat = 256

// ods reads each sheet of an OpenDocument spreadsheet.
func (d *decoder) ods(ctx context.Context, zr *zip.Reader, part string) error {
	d.sink.Begin(connectors.Part{Path: part, Kind: "ods"})
	content := zipMember(zr, "content.xml")
	if content == nil {
		d.sink.PartError(errors.New("ods: no content.xml"))
		return nil
	}
	rc, err := content.Open()
	if err != nil {
		d.sink.PartError(fmt.Errorf("ods: %w", err))
		return nil
	}
	defer rc.Close()
	err = d.odsSheets(ctx, rc)
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, html.ErrBufferExceeded):
		d.sink.PartError(fmt.Errorf("ods: a cell over %d MiB; the rest of the spreadsheet was not read", maxRecordBytes>>20))
	default:
		d.sink.PartError(fmt.Errorf("ods: %w", err))
	}
	return nil
}

// odsSheets hands the cells of content.xml to the sink. It reads with
// xmlScanner, as xlsx is read, and tells OpenDocument's table and office
// names from others by their namespaces, whatever their prefixes.
func (d *decoder) odsSheets(ctx context.Context, r io.Reader) error {
	z := newXMLScanner(&budgetReader{r, d})
	var ns xmlNamespaces
	var sheet *sheetRows
	row, rowRepeat := 0, 1
	var cells []odsCell // of the row being read
	col, colRepeat := 0, 1
	var text []byte
	inCell, numeric, value := false, false, ""
	start := func(raw []byte) {
		space, name := ns.start(raw)
		switch string(name) {
		case "table":
			if space != odfTable {
				break
			}
			sheet = &sheetRows{d: d, name: ns.attr(raw, odfTable, "name"), row: -1}
			row = 0
		case "table-row":
			rowRepeat, cells, col = odfRepeat(ns.attr(raw, odfTable, "number-rows-repeated")), cells[:0], 0
		case "table-cell", "covered-table-cell":
			colRepeat, inCell, text = odfRepeat(ns.attr(raw, odfTable, "number-columns-repeated")), true, text[:0]
			// A number's value as it is stored, as xlsx is read: the
			// text shown may be formatted ("1,00E+10").
			value = ns.attr(raw, odfOffice, "value")
			numeric = value != ""
		case "p":
			if inCell && len(text) > 0 {
				text = append(text, '\n')
			}
		case "s":
			if inCell {
				text = append(text, ' ')
			}
		case "tab":
			if inCell {
				text = append(text, '\t')
			}
		case "line-break":
			if inCell {
				text = append(text, '\n')
			}
		}
	}
	end := func(raw []byte) error {
		space, name := ns.end(raw)
		switch string(name) {
		case "table-cell", "covered-table-cell":
			inCell = false
			if !numeric {
				value = string(text)
			}
			if value != "" {
				for k := range min(colRepeat, maxRepeat) {
					cells = append(cells, odsCell{col: col + k, value: value, numeric: numeric})
				}
			}
			col += colRepeat
		case "table-row":
			if sheet == nil {
				break
			}
			if len(cells) > 0 {
				for k := range min(rowRepeat, maxRepeat) {
					for _, c := range cells {
						if err := putCell(sheet, row+k, c.col, c.value, c.numeric); err != nil {
							return err
						}
					}
				}
			}
			row += rowRepeat
		case "table":
			if space == odfTable && sheet != nil {
				if err := sheet.flush(); err != nil {
					return err
				}
				sheet = nil
			}
		}
		return nil
	}
	for n := 0; ; n++ {
		if n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var err error
		switch z.Next() {
		case html.ErrorToken:
			if err := z.Err(); !errors.Is(err, io.EOF) {
				return err
			}
			if sheet != nil {
				return sheet.flush() // a sheet the part ends in, not closed
			}
			return nil
		case html.StartTagToken:
			start(z.Raw())
		case html.SelfClosingTagToken:
			start(z.Raw())
			err = end(z.Raw())
		case html.EndTagToken:
			err = end(z.Raw())
		case html.TextToken:
			if inCell {
				if text = append(text, z.Text()...); len(text) > maxRecordBytes {
					return html.ErrBufferExceeded // a cell of many pieces of text
				}
			}
		}
		if err != nil {
			return err
		}
	}
}

// odsCell is a cell of the row being read, which may repeat.
type odsCell struct {
	col     int
	value   string
	numeric bool
}

// The namespaces of OpenDocument's table and office attributes.
const (
	odfTable  = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
	odfOffice = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
)

// odfRepeat is a row's or cell's count of repeats: at least 1, and at
// most the rows a spreadsheet has.
func odfRepeat(v string) int {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 1
	}
	return min(n, 1<<20)
}

// xmlNamespaces follows the namespace prefixes an XML document declares
// (xmlns:table="urn:…") from tag to tag, so that a name is known by its
// namespace, as encoding/xml knows it, whatever prefix the writer chose.
type xmlNamespaces struct {
	depth    int
	bindings []xmlNamespace
}

type xmlNamespace struct {
	depth        int // of the element that declared it
	prefix, name string
}

// start enters the element whose start tag is raw, takes in the prefixes
// it declares, and returns its namespace and local name.
func (n *xmlNamespaces) start(raw []byte) (space string, local []byte) {
	n.depth++
	eachAttr(raw, func(key, val []byte) error {
		if prefix, ok := bytes.CutPrefix(key, []byte("xmlns")); ok && (len(prefix) == 0 || prefix[0] == ':') {
			n.bindings = append(n.bindings, xmlNamespace{n.depth, string(bytes.TrimPrefix(prefix, []byte(":"))), html.UnescapeString(string(val))})
		}
		return nil
	})
	return n.split(tagName(raw), true)
}

// end leaves the element whose end tag (or self-closing start tag) is
// raw, and returns its namespace and local name.
func (n *xmlNamespaces) end(raw []byte) (space string, local []byte) {
	space, local = n.split(tagName(raw), true)
	for len(n.bindings) > 0 && n.bindings[len(n.bindings)-1].depth >= n.depth {
		n.bindings = n.bindings[:len(n.bindings)-1]
	}
	n.depth = max(n.depth-1, 0)
	return space, local
}

// split returns the namespace and the local name of a prefixed name. An
// unprefixed element is in the default namespace, an unprefixed
// attribute in none.
func (n *xmlNamespaces) split(name []byte, element bool) (string, []byte) {
	local := localTagName(name)
	if len(local) == len(name) && !element {
		return "", local
	}
	prefix := name[:max(len(name)-len(local)-1, 0)]
	for i := len(n.bindings) - 1; i >= 0; i-- {
		if n.bindings[i].prefix == string(prefix) {
			return n.bindings[i].name, local
		}
	}
	return "", local
}

// attr returns the value of the attribute of the start tag raw with the
// namespace space and the local name local, unescaped, or "".
func (n *xmlNamespaces) attr(raw []byte, space, local string) string {
	var v string
	eachAttr(raw, func(key, val []byte) error {
		if s, l := n.split(key, false); s == space && string(l) == local {
			v = html.UnescapeString(string(val))
		}
		return nil
	})
	return v
}
