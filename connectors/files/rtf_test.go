package files

import (
	"io"
	"strings"
	"testing"
)

func rtfText(t *testing.T, doc string) string {
	t.Helper()
	b, err := io.ReadAll(newRTFReader(strings.NewReader(doc)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The text of an RTF document as a reader sees it.
func TestRTFText(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"escapes", `{\rtf1\ansi f\u248\'3fdselsnummer 10048744732\par Kj\'e6re {\b Kari}\tab N\'f8rdmann}`, "fødselsnummer 10048744732\nKjære Kari\tNørdmann"},
		{"tables skipped", `{\rtf1{\fonttbl{\f0\fswiss Arial;}}{\colortbl;\red0\green0\blue0;}{\stylesheet{\s0 Normal;}}Hei}`, "Hei"},
		{"unknown destinations skipped", `{\rtf1{\*\generator Writer;}{\*\themedata 0a0b}Hei}`, "Hei"},
		{"a picture skipped", `{\rtf1 f\'f8r {\pict\pngblip 89504e470d0a 10048744732} etter}`, "før  etter"},
		{"binary data skipped", `{\rtf1 a{\bin5 {}\'x}b}`, "ab"},
		{"a field's instruction read", `{\rtf1{\field{\*\fldinst HYPERLINK "mailto:ola@online.no"}{\fldrslt lenke}}}`, `HYPERLINK "mailto:ola@online.no"lenke`},
		{"8-bit text in the code page", "{\\rtf1 Kj\xe6re \x80}", "Kjære €"},
		{"a field inside a skipped group stays skipped", `{\rtf1{\pict{\field{\*\fldinst x}}}ok}`, "ok"},
		{"\\uc: the stand-ins after \\u", `{\rtf1\uc2\u8364\'80\'80 ok\uc0\u229 \u-3913}`, "€ okå\uf0b7"},
		{"symbols", `{\rtf1 a\~b\_c\{d\}e\\f\-g}`, "a\u00a0b-c{d}e\\fg"},
		{"line breaks in the file are not text", "{\\rtf1 1004874\r\n4732}", "10048744732"},
		{"not closed", `{\rtf1 hei 10048744732`, "hei 10048744732"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := rtfText(t, tc.doc); got != tc.want {
				t.Errorf("%q\n got  %q\n want %q", tc.doc, got, tc.want)
			}
		})
	}
	// A million groups deep: the state of only the first few is kept.
	deep := `{\rtf1 ` + strings.Repeat("{", 1<<20) + "fnr 10048744732" + strings.Repeat("}", 1<<20) + " slutt}"
	if got := rtfText(t, deep); got != "fnr 10048744732 slutt" {
		t.Errorf("deep groups: %q", got[:min(len(got), 80)])
	}
}

// brev.rtf is brev.doc saved as RTF by LibreOffice 7.4; read as plain
// text, its "f\u248\'3fdselsnummer" hid the word, and the fødselsnummer
// next to "kontonummer" was taken for an account number.
func TestRTFFile(t *testing.T) {
	dir := t.TempDir()
	b := fixture(t, "brev.rtf")
	write(t, dir, "brev.rtf", b)
	write(t, dir, "uten-navn", b)                             // known by its first bytes
	write(t, dir, "rtf-body.msg", fixture(t, "rtf-body.msg")) // an Outlook message whose only body is RTF
	rec, _ := scanTree(t, dir, Options{})
	for _, name := range []string{"brev.rtf", "uten-navn"} {
		for _, want := range []string{"Kjære Kari Nørdmann,", "fødselsnummer 10048744732 og kontonummer 8601.11.17947", "kari.nordmann@online.no", "mailto:ola@online.no"} {
			if !rec.has(name+"|", want) || rec.kinds[name] != "rtf" {
				t.Errorf("%s (kind %q): %q not in %q", name, rec.kinds[name], want, rec.text(name+"|"))
			}
		}
		if strings.Contains(rec.text(name+"|"), "Times New Roman") {
			t.Errorf("%s: the font table was read", name)
		}
	}
	if want := "Fødselsnummer 10048744732, konto 8601.11.17947"; !rec.has("rtf-body.msg|", want) {
		t.Errorf("rtf-body.msg: %q not in %q", want, rec.text("rtf-body.msg|"))
	}
}

// The example of compressed RTF made by xrtf, a C implementation of
// [MS-OXRTFCP]: a reference into the dictionary it starts with
// ("{\rtf1"), and one that overlaps what it writes.
func TestDecompressRTF(t *testing.T) {
	compressed := []byte("\x1a\x00\x00\x00\x1c\x00\x00\x00LZFu\xe2\xd4KQA\x00\x04 WXYZ\rn}\x01\x0e\xb0")
	got, err := decompressRTF(compressed, 1<<20)
	if err != nil || string(got) != `{\rtf1 WXYZWXYZWXYZWXYZWXYZ}` {
		t.Errorf("%q, %v", got, err)
	}
	if got, _ := decompressRTF(compressed, 10); len(got) != 10 {
		t.Errorf("bounded to 10 bytes: %d", len(got))
	}
	if _, err := decompressRTF(compressed, 0); err == nil {
		t.Error("no budget left, and no error")
	}
	for _, bad := range [][]byte{compressed[:10], compressed[:len(compressed)-3], append(compressed[:8:8], "ABCD...."...)} {
		decompressRTF(bad, 1<<20) // must not panic
	}
}
