package files

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"datakart/connectors"
	"datakart/internal/utf16le"
)

// A Word 97–2003 document (.doc) keeps its text in the WordDocument
// stream, in pieces a piece table in the table stream lists ([MS-DOC]
// 2.4.1): each piece is 8-bit Windows-1252 or UTF-16LE. Every piece is
// read, so footnotes, headers and comments are read with the body.

// docText returns the text of a .doc as UTF-8, its paragraphs and table
// cells on lines and in tab-separated cells.
func docText(wd []byte, table func(name string) ([]byte, error)) ([]byte, error) {
	u16 := func(off int) int { return int(binary.LittleEndian.Uint16(wd[off:])) }
	u32 := func(b []byte, off int) int { return int(binary.LittleEndian.Uint32(b[off:])) }
	if len(wd) < 34 || u16(0) != 0xA5EC {
		return nil, errors.New("not a Word document (no FIB)")
	}
	if nFib := u16(2); nFib < 0x00C1 {
		return nil, errSkip("Word 6.0/95 document (not read)")
	}
	flags := u16(0x0A)
	if flags&0x0100 != 0 {
		return nil, errSkip("encrypted Word document (not read)")
	}
	// The FIB's parts have counts of their own; fcClx and lcbClx are the
	// 34th pair of FibRgFcLcb.
	off := 32
	if off+2 > len(wd) {
		return nil, errors.New("FIB too short")
	}
	off += 2 + 2*u16(off)
	if off+2 > len(wd) {
		return nil, errors.New("FIB too short")
	}
	off += 2 + 4*u16(off)
	if off+2 > len(wd) || u16(off) <= 33 || off+2+34*8 > len(wd) {
		return nil, errors.New("FIB too short")
	}
	fcClx, lcbClx := u32(wd, off+2+33*8), u32(wd, off+2+33*8+4)
	name := "0Table"
	if flags&0x0200 != 0 {
		name = "1Table"
	}
	tbl, err := table(name)
	if err != nil {
		return nil, err
	}
	if fcClx < 0 || lcbClx < 0 || fcClx+lcbClx > len(tbl) || fcClx+lcbClx < fcClx {
		return nil, fmt.Errorf("piece table outside the %s stream", name)
	}
	clx := tbl[fcClx : fcClx+lcbClx]
	// Skip the formatting (Prc, 0x01) to the piece table (Pcdt, 0x02).
	for len(clx) > 0 && clx[0] == 0x01 {
		if len(clx) < 3 {
			return nil, errors.New("truncated piece table")
		}
		n := 3 + int(binary.LittleEndian.Uint16(clx[1:]))
		if n > len(clx) {
			return nil, errors.New("truncated piece table")
		}
		clx = clx[n:]
	}
	if len(clx) < 5 || clx[0] != 0x02 {
		return nil, errors.New("no piece table")
	}
	plc := clx[5:]
	if lcb := u32(clx, 1); lcb < len(plc) {
		plc = plc[:lcb]
	}
	pieces := (len(plc) - 4) / 12
	if pieces <= 0 {
		return nil, errors.New("no pieces")
	}
	var out []byte
	read := 0 // bytes of pieces read: more than the stream means they overlap
	for k := range pieces {
		cpStart, cpEnd := u32(plc, 4*k), u32(plc, 4*k+4)
		fc := u32(plc, 4*(pieces+1)+8*k+2)
		n := cpEnd - cpStart
		if n < 0 || n > len(wd) {
			return nil, errors.New("piece of a bad length")
		}
		start, width := fc, 2
		if fc&0x40000000 != 0 {
			start, width = (fc&0x3FFFFFFF)/2, 1
		}
		if start < 0 || start+n*width > len(wd) {
			return nil, errors.New("piece outside the document stream")
		}
		if read += n * width; read > len(wd) {
			return nil, errors.New("pieces overlap")
		}
		raw := wd[start : start+n*width]
		if width == 1 {
			out = append(out, cp1252Text(bytes.ReplaceAll(raw, []byte{0}, []byte{' '}))...)
		} else {
			out = utf16le.Append(out, raw)
		}
	}
	return docMarks(out), nil
}

// docMarks turns Word's marks into plain text in place: a paragraph or
// line break into a line, a table cell's end into a tab, a field's
// delimiters and an object's anchor into a space (a field's code, such
// as HYPERLINK "mailto:…", is text too), a non-breaking hyphen into a
// hyphen; a soft hyphen is dropped.
func docMarks(b []byte) []byte {
	out := b[:0]
	for _, c := range b {
		switch c {
		case 0x0D, 0x0B, 0x0C:
			c = '\n'
		case 0x07:
			c = '\t'
		case 0x01, 0x08, 0x13, 0x14, 0x15:
			c = ' '
		case 0x1E:
			c = '-'
		case 0x1F:
			continue
		}
		out = append(out, c)
	}
	return out
}

// doc reads a Word 97–2003 document's text.
func (d *decoder) doc(ctx context.Context, s *oleStreams, part string) error {
	d.sink.Begin(connectors.Part{Path: part, Kind: "doc"})
	wd, err := s.read("WordDocument")
	if err == nil {
		wd, err = docText(wd, s.read)
	}
	if err != nil {
		d.partFailed("doc", err)
		return nil
	}
	return d.textPart(ctx, bytes.NewReader(wd), 1, false)
}
