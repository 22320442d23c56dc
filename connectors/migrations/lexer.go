package migrations

import (
	"bufio"
	"io"
	"regexp"
	"strings"
)

// mysqlHint finds what only MySQL writes: backticks, AUTO_INCREMENT, table
// options after the column list.
var mysqlHint = regexp.MustCompile("(?i)`|\\bauto_increment\\b|\\)\\s*(engine|(default\\s+)?charset)\\s*=")

type tokKind uint8

const (
	tWord   tokKind = iota + 1 // unquoted identifier or keyword
	tQuoted                    // "quoted" or `quoted` identifier (unescaped)
	tString                    // string literal or dollar-quoted body
	tNumber                    // numeric literal
	tPunct                     // one other character
)

type token struct {
	kind tokKind
	text string
	line int
}

// is reports whether t is the unquoted keyword kw (upper case).
func (t token) is(kw string) bool { return t.kind == tWord && strings.EqualFold(t.text, kw) }

// punct reports whether t is the punctuation character c.
func (t token) punct(c byte) bool { return t.kind == tPunct && len(t.text) == 1 && t.text[0] == c }

// ident reports whether t can name something (a table, a column).
func (t token) ident() bool { return t.kind == tWord || t.kind == tQuoted }

// maxStatementTokens bounds the tokens kept for one statement; the rest of
// a longer one is read but not kept (it is skipped or parsed truncated).
const maxStatementTokens = 1 << 16

// lexer splits SQL into statements of tokens, tracking the line of each
// token through comments, strings and dollar-quoted bodies. It reads from
// a buffered reader, so files of any size are streamed.
type lexer struct {
	r         *bufio.Reader
	err       error // a read error other than io.EOF
	line      int
	lineStart bool   // only blanks seen on the current line
	mysql     bool   // backslash escapes in strings, '#' comments
	delim     string // statement delimiter (the mysql client's DELIMITER)
	buf       []byte
}

func newLexer(r *bufio.Reader) *lexer {
	l := &lexer{r: r, line: 1, lineStart: true, delim: ";"}
	// Guess the dialect from the start of the file; a backtick or a
	// DELIMITER command later switches to MySQL too.
	if p, _ := r.Peek(64 << 10); len(p) > 0 && mysqlHint.Match(p) {
		l.mysql = true
	}
	return l
}

// statement appends the tokens of the next statement to buf. Statements
// that cannot define columns (not CREATE or ALTER) are read without
// keeping their tokens. eof is true when the input is exhausted.
func (l *lexer) statement(buf []token) (stmt []token, eof bool) {
	keep := true
	first := true
	for {
		t, end, eof := l.next(!keep)
		if eof || end {
			return buf, eof
		}
		if first {
			first = false
			if !t.is("CREATE") && !t.is("ALTER") {
				keep = false
			}
		}
		if keep {
			if len(buf) >= maxStatementTokens {
				keep = false
				continue
			}
			buf = append(buf, t)
		}
	}
}

func (l *lexer) peek() (byte, bool) {
	p, err := l.r.Peek(1)
	if err != nil {
		if err != io.EOF && l.err == nil {
			l.err = err
		}
		return 0, false
	}
	return p[0], true
}

// peek2 returns the byte after the next one, or 0.
func (l *lexer) peek2() byte {
	p, _ := l.r.Peek(2)
	if len(p) < 2 {
		return 0
	}
	return p[1]
}

func (l *lexer) read() (byte, bool) {
	b, err := l.r.ReadByte()
	if err != nil {
		if err != io.EOF && l.err == nil {
			l.err = err
		}
		return 0, false
	}
	if b == '\n' {
		l.line++
		l.lineStart = true
	}
	return b, true
}

func (l *lexer) hasPrefix(s string) bool {
	p, _ := l.r.Peek(len(s))
	return string(p) == s
}

func (l *lexer) skip(n int) {
	for range n {
		l.read()
	}
}

func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == '\v'
}

func isIdentStart(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_' || b >= 0x80
}

func isIdentChar(b byte) bool {
	return isIdentStart(b) || b >= '0' && b <= '9' || b == '$'
}

// next returns the next token; end is true at a statement delimiter, eof
// at the end of the input. With discard, token texts are not built.
func (l *lexer) next(discard bool) (t token, end, eof bool) {
	for {
		b, ok := l.peek()
		if !ok {
			return t, false, true
		}
		if isSpace(b) {
			l.read()
			continue
		}
		if l.delim != ";" && l.hasPrefix(l.delim) {
			l.skip(len(l.delim))
			return t, true, false
		}
		b2 := l.peek2()
		switch {
		case b == ';' && l.delim == ";":
			l.read()
			l.lineStart = false
			return t, true, false
		case b == '-' && b2 == '-':
			l.skipLine()
			continue
		case b == '/' && b2 == '*':
			l.skipBlockComment()
			continue
		case b == '#' && (l.mysql || l.lineStart && b2 != '>'):
			l.skipLine()
			continue
		}
		atLineStart := l.lineStart
		l.lineStart = false
		t.line = l.line
		switch {
		case b == '\'':
			l.read()
			t.kind, t.text = tString, l.quoted('\'', l.mysql, discard)
		case b == '"':
			l.read()
			t.kind, t.text = tQuoted, l.quoted('"', l.mysql, discard)
		case b == '`':
			l.read()
			l.mysql = true
			t.kind, t.text = tQuoted, l.quoted('`', false, discard)
		case b == '$' && l.dollarQuote():
			t.kind = tString
		case b >= '0' && b <= '9':
			l.buf = l.buf[:0]
			for {
				c, ok := l.peek()
				if !ok || !(isIdentChar(c) || c == '.') {
					break
				}
				l.read()
				l.buf = appendCapped(l.buf, c)
			}
			t.kind = tNumber
			if !discard {
				t.text = string(l.buf)
			}
		case isIdentStart(b):
			l.buf = l.buf[:0]
			for {
				c, ok := l.peek()
				if !ok || !isIdentChar(c) || l.delim != ";" && c == l.delim[0] && l.hasPrefix(l.delim) {
					break
				}
				l.read()
				l.buf = appendCapped(l.buf, c)
			}
			if len(l.buf) == 1 && (l.buf[0] == 'E' || l.buf[0] == 'e') {
				if c, _ := l.peek(); c == '\'' {
					l.read()
					t.kind, t.text = tString, l.quoted('\'', true, discard)
					return t, false, false
				}
			}
			if atLineStart && strings.EqualFold(string(l.buf), "DELIMITER") {
				if c, _ := l.peek(); c == ' ' || c == '\t' {
					l.delimiterCommand()
					return t, true, false
				}
			}
			t.kind = tWord
			if !discard {
				t.text = string(l.buf)
			}
		default:
			l.read()
			t.kind, t.text = tPunct, punctText[b&0x7f]
		}
		return t, false, false
	}
}

// maxTokenText bounds the text kept of one token (identifiers are at most
// 64 bytes in PostgreSQL and MySQL); the rest is read and dropped.
const maxTokenText = 4 << 10

func appendCapped(buf []byte, b ...byte) []byte {
	if room := maxTokenText - len(buf); len(b) > room {
		b = b[:max(room, 0)]
	}
	return append(buf, b...)
}

// punctText holds the one-character strings of punctuation tokens (by
// byte, non-ASCII bytes as themselves modulo 128: they never matter).
var punctText = func() (t [128]string) {
	for i := range t {
		t[i] = string(rune(i))
	}
	return t
}()

func (l *lexer) skipLine() {
	for {
		b, ok := l.read()
		if !ok || b == '\n' {
			return
		}
	}
}

// skipBlockComment skips a /* comment */, nested in PostgreSQL.
func (l *lexer) skipBlockComment() {
	l.skip(2)
	depth := 1
	for {
		b, ok := l.read()
		if !ok {
			return
		}
		switch {
		case b == '*' && l.peekIs('/'):
			l.read()
			if depth--; depth == 0 {
				return
			}
		case b == '/' && l.peekIs('*') && !l.mysql:
			l.read()
			depth++
		}
	}
}

func (l *lexer) peekIs(c byte) bool {
	b, ok := l.peek()
	return ok && b == c
}

// quoted reads up to the closing quote q (the opening one is read): a
// doubled q stands for itself, and with esc a backslash escapes the next
// byte. An unterminated literal runs to the end of the input.
func (l *lexer) quoted(q byte, esc, discard bool) string {
	l.buf = l.buf[:0]
	for {
		// Take the run of plain bytes up to the next quote, backslash or
		// newline in one go.
		if n := l.r.Buffered(); n > 0 {
			p, _ := l.r.Peek(n)
			i := 0
			for i < len(p) && p[i] != q && p[i] != '\\' && p[i] != '\n' {
				i++
			}
			if i > 0 {
				if !discard {
					l.buf = appendCapped(l.buf, p[:i]...)
				}
				l.r.Discard(i)
				continue
			}
		}
		b, ok := l.read()
		if !ok {
			break
		}
		if b == q {
			if l.peekIs(q) {
				l.read()
			} else {
				break
			}
		} else if b == '\\' && esc {
			c, ok := l.read()
			if !ok {
				break
			}
			b = c
		}
		if !discard {
			l.buf = appendCapped(l.buf, b)
		}
	}
	l.lineStart = false
	if discard {
		return ""
	}
	return string(l.buf)
}

// dollarQuote skips a PostgreSQL dollar-quoted body ($$ … $$ or
// $tag$ … $tag$) if one starts here, and reports whether it did. A '$'
// that starts no tag ($1) is left for the caller.
func (l *lexer) dollarQuote() bool {
	p, _ := l.r.Peek(65)
	if len(p) < 2 {
		return false
	}
	i := 1
	if p[1] != '$' {
		if !isIdentStart(p[1]) {
			return false
		}
		for i < len(p) && p[i] != '$' {
			if !isIdentChar(p[i]) {
				return false
			}
			i++
		}
		if i == len(p) {
			return false
		}
	}
	tag := string(p[:i+1])
	l.skip(len(tag))
	for {
		b, ok := l.read()
		if !ok {
			return true
		}
		if b == '$' && l.hasPrefix(tag[1:]) {
			l.skip(len(tag) - 1)
			l.lineStart = false
			return true
		}
	}
}

// delimiterCommand reads the rest of a mysql client "DELIMITER x" line
// and makes x the statement delimiter.
func (l *lexer) delimiterCommand() {
	l.buf = l.buf[:0]
	for {
		b, ok := l.peek()
		if !ok || b == '\n' {
			break
		}
		l.read()
		l.buf = append(l.buf, b)
	}
	if f := strings.Fields(string(l.buf)); len(f) > 0 && len(f[0]) <= 16 {
		l.delim = f[0]
	}
	l.mysql = true
}
