package files

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"golang.org/x/net/html"
)

// xmlToken is a token as xmlTokens hands it on: a tag's kind and local
// name, or a text.
type xmlToken struct {
	tt   html.TokenType
	name string
	text string
}

// scanXML reads r with xmlScanner, adjacent texts joined.
func scanXML(r io.Reader) ([]xmlToken, error) {
	z := newXMLScanner(r)
	var out []xmlToken
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if errors.Is(z.Err(), io.EOF) {
				return out, nil
			}
			return out, z.Err()
		case html.TextToken, html.CommentToken:
			out = appendToken(out, xmlToken{tt: tt, text: string(z.Text())})
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			out = append(out, xmlToken{tt: tt, name: string(lowerLocalName(make([]byte, 0, 64), z.Raw()))})
		}
	}
}

// appendToken appends t to out, a text to a text before it.
func appendToken(out []xmlToken, t xmlToken) []xmlToken {
	if n := len(out); n > 0 && t.tt == html.TextToken && out[n-1].tt == html.TextToken {
		out[n-1].text += t.text
		return out
	}
	return append(out, t)
}

// tokenizeXML reads r with x/net/html's tokenizer as xmlTokens and
// readXML did before they had a scanner of their own.
func tokenizeXML(r io.Reader) []xmlToken {
	z := html.NewTokenizer(r)
	z.SetMaxBuf(maxRecordBytes)
	z.AllowCDATA(true)
	var out []xmlToken
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out
		case html.TextToken, html.CommentToken:
			out = appendToken(out, xmlToken{tt: tt, text: string(z.Text())})
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			if i := bytes.LastIndexByte(name, ':'); i >= 0 {
				name = name[i+1:]
			}
			out = append(out, xmlToken{tt: tt, name: string(name)})
		}
	}
}

// On what office parts hold, the scanner reads what x/net/html's
// tokenizer read, whatever the reads it is handed. (Where they differ is
// on what no office part holds: a processing instruction with a '>' in
// it ends at "?>" here, at the '>' there.)
func TestXMLScannerReadsAsTheTokenizer(t *testing.T) {
	docs := map[string]string{
		"cells": `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" +
			`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
			`<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t xml:space="preserve"> Ola &amp; Kari &lt;3 </t></is></c></row>` +
			`<row r="2"><c r="A2" s="1"><v>10048744732</v></c><c r="B2"/><c r="C2" t="str"><f>A2&amp;""</f><v>10048744732</v></c></row>` +
			`</sheetData></worksheet>`,
		"shared strings":    `<sst xmlns="x" count="2"><si><t>F&#248;dselsnummer</t></si><si><r><rPr><b/></rPr><t>kari@</t></r><r><t>example.no</t></r><rPh sb="0" eb="1"><t>カ</t></rPh></si></sst>`,
		"prefixes and case": `<x:Worksheet xmlns:x="y"><x:Row R="3"><x:C R="A3" T="S"><x:V>7</x:V></x:C></x:Row></x:Worksheet>`,
		"quoted >":          `<c r="A1" note='a > b' t="str"><v>1 &gt; 0</v></c><d a = "x>y" b="z"/>`,
		"cdata and comment": `<t><![CDATA[<b>10048744732</b> & co]]></t><!-- <c>x</c> --><?pi a?><t>&#x41;&#66;&#0;&nbsp;&bogus</t>`,
		"line ends":         "<t>a\r\nb\rc\n</t>\r\n",
		"empty":             "",
		"text only":         "no markup & more",
	}
	for name, doc := range docs {
		want := tokenizeXML(strings.NewReader(doc))
		for _, rd := range []struct {
			name string
			r    io.Reader
		}{
			{"whole", strings.NewReader(doc)},
			{"a byte at a time", iotest.OneByteReader(strings.NewReader(doc))},
			{"with the end", iotest.DataErrReader(strings.NewReader(doc))},
		} {
			got, err := scanXML(rd.r)
			if err != nil {
				t.Fatalf("%s, %s: %v", name, rd.name, err)
			}
			if !equalTokens(got, want) {
				t.Errorf("%s, %s:\n got %v\nwant %v", name, rd.name, got, want)
			}
		}
	}
}

// equalTokens compares token lists where the scanner keeps a named
// reference other than XML's as written, as Excel never writes one.
func equalTokens(got, want []xmlToken) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := got[i], want[i]
		g.text = strings.ReplaceAll(g.text, "&nbsp;", "\u00a0")
		if g != w {
			return false
		}
	}
	return true
}

// The parts of a real workbook read alike both ways.
func TestXMLScannerOnAWorkbook(t *testing.T) {
	b := fixture(t, "ledende-null.xlsx")
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	parts := 0
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".xml") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		got, err := scanXML(iotest.HalfReader(bytes.NewReader(data)))
		if want := tokenizeXML(bytes.NewReader(data)); err != nil || !equalTokens(got, want) {
			t.Errorf("%s: %v\n got %v\nwant %v", f.Name, err, got, want)
		}
		parts++
	}
	if parts < 3 {
		t.Fatalf("%d parts read", parts)
	}
}

// A text longer than a piece comes in pieces that make it up whole, cut
// where no reference or line end is; a tag longer than maxRecordBytes is
// html.ErrBufferExceeded; markup cut off by the end of the input is text.
func TestXMLScannerLimits(t *testing.T) {
	recordLimit(t, 256)
	long := strings.Repeat("Ola &amp; Kari\r\n 10048744732 &#233;", 40)
	want := strings.NewReplacer("&amp;", "&", "\r\n", "\n", "&#233;", "é").Replace(long)
	z := newXMLScanner(iotest.OneByteReader(strings.NewReader("<t>" + long + "</t>")))
	var text strings.Builder
	pieces := 0
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		if tt == html.TextToken {
			if len(z.Raw()) > textPiece() {
				t.Errorf("a piece of %d bytes", len(z.Raw()))
			}
			text.Write(z.Text())
			pieces++
		}
	}
	if text.String() != want || pieces < 2 || !errors.Is(z.Err(), io.EOF) {
		t.Errorf("%d pieces, %v: %q", pieces, z.Err(), text.String())
	}

	_, err := scanXML(strings.NewReader(`<c r="` + strings.Repeat("A", 300) + `"><v>1</v></c>`))
	if !errors.Is(err, html.ErrBufferExceeded) {
		t.Errorf("a tag over the limit: %v", err)
	}
	got, err := scanXML(strings.NewReader(`<v>10048744732</v><c r="A1`))
	if err != nil || len(got) != 4 || got[3].text != `<c r="A1` {
		t.Errorf("cut off: %v %v", got, err)
	}
}

// FuzzXMLScanner: on any input the scanner ends, and reads the same
// tokens whatever reads it is handed.
func FuzzXMLScanner(f *testing.F) {
	recordLimit(f, 64)
	f.Add([]byte(`<?xml version="1.0"?><a x='>'><![CDATA[<b>]]><!-- c --><b/>&amp;&#1;&#x110000;</a><c`))
	f.Add([]byte("<t>" + strings.Repeat("&amp;\r", 30) + "</t><!"))
	f.Fuzz(func(t *testing.T, b []byte) {
		whole, err1 := scanXML(bytes.NewReader(b))
		bytewise, err2 := scanXML(iotest.OneByteReader(bytes.NewReader(b)))
		if (err1 == nil) != (err2 == nil) || err1 == nil && !equalTokens(whole, bytewise) {
			t.Fatalf("whole: %v %v\nbyte by byte: %v %v", whole, err1, bytewise, err2)
		}
	})
}

// An office document whose XML has a mistake in it (a '<' in a text, an
// entity no DTD declares, an element never closed, an end tag of another)
// is read on past it, and what follows is found: encoding/xml stopped at
// its first syntax error, and the rest of the document was lost.
func TestMalformedOfficeXMLIsReadOn(t *testing.T) {
	dir := t.TempDir()
	mistakes := `<w:p><w:r><w:t>a < b &ukjent; c</w:t></w:r></w:p><w:p><w:r><w:t>åpen</w:r></w:p></w:feil>`
	write(t, dir, "feil.docx", zipOf(t, map[string][]byte{
		"word/document.xml": []byte(`<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>før 10048744732</w:t></w:r></w:p>` + mistakes +
			`<w:p><w:r><w:t>etter 23114048690</w:t></w:r></w:p></w:body></w:document>`),
	}))
	write(t, dir, "feil.ods", zipOf(t, map[string][]byte{
		"mimetype": []byte("application/vnd.oasis.opendocument.spreadsheet"),
		"content.xml": []byte(`<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="t"><office:body><office:spreadsheet><table:table table:name="A">` +
			`<table:table-row><table:table-cell><text:p>fnr</text:p></table:table-cell></table:table-row>` +
			`<table:table-row><table:table-cell><text:p>a < b &ukjent;</text:p></table:table-cell></table:table-row></text:feil>` +
			`<table:table-row><table:table-cell><text:p>23114048690</text:p></table:table-cell></table:table-row>` +
			`</table:table></office:spreadsheet></office:body></office:document-content>`),
	}))
	rec, _ := scanTree(t, dir, Options{})
	if !rec.has("feil.docx|", "10048744732") || !rec.has("feil.docx|", "23114048690") || !rec.has("feil.docx|", "a < b &ukjent; c") {
		t.Errorf("docx: %q", rec.values["feil.docx|"])
	}
	if !rec.has("feil.ods|A!fnr", "23114048690") {
		t.Errorf("ods: %v", rec.values)
	}
	for name, e := range rec.errs {
		t.Errorf("%s: %s", name, e)
	}
}
