package migrations

import "strings"

// token is one lexical token of SQL with the line it starts on.
type token struct {
	kind tokenKind
	text string // identifiers unquoted; keywords as written
	line int
}

type tokenKind int

const (
	tWord   tokenKind = iota // keyword or unquoted identifier
	tQuoted                  // "identifier" or `identifier`
	tString                  // a string literal (contents dropped)
	tNumber
	tPunct // one character: ( ) , ; . [ ] and others
)

// upper is the token's text upper-cased, for keyword comparisons.
func (t token) is(kw string) bool { return t.kind == tWord && strings.EqualFold(t.text, kw) }

// lex splits SQL into statements of tokens, dropping comments (--, #,
// /* */), string literals (their contents), and dollar-quoted bodies
// ($$…$$, $tag$…$tag$) whole, so nothing inside them can look like a
// statement. Lines are counted through all of it.
func lex(src string) [][]token {
	var stmts [][]token
	var cur []token
	line := 1
	i, n := 0, len(src)
	emit := func(t token) { cur = append(cur, t) }
	for i < n {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			i++
		case c == '-' && i+1 < n && src[i+1] == '-', c == '#':
			for i < n && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < n && src[i+1] == '*':
			i += 2
			for i < n && !(src[i] == '*' && i+1 < n && src[i+1] == '/') {
				if src[i] == '\n' {
					line++
				}
				i++
			}
			i = min(i+2, n)
		case c == '\'' || ((c == 'E' || c == 'e') && i+1 < n && src[i+1] == '\''):
			start := line
			if c != '\'' {
				i++ // the E of E'…'
			}
			i++
			for i < n {
				if src[i] == '\n' {
					line++
				}
				if src[i] == '\\' && i+1 < n {
					// MySQL and E'' strings escape with a backslash.
					if src[i+1] == '\n' {
						line++
					}
					i += 2
					continue
				}
				if src[i] == '\'' {
					if i+1 < n && src[i+1] == '\'' {
						i += 2
						continue
					}
					i++
					break
				}
				i++
			}
			emit(token{tString, "", start})
		case c == '"' || c == '`':
			start := line
			q := c
			i++
			var b strings.Builder
			for i < n {
				if src[i] == q {
					if i+1 < n && src[i+1] == q {
						b.WriteByte(q)
						i += 2
						continue
					}
					i++
					break
				}
				if src[i] == '\n' {
					line++
				}
				b.WriteByte(src[i])
				i++
			}
			emit(token{tQuoted, b.String(), start})
		case c == '$' && dollarTag(src, i) != "":
			tag := dollarTag(src, i)
			i += len(tag)
			end := strings.Index(src[i:], tag)
			body := src[i:]
			if end >= 0 {
				body = src[i : i+end]
				i += end + len(tag)
			} else {
				i = n
			}
			line += strings.Count(body, "\n")
			emit(token{tString, "", line})
		case isWordStart(c):
			j := i
			for j < n && isWordByte(src[j]) {
				j++
			}
			emit(token{tWord, src[i:j], line})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < n && (src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				j++
			}
			emit(token{tNumber, src[i:j], line})
			i = j
		case c == ';':
			if len(cur) > 0 {
				stmts = append(stmts, cur)
			}
			cur = nil
			i++
		default:
			emit(token{tPunct, src[i : i+1], line})
			i++
		}
	}
	if len(cur) > 0 {
		stmts = append(stmts, cur)
	}
	return stmts
}

// dollarTag returns the dollar-quote opener at src[i] ("$$", "$body$"), or
// "".
func dollarTag(src string, i int) string {
	j := i + 1
	for j < len(src) && (isWordByte(src[j]) && !(src[j] >= '0' && src[j] <= '9' && j == i+1)) {
		j++
	}
	if j < len(src) && src[j] == '$' {
		return src[i : j+1]
	}
	return ""
}

func isWordStart(c byte) bool {
	return c == '_' || (c|0x20) >= 'a' && (c|0x20) <= 'z' || c >= 0x80
}

func isWordByte(c byte) bool {
	return isWordStart(c) || c >= '0' && c <= '9' || c == '$'
}
