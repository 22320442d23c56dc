package pst

import "encoding/binary"

// Client signatures of a heap: what it holds ([MS-PST] 2.3.1.2).
const (
	clientTable      = 0x7C // a table context
	clientProperties = 0xBC // a property context
)

// A heap is a node's data read as a heap-on-node ([MS-PST] 2.3.1): items
// addressed by a heap id, kept in the node's data blocks.
type heap struct {
	blocks [][]byte
	client byte   // bClientSig
	root   uint32 // hidUserRoot
	shift  int    // of the block index in a heap id (layout.hidShift)
}

// heapNode reads a node as a heap holding client (a property or table
// context), with its subnodes.
func (f *File) heapNode(data, sub uint64, client byte) (*heap, map[uint32]node, error) {
	blocks, err := f.dataBlocks(data)
	if err != nil {
		return nil, nil, err
	}
	if len(blocks) == 0 || len(blocks[0]) < 12 || blocks[0][2] != 0xEC {
		return nil, nil, errCorrupt("a heap")
	}
	h := &heap{blocks: blocks, client: blocks[0][3], root: binary.LittleEndian.Uint32(blocks[0][4:]), shift: f.l.hidShift}
	if h.client != client {
		return nil, nil, errCorrupt("a heap of another kind than its place says")
	}
	subs, err := f.subnodes(sub)
	return h, subs, err
}

// item returns the heap item hid; 0 is the empty item. Each block starts
// with the offset of its page map: the count of items, and their bounds.
func (h *heap) item(hid uint32) ([]byte, error) {
	if hid == 0 {
		return nil, nil
	}
	index, block := int(hid>>5&(1<<(h.shift-5)-1)), int(hid>>h.shift)
	if nodeType(hid) != typeHID || index == 0 || block >= len(h.blocks) || len(h.blocks[block]) < 2 {
		return nil, errCorrupt("a heap id")
	}
	b := h.blocks[block]
	pm := int(binary.LittleEndian.Uint16(b))
	if pm+4 > len(b) {
		return nil, errCorrupt("a heap's page map")
	}
	n := int(binary.LittleEndian.Uint16(b[pm:]))
	if index > n || pm+4+2*(n+1) > len(b) {
		return nil, errCorrupt("a heap id")
	}
	start := int(binary.LittleEndian.Uint16(b[pm+4+2*(index-1):]))
	end := int(binary.LittleEndian.Uint16(b[pm+4+2*index:]))
	if start > end || end > pm {
		return nil, errCorrupt("a heap item")
	}
	return b[start:end], nil
}

// records calls fn for each record of the B-tree on the heap whose header
// is item hid ([MS-PST] 2.3.2); its keys and data must be of the sizes
// given.
func (h *heap) records(hid uint32, keySize, dataSize int, fn func(key, data []byte) error) error {
	hdr, err := h.item(hid)
	if err != nil {
		return err
	}
	if len(hdr) < 8 || hdr[0] != 0xB5 || int(hdr[1]) != keySize || int(hdr[2]) != dataSize || hdr[3] > maxLevels {
		return errCorrupt("a heap's B-tree")
	}
	seen := map[uint32]bool{}
	var visit func(hid uint32, level int) error
	visit = func(hid uint32, level int) error {
		if seen[hid] {
			return errCorrupt("a heap's B-tree")
		}
		seen[hid] = true
		items, err := h.item(hid)
		if err != nil {
			return err
		}
		size := keySize + dataSize
		if level > 0 {
			size = keySize + 4
		}
		for ; len(items) >= size; items = items[size:] {
			if level > 0 {
				err = visit(binary.LittleEndian.Uint32(items[keySize:]), level-1)
			} else {
				err = fn(items[:keySize], items[keySize:size])
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	if root := binary.LittleEndian.Uint32(hdr[4:]); root != 0 {
		return visit(root, int(hdr[3]))
	}
	return nil
}

// A Prop is a property of an object or a cell of a table row: its id
// (PidTag…), its type (Ptyp…), and where its value is.
type Prop struct {
	ID, Type uint16
	// v is the value itself for types of four bytes or fewer, else
	// the heap id or subnode id of where the value is.
	v uint32
}

// Property types ([MS-OXCDATA] 2.11.1).
const (
	TypeInt16   = 0x0002
	TypeInt32   = 0x0003
	TypeFloat   = 0x0004
	TypeError   = 0x000A
	TypeBool    = 0x000B
	TypeObject  = 0x000D
	TypeString8 = 0x001E // text in the message's code page
	TypeUnicode = 0x001F // UTF-16LE
	TypeBinary  = 0x0102
	// TypeMulti is set on a type for a list of values.
	TypeMulti = 0x1000
)

// inline reports whether a value of type t is kept in the four bytes
// where other values keep their heap or subnode id.
func inline(t uint16) bool {
	switch t {
	case TypeInt16, TypeInt32, TypeFloat, TypeError, TypeBool:
		return true
	}
	return false
}

// An Object is a set of properties: a message, a folder, an attachment,
// a recipient. Its large values are kept in its node's subnodes.
type Object struct {
	Props []Prop
	f     *File
	heap  *heap
	subs  map[uint32]node
}

// object reads the property context of a node ([MS-PST] 2.3.3).
func (f *File) object(data, sub uint64) (*Object, error) {
	h, subs, err := f.heapNode(data, sub, clientProperties)
	if err != nil {
		return nil, err
	}
	o := &Object{f: f, heap: h, subs: subs}
	// Each record: the property id as key; its type and its value or
	// heap or subnode id as data.
	err = h.records(h.root, 2, 6, func(key, data []byte) error {
		o.Props = append(o.Props, Prop{
			ID: binary.LittleEndian.Uint16(key), Type: binary.LittleEndian.Uint16(data),
			v: binary.LittleEndian.Uint32(data[2:]),
		})
		return nil
	})
	return o, err
}

// Prop returns the object's property id, if it has it.
func (o *Object) Prop(id uint16) (Prop, bool) {
	for _, p := range o.Props {
		if p.ID == id {
			return p, true
		}
	}
	return Prop{}, false
}

// Value returns the bytes of p's value as the file keeps them: UTF-16LE
// for TypeUnicode, the message's code page for TypeString8, four bytes
// little-endian for the small fixed types.
func (o *Object) Value(p Prop) ([]byte, error) {
	if inline(p.Type) {
		return binary.LittleEndian.AppendUint32(nil, p.v), nil
	}
	if p.v == 0 {
		return nil, nil
	}
	if nodeType(p.v) == typeHID {
		return o.heap.item(p.v)
	}
	s, ok := o.subs[p.v]
	if !ok {
		return nil, errCorrupt("a value in a subnode that is not there")
	}
	return o.f.data(s.data)
}

// child reads the object in the subnode nid.
func (o *Object) child(nid uint32) (*Object, error) {
	s, ok := o.subs[nid]
	if !ok {
		return nil, errCorrupt("a subnode that is not there")
	}
	return o.f.object(s.data, s.sub)
}

// maxTableCells bounds the cells of a table read: columns may overlap,
// so tiny rows could hold a great many.
const maxTableCells = 1 << 20

// table reads the table context of a node ([MS-PST] 2.3.4): its rows, as
// objects of the cells that are there, of the columns of the types read.
func (f *File) table(data, sub uint64) ([]*Object, error) {
	h, subs, err := f.heapNode(data, sub, clientTable)
	if err != nil {
		return nil, err
	}
	info, err := h.item(h.root)
	if err != nil {
		return nil, err
	}
	// TCINFO: bType, cCols, the end offsets of the 4-, 2- and 1-byte
	// columns and of the cell existence bitmap (the row size), the
	// row index, the rows, and then a descriptor per column.
	if len(info) < 22 || info[0] != clientTable || len(info) < 22+8*int(info[1]) {
		return nil, errCorrupt("a table context")
	}
	cols := int(info[1])
	bitmap, rowSize := int(binary.LittleEndian.Uint16(info[6:])), int(binary.LittleEndian.Uint16(info[8:]))
	if rowSize == 0 || bitmap+(cols+7)/8 > rowSize {
		return nil, errCorrupt("a table context")
	}
	type column struct {
		id, typ      uint16
		offset, size int
		bit          int
	}
	var read []column
	for i := range cols {
		d := info[22+8*i:]
		c := column{typ: binary.LittleEndian.Uint16(d), id: binary.LittleEndian.Uint16(d[2:]),
			offset: int(binary.LittleEndian.Uint16(d[4:])), size: int(d[6]), bit: int(d[7])}
		if c.offset+c.size > rowSize || c.bit >= cols {
			return nil, errCorrupt("a table's column")
		}
		if c.size == 4 { // values of four bytes, and the ids of larger ones
			read = append(read, c)
		}
	}
	// The rows: in a heap item where they are few, else in a subnode,
	// as many whole rows in each block as fit.
	var matrix [][]byte
	switch rows := binary.LittleEndian.Uint32(info[14:]); {
	case rows == 0:
	case nodeType(rows) == typeHID:
		item, err := h.item(rows)
		if err != nil {
			return nil, err
		}
		matrix = [][]byte{item}
	default:
		s, ok := subs[rows]
		if !ok {
			return nil, errCorrupt("a table's rows in a subnode that is not there")
		}
		if matrix, err = f.dataBlocks(s.data); err != nil {
			return nil, err
		}
	}
	var out []*Object
	cells := 0
	for _, b := range matrix {
		for ; len(b) >= rowSize; b = b[rowSize:] {
			row := &Object{f: f, heap: h, subs: subs}
			for _, c := range read {
				if b[bitmap+c.bit/8]&(0x80>>(c.bit%8)) == 0 {
					continue // no value in this cell
				}
				row.Props = append(row.Props, Prop{ID: c.id, Type: c.typ, v: binary.LittleEndian.Uint32(b[c.offset:])})
			}
			if cells += len(row.Props); cells > maxTableCells {
				return out, ErrTooLarge
			}
			if len(row.Props) > 0 {
				out = append(out, row)
			}
		}
	}
	return out, nil
}
