package mdb

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strconv"
	"strings"
)

// Row flags, the high bits of a row's offset on its page.
const (
	rowDeleted = 0x8000
	rowLookup  = 0x4000 // the row is elsewhere: here is a pointer to it
)

// rowBounds returns where row i of the data or LVAL page p is, and its
// flags: a row runs from its offset to the offset of the row before it,
// or to the end of the page for the first. The row count is at 8 in
// Jet 3, at 12 in Jet 4 (which adds a stamp to the page header); the
// rows' offsets follow it.
func (f *File) rowBounds(p []byte, i int) (start, end int, flags uint16, err error) {
	at := f.layout.rowCount
	n := int(binary.LittleEndian.Uint16(p[at:]))
	first := at + 2 + 2*n // past the offsets
	if i >= n || first > len(p) {
		return 0, 0, 0, errCorrupt("a row that is not on its page")
	}
	raw := binary.LittleEndian.Uint16(p[at+2+2*i:])
	start, end = int(raw&0x1FFF), len(p)
	if i > 0 {
		end = int(binary.LittleEndian.Uint16(p[at+2*i:]) & 0x1FFF)
	}
	if start < first || start > end || end > len(p) {
		return 0, 0, 0, errCorrupt("a row's bounds")
	}
	return start, end, raw &^ 0x1FFF, nil
}

// rowAt returns a copy of the row a pointer (page number, and row number
// in its low byte) names, on an LVAL page when lval, else on a data
// page; nil for a deleted row.
func (f *File) rowAt(ptr uint32, lval bool) ([]byte, error) {
	p, err := f.page(ptr >> 8)
	if err != nil {
		return nil, err
	}
	if p[0] != pageData || (string(p[4:8]) == "LVAL") != lval {
		return nil, errCorrupt("a pointer to a page of another kind")
	}
	start, end, flags, err := f.rowBounds(p, int(ptr&0xFF))
	if err != nil || (flags&rowDeleted != 0 && !lval) {
		return nil, err
	}
	return bytes.Clone(p[start:end]), nil
}

// long reads a memo or OLE value from its 12-byte header: its length and
// kind, then a pointer to its LVAL row. It is in the row itself, in one
// LVAL row, or in a chain of LVAL rows, each with a pointer to the next.
func (f *File) long(b []byte) ([]byte, error) {
	if len(b) < 12 {
		return nil, errCorrupt("a long value's header")
	}
	h := binary.LittleEndian.Uint32(b)
	n := int64(h & 0x3FFFFFFF)
	if n > f.limits.MaxValue {
		return nil, ErrTooLarge
	}
	ptr := binary.LittleEndian.Uint32(b[4:])
	var v []byte
	switch h >> 30 {
	case 2: // in the row
		if int64(len(b)-12) < n {
			return nil, errCorrupt("a long value cut short")
		}
		return b[12 : 12+n], nil
	case 1: // in one LVAL row
		row, err := f.rowAt(ptr, true)
		if err != nil {
			return nil, err
		}
		v = row
	case 0: // in a chain of LVAL rows
		seen := map[uint32]bool{}
		for int64(len(v)) < n && ptr != 0 {
			if seen[ptr] {
				return nil, errCorrupt("a long value's pages loop")
			}
			seen[ptr] = true
			row, err := f.rowAt(ptr, true)
			if err != nil {
				return nil, err
			}
			if len(row) < 4 {
				return nil, errCorrupt("a long value's row")
			}
			ptr = binary.LittleEndian.Uint32(row)
			v = append(v, row[4:]...)
		}
	default:
		return nil, errCorrupt("a long value of unknown kind")
	}
	return v[:min(int64(len(v)), n)], nil
}

// dataPages finds, by the page of their table's definition, the data
// pages of the database, in order: each names its table. One pass over
// the file serves every table.
func (f *File) dataPages() error {
	f.owners = map[uint32][]uint32{}
	for n := uint32(1); int64(n) < f.pages; n++ {
		p, err := f.page(n)
		if err != nil {
			return err
		}
		if p[0] == pageData && p[1] == 0x01 && string(p[4:8]) != "LVAL" {
			t := binary.LittleEndian.Uint32(p[4:])
			f.owners[t] = append(f.owners[t], n)
		}
	}
	return nil
}

// Rows calls fn for each row of t in the order of its pages: a value per
// column, whose Data is nil for a NULL or a type not read as text. A row
// that cannot be read comes with its error; the rows go on unless fn
// returns an error. Fewer rows than the table's definition counts (a
// file cut short, or pages lost) is an error at the end.
func (f *File) Rows(t *Table, fn func(row []Value, err error) error) error {
	found := int64(0)
	err := f.rows(t, func(row []Value, err error) error {
		found++
		return fn(row, err)
	})
	if err == nil && found < t.rows {
		err = errCorrupt("table %q has %d rows, of which %d were found", t.Name, t.rows, found)
	}
	return err
}

func (f *File) rows(t *Table, fn func(row []Value, err error) error) error {
	if f.owners == nil {
		if err := f.dataPages(); err != nil {
			return err
		}
	}
	page := make([]byte, f.layout.pageSize)
	for _, n := range f.owners[t.tdef] {
		p, err := f.page(n)
		if err != nil {
			return err
		}
		copy(page, p) // a row elsewhere, or a long value, reads other pages
		count := int(binary.LittleEndian.Uint16(page[f.layout.rowCount:]))
		for i := range count {
			start, end, flags, err := f.rowBounds(page, i)
			var row []byte
			switch {
			case err != nil:
			case flags&rowDeleted != 0:
				continue
			case flags&rowLookup != 0:
				if end-start < 4 {
					err = errCorrupt("a pointer to a row")
				} else {
					row, err = f.rowAt(binary.LittleEndian.Uint32(page[start:]), false)
				}
			default:
				row = page[start:end]
			}
			var values []Value
			if err == nil && row != nil {
				values, err = f.crack(t, row)
			}
			if err != nil || values != nil {
				if err := fn(values, err); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// crack splits a row into its values. A row holds its count of columns,
// the fixed-length values, the variable-length ones; then, from its end
// backwards, a null mask (a bit per column, 1 for a value), the count of
// variable-length values, their offsets, and where the last one ends.
// Jet 3 has a byte for each count and offset, Jet 4 a u16.
func (f *File) crack(t *Table, row []byte) ([]Value, error) {
	size := 2 // of the column count
	if f.layout.jet3 {
		size = 1
	}
	if len(row) < size {
		return nil, errCorrupt("a row")
	}
	cols := int(row[0])
	if size == 2 {
		cols = int(binary.LittleEndian.Uint16(row))
	}
	mask := (cols + 7) / 8
	if size+mask > len(row) {
		return nil, errCorrupt("a row's null mask")
	}
	nulls := row[len(row)-mask:]
	var offsets []int // of the variable-length values, and where they end
	if t.vars > 0 {
		var err error
		if f.layout.jet3 {
			offsets, err = offsets3(row, mask)
		} else {
			offsets, err = offsets4(row, mask)
		}
		if err != nil {
			return nil, err
		}
	}
	values := make([]Value, len(t.Columns))
	for i := range t.Columns {
		c := &t.Columns[i]
		if c.num >= cols || nulls[c.num/8]&(1<<(c.num%8)) == 0 {
			continue // NULL, or a column added after the row was written
		}
		var cell []byte
		switch {
		case c.fix:
			if size+c.off+c.size > len(row)-mask {
				return nil, errCorrupt("a row's fixed-length value")
			}
			cell = row[size+c.off : size+c.off+c.size]
		case c.vari+1 < len(offsets):
			start, end := offsets[c.vari], offsets[c.vari+1]
			if start > end || end > len(row) {
				return nil, errCorrupt("a row's variable-length value")
			}
			cell = row[start:end]
		default:
			continue
		}
		v, ok, err := f.value(c, cell)
		if err != nil {
			return nil, err
		}
		if ok {
			values[i] = v
		}
	}
	return values, nil
}

// offsets4 reads a Jet 4 row's offsets of its variable-length values,
// and where the last ends: u16s, before the u16 count of them.
func offsets4(row []byte, mask int) ([]int, error) {
	le := binary.LittleEndian
	at := len(row) - mask - 2
	if at < 2 {
		return nil, errCorrupt("a row's offsets")
	}
	n := int(le.Uint16(row[at:]))
	if at-2*(n+1) < 2 {
		return nil, errCorrupt("a row's offsets")
	}
	offsets := make([]int, 0, n+1)
	for i := range n + 1 {
		offsets = append(offsets, int(le.Uint16(row[at-2-2*i:])))
	}
	return offsets, nil
}

// offsets3 reads a Jet 3 row's offsets of its variable-length values and
// where the last one ends (eod), each of one byte, stored last first
// below a jump table. The table has, for each 256-byte boundary the
// values pass, the index of the first offset at or past it, the first
// boundary's entry nearest the count; an offset adds 256 for each entry
// it has reached. Its length is counted from the whole row, (len-1)/256,
// and where eod passes one boundary fewer than that, the entry farthest
// from the count is a dummy (0xFF) ([mdbtools HACKING], libmdb's
// mdb_crack_row3).
func offsets3(row []byte, mask int) ([]int, error) {
	count := len(row) - mask - 1 // where the count of offsets is
	if count < 1 {
		return nil, errCorrupt("a row's offsets")
	}
	n := int(row[count])
	jumps := (len(row) - 1) / 256
	first := count - jumps - 1 // the first value's offset; the rest, and eod, below it
	eod := first - n
	if eod < 1 {
		return nil, errCorrupt("a row's offsets")
	}
	if eod/256 < jumps {
		jumps--
	}
	offsets := make([]int, 0, n+1)
	used := 0
	for i := range n + 1 {
		for used < jumps && int(row[count-1-used]) == i {
			used++
		}
		offsets = append(offsets, int(row[first-i])+256*used)
	}
	return offsets, nil
}

// Tables reads the catalog: the user tables of the database, in the
// catalog's order (MSysObjects' rows of Type 1 not flagged as system
// objects; a linked table has no rows in this file). A table whose
// definition cannot be read has its Err. Where the catalog breaks, the
// tables found before come with the error.
func (f *File) Tables() ([]*Table, error) {
	catalog, err := f.table("MSysObjects", 2)
	if err != nil {
		return nil, err
	}
	col := func(name string) int {
		return slices.IndexFunc(catalog.Columns, func(c Column) bool { return c.Name == name })
	}
	id, name, typ, flags := col("Id"), col("Name"), col("Type"), col("Flags")
	if id < 0 || name < 0 || typ < 0 || flags < 0 {
		return nil, errCorrupt("the catalog lacks its columns")
	}
	// The tables found count even where the catalog is cut short.
	var tables []*Table
	err = f.Rows(catalog, func(row []Value, err error) error {
		if err != nil || string(row[typ].Data) != "1" || row[name].Data == nil {
			return nil
		}
		fl, _ := strconv.ParseInt(string(row[flags].Data), 10, 64)
		page, _ := strconv.ParseInt(string(row[id].Data), 10, 64)
		n := string(row[name].Data)
		if uint32(fl)&0x80000002 != 0 || strings.HasPrefix(n, "MSys") {
			return nil
		}
		t, err := f.table(n, uint32(page)&0x00FFFFFF)
		if err != nil {
			t = &Table{Name: n, Err: err}
		}
		tables = append(tables, t)
		return nil
	})
	return tables, err
}
