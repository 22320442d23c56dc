// Package mdb reads the tables of Microsoft Access databases: Jet 3
// (.mdb of Access 97), Jet 4 (.mdb, Access 2000–2003) and the ACE format
// of later versions (.accdb), which keeps Jet 4's pages. It reads only,
// and trusts nothing in the file: every offset is checked against its
// page, every chain of pages is followed once, and no value is read past
// Limits.MaxValue.
//
// A database is a file of pages: 2 KiB in Jet 3, 4 KiB in Jet 4. Page 0
// describes the database; each table has a definition (TDEF) page,
// chained to more where its columns need them, and data pages that name
// it as their owner; long values (memo, OLE) are kept on LVAL pages. The
// catalog, MSysObjects, is a table like the others, whose definition is
// always on page 2. The two formats differ in where fields sit and how
// wide they are (see layout), and in text: Jet 3 keeps it in the code
// page of the machine that wrote it (cp1252 read here), Jet 4 in UCS-2.
package mdb

import (
	"crypto/rc4"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrNotAccess is returned by Open for a file that is not an Access
// database.
var ErrNotAccess = errors.New("mdb: not an Access database")

// ErrUnsupported is returned by Open for a database of a kind not read:
// a format version newer than those known (Access 2019's is the last).
var ErrUnsupported = errors.New("mdb: not read")

// ErrTooLarge is returned for a value over Limits.MaxValue.
var ErrTooLarge = errors.New("mdb: value over the size limit")

// errCorrupt wraps what a damaged or hostile file breaks.
func errCorrupt(format string, args ...any) error {
	return fmt.Errorf("mdb: corrupt file: "+format, args...)
}

// Limits bound what reading a database may hold in memory.
type Limits struct {
	// MaxValue is the largest value (a memo, a table definition) read;
	// 0 means 64 MiB.
	MaxValue int64
}

// maxPageSize is the larger page, Jet 4's.
const maxPageSize = 4096

// Page types.
const (
	pageData = 0x01
	pageTDEF = 0x02
)

// A File is an open Access database. It is not safe for concurrent use.
type File struct {
	r      io.ReaderAt
	pages  int64 // how many whole pages the file holds
	layout *layout
	key    uint32
	limits Limits
	buf    [maxPageSize]byte
	owners map[uint32][]uint32 // data pages by their table's definition
}

// headerKey is the RC4 key that masks the database definition page's
// fields from 0x18 on ([mdbtools HACKING]: 126 bytes in Jet 3, 128 in
// Jet 4).
var headerKey = []byte{0xC7, 0xDA, 0x39, 0x6B}

// layout is where a version of the file format keeps what is read
// ([mdbtools HACKING], libmdb's MdbJet3Constants and MdbJet4Constants).
type layout struct {
	jet3     bool
	pageSize int
	header   int // bytes of page 0 masked from 0x18
	rowCount int // a data page's row count; its row offsets follow

	// The table definition: its row count, its count of columns (the
	// count of variable-length ones is the u16 before it), its count of
	// index entries, and where those entries start, each idxSize long,
	// the column descriptors following them.
	tdefRows, tdefCols, tdefRealIdx, tdefIdx, idxSize int

	// A column descriptor: its size, and where its number, its place
	// among the variable-length columns, its flags, its offset among the
	// fixed-length ones and its length are. Its type is its first byte.
	colSize, colNum, colVar, colFlags, colFixed, colLen int

	nameLen int // bytes of a column name's length
}

var (
	jet3 = &layout{jet3: true, pageSize: 2048, header: 126, rowCount: 8,
		tdefRows: 12, tdefCols: 25, tdefRealIdx: 31, tdefIdx: 43, idxSize: 8,
		colSize: 18, colNum: 1, colVar: 3, colFlags: 13, colFixed: 14, colLen: 16, nameLen: 1}
	jet4 = &layout{pageSize: 4096, header: 128, rowCount: 12,
		tdefRows: 16, tdefCols: 45, tdefRealIdx: 51, tdefIdx: 63, idxSize: 12,
		colSize: 25, colNum: 5, colVar: 7, colFlags: 15, colFixed: 21, colLen: 23, nameLen: 2}
)

// Open reads the database definition page of the database in r, size
// bytes long.
func Open(r io.ReaderAt, size int64, limits Limits) (*File, error) {
	if limits.MaxValue <= 0 {
		limits.MaxValue = 64 << 20
	}
	var h [0x18 + 128]byte
	if n, err := r.ReadAt(h[:], 0); n < len(h) {
		if err == nil || err == io.EOF {
			return nil, ErrNotAccess
		}
		return nil, err
	}
	if string(h[:4]) != "\x00\x01\x00\x00" || (string(h[4:19]) != "Standard Jet DB" && string(h[4:19]) != "Standard ACE DB") {
		return nil, ErrNotAccess
	}
	// 0 is Jet 3; 1 Jet 4; 2 to 6 the ACE formats of Access 2007 to 2019,
	// which keep Jet 4's pages.
	l := jet4
	switch v := h[0x14]; {
	case v == 0:
		l = jet3
	case v > 6:
		return nil, fmt.Errorf("%w: format version %d", ErrUnsupported, v)
	}
	c, _ := rc4.NewCipher(headerKey)
	c.XORKeyStream(h[0x18:0x18+l.header], h[0x18:0x18+l.header])
	f := &File{r: r, layout: l, pages: size / int64(l.pageSize), limits: limits, key: binary.LittleEndian.Uint32(h[0x3E:])}
	return f, nil
}

// page reads page n into f.buf: a page of an encoded database is RC4
// with the database key and the page's number, in Jet 3 as in Jet 4
// (libmdb and Jackcess decode both alike).
func (f *File) page(n uint32) ([]byte, error) {
	if n == 0 || int64(n) >= f.pages {
		return nil, errCorrupt("page %d is outside the file", n)
	}
	buf := f.buf[:f.layout.pageSize]
	if _, err := f.r.ReadAt(buf, int64(n)*int64(len(buf))); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, errCorrupt("cut short")
		}
		return nil, err
	}
	if f.key != 0 {
		var k [4]byte
		binary.LittleEndian.PutUint32(k[:], f.key^n)
		c, _ := rc4.NewCipher(k[:])
		c.XORKeyStream(buf, buf)
	}
	return buf, nil
}
