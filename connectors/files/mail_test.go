package files

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
)

// An e-mail's people headers are fields, its text (quoted-printable,
// base64 HTML) is its own, decoded, and its attachments are members: an
// attached CSV read as a CSV, an attached message as a message.
func TestMail(t *testing.T) {
	dir := t.TempDir()
	csv := base64.StdEncoding.EncodeToString([]byte("fødselsnummer;navn\n10048744732;Ola\n23114048690;Kari\n"))
	html := base64.StdEncoding.EncodeToString([]byte("<p>Kontonummer <b>8601.11.17947</b></p>"))
	msg := strings.Join([]string{
		"From: =?UTF-8?Q?Kari_N=C3=B8rdmann?= <kari.nordmann@online.no>",
		"To: support@firma.no, \"Ola\" <ola@online.no>",
		"Subject: =?UTF-8?B?U8O4a25hZCBmbnIgMTAwNDg3NDQ3MzI=?=",
		"Received: from mail.online.no (84.210.12.7) by mx.firma.no",
		"MIME-Version: 1.0",
		"Content-Type: multipart/mixed; boundary=\"outer\"",
		"",
		"--outer",
		"Content-Type: multipart/alternative; boundary=inner",
		"",
		"--inner",
		"Content-Type: text/plain; charset=utf-8",
		"Content-Transfer-Encoding: quoted-printable",
		"",
		"Hei, f=C3=B8dselsnummeret mitt er 10048744732, ring meg p=C3=A5 912 34 5=",
		"67.",
		"--inner",
		"Content-Type: text/html; charset=utf-8",
		"Content-Transfer-Encoding: base64",
		"",
		html[:20], html[20:],
		"--inner--",
		"--outer",
		"Content-Type: text/csv; name=\"kunder.csv\"",
		"Content-Disposition: attachment; filename=\"../../etc/kunder.csv\"",
		"Content-Transfer-Encoding: base64",
		"",
		csv,
		"--outer",
		"Content-Type: message/rfc822",
		"",
		"From: Per <per@online.no>",
		"Subject: videresendt",
		"",
		"Per sitt nummer er 98765432.",
		"--outer--",
		"",
	}, "\r\n")
	write(t, dir, "support/sak-123.eml", []byte(msg))
	// Maildir: a message in a file without an extension.
	write(t, dir, "Maildir/cur/1732870000.M1P2.host:2,S", []byte("Return-Path: <per@online.no>\r\nFrom: Per <per@online.no>\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nfnr 100487=\r\n44732\r\n"))
	write(t, dir, "notes/from.txt", []byte("From: the team\nDate: today\nWe met.\n"))
	write(t, dir, "support/not-a-mail.eml", []byte("no headers here, fnr 10048744732\n"))
	write(t, dir, "support/huge-header.eml", []byte("X-Junk: "+strings.Repeat("a", 2<<20)+" fnr 10048744732\r\n\r\nbody\r\n"))
	nested := "Content-Type: text/plain\r\n\r\ninnerst 10048744732\r\n"
	for i := range 20 {
		b := "b" + strings.Repeat("x", i)
		nested = "Content-Type: multipart/mixed; boundary=" + b + "\r\n\r\n--" + b + "\r\n" + nested + "--" + b + "--\r\n"
	}
	write(t, dir, "support/nested.eml", []byte("From: a@online.no\r\n"+nested))

	rec, _ := scanTree(t, dir, Options{MaxArchiveDepth: 5, MaxArchiveEntries: 100, MaxExpandedBytes: 1 << 30, MaxMemberBytes: 1 << 20})
	m := "support/sak-123.eml"
	rec.expect(t, map[string]string{
		m + "|From":                "Kari Nørdmann <kari.nordmann@online.no>",
		m + "|To":                  "ola@online.no",
		m + "|Received":            "84.210.12.7",
		m + "|Subject":             "Søknad fnr 10048744732",
		m + "|":                    "fødselsnummeret mitt er 10048744732, ring meg på 912 34 567.",
		m + "!part-2.eml|From":     "per@online.no",
		m + "!part-2.eml|":         "98765432",
		"support/not-a-mail.eml|":  "10048744732",
		"support/huge-header.eml|": "10048744732",
	})
	if !rec.has(m+"|", "Kontonummer 8601.11.17947") { // the HTML part, as the text it shows
		t.Errorf("the HTML body: %q", rec.text(m+"|"))
	}
	if maildir := "Maildir/cur/1732870000.M1P2.host:2,S"; rec.kinds[maildir] != "eml" || !rec.has(maildir+"|", "fnr 10048744732") {
		t.Errorf("a Maildir message: kind %q, text %q", rec.kinds[maildir], rec.text(maildir+"|"))
	}
	if rec.kinds["notes/from.txt"] != "text" {
		t.Errorf("a note that starts with From: but has no headers' blank line: kind %q", rec.kinds["notes/from.txt"])
	}
	if got := rec.values[m+"!kunder.csv|fødselsnummer"]; !slices.Equal(got, []string{"10048744732", "23114048690"}) {
		t.Errorf("the attached CSV, by its file name alone: %q (parts %v)", got, rec.kinds)
	}
	for name, want := range map[string]string{
		"support/not-a-mail.eml":  "not an e-mail",
		"support/huge-header.eml": "headers over",
		"support/nested.eml":      "nested more than 16",
	} {
		if e := rec.errs[name]; !strings.Contains(e, want) {
			t.Errorf("%s: error %q, want %q", name, e, want)
		}
	}
}

// A mailbox is messages one after another, each a member read as an
// e-mail; a body line that starts with "From " is escaped as ">From "
// and is not a new message; a mailbox is known by its content too.
func TestMbox(t *testing.T) {
	dir := t.TempDir()
	csv := base64.StdEncoding.EncodeToString([]byte("fnr;navn\n10048744732;Ola\n"))
	box := strings.Join([]string{
		"From kari@online.no Mon Nov  2 10:00:00 2026",
		"From: Kari <kari@online.no>",
		"Subject: hei",
		"",
		"Ring meg på 91234567.",
		">From here on it is the same message, fnr 23114048690.",
		"",
		"From ola@online.no Mon Nov  2 11:00:00 2026",
		"From: Ola <ola@online.no>",
		"Content-Type: multipart/mixed; boundary=b",
		"",
		"--b",
		"Content-Disposition: attachment; filename=ansatte.csv",
		"Content-Transfer-Encoding: base64",
		"",
		csv,
		"--b--",
		"",
		"From per@online.no Mon Nov  2 12:00:00 2026",
		"From: Per <per@online.no>",
		"",
		"Siste melding",
		"",
	}, "\n")
	write(t, dir, "arkiv/support.mbox", []byte(box))
	write(t, dir, "Thunderbird/Inbox", []byte(box))
	write(t, dir, "notes/from.txt", []byte("From the start, fnr 10048744732 was wrong.\n"))

	rec, _ := scanTree(t, dir, Options{MaxArchiveDepth: 5, MaxArchiveEntries: 100, MaxExpandedBytes: 1 << 30, MaxMemberBytes: 1 << 20})
	for _, box := range []string{"arkiv/support.mbox", "Thunderbird/Inbox"} {
		if got := rec.values[box+"|From"]; !slices.Equal(got, []string{"Kari <kari@online.no>", "Ola <ola@online.no>", "Per <per@online.no>"}) {
			t.Errorf("%s: From of its 3 messages: %q", box, got)
		}
		if got := rec.lines[box+"|From"]; !slices.Equal(got, []int{2, 9, 20}) {
			t.Errorf("%s: lines of From: %v", box, got)
		}
		if want := "Ring meg på 91234567.\nFrom here on it is the same message, fnr 23114048690.\n\nSiste melding"; !rec.has(box+"|", want) {
			t.Errorf("%s: text %q, want %q", box, rec.text(box+"|"), want)
		}
		if got := rec.values[box+"!ansatte.csv|fnr"]; !slices.Equal(got, []string{"10048744732"}) {
			t.Errorf("%s: the attachment of the second message: %q", box, got)
		}
		if rec.kinds[box] != "mbox" {
			t.Errorf("%s: kind %q", box, rec.kinds[box])
		}
	}
	if rec.kinds["notes/from.txt"] != "text" || !rec.has("notes/from.txt|", "10048744732") {
		t.Errorf("a text that starts with From: kind %q", rec.kinds["notes/from.txt"])
	}
}

// A part whose base64 is broken is an error of the message, and the parts
// after it are read: the message's later text was lost with it.
func TestMailBrokenPart(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "sak.eml", []byte(strings.Join([]string{
		"From: x@firma.no",
		"MIME-Version: 1.0",
		"Content-Type: multipart/mixed; boundary=\"B\"",
		"",
		"--B",
		"Content-Type: text/plain",
		"Content-Transfer-Encoding: base64",
		"",
		"!!!notbase64###",
		"--B",
		"Content-Type: text/plain",
		"",
		"Fødselsnummer 10048744732",
		"--B--",
		"",
	}, "\n")))
	rec, _ := scanTree(t, dir, Options{})
	if !strings.Contains(rec.text("sak.eml|"), "10048744732") {
		t.Errorf("the part after the broken one: %q", rec.values["sak.eml|"])
	}
	if !strings.Contains(rec.errs["sak.eml"], "e-mail: illegal base64 data") {
		t.Errorf("the broken part: error %q", rec.errs["sak.eml"])
	}
}
