package pst

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
)

// Page types ([MS-PST] 2.2.2.7.1).
const (
	ptypeBBT = 0x80
	ptypeNBT = 0x81
)

// maxLevels bounds a B-tree's depth: a file of 2^63 bytes needs fewer.
const maxLevels = 8

// maxCachedBytes bounds the bytes of B-tree pages kept: the upper levels
// are read over and over, the leaves mostly once.
const maxCachedBytes = 256 << 10

// page returns the B-tree page at off, checked to be of type ptype.
func (f *File) page(off uint64, ptype byte) ([]byte, error) {
	if p, ok := f.pages[off]; ok && p[f.l.ptype] == ptype {
		return p, nil
	}
	size := f.l.pageSize
	if off > uint64(f.size) || uint64(f.size)-off < uint64(size) {
		return nil, errCorrupt("a B-tree page past the end of the file")
	}
	p := make([]byte, size)
	if _, err := f.r.ReadAt(p, int64(off)); err != nil {
		return nil, readErr(err)
	}
	if p[f.l.ptype] != ptype || p[f.l.ptype+1] != ptype {
		return nil, errCorrupt("a B-tree page of the wrong type")
	}
	if len(f.pages)*size >= maxCachedBytes {
		clear(f.pages)
	}
	f.pages[off] = p
	return p, nil
}

// readErr is a read's error; a file that ends early is corrupt.
func readErr(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errCorrupt("cut short")
	}
	return err
}

// A btPage is a B-tree page's entries: n of size bytes, at level; each
// at least the leaf size given at a leaf, and a key and a reference
// (key, bid, offset) above.
type btPage struct {
	p              []byte
	n, size, level int
}

func (b btPage) entry(i int) []byte { return b.p[i*b.size : i*b.size+b.size] }

// btPage reads the B-tree page at off, of type ptype, which must be at
// level want unless want is -1 (the root).
func (f *File) btPage(off uint64, ptype byte, leafSize, want int) (btPage, error) {
	p, err := f.page(off, ptype)
	if err != nil {
		return btPage{}, err
	}
	n := int(p[f.l.cEnt])
	if f.l.wideCount {
		n = int(binary.LittleEndian.Uint16(p[f.l.cEnt:]))
	}
	b := btPage{p: p, n: n, size: int(p[f.l.cbEnt]), level: int(p[f.l.cLevel])}
	least := leafSize
	if b.level > 0 {
		least = 3 * f.l.id
	}
	if b.level > maxLevels || b.size < least || b.n*b.size > f.l.cEnt {
		return btPage{}, errCorrupt("a B-tree page")
	}
	if want >= 0 && b.level != want {
		return btPage{}, errCorrupt("a B-tree page at the wrong level")
	}
	return b, nil
}

// walk calls leaf for each leaf entry of the B-tree whose root page is at
// root, in key order. A child must be one level below its parent, so a
// loop in the tree ends.
func (f *File) walk(root uint64, ptype byte, leafSize int, leaf func(e []byte) error) error {
	seen := map[uint64]bool{} // a page reached twice would be read twice as often at each level
	var visit func(off uint64, want int) error
	visit = func(off uint64, want int) error {
		if seen[off] {
			return errCorrupt("a B-tree page in two places")
		}
		seen[off] = true
		b, err := f.btPage(off, ptype, leafSize, want)
		if err != nil {
			return err
		}
		for i := range b.n {
			if e := b.entry(i); b.level == 0 {
				err = leaf(e)
			} else {
				err = visit(f.l.getID(e[2*f.l.id:]), b.level-1)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	return visit(root, -1)
}

// blockEntry returns the block B-tree's entry for the block bid, or nil.
func (f *File) blockEntry(bid uint64) ([]byte, error) {
	key := bid &^ 1 // a block id's lowest bit is reserved
	off, want := f.bbt, -1
	for {
		b, err := f.btPage(off, ptypeBBT, 2*f.l.id+4, want)
		if err != nil {
			return nil, err
		}
		var next []byte // the last entry whose key is not above key
		for i := range b.n {
			e := b.entry(i)
			k := f.l.getID(e) &^ 1
			if k > key {
				break
			}
			next = e
			if b.level == 0 && k == key {
				return e, nil
			}
		}
		if b.level == 0 || next == nil {
			return nil, nil
		}
		off, want = f.l.getID(next[2*f.l.id:]), b.level-1
	}
}

// A node as the node B-tree lists it ([MS-PST] 2.2.2.7.7.4).
type node struct {
	nid    uint32
	data   uint64 // the block, or tree of blocks, of its data
	sub    uint64 // the block of its subnode tree, or 0
	parent uint32
}

// nodeType is the type of a node id: its low five bits.
func nodeType(nid uint32) int { return int(nid & 0x1F) }

// Node types ([MS-PST] 2.2.2.1).
const (
	typeHID           = 0x00
	typeFolder        = 0x02
	typeMessage       = 0x04
	typeAttachment    = 0x05
	typeRecipients    = 0x12
	nidMessageStore   = 0x21
	nidRootFolder     = 0x122
	nidRecipientTable = 0x692
)

// nodes calls fn for each node of the file, in id order.
func (f *File) nodes(fn func(node) error) error {
	id := f.l.id
	return f.walk(f.nbt, ptypeNBT, 3*id+4, func(e []byte) error {
		return fn(node{
			nid: uint32(f.l.getID(e)), data: f.l.getID(e[id:]), sub: f.l.getID(e[2*id:]),
			parent: binary.LittleEndian.Uint32(e[3*id:]),
		})
	})
}

// block returns the bytes of the block bid: as they are in the file, or
// inflated where the 4K format compressed them.
func (f *File) block(bid uint64) ([]byte, error) {
	id := f.l.id
	e, err := f.blockEntry(bid)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, errCorrupt("a block that is not in the block B-tree")
	}
	off, size := f.l.getID(e[id:]), uint64(binary.LittleEndian.Uint16(e[2*id:]))
	inflated := size
	if f.l.inflated > 0 {
		inflated = uint64(binary.LittleEndian.Uint16(e[f.l.inflated:]))
	}
	if size > uint64(f.l.maxBlock) || inflated > uint64(f.l.maxBlock) ||
		off > uint64(f.size) || uint64(f.size)-off < size {
		return nil, errCorrupt("a block past the end of the file")
	}
	b := make([]byte, size)
	if _, err := f.r.ReadAt(b, int64(off)); err != nil {
		return nil, readErr(err)
	}
	if inflated == size {
		return b, nil
	}
	// A block stored smaller than its data is a zlib stream (RFC 1950),
	// as libpst and libpff inflate it. It must inflate to exactly the
	// size the entry gives, so one byte more is asked for, and reading
	// to the stream's end checks its Adler-32.
	z, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, errCorrupt("a compressed block")
	}
	out := make([]byte, inflated+1)
	if n, err := io.ReadFull(z, out); n != int(inflated) || err != io.ErrUnexpectedEOF {
		return nil, errCorrupt("a compressed block")
	}
	return out[:inflated], nil
}

// internal reports whether bid is a block of the node database's own
// (a tree of blocks or of subnodes) rather than of data.
func internal(bid uint64) bool { return bid&2 != 0 }

// dataBlocks returns the data blocks of the data tree at bid, decoded:
// one block, or the leaves of an XBLOCK (or of the XBLOCKs of an
// XXBLOCK) in order. Together they are at most Limits.MaxValue bytes.
func (f *File) dataBlocks(bid uint64) ([][]byte, error) {
	var blocks [][]byte
	total := int64(0)
	seen := map[uint64]bool{}
	var visit func(bid uint64, want int) error
	visit = func(bid uint64, want int) error {
		if seen[bid&^1] {
			return errCorrupt("a block in two places")
		}
		seen[bid&^1] = true
		b, err := f.block(bid)
		if err != nil {
			return err
		}
		if !internal(bid) {
			if want > 0 {
				return errCorrupt("a data block where a block list belongs")
			}
			if total += int64(len(b)); total > f.limits.MaxValue {
				return ErrTooLarge
			}
			f.decode(b, bid)
			blocks = append(blocks, b)
			return nil
		}
		// XBLOCK (level 1) or XXBLOCK (level 2): btype 1, cLevel, cEnt,
		// lcbTotal, then the ids.
		if len(b) < 8 || b[0] != 1 || b[1] < 1 || b[1] > 2 || (want >= 0 && int(b[1]) != want) {
			return errCorrupt("a block list")
		}
		if int64(binary.LittleEndian.Uint32(b[4:])) > f.limits.MaxValue {
			return ErrTooLarge
		}
		n, level := int(binary.LittleEndian.Uint16(b[2:])), int(b[1])
		if 8+n*f.l.id > len(b) {
			return errCorrupt("a block list")
		}
		for i := range n {
			if err := visit(f.l.getID(b[8+i*f.l.id:]), level-1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := visit(bid, -1); err != nil {
		return nil, err
	}
	return blocks, nil
}

// decode undoes the file's encryption of a data block in place.
func (f *File) decode(b []byte, bid uint64) {
	switch f.crypt {
	case cryptPermute:
		decodePermute(b)
	case cryptCyclic:
		decodeCyclic(b, uint32(bid))
	}
}

// data returns the data of the tree at bid in one piece.
func (f *File) data(bid uint64) ([]byte, error) {
	blocks, err := f.dataBlocks(bid)
	if err != nil || len(blocks) == 1 {
		return firstOf(blocks), err
	}
	n := 0
	for _, b := range blocks {
		n += len(b)
	}
	all := make([]byte, 0, n)
	for _, b := range blocks {
		all = append(all, b...)
	}
	return all, nil
}

func firstOf(blocks [][]byte) []byte {
	if len(blocks) == 0 {
		return nil
	}
	return blocks[0]
}

// subnodes returns the subnode tree at bid (0: none) by id: the nodes a
// node keeps to itself, such as a message's attachments and large values.
func (f *File) subnodes(bid uint64) (map[uint32]node, error) {
	subs := map[uint32]node{}
	if bid == 0 {
		return subs, nil
	}
	id := f.l.id
	seen := map[uint64]bool{}
	var visit func(bid uint64, want int) error
	visit = func(bid uint64, want int) error {
		if seen[bid&^1] {
			return errCorrupt("a subnode block in two places")
		}
		seen[bid&^1] = true
		b, err := f.block(bid)
		if err != nil {
			return err
		}
		// SLBLOCK (level 0) or SIBLOCK (level 1): btype 2, cLevel, cEnt,
		// then entries of a node id and its data and subnode blocks, or
		// of a node id and the block of the SLBLOCK below.
		if len(b) < 4 || b[0] != 2 || b[1] > 1 || (want >= 0 && int(b[1]) != want) {
			return errCorrupt("a subnode block")
		}
		level, n := int(b[1]), int(binary.LittleEndian.Uint16(b[2:]))
		size := 3 * id
		if level == 1 {
			size = 2 * id
		}
		if f.l.slEntries+n*size > len(b) {
			return errCorrupt("a subnode block")
		}
		for i := range n {
			e := b[f.l.slEntries+i*size:]
			if level == 1 {
				if err := visit(f.l.getID(e[id:]), 0); err != nil {
					return err
				}
				continue
			}
			nid := uint32(f.l.getID(e))
			subs[nid] = node{nid: nid, data: f.l.getID(e[id:]), sub: f.l.getID(e[2*id:])}
		}
		return nil
	}
	return subs, visit(bid, -1)
}
