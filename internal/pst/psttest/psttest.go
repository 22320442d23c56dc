// Package psttest writes small but real PST files, in the Unicode format,
// the ANSI one or the 4 KiB-page one of Outlook 2013's .ost, as fixtures
// for tests of the PST reader. The files are laid out as MS-PST (and, for
// the 4K format, libpff and libpst) describe and are read by libpst
// (readpst) and libpff (pypff, pffexport), see psttest_test.go.
package psttest

import (
	"errors"
	"slices"

	"datakart/internal/utf16le"
)

// Crypt is the header's bCryptMethod.
const (
	CryptNone    byte = 0
	CryptPermute byte = 1 // "compressible encryption", Outlook's default
	CryptCyclic  byte = 2 // "high encryption"
)

type Options struct {
	Crypt byte
	// ANSI writes the ANSI format of Outlook 97–2002 (wVer 14: 32-bit
	// BIDs and offsets) instead of the Unicode one (wVer 23). The
	// properties are the same, strings included (PT_UNICODE).
	ANSI bool
	// OST4K writes the 4 KiB-page format of Outlook 2013 and later .ost
	// files (wVer 36, wMagicClient "SO"), whose data blocks are
	// zlib-compressed where that makes them smaller.
	OST4K bool
}

type Folder struct {
	Name     string
	Messages []Message
	Folders  []Folder
}

type Message struct {
	Class       string            // PidTagMessageClass, e.g. "IPM.Note", "IPM.Contact"; "" means "IPM.Note"
	Subject     string            // 0x0037 PT_UNICODE
	Body        string            // 0x1000 PT_UNICODE; long bodies go to a subnode
	HTMLBody    string            // 0x1013 PT_BINARY (UTF-8 bytes), omitted when ""
	SenderName  string            // 0x0C1A
	SenderEmail string            // 0x0C1F
	DisplayTo   string            // 0x0E04
	Recipients  []Recipient       // recipient table, subnode NID 0x692
	Attachments []Attachment      // attachment table subnode 0x671 plus one attachment subnode (NID type 0x05) each
	Extra       map[uint16]string // more PT_UNICODE properties by id (0x8000+ are named, mapped in the name-to-id map)
}

type Recipient struct{ Name, Email string }

type Attachment struct {
	Name    string   // 0x3707 long filename (and 0x3704)
	Data    []byte   // 0x3701 PT_BINARY, method 0x3705 = 1 (by value)
	Message *Message // when set instead of Data: an embedded message, 0x3701 PT_OBJECT, method 5
	// OLE, when set instead of Data: an OLE object (a document embedded
	// in a rich-text message), 0x3701 PT_OBJECT naming a subnode that
	// holds the object's compound file, method 6.
	OLE []byte
}

// Special NIDs (MS-PST 2.4.1) and the NID types used.
const (
	nidMessageStore = 0x21
	nidNameToID     = 0x61
	nidRootFolder   = 0x122
	nidIPMSubtree   = 0x8022 // where Outlook puts "Top of Personal Folders"
	nidRecipients   = 0x692
	nidAttachments  = 0x671

	nidTypeFolder      = 0x02
	nidTypeMessage     = 0x04
	nidTypeAttachment  = 0x05
	nidTypeHierarchy   = 0x0D
	nidTypeContents    = 0x0E
	nidTypeAssoc       = 0x0F
	firstFolderIndex   = 0x402 // after the IPM subtree's 0x401
	firstMessageIndex  = 0x10000
	firstAttachmentIdx = 0x400
)

// psetidAddress is the property set of the contact named properties
// (PidLidEmail1EmailAddress 0x8083 ...); Extra ids 0x8000+ are mapped into it
// with their own id as the LID.
var psetidAddress = []byte{0x04, 0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}

// storeUID is the store's record key; entry IDs carry it.
var storeUID = []byte{0x5e, 0x1a, 0x0b, 0x8b, 0x2c, 0x41, 0x4d, 0x57, 0x9a, 0x1f, 0x10, 0xd0, 0x57, 0x43, 0x70, 0x61}

// fileTime is 2024-01-02 03:04:05 UTC, used for every time property.
const fileTime = (1704164645 + 11644473600) * 10000000

// Write returns a complete PST, Unicode (wVer 23), with opt.ANSI ANSI
// (wVer 14) or with opt.OST4K a 4K .ost (wVer 36), holding the folders
// under the root folder.
func Write(folders []Folder, opt Options) ([]byte, error) {
	if opt.Crypt > CryptCyclic {
		return nil, errors.New("psttest: unknown crypt method")
	}
	m := &unicodeFormat
	switch {
	case opt.ANSI && opt.OST4K:
		return nil, errors.New("psttest: a 4K file is a Unicode one")
	case opt.ANSI:
		m = &ansiFormat
	case opt.OST4K:
		m = &fourKFormat
	}
	w := &writer{f: newNDB(opt.Crypt, m), nextFolder: firstFolderIndex, nextMessage: firstMessageIndex, named: map[uint16]bool{}}
	ipm := Folder{Name: "Top of Personal Folders", Folders: folders}
	w.folder(nidRootFolder, nidRootFolder, &Folder{Folders: []Folder{ipm}}, []uint32{nidIPMSubtree})
	w.store()
	w.nameToID()
	return w.f.finish()
}

type writer struct {
	f                       *ndb
	nextFolder, nextMessage uint32
	named                   map[uint16]bool // named property ids in use
}

// owner starts the subnodes of a node to be built.
func (w *writer) owner() *owner { return &owner{m: w.f.m} }

// store writes the message store, whose IPM subtree entry ID is how readers
// find "Top of Personal Folders".
func (w *writer) store() {
	o := w.owner()
	data := o.pc([]prop{
		{0x0FF9, ptBinary, storeUID},                            // PidTagRecordKey
		{0x3001, ptUnicode, utf16le.Encode("Personal Folders")}, // PidTagDisplayName
		{0x35DF, ptInt32, u32(1)},                               // PidTagValidFolderMask: IPM subtree valid
		{0x35E0, ptBinary, entryID(nidIPMSubtree)},              // PidTagIpmSubTreeEntryId
	})
	w.f.add(&node{nid: nidMessageStore, data: data, subs: o.subs}, 0)
}

func entryID(nid uint32) []byte {
	b := slices.Concat(make([]byte, 4), storeUID) // rgbFlags, uid
	return le.AppendUint32(b, nid)
}

// nameToID writes the name-to-id map (MS-PST 2.4.7): GUID, entry and string
// streams and the hash buckets. Extra ids 0x8000+ are mapped to
// (PSETID_Address, LID = the id itself). libpff refuses a map without
// entries, strings or GUIDs, so, like every Outlook store, it also maps one
// string-named property: "Keywords" in PS_PUBLIC_STRINGS.
func (w *writer) nameToID() {
	var entries, names []byte
	buckets := map[uint32][]byte{}
	add := func(id uint32, kind uint16, idx uint16, hash uint32) {
		e := le.AppendUint32(nil, id)
		e = le.AppendUint16(e, kind) // N (bit 0: 1 = string) | wGuid<<1
		e = le.AppendUint16(e, idx)  // wPropIdx: NPID = 0x8000 + wPropIdx
		entries = append(entries, e...)
		b := (hash ^ uint32(kind)) % 251
		buckets[b] = append(buckets[b], e...)
	}
	ids := make([]uint16, 0, len(w.named))
	for id := range w.named {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		add(uint32(id), 3<<1, id-0x8000, uint32(id)) // wGuid 3: first GUID in the stream
	}
	free := uint16(0)
	for slices.Contains(ids, 0x8000+free) {
		free++
	}
	name := utf16le.Encode("Keywords")
	names = le.AppendUint32(names, uint32(len(name)))
	names = append(names, name...)  // (already 4-byte aligned)
	add(0, 2<<1|1, free, crc(name)) // wGuid 2: PS_PUBLIC_STRINGS; id = offset in string stream
	props := []prop{
		{0x0001, ptInt32, u32(251)},       // PidTagNameidBucketCount
		{0x0002, ptBinary, psetidAddress}, // PidTagNameidStreamGuid
		{0x0003, ptBinary, entries},       // PidTagNameidStreamEntry
		{0x0004, ptBinary, names},         // PidTagNameidStreamString
	}
	for b, e := range buckets {
		props = append(props, prop{uint16(0x1000 + b), ptBinary, e})
	}
	o := w.owner()
	w.f.add(&node{nid: nidNameToID, data: o.pc(props), subs: o.subs}, 0)
}

// folder writes a folder (its PC, hierarchy, contents and associated
// contents tables), its messages and, recursively, its sub folders. nids
// gives the NIDs of fd.Folders when they are fixed (the IPM subtree).
func (w *writer) folder(nid, parent uint32, fd *Folder, nids []uint32) {
	props := []prop{
		{0x3602, ptInt32, u32(uint32(len(fd.Messages)))}, // PidTagContentCount
		{0x3603, ptInt32, u32(0)},                        // PidTagContentUnreadCount
		{0x360A, ptBool, boolean(len(fd.Folders) > 0)},   // PidTagSubfolders
	}
	if fd.Name != "" {
		props = append(props, prop{0x3001, ptUnicode, utf16le.Encode(fd.Name)})
	}
	if nid != nidRootFolder && nid != nidIPMSubtree {
		props = append(props, prop{0x3613, ptUnicode, utf16le.Encode("IPF.Note")}) // PidTagContainerClass
	}
	o := w.owner()
	w.f.add(&node{nid: nid, data: o.pc(props), subs: o.subs}, parent)

	// Sub folders and their hierarchy table rows.
	var rows []map[uint32][]byte
	for i := range fd.Folders {
		sub := &fd.Folders[i]
		var snid uint32
		if i < len(nids) {
			snid = nids[i]
		} else {
			snid = w.nextFolder<<5 | nidTypeFolder
			w.nextFolder++
		}
		w.folder(snid, nid, sub, nil)
		rows = append(rows, map[uint32][]byte{
			0x67F20003:             u32(snid),
			0x30010000 | ptUnicode: utf16le.Encode(sub.Name),
			0x36020000 | ptInt32:   u32(uint32(len(sub.Messages))),
			0x36030000 | ptInt32:   u32(0),
			0x360A0000 | ptBool:    boolean(len(sub.Folders) > 0),
		})
	}
	o = w.owner()
	data := o.tc([]uint32{0x30010000 | ptUnicode, 0x36020000 | ptInt32, 0x36030000 | ptInt32, 0x360A0000 | ptBool}, rows)
	w.f.add(&node{nid: nid&^0x1F | nidTypeHierarchy, data: data, subs: o.subs}, 0)

	// Messages and their contents table rows.
	contentCols := []uint32{0x001A0000 | ptUnicode, 0x00370000 | ptUnicode, 0x0C1A0000 | ptUnicode,
		0x0E040000 | ptUnicode, 0x0E060000 | ptTime, 0x0E070000 | ptInt32}
	rows = nil
	for i := range fd.Messages {
		m := &fd.Messages[i]
		mnid := w.nextMessage<<5 | nidTypeMessage
		w.nextMessage++
		o := w.owner()
		w.f.add(&node{nid: mnid, data: w.message(m, o), subs: o.subs}, nid)
		row := map[uint32][]byte{
			0x67F20003:             u32(mnid),
			0x001A0000 | ptUnicode: utf16le.Encode(class(m)),
			0x0E060000 | ptTime:    u64(fileTime),
			0x0E070000 | ptInt32:   u32(msgFlags(m)),
		}
		for tag, s := range map[uint32]string{0x00370000 | ptUnicode: m.Subject, 0x0C1A0000 | ptUnicode: m.SenderName, 0x0E040000 | ptUnicode: m.DisplayTo} {
			if s != "" {
				row[tag] = utf16le.Encode(s)
			}
		}
		rows = append(rows, row)
	}
	o = w.owner()
	data = o.tc(contentCols, rows)
	w.f.add(&node{nid: nid&^0x1F | nidTypeContents, data: data, subs: o.subs}, 0)
	o = w.owner()
	data = o.tc(contentCols, nil)
	w.f.add(&node{nid: nid&^0x1F | nidTypeAssoc, data: data, subs: o.subs}, 0)
}

func class(m *Message) string {
	if m.Class == "" {
		return "IPM.Note"
	}
	return m.Class
}

func msgFlags(m *Message) uint32 {
	f := uint32(1) // MSGFLAG_READ
	if len(m.Attachments) > 0 {
		f |= 0x10 // MSGFLAG_HASATTACH
	}
	return f
}

// message builds a message PC and adds its recipient table, attachment table
// and attachments to o (the message node's, or for an embedded message its
// subnode's, subnodes).
func (w *writer) message(m *Message, o *owner) [][]byte {
	props := []prop{
		{0x001A, ptUnicode, utf16le.Encode(class(m))},
		{0x0E06, ptTime, u64(fileTime)}, // PidTagMessageDeliveryTime
		{0x0039, ptTime, u64(fileTime)}, // PidTagClientSubmitTime
		{0x0E07, ptInt32, u32(msgFlags(m))},
		{0x0E1B, ptBool, boolean(len(m.Attachments) > 0)}, // PidTagHasAttachments
		{0x3FDE, ptInt32, u32(65001)},                     // PidTagInternetCodepage: UTF-8
	}
	for id, s := range map[uint16]string{0x0037: m.Subject, 0x1000: m.Body, 0x0C1A: m.SenderName, 0x0C1F: m.SenderEmail, 0x0E04: m.DisplayTo} {
		if s != "" {
			props = append(props, prop{id, ptUnicode, utf16le.Encode(s)})
		}
	}
	// Outlook sets the "sent representing" sender too; readpst's From: uses it.
	if m.SenderName != "" {
		props = append(props, prop{0x0042, ptUnicode, utf16le.Encode(m.SenderName)})
	}
	if m.SenderEmail != "" {
		props = append(props,
			prop{0x0C1E, ptUnicode, utf16le.Encode("SMTP")}, // PidTagSenderAddressType
			prop{0x0064, ptUnicode, utf16le.Encode("SMTP")},
			prop{0x0065, ptUnicode, utf16le.Encode(m.SenderEmail)})
	}
	if m.HTMLBody != "" {
		props = append(props, prop{0x1013, ptBinary, []byte(m.HTMLBody)})
	}
	for id, s := range m.Extra {
		if id >= 0x8000 {
			w.named[id] = true
		}
		props = append(props, prop{id, ptUnicode, utf16le.Encode(s)})
	}

	// Recipient table: Outlook writes one even when it is empty.
	var rows []map[uint32][]byte
	for i, r := range m.Recipients {
		rows = append(rows, map[uint32][]byte{
			0x67F20003:             u32(uint32(i)),
			0x0C150000 | ptInt32:   u32(1), // PidTagRecipientType: MAPI_TO
			0x0FFE0000 | ptInt32:   u32(6), // PidTagObjectType: MAPI_MAILUSER
			0x30010000 | ptUnicode: utf16le.Encode(r.Name),
			0x30020000 | ptUnicode: utf16le.Encode("SMTP"),
			0x30030000 | ptUnicode: utf16le.Encode(r.Email),
			0x39000000 | ptInt32:   u32(0), // PidTagDisplayType: DT_MAILUSER
			0x39FE0000 | ptUnicode: utf16le.Encode(r.Email),
		})
	}
	ro := w.owner()
	data := ro.tc([]uint32{0x0C150000 | ptInt32, 0x0FFE0000 | ptInt32, 0x30010000 | ptUnicode, 0x30020000 | ptUnicode,
		0x30030000 | ptUnicode, 0x39000000 | ptInt32, 0x39FE0000 | ptUnicode}, rows)
	o.subs = append(o.subs, &node{nid: nidRecipients, data: data, subs: ro.subs})

	if len(m.Attachments) > 0 {
		rows = nil
		for i := range m.Attachments {
			a := &m.Attachments[i]
			anid := uint32(firstAttachmentIdx+i)<<5 | nidTypeAttachment
			ao := w.owner()
			aprops := []prop{{0x370B, ptInt32, u32(0xFFFFFFFF)}} // PidTagRenderingPosition
			if a.Name != "" {
				aprops = append(aprops,
					prop{0x3001, ptUnicode, utf16le.Encode(a.Name)},
					prop{0x3704, ptUnicode, utf16le.Encode(a.Name)},
					prop{0x3707, ptUnicode, utf16le.Encode(a.Name)})
			}
			method, size := uint32(1), uint32(len(a.Data)) // ATTACH_BY_VALUE
			if a.Message != nil {
				// The embedded message is a subnode of the attachment; the
				// PT_OBJECT value is its NID and size.
				eo := w.owner()
				edata := w.message(a.Message, eo)
				enid := ao.sub(nidTypeMessage, edata, eo.subs)
				size = uint32(len(slices.Concat(edata...)))
				method = 5 // ATTACH_EMBEDDED_MSG
				aprops = append(aprops, prop{0x3701, ptObject, le.AppendUint32(u32(enid), size)})
			} else if a.OLE != nil {
				onid := ao.sub(nidTypeLTP, ao.split(a.OLE), nil)
				size, method = uint32(len(a.OLE)), 6 // ATTACH_OLE
				aprops = append(aprops, prop{0x3701, ptObject, le.AppendUint32(u32(onid), size)})
			} else {
				aprops = append(aprops, prop{0x3701, ptBinary, a.Data})
			}
			aprops = append(aprops, prop{0x3705, ptInt32, u32(method)}, prop{0x0E20, ptInt32, u32(size)})
			o.subs = append(o.subs, &node{nid: anid, data: ao.pc(aprops), subs: ao.subs})
			row := map[uint32][]byte{
				0x67F20003:           u32(anid),
				0x0E200000 | ptInt32: u32(size),
				0x37050000 | ptInt32: u32(method),
				0x370B0000 | ptInt32: u32(0xFFFFFFFF),
			}
			if a.Name != "" {
				row[0x37040000|ptUnicode] = utf16le.Encode(a.Name)
				row[0x37070000|ptUnicode] = utf16le.Encode(a.Name)
			}
			rows = append(rows, row)
		}
		ato := w.owner()
		data := ato.tc([]uint32{0x0E200000 | ptInt32, 0x37040000 | ptUnicode, 0x37050000 | ptInt32,
			0x37070000 | ptUnicode, 0x370B0000 | ptInt32}, rows)
		o.subs = append(o.subs, &node{nid: nidAttachments, data: data, subs: ato.subs})
	}
	return o.pc(props)
}

func u32(v uint32) []byte { return le.AppendUint32(nil, v) }
func u64(v uint64) []byte { return le.AppendUint64(nil, v) }

func boolean(v bool) []byte {
	if v {
		return []byte{1}
	}
	return []byte{0}
}
