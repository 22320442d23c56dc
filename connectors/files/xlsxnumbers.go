package files

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"path"
	"strings"

	"github.com/xuri/excelize/v2"
)

// A fødselsnummer in a number cell of a spreadsheet lost its leading
// zero (05058710050 is kept as 5058710050), and the scanner puts it back
// for a value marked numeric. excelize hands on a cell's value but not
// its type, so the cells whose number is ten digits are found in the
// sheet's XML first, and only in a sheet that has such a number at all.

// xlsxSheetPaths maps a workbook's sheet names to their parts, through
// the workbook's relationships (a target is relative to xl/, or from the
// package's root where it starts with '/').
func xlsxSheetPaths(zr *zip.Reader) map[string]string {
	var workbook struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			ID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if decodeMember(zr, "xl/workbook.xml", &workbook) != nil {
		return nil
	}
	targets := linkTargets(zr, "xl/workbook.xml")
	paths := map[string]string{}
	for _, s := range workbook.Sheets {
		if t, ok := targets[s.ID]; ok {
			if abs, ok := strings.CutPrefix(t, "/"); ok {
				paths[s.Name] = abs
			} else {
				paths[s.Name] = path.Join("xl", t)
			}
		}
	}
	return paths
}

// tenDigitNumbers returns the cells, by row and column from 1, of the
// sheet part whose value is a number of ten digits. It reads the XML as
// bytes, not as tokens: encoding/xml took half again the time excelize
// takes for the whole sheet. A value "<v>5058710050</v>" is found first;
// then the cell's tag before it ("<c r=\"B2\" s=\"0\" t=\"n\">", with or
// without a namespace prefix) says where it is and whether it is a number
// (no t, or t="n"). A tag written another way is not found, and its value
// is not marked: the leading zero stays lost, as it was before.
func tenDigitNumbers(zr *zip.Reader, part string) (map[[2]int]bool, error) {
	f := zipMember(zr, part)
	if f == nil {
		return nil, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var cells map[[2]int]bool
	const keep = 1 << 10 // of the text before a chunk, for a cell's tag
	buf := make([]byte, keep+(256<<10))
	have := 0 // bytes in buf
	for {
		n, err := io.ReadFull(rc, buf[have:])
		have += n
		chunk := buf[:have]
		last := 0 // the end of the last value read
		for i := 0; ; {
			j := bytes.Index(chunk[i:], []byte("v>"))
			if j < 0 {
				break
			}
			i += j + 2
			v := chunk[i:min(i+12, len(chunk))]
			if len(v) < 12 || !tenDigits(v[:10]) || string(v[10:]) != "</" || i < 3 || chunk[i-3] != '<' && chunk[i-3] != ':' {
				continue
			}
			last = i + 12
			if row, col, ok := numberCell(chunk[max(i-keep, 0) : i-3]); ok {
				if cells == nil {
					cells = map[[2]int]bool{}
				}
				cells[[2]int{row, col}] = true
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return cells, nil
			}
			return cells, err
		}
		// Keep the tail, for a value or a tag the chunk cut.
		tail := max(have-keep, last)
		have = copy(buf, chunk[tail:])
	}
}

// numberCell reads the last cell tag in before: its position, and whether
// it is a number.
func numberCell(before []byte) (row, col int, ok bool) {
	start := max(bytes.LastIndex(before, []byte("<c ")), bytes.LastIndex(before, []byte(":c ")))
	if start < 0 {
		return 0, 0, false
	}
	tag := before[start:]
	if end := bytes.IndexByte(tag, '>'); end >= 0 {
		tag = tag[:end]
	}
	if t := attrValue(tag, "t"); t != "" && t != "n" {
		return 0, 0, false
	}
	col, row, err := excelize.CellNameToCoordinates(attrValue(tag, "r"))
	return row, col, err == nil
}

// attrValue is the value of the attribute name="…" in a tag, or "".
func attrValue(tag []byte, name string) string {
	key := []byte(" " + name + "=\"")
	i := bytes.Index(tag, key)
	if i < 0 {
		return ""
	}
	v := tag[i+len(key):]
	if end := bytes.IndexByte(v, '"'); end >= 0 {
		return string(v[:end])
	}
	return ""
}

// tenDigits reports whether v is ten digits, the first not 0.
func tenDigits(v []byte) bool {
	if len(v) != 10 || v[0] == '0' {
		return false
	}
	for _, c := range v {
		if !isDigit(c) {
			return false
		}
	}
	return true
}
