package files

import (
	"slices"
	"strings"
	"testing"
)

// xlsxOf is a workbook of the given sheets' XML, with shared strings.
func xlsxOf(t *testing.T, shared string, sheets ...[2]string) []byte {
	wb := `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>`
	rels := `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`
	parts := map[string][]byte{"xl/sharedStrings.xml": []byte(shared)}
	for i, s := range sheets {
		id := "rId" + string(rune('1'+i))
		wb += `<sheet name="` + s[0] + `" sheetId="` + string(rune('1'+i)) + `" r:id="` + id + `"/>`
		rels += `<Relationship Id="` + id + `" Target="worksheets/sheet` + string(rune('1'+i)) + `.xml"/>`
		parts["xl/worksheets/sheet"+string(rune('1'+i))+".xml"] = []byte(s[1])
	}
	parts["xl/workbook.xml"] = []byte(wb + `</sheets></workbook>`)
	parts["xl/_rels/workbook.xml.rels"] = []byte(rels + `</Relationships>`)
	parts["[Content_Types].xml"] = []byte(`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`)
	return zipOf(t, parts)
}

// The ways writers other than Excel write a sheet: a namespace prefix, a
// cell's type before its reference, no references, inline strings, rich
// text with a phonetic reading, truth values, a row longer than the
// header, sheets in the workbook's order.
func TestXLSXStream(t *testing.T) {
	shared := `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
		`<si><t>Navn</t></si><si><t>Fødselsnummer</t></si><si><t>E-post</t></si>` +
		`<si><r><t>Kari </t></r><r><rPr><b/></rPr><t>Nordmann</t></r><rPh><t>カリ</t></rPh></si>` +
		`<si><t>kari@firma.no &amp; ola@firma.no</t></si></sst>`
	kunder := `<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>` +
		`<x:row r="2"><x:c t="s" r="A2"><x:v>0</x:v></x:c><x:c r="B2" t="s"><x:v>1</x:v></x:c><x:c r="C2" t="s"><x:v>2</x:v></x:c></x:row>` +
		`<x:row r="3"><x:c r="A3" t="s"><x:v>3</x:v></x:c><x:c r="B3"><x:v>5058710050</x:v></x:c><x:c r="C3" t="s"><x:v>4</x:v></x:c><x:c r="E3" t="inlineStr"><x:is><x:t>ekstra 23114048690</x:t></x:is></x:c></x:row>` +
		`<x:row><x:c t="inlineStr"><x:is><x:t>Ola</x:t></x:is></x:c><x:c t="str"><x:f>A1</x:f><x:v>10048744732</x:v></x:c><x:c t="b"><x:v>1</x:v></x:c></x:row>` +
		`</x:sheetData></x:worksheet>`
	tom := `<worksheet><sheetData/></worksheet>`
	dir := t.TempDir()
	write(t, dir, "kunder.xlsx", xlsxOf(t, shared, [2]string{"Kunder", kunder}, [2]string{"Tom", tom}))
	rec, _ := scanTree(t, dir, Options{})
	for field, want := range map[string][]string{
		"Kunder!Navn":          {"Kari Nordmann", "Ola"},
		"Kunder!Fødselsnummer": {"5058710050", "10048744732"},
		"Kunder!E-post":        {"kari@firma.no & ola@firma.no"}, // not the truth value below it
		"Kunder!column_5":      {"ekstra 23114048690"},
	} {
		if got := rec.values["kunder.xlsx|"+field]; !slices.Equal(got, want) {
			t.Errorf("%s: %q (fields %v, errors %v)", field, got, rec.fields, rec.errs)
		}
	}
	if got := rec.numeric["kunder.xlsx|Kunder!Fødselsnummer"]; !slices.Equal(got, []bool{true, false}) {
		t.Errorf("numeric: %v", got)
	}
	if got := rec.lines["kunder.xlsx|Kunder!Navn"]; !slices.Equal(got, []int{3, 4}) {
		t.Errorf("rows: %v", got)
	}
	if len(rec.errs) != 0 {
		t.Errorf("errors: %v", rec.errs)
	}
}

// Shared strings are held: past --max-member-bytes of them the rest are
// not read, the limit is recorded, and the sheets' other cells are.
func TestXLSXSharedStringsBound(t *testing.T) {
	var shared strings.Builder
	shared.WriteString(`<sst>`)
	for range 200 {
		shared.WriteString(`<si><t>` + strings.Repeat("x", 100) + `</t></si>`)
	}
	shared.WriteString(`</sst>`)
	sheet := `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>fnr</t></is></c></row>` +
		`<row r="2"><c r="A2"><v>10048744732</v></c></row></sheetData></worksheet>`
	dir := t.TempDir()
	write(t, dir, "stor.xlsx", xlsxOf(t, shared.String(), [2]string{"Ark", sheet}))
	rec, _ := scanTree(t, dir, Options{MaxMemberBytes: 4096})
	if !slices.Equal(rec.values["stor.xlsx|Ark!fnr"], []string{"10048744732"}) || !strings.Contains(rec.errs["stor.xlsx"], "shared strings") {
		t.Errorf("values %v, errors %v", rec.values, rec.errs)
	}
}

// A workbook whose list of sheets is broken: its sheets are read by
// their parts' names, and the error says so.
func TestXLSXBrokenWorkbook(t *testing.T) {
	sheet := `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>fnr</t></is></c></row>` +
		`<row r="2"><c r="A2"><v>10048744732</v></c></row></sheetData></worksheet>`
	dir := t.TempDir()
	write(t, dir, "brutt.xlsx", zipOf(t, map[string][]byte{
		"[Content_Types].xml":      []byte(`<Types><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`),
		"xl/workbook.xml":          []byte("<not xml"),
		"xl/worksheets/sheet1.xml": []byte(sheet),
	}))
	rec, _ := scanTree(t, dir, Options{})
	if !slices.Equal(rec.values["brutt.xlsx|sheet1!fnr"], []string{"10048744732"}) || !strings.Contains(rec.errs["brutt.xlsx"], "read by their parts' names") {
		t.Errorf("values %v, errors %v", rec.values, rec.errs)
	}
}

// A row of more cells than a sheet has columns is not held whole: the
// cells past column XFD are not read.
func TestXLSXRowBound(t *testing.T) {
	var row strings.Builder
	row.WriteString(`<row r="2">`)
	for range maxColumns + 100 {
		row.WriteString(`<c t="inlineStr"><is><t>x</t></is></c>`)
	}
	row.WriteString(`</row>`)
	sheet := `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>` + row.String() + `</sheetData></worksheet>`
	dir := t.TempDir()
	write(t, dir, "bred.xlsx", xlsxOf(t, `<sst/>`, [2]string{"Ark", sheet}))
	rec, _ := scanTree(t, dir, Options{})
	n := 0
	for _, v := range rec.values {
		n += len(v)
	}
	if n != maxColumns || len(rec.errs) != 0 {
		t.Errorf("%d values, errors %v", n, rec.errs)
	}
}
