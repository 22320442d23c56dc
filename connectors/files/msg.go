package files

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"datakart/connectors"
)

// An Outlook message (.msg) is read like an e-mail (.eml): its properties
// (subject, sender, recipients, …) are its fields, its plain and HTML
// bodies and its transport headers its text, and each attachment a
// member; an attached message is a member read as a message. Each
// property is a stream named __substg1.0_ with the property's id and
// type in hex ([MS-OXMSG] 2.1).

// The property types a value is read from.
const (
	ptString8 = 0x001E // 8-bit text in the message's code page
	ptUnicode = 0x001F // UTF-16LE text
	ptBinary  = 0x0102
)

// msgFields names the properties a user knows ([MS-OXPROPS]) by the
// header an .eml has for them, so that a message's fields read the same
// whichever way it was saved; others are "property_" and the id in hex.
var msgFields = map[uint16]string{
	0x0037: "Subject",
	0x0070: "Subject", // the conversation's topic
	0x0E1D: "Subject", // without "RE:"
	0x0042: "From",    // sent on behalf of: name
	0x0065: "From",    // and address
	0x5D02: "From",    // and SMTP address
	0x0C1A: "Sender",  // the one who sent it: name
	0x0C1F: "Sender",  // and address
	0x5D01: "Sender",  // and SMTP address
	0x0E04: "To",      // the names on the To line
	0x0E03: "Cc",
	0x0E02: "Bcc",
	0x3001: "Recipients", // a recipient's name,
	0x3003: "Recipients", // address
	0x39FE: "Recipients", // and SMTP address
	0x1035: "Message-Id",
	0x1042: "In-Reply-To",
	0x3FFA: "LastModifier", // the last to change it: a person's name
	0x5D0B: "LastModifier", // and SMTP address
	0x3FF8: "Creator",      // the one who made it: name
	0x5D0A: "Creator",      // and SMTP address
	0x4030: "Sender",       // the sender's name, as shown
	0x4031: "From",         // and of the one sent on behalf of
	0x0050: "Reply-To",     // the names replies go to
	0x0040: "Received-By",  // the mailbox it was delivered to: name,
	0x0076: "Received-By",  // address,
	0x5D07: "Received-By",  // SMTP address,
	0x0044: "Received-By",  // and the one it was received on behalf of
	0x0078: "Received-By",
	0x5D08: "Received-By",
	// A contact's.
	0x3A06: "GivenName",
	0x3A11: "Surname",
	0x3A08: "BusinessPhone",
	0x3A09: "HomePhone",
	0x3A1C: "MobilePhone",
	0x3A29: "Street",
	0x3A2A: "PostalCode",
	0x3A27: "City",
	0x3A5D: "HomeStreet",
	0x3A5B: "HomePostalCode",
	0x3A59: "HomeCity",
	0x3A16: "Company",
}

// The properties read as text rather than as a field.
const (
	propBody             = 0x1000
	propHTML             = 0x1013
	propTransportHeaders = 0x007D
	propAttachData       = 0x3701
	propAttachFilename   = 0x3704
	propAttachLongName   = 0x3707
	propInternetCodepage = 0x3FDE
)

const (
	substg     = "__substg1.0_"
	recipPfx   = "__recip_version1.0_"
	attachPfx  = "__attach_version1.0_"
	embedded   = substg + "3701000D" // an attached message is a storage
	propsName  = "__properties_version1.0"
	utf8CodePg = 65001
)

// propStream is a property stream's id and type, from its name.
func propStream(name string) (id, typ uint16, ok bool) {
	if !strings.HasPrefix(name, substg) || len(name) != len(substg)+8 {
		return 0, 0, false
	}
	v, err := strconv.ParseUint(name[len(substg):], 16, 32)
	if err != nil {
		return 0, 0, false
	}
	return uint16(v >> 16), uint16(v), true
}

// msgAttachment is one attachment of a message, by its storage.
type msgAttachment struct {
	storage, name string
	data          string // the path of its data stream, or ""
	// embedded: its object is a storage (__substg1.0_3701000D), a
	// message or an OLE object (a document embedded in a rich-text
	// message).
	embedded bool
}

// msg reads the message whose storage is prefix ("" for the file's root)
// into the container part.
func (d *decoder) msg(ctx context.Context, s *oleStreams, prefix, part string, depth int) error {
	d.sink.Begin(connectors.Part{Path: part, Kind: "msg"})
	under := func(p string) string { return strings.TrimPrefix(p, prefix+"/") }
	if prefix == "" {
		under = func(p string) string { return p }
	}
	utf8Text := s.codepage(prefix) == utf8CodePg
	var texts []string
	rtf, hasBody := "", false // the compressed RTF body; a plain body
	attachments := map[string]*msgAttachment{}
	for _, p := range slices.Sorted(maps.Keys(s.byPath)) {
		if prefix != "" && !strings.HasPrefix(p, prefix+"/") {
			continue
		}
		elems := strings.Split(under(p), "/")
		id, typ, ok := propStream(elems[len(elems)-1])
		attachment := func() *msgAttachment {
			a := attachments[elems[0]]
			if a == nil {
				a = &msgAttachment{storage: p[:len(p)-len(under(p))] + elems[0]}
				attachments[elems[0]] = a
			}
			return a
		}
		switch {
		case len(elems) > 2 && strings.HasPrefix(elems[0], attachPfx) && elems[1] == embedded:
			// Any stream of it: an OLE object's are not properties.
			attachment().embedded = true
		case !ok:
		case len(elems) == 1:
			switch id {
			case propBody, propHTML, propTransportHeaders:
				hasBody = hasBody || id == propBody
				texts = append(texts, p)
				continue
			case propRTFCompressed:
				rtf = p
				continue
			}
			if err := d.msgField(s, p, msgFieldName(id), typ, utf8Text); err != nil {
				return err
			}
		case len(elems) == 2 && strings.HasPrefix(elems[0], recipPfx):
			if err := d.msgField(s, p, msgFieldName(id), typ, utf8Text); err != nil {
				return err
			}
		case strings.HasPrefix(elems[0], attachPfx):
			a := attachment()
			switch {
			case len(elems) != 2:
			case id == propAttachData && typ == ptBinary:
				a.data = p
			case id == propAttachLongName || id == propAttachFilename && a.name == "":
				if v, err := s.read(p); err == nil {
					a.name = propText(v, typ, utf8Text)
				}
			}
		}
	}
	for _, p := range texts {
		if err := ctx.Err(); err != nil {
			return err
		}
		v, err := s.read(p)
		if err != nil {
			d.sink.PartError(fmt.Errorf("msg: %w", err))
			continue
		}
		id, typ, _ := propStream(path.Base(p))
		if err := d.textPart(ctx, strings.NewReader(propText(v, typ, utf8Text)), 1, id == propHTML); err != nil {
			return err
		}
	}
	// The RTF body only where there is no plain one: it holds the same
	// text, and reading both would count each value twice.
	if rtf != "" && !hasBody {
		if err := d.msgRTF(ctx, s, rtf); err != nil {
			return err
		}
	}
	return d.msgAttachments(ctx, s, attachments, part, depth)
}

// msgRTF reads a message's compressed RTF body as its text.
func (d *decoder) msgRTF(ctx context.Context, s *oleStreams, p string) error {
	v, err := s.read(p)
	if err == nil {
		v, err = decompressRTF(v, int(min(d.budget, d.opt.MaxMemberBytes)))
	}
	if err != nil {
		d.sink.PartError(fmt.Errorf("msg: %w", err))
	}
	d.budget -= int64(len(v))
	return d.textPart(ctx, newRTFReader(bytes.NewReader(v)), 1, false)
}

// msgAttachments reads a message's attachments as members of part.
func (d *decoder) msgAttachments(ctx context.Context, s *oleStreams, attachments map[string]*msgAttachment, part string, depth int) error {
	entries := 0
	for _, storage := range slices.Sorted(maps.Keys(attachments)) {
		a := attachments[storage]
		if a.data == "" && !a.embedded {
			continue // a link: nothing to read as a file
		}
		object := a.storage + "/" + embedded
		message := a.embedded && s.has(object+"/__properties_version1.0")
		entries++
		name := fileName(a.name)
		if name == "" {
			name = fmt.Sprintf("attachment-%d", entries)
			if message {
				name += ".msg"
			}
		}
		member := joinPart(part, name)
		if skip, stop := d.skipMember(member, entries); stop {
			return nil
		} else if skip {
			continue
		}
		if a.embedded {
			if d.tooDeep(member, "msg", depth+1) {
				continue
			}
			var err error
			if message {
				err = d.msg(ctx, s, object, member, depth+1)
			} else {
				err = d.oleObject(ctx, s.sub(object), member, depth+1)
			}
			if err != nil {
				return err
			}
			continue
		}
		data, err := s.read(a.data)
		if err != nil {
			d.sink.Begin(connectors.Part{Path: member, Kind: kindByName(name)})
			d.sink.PartError(fmt.Errorf("msg attachment: %w", err))
			continue
		}
		if err := d.decode(ctx, bytes.NewReader(data), name, member, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// msgField hands the string property at p to the sink as the field name.
func (d *decoder) msgField(s *oleStreams, p, name string, typ uint16, utf8Text bool) error {
	if typ != ptString8 && typ != ptUnicode {
		return nil
	}
	v, err := s.read(p)
	if err != nil {
		d.sink.PartError(fmt.Errorf("msg: %w", err))
		return nil
	}
	return d.sink.Value(connectors.Value{Field: name, Data: []byte(propText(v, typ, utf8Text))})
}

func msgFieldName(id uint16) string {
	if n, ok := msgFields[id]; ok {
		return n
	}
	return fmt.Sprintf("property_%04X", id)
}

// propText is a text property's value as UTF-8. An HTML body may be
// binary, in the message's code page.
func propText(v []byte, typ uint16, utf8Text bool) string {
	switch {
	case typ == ptUnicode:
		return utf16Text(v)
	case utf8Text && utf8.Valid(v):
		return string(bytes.TrimRight(v, "\x00"))
	}
	return cp1252Text(v)
}

// codepage returns the message's PR_INTERNET_CPID from its fixed-size
// properties, or 0. The stream's header is 32 bytes for the file's own
// message and 24 for an attached one; each property is then 16 bytes:
// type, id, flags and an 8-byte value.
func (s *oleStreams) codepage(prefix string) uint32 {
	p, header := propsName, 32
	if prefix != "" {
		p, header = prefix+"/"+propsName, 24
	}
	b, err := s.read(p)
	if err != nil || len(b) < header {
		return 0
	}
	for e := b[header:]; len(e) >= 16; e = e[16:] {
		if binary.LittleEndian.Uint16(e[2:]) == propInternetCodepage && binary.LittleEndian.Uint16(e) == 0x0003 {
			return binary.LittleEndian.Uint32(e[8:])
		}
	}
	return 0
}

// propRTFCompressed is a message's body as compressed RTF ([MS-OXRTFCP]):
// Outlook keeps a message written in rich text so, and some messages have
// no plain body beside it.
const propRTFCompressed = 0x1009

// lzfuDictionary starts the dictionary of compressed RTF.
const lzfuDictionary = "{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx"

// decompressRTF returns the RTF of a PR_RTF_COMPRESSED value, at most max
// bytes of it.
func decompressRTF(b []byte, max int) ([]byte, error) {
	switch {
	case max <= 0:
		return nil, errBudget
	case len(b) < 16:
		return nil, errors.New("compressed RTF: too short")
	}
	raw := int(binary.LittleEndian.Uint32(b[4:]))
	switch string(b[8:12]) {
	case "MELA": // stored as it is
		return b[16:min(len(b), 16+raw, 16+max)], nil
	case "LZFu":
	default:
		return nil, errors.New("compressed RTF: unknown compression")
	}
	var dict [4096]byte
	w := copy(dict[:], lzfuDictionary)
	out := make([]byte, 0, min(raw, max, 4*len(b)))
	in := b[16:]
	for len(in) > 0 {
		flags := in[0]
		in = in[1:]
		for bit := 0; bit < 8 && len(in) > 0; bit++ {
			if flags&(1<<bit) == 0 {
				dict[w] = in[0]
				w = (w + 1) % len(dict)
				out = append(out, in[0])
				in = in[1:]
			} else {
				if len(in) < 2 {
					return out, errors.New("compressed RTF: truncated")
				}
				ref := int(in[0])<<8 | int(in[1])
				in = in[2:]
				off, n := ref>>4, ref&15+2
				if off == w {
					return out, nil // the end
				}
				for k := range n {
					c := dict[(off+k)%len(dict)]
					dict[w] = c
					w = (w + 1) % len(dict)
					out = append(out, c)
				}
			}
			if len(out) >= max {
				return out[:max], nil
			}
		}
	}
	return out, nil
}
