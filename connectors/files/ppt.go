package files

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"datakart/connectors"
	"datakart/internal/utf16le"
)

// A PowerPoint 97–2003 presentation (.ppt) keeps its text in atoms among
// the records of its "PowerPoint Document" stream ([MS-PPT] 2.3.1): the
// slides' and notes' text in TextCharsAtom (UTF-16LE) and TextBytesAtom
// (8-bit, Latin-1), names in CString (UTF-16LE), inside containers nested
// to any depth. The records are walked in one pass: a container's
// children follow its header, so nothing is held but the text.

// Record types and the version of a container ([MS-PPT] 2.13.24).
const (
	pptTextChars = 0x0FA0
	pptTextBytes = 0x0FA8
	pptCString   = 0x0FBA
	pptOleObject = 0x1011 // ExOleObjStg: an embedded object's compound file
	pptContainer = 0xF
)

// pptObject is the body of an ExOleObjStg atom ([MS-PPT] 2.10.34-35): a
// compound file (a workbook, a document, a packaged file), compressed
// (its size, 4 bytes, then zlib) where the atom's instance is 1.
type pptObject struct {
	body       []byte
	compressed bool
}

// pptText returns the text of a PowerPoint Document stream, an atom to a
// line, the objects embedded in it, and whether the records ran past its
// end.
func pptText(doc []byte) ([]byte, []pptObject, bool) {
	var out []byte
	var objects []pptObject
	for i := 0; i+8 <= len(doc); {
		verInst := binary.LittleEndian.Uint16(doc[i:])
		typ := binary.LittleEndian.Uint16(doc[i+2:])
		n := int(binary.LittleEndian.Uint32(doc[i+4:]))
		i += 8
		if verInst&0xF == pptContainer {
			continue // its children follow
		}
		if n < 0 || n > len(doc)-i {
			return out, objects, true
		}
		switch body := doc[i : i+n]; typ {
		case pptOleObject:
			objects = append(objects, pptObject{body, verInst>>4 == 1})
		case pptTextChars, pptCString:
			out = append(utf16le.Append(out, body), '\n')
		case pptTextBytes:
			for _, c := range body {
				out = appendLatin1(out, c)
			}
			out = append(out, '\n')
		}
		i += n
	}
	// A paragraph ends with a carriage return, a line break within one
	// is a vertical tab.
	for k, c := range out {
		if c == '\r' || c == '\v' {
			out[k] = '\n'
		}
	}
	return out, objects, false
}

// ppt reads a PowerPoint 97–2003 presentation's text, then the objects
// embedded in it as its members ("foredrag.ppt!object-1").
func (d *decoder) ppt(ctx context.Context, s *oleStreams, part string, depth int) error {
	d.sink.Begin(connectors.Part{Path: part, Kind: "ppt"})
	doc, err := s.read("PowerPoint Document")
	if err != nil {
		d.partFailed("ppt", err)
		return nil
	}
	text, objects, truncated := pptText(doc)
	if err := d.textPart(ctx, bytes.NewReader(text), 1, false); err != nil {
		return err
	}
	if truncated {
		d.sink.PartError(errors.New("ppt: a record runs past the end of the stream; the text before it counts"))
	}
	for i, o := range objects {
		name := fmt.Sprintf("object-%d", i+1)
		member := joinPart(part, name)
		if skip, stop := d.skipMember(member, i+1); stop {
			return nil
		} else if skip || d.tooDeep(member, "ole", depth+1) {
			continue
		}
		r := io.Reader(bytes.NewReader(o.body))
		if o.compressed {
			zr, err := pptInflate(o.body, d.opt.MaxMemberBytes)
			if err != nil {
				d.objectFailed(member, "ppt object", err)
				continue
			}
			r = zr
		}
		if err := d.decode(ctx, &budgetReader{r, d}, name, member, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// pptInflate returns the reader of a compressed object's compound file:
// its size (4 bytes), at most max, then zlib. The reader stops at the
// size the atom declares.
func pptInflate(body []byte, max int64) (io.Reader, error) {
	if len(body) < 4 {
		return nil, errors.New("ppt: an embedded object's atom is cut short")
	}
	size := int64(binary.LittleEndian.Uint32(body))
	if size > max {
		return nil, fmt.Errorf("%w: an embedded object of %d bytes, over %d (--max-member-bytes)", connectors.ErrLimit, size, max)
	}
	zr, err := zlib.NewReader(bytes.NewReader(body[4:]))
	if err != nil {
		return nil, fmt.Errorf("ppt: an embedded object: %w", err)
	}
	return io.LimitReader(zr, size), nil
}
