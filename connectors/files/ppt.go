package files

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"

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
	pptContainer = 0xF
)

// pptText returns the text of a PowerPoint Document stream, an atom to a
// line, and whether the records ran past its end.
func pptText(doc []byte) ([]byte, bool) {
	var out []byte
	for i := 0; i+8 <= len(doc); {
		verInst := binary.LittleEndian.Uint16(doc[i:])
		typ := binary.LittleEndian.Uint16(doc[i+2:])
		n := int(binary.LittleEndian.Uint32(doc[i+4:]))
		i += 8
		if verInst&0xF == pptContainer {
			continue // its children follow
		}
		if n < 0 || n > len(doc)-i {
			return out, true
		}
		switch body := doc[i : i+n]; typ {
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
	return out, false
}

// ppt reads a PowerPoint 97–2003 presentation's text.
func (d *decoder) ppt(ctx context.Context, s *oleStreams, part string) error {
	d.sink.Begin(connectors.Part{Path: part, Kind: "ppt"})
	doc, err := s.read("PowerPoint Document")
	if err != nil {
		d.partFailed("ppt", err)
		return nil
	}
	text, truncated := pptText(doc)
	if err := d.textPart(ctx, bytes.NewReader(text), 1, false); err != nil {
		return err
	}
	if truncated {
		d.sink.PartError(errors.New("ppt: a record runs past the end of the stream; the text before it counts"))
	}
	return nil
}
