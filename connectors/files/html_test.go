package files

import (
	"io"
	"strings"
	"testing"
)

// The text of an HTML document as a browser shows it.
func TestHTMLText(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"entities", "<p>F&oslash;dselsnummer: 10048744732, mobil 912&nbsp;34&#160;567, Kj&#xE6;re</p>", "\nFødselsnummer: 10048744732, mobil 912\u00a034\u00a0567, Kjære\n"},
		{"a number split by markup", "fnr 1004874<b>4732</b>", "fnr 10048744732"},
		{"blocks are lines, cells tabs", "<table><tr><td>navn</td><td>Kari</td></tr><tr><td>fnr</td><td>10048744732</td></tr></table>", "\n\n\tnavn\tKari\n\n\tfnr\t10048744732\n\n"},
		{"script and style left out", "<style>p{x:1}</style><script>var fnr='23114048690'</script>ok", "ok"},
		{"a mailto link keeps its address", `skriv <a href="mailto:ola@online.no">her</a> eller ring <a href="TEL:+4791234567">oss</a>`, "skriv  mailto:ola@online.no her eller ring  TEL:+4791234567 oss"},
		{"comments left out", "a<!-- fnr 10048744732 -->b", "ab"},
		{"not closed", "<p>hei <b>10048744732", "\nhei 10048744732"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := io.ReadAll(newHTMLReader(strings.NewReader(tc.doc)))
			if got := string(b); err != nil || got != tc.want {
				t.Errorf("%q\n got  %q, %v\n want %q", tc.doc, got, err, tc.want)
			}
		})
	}
}

// A file of HTML, and one whose one text token is too long to hold: it is
// read from there on as it is, with an error, and nothing is lost.
func TestHTMLFile(t *testing.T) {
	recordLimit(t, 4096)
	dir := t.TempDir()
	write(t, dir, "rapport.html", []byte("<html><body><p>F&oslash;dselsnummer 1004874<b>4732</b></p></body></html>"))
	write(t, dir, "lang.htm", []byte("<p>før 23114048690</p><pre>"+strings.Repeat("fnr 10048744732 ", 1000)+"</pre><p>etter 10048745526</p>"))
	rec, _ := scanTree(t, dir, Options{})
	if !rec.has("rapport.html|", "Fødselsnummer 10048744732") || rec.kinds["rapport.html"] != "html" {
		t.Errorf("rapport.html (%q): %q", rec.kinds["rapport.html"], rec.text("rapport.html|"))
	}
	text := rec.text("lang.htm|")
	if n := strings.Count(text, "10048744732"); n != 1000 || !strings.Contains(text, "før 23114048690") || !strings.Contains(text, "10048745526") {
		t.Errorf("lang.htm: %d of 1000 in the long token, text from %q", n, text[:min(len(text), 60)])
	}
	if e := rec.errs["lang.htm"]; !strings.Contains(e, "read as text") {
		t.Errorf("lang.htm: error %q", e)
	}
}
