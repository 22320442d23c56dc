package pst_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"datakart/internal/pst"
	"datakart/internal/pst/psttest"
)

// mailbox is a small mailbox with what a reader must find: Norwegian
// text, a body over one block, recipients, attachments, an attached
// message and a contact.
func mailbox() []psttest.Folder {
	long := strings.Repeat("Linje med tekst om saken, æøå. ", 700) + "Til slutt: fnr 01019012345."
	return []psttest.Folder{
		{Name: "Innboks", Messages: []psttest.Message{
			{
				Subject: "Søknad om permisjon", Body: "Hei, mitt fødselsnummer er 10048744732.\r\nHilsen Kari",
				SenderName: "Kari Nordmann", SenderEmail: "kari.nordmann@example.no", DisplayTo: "Lønn",
				Recipients: []psttest.Recipient{{Name: "Lønn", Email: "lonn@firma.no"}, {Name: "Per Hansen", Email: "per.hansen@firma.no"}},
				Attachments: []psttest.Attachment{
					{Name: "kontonr.txt", Data: []byte("Konto: 1234.56.78903\n")},
					{Name: "stor.bin", Data: bytes.Repeat([]byte("0123456789abcdef"), 7000)},
				},
			},
			{Subject: "Lang tråd", Body: long, HTMLBody: "<p>ring <b>912 34 567</b></p>"},
			{
				Subject: "VS: vedlagt melding",
				Attachments: []psttest.Attachment{{Name: "original.msg", Message: &psttest.Message{
					Subject: "Original", Body: "Opprinnelig melding fra ola@example.com",
				}}, {Name: "dokument.doc", OLE: append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 Word-dokument: fnr 23114048690 "), bytes.Repeat([]byte("innhold "), 1500)...)}},
			},
		}},
		{Name: "Kontakter", Messages: []psttest.Message{
			{Class: "IPM.Contact", Subject: "Ola Nordmann", Extra: map[uint16]string{0x3A08: "+47 22 33 44 55", 0x3A1C: "912 34 567"}},
		}},
	}
}

// fileFormat is a format files are written in, and read.
type fileFormat struct {
	name        string
	ansi, ost4k bool
}

var formats = []fileFormat{{"unicode", false, false}, {"ansi", true, false}, {"ost4k", false, true}}

func (fm fileFormat) write(t testing.TB, folders []psttest.Folder, crypt byte) []byte {
	t.Helper()
	b, err := psttest.Write(folders, psttest.Options{Crypt: crypt, ANSI: fm.ansi, OST4K: fm.ost4k})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// read is what a reader finds in a file written in the format fm: by
// folder, the messages with their text properties, recipients and
// attachments.
func read(t testing.TB, b []byte, fm fileFormat) map[string][]string {
	t.Helper()
	f, err := pst.Open(bytes.NewReader(b), int64(len(b)), pst.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Unicode() != !fm.ansi || f.Pages4K() != fm.ost4k {
		t.Errorf("Unicode() = %v, Pages4K() = %v for a file written as %s", f.Unicode(), f.Pages4K(), fm.name)
	}
	found := map[string][]string{}
	err = f.Messages(func(m *pst.Message, err error) error {
		if err != nil {
			t.Errorf("message %x: %v", m.NID, err)
			return nil
		}
		found[m.Folder] = append(found[m.Folder], describe(t, m.Object, 0))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// describe lists an object's text values, its recipients' and its
// attachments', of messages attached up to four deep (a damaged file may
// attach a message to itself).
func describe(t testing.TB, o *pst.Object, depth int) string {
	var out []string
	for _, p := range o.Props {
		if p.Type != pst.TypeUnicode && p.Type != pst.TypeString8 && p.Type != pst.TypeBinary {
			continue
		}
		v, err := o.Value(p)
		if err != nil {
			t.Errorf("property %04X: %v", p.ID, err)
		}
		if p.Type == pst.TypeBinary {
			if p.ID == 0x1013 {
				out = append(out, fmt.Sprintf("%04X=%s", p.ID, v))
			}
			continue
		}
		out = append(out, fmt.Sprintf("%04X=%s", p.ID, pst.Text(v, p.Type)))
	}
	rs, err := o.Recipients()
	if err != nil {
		t.Error(err)
	}
	for _, r := range rs {
		out = append(out, "recipient{"+describe(t, r, depth)+"}")
	}
	as, err := o.Attachments()
	if err != nil {
		t.Error(err)
	}
	for _, a := range as {
		p, ok := a.Prop(pst.PropAttachData)
		method := uint32(0)
		if mp, ok := a.Prop(pst.PropAttachMethod); ok {
			if v, err := a.Value(mp); err == nil && len(v) == 4 {
				method = binary.LittleEndian.Uint32(v)
			}
		}
		switch {
		case !ok:
			out = append(out, "attachment without data")
		case p.Type == pst.TypeObject && method == pst.AttachOLE:
			v, err := a.ObjectData(p)
			if err != nil {
				t.Error(err)
			}
			out = append(out, fmt.Sprintf("ole object %d bytes %q", len(v), v[:min(len(v), 20)]))
		case p.Type == pst.TypeObject && depth < 4:
			m, err := a.Embedded(p)
			if err != nil {
				t.Error(err)
				continue
			}
			out = append(out, "attached{"+describe(t, m, depth+1)+"}")
		case p.Type == pst.TypeBinary:
			v, err := a.Value(p)
			if err != nil {
				t.Error(err)
			}
			out = append(out, fmt.Sprintf("attachment %d bytes %q", len(v), v[:min(len(v), 20)]))
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

func TestMessages(t *testing.T) {
	for _, fm := range formats {
		for _, crypt := range []byte{psttest.CryptNone, psttest.CryptPermute, psttest.CryptCyclic} {
			t.Run(fmt.Sprint(fm.name, "/crypt", crypt), func(t *testing.T) {
				found := read(t, fm.write(t, mailbox(), crypt), fm)
				var inbox, contacts string
				for folder, ms := range found {
					switch folder { // below the top of the folders
					case "Innboks":
						inbox = strings.Join(ms, "\n---\n")
					case "Kontakter":
						contacts = strings.Join(ms, "\n---\n")
					default:
						t.Errorf("messages in folder %q", folder)
					}
				}
				for _, want := range []string{
					"0037=Søknad om permisjon", "1000=Hei, mitt fødselsnummer er 10048744732.",
					"0C1F=kari.nordmann@example.no", "0C1A=Kari Nordmann",
					"recipient{", "3003=lonn@firma.no", "3003=per.hansen@firma.no",
					`attachment 21 bytes "Konto: 1234.56.78903"`, `attachment 112000 bytes "0123456789abcdef0123"`,
					"Til slutt: fnr 01019012345.", "1013=<p>ring <b>912 34 567</b></p>",
					"attached{", "0037=Original", "1000=Opprinnelig melding fra ola@example.com",
					"ole object 12040 bytes",
				} {
					if !strings.Contains(inbox, want) {
						t.Errorf("Innboks lacks %q:\n%s", want, inbox)
					}
				}
				for _, want := range []string{"3A08=+47 22 33 44 55", "3A1C=912 34 567"} {
					if !strings.Contains(contacts, want) {
						t.Errorf("Kontakter lacks %q:\n%s", want, contacts)
					}
				}
			})
		}
	}
}

// TestManyMessages reads a file whose B-trees have more than one level.
func TestManyMessages(t *testing.T) {
	var ms []psttest.Message
	for i := range 500 {
		ms = append(ms, psttest.Message{Subject: fmt.Sprintf("Melding %d", i), Body: fmt.Sprintf("kunde%d@example.no", i)})
	}
	for _, fm := range formats {
		t.Run(fm.name, func(t *testing.T) {
			found := read(t, fm.write(t, []psttest.Folder{{Name: "Arkiv", Messages: ms}}, psttest.CryptPermute), fm)
			n := 0
			for folder, ms := range found {
				if folder != "Arkiv" {
					t.Errorf("folder %q", folder)
				}
				for _, m := range ms {
					if strings.Contains(m, "@example.no") {
						n++
					}
				}
			}
			if n != 500 {
				t.Errorf("%d of 500 messages read", n)
			}
		})
	}
}

// TestCorrupt cuts and damages a file: each case ends in an error or in
// fewer messages, never a panic or a hang.
func TestCorrupt(t *testing.T) {
	notPST := []byte("!BDX" + strings.Repeat("x", 600))
	if _, err := pst.Open(bytes.NewReader(notPST), int64(len(notPST)), pst.Limits{}); !errors.Is(err, pst.ErrNotPST) {
		t.Errorf("not a PST: %v", err)
	}
	b := formats[0].write(t, mailbox(), psttest.CryptPermute)
	for _, ver := range []byte{20, 37} { // between ANSI and Unicode, and after 4K
		v := bytes.Clone(b)
		v[10] = ver
		if _, err := pst.Open(bytes.NewReader(v), int64(len(v)), pst.Limits{}); !errors.Is(err, pst.ErrUnsupported) {
			t.Errorf("format version %d: %v", ver, err)
		}
	}
	for _, fm := range formats {
		t.Run(fm.name, func(t *testing.T) {
			b := fm.write(t, mailbox(), psttest.CryptPermute)
			if _, err := pst.Open(bytes.NewReader(b[:300]), 300, pst.Limits{}); err == nil {
				t.Error("a header cut short opened")
			}
			for _, cut := range []int{len(b) / 2, len(b) - 600, 4096} {
				readAll(b[:cut], pst.Limits{})
			}
			// A value over the limit is an error for that value.
			f, err := pst.Open(bytes.NewReader(b), int64(len(b)), pst.Limits{MaxValue: 4096})
			if err != nil {
				t.Fatal(err)
			}
			tooLarge := 0
			_ = f.Messages(func(m *pst.Message, err error) error {
				if err != nil {
					return nil
				}
				as, _ := m.Attachments()
				for _, a := range as {
					if p, ok := a.Prop(pst.PropAttachData); ok && p.Type == pst.TypeBinary {
						if _, err := a.Value(p); errors.Is(err, pst.ErrTooLarge) {
							tooLarge++
						}
					}
				}
				return nil
			})
			if tooLarge != 1 {
				t.Errorf("%d values over the limit, want 1 (the 112 KB attachment)", tooLarge)
			}
		})
	}
}

// TestCompressed damages the compressed blocks of a 4K file: a block that
// inflates to more or less than its entry says, or not at all, is an
// error for what is in it.
func TestCompressed(t *testing.T) {
	b := formats[2].write(t, mailbox(), psttest.CryptNone)
	if n := readErrors(b); n != 0 {
		t.Fatalf("%d errors in the file as written", n)
	}
	var compressed []int // offsets of block B-tree entries of compressed blocks
	for _, e := range bbt4K(b) {
		if cb, inflated := binary.LittleEndian.Uint16(b[e+16:]), binary.LittleEndian.Uint16(b[e+18:]); cb != inflated {
			compressed = append(compressed, e)
		}
	}
	if len(compressed) == 0 {
		t.Fatal("no compressed block")
	}
	// Blocks of the name-to-id map and the folders' tables are not read:
	// the blocks a longer inflated size breaks are the ones read, and
	// every other damage must break them too.
	damage := func(e int, fn func(b []byte)) int {
		d := bytes.Clone(b)
		fn(d)
		return readErrors(d)
	}
	le := binary.LittleEndian
	var read []int
	for _, e := range compressed {
		if damage(e, func(b []byte) { le.PutUint16(b[e+18:], le.Uint16(b[e+18:])+1) }) > 0 {
			read = append(read, e)
		}
	}
	if len(read) == 0 {
		t.Fatal("no compressed block read")
	}
	for _, e := range read {
		ib := le.Uint64(b[e+8:])
		for name, fn := range map[string]func(b []byte){
			"inflated -1":  func(b []byte) { le.PutUint16(b[e+18:], le.Uint16(b[e+18:])-1) },
			"inflated 64K": func(b []byte) { le.PutUint16(b[e+18:], 0xFFFF) },
			"inflated 0":   func(b []byte) { le.PutUint16(b[e+18:], 0) },
			"stream cut":   func(b []byte) { le.PutUint16(b[e+16:], le.Uint16(b[e+16:])/2) },
			"checksum":     func(b []byte) { b[ib+uint64(le.Uint16(b[e+16:]))-1] ^= 0x55 },
		} {
			if damage(e, fn) == 0 {
				t.Errorf("%s: block at %d: no error", name, ib)
			}
		}
		// Taken for stored, the stream is read as the data: no error
		// to be had, but no panic either.
		damage(e, func(b []byte) { le.PutUint16(b[e+16:], le.Uint16(b[e+18:])) })
	}
}

// bbt4K returns the offsets in a 4K file of its block B-tree's leaf
// entries: the root page's offset is in the header at 240; a page has
// cEnt (two bytes) at 4056, cbEnt at 4060 and cLevel at 4061.
func bbt4K(b []byte) []int {
	var leaves []int
	var visit func(off uint64)
	visit = func(off uint64) {
		p := b[off : off+4096]
		n, size := int(binary.LittleEndian.Uint16(p[4056:])), int(p[4060])
		for i := range n {
			if e := int(off) + i*size; p[4061] == 0 {
				leaves = append(leaves, e)
			} else {
				visit(binary.LittleEndian.Uint64(b[e+16:]))
			}
		}
	}
	visit(binary.LittleEndian.Uint64(b[240:]))
	return leaves
}

// readErrors reads everything in a file and counts the errors.
func readErrors(b []byte) int {
	q := &counting{}
	f, err := pst.Open(bytes.NewReader(b), int64(len(b)), pst.Limits{})
	if err != nil {
		return 1
	}
	err = f.Messages(func(m *pst.Message, err error) error {
		if err != nil {
			q.n++
		} else {
			describe(q, m.Object, 0)
		}
		return nil
	})
	if err != nil {
		q.n++
	}
	return q.n
}

// counting is a testing.TB that counts the errors describe finds.
type counting struct {
	testing.TB
	n int
}

func (*counting) Helper()                 {}
func (c *counting) Error(...any)          { c.n++ }
func (c *counting) Errorf(string, ...any) { c.n++ }

// readAll reads everything in what may be a damaged file, for whatever
// breaks on the way.
func readAll(b []byte, limits pst.Limits) {
	f, err := pst.Open(bytes.NewReader(b), int64(len(b)), limits)
	if err != nil {
		return
	}
	_ = f.Messages(func(m *pst.Message, err error) error {
		if err == nil {
			describe(&quiet{}, m.Object, 0)
		}
		return nil
	})
}

// quiet is a testing.TB that keeps errors to itself: describe's checks
// are expected to fail on a damaged file.
type quiet struct{ testing.TB }

func (*quiet) Helper()               {}
func (*quiet) Error(...any)          {}
func (*quiet) Errorf(string, ...any) {}

// FuzzPST opens and reads everything in mutated files: no panic, no hang,
// and memory within the limit.
func FuzzPST(f *testing.F) {
	// The mailbox less its long body and large attachment: the fuzzer
	// mutates a small file better.
	small := mailbox()
	small[0].Messages[0].Attachments = small[0].Messages[0].Attachments[:1]
	small[0].Messages[1].Body = "kort"
	for _, crypt := range []byte{psttest.CryptNone, psttest.CryptPermute, psttest.CryptCyclic} {
		f.Add(formats[0].write(f, small, crypt))
	}
	f.Add(formats[2].write(f, small, psttest.CryptPermute)) // 4K pages, compressed blocks
	f.Fuzz(func(t *testing.T, b []byte) {
		readAll(b, pst.Limits{MaxValue: 1 << 20})
	})
}
