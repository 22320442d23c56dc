package files

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"datakart/internal/pst/psttest"
)

// payrollMailbox is an archived mailbox of a payroll clerk.
func payrollMailbox() []psttest.Folder {
	return []psttest.Folder{
		{Name: "Innboks", Messages: []psttest.Message{
			{
				Subject: "Søknad fnr 10048744732", Body: "Hei, kontonummeret mitt er 8601.11.17947.\r\nHilsen Kari",
				SenderName: "Kari Nørdmann", SenderEmail: "kari.nordmann@online.no", DisplayTo: "Lønn",
				Recipients: []psttest.Recipient{{Name: "Lønn", Email: "lonn@firma.no"}},
				Attachments: []psttest.Attachment{
					{Name: "kunder.csv", Data: []byte("navn;fødselsnummer\nOla;10048744732\nKari;23114048690\n")},
					{Name: "videresendt.msg", Message: &psttest.Message{
						Subject: "videresendt", Body: "Per sitt nummer er 98765432.",
						Attachments: []psttest.Attachment{{Name: "lang.txt", Data: []byte("fnr 23114048690")}},
					}},
				},
			},
			{Subject: "Lang", Body: strings.Repeat("Ingenting her. ", 1000) + "Mobil 912 34 567.", HTMLBody: "<p>Konto <b>8601.11.17947</b></p>"},
		}},
		{Name: "Kontakter", Messages: []psttest.Message{
			{Class: "IPM.Contact", Subject: "Ola Nordmann", Extra: map[uint16]string{0x3A1C: "912 34 567", 0x8083: "ola@online.no"}},
		}},
	}
}

func TestPST(t *testing.T) {
	dir := t.TempDir()
	// A Word document embedded in a rich-text message: an OLE object.
	mailbox := payrollMailbox()
	long := &mailbox[0].Messages[1]
	long.Attachments = append(long.Attachments, psttest.Attachment{OLE: fixture(t, "brev.doc")})
	b, err := psttest.Write(mailbox, psttest.Options{Crypt: psttest.CryptPermute})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "mail/arkiv.pst", b)
	write(t, dir, "backup.zip", zipOf(t, map[string][]byte{"outlook/gammel.pst": b}))
	root := binary.LittleEndian.Uint64(b[224:]) // the node B-tree's root page
	write(t, dir, "avkuttet.pst", b[:root])
	broken := bytes.Clone(b)
	copy(broken[root:root+512], bytes.Repeat([]byte{0xAA}, 512))
	write(t, dir, "ødelagt.pst", broken)
	// An Outlook 2013 .ost: 4 KiB pages, zlib-compressed blocks.
	ost, err := psttest.Write(mailbox, psttest.Options{Crypt: psttest.CryptPermute, OST4K: true})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "ny.ost", ost)
	rec, _ := scanTree(t, dir, Options{})
	for _, unit := range []string{"mail/arkiv.pst!", "backup.zip!outlook/gammel.pst!", "ny.ost!"} {
		for k, want := range map[string]string{
			"Innboks|Subject":    "Søknad fnr 10048744732",
			"Innboks|Sender":     "kari.nordmann@online.no",
			"Innboks|To":         "Lønn",
			"Innboks|Recipients": "lonn@firma.no",
			"Innboks|":           "kontonummeret mitt er 8601.11.17947.",
			"Innboks!message-1/videresendt.msg|Subject":           "videresendt",
			"Innboks!message-1/videresendt.msg|":                  "Per sitt nummer er 98765432.",
			"Innboks!message-1/videresendt.msg!message/lang.txt|": "fnr 23114048690",
			"Kontakter|MobilePhone":                               "912 34 567",
			"Kontakter|property_8083":                             "ola@online.no",
			"Innboks!message-2/attachment-1|":                     "fødselsnummer 10048744732 og kontonummer 8601.11.17947",
		} {
			if !rec.has(unit+k, want) {
				t.Errorf("%s%s: %q not in %q", unit, k, want, rec.text(unit+k))
			}
		}
		for _, want := range []string{"Mobil 912 34 567.", "Konto 8601.11.17947"} { // the long body; the HTML one as it shows
			if !rec.has(unit+"Innboks|", want) {
				t.Errorf("%sInnboks: %q not in the text", unit, want)
			}
		}
		csv := unit + "Innboks!message-1/kunder.csv|fødselsnummer"
		if got := fmt.Sprint(rec.values[csv]); got != "[10048744732 23114048690]" {
			t.Errorf("%s: %s (parts %v)", csv, got, rec.kinds)
		}
	}
	for _, name := range []string{"avkuttet.pst", "ødelagt.pst"} {
		if e := rec.errs[name]; !strings.Contains(e, "pst: corrupt file") {
			t.Errorf("%s: error %q (parts %v)", name, e, rec.kinds)
		}
	}
	if s, ok := rec.skipped["ny.ost"]; ok {
		t.Errorf("a 4K OST: skipped %q", s)
	}
	for name, e := range rec.errs {
		if name != "avkuttet.pst" && name != "ødelagt.pst" {
			t.Errorf("%s: %s", name, e)
		}
	}
}
