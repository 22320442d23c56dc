package files

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// An A-melding, an ISO 20022 payment and a SAF-T export: each value is
// read as a value of its element's path, attributes too, with namespace
// prefixes dropped and entities decoded; comments are read, declarations
// are not.
func TestXML(t *testing.T) {
	amelding := `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE melding [<!ENTITY lol "lol">]>
<melding xmlns="urn:ske:fastsetting:innsamling:a-meldingen:v2_0">
  <Leveranse>
    <oppgave>
      <virksomhet>
        <norskIdentifikator>974760673</norskIdentifikator>
        <inntektsmottaker>
          <norskIdentifikator>10048744732</norskIdentifikator>
          <identifiserendeInformasjon><navn>Kari Nordmann &amp; Co</navn></identifiserendeInformasjon>
        </inntektsmottaker>
        <inntektsmottaker>
          <norskIdentifikator>23114048690</norskIdentifikator>
        </inntektsmottaker>
      </virksomhet>
    </oppgave>
  </Leveranse>
  <!-- kontakt: lonn@firma.no -->
</melding>
`
	pain := `<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn><PmtInf>` +
		`<CdtTrfTxInf><Cdtr><Nm>Ola Nordmann</Nm></Cdtr><CdtrAcct><Id><IBAN>NO9386011117947</IBAN></Id></CdtrAcct>` +
		`<RmtInf><Ustrd><![CDATA[lønn <november>]]></Ustrd></RmtInf><Amt><InstdAmt Ccy="NOK">12450.00</InstdAmt></Amt></CdtTrfTxInf>` +
		`</PmtInf></CstmrCdtTrfInitn></Document>`
	dir := t.TempDir()
	write(t, dir, "amelding.xml", []byte(amelding))
	write(t, dir, "betaling", []byte(pain)) // known by its declaration
	write(t, dir, "saft.xml", []byte(`<n1:AuditFile xmlns:n1="urn:StandardAuditFile-Taxation-Financial:NO"><n1:Customer><n1:Contact n1:Email="post@kunde.no" Telephone="+47 912 34 567"/></n1:Customer><n1:_12345678>data-like</n1:_12345678></n1:AuditFile>`))
	write(t, dir, "side.xhtml", []byte(`<?xml version="1.0"?><html><body><p>fnr 10048744732</p></body></html>`))
	write(t, dir, "brutt.xml", []byte(`<a><b>10048744732</c></a><d>23114048690`))
	rec, _ := scanTree(t, dir, Options{})
	for key, want := range map[string][]string{
		"amelding.xml|/melding/Leveranse/oppgave/virksomhet/norskIdentifikator":                               {"974760673"},
		"amelding.xml|/melding/Leveranse/oppgave/virksomhet/inntektsmottaker/norskIdentifikator":              {"10048744732", "23114048690"},
		"amelding.xml|/melding/Leveranse/oppgave/virksomhet/inntektsmottaker/identifiserendeInformasjon/navn": {"Kari Nordmann & Co"},
		"amelding.xml|/melding/#comment":                                           {" kontakt: lonn@firma.no "},
		"betaling|/Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/Cdtr/Nm":           {"Ola Nordmann"},
		"betaling|/Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/CdtrAcct/Id/IBAN":  {"NO9386011117947"},
		"betaling|/Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/RmtInf/Ustrd":      {"lønn <november>"},
		"betaling|/Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/Amt/InstdAmt/@ccy": {"NOK"},
		"saft.xml|/AuditFile/Customer/Contact/@email":                              {"post@kunde.no"},
		"saft.xml|/AuditFile/Customer/Contact/@telephone":                          {"+47 912 34 567"},
		"saft.xml|/AuditFile/*":                                                    {"data-like"},
		"brutt.xml|/a/b":                                                           {"10048744732"},
	} {
		if got := rec.values[key]; !slices.Equal(got, want) {
			t.Errorf("%s: %q", key, got)
		}
	}
	if !rec.has("brutt.xml|/a", "23114048690") && !rec.has("brutt.xml|/a/d", "23114048690") && !rec.has("brutt.xml|/d", "23114048690") {
		t.Errorf("after a mismatched end tag: %v", rec.values)
	}
	if rec.kinds["amelding.xml"] != "xml" || rec.kinds["betaling"] != "xml" || rec.kinds["side.xhtml"] != "html" {
		t.Errorf("kinds: %v", rec.kinds)
	}
	if got := rec.lines["amelding.xml|/melding/Leveranse/oppgave/virksomhet/inntektsmottaker/norskIdentifikator"]; !slices.Equal(got, []int{9, 13}) {
		t.Errorf("lines %v", got)
	}
	for k := range rec.values {
		if strings.Contains(k, "lol") || strings.Contains(k, "?xml") {
			t.Errorf("markup read as a value: %s", k)
		}
	}
	if len(rec.errs) != 0 {
		t.Errorf("errors: %v", rec.errs)
	}
}

// A text over the record limit is read in pieces, under its path; a tag
// over it makes the rest text, with an error. Nothing is lost.
func TestXMLTooLong(t *testing.T) {
	recordLimit(t, 4096)
	dir := t.TempDir()
	write(t, dir, "lang.xml", []byte("<a><b>10048744732</b><c>"+strings.Repeat("x ", 5000)+"</c><d>23114048690</d></a>"))
	write(t, dir, "lang-tagg.xml", []byte("<a><b>10048744732</b><c x='"+strings.Repeat("x ", 5000)+"'/><d>23114048690</d></a>"))
	rec, _ := scanTree(t, dir, Options{})
	if !slices.Equal(rec.values["lang.xml|/a/b"], []string{"10048744732"}) || !slices.Equal(rec.values["lang.xml|/a/d"], []string{"23114048690"}) ||
		strings.Count(strings.Join(rec.values["lang.xml|/a/c"], ""), "x") != 5000 || rec.errs["lang.xml"] != "" {
		t.Errorf("a long text: values %v, errors %v", rec.values, rec.errs)
	}
	if !slices.Equal(rec.values["lang-tagg.xml|/a/b"], []string{"10048744732"}) || !rec.has("lang-tagg.xml|", "23114048690") || !strings.Contains(rec.errs["lang-tagg.xml"], "read as text") {
		t.Errorf("a long tag: values %v, errors %v", rec.values, rec.errs)
	}
}

// CDATA sections one after another hold no tag between them: their text
// is handed on in pieces, not held whole.
func TestXMLLongText(t *testing.T) {
	recordLimit(t, 4096)
	dir := t.TempDir()
	write(t, dir, "cdata.xml", []byte("<a>"+strings.Repeat("<![CDATA[tekst ]]>", 2000)+"<![CDATA[fnr 10048744732]]></a>"))
	rec, _ := scanTree(t, dir, Options{})
	got := rec.values["cdata.xml|/a"]
	if len(got) < 3 || !rec.has("cdata.xml|/a", "10048744732") {
		t.Fatalf("%d values, errors %v", len(got), rec.errs)
	}
	for _, v := range got {
		if len(v) > 2*4096 {
			t.Errorf("a value of %d bytes", len(v))
		}
	}
}

// Elements that HTML reads as raw text (script, style, title, textarea,
// plaintext) are elements like any other in XML: what follows them keeps
// its path. Read by x/net/html's tokenizer, the rest of the document after
// a <plaintext> was the text of that element.
func TestXMLElementsHTMLReadsAsRawText(t *testing.T) {
	dir := t.TempDir()
	var doc strings.Builder
	doc.WriteString("<kunder>")
	for _, name := range []string{"plaintext", "script", "style", "title", "textarea", "xmp", "noscript"} {
		fmt.Fprintf(&doc, "<kunde><%s>a &amp; b</%s><fnr>10048744732</fnr></kunde>", name, name)
	}
	doc.WriteString("</kunder>")
	write(t, dir, "kunder.xml", []byte(doc.String()))
	rec, _ := scanTree(t, dir, Options{})
	if got := rec.values["kunder.xml|/kunder/kunde/fnr"]; len(got) != 7 {
		t.Errorf("fnr under its path %d times of 7: %v", len(got), rec.values)
	}
	if got := rec.values["kunder.xml|/kunder/kunde/script"]; !slices.Equal(got, []string{"a & b"}) {
		t.Errorf("script: %q", got)
	}
}
