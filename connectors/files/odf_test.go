package files

import (
	"slices"
	"strings"
	"testing"
)

// OpenDocument files (ansatte.ods and brev2.odt, saved by LibreOffice 7.4
// from a CSV export and from HTML whose fødselsnummer is split by
// formatting) and PowerPoint presentations are read by their structure:
// a spreadsheet's columns are fields, and a paragraph's runs are joined.
func TestOpenDocumentAndPptx(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"ansatte.ods", "brev2.odt"} {
		b := fixture(t, name)
		write(t, dir, name, b)
		write(t, dir, "omdøpt/"+strings.TrimSuffix(name, ".ods")+".zip", b) // known by its mimetype
	}
	slide := func(paras ...string) []byte {
		var b strings.Builder
		b.WriteString(`<p:sld xmlns:p="p" xmlns:a="a"><p:cSld><p:spTree><p:sp><p:txBody>`)
		for _, p := range paras {
			b.WriteString(`<a:p>` + p + `</a:p>`)
		}
		b.WriteString(`</p:txBody></p:sp></p:spTree></p:cSld></p:sld>`)
		return []byte(b.String())
	}
	write(t, dir, "foredrag.pptx", zipOf(t, map[string][]byte{
		"ppt/presentation.xml":            []byte(`<p:presentation xmlns:p="p"/>`),
		"ppt/slides/slide1.xml":           slide(`<a:r><a:t>Kunde: Kari Nørdmann</a:t></a:r>`),
		"ppt/slides/slide2.xml":           slide(`<a:r><a:t>fnr 100487</a:t></a:r><a:r><a:t>44732</a:t></a:r>`),
		"ppt/slides/slide10.xml":          slide(`<a:r><a:t>tiende</a:t></a:r>`),
		"ppt/notesSlides/notesSlide1.xml": slide(`<a:r><a:t>ring 912 34 567</a:t></a:r>`),
	}))
	// A cell with a value that says it repeats a billion times, in a row
	// that says so too.
	cells := `<table:table-row table:number-rows-repeated="1000000000"><table:table-cell table:number-columns-repeated="1000000000" office:value-type="string"><text:p>x 10048744732</text:p></table:table-cell></table:table-row>`
	write(t, dir, "bombe.ods", zipOf(t, map[string][]byte{
		"mimetype": []byte("application/vnd.oasis.opendocument.spreadsheet"),
		"content.xml": []byte(`<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="t"><office:body><office:spreadsheet><table:table table:name="A">` +
			`<table:table-row><table:table-cell office:value-type="string"><text:p>fnr</text:p></table:table-cell></table:table-row>` + cells + `</table:table></office:spreadsheet></office:body></office:document-content>`),
	}))

	// The table and office names are known by their namespaces: a
	// "table" of another namespace is no sheet.
	write(t, dir, "prefikser.ods", zipOf(t, map[string][]byte{
		"mimetype": []byte("application/vnd.oasis.opendocument.spreadsheet"),
		"content.xml": []byte(`<o:document-content xmlns:o="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:t="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:table="x" xmlns:p="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><o:body><o:spreadsheet>` +
			`<table:table t:name="Ikke"><t:table-row><t:table-cell><p:p>fnr</p:p></t:table-cell></t:table-row><t:table-row><t:table-cell><p:p>23114048690</p:p></t:table-cell></t:table-row></table:table>` +
			`<t:table t:name="Ark"><t:table-row><t:table-cell><p:p>fnr</p:p></t:table-cell></t:table-row><t:table-row><t:table-cell o:value-type="float" o:value="10048744732"><p:p>1,00E+10</p:p></t:table-cell></t:table-row></t:table>` +
			`</o:spreadsheet></o:body></o:document-content>`),
	}))
	write(t, dir, "lenke.odt", zipOf(t, map[string][]byte{
		"mimetype":    []byte("application/vnd.oasis.opendocument.text"),
		"content.xml": []byte(`<office:document-content xmlns:text="t" xmlns:xlink="x"><text:p>Skriv <text:a xlink:href="mailto:ola@online.no?subject=Tilbud&amp;cc=kari@online.no">her</text:a>.</text:p></office:document-content>`),
	}))
	rels := []byte(`<Relationships><Relationship Id="rId9" Type="hyperlink" Target="mailto:ola@online.no?subject=Tilbud&amp;cc=kari@online.no" TargetMode="External"/></Relationships>`)
	write(t, dir, "lenke.docx", zipOf(t, map[string][]byte{
		"word/document.xml":            []byte(`<w:document xmlns:w="w" xmlns:r="r"><w:body><w:p><w:r><w:t xml:space="preserve">Skriv </w:t></w:r><w:hyperlink r:id="rId9"><w:r><w:t>her</w:t></w:r></w:hyperlink><w:r><w:t>.</w:t></w:r></w:p></w:body></w:document>`),
		"word/_rels/document.xml.rels": rels,
	}))
	write(t, dir, "brevhode.docx", zipOf(t, map[string][]byte{
		"word/document.xml":  []byte(`<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>Brødtekst</w:t></w:r></w:p></w:body></w:document>`),
		"word/header1.xml":   []byte(`<w:hdr xmlns:w="w"><w:p><w:r><w:t>Firma AS, tlf 22 33 44 55, post@firma.no</w:t></w:r></w:p></w:hdr>`),
		"word/footnotes.xml": []byte(`<w:footnotes xmlns:w="w"><w:footnote><w:p><w:r><w:t>fnr 10048744732</w:t></w:r></w:p></w:footnote></w:footnotes>`),
		"word/styles.xml":    []byte(`<w:styles xmlns:w="w"><w:style><w:name w:val="Normal"/></w:style></w:styles>`),
	}))
	write(t, dir, "lenke.pptx", zipOf(t, map[string][]byte{
		"ppt/presentation.xml":             []byte(`<p:presentation xmlns:p="p"/>`),
		"ppt/slides/slide1.xml":            slide(`<a:r><a:rPr><a:hlinkClick xmlns:r="r" r:id="rId9"/></a:rPr><a:t>her</a:t></a:r>`),
		"ppt/slides/_rels/slide1.xml.rels": rels,
	}))
	rec, _ := scanTree(t, dir, Options{})
	for _, name := range []string{"lenke.odt", "lenke.docx"} {
		// The address as the link has it: unescaped once.
		if got := rec.text(name + "|"); got != "Skriv  mailto:ola@online.no?subject=Tilbud&cc=kari@online.no her." {
			t.Errorf("%s: a link's address: %q", name, got)
		}
	}
	if got := rec.values["brevhode.docx|"]; !slices.Equal(got, []string{"Brødtekst", "Firma AS, tlf 22 33 44 55, post@firma.no", "fnr 10048744732"}) {
		t.Errorf("a docx's body, then its header and footnotes: %q", got)
	}
	if got := rec.text("lenke.pptx|"); got != " mailto:ola@online.no?subject=Tilbud&cc=kari@online.no her" {
		t.Errorf("lenke.pptx: a link's address: %q", got)
	}
	for _, name := range []string{"ansatte.ods", "omdøpt/ansatte.zip"} {
		if got := rec.values[name+"|ansatte!fødselsnummer"]; !slices.Equal(got, []string{"10048744732", "23114048690"}) {
			t.Errorf("%s: %q (kind %q, fields %q)", name, got, rec.kinds[name], rec.fields[name])
		}
		if got := rec.values[name+"|ansatte!navn"]; !slices.Equal(got, []string{"Kari Nørdmann", "Ola Nordmann"}) || !slices.Equal(rec.lines[name+"|ansatte!navn"], []int{2, 3}) {
			t.Errorf("%s: names %q on lines %v", name, got, rec.lines[name+"|ansatte!navn"])
		}
	}
	rec.expect(t, map[string]string{
		"brev2.odt|":            "Fødselsnummer: 10048744732, mobil 912\u00a034\u00a0567",
		"omdøpt/brev2.odt.zip|": "Fødselsnummer: 10048744732",
		"foredrag.pptx|":        "Kunde: Kari Nørdmann",
	})
	if got := rec.values["foredrag.pptx|"]; !slices.Equal(got, []string{"Kunde: Kari Nørdmann", "fnr 10048744732", "tiende", "ring 912 34 567"}) {
		t.Errorf("pptx paragraphs, slides in their order, then the notes: %q", got)
	}
	if got := rec.values["prefikser.ods|Ark!fnr"]; !slices.Equal(got, []string{"10048744732"}) {
		t.Errorf("an ods whose writer chose other prefixes: %q (fields %q)", got, rec.fields["prefikser.ods"])
	}
	bomb := 0
	for k, v := range rec.values {
		if strings.HasPrefix(k, "bombe.ods|") {
			bomb += len(v)
		}
	}
	if bomb != maxRepeat*maxRepeat || len(rec.values["bombe.ods|A!fnr"]) != maxRepeat {
		t.Errorf("a cell repeated a billion times in a row repeated so: %d values, %d in its column; want %d and %d", bomb, len(rec.values["bombe.ods|A!fnr"]), maxRepeat*maxRepeat, maxRepeat)
	}
	for name, e := range rec.errs {
		t.Errorf("%s: %s", name, e)
	}
}

// A fødselsnummer kept in a number cell lost its leading zero
// (05058710050 became 5058710050): the value is marked numeric, so the
// scanner puts the zero back, in every spreadsheet format. The same ten
// digits typed as text are not marked. The fixtures are one CSV saved by
// LibreOffice as xlsx, xls and ods, its second column read as numbers and
// its third as text.
func TestSpreadsheetNumbersAreMarked(t *testing.T) {
	dir := t.TempDir()
	for _, ext := range []string{"xlsx", "xls", "ods"} {
		write(t, dir, "ledende-null."+ext, fixture(t, "ledende-null."+ext))
	}
	rec, _ := scanTree(t, dir, Options{})
	for _, ext := range []string{"xlsx", "xls", "ods"} {
		name := "ledende-null." + ext + "|lead!" // the sheet is named after the CSV
		for field, want := range map[string][]bool{"fødselsnummer": {true, true}, "som_tekst": {false, false}} {
			if got := rec.numeric[name+field]; !slices.Equal(got, want) {
				t.Errorf("%s%s %q: numeric %v, want %v", name, field, rec.values[name+field], got, want)
			}
		}
	}
}

// A cell's column from its reference.
func TestCellColumn(t *testing.T) {
	for ref, want := range map[string]int{"A1": 0, "B7": 1, "Z2": 25, "AA10": 26, "XFD1048576": 16383, "": -1, "A": -1, "12": -1, "ABCD1": -1} {
		got, ok := cellColumn(ref)
		if !ok {
			got = -1
		}
		if got != want {
			t.Errorf("%q: %d, want %d", ref, got, want)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
