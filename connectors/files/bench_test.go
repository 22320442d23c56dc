package files

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"datakart/connectors"
)

// discard is a sink that keeps nothing: what a decoder costs, without
// the detectors.
type discard struct{ values int }

func (*discard) Begin(connectors.Part)              {}
func (*discard) Fields(...string)                   {}
func (*discard) FieldInfo(string, string, int)      {}
func (s *discard) Value(connectors.Value) error     { s.values++; return nil }
func (*discard) PartError(error)                    {}
func (*discard) PartSkipped(string)                 {}
func (*discard) Sampled(int64, string)              {}
func (*discard) Paced(time.Duration, time.Duration) {}

// BenchmarkDecode reads the formats of a share's personal data, each of
// 20,000 records of an employee, into a sink that keeps nothing. The MB/s
// are of what the decoder parses: a workbook's sheet XML, a document's
// XML, the file itself for the rest.
func BenchmarkDecode(b *testing.B) {
	const n = 20000
	var sheet, shared, para, saft, csv, ndjson, ods, page strings.Builder
	sheet.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	shared.WriteString(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	para.WriteString(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	saft.WriteString(`<?xml version="1.0" encoding="UTF-8"?><AuditFile xmlns="urn:StandardAuditFile-Taxation-Financial:NO"><MasterFiles><Customers>`)
	csv.WriteString("id;navn;fnr;mobil;epost\n")
	ods.WriteString(`<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="Ansatte">`)
	cell := func(v string) string {
		return `<table:table-cell office:value-type="string"><text:p>` + v + `</text:p></table:table-cell>`
	}
	run := func(t string) string {
		return `<w:r w:rsidR="00A12B34"><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri"/><w:sz w:val="22"/><w:lang w:val="nb-NO"/></w:rPr><w:t xml:space="preserve">` + t + `</w:t></w:r>`
	}
	for i := range n {
		name, fnr, mobile := fmt.Sprintf("Kari Nordmann %d", i), "10048744732", fmt.Sprintf("4%07d", i)
		mail := fmt.Sprintf("kari.nordmann%d@firma.no", i)
		fmt.Fprintf(&sheet, `<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d" t="s"><v>%d</v></c><c r="C%d" t="inlineStr"><is><t>%s</t></is></c><c r="D%d" t="s"><v>%d</v></c><c r="E%d"><v>%s</v></c></row>`,
			i+1, i+1, 10000+i, i+1, 2*i, i+1, fnr, i+1, 2*i+1, i+1, mobile)
		fmt.Fprintf(&shared, `<si><t>%s</t></si><si><t>%s</t></si>`, name, mail)
		fmt.Fprintf(&para, `<w:p><w:pPr><w:pStyle w:val="Normal"/></w:pPr>%s%s%s</w:p>`, run("Ansatt "+name+", "), run("fødselsnummer "+fnr+", mobil "+mobile), run(", e-post "+mail+"."))
		fmt.Fprintf(&saft, `<Customer><RegistrationNumber>%s</RegistrationNumber><Name>%s</Name><Contact><Telephone>%s</Telephone><Email>%s</Email></Contact><CustomerID>K%d</CustomerID></Customer>`, fnr, name, mobile, mail, i)
		fmt.Fprintf(&csv, "%d;%s;%s;%s;%s\n", i, name, fnr, mobile, mail)
		fmt.Fprintf(&ods, `<table:table-row table:style-name="ro1"><table:table-cell office:value-type="float" office:value="%d"><text:p>%d</text:p></table:table-cell>%s%s%s%s<table:table-cell table:number-columns-repeated="3"/></table:table-row>`,
			10000+i, 10000+i, cell(name), cell(fnr), cell(mobile), cell(mail))
		fmt.Fprintf(&page, `<tr class="rad"><td style="padding:4px;border-bottom:1px solid #ddd"><span style="font-weight:bold">%s</span></td><td style="padding:4px">%s</td><td style="padding:4px"><a href="tel:%s">%s</a></td><td style="padding:4px"><a href="mailto:%s">%s</a></td></tr>`+"\n",
			name, fnr, mobile, mobile, mail, mail)
		fmt.Fprintf(&ndjson, `{"id":%d,"navn":%q,"fnr":%q,"kontakt":{"mobil":%q,"epost":%q}}`+"\n", i, name, fnr, mobile, mail)
	}
	sheet.WriteString(`</sheetData></worksheet>`)
	shared.WriteString(`</sst>`)
	para.WriteString(`</w:body></w:document>`)
	saft.WriteString(`</Customers></MasterFiles></AuditFile>`)
	ods.WriteString(`</table:table></office:spreadsheet></office:body></office:document-content>`)
	xlsx := zipOf(b, map[string][]byte{
		"[Content_Types].xml":        []byte(`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`),
		"xl/workbook.xml":            []byte(`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Ansatte" sheetId="1" r:id="rId1"/></sheets></workbook>`),
		"xl/_rels/workbook.xml.rels": []byte(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>`),
		"xl/worksheets/sheet1.xml":   []byte(sheet.String()),
		"xl/sharedStrings.xml":       []byte(shared.String()),
	})
	docx := zipOf(b, map[string][]byte{
		"[Content_Types].xml": []byte(`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`),
		"word/document.xml":   []byte(para.String()),
	})
	for _, c := range []struct {
		name, file string
		data       []byte
		parsed     int
	}{
		{"xlsx", "ansatte.xlsx", xlsx, sheet.Len() + shared.Len()},
		{"docx", "ansatte.docx", docx, para.Len()},
		{"ods", "ansatte.ods", zipOf(b, map[string][]byte{"mimetype": []byte("application/vnd.oasis.opendocument.spreadsheet"), "content.xml": []byte(ods.String())}), ods.Len()},
		{"xml", "saft.xml", []byte(saft.String()), saft.Len()},
		{"html", "ansatte.html", []byte("<html><head><style>td{color:#333}</style></head><body><table>" + page.String() + "</table></body></html>"), page.Len()},
		{"csv", "ansatte.csv", []byte(csv.String()), csv.Len()},
		{"ndjson", "ansatte.ndjson", []byte(ndjson.String()), ndjson.Len()},
	} {
		b.Run(c.name, func(b *testing.B) {
			opt := Options{MaxArchiveDepth: 2, MaxArchiveEntries: 100, MaxExpandedBytes: 1 << 30, MaxMemberBytes: 256 << 20}
			var sink discard
			b.SetBytes(int64(c.parsed))
			b.ReportAllocs()
			for b.Loop() {
				d := &decoder{opt: &opt, sink: &sink, budget: opt.MaxExpandedBytes}
				if err := d.decode(context.Background(), bytes.NewReader(c.data), c.file, "", 0); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(sink.values)/float64(b.N), "values/op")
		})
	}
}
