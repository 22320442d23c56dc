// Package pst reads Outlook's personal folder files (.pst, and .ost files
// of the same layouts, Outlook 2013's with 4 KiB pages and compressed
// blocks among them): the folders, and each message's properties,
// recipients and attachments ([MS-PST]). It reads only, and trusts
// nothing in the file: every offset is checked, every tree's depth is
// bounded, no block inflates past the size the format allows, and no
// value is read past Limits.MaxValue.
//
// The file has three layers. The node database (ndb.go) keeps nodes,
// each a tree of blocks, found through two B-trees. The lists, tables and
// properties layer (ltp.go) reads a node as a heap holding a property
// context (one object's properties) or a table context (rows). Messages
// (message.go) are property contexts whose subnodes hold their
// recipients, attachments and large values.
package pst

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrNotPST is returned by Open for a file that is not a PST.
var ErrNotPST = errors.New("pst: not a personal folder file")

// ErrUnsupported is returned by Open for a PST of a kind not read: an
// unknown version or encryption.
var ErrUnsupported = errors.New("pst: not read")

// ErrTooLarge is returned for a value over Limits.MaxValue.
var ErrTooLarge = errors.New("pst: value over the size limit")

// errCorrupt wraps what a damaged or hostile file breaks.
func errCorrupt(format string, args ...any) error {
	return fmt.Errorf("pst: corrupt file: "+format, args...)
}

// Limits bound what reading a file may hold in memory.
type Limits struct {
	// MaxValue is the largest value (a body, an attachment, a table's
	// rows) read; 0 means 64 MiB.
	MaxValue int64
}

// layout is where the formats keep things: the ANSI format of Outlook
// 97–2002 has 32-bit ids and offsets, the Unicode one 64-bit, and the
// Unicode one of Outlook 2013's .ost (and of 4K-page .pst files) 64-bit
// ids, B-tree pages of 4 KiB and data blocks that may be zlib-compressed.
type layout struct {
	unicode bool
	id      int // bytes of a node or block id, and of a file offset
	// A B-tree page of pageSize bytes: cEnt, cbEnt, cLevel and ptype are
	// at these offsets; cEnt (and cEntMax) is two bytes wide in 4K
	// pages, one elsewhere. The entries end where cEnt starts.
	pageSize                   int
	cEnt, cbEnt, cLevel, ptype int
	wideCount                  bool
	// inflated is the offset in a block B-tree entry of the size of the
	// block's data once inflated; 0 where blocks are never compressed.
	inflated  int
	maxBlock  int // the most a block holds, stored or inflated
	slEntries int // offset of a subnode block's entries
	// hidShift is where a heap id's block index starts: above its type
	// (5 bits) and index, of 11 bits, in the 4K format of 14 (libpff
	// reads hid>>19, libpst (hid>>16)>>3).
	hidShift int
}

// A block is at most 8 KiB with its trailer in the 512-byte-page formats
// ([MS-PST] 2.2.2.8). The 4K format stores the inflated size in 16 bits,
// and libpff holds a 4K block with its trailer to 64 KiB, which bounds a
// block whatever a hostile file declares.
var (
	unicodeLayout = layout{unicode: true, id: 8, pageSize: 512, cEnt: 488, cbEnt: 490, cLevel: 491, ptype: 496,
		maxBlock: 8192, slEntries: 8, hidShift: 16}
	ansiLayout = layout{unicode: false, id: 4, pageSize: 512, cEnt: 496, cbEnt: 498, cLevel: 499, ptype: 500,
		maxBlock: 8192, slEntries: 4, hidShift: 16}
	// The 4K layout (libpff's "64-bit with 4k page", libpst's
	// INDEX_TYPE4K): pages of 4096 bytes with 4056 bytes of entries, then
	// cEnt and cEntMax of two bytes, cbEnt, cLevel, padding, and a
	// 24-byte trailer from 4072; block B-tree entries of bid, ib, cb,
	// cbInflated, cRef and padding.
	fourKLayout = layout{unicode: true, id: 8, pageSize: 4096, cEnt: 4056, cbEnt: 4060, cLevel: 4061, ptype: 4072,
		wideCount: true, inflated: 18, maxBlock: 65536, slEntries: 8, hidShift: 19}
)

// getID reads an id or offset of the layout's width at b.
func (l *layout) getID(b []byte) uint64 {
	if l.unicode {
		return binary.LittleEndian.Uint64(b)
	}
	return uint64(binary.LittleEndian.Uint32(b))
}

// A File is an open PST. It is not safe for concurrent use.
type File struct {
	r      io.ReaderAt
	size   int64
	l      *layout
	crypt  byte
	nbt    uint64 // offset of the node B-tree's root page
	bbt    uint64 // and of the block B-tree's
	limits Limits
	pages  map[uint64][]byte // B-tree pages read, by offset
}

// Open reads the header of the PST in r, size bytes long.
func Open(r io.ReaderAt, size int64, limits Limits) (*File, error) {
	if limits.MaxValue <= 0 {
		limits.MaxValue = 64 << 20
	}
	var h [564]byte
	if n, err := r.ReadAt(h[:], 0); n < 516 {
		if err == nil || err == io.EOF {
			return nil, ErrNotPST
		}
		return nil, err
	}
	if string(h[:4]) != "!BDN" || (string(h[8:10]) != "SM" && string(h[8:10]) != "SO") {
		return nil, ErrNotPST
	}
	f := &File{r: r, size: size, limits: limits, pages: map[uint64][]byte{}}
	// Where the two B-trees' roots and the encryption are ([MS-PST]
	// 2.2.2.6): the ROOT structure is at 180 in the Unicode header, 164
	// in the ANSI one.
	var nbt, bbt, sentinel, crypt int
	switch ver := binary.LittleEndian.Uint16(h[10:]); {
	case ver == 14 || ver == 15:
		f.l = &ansiLayout
		nbt, bbt, sentinel, crypt = 188, 196, 460, 461
	case ver >= 23 && ver < 36:
		f.l = &unicodeLayout
		nbt, bbt, sentinel, crypt = 224, 240, 512, 513
	case ver == 36: // the header is the Unicode one
		f.l = &fourKLayout
		nbt, bbt, sentinel, crypt = 224, 240, 512, 513
	default:
		return nil, fmt.Errorf("%w: unknown format version %d", ErrUnsupported, ver)
	}
	if h[sentinel] != 0x80 {
		return nil, errCorrupt("header")
	}
	f.nbt, f.bbt, f.crypt = f.l.getID(h[nbt:]), f.l.getID(h[bbt:]), h[crypt]
	if f.crypt > cryptCyclic {
		return nil, fmt.Errorf("%w: unknown encryption %d", ErrUnsupported, f.crypt)
	}
	return f, nil
}

// Unicode reports whether the file is in a Unicode format (Outlook 2003
// and later) rather than the ANSI one.
func (f *File) Unicode() bool { return f.l.unicode }

// Pages4K reports whether the file has 4 KiB pages and may have
// compressed blocks: an .ost of Outlook 2013 or later.
func (f *File) Pages4K() bool { return f.l.pageSize == 4096 }
