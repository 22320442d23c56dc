package rules

import (
	"strings"
	"unicode"
)

// Tokenize splits a column or field name into folded tokens: on anything
// that is not a letter or digit (snake_case, kebab-case, dots, "$.a[*].b",
// "Sheet1!col"), at camelCase humps ("customerEmail", "HTTPServer"), and
// between letters and digits ("address1", "cvv2"). Tokens are lower-cased
// and Norwegian letters folded (æ→ae, ø→o, å→a), then "oe"→"o" and "aa"→"a",
// so "fødselsnummer", "fodselsnummer" and "foedselsnummer" are one token.
func Tokenize(name string) []string {
	var toks []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			toks = append(toks, fold(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if len(cur) > 0 {
			prev := cur[len(cur)-1]
			switch {
			case unicode.IsDigit(r) != unicode.IsDigit(prev):
				flush()
			case unicode.IsUpper(r) && unicode.IsLower(prev):
				flush()
			case unicode.IsUpper(r) && unicode.IsUpper(prev) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
				flush() // "HTTPServer": the S starts a new word
			}
		}
		cur = append(cur, r)
	}
	flush()
	return toks
}

var norwegianFold = strings.NewReplacer("æ", "ae", "ø", "o", "å", "a", "ä", "a", "ö", "o", "é", "e", "ü", "u")
var digraphFold = strings.NewReplacer("oe", "o", "aa", "a")

func fold(s string) string {
	return digraphFold.Replace(norwegianFold.Replace(strings.ToLower(s)))
}
