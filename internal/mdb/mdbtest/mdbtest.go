// Package mdbtest writes small but real Jet 4 (Access 2000–2003) and Jet 3
// (Access 97) database files, so that a reader can be tested on files
// another implementation (mdbtools) agrees are valid. It writes no indexes
// and no properties.
//
// File layout (page numbers):
//
//	0       database header
//	1       usage-map page: row 0 is the global map of free pages (empty), the
//	        next rows are the owned-pages and free-space maps of every table
//	2       TDEF of MSysObjects (readers find the catalog here)
//	3..     TDEFs of the user tables, in order
//	...     data pages of each user table, with LVAL pages for long memos
//	        interleaved, then data pages of MSysObjects, then one 0x05
//	        bitmap page per user table with rows (and more usage-map pages
//	        if page 1 is full)
package mdbtest

import (
	"crypto/rc4"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

// Column types, as Jet stores them.
const (
	TypeLong     byte = 0x04 // int32
	TypeDouble   byte = 0x07 // float64
	TypeDateTime byte = 0x08 // float64 days since 1899-12-30 (write time.Time)
	TypeText     byte = 0x0A // up to 255 characters
	TypeMemo     byte = 0x0C // long text, kept on LVAL pages when long
	TypeOLE      byte = 0x0B // long binary ([]byte), kept as a memo is
)

// Types used only by the system catalog.
const (
	typeInt byte = 0x03 // int16
	typeOLE byte = 0x0B // long binary; the catalog's LvProp column, always NULL here
)

type Column struct {
	Name string
	Type byte
}

type Table struct {
	Name    string
	Columns []Column
	Rows    [][]any // per row one value per column: string (Text, Memo), int32 (Long), float64 (Double), time.Time (DateTime), or nil (NULL)
}

type Options struct {
	// CompressText writes text the way Access does with "Unicode compression" on (the
	// column flag, and the 0xFF 0xFE marker followed by one byte per Latin-1 character).
	// Jet 4 only.
	CompressText bool
	// Jet3 writes an Access 97 (Jet 3) database: 2 KiB pages and text in
	// cp1252, so every name and value must be in cp1252.
	Jet3 bool
}

// format is what differs between Jet 3 and Jet 4 files.
type format struct {
	jet3     bool
	pageSize int
	// Data (and LVAL) page header: type, 0x01, free space u16, owner u32,
	// in Jet 4 a write stamp u32, then the row count u16 and one u16
	// offset per row.
	dataHeader int
	// Usage map row: type byte, then u32 first page and a bitmap (or
	// only page pointers): 128 bytes in Jet 3, 64 in Jet 4.
	umapLen      int
	tdefColStart int // first column descriptor in a TDEF (no indexes)
	colDescLen   int
}

var (
	jet3 = format{jet3: true, pageSize: 2048, dataHeader: 10, umapLen: 1 + 4 + 128, tdefColStart: 43, colDescLen: 18}
	jet4 = format{pageSize: 4096, dataHeader: 14, umapLen: 1 + 4 + 64, tdefColStart: 63, colDescLen: 25}
)

// maxRowLen is the longest row a page holds.
func (f format) maxRowLen() int { return f.pageSize - f.dataHeader - 2 }

// pagesPerMap5 is how many pages one 0x05 bitmap page covers.
func (f format) pagesPerMap5() uint32 { return uint32(f.pageSize-4) * 8 }

const (
	maxPageRows  = 255 // a row pointer keeps the row number in one byte
	memoOverhead = 12  // memo/OLE field header inside the row

	// Memo values up to this many stored bytes stay inside the row; longer
	// ones go to LVAL pages. Access uses a similar small threshold.
	maxInlineMemo = 256
	// Access stores memo values with more characters than this uncompressed
	// even with Unicode compression on.
	maxCompressedMemo = 1024

	magicTableNo = 1625 // constant Access writes in Jet 4's TDEF and column descriptors
)

// Write returns a complete Jet 4 database (4 KiB pages), or with
// opt.Jet3 a Jet 3 one (2 KiB pages), holding the tables.
func Write(tables []Table, opt Options) ([]byte, error) {
	f := jet4
	if opt.Jet3 {
		if opt.CompressText {
			return nil, errors.New("mdbtest: Jet 3 has no Unicode compression")
		}
		f = jet3
	}
	seen := map[string]bool{"msysobjects": true}
	for _, t := range tables {
		if err := checkTable(t); err != nil {
			return nil, err
		}
		key := strings.ToLower(t.Name)
		if seen[key] {
			return nil, fmt.Errorf("mdbtest: duplicate or reserved table name %q", t.Name)
		}
		seen[key] = true
	}

	w := &writer{f: f, compress: opt.CompressText, pages: make([][]byte, 3)}
	tdefs := make([]uint32, len(tables))
	for i := range tables {
		tdefs[i] = w.alloc()
	}

	owned := make([][]uint32, len(tables))
	for i, t := range tables {
		var err error
		if owned[i], err = w.writeRows(t, tdefs[i]); err != nil {
			return nil, err
		}
	}

	// The catalog: one row for itself (a system table) and one per user
	// table. The Id of a table is its TDEF page; Type 1 is "table".
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	sys := Table{Name: "MSysObjects", Columns: []Column{
		{"Id", TypeLong}, {"ParentId", TypeLong}, {"Name", TypeText}, {"Type", typeInt},
		{"DateCreate", TypeDateTime}, {"DateUpdate", TypeDateTime}, {"Flags", TypeLong},
		{"LvProp", typeOLE},
	}}
	// Flags 0x80000002 marks a system object; mdbtools and Access hide those.
	sys.Rows = append(sys.Rows, []any{int32(2), int32(0), "MSysObjects", int16(1), now, now, int32(-0x7ffffffe), nil})
	for i, t := range tables {
		sys.Rows = append(sys.Rows, []any{int32(tdefs[i]), int32(0), t.Name, int16(1), now, now, int32(0), nil})
	}
	sysOwned, err := w.writeRows(sys, 2)
	if err != nil {
		return nil, err
	}

	// Usage maps. Row 0 of page 1 is the global map of free pages; there
	// are none. User tables get a reference map (type 1) for their owned
	// pages, as Access writes for tables, and the catalog an inline map
	// (type 0), so that both forms occur. Free-space maps are inline and
	// list the last data page, the only one written with room to spare.
	w.pages[1] = w.newDataPage(0)
	w.maps = w.fill(1)
	w.addMapRow(w.inlineMap(nil))
	sysMap := w.addMapRow(w.inlineMap(sysOwned))
	sysFree := w.addMapRow(w.inlineMap(sysOwned[len(sysOwned)-1:]))
	if err := w.putTDEF(2, sys, 0x53, sysMap, sysFree); err != nil {
		return nil, err
	}
	for i, t := range tables {
		m := w.addMapRow(w.referenceMap(owned[i]))
		var last []uint32
		if n := len(owned[i]); n > 0 {
			last = owned[i][n-1:]
		}
		free := w.addMapRow(w.inlineMap(last))
		if err := w.putTDEF(tdefs[i], t, 0x4E, m, free); err != nil {
			return nil, err
		}
	}

	w.pages[0] = w.header()
	out := make([]byte, 0, len(w.pages)*f.pageSize)
	for _, p := range w.pages {
		out = append(out, p...)
	}
	return out, nil
}

func checkTable(t Table) error {
	if t.Name == "" || len(t.Columns) == 0 || len(t.Columns) > 255 {
		return fmt.Errorf("mdbtest: table %q needs a name and 1 to 255 columns", t.Name)
	}
	names := map[string]bool{}
	for _, c := range t.Columns {
		switch c.Type {
		case TypeLong, TypeDouble, TypeDateTime, TypeText, TypeMemo, TypeOLE:
		default:
			return fmt.Errorf("mdbtest: column %q: unsupported type 0x%02x", c.Name, c.Type)
		}
		if c.Name == "" || names[strings.ToLower(c.Name)] {
			return fmt.Errorf("mdbtest: table %q: empty or duplicate column name %q", t.Name, c.Name)
		}
		names[strings.ToLower(c.Name)] = true
	}
	for i, r := range t.Rows {
		if len(r) != len(t.Columns) {
			return fmt.Errorf("mdbtest: table %q row %d: %d values for %d columns", t.Name, i, len(r), len(t.Columns))
		}
	}
	return nil
}

type writer struct {
	f        format
	compress bool
	pages    [][]byte
	lval     *pageFill // LVAL page being filled
	maps     *pageFill // usage-map page being filled
}

// alloc reserves the next page number; its content is set later.
func (w *writer) alloc() uint32 {
	w.pages = append(w.pages, nil)
	return uint32(len(w.pages) - 1)
}

// pageFill is a data or LVAL page that rows are being added to. Rows are
// stored from the end of the page downwards; the offset table grows
// upwards from the end of the header (hdr), the row count just before it.
type pageFill struct {
	no  uint32
	buf []byte
	hdr int
}

func (w *writer) fill(no uint32) *pageFill {
	return &pageFill{no: no, buf: w.pages[no], hdr: w.f.dataHeader}
}

func (w *writer) newDataPage(owner uint32) []byte {
	p := make([]byte, w.f.pageSize)
	p[0], p[1] = 0x01, 0x01
	le16(p[2:], uint16(w.f.pageSize-w.f.dataHeader))
	le32(p[4:], owner)
	return p
}

func (p *pageFill) rows() int { return int(binary.LittleEndian.Uint16(p.buf[p.hdr-2:])) }

func (p *pageFill) low() int {
	if n := p.rows(); n > 0 {
		return int(binary.LittleEndian.Uint16(p.buf[p.hdr+2*(n-1):]))
	}
	return len(p.buf)
}

func (p *pageFill) fits(n int) bool {
	return p.rows() < maxPageRows && p.low()-n >= p.hdr+2*(p.rows()+1)
}

// add stores a row and returns its row pointer: page << 8 | row number.
func (p *pageFill) add(row []byte) uint32 {
	n := p.rows()
	start := p.low() - len(row)
	copy(p.buf[start:], row)
	le16(p.buf[p.hdr+2*n:], uint16(start))
	le16(p.buf[p.hdr-2:], uint16(n+1))
	le16(p.buf[2:], uint16(start-p.hdr-2*(n+1)))
	return p.no<<8 | uint32(n)
}

// writeRows stores the rows of t on new data pages owned by the TDEF at page
// tdef and returns those pages.
func (w *writer) writeRows(t Table, tdef uint32) ([]uint32, error) {
	cols := layout(t.Columns, w.f.jet3)
	var pages []uint32
	var cur *pageFill
	for i, vals := range t.Rows {
		row, err := w.encodeRow(cols, vals)
		if err != nil {
			return nil, fmt.Errorf("mdbtest: table %q row %d: %w", t.Name, i, err)
		}
		if len(row) > w.f.maxRowLen() {
			return nil, fmt.Errorf("mdbtest: table %q row %d: %d bytes is too long for a page", t.Name, i, len(row))
		}
		if cur == nil || !cur.fits(len(row)) {
			no := w.alloc()
			w.pages[no] = w.newDataPage(tdef)
			cur = w.fill(no)
			pages = append(pages, no)
		}
		cur.add(row)
	}
	return pages, nil
}

// col is a column with its place in the row.
type col struct {
	Column
	fixed bool
	size  int // fixed size, or the TDEF length of variable columns
	pos   int // fixed: offset after the column count; variable: index in the offset table
}

func layout(cs []Column, jet3 bool) []col {
	out := make([]col, len(cs))
	fixedOff, varIdx := 0, 0
	for i, c := range cs {
		out[i].Column = c
		switch c.Type {
		case typeInt:
			out[i].fixed, out[i].size = true, 2
		case TypeLong:
			out[i].fixed, out[i].size = true, 4
		case TypeDouble, TypeDateTime:
			out[i].fixed, out[i].size = true, 8
		case TypeText:
			out[i].size = 255 * 2 // maximum length in bytes of UCS-2
			if jet3 {
				out[i].size = 255 // of cp1252
			}
		}
		if out[i].fixed {
			out[i].pos = fixedOff
			fixedOff += out[i].size
		} else {
			out[i].pos = varIdx
			varIdx++
		}
	}
	return out
}

// encodeRow builds a row:
//
//	column count | fixed columns | variable columns | end of variable
//	data | offsets of the variable columns, last first | variable
//	column count | null mask, one bit per column, 1 = not null
//
// Counts and offsets are u16 in Jet 4, one byte in Jet 3, which adds a
// jump table before the variable column count (see trailer3). The offset
// table and its count are left out when the table has no variable
// columns.
func (w *writer) encodeRow(cols []col, vals []any) ([]byte, error) {
	fixedLen, numVar := 0, 0
	for _, c := range cols {
		if c.fixed {
			fixedLen += c.size
		} else {
			numVar++
		}
	}
	count := 2
	if w.f.jet3 {
		count = 1
	}
	row := make([]byte, count+fixedLen)
	row[0] = byte(len(cols))
	if count == 2 {
		le16(row, uint16(len(cols)))
	}
	mask := make([]byte, (len(cols)+7)/8)
	varOff := make([]int, 0, numVar)
	for i, c := range cols {
		v := vals[i]
		if v != nil {
			mask[i/8] |= 1 << (i % 8)
		}
		if c.fixed {
			if v != nil {
				if err := putFixed(row[count+c.pos:], c, v); err != nil {
					return nil, err
				}
			}
		}
	}
	for i, c := range cols {
		if c.fixed {
			continue
		}
		varOff = append(varOff, len(row))
		if vals[i] == nil {
			continue
		}
		b, err := w.varValue(c, vals[i])
		if err != nil {
			return nil, err
		}
		row = append(row, b...)
	}
	switch {
	case numVar == 0:
	case w.f.jet3:
		var err error
		if row, err = trailer3(row, varOff, len(mask)); err != nil {
			return nil, err
		}
	default:
		row = binary.LittleEndian.AppendUint16(row, uint16(len(row)))
		for j := numVar - 1; j >= 0; j-- {
			row = binary.LittleEndian.AppendUint16(row, uint16(varOff[j]))
		}
		row = binary.LittleEndian.AppendUint16(row, uint16(numVar))
	}
	return append(row, mask...), nil
}

// trailer3 appends to a Jet 3 row its end of variable data (eod), the
// offsets of its variable columns (last first), the jump table, and the
// count of variable columns, all of one byte. Offsets and eod keep only
// their low byte; the jump table has, for each 256-byte boundary that
// eod passes, the index of the first offset (eod counting as the one
// after the last column) at or past it, the first boundary last. A
// reader (libmdb's mdb_crack_row3) counts the entries from the length of
// the whole row, (len-1)/256, and takes the one farthest from the count
// for a dummy (0xFF) when eod passes fewer boundaries than that: the
// trailer itself crossed one. mask is the length of the null mask that
// follows.
func trailer3(row []byte, varOff []int, mask int) ([]byte, error) {
	eod, numVar := len(row), len(varOff)
	jumps := 0 // the row's length depends on the table's, and the table's on it
	for {
		n := (eod + 1 + numVar + jumps + 1 + mask - 1) / 256
		if n == jumps {
			break
		}
		jumps = n
	}
	passed := eod / 256
	if jumps > passed+1 {
		return nil, fmt.Errorf("%d variable columns are too many for a Jet 3 row of %d bytes", numVar, eod)
	}
	offs := append(varOff[:numVar:numVar], eod)
	row = append(row, byte(eod))
	for j := numVar - 1; j >= 0; j-- {
		row = append(row, byte(varOff[j]))
	}
	if jumps > passed {
		row = append(row, 0xFF)
	}
	for k := passed; k >= 1; k-- {
		i := 0
		for offs[i] < 256*k {
			i++
		}
		row = append(row, byte(i))
	}
	return append(row, byte(numVar)), nil
}

func putFixed(b []byte, c col, v any) error {
	switch c.Type {
	case typeInt:
		x, ok := v.(int16)
		if !ok {
			return typeErr(c, v)
		}
		le16(b, uint16(x))
	case TypeLong:
		x, ok := v.(int32)
		if !ok {
			return typeErr(c, v)
		}
		le32(b, uint32(x))
	case TypeDouble:
		x, ok := v.(float64)
		if !ok {
			return typeErr(c, v)
		}
		binary.LittleEndian.PutUint64(b, math.Float64bits(x))
	case TypeDateTime:
		x, ok := v.(time.Time)
		if !ok {
			return typeErr(c, v)
		}
		binary.LittleEndian.PutUint64(b, math.Float64bits(oleDate(x)))
	}
	return nil
}

func typeErr(c col, v any) error {
	return fmt.Errorf("column %q (type 0x%02x): unsupported value %T", c.Name, c.Type, v)
}

func (w *writer) varValue(c col, v any) ([]byte, error) {
	if c.Type == TypeOLE {
		b, ok := v.([]byte)
		if !ok {
			return nil, typeErr(c, v)
		}
		return w.longValue(b), nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, typeErr(c, v)
	}
	if c.Type == TypeText {
		if len(utf16.Encode([]rune(s))) > 255 {
			return nil, fmt.Errorf("column %q: text longer than 255 characters", c.Name)
		}
		return w.text(s, w.compress)
	}
	// Memo.
	compress := w.compress && len(utf16.Encode([]rune(s))) <= maxCompressedMemo
	b, err := w.text(s, compress)
	if err != nil {
		return nil, err
	}
	return w.longValue(b), nil
}

// text encodes s as the database keeps text: in Jet 4 as encodeText does,
// in Jet 3 in cp1252, one byte per character (Jet 3 keeps text in the
// code page of the machine writing it; mdbtools reads cp1252).
func (w *writer) text(s string, compress bool) ([]byte, error) {
	if !w.f.jet3 {
		return encodeText(s, compress), nil
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		c, ok := charmap.Windows1252.EncodeRune(r)
		if !ok {
			return nil, fmt.Errorf("%q is not in cp1252, which Jet 3 text is written in", r)
		}
		b = append(b, c)
	}
	return b, nil
}

// oleDate converts the wall-clock time of t (its location is not changed)
// to Access's date: days since 1899-12-30 plus the fraction of the day.
// Before 1899-12-30 the integer part is negative and the fraction still
// counts forward, so -1.25 is 1899-12-29 06:00.
func oleDate(t time.Time) float64 {
	y, m, d := t.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	days := math.Round(day.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24)
	hh, mm, ss := t.Clock()
	frac := (float64(hh*3600+mm*60+ss) + float64(t.Nanosecond())/1e9) / 86400
	if days < 0 {
		return days - frac
	}
	return days + frac
}

// encodeText returns UCS-2 little endian, or, when compressing and every
// character is in U+0001..U+00FF, the marker 0xFF 0xFE followed by one byte
// per character. (Compressed text may also switch to and from two-byte
// characters with 0x00 bytes; this writer never needs that.)
func encodeText(s string, compress bool) []byte {
	rs := []rune(s)
	if compress && len(rs) > 0 {
		ok := true
		for _, r := range rs {
			if r < 1 || r > 0xFF {
				ok = false
				break
			}
		}
		if ok {
			b := []byte{0xFF, 0xFE}
			for _, r := range rs {
				b = append(b, byte(r))
			}
			return b
		}
	}
	var b []byte
	for _, u := range utf16.Encode(rs) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

// longValue returns the memo field for data as stored in the row: a
// 12-byte header (u32 length with flags in the top byte, u32 row pointer
// page << 8 | row, u32 zero), followed by the data itself when inline.
//
//	0x80 flag: data follows inline
//	0x40 flag: data is one row on an LVAL page
//	no flag:   data is a chain of LVAL rows, each starting with the u32 row
//	           pointer of the next one (0 in the last)
func (w *writer) longValue(data []byte) []byte {
	h := make([]byte, memoOverhead)
	n := uint32(len(data))
	switch {
	case len(data) <= maxInlineMemo:
		le32(h, n|0x80000000)
		return append(h, data...)
	case len(data) <= w.f.maxRowLen():
		le32(h, n|0x40000000)
		le32(h[4:], w.addLVAL(data))
		return h
	}
	le32(h, n)
	var prev []byte // previous chunk's row, to patch its next pointer
	for rest := data; len(rest) > 0; {
		k := min(len(rest), w.f.maxRowLen()-4)
		row := append(make([]byte, 4), rest[:k]...)
		rest = rest[k:]
		ptr := w.addLVAL(row)
		if prev == nil {
			le32(h[4:], ptr)
		} else {
			le32(prev, ptr)
		}
		prev = w.rowBytes(ptr)
	}
	return h
}

// addLVAL stores row on an LVAL page (a data page owned by "LVAL").
func (w *writer) addLVAL(row []byte) uint32 {
	if w.lval == nil || !w.lval.fits(len(row)) {
		no := w.alloc()
		w.pages[no] = w.newDataPage(0)
		copy(w.pages[no][4:], "LVAL")
		w.lval = w.fill(no)
	}
	return w.lval.add(row)
}

// rowBytes returns the stored bytes of the row at ptr (only the first four
// are used, to link LVAL chains).
func (w *writer) rowBytes(ptr uint32) []byte {
	p := w.pages[ptr>>8]
	start := binary.LittleEndian.Uint16(p[w.f.dataHeader+2*int(ptr&0xFF):])
	return p[start:]
}

func (w *writer) addMapRow(row []byte) uint32 {
	if !w.maps.fits(len(row)) {
		no := w.alloc()
		w.pages[no] = w.newDataPage(0)
		w.maps = w.fill(no)
	}
	return w.maps.add(row)
}

// inlineMap is a type 0 usage map: 0x00, u32 first page, then a bitmap
// (least significant bit first) of 1024 (Jet 3) or 512 (Jet 4) pages from
// the first page.
func (w *writer) inlineMap(pages []uint32) []byte {
	m := make([]byte, w.f.umapLen)
	if len(pages) == 0 {
		return m
	}
	first := pages[0]
	le32(m[1:], first)
	for _, p := range pages {
		i := p - first
		if int(i) >= (len(m)-5)*8 {
			panic("mdbtest: inline usage map overflow") // only used for small tables
		}
		m[5+i/8] |= 1 << (i % 8)
	}
	return m
}

// referenceMap is a type 1 usage map: 0x01, then 33 (Jet 3) or 17 (Jet 4)
// u32 page numbers of 0x05 pages; the j-th covers pages j*n .. (j+1)*n-1,
// n = pagesPerMap5, with a bitmap that starts at byte 4 of that page.
// Unused entries are 0.
func (w *writer) referenceMap(pages []uint32) []byte {
	m := make([]byte, w.f.umapLen)
	per := w.f.pagesPerMap5()
	m[0] = 0x01
	bitmaps := map[uint32][]byte{}
	for _, p := range pages {
		j := p / per
		if int(j) >= (len(m)-1)/4 {
			panic("mdbtest: file too large for a usage map")
		}
		bm := bitmaps[j]
		if bm == nil {
			no := w.alloc()
			bm = make([]byte, w.f.pageSize)
			bm[0], bm[1] = 0x05, 0x01
			w.pages[no] = bm
			bitmaps[j] = bm
			le32(m[1+4*j:], no)
		}
		i := p % per
		bm[4+i/8] |= 1 << (i % 8)
	}
	return m
}

// putTDEF writes the table definition page ([mdbtools HACKING]): a
// header (63 bytes in Jet 4, 43 in Jet 3), the column descriptors (25 or
// 18 bytes), the column names (a u16 or, in Jet 3, a byte for the length
// in bytes, then UCS-2 or cp1252), and 0xFF 0xFF where Access lists the
// usage maps of long-value columns.
func (w *writer) putTDEF(pg uint32, t Table, tableType byte, usedMap, freeMap uint32) error {
	cols := layout(t.Columns, w.f.jet3)
	numVar := 0
	for _, c := range cols {
		if !c.fixed {
			numVar++
		}
	}
	p := make([]byte, w.f.tdefColStart, w.f.pageSize)
	p[0], p[1] = 0x02, 0x01
	if w.f.jet3 {
		copy(p[2:], "VC") // in Jet 3 a constant where Jet 4 has the free space
		le32(p[12:], uint32(len(t.Rows)))
		// 16: next autonumber, 0.
		p[20] = tableType
		le16(p[21:], uint16(len(cols))) // max columns a row has had
		le16(p[23:], uint16(numVar))
		le16(p[25:], uint16(len(cols)))
		// 27: logical index count, 31: real index count, both 0.
		le32(p[35:], usedMap)
		le32(p[39:], freeMap)
		for i, c := range cols {
			p = append(p, colDesc3(i, c)...)
		}
	} else {
		le32(p[12:], magicTableNo)
		le32(p[16:], uint32(len(t.Rows)))
		p[24] = 1 // Access sets this; it makes autonumbers work
		p[40] = tableType
		le16(p[41:], uint16(len(cols))) // max columns a row has had
		le16(p[43:], uint16(numVar))
		le16(p[45:], uint16(len(cols)))
		// 47: logical index count, 51: real index count, both 0.
		le32(p[55:], usedMap)
		le32(p[59:], freeMap)
		for i, c := range cols {
			p = append(p, w.colDesc4(i, c)...)
		}
	}
	for _, c := range cols {
		name, err := w.text(c.Name, false)
		if err != nil {
			return fmt.Errorf("mdbtest: column name %q: %w", c.Name, err)
		}
		if w.f.jet3 {
			if len(name) > 64 {
				return fmt.Errorf("mdbtest: column name %q is longer than 64 characters", c.Name)
			}
			p = append(p, byte(len(name)))
		} else {
			p = binary.LittleEndian.AppendUint16(p, uint16(len(name)))
		}
		p = append(p, name...)
	}
	p = append(p, 0xFF, 0xFF)
	if len(p) > w.f.pageSize {
		return errors.New("mdbtest: table definition of " + t.Name + " does not fit one page")
	}
	le32(p[8:], uint32(len(p)))
	if !w.f.jet3 {
		le16(p[2:], uint16(w.f.pageSize-len(p)-8)) // free space, as Access computes it
	}
	w.pages[pg] = p[:w.f.pageSize]
	return nil
}

// colDesc4 is the 25-byte Jet 4 descriptor of column i.
func (w *writer) colDesc4(i int, c col) []byte {
	d := make([]byte, jet4.colDescLen)
	d[0] = c.Type
	le32(d[1:], magicTableNo)
	le16(d[5:], uint16(i)) // column number
	if !c.fixed {
		le16(d[7:], uint16(c.pos)) // index in the row's variable offset table
	}
	le16(d[9:], uint16(i)) // column number again
	flags := byte(0x02)    // set by Access on ordinary columns
	if c.fixed {
		flags |= 0x01
	}
	d[15] = flags
	if c.Type == TypeText || c.Type == TypeMemo {
		le16(d[11:], 0x0409) // sort order: General
		if w.compress {
			d[16] = 0x01 // Unicode compression
		}
	}
	if c.fixed {
		le16(d[21:], uint16(c.pos))
	}
	le16(d[23:], uint16(c.size))
	return d
}

// colDesc3 is the 18-byte Jet 3 descriptor of column i: type, column
// number, index in the variable offset table, column id, 2 bytes seen as
// 0 or 1, sort order and code page (of text), flags, offset among the
// fixed columns, length.
func colDesc3(i int, c col) []byte {
	d := make([]byte, jet3.colDescLen)
	d[0] = c.Type
	le16(d[1:], uint16(i))
	if !c.fixed {
		le16(d[3:], uint16(c.pos))
	}
	le16(d[5:], uint16(i))
	if c.Type == TypeText || c.Type == TypeMemo {
		le16(d[9:], 0x0409)  // sort order: General
		le16(d[11:], 0x04E4) // code page 1252
	}
	d[13] = 0x02 // set by Access on ordinary columns
	if c.fixed {
		d[13] |= 0x01
		le16(d[14:], uint16(c.pos))
	}
	le16(d[16:], uint16(c.size))
	return d
}

// header builds page 0. From 0x18, 126 bytes (Jet 3) or 128 (Jet 4) are
// stored XOR-ed with an RC4 key stream (key 0x6b39dac7, little endian);
// within them: 0x3A sort order (Jet 3), 0x3C code page, 0x3E database key
// (0: pages are not encrypted), 0x42 password (20 or 40 bytes, none), and
// in Jet 4 0x6E sort order and 0x72 creation date (0, which leaves the
// password mask zero). The version at 0x14 is 0 for Jet 3, 1 for Jet 4.
func (w *writer) header() []byte {
	h := make([]byte, w.f.pageSize)
	h[1] = 0x01
	copy(h[4:], "Standard Jet DB\x00")
	le16(h[0x3C:], 1252)
	masked := 126
	if w.f.jet3 {
		le16(h[0x3A:], 0x0409) // General sort order
	} else {
		le32(h[0x14:], 1)
		le16(h[0x6E:], 0x0409)
		masked = 128
	}
	rc4XOR(h[0x18:0x18+masked], []byte{0xC7, 0xDA, 0x39, 0x6B})
	return h
}

func rc4XOR(b, key []byte) {
	c, err := rc4.NewCipher(key)
	if err != nil {
		panic(err) // the key length is fixed and valid
	}
	c.XORKeyStream(b, b)
}

func le16(b []byte, v uint16) { binary.LittleEndian.PutUint16(b, v) }
func le32(b []byte, v uint32) { binary.LittleEndian.PutUint32(b, v) }
