package psttest

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"slices"
)

// NDB layer (MS-PST 2.2): blocks, subnode trees, the NBT/BBT pages, the
// AMap/PMap pages and the header.

const (
	blockDataMax = 8176 // 8192-byte block minus its 16-byte trailer
	pageSize     = 512
	amapStart    = 0x4400
	amapSpan     = 496 * 8 * 64 // bytes covered by one AMap page
	xEntMax      = (blockDataMax - 8) / 8
	slEntMax     = (blockDataMax - 8) / 24
	siEntMax     = (blockDataMax - 8) / 16

	ptypeBBT  = 0x80
	ptypeNBT  = 0x81
	ptypePMap = 0x83
	ptypeAMap = 0x84
)

var le = binary.LittleEndian

// node is one NDB node: its data stream, already cut into block payloads,
// and its subnodes (which become the node's SLBLOCK/SIBLOCK tree).
type node struct {
	nid  uint32
	data [][]byte
	subs []*node
}

type nbtEntry struct {
	nid, parent     uint32
	bidData, bidSub uint64
}

type bbtEntry struct {
	bid, ib uint64
	cb      int
}

type ndb struct {
	crypt   byte
	buf     []byte // the file; grows as blocks and pages are placed
	nextBid uint64 // bidIndex of the last BID handed out
	nbt     []nbtEntry
	bbt     []bbtEntry
	used    [][2]uint64 // allocated [ib, ib+size) ranges, for the AMaps
	mapped  uint64      // AMap intervals whose map pages are reserved
}

func newNDB(crypt byte) *ndb {
	f := &ndb{crypt: crypt}
	f.buf = make([]byte, amapStart)
	f.skipMaps(0)
	return f
}

// mapSize is the room the map pages take at the start of AMap interval k:
// the AMap, and in every 8th interval also a (deprecated) PMap.
func mapSize(k uint64) uint64 {
	if k%8 == 0 {
		return 2 * pageSize
	}
	return pageSize
}

// skipMaps reserves the map pages that open interval k; they are filled in
// by finish once every allocation is known.
func (f *ndb) skipMaps(k uint64) {
	ib := amapStart + k*amapSpan
	f.grow(ib + mapSize(k))
	f.used = append(f.used, [2]uint64{ib, ib + mapSize(k)})
	f.mapped = k + 1
}

func (f *ndb) grow(n uint64) {
	if n > uint64(len(f.buf)) {
		f.buf = append(f.buf, make([]byte, n-uint64(len(f.buf)))...)
	}
}

// place finds room for size bytes at the given alignment, never on the map
// pages that start each AMap interval.
func (f *ndb) place(size, align uint64) uint64 {
	for {
		ib := (uint64(len(f.buf)) + align - 1) / align * align
		k := (ib - amapStart) / amapSpan
		if k >= f.mapped { // first use of interval k: its map pages come first
			f.grow(amapStart + k*amapSpan)
			f.skipMaps(k)
			continue
		}
		next := amapStart + (k+1)*amapSpan
		if ib+size <= next {
			f.grow(ib + size)
			f.used = append(f.used, [2]uint64{ib, ib + size})
			return ib
		}
		f.grow(next)
	}
}

func (f *ndb) newBid(internal bool) uint64 {
	f.nextBid++
	bid := f.nextBid << 2 // bit 0 reserved, bit 1 = internal
	if internal {
		bid |= 2
	}
	return bid
}

// block writes one block: payload, padding to a multiple of 64, trailer.
// Only data blocks are encoded; XBLOCKs and SL/SIBLOCKs are stored plain.
func (f *ndb) block(data []byte, internal bool) uint64 {
	if len(data) > blockDataMax {
		panic("psttest: block too large")
	}
	bid := f.newBid(internal)
	stored := data
	if !internal {
		stored = encode(data, f.crypt, bid)
	}
	size := uint64(len(data)+16+63) / 64 * 64
	ib := f.place(size, 64)
	copy(f.buf[ib:], stored)
	t := f.buf[ib+size-16:]
	le.PutUint16(t[0:], uint16(len(data)))
	le.PutUint16(t[2:], sig(ib, bid))
	le.PutUint32(t[4:], crc(stored))
	le.PutUint64(t[8:], bid)
	f.bbt = append(f.bbt, bbtEntry{bid, ib, len(data)})
	return bid
}

// data stores a node's data stream: one block, or an XBLOCK (XXBLOCK when
// more than 1021 blocks) listing the blocks in order.
func (f *ndb) data(chunks [][]byte) uint64 {
	if len(chunks) == 1 {
		return f.block(chunks[0], false)
	}
	bids := make([]uint64, len(chunks))
	total := 0
	for i, c := range chunks {
		bids[i] = f.block(c, false)
		total += len(c)
	}
	if len(bids) <= xEntMax {
		return f.block(xblock(1, bids, total), true)
	}
	var xs []uint64
	for i := 0; i < len(bids); i += xEntMax {
		part := bids[i:min(i+xEntMax, len(bids))]
		n := 0
		for _, c := range chunks[i : i+len(part)] {
			n += len(c)
		}
		xs = append(xs, f.block(xblock(1, part, n), true))
	}
	if len(xs) > xEntMax {
		panic("psttest: data stream too large")
	}
	return f.block(xblock(2, xs, total), true)
}

func xblock(level byte, bids []uint64, total int) []byte {
	b := []byte{0x01, level, 0, 0, 0, 0, 0, 0}
	le.PutUint16(b[2:], uint16(len(bids)))
	le.PutUint32(b[4:], uint32(total))
	for _, bid := range bids {
		b = le.AppendUint64(b, bid)
	}
	return b
}

// subtree writes the SLBLOCK (or SIBLOCK over several SLBLOCKs) for subs,
// sorted by NID; 0 when there are none.
func (f *ndb) subtree(subs []*node) uint64 {
	if len(subs) == 0 {
		return 0
	}
	subs = slices.Clone(subs)
	slices.SortFunc(subs, func(a, b *node) int { return int(a.nid) - int(b.nid) })
	type slEntry struct {
		nid             uint32
		bidData, bidSub uint64
	}
	ents := make([]slEntry, len(subs))
	for i, s := range subs {
		ents[i] = slEntry{s.nid, f.data(s.data), f.subtree(s.subs)}
	}
	var sis []byte
	nsi := 0
	for i := 0; i < len(ents); i += slEntMax {
		part := ents[i:min(i+slEntMax, len(ents))]
		b := []byte{0x02, 0, 0, 0, 0, 0, 0, 0}
		le.PutUint16(b[2:], uint16(len(part)))
		for _, e := range part {
			b = le.AppendUint64(b, uint64(e.nid))
			b = le.AppendUint64(b, e.bidData)
			b = le.AppendUint64(b, e.bidSub)
		}
		bid := f.block(b, true)
		if len(ents) <= slEntMax {
			return bid
		}
		sis = le.AppendUint64(sis, uint64(part[0].nid))
		sis = le.AppendUint64(sis, bid)
		nsi++
	}
	if nsi > siEntMax {
		panic("psttest: too many subnodes")
	}
	b := []byte{0x02, 1, 0, 0, 0, 0, 0, 0}
	le.PutUint16(b[2:], uint16(nsi))
	return f.block(append(b, sis...), true)
}

// add stores a top-level node and records its NBT entry.
func (f *ndb) add(n *node, parent uint32) {
	f.nbt = append(f.nbt, nbtEntry{nid: n.nid, parent: parent, bidData: f.data(n.data), bidSub: f.subtree(n.subs)})
}

// btree writes a B-tree of 512-byte pages bottom-up and returns the root's
// BREF. keys[i] is the key of leaf entry ents[i] (both sorted).
func (f *ndb) btree(ptype byte, keys []uint64, ents [][]byte, cbEnt int) (bid, ib uint64) {
	level := byte(0)
	for {
		per := 488 / cbEnt
		var nkeys []uint64
		var nents [][]byte
		for i := 0; i < len(ents); i += per {
			part := ents[i:min(i+per, len(ents))]
			p := make([]byte, pageSize)
			for j, e := range part {
				copy(p[j*cbEnt:], e)
			}
			p[488], p[489], p[490], p[491] = byte(len(part)), byte(per), byte(cbEnt), level
			bid = f.newBid(false)
			ib = f.place(pageSize, pageSize)
			f.trailer(p, ptype, sig(ib, bid), bid)
			copy(f.buf[ib:], p)
			e := le.AppendUint64(nil, keys[i])
			e = le.AppendUint64(e, bid)
			nkeys, nents = append(nkeys, keys[i]), append(nents, le.AppendUint64(e, ib))
		}
		if len(nents) == 1 {
			return bid, ib
		}
		keys, ents, cbEnt, level = nkeys, nents, 24, level+1
	}
}

func (f *ndb) trailer(p []byte, ptype byte, wSig uint16, bid uint64) {
	p[496], p[497] = ptype, ptype
	le.PutUint16(p[498:], wSig)
	le.PutUint32(p[500:], crc(p[:496]))
	le.PutUint64(p[504:], bid)
}

// finish writes both B-trees, pads the file to a whole AMap interval (as
// Outlook does), fills the map pages and writes the header.
func (f *ndb) finish() ([]byte, error) {
	if len(f.nbt) == 0 {
		return nil, errors.New("psttest: no nodes")
	}
	slices.SortFunc(f.nbt, func(a, b nbtEntry) int { return int(a.nid) - int(b.nid) })
	slices.SortFunc(f.bbt, func(a, b bbtEntry) int {
		if a.bid < b.bid {
			return -1
		}
		return 1
	})
	var keys []uint64
	var ents [][]byte
	for _, e := range f.nbt {
		b := le.AppendUint64(nil, uint64(e.nid))
		b = le.AppendUint64(b, e.bidData)
		b = le.AppendUint64(b, e.bidSub)
		b = le.AppendUint32(b, e.parent)
		keys, ents = append(keys, uint64(e.nid)), append(ents, le.AppendUint32(b, 0))
	}
	nbtBid, nbtIB := f.btree(ptypeNBT, keys, ents, 32)
	keys, ents = nil, nil
	for _, e := range f.bbt {
		b := le.AppendUint64(nil, e.bid)
		b = le.AppendUint64(b, e.ib)
		b = le.AppendUint16(b, uint16(e.cb))
		b = le.AppendUint16(b, 2) // cRef, as Outlook writes for live blocks
		keys, ents = append(keys, e.bid), append(ents, le.AppendUint32(b, 0))
	}
	bbtBid, bbtIB := f.btree(ptypeBBT, keys, ents, 24)

	nmaps := (uint64(len(f.buf)) - amapStart + amapSpan - 1) / amapSpan
	eof := amapStart + nmaps*amapSpan
	f.grow(eof)
	var free uint64
	for k := uint64(0); k < nmaps; k++ {
		base := amapStart + k*amapSpan
		p := make([]byte, pageSize)
		for _, r := range f.used {
			for ib := max(r[0], base); ib < min(r[1], base+amapSpan); ib += 64 {
				bit := (ib - base) / 64
				p[bit/8] |= 0x80 >> (bit % 8) // MSB first
			}
		}
		for _, b := range p[:496] {
			for ; b != 0xFF; b |= b + 1 { // count zero bits
				free += 64
			}
		}
		f.trailer(p, ptypeAMap, 0, base) // map pages: wSig 0, bid = ib
		copy(f.buf[base:], p)
		if k%8 == 0 {
			p := make([]byte, pageSize)
			for i := range p[:496] {
				p[i] = 0xFF
			}
			f.trailer(p, ptypePMap, 0, base+pageSize)
			copy(f.buf[base+pageSize:], p)
		}
	}

	h := f.buf[:564]
	copy(h[0:], "!BDN")
	copy(h[8:], "SM")
	le.PutUint16(h[10:], 23) // wVer: Unicode
	le.PutUint16(h[12:], 19) // wVerClient
	h[14], h[15] = 1, 1      // bPlatformCreate, bPlatformAccess
	f.nextBid++
	le.PutUint64(h[32:], f.nextBid<<2) // bidNextP
	le.PutUint32(h[40:], 1)            // dwUnique
	for t := range 32 {                // rgnid: next NID per type, past all we used
		le.PutUint32(h[44+4*t:], 0x20000<<5|uint32(t))
	}
	r := h[180:]
	le.PutUint64(r[4:], eof)
	le.PutUint64(r[12:], amapStart+(nmaps-1)*amapSpan) // ibAMapLast
	le.PutUint64(r[20:], free)                         // cbAMapFree
	le.PutUint64(r[36:], nbtBid)
	le.PutUint64(r[44:], nbtIB)
	le.PutUint64(r[52:], bbtBid)
	le.PutUint64(r[60:], bbtIB)
	r[68] = 2 // fAMapValid = VALID_AMAP2
	for i := 256; i < 512; i++ {
		h[i] = 0xFF // rgbFM, rgbFP: deprecated, all 0xFF
	}
	h[512] = 0x80 // bSentinel
	h[513] = f.crypt
	f.nextBid++
	le.PutUint64(h[516:], f.nextBid<<2) // bidNextB
	le.PutUint32(h[4:], crc(h[8:8+471]))
	le.PutUint32(h[524:], crc(h[8:8+516]))
	return f.buf, nil
}

// sig is MS-PST 5.5 ComputeSig.
func sig(ib, bid uint64) uint16 {
	ib ^= bid
	return uint16(ib>>16) ^ uint16(ib)
}

var crcTable = crc32.MakeTable(crc32.IEEE)

// crc is MS-PST 5.3: the reflected 0xEDB88320 CRC with initial value 0 and no
// final inversion. crc32.Update inverts on entry and exit, so undo both.
func crc(p []byte) uint32 {
	return ^crc32.Update(^uint32(0), crcTable, p)
}
