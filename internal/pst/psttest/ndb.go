package psttest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"slices"
)

// NDB layer (MS-PST 2.2): blocks, subnode trees, the NBT/BBT pages, the
// AMap/PMap pages and the header.

const (
	blockSize = 8192 // largest block written, trailer included

	ptypeBBT  = 0x80
	ptypeNBT  = 0x81
	ptypePMap = 0x83
	ptypeAMap = 0x84
)

var le = binary.LittleEndian

// format is what differs between the Unicode and the ANSI layout (MS-PST
// 2.2.2), and the 4K one of Outlook 2013's .ost: the ANSI one has 32-bit
// BIDs and IBs, so shorter trailers and entries; the 4K one has pages of
// 4096 bytes, two-byte entry counts, 24-byte trailers, the inflated size
// in the BBT entries and the block trailers, and zlib-compressed data
// blocks. Everything above the NDB layer is the same, save the data of a
// table's row index (TCROWID.dwRowIndex: 4 bytes, ANSI 2).
type format struct {
	ansi, fourK bool
	id          int // bytes of a BID, an IB, and of a NID where it is a B-tree or subnode key
	trailer     int // bytes of a block trailer (BLOCKTRAILER)
	align       int // blocks are placed on, and sized in, multiples of this
	pageSize    int
	entries     int // bytes of a B-tree page's rgentries; cEnt, cEntMax, cbEnt, cLevel follow
	pageData    int // bytes of a page before its PAGETRAILER, all of them under its dwCRC
	mapBits     int // offset of an AMap's or PMap's bits (ANSI pages start with 4 bytes of padding)
	mapBytes    int // bytes of an AMap's bits, each bit 64 bytes of the file
	amapStart   uint64
	amapSpan    uint64 // bytes from one AMap to the next
	slHeader    int    // bytes of an SLBLOCK's or SIBLOCK's header (Unicode: with dwPadding)
	rowIndex    int    // bytes of TCROWID.dwRowIndex
	// hidShift is where a HID's block index starts: bit 16, and in the
	// 4K format bit 19 (libpff: hid >> 19, and a 14-bit hidIndex;
	// libpst: (hid >> 16) >> 3). Either way hidIndex keeps to 11 bits.
	hidShift int
}

var (
	unicodeFormat = format{id: 8, trailer: 16, align: 64, pageSize: 512, entries: 488, pageData: 496, mapBits: 0,
		mapBytes: 496, amapStart: 0x4400, amapSpan: 496 * 8 * 64, slHeader: 8, rowIndex: 4, hidShift: 16}
	ansiFormat = format{ansi: true, id: 4, trailer: 12, align: 64, pageSize: 512, entries: 496, pageData: 500, mapBits: 4,
		mapBytes: 496, amapStart: 0x4400, amapSpan: 496 * 8 * 64, slHeader: 4, rowIndex: 2, hidShift: 16}
	// The 4K layout as libpff (pff_index_node_64bit_4k_page_footer_t,
	// pff_block_footer_64bit_4k_page_t, the first allocation table at
	// 0x22000 and every 4072*8*512 bytes, blocks in 512-byte steps) and
	// libpst (INDEX_TYPE4K, pst_index with inflated_size) read it.
	fourKFormat = format{fourK: true, id: 8, trailer: 24, align: 512, pageSize: 4096, entries: 4056, pageData: 4072,
		mapBytes: 4072, amapStart: 0x22000, amapSpan: 4072 * 8 * 512, slHeader: 8, rowIndex: 4, hidShift: 19}
)

// dataMax is the most data one block holds: 8176 bytes (Unicode), 8180 (ANSI).
func (m *format) dataMax() int { return blockSize - m.trailer }

// appendID appends a BID, IB or NID in the format's width.
func (m *format) appendID(b []byte, v uint64) []byte {
	if m.ansi {
		return le.AppendUint32(b, uint32(v))
	}
	return le.AppendUint64(b, v)
}

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
	bid, ib      uint64
	cb, inflated int // bytes stored, and of the data once inflated
}

type ndb struct {
	m       *format
	crypt   byte
	buf     []byte // the file; grows as blocks and pages are placed
	nextBid uint64 // bidIndex of the last BID handed out
	nbt     []nbtEntry
	bbt     []bbtEntry
	used    [][2]uint64 // allocated [ib, ib+size) ranges, for the AMaps
	mapped  uint64      // AMap intervals whose map pages are reserved
}

func newNDB(crypt byte, m *format) *ndb {
	f := &ndb{crypt: crypt, m: m}
	f.buf = make([]byte, m.amapStart)
	f.skipMaps(0)
	return f
}

// mapSize is the room the map pages take at the start of AMap interval k:
// the AMap, and in every 8th interval of the 512-byte-page formats also a
// (deprecated) PMap, which libpff has not seen in 4K files.
func (f *ndb) mapSize(k uint64) uint64 {
	if k%8 == 0 && !f.m.fourK {
		return 2 * uint64(f.m.pageSize)
	}
	return uint64(f.m.pageSize)
}

// skipMaps reserves the map pages that open interval k; they are filled in
// by finish once every allocation is known.
func (f *ndb) skipMaps(k uint64) {
	ib := f.m.amapStart + k*f.m.amapSpan
	f.grow(ib + f.mapSize(k))
	f.used = append(f.used, [2]uint64{ib, ib + f.mapSize(k)})
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
		k := (ib - f.m.amapStart) / f.m.amapSpan
		if k >= f.mapped { // first use of interval k: its map pages come first
			f.grow(f.m.amapStart + k*f.m.amapSpan)
			f.skipMaps(k)
			continue
		}
		next := f.m.amapStart + (k+1)*f.m.amapSpan
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

// block writes one block: payload, padding to a multiple of 64 (4K: 512),
// trailer. Only data blocks are encoded; XBLOCKs and SL/SIBLOCKs are
// stored plain. In the 4K format a data block is then zlib-compressed
// where that makes it smaller: readers inflate, then decode.
func (f *ndb) block(data []byte, internal bool) uint64 {
	if len(data) > f.m.dataMax() {
		panic("psttest: block too large")
	}
	bid := f.newBid(internal)
	stored := data
	if !internal {
		stored = encode(data, f.crypt, bid)
		if z := deflate(stored); f.m.fourK && len(z) < len(stored) {
			stored = z
		}
	}
	align := uint64(f.m.align)
	size := (uint64(len(stored)+f.m.trailer) + align - 1) / align * align
	ib := f.place(size, align)
	copy(f.buf[ib:], stored)
	// BLOCKTRAILER: cb, wSig, then dwCRC and bid (Unicode) or bid and
	// dwCRC (ANSI); 4K: then 2 unknown bytes, cbInflated and 4 unknown.
	// dwCRC is of the bytes stored.
	t := f.buf[ib+size-uint64(f.m.trailer):]
	le.PutUint16(t[0:], uint16(len(stored)))
	le.PutUint16(t[2:], sig(ib, bid))
	if f.m.ansi {
		le.PutUint32(t[4:], uint32(bid))
		le.PutUint32(t[8:], crc(stored))
	} else {
		le.PutUint32(t[4:], crc(stored))
		le.PutUint64(t[8:], bid)
	}
	if f.m.fourK {
		le.PutUint16(t[18:], uint16(len(data)))
	}
	f.bbt = append(f.bbt, bbtEntry{bid, ib, len(stored), len(data)})
	return bid
}

// deflate compresses b as a zlib stream at the default level, whose
// header (78 9C) is the one XstReader checks for.
func deflate(b []byte) []byte {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(b)
	w.Close()
	return z.Bytes()
}

// data stores a node's data stream: one block, or an XBLOCK (XXBLOCK when
// more than one XBLOCK holds: 1021 blocks, ANSI 2043) listing the blocks in
// order.
func (f *ndb) data(chunks [][]byte) uint64 {
	xEntMax := (f.m.dataMax() - 8) / f.m.id
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
		return f.block(f.xblock(1, bids, total), true)
	}
	var xs []uint64
	for i := 0; i < len(bids); i += xEntMax {
		part := bids[i:min(i+xEntMax, len(bids))]
		n := 0
		for _, c := range chunks[i : i+len(part)] {
			n += len(c)
		}
		xs = append(xs, f.block(f.xblock(1, part, n), true))
	}
	if len(xs) > xEntMax {
		panic("psttest: data stream too large")
	}
	return f.block(f.xblock(2, xs, total), true)
}

func (f *ndb) xblock(level byte, bids []uint64, total int) []byte {
	b := []byte{0x01, level, 0, 0, 0, 0, 0, 0}
	le.PutUint16(b[2:], uint16(len(bids)))
	le.PutUint32(b[4:], uint32(total))
	for _, bid := range bids {
		b = f.m.appendID(b, bid)
	}
	return b
}

// subtree writes the SLBLOCK (or SIBLOCK over several SLBLOCKs) for subs,
// sorted by NID; 0 when there are none. Their header is btype, cLevel, cEnt
// and, in the Unicode format only, dwPadding; an SLENTRY is nid, bidData,
// bidSub and an SIENTRY nid, bid, each of the format's id width.
func (f *ndb) subtree(subs []*node) uint64 {
	if len(subs) == 0 {
		return 0
	}
	slEntMax := (f.m.dataMax() - f.m.slHeader) / (3 * f.m.id)
	siEntMax := (f.m.dataMax() - f.m.slHeader) / (2 * f.m.id)
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
		b := make([]byte, f.m.slHeader)
		b[0] = 0x02
		le.PutUint16(b[2:], uint16(len(part)))
		for _, e := range part {
			b = f.m.appendID(b, uint64(e.nid))
			b = f.m.appendID(b, e.bidData)
			b = f.m.appendID(b, e.bidSub)
		}
		bid := f.block(b, true)
		if len(ents) <= slEntMax {
			return bid
		}
		sis = f.m.appendID(sis, uint64(part[0].nid))
		sis = f.m.appendID(sis, bid)
		nsi++
	}
	if nsi > siEntMax {
		panic("psttest: too many subnodes")
	}
	b := make([]byte, f.m.slHeader)
	b[0], b[1] = 0x02, 1
	le.PutUint16(b[2:], uint16(nsi))
	return f.block(append(b, sis...), true)
}

// add stores a top-level node and records its NBT entry.
func (f *ndb) add(n *node, parent uint32) {
	f.nbt = append(f.nbt, nbtEntry{nid: n.nid, parent: parent, bidData: f.data(n.data), bidSub: f.subtree(n.subs)})
}

// btree writes a B-tree of pages bottom-up and returns the root's BREF.
// keys[i] is the key of leaf entry ents[i] (both sorted).
func (f *ndb) btree(ptype byte, keys []uint64, ents [][]byte, cbEnt int) (bid, ib uint64) {
	level := byte(0)
	for {
		per := f.m.entries / cbEnt
		var nkeys []uint64
		var nents [][]byte
		for i := 0; i < len(ents); i += per {
			part := ents[i:min(i+per, len(ents))]
			p := make([]byte, f.m.pageSize)
			for j, e := range part {
				copy(p[j*cbEnt:], e)
			}
			n := f.m.entries // cEnt, cEntMax (4K: two bytes each), cbEnt, cLevel
			if f.m.fourK {
				le.PutUint16(p[n:], uint16(len(part)))
				le.PutUint16(p[n+2:], uint16(per))
				n += 2
			} else {
				p[n], p[n+1] = byte(len(part)), byte(per)
			}
			p[n+2], p[n+3] = byte(cbEnt), level
			bid = f.newBid(false)
			ib = f.place(uint64(f.m.pageSize), uint64(f.m.pageSize))
			f.trailer(p, ptype, sig(ib, bid), bid)
			copy(f.buf[ib:], p)
			e := f.m.appendID(nil, keys[i]) // BTENTRY: btkey, BREF
			e = f.m.appendID(e, bid)
			nkeys, nents = append(nkeys, keys[i]), append(nents, f.m.appendID(e, ib))
		}
		if len(nents) == 1 {
			return bid, ib
		}
		keys, ents, cbEnt, level = nkeys, nents, 3*f.m.id, level+1
	}
}

// trailer writes a PAGETRAILER: ptype, ptypeRepeat, wSig, then dwCRC and
// bid (Unicode, 4K) or bid and dwCRC (ANSI); 4K pages end with 8 unknown
// bytes, left 0. The CRC covers all of the page before the trailer: 496
// bytes, ANSI 500, 4K 4072.
func (f *ndb) trailer(p []byte, ptype byte, wSig uint16, bid uint64) {
	n := f.m.pageData
	p[n], p[n+1] = ptype, ptype
	le.PutUint16(p[n+2:], wSig)
	if f.m.ansi {
		le.PutUint32(p[n+4:], uint32(bid))
		le.PutUint32(p[n+8:], crc(p[:n]))
	} else {
		le.PutUint32(p[n+4:], crc(p[:n]))
		le.PutUint64(p[n+8:], bid)
	}
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
	// NBTENTRY: nid, bidData, bidSub, nidParent (and in the Unicode
	// format the NID padded to 8 bytes and 4 bytes of padding at the end).
	var keys []uint64
	var ents [][]byte
	for _, e := range f.nbt {
		b := f.m.appendID(nil, uint64(e.nid))
		b = f.m.appendID(b, e.bidData)
		b = f.m.appendID(b, e.bidSub)
		b = le.AppendUint32(b, e.parent)
		if !f.m.ansi {
			b = le.AppendUint32(b, 0)
		}
		keys, ents = append(keys, uint64(e.nid)), append(ents, b)
	}
	nbtBid, nbtIB := f.btree(ptypeNBT, keys, ents, len(ents[0]))
	// BBTENTRY: BREF (bid, ib), cb, cRef (and in Unicode 4 bytes of
	// padding); 4K: BREF, cb, cbInflated, cRef, 2 bytes of padding.
	keys, ents = nil, nil
	for _, e := range f.bbt {
		b := f.m.appendID(nil, e.bid)
		b = f.m.appendID(b, e.ib)
		b = le.AppendUint16(b, uint16(e.cb))
		if f.m.fourK {
			b = le.AppendUint16(b, uint16(e.inflated))
		}
		b = le.AppendUint16(b, 2) // cRef, as Outlook writes for live blocks
		switch {
		case f.m.fourK:
			b = le.AppendUint16(b, 0)
		case !f.m.ansi:
			b = le.AppendUint32(b, 0)
		}
		keys, ents = append(keys, e.bid), append(ents, b)
	}
	bbtBid, bbtIB := f.btree(ptypeBBT, keys, ents, len(ents[0]))

	amapStart, amapSpan := f.m.amapStart, f.m.amapSpan
	nmaps := (uint64(len(f.buf)) - amapStart + amapSpan - 1) / amapSpan
	eof := amapStart + nmaps*amapSpan
	if f.m.fourK {
		// A 4K AMap's interval is 16 MB: the file ends at its last page
		// instead, small for tests and fuzzing.
		eof = (uint64(len(f.buf)) + uint64(f.m.pageSize) - 1) / uint64(f.m.pageSize) * uint64(f.m.pageSize)
	}
	f.grow(eof)
	pageSize := f.m.pageSize
	var free uint64
	for k := uint64(0); k < nmaps; k++ {
		base := amapStart + k*amapSpan
		p := make([]byte, pageSize)
		bits := p[f.m.mapBits : f.m.mapBits+f.m.mapBytes] // rgbAMapBits, after the ANSI dwPadding
		for _, r := range f.used {
			for ib := max(r[0], base); ib < min(r[1], base+uint64(8*64*len(bits))); ib += 64 {
				bit := (ib - base) / 64
				bits[bit/8] |= 0x80 >> (bit % 8) // MSB first
			}
		}
		for _, b := range bits {
			for ; b != 0xFF; b |= b + 1 { // count zero bits
				free += 64
			}
		}
		f.trailer(p, ptypeAMap, 0, base) // map pages: wSig 0, bid = ib
		copy(f.buf[base:], p)
		if f.mapSize(k) > uint64(pageSize) {
			p := make([]byte, pageSize)
			for i := range f.m.mapBytes {
				p[f.m.mapBits+i] = 0xFF
			}
			f.trailer(p, ptypePMap, 0, base+uint64(pageSize))
			copy(f.buf[base+uint64(pageSize):], p)
		}
	}
	if f.m.ansi {
		f.ansiHeader(eof, amapStart+(nmaps-1)*amapSpan, free, nbtBid, nbtIB, bbtBid, bbtIB)
		return f.buf, nil
	}

	// The 4K header is the Unicode one with wVer 36; an .ost's wMagicClient
	// is "SO" (libpff: "Offline Storage Tables (OST)").
	h := f.buf[:564]
	copy(h[0:], "!BDN")
	copy(h[8:], "SM")
	le.PutUint16(h[10:], 23) // wVer: Unicode
	if f.m.fourK {
		copy(h[8:], "SO")
		le.PutUint16(h[10:], 36)
	}
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

// ansiHeader writes the 512-byte ANSI HEADER (MS-PST 2.2.2.6): the same
// fields as the Unicode one, with 32-bit BIDs and IBs and in another order
// (bidNextB at 24, bidNextP at 28, the ROOT at 164), and without dwCRCFull.
func (f *ndb) ansiHeader(eof, amapLast, free, nbtBid, nbtIB, bbtBid, bbtIB uint64) {
	h := f.buf[:512]
	copy(h[0:], "!BDN")
	copy(h[8:], "SM")
	le.PutUint16(h[10:], 14) // wVer: ANSI
	le.PutUint16(h[12:], 19) // wVerClient
	h[14], h[15] = 1, 1      // bPlatformCreate, bPlatformAccess
	f.nextBid++
	le.PutUint32(h[24:], uint32(f.nextBid<<2)) // bidNextB
	f.nextBid++
	le.PutUint32(h[28:], uint32(f.nextBid<<2)) // bidNextP
	le.PutUint32(h[32:], 1)                    // dwUnique
	for t := range 32 {                        // rgnid
		le.PutUint32(h[36+4*t:], 0x20000<<5|uint32(t))
	}
	r := h[164:] // ROOT: dwReserved, ibFileEof, ibAMapLast, cbAMapFree, cbPMapFree, BREFNBT, BREFBBT, fAMapValid
	le.PutUint32(r[4:], uint32(eof))
	le.PutUint32(r[8:], uint32(amapLast))
	le.PutUint32(r[12:], uint32(free))
	le.PutUint32(r[20:], uint32(nbtBid))
	le.PutUint32(r[24:], uint32(nbtIB))
	le.PutUint32(r[28:], uint32(bbtBid))
	le.PutUint32(r[32:], uint32(bbtIB))
	r[36] = 2 // fAMapValid = VALID_AMAP2
	for i := 204; i < 460; i++ {
		h[i] = 0xFF // rgbFM, rgbFP: deprecated, all 0xFF
	}
	h[460] = 0x80 // bSentinel
	h[461] = f.crypt
	le.PutUint32(h[4:], crc(h[8:8+471])) // dwCRCPartial, as in the Unicode header
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
