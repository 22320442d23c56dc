package pst

import (
	"cmp"
	"encoding/binary"
	"slices"
	"strings"

	"datakart/internal/utf16le"
)

// Properties the package reads itself ([MS-OXPROPS]).
const (
	propDisplayName = 0x3001
	propIPMSubtree  = 0x35E0 // the message store's entry id of the top of the user's folders
	// PropAttachData is an attachment's bytes, or, of TypeObject, the
	// message attached.
	PropAttachData = 0x3701
)

// A Message is an item of a folder: a mail, a contact, an appointment, a
// task, a note. Its properties are its fields; Recipients and Attachments
// read the rest.
type Message struct {
	*Object
	// NID is the message's node id, unique in the file.
	NID uint32
	// Folder is the path of the folder it is in, from the top of the
	// folders ("Top of Personal Folders/Innboks").
	Folder string
}

// Messages calls fn for each message in the file, in node order. A
// message that cannot be read comes with its error and without
// properties; the walk goes on unless fn returns an error. Messages
// returns the first error of the file's node tree, after the messages
// found before it.
func (f *File) Messages(fn func(m *Message, err error) error) error {
	folders, err := f.folders()
	if err != nil {
		return err
	}
	return f.nodes(func(n node) error {
		if nodeType(n.nid) != typeMessage {
			return nil
		}
		m := &Message{NID: n.nid, Folder: folders.path(n.parent)}
		o, err := f.object(n.data, n.sub)
		if err != nil {
			m.Object = &Object{f: f}
		} else {
			m.Object = o
		}
		return fn(m, err)
	})
}

// folderTree is the folders' names and parents, by node id, and the
// top of the folders a user sees.
type folderTree struct {
	folders map[uint32]struct {
		name   string
		parent uint32
	}
	top uint32
	// topKnown: the message store named the top. An .ost of Exchange
	// may have no store node; its top is the folder named IPM_SUBTREE
	// below "Root - Mailbox", the name Exchange gives it in every
	// language.
	topKnown bool
}

// folders reads the name and parent of each folder, and which is the top
// of the user's folders (the IPM subtree: "Top of Personal Folders", in
// the language Outlook spoke): the message store's entry id for it ends
// with its node id.
func (f *File) folders() (*folderTree, error) {
	t := &folderTree{top: nidRootFolder, folders: map[uint32]struct {
		name   string
		parent uint32
	}{}}
	err := f.nodes(func(n node) error {
		switch {
		case n.nid == nidMessageStore:
			if o, err := f.object(n.data, n.sub); err == nil {
				if p, ok := o.Prop(propIPMSubtree); ok {
					if v, err := o.Value(p); err == nil && len(v) >= 4 {
						t.top, t.topKnown = binary.LittleEndian.Uint32(v[len(v)-4:]), true
					}
				}
			}
		case nodeType(n.nid) == typeFolder:
			name := ""
			if o, err := f.object(n.data, n.sub); err == nil {
				if p, ok := o.Prop(propDisplayName); ok {
					if v, err := o.Value(p); err == nil {
						name = Text(v, p.Type)
					}
				}
			}
			t.folders[n.nid] = struct {
				name   string
				parent uint32
			}{name, n.parent}
		}
		return nil
	})
	return t, err
}

// path returns the folder's path from below the top of the user's
// folders, or from below the root for a folder outside them. A loop of
// parents ends it.
func (t *folderTree) path(nid uint32) string {
	var names []string
	for range len(t.folders) {
		e, ok := t.folders[nid]
		if !ok || nid == nidRootFolder || nid == t.top || (!t.topKnown && e.name == "IPM_SUBTREE") {
			break
		}
		names = append(names, strings.ReplaceAll(e.name, "/", "∕"))
		if e.parent == nid {
			break
		}
		nid = e.parent
	}
	slices.Reverse(names)
	return strings.Join(names, "/")
}

// Recipients reads the message's recipient table: an object per
// recipient, with its name and addresses.
func (o *Object) Recipients() ([]*Object, error) {
	s, ok := o.subs[nidRecipientTable]
	if !ok {
		return nil, nil
	}
	return o.f.table(s.data, s.sub)
}

// Attachments reads the message's attachments, in the order they were
// added. An attachment's PropAttachData is its bytes, or the message
// attached (see Embedded).
func (o *Object) Attachments() ([]*Object, error) {
	var nids []uint32
	for nid := range o.subs {
		if nodeType(nid) == typeAttachment {
			nids = append(nids, nid)
		}
	}
	slices.SortFunc(nids, cmp.Compare)
	var out []*Object
	for _, nid := range nids {
		a, err := o.child(nid)
		if err != nil {
			return out, err
		}
		out = append(out, a)
	}
	return out, nil
}

// Attachment methods (PropAttachMethod): how an attachment holds what is
// attached.
const (
	AttachByValue  = 1 // PropAttachData is the file's bytes
	AttachEmbedded = 5 // PropAttachData (TypeObject) is a message
	AttachOLE      = 6 // PropAttachData (TypeObject) is an OLE object's compound file
)

// PropAttachMethod is an attachment's method, one of the Attach values.
const PropAttachMethod = 0x3705

// Embedded reads the message an attachment holds, whose PropAttachData is
// of TypeObject and whose method is AttachEmbedded.
func (o *Object) Embedded(p Prop) (*Object, error) {
	nid, err := o.objectNID(p)
	if err != nil {
		return nil, err
	}
	return o.child(nid)
}

// ObjectData reads the bytes of the OLE object an attachment holds, whose
// PropAttachData is of TypeObject and whose method is AttachOLE: a
// compound file, as a .doc or an .xls is.
func (o *Object) ObjectData(p Prop) ([]byte, error) {
	nid, err := o.objectNID(p)
	if err != nil {
		return nil, err
	}
	s, ok := o.subs[nid]
	if !ok {
		return nil, errCorrupt("a subnode that is not there")
	}
	return o.f.data(s.data)
}

// objectNID reads a TypeObject value: the id of the subnode the object
// is in, and its size.
func (o *Object) objectNID(p Prop) (uint32, error) {
	v, err := o.Value(p)
	if err != nil {
		return 0, err
	}
	if p.Type != TypeObject || len(v) < 4 {
		return 0, errCorrupt("an attached object")
	}
	return binary.LittleEndian.Uint32(v), nil
}

// Text decodes a TypeUnicode value; other values it returns as they are
// (a TypeString8 value's code page is the message's to say).
func Text(v []byte, typ uint16) string {
	if typ != TypeUnicode {
		return strings.TrimRight(string(v), "\x00")
	}
	for len(v) >= 2 && v[len(v)-2] == 0 && v[len(v)-1] == 0 {
		v = v[:len(v)-2]
	}
	return utf16le.String(v)
}
