package detectors

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The two-byte look before comparing words never turns a word away, in
// any case, at the end of the text too.
func TestMayStartNeverMissesAWord(t *testing.T) {
	words := map[string][]string{
		"a": {"fødselsnummer", "f.nr", "d-nr", "Tlf", "tel:", "ØKONOMI", "x", "kid nummer", "e-post"},
	}
	ws := newContextWords(words)["a"]
	for _, w := range words["a"] {
		r, n := utf8.DecodeRuneInString(w)
		for _, v := range []string{w, strings.ToUpper(w), strings.ToLower(w), string(unicode.ToUpper(r)) + w[n:]} {
			for _, text := range []string{v, "see " + v, v + " 12345678"} {
				i := strings.Index(text, v)
				if !ws.mayStart([]byte(text), i) || !ws.startsAt([]byte(text), i) {
					t.Errorf("%q in %q: mayStart %v, startsAt %v", v, text, ws.mayStart([]byte(text), i), ws.startsAt([]byte(text), i))
				}
			}
		}
	}
}
