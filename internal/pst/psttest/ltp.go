package psttest

import (
	"slices"
)

// LTP layer (MS-PST 2.3): heap-on-node, BTH, property and table contexts.

const (
	maxAlloc = 3580 // largest heap allocation; bigger values go to subnodes

	sigBTH = 0xB5
	sigTC  = 0x7C
	sigPC  = 0xBC

	nidTypeLTP = 0x1F
)

// Property types used here.
const (
	ptInt16   = 0x0002
	ptInt32   = 0x0003
	ptBool    = 0x000B
	ptObject  = 0x000D
	ptInt64   = 0x0014
	ptUnicode = 0x001F
	ptTime    = 0x0040
	ptBinary  = 0x0102
)

// fixedSize is the size of a fixed-size property type, 0 for variable ones.
func fixedSize(typ uint16) int {
	switch typ {
	case ptInt16:
		return 2
	case ptInt32:
		return 4
	case ptBool:
		return 1
	case ptInt64, ptTime:
		return 8
	}
	return 0
}

// heap is a heap-on-node being built: one page per data block.
type heap struct {
	sig   byte
	shift int        // of the block index in a HID: 16, in the 4K format 19
	max   int        // bytes of a page: the most data a block holds
	pages [][][]byte // allocations per page
	used  []int      // bytes allocated per page
}

func hdrSize(page int) int {
	switch {
	case page == 0:
		return 12 // HNHDR
	case page%128 == 8:
		return 66 // HNBITMAPHDR
	}
	return 2 // HNPAGEHDR
}

// alloc adds an allocation and returns its HID (hidIndex is 1-based).
func (h *heap) alloc(b []byte) uint32 {
	if len(b) > maxAlloc {
		panic("psttest: heap allocation too large")
	}
	p := len(h.pages) - 1
	// The page must also hold the page map: cAlloc, cFree, n+1 offsets, and
	// one byte of padding to keep the map 2-byte aligned.
	if p < 0 || hdrSize(p)+h.used[p]+len(b)+1+4+2*(len(h.pages[p])+2) > h.max {
		h.pages, h.used = append(h.pages, nil), append(h.used, 0)
		p++
	}
	h.pages[p] = append(h.pages[p], b)
	h.used[p] += len(b)
	return uint32(len(h.pages[p]))<<5 | uint32(p)<<h.shift
}

// set replaces an allocation made earlier with a placeholder of equal size.
func (h *heap) set(hid uint32, b []byte) {
	h.pages[hid>>h.shift][(hid>>5&0x7FF)-1] = b
}

// build lays out the pages with their HNPAGEMAPs; each becomes one block.
func (h *heap) build(root uint32) [][]byte {
	var out [][]byte
	for p, allocs := range h.pages {
		b := make([]byte, hdrSize(p))
		offs := []int{}
		for _, a := range allocs {
			offs = append(offs, len(b))
			b = append(b, a...)
		}
		offs = append(offs, len(b))
		if len(b)%2 == 1 {
			b = append(b, 0)
		}
		ibHnpm := len(b)
		b = le.AppendUint16(b, uint16(len(allocs)))
		b = le.AppendUint16(b, 0) // cFree
		for _, o := range offs {
			b = le.AppendUint16(b, uint16(o))
		}
		le.PutUint16(b, uint16(ibHnpm))
		if p == 0 {
			b[2], b[3] = 0xEC, h.sig // bSig, bClientSig
			le.PutUint32(b[4:], root)
		}
		out = append(out, b)
	}
	return out
}

// bth builds a BTH over records (key then data, sorted by key) and returns
// the HID of its header (hdr, when a placeholder was allocated already).
// Records that do not fit one allocation get index levels of (key, HID)
// records above them.
func (h *heap) bth(hdr uint32, cbKey, cbEnt int, recs [][]byte) uint32 {
	if hdr == 0 {
		hdr = h.alloc(make([]byte, 8))
	}
	var root uint32
	levels := 0
	for size := cbKey + cbEnt; len(recs) > 0; size = cbKey + 4 {
		per := maxAlloc / size
		var up [][]byte
		for i := 0; i < len(recs); i += per {
			root = h.alloc(slices.Concat(recs[i:min(i+per, len(recs))]...))
			up = append(up, le.AppendUint32(slices.Clone(recs[i][:cbKey]), root))
		}
		if len(up) == 1 {
			break
		}
		recs = up
		levels++
	}
	b := []byte{sigBTH, byte(cbKey), byte(cbEnt), byte(levels), 0, 0, 0, 0}
	le.PutUint32(b[4:], root)
	h.set(hdr, b)
	return hdr
}

type prop struct {
	id  uint16
	typ uint16
	val []byte
}

// owner collects the subnodes of the node being built (large property values,
// tables, attachments) and hands out their NIDs.
type owner struct {
	m    *format
	subs []*node
	next uint32
}

func (o *owner) sub(typ uint32, data [][]byte, subs []*node) uint32 {
	o.next++
	nid := (0x100+o.next)<<5 | typ
	o.subs = append(o.subs, &node{nid: nid, data: data, subs: subs})
	return nid
}

// hnid stores a variable-size value in the heap, or in a subnode when it is
// larger than a heap allocation may be.
func (o *owner) hnid(h *heap, v []byte) uint32 {
	if len(v) <= maxAlloc {
		return h.alloc(v)
	}
	return o.sub(nidTypeLTP, o.split(v), nil)
}

// split cuts a byte stream into block payloads.
func (o *owner) split(v []byte) [][]byte {
	var out [][]byte
	for n := o.m.dataMax(); len(v) > n; v = v[n:] {
		out = append(out, v[:n])
	}
	return append(out, v)
}

// inline returns a fixed-size value of at most 4 bytes as the little-endian
// DWORD that is stored in place of an HNID.
func inline(v []byte) uint32 {
	var b [4]byte
	copy(b[:], v)
	return le.Uint32(b[:])
}

// pc builds a property context (MS-PST 2.3.3) and returns its data blocks.
func (o *owner) pc(props []prop) [][]byte {
	props = slices.Clone(props)
	slices.SortFunc(props, func(a, b prop) int { return int(a.id) - int(b.id) })
	h := &heap{sig: sigPC, shift: o.m.hidShift, max: o.m.dataMax()}
	hdr := h.alloc(make([]byte, 8)) // BTH header first, as Outlook lays it out
	var recs [][]byte
	for _, p := range props {
		v := inline(p.val)
		if n := fixedSize(p.typ); n == 0 || n > 4 {
			v = o.hnid(h, p.val)
		}
		r := le.AppendUint16(nil, p.id)
		r = le.AppendUint16(r, p.typ)
		recs = append(recs, le.AppendUint32(r, v))
	}
	return h.build(h.bth(hdr, 2, 6, recs))
}

// tc builds a table context (MS-PST 2.3.4). cols are property tags (id<<16 |
// type) besides the mandatory 0x67F2 row ID and 0x67F3 row version; each
// row maps tags to values and must hold 0x67F2.
func (o *owner) tc(cols []uint32, rows []map[uint32][]byte) [][]byte {
	const tagRowID, tagRowVer = 0x67F20003, 0x67F30003
	cols = append([]uint32{tagRowID, tagRowVer}, cols...)
	cellSize := func(tag uint32) int {
		if n := fixedSize(uint16(tag)); n > 0 {
			return n
		}
		return 4 // HNID
	}
	// Row layout: 8- and 4-byte cells (row ID first), then 2-byte, then
	// 1-byte cells, then the cell existence bitmap.
	ib := map[uint32]int{}
	off := 0
	var rgib [4]int
	for g, sizes := range [][]int{{4, 8}, {2}, {1}} {
		for _, t := range cols {
			if slices.Contains(sizes, cellSize(t)) {
				ib[t] = off
				off += cellSize(t)
			}
		}
		rgib[g] = off
	}
	rgib[3] = off + (len(cols)+7)/8
	rowSize := rgib[3]

	h := &heap{sig: sigTC, shift: o.m.hidShift, max: o.m.dataMax()}
	info := h.alloc(make([]byte, 22+8*len(cols)))
	var matrix, index [][]byte
	for i, r := range rows {
		row := make([]byte, rowSize)
		for bit, t := range cols {
			v, ok := r[t]
			if t == tagRowVer {
				v, ok = []byte{0, 0, 0, 0}, true
			}
			if !ok {
				continue
			}
			row[rgib[2]+bit/8] |= 0x80 >> (bit % 8) // CEB is MSB first
			if fixedSize(uint16(t)) == 0 {
				v = le.AppendUint32(nil, o.hnid(h, v))
			}
			copy(row[ib[t]:], v)
		}
		matrix = append(matrix, row)
		// TCROWID: dwRowID, dwRowIndex (Unicode 4 bytes, ANSI 2).
		idx := le.AppendUint32(nil, le.Uint32(r[tagRowID]))
		idx = le.AppendUint32(idx, uint32(i))
		index = append(index, idx[:4+o.m.rowIndex])
	}
	slices.SortFunc(index, func(a, b []byte) int { return int(le.Uint32(a)) - int(le.Uint32(b)) })
	var hnidRows uint32
	if all := slices.Concat(matrix...); len(all) > maxAlloc {
		// Rows never span blocks: each block holds whole rows and all but
		// the last are padded to a full block.
		per := o.m.dataMax() / rowSize
		var blocks [][]byte
		for i := 0; i < len(matrix); i += per {
			b := slices.Concat(matrix[i:min(i+per, len(matrix))]...)
			if i+per < len(matrix) {
				b = append(b, make([]byte, o.m.dataMax()-len(b))...)
			}
			blocks = append(blocks, b)
		}
		hnidRows = o.sub(nidTypeLTP, blocks, nil)
	} else if len(all) > 0 {
		hnidRows = h.alloc(all)
	}
	b := []byte{sigTC, byte(len(cols))}
	for _, v := range rgib {
		b = le.AppendUint16(b, uint16(v))
	}
	b = le.AppendUint32(b, h.bth(0, 4, o.m.rowIndex, index))
	b = le.AppendUint32(b, hnidRows)
	b = le.AppendUint32(b, 0) // hidIndex: deprecated
	sorted := slices.Clone(cols)
	slices.Sort(sorted)
	for _, t := range sorted {
		b = le.AppendUint32(b, t)
		b = le.AppendUint16(b, uint16(ib[t]))
		b = append(b, byte(cellSize(t)), byte(slices.Index(cols, t)))
	}
	h.set(info, b)
	return h.build(info)
}
