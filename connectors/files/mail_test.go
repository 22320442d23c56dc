package files

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
)

// An e-mail's people headers are fields, and each part of its body is a
// member, decoded: quoted-printable text, base64 HTML, an attached CSV
// read as a CSV, and an attached message read as a message.
func TestMail(t *testing.T) {
	dir := t.TempDir()
	csv := base64.StdEncoding.EncodeToString([]byte("fødselsnummer;navn\n10048744732;Ola\n23114048690;Kari\n"))
	html := base64.StdEncoding.EncodeToString([]byte("<p>Kontonummer <b>8601.11.17947</b></p>"))
	msg := strings.Join([]string{
		"From: =?UTF-8?Q?Kari_N=C3=B8rdmann?= <kari.nordmann@online.no>",
		"To: support@firma.no, \"Ola\" <ola@online.no>",
		"Subject: =?UTF-8?B?U8O4a25hZCBmbnIgMTAwNDg3NDQ3MzI=?=",
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
	for k, want := range map[string]string{
		m + "|From":                   "Kari Nørdmann <kari.nordmann@online.no>",
		m + "|To":                     "ola@online.no",
		m + "|Subject":                "Søknad fnr 10048744732",
		m + "!body-1.txt|":            "fødselsnummeret mitt er 10048744732, ring meg på 912 34 567.",
		m + "!body-2.html|":           "Kontonummer <b>8601.11.17947</b>",
		m + "!part-4.eml|From":        "per@online.no",
		m + "!part-4.eml!body-1.txt|": "98765432",
		"support/not-a-mail.eml|":     "10048744732",
		"support/huge-header.eml|":    "10048744732",
	} {
		if !rec.has(k, want) {
			t.Errorf("%s: %q not in %q", k, want, rec.text(k))
		}
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
