package mdb

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"strconv"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"

	"datakart/internal/utf16le"
)

// Column types ([mdbtools HACKING]).
const (
	TypeBool     = 0x01
	TypeByte     = 0x02
	TypeInt      = 0x03
	TypeLong     = 0x04
	TypeMoney    = 0x05
	TypeFloat    = 0x06
	TypeDouble   = 0x07
	TypeDateTime = 0x08
	TypeBinary   = 0x09
	TypeText     = 0x0A
	TypeOLE      = 0x0B
	TypeMemo     = 0x0C
	TypeBigInt   = 0x13
)

// A Column is a column of a table.
type Column struct {
	Name string
	Type byte
	num  int  // its bit in a row's null mask
	vari int  // its place among the variable-length columns
	off  int  // its offset among the fixed-length ones
	size int  // its length, if fixed
	fix  bool // fixed length
}

// A Table is a user table of the database.
type Table struct {
	Name    string
	Columns []Column
	// Err is why the table's definition could not be read.
	Err  error
	tdef uint32 // its definition's first page
	vars int    // how many of its columns have a variable length
	rows int64  // how many rows its definition says it has
}

// maxTDEFPages bounds the pages of one table definition: 255 columns
// and their names fit in a few.
const maxTDEFPages = 64

// tdef reads the table definition that starts on page n: its pages
// joined, each after the first without its 8-byte header.
func (f *File) tdef(n uint32) ([]byte, error) {
	var b []byte
	seen := map[uint32]bool{}
	for b == nil || n != 0 { // page 0 is the database's, and f.page refuses it
		if seen[n] || len(seen) == maxTDEFPages {
			return nil, errCorrupt("a table definition's pages loop")
		}
		seen[n] = true
		p, err := f.page(n)
		if err != nil {
			return nil, err
		}
		if p[0] != pageTDEF {
			return nil, errCorrupt("page %d is not a table definition", n)
		}
		if b == nil {
			b = append(b, p...)
		} else {
			b = append(b, p[8:]...)
		}
		n = binary.LittleEndian.Uint32(p[4:])
	}
	return b, nil
}

// table reads the table whose definition starts on page n: its columns
// and their names ([mdbtools HACKING], the table definition block).
func (f *File) table(name string, n uint32) (*Table, error) {
	b, err := f.tdef(n)
	if err != nil {
		return nil, err
	}
	l, le := f.layout, binary.LittleEndian
	cols, realIdx := int(le.Uint16(b[l.tdefCols:])), int64(le.Uint32(b[l.tdefRealIdx:]))
	t := &Table{Name: name, tdef: n, vars: int(le.Uint16(b[l.tdefCols-2:])), rows: int64(le.Uint32(b[l.tdefRows:]))}
	off := int64(l.tdefIdx) + int64(l.idxSize)*realIdx // past the index entries
	if off+int64(l.colSize*cols) > int64(len(b)) {
		return nil, errCorrupt("table %q's columns", name)
	}
	for i := range cols {
		c := b[off+int64(l.colSize*i):]
		t.Columns = append(t.Columns, Column{
			Type: c[0], num: int(le.Uint16(c[l.colNum:])), vari: int(le.Uint16(c[l.colVar:])),
			fix: c[l.colFlags]&0x01 != 0, off: int(le.Uint16(c[l.colFixed:])), size: int(le.Uint16(c[l.colLen:])),
		})
	}
	at := int(off) + l.colSize*cols
	for i := range t.Columns {
		if at+l.nameLen > len(b) {
			return nil, errCorrupt("table %q's column names", name)
		}
		k := int(b[at]) // Jet 3 has a byte for the length, Jet 4 a u16
		if l.nameLen == 2 {
			k = int(le.Uint16(b[at:]))
		}
		at += l.nameLen
		if at+k > len(b) {
			return nil, errCorrupt("table %q's column names", name)
		}
		t.Columns[i].Name = f.text(b[at : at+k])
		at += k
	}
	// Stored in the order they were made; in the order of the null mask
	// they are the order a user sees.
	slices.SortStableFunc(t.Columns, func(a, b Column) int { return a.num - b.num })
	return t, nil
}

// text decodes text of the database: Jet 3 keeps it in the code page of
// the machine that wrote it, read as cp1252 (Western Europe's, and what
// mdbtools assumes); Jet 4 in UCS-2.
func (f *File) text(b []byte) string {
	if !f.layout.jet3 {
		return text(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = charmap.Windows1252.DecodeByte(c)
	}
	return string(r)
}

// text decodes a Jet 4 text value: UCS-2, or its compressed form, which
// starts FF FE and then holds one byte per character, a 0 byte switching
// to two bytes per character and back.
func text(b []byte) string {
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xFE {
		return utf16le.String(b)
	}
	u := make([]uint16, 0, len(b))
	compressed := true
	for i := 2; i < len(b); {
		switch {
		case b[i] == 0:
			compressed = !compressed
			i++
		case compressed:
			u = append(u, uint16(b[i]))
			i++
		case i+1 < len(b):
			u = append(u, binary.LittleEndian.Uint16(b[i:]))
			i += 2
		default:
			i++
		}
	}
	return string(utf16.Decode(u))
}

// A Value is a cell of a row: its text, and whether it was a number
// (where leading zeros are lost, as in any database); or, for an OLE
// column, the bytes of the object (Blob).
type Value struct {
	Data    []byte
	Numeric bool
	Blob    bool
}

// value decodes the cell b of column c as text, or returns false for a
// type that is not read as text (dates, binary and OLE data, booleans).
func (f *File) value(c *Column, b []byte) (Value, bool, error) {
	le := binary.LittleEndian
	switch c.Type {
	case TypeText:
		return Value{Data: []byte(f.text(b))}, true, nil
	case TypeMemo:
		v, err := f.long(b)
		if err != nil {
			return Value{}, false, err
		}
		return Value{Data: []byte(f.text(v))}, true, nil
	case TypeOLE:
		v, err := f.long(b)
		if err != nil {
			return Value{}, false, err
		}
		return Value{Data: bytes.Clone(v), Blob: true}, true, nil
	case TypeByte:
		if len(b) >= 1 {
			return number(int64(b[0])), true, nil
		}
	case TypeInt:
		if len(b) >= 2 {
			return number(int64(int16(le.Uint16(b)))), true, nil
		}
	case TypeLong:
		if len(b) >= 4 {
			return number(int64(int32(le.Uint32(b)))), true, nil
		}
	case TypeBigInt:
		if len(b) >= 8 {
			return number(int64(le.Uint64(b))), true, nil
		}
	case TypeDouble:
		if len(b) >= 8 {
			return float(math.Float64frombits(le.Uint64(b))), true, nil
		}
	case TypeFloat:
		if len(b) >= 4 {
			return float(float64(math.Float32frombits(le.Uint32(b)))), true, nil
		}
	}
	return Value{}, false, nil
}

func number(n int64) Value { return Value{Data: strconv.AppendInt(nil, n, 10), Numeric: true} }

// float writes a whole number without a decimal point, as a number
// column holding a fødselsnummer or a phone number has it.
func float(x float64) Value {
	if x == math.Trunc(x) && math.Abs(x) < 1e18 {
		return number(int64(x))
	}
	return Value{Data: strconv.AppendFloat(nil, x, 'g', -1, 64), Numeric: true}
}
