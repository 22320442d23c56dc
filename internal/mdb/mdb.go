// Package mdb reads the tables of Microsoft Access databases: Jet 4
// (.mdb, Access 2000–2003) and the ACE format of later versions (.accdb),
// which keeps Jet 4's pages. It reads only, and trusts nothing in the
// file: every offset is checked against its page, every chain of pages
// is followed once, and no value is read past Limits.MaxValue.
//
// A database is a file of 4 KiB pages. Page 0 describes the database;
// each table has a definition (TDEF) page, chained to more where its
// columns need them, and data pages that name it as their owner; long
// values (memo, OLE) are kept on LVAL pages. The catalog, MSysObjects,
// is a table like the others, whose definition is always on page 2.
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
// Jet 3 (Access 97), and the encryption of Access 2007 and later.
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

// pageSize is the size of a Jet 4 page.
const pageSize = 4096

// Page types.
const (
	pageData = 0x01
	pageTDEF = 0x02
)

// A File is an open Access database. It is not safe for concurrent use.
type File struct {
	r      io.ReaderAt
	pages  int64 // how many whole pages the file holds
	key    uint32
	limits Limits
	buf    [pageSize]byte
	owners map[uint32][]uint32 // data pages by their table's definition
}

// headerKey is the RC4 key that masks the database definition page's
// fields from 0x18 on ([mdbtools HACKING]: 128 bytes in Jet 4).
var headerKey = []byte{0xC7, 0xDA, 0x39, 0x6B}

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
	if h[0x14] == 0 {
		return nil, fmt.Errorf("%w: an Access 97 database (Jet 3)", ErrUnsupported)
	}
	c, _ := rc4.NewCipher(headerKey)
	c.XORKeyStream(h[0x18:], h[0x18:])
	f := &File{r: r, pages: size / pageSize, limits: limits, key: binary.LittleEndian.Uint32(h[0x3E:])}
	return f, nil
}

// page reads page n into f.buf: a page of an encoded database is RC4
// with the database key and the page's number.
func (f *File) page(n uint32) ([]byte, error) {
	if n == 0 || int64(n) >= f.pages {
		return nil, errCorrupt("page %d is outside the file", n)
	}
	if _, err := f.r.ReadAt(f.buf[:], int64(n)*pageSize); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, errCorrupt("cut short")
		}
		return nil, err
	}
	if f.key != 0 {
		var k [4]byte
		binary.LittleEndian.PutUint32(k[:], f.key^n)
		c, _ := rc4.NewCipher(k[:])
		c.XORKeyStream(f.buf[:], f.buf[:])
	}
	return f.buf[:], nil
}
