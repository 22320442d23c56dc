package files

import (
	"archive/zip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"

	"datakart/connectors"
	"datakart/internal/tokenguard"
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
	case errors.Is(err, tokenguard.ErrTooLong):
		d.sink.PartError(fmt.Errorf("ods: a cell over %d MiB; the rest of the spreadsheet was not read", maxRecordBytes>>20))
	default:
		d.sink.PartError(fmt.Errorf("ods: %w", err))
	}
	return nil
}

// odsSheets hands the cells of content.xml to the sink.
func (d *decoder) odsSheets(ctx context.Context, r io.Reader) error {
	g := tokenguard.New(&budgetReader{r, d}, maxRecordBytes)
	dec := xml.NewDecoder(g)
	var tokenEnd int64
	g.Offset = func() int64 { return tokenEnd }
	var sheet *sheetRows
	row, rowRepeat := 0, 1
	var cells []odsCell // of the row being read
	col, colRepeat := 0, 1
	var text []byte
	inCell, numeric, value := false, false, ""
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		tokenEnd = dec.InputOffset()
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "table":
				if t.Name.Space != odfTable {
					break
				}
				sheet = &sheetRows{d: d, name: odfAttr(t, odfTable, "name"), row: -1}
				row = 0
			case "table-row":
				rowRepeat, cells, col = odfRepeat(t, "number-rows-repeated"), cells[:0], 0
			case "table-cell", "covered-table-cell":
				colRepeat, inCell, text = odfRepeat(t, "number-columns-repeated"), true, text[:0]
				// A number's value as it is stored, as xlsx is read: the
				// text shown may be formatted ("1,00E+10").
				value = odfAttr(t, odfOffice, "value")
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
		case xml.CharData:
			if inCell {
				text = append(text, t...)
			}
		case xml.EndElement:
			switch t.Name.Local {
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
				if t.Name.Space == odfTable && sheet != nil {
					if err := sheet.flush(); err != nil {
						return err
					}
					sheet = nil
				}
			}
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

func odfAttr(t xml.StartElement, space, local string) string {
	for _, a := range t.Attr {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// odfRepeat is a row's or cell's count of repeats: at least 1, and at
// most the rows a spreadsheet has.
func odfRepeat(t xml.StartElement, local string) int {
	n, err := strconv.Atoi(odfAttr(t, odfTable, local))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, 1<<20)
}
