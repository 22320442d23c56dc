package files

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"datakart/connectors"
	"datakart/internal/pst"
)

// An Outlook data file (.pst, or .ost: a mailbox exported or archived,
// or Outlook's local copy of one, with its contacts and calendar) is read with
// internal/pst, each message as an .msg is: its properties are fields
// named as an .eml's headers are (From, To, Subject, …), its bodies and
// transport headers its text, its recipients' names and addresses fields,
// and each attachment a member. Each folder is a part, so the inventory
// says which folders hold what; a message's attachments are named by the
// message's number in its folder ("Innboks!message-12/kontrakt.docx").
//
// The file is read in place; inside an archive, from memory, within
// --max-member-bytes. What its values add up to is held to the file's
// size and --max-expanded-bytes, so messages that share one large value
// cannot make a small file a large scan.

// pst reads the PST in r, which is the file f when f is not nil.
func (d *decoder) pst(ctx context.Context, r io.Reader, f *os.File, part string, depth int) error {
	ra, size, ok := d.beginRandom(r, f, part, "pst")
	if !ok {
		return nil
	}
	file, err := pst.Open(ra, size, pst.Limits{MaxValue: d.opt.MaxMemberBytes})
	if err != nil {
		d.openFailed("pst", err, pst.ErrUnsupported)
		return nil
	}
	d.budget += size
	numbers := map[string]int{} // the messages of each folder so far
	err = file.Messages(func(m *pst.Message, err error) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		folder := part
		if m.Folder != "" {
			folder = joinPart(part, m.Folder)
		}
		numbers[folder]++
		d.sink.Begin(connectors.Part{Path: folder, Kind: "pst"})
		if err != nil {
			d.sink.PartError(fmt.Errorf("pst: message %d of the folder: %w", numbers[folder], err))
			return nil
		}
		return d.pstMessage(ctx, m.Object, connectors.Part{Path: folder, Kind: "pst"}, fmt.Sprintf("message-%d", numbers[folder]), depth)
	})
	if err != nil && ctx.Err() == nil {
		d.sink.Begin(connectors.Part{Path: part, Kind: "pst"})
		d.partFailed("pst", err)
	}
	return ctx.Err()
}

// pstMessage reads a message of a PST, or one attached to a message, into
// the part container; its attachments are members named below name.
func (d *decoder) pstMessage(ctx context.Context, m *pst.Object, container connectors.Part, name string, depth int) error {
	utf8Text := false
	if p, ok := m.Prop(propInternetCodepage); ok && p.Type == pst.TypeInt32 {
		v, _ := m.Value(p)
		utf8Text = len(v) == 4 && binary.LittleEndian.Uint32(v) == utf8CodePg
	}
	var texts []pst.Prop
	var rtf *pst.Prop
	hasBody := false
	for _, p := range m.Props {
		switch p.ID {
		case propBody, propHTML, propTransportHeaders:
			hasBody = hasBody || p.ID == propBody
			texts = append(texts, p)
		case propRTFCompressed:
			rtf = &p
		default:
			if err := d.pstField(m, p, false, utf8Text); err != nil {
				return err
			}
		}
	}
	recipients, err := m.Recipients()
	if err != nil {
		d.sink.PartError(fmt.Errorf("pst: %s's recipients: %w", name, err))
	}
	for _, r := range recipients {
		for _, p := range r.Props {
			if err := d.pstField(r, p, true, utf8Text); err != nil {
				return err
			}
		}
	}
	for _, p := range texts {
		v, ok := d.pstValue(m.Value, p, name)
		if !ok {
			continue
		}
		if err := d.textPart(ctx, bytes.NewReader([]byte(propText(v, p.Type, utf8Text))), 1, p.ID == propHTML); err != nil {
			return err
		}
	}
	// The RTF body only where there is no plain one, as for an .msg.
	if rtf != nil && !hasBody {
		if v, ok := d.pstValue(m.Value, *rtf, name); ok {
			v, err := decompressRTF(v, int(min(d.budget, d.opt.MaxMemberBytes)))
			if err != nil {
				d.sink.PartError(fmt.Errorf("pst: %s: %w", name, err))
			}
			if err := d.textPart(ctx, newRTFReader(bytes.NewReader(v)), 1, false); err != nil {
				return err
			}
		}
	}
	return d.pstAttachments(ctx, m, container, name, depth)
}

// pstField hands a text property of a message, or of a recipient, to the
// sink as a field. A display name is a recipient's, or the name a contact
// or a folder goes by.
func (d *decoder) pstField(o *pst.Object, p pst.Prop, recipient, utf8Text bool) error {
	if p.Type != pst.TypeString8 && p.Type != pst.TypeUnicode {
		return nil
	}
	v, ok := d.pstValue(o.Value, p, "")
	if !ok {
		return nil
	}
	name := msgFieldName(p.ID)
	if p.ID == propDisplayName && !recipient {
		name = "DisplayName"
	}
	return d.sink.Value(connectors.Value{Field: name, Data: []byte(propText(v, p.Type, utf8Text))})
}

// propDisplayName is the name of a recipient, a contact or a folder.
const propDisplayName = 0x3001

// pstValue reads a value, charged to the file's budget; it records on
// the part where it cannot.
func (d *decoder) pstValue(read func(pst.Prop) ([]byte, error), p pst.Prop, name string) ([]byte, bool) {
	v, err := read(p)
	if err == nil && int64(len(v)) > d.budget {
		err = errBudget
	}
	if err != nil {
		if name == "" {
			name = "a message"
		}
		d.sink.PartError(fmt.Errorf("pst: %s, property %04X: %w", name, p.ID, err))
		return nil, false
	}
	d.budget -= int64(len(v))
	return v, true
}

// pstAttachments reads a message's attachments as members of container:
// a file by what it is, an attached message as a message.
func (d *decoder) pstAttachments(ctx context.Context, m *pst.Object, container connectors.Part, name string, depth int) error {
	attachments, err := m.Attachments()
	if err != nil {
		d.sink.PartError(fmt.Errorf("pst: %s's attachments: %w", name, err))
	}
	for i, a := range attachments {
		data, ok := a.Prop(pst.PropAttachData)
		if !ok {
			continue // a link: nothing to read as a file
		}
		// An object is an attached message, or an OLE object: a document
		// embedded in a rich-text message, whose compound file is read
		// as a .doc or an .xls is.
		message := data.Type == pst.TypeObject
		if p, ok := a.Prop(pst.PropAttachMethod); ok && message {
			v, _ := a.Value(p)
			message = len(v) < 4 || binary.LittleEndian.Uint32(v) != pst.AttachOLE
		}
		file := ""
		for _, id := range []uint16{propAttachLongName, propAttachFilename} {
			if p, ok := a.Prop(id); ok && file == "" {
				if v, err := a.Value(p); err == nil {
					file = fileName(propText(v, p.Type, false))
				}
			}
		}
		if file == "" {
			file = fmt.Sprintf("attachment-%d", i+1)
			if message {
				file += ".msg"
			}
		}
		member := joinPart(container.Path, name+"/"+file)
		if skip, stop := d.skipMember(member, i+1); stop {
			break
		} else if skip {
			continue
		}
		switch {
		case message:
			if d.tooDeep(member, "msg", depth+1) {
				continue
			}
			attachedPart := connectors.Part{Path: member, Kind: "msg"}
			d.sink.Begin(attachedPart)
			attached, err := a.Embedded(data)
			if err != nil {
				d.sink.PartError(fmt.Errorf("pst: attached message: %w", err))
			} else if err := d.pstMessage(ctx, attached, attachedPart, "message", depth+1); err != nil {
				return err
			}
		default:
			read := a.Value
			if data.Type == pst.TypeObject {
				read = a.ObjectData
			}
			if v, ok := d.pstValue(read, data, file); ok {
				if err := d.decode(ctx, bytes.NewReader(v), file, member, depth+1); err != nil {
					return err
				}
			}
		}
		d.sink.Begin(container) // what follows is the container's again
	}
	return nil
}
