package pst_test

import (
	"bytes"
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
				}}},
			},
		}},
		{Name: "Kontakter", Messages: []psttest.Message{
			{Class: "IPM.Contact", Subject: "Ola Nordmann", Extra: map[uint16]string{0x3A08: "+47 22 33 44 55", 0x3A1C: "912 34 567"}},
		}},
	}
}

// read is what a reader finds in a file, written in the ANSI format or
// not: by folder, the messages with their text properties, recipients and
// attachments.
func read(t testing.TB, b []byte, ansi bool) map[string][]string {
	t.Helper()
	f, err := pst.Open(bytes.NewReader(b), int64(len(b)), pst.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Unicode() != !ansi {
		t.Errorf("Unicode() = %v for a file written with ANSI %v", f.Unicode(), ansi)
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
		switch {
		case !ok:
			out = append(out, "attachment without data")
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

// format names a subtest by the file format.
func format(ansi bool) string {
	if ansi {
		return "ansi"
	}
	return "unicode"
}

func TestMessages(t *testing.T) {
	for _, ansi := range []bool{false, true} {
		for _, crypt := range []byte{psttest.CryptNone, psttest.CryptPermute, psttest.CryptCyclic} {
			t.Run(fmt.Sprint(format(ansi), "/crypt", crypt), func(t *testing.T) {
				b, err := psttest.Write(mailbox(), psttest.Options{Crypt: crypt, ANSI: ansi})
				if err != nil {
					t.Fatal(err)
				}
				found := read(t, b, ansi)
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
	for _, ansi := range []bool{false, true} {
		t.Run(format(ansi), func(t *testing.T) {
			b, err := psttest.Write([]psttest.Folder{{Name: "Arkiv", Messages: ms}}, psttest.Options{Crypt: psttest.CryptPermute, ANSI: ansi})
			if err != nil {
				t.Fatal(err)
			}
			found := read(t, b, ansi)
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
	b, err := psttest.Write(mailbox(), psttest.Options{Crypt: psttest.CryptPermute})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pst.Open(bytes.NewReader(b[:300]), 300, pst.Limits{}); err == nil {
		t.Error("a header cut short opened")
	}
	notPST := []byte("!BDX" + strings.Repeat("x", 600))
	if _, err := pst.Open(bytes.NewReader(notPST), int64(len(notPST)), pst.Limits{}); !errors.Is(err, pst.ErrNotPST) {
		t.Errorf("not a PST: %v", err)
	}
	ost := bytes.Clone(b)
	ost[10] = 36
	if _, err := pst.Open(bytes.NewReader(ost), int64(len(ost)), pst.Limits{}); !errors.Is(err, pst.ErrUnsupported) {
		t.Errorf("4K OST: %v", err)
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
}

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
		b, err := psttest.Write(small, psttest.Options{Crypt: crypt})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		readAll(b, pst.Limits{MaxValue: 1 << 20})
	})
}
