package files

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"

	"datakart/connectors"
	"datakart/internal/utf16le"
)

// An Excel 97–2003 workbook (.xls) is a stream of BIFF8 records
// ([MS-XLS] 2.1.4): the workbook's globals (sheet names, and the shared
// strings most cells point into), then each sheet's cells. It is read
// like an xlsx: the first non-empty row of a sheet is its header, and
// each cell below is a value of the field "Sheet!header".

// BIFF8 record types.
const (
	biffBOF        = 0x0809
	biffEOF        = 0x000A
	biffFilePass   = 0x002F
	biffBoundSheet = 0x0085
	biffSST        = 0x00FC
	biffContinue   = 0x003C
	biffLabelSST   = 0x00FD
	biffLabel      = 0x0204
	biffNumber     = 0x0203
	biffRK         = 0x027E
	biffMulRK      = 0x00BD
	biffFormula    = 0x0006
	biffString     = 0x0207
)

// biffRecords splits a workbook stream into its records, each with the
// CONTINUE records after it, and calls fn with each, and its offset.
func biffRecords(wb []byte, fn func(typ uint16, data [][]byte, pos int) error) error {
	for pos := 0; pos+4 <= len(wb); {
		typ, n := binary.LittleEndian.Uint16(wb[pos:]), int(binary.LittleEndian.Uint16(wb[pos+2:]))
		start := pos
		if pos+4+n > len(wb) {
			return errors.New("truncated record")
		}
		data := [][]byte{wb[pos+4 : pos+4+n]}
		pos += 4 + n
		for pos+4 <= len(wb) && binary.LittleEndian.Uint16(wb[pos:]) == biffContinue {
			n := int(binary.LittleEndian.Uint16(wb[pos+2:]))
			if pos+4+n > len(wb) {
				return errors.New("truncated record")
			}
			data = append(data, wb[pos+4:pos+4+n])
			pos += 4 + n
		}
		if err := fn(typ, data, start); err != nil {
			return err
		}
	}
	return nil
}

// biffReader reads a record and its CONTINUE records as one.
type biffReader struct {
	recs [][]byte
	r, p int
}

var errShortRecord = errors.New("record too short")

// next returns the next n bytes, across CONTINUE records.
func (b *biffReader) next(n int, scratch []byte) ([]byte, error) {
	if b.r < len(b.recs) && b.p+n <= len(b.recs[b.r]) {
		v := b.recs[b.r][b.p : b.p+n]
		b.p += n
		return v, nil
	}
	out := scratch[:0]
	for n > 0 {
		if b.r >= len(b.recs) {
			return nil, errShortRecord
		}
		if b.p == len(b.recs[b.r]) {
			b.r, b.p = b.r+1, 0
			continue
		}
		k := min(n, len(b.recs[b.r])-b.p)
		out = append(out, b.recs[b.r][b.p:b.p+k]...)
		b.p, n = b.p+k, n-k
	}
	return out, nil
}

func (b *biffReader) u16() (int, error) {
	var s [2]byte
	v, err := b.next(2, s[:])
	if err != nil {
		return 0, err
	}
	return int(binary.LittleEndian.Uint16(v)), nil
}

// chars appends cch characters of a string to dst as UTF-8: Latin-1
// bytes, or UTF-16LE when high. Where the characters run on into a
// CONTINUE record, it starts with a byte of flags that says which again.
func (b *biffReader) chars(dst []byte, cch int, high bool) ([]byte, error) {
	for cch > 0 {
		if b.r >= len(b.recs) {
			return dst, errShortRecord
		}
		rec := b.recs[b.r]
		if b.p >= len(rec) {
			b.r++
			if b.r >= len(b.recs) || len(b.recs[b.r]) == 0 {
				return dst, errShortRecord
			}
			high, b.p = b.recs[b.r][0]&1 != 0, 1
			continue
		}
		width := 1
		if high {
			width = 2
		}
		k := min(cch, (len(rec)-b.p)/width)
		if k == 0 {
			return dst, errShortRecord // half a character
		}
		raw := rec[b.p : b.p+k*width]
		if high {
			dst = utf16le.Append(dst, raw)
		} else {
			for _, c := range raw {
				dst = appendLatin1(dst, c)
			}
		}
		b.p, cch = b.p+k*width, cch-k
	}
	return dst, nil
}

func appendLatin1(dst []byte, c byte) []byte {
	if c < 0x80 {
		return append(dst, c)
	}
	return append(dst, 0xC0|c>>6, 0x80|c&0x3F)
}

// unicodeString reads an XLUnicodeRichExtendedString (a shared string) or,
// without its rich and extended parts, an XLUnicodeString: a count of
// characters, flags, and the characters.
func (b *biffReader) unicodeString(dst []byte) ([]byte, error) {
	var s [4]byte
	cch, err := b.u16()
	if err != nil {
		return dst, err
	}
	f, err := b.next(1, s[:])
	if err != nil {
		return dst, err
	}
	flags := f[0]
	runs, ext := 0, 0
	if flags&0x08 != 0 {
		if runs, err = b.u16(); err != nil {
			return dst, err
		}
	}
	if flags&0x04 != 0 {
		v, err := b.next(4, s[:])
		if err != nil {
			return dst, err
		}
		ext = int(binary.LittleEndian.Uint32(v))
	}
	if dst, err = b.chars(dst, cch, flags&0x01 != 0); err != nil {
		return dst, err
	}
	return dst, b.skip(4*runs + ext)
}

// skip passes over n bytes, across CONTINUE records.
func (b *biffReader) skip(n int) error {
	for n > 0 {
		if b.r >= len(b.recs) || n < 0 {
			return errShortRecord
		}
		k := min(n, len(b.recs[b.r])-b.p)
		b.p, n = b.p+k, n-k
		if n > 0 {
			b.r, b.p = b.r+1, 0
		}
	}
	return nil
}

// sharedStrings reads the SST record's strings.
func sharedStrings(recs [][]byte) ([]string, error) {
	b := &biffReader{recs: recs}
	if err := b.skip(8); err != nil { // the total and unique counts, which may lie
		return nil, err
	}
	var out []string
	var buf []byte
	for b.r < len(recs) && !(b.r == len(recs)-1 && b.p == len(recs[b.r])) {
		var err error
		if buf, err = b.unicodeString(buf[:0]); err != nil {
			return out, err
		}
		out = append(out, string(buf))
	}
	return out, nil
}

// rkNumber decodes an RK value: an integer or the high bits of a double,
// maybe divided by 100.
func rkNumber(rk uint32) float64 {
	var f float64
	if rk&2 != 0 {
		f = float64(int32(rk) >> 2)
	} else {
		f = math.Float64frombits(uint64(rk&^3) << 32)
	}
	if rk&1 != 0 {
		f /= 100
	}
	return f
}

// formatNumber writes a number cell as a user sees it in Excel's General
// format: an integer without a decimal point.
func formatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// sheetRows gathers a sheet's cells (of an xls or ods) a row at a time, and
// hands them to the sink as xlsx does.
type sheetRows struct {
	d      *decoder
	name   string
	header map[int]string
	row    int
	cells  []sheetCell
	data   []byte // the values of cells, one after another
}

type sheetCell struct {
	col      int
	from, to int // the value, in sheetRows.data
	numeric  bool
}

// putCell adds a cell of s. The value is copied: a row's values share one
// buffer, not a string each (two allocations a cell were a fifth of an
// xlsx's reading).
func putCell[T ~string | ~[]byte](s *sheetRows, row, col int, value T, numeric bool) error {
	if row != s.row {
		if err := s.flush(); err != nil {
			return err
		}
		s.row = row
	}
	from := len(s.data)
	s.data = append(s.data, value...)
	s.cells = append(s.cells, sheetCell{col, from, len(s.data), numeric})
	return nil
}

func (s *sheetRows) flush() error {
	cells, data := s.cells, s.data
	s.cells, s.data = s.cells[:0], s.data[:0]
	if len(cells) == 0 {
		return nil
	}
	if s.header == nil {
		header := map[int]string{}
		for _, c := range cells {
			if v := bytes.TrimSpace(data[c.from:c.to]); len(v) > 0 {
				header[c.col] = s.name + "!" + string(v)
			}
		}
		if len(header) == 0 {
			return nil // rows before the header are empty
		}
		s.header = header
		fields := make([]string, 0, len(header))
		for _, c := range cells {
			if f, ok := header[c.col]; ok {
				fields = append(fields, f)
			}
		}
		s.d.sink.Fields(fields...)
		return nil
	}
	for _, c := range cells {
		field, ok := s.header[c.col]
		if !ok {
			field = fmt.Sprintf("%s!column_%d", s.name, c.col+1)
		}
		if err := s.d.sink.Value(connectors.Value{Field: field, Data: data[c.from:c.to], Line: s.row + 1, Numeric: c.numeric}); err != nil {
			return err
		}
	}
	return nil
}

// xls reads the cells of every worksheet of a workbook.
func (d *decoder) xls(ctx context.Context, s *oleStreams, part string) error {
	d.sink.Begin(connectors.Part{Path: part, Kind: "xls"})
	if !s.has("Workbook") {
		d.sink.PartSkipped("Excel 5.0/95 workbook (not read)")
		return nil
	}
	wb, err := s.read("Workbook")
	if err == nil {
		err = readBIFF(ctx, d, wb)
	}
	switch {
	case err != nil && ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		d.partFailed("xls", err)
	}
	return nil
}

// readBIFF reads a workbook stream's sheets into the sink.
func readBIFF(ctx context.Context, d *decoder, wb []byte) error {
	sheets := map[int]string{} // by the offset of their BOF
	var sst []string
	var sheet *sheetRows
	pendingString := -1 // the row of a formula whose string result comes next
	pendingCol := 0
	var buf []byte
	err := biffRecords(wb, func(typ uint16, recs [][]byte, pos int) error {
		data := recs[0]
		switch typ {
		case biffBOF:
			if len(data) < 4 {
				return errShortRecord
			}
			if v := binary.LittleEndian.Uint16(data); v != 0x0600 {
				return errSkip("Excel 5.0/95 workbook (not read)")
			}
			if name, ok := sheets[pos]; ok && binary.LittleEndian.Uint16(data[2:]) == 0x0010 {
				sheet = &sheetRows{d: d, name: name, row: -1}
			}
			return ctx.Err()
		case biffEOF:
			if sheet != nil {
				err := sheet.flush()
				sheet = nil
				return err
			}
		case biffFilePass:
			return errSkip("encrypted Excel workbook (not read)")
		case biffBoundSheet:
			b := &biffReader{recs: recs}
			var s [8]byte
			head, err := b.next(8, s[:])
			if err != nil {
				return err
			}
			// The offset of the sheet's BOF, its state and type, then its
			// name: a count of characters and their flags.
			pos := int(binary.LittleEndian.Uint32(head))
			name, err := b.chars(nil, int(head[6]), head[7]&1 != 0)
			if err != nil {
				return err
			}
			sheets[pos] = string(name)
		case biffSST:
			var err error
			sst, err = sharedStrings(recs)
			return err
		}
		if sheet == nil || len(data) < 6 {
			return nil
		}
		row, col := int(binary.LittleEndian.Uint16(data)), int(binary.LittleEndian.Uint16(data[2:]))
		switch typ {
		case biffLabelSST:
			if len(data) < 10 {
				return errShortRecord
			}
			if i := int(binary.LittleEndian.Uint32(data[6:])); i < len(sst) {
				return putCell(sheet, row, col, sst[i], false)
			}
		case biffLabel:
			b := &biffReader{recs: recs, p: 6}
			cch, err := b.u16()
			if err != nil {
				return err
			}
			var s [1]byte
			f, err := b.next(1, s[:])
			if err != nil {
				return err
			}
			if buf, err = b.chars(buf[:0], cch, f[0]&1 != 0); err != nil {
				return err
			}
			return putCell(sheet, row, col, string(buf), false)
		case biffNumber:
			if len(data) < 14 {
				return errShortRecord
			}
			return putCell(sheet, row, col, formatNumber(math.Float64frombits(binary.LittleEndian.Uint64(data[6:]))), true)
		case biffRK:
			if len(data) < 10 {
				return errShortRecord
			}
			return putCell(sheet, row, col, formatNumber(rkNumber(binary.LittleEndian.Uint32(data[6:]))), true)
		case biffMulRK:
			for k, p := 0, 4; p+6 <= len(data)-2; k, p = k+1, p+6 {
				if err := putCell(sheet, row, col+k, formatNumber(rkNumber(binary.LittleEndian.Uint32(data[p+2:]))), true); err != nil {
					return err
				}
			}
		case biffFormula:
			if len(data) < 14 {
				return errShortRecord
			}
			if binary.LittleEndian.Uint16(data[12:]) != 0xFFFF {
				return putCell(sheet, row, col, formatNumber(math.Float64frombits(binary.LittleEndian.Uint64(data[6:]))), true)
			}
			if data[6] == 0 { // a string, in the STRING record that follows
				pendingString, pendingCol = row, col
			}
			return nil
		case biffString:
			if pendingString < 0 {
				return nil
			}
			b := &biffReader{recs: recs}
			var err error
			if buf, err = b.unicodeString(buf[:0]); err != nil {
				return err
			}
			r := pendingString
			pendingString = -1
			return putCell(sheet, r, pendingCol, string(buf), false)
		}
		return nil
	})
	if sheet != nil && err == nil {
		err = sheet.flush()
	}
	return err
}
