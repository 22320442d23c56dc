package files

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// xmlScanner splits XML into tokens: tags, read off their raw bytes, and
// text. It reads every XML datakart reads but HTML's: the sheets and
// shared strings of a workbook, the text of Word, PowerPoint and
// OpenDocument files, and XML files. It is x/net/html's tokenizer cut
// down to what XML holds. That one reads a byte at a time and copies each
// tag's name and attributes, and encoding/xml is slower still: a sheet's
// cells went through at 40 MB/s, a Word document's paragraphs at 23.
// This one looks for the next '<' or '>' with bytes.IndexByte, and copies
// nothing but text with a reference or a carriage return in it.
//
// It is as forgiving: malformed input is read on, a '<' that starts no
// tag is text, and CDATA is text. Comments and processing instructions
// are html.CommentToken, a declaration (<!DOCTYPE …>) html.DoctypeToken.
// Where it differs, it reads as XML is read: a processing instruction
// ends at "?>", no element's content is raw text (as HTML's <script> and
// <title> are), and a text's named references but XML's five are left as
// written, as no DTD is read.
type xmlScanner struct {
	r   io.Reader
	buf []byte
	// buf[pos:end] is read and not yet tokenized.
	pos, end int
	eof      bool  // r has no more
	readErr  error // r's error, other than io.EOF
	err      error // the error of an ErrorToken

	raw     []byte // the current token, as written
	text    []byte // a text token's text, its references expanded
	scratch []byte
}

// xmlScanBuffer is the size of the scanner's first buffer; it grows to
// hold a longer tag, up to maxRecordBytes. A longer text is handed on in
// pieces of this size.
const xmlScanBuffer = 64 << 10

func newXMLScanner(r io.Reader) *xmlScanner {
	return &xmlScanner{r: r, buf: make([]byte, textPiece())}
}

// textPiece is the most of a long text one token holds.
func textPiece() int { return min(xmlScanBuffer, maxRecordBytes) }

// Raw is the current token as written. It and Text are valid until Next.
func (s *xmlScanner) Raw() []byte { return s.raw }

// Text is the current text token's text, references expanded and line
// ends made "\n"; or a comment's, as written.
func (s *xmlScanner) Text() []byte { return s.text }

// Rest reads what the scanner has not made a token of, from the token
// that ended it with html.ErrBufferExceeded on, then the rest of the input.
func (s *xmlScanner) Rest() io.Reader {
	return io.MultiReader(bytes.NewReader(s.buf[s.pos:s.end]), s.r)
}

// Err is the error of an html.ErrorToken: io.EOF at the end of the input,
// html.ErrBufferExceeded for a tag over maxRecordBytes, or the reader's.
func (s *xmlScanner) Err() error { return s.err }

// fill reads more input into buf, after what is left of it, and reports
// whether it read any. It grows buf when what is left fills it, up to
// maxRecordBytes.
func (s *xmlScanner) fill() bool {
	if s.eof {
		return false
	}
	if s.pos > 0 {
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.pos = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= maxRecordBytes {
			return false
		}
		s.buf = append(s.buf, make([]byte, min(len(s.buf), maxRecordBytes-len(s.buf)))...)
	}
	for range 100 { // io.Reader may return 0, nil now and then
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.eof = true
			if !errors.Is(err, io.EOF) {
				s.readErr = err
			}
		}
		if n > 0 || s.eof {
			return n > 0
		}
	}
	s.eof, s.readErr = true, io.ErrNoProgress
	return false
}

// Next reads the next token.
func (s *xmlScanner) Next() html.TokenType {
	s.raw, s.text = nil, nil
	for {
		if s.pos == s.end && !s.fill() {
			s.err = io.EOF
			if s.readErr != nil {
				s.err = s.readErr
			}
			return html.ErrorToken
		}
		b := s.buf[s.pos:s.end]
		if b[0] != '<' {
			return s.textToken()
		}
		n, tt := markup(b)
		switch {
		case n > 0:
			s.raw = b[:n]
			s.pos += n
			switch {
			case tt == html.TextToken: // CDATA
				s.text = b[len("<![CDATA[") : n-len("]]>")]
			case bytes.HasPrefix(s.raw, []byte("<!--")):
				s.text = s.raw[len("<!--") : n-len("-->")]
			case s.raw[1] == '?': // as x/net/html, from the '?'
				s.text = s.raw[1 : n-1]
			case tt == html.CommentToken: // "</ …>"
				s.text = s.raw[2 : n-1]
			}
			return tt
		case n == 0: // a '<' that starts no markup
			return s.textToken()
		}
		// The markup goes on past what is read.
		if !s.fill() {
			if s.eof {
				// Cut off by the end of the input: what is left is text,
				// as x/net/html reads it.
				return s.textToken()
			}
			s.err = html.ErrBufferExceeded
			return html.ErrorToken
		}
	}
}

// markup returns the length of the markup that b starts with, which
// begins with '<', and its kind: a tag; html.CommentToken for a comment,
// a processing instruction or what x/net/html reads as a comment
// ("</ …>"); html.DoctypeToken for a declaration; html.TextToken for
// CDATA. It returns 0 where the '<' starts no markup, and -1 where b ends
// before the markup does.
func markup(b []byte) (int, html.TokenType) {
	if len(b) < 2 {
		return -1, 0
	}
	switch c := b[1]; {
	case isTagNameStart(c):
		n, selfClosing := tagEnd(b, 1)
		if selfClosing {
			return n, html.SelfClosingTagToken
		}
		return n, html.StartTagToken
	case c == '/':
		if len(b) < 3 {
			return -1, 0
		}
		if isTagNameStart(b[2]) {
			n, _ := tagEnd(b, 2)
			return n, html.EndTagToken
		}
		return until(b, 2, ">"), html.CommentToken // "</>", "</ …>"
	case c == '?':
		return until(b, 2, "?>"), html.CommentToken
	case c == '!':
		for _, open := range []string{"<!--", "<![CDATA["} {
			if len(b) < len(open) && bytes.HasPrefix([]byte(open), b) {
				return -1, 0 // too short to tell
			}
		}
		switch {
		case bytes.HasPrefix(b, []byte("<!--")):
			return until(b, 4, "-->"), html.CommentToken
		case bytes.HasPrefix(b, []byte("<![CDATA[")):
			return until(b, 9, "]]>"), html.TextToken
		}
		return until(b, 2, ">"), html.DoctypeToken
	}
	return 0, 0
}

func isTagNameStart(c byte) bool { return isLetter(c) || c == '_' }

// until returns the length of b up to the end of the first close at or
// after b[from], or -1.
func until(b []byte, from int, close string) int {
	i := bytes.Index(b[from:], []byte(close))
	if i < 0 {
		return -1
	}
	return from + i + len(close)
}

// tagEnd returns the length of the tag b starts with, its name at
// b[from], through its '>', and whether it ends "/>"; or -1. A '>' in a
// quoted attribute value does not end it.
func tagEnd(b []byte, from int) (int, bool) {
	for i := from; i < len(b); i++ {
		switch b[i] {
		case '>':
			return i + 1, b[i-1] == '/'
		case '=':
			j := i + 1
			for j < len(b) && isTagSpace(b[j]) {
				j++
			}
			if j < len(b) && (b[j] == '"' || b[j] == '\'') {
				k := bytes.IndexByte(b[j+1:], b[j])
				if k < 0 {
					return -1, false
				}
				i = j + 1 + k // the closing quote
			} else {
				i = j - 1 // an unquoted value, or none
			}
		}
	}
	return -1, false
}

// textToken makes a text token of buf[pos:] up to the next '<' after its
// first byte. A text that goes on past what is read is handed on in
// pieces, cut where no reference or line end is.
func (s *xmlScanner) textToken() html.TokenType {
	for {
		b := s.buf[s.pos:s.end]
		n := bytes.IndexByte(b[1:], '<') + 1
		if n == 0 {
			n = len(b)
			if !s.eof {
				if cut := textCut(b); cut > 0 && len(b) >= textPiece() {
					n = cut
				} else if s.fill() || s.eof {
					continue
				}
				// Else buf is full and cannot grow: all of it.
			}
		}
		s.raw = b[:n]
		s.pos += n
		s.text = expandXMLText(&s.scratch, s.raw)
		return html.TextToken
	}
}

// textCut is where a piece of a text may end: before a reference that
// may not be whole, and not between "\r" and "\n"; 0 when none is.
func textCut(b []byte) int {
	n := len(b)
	if i := bytes.LastIndexByte(b, '&'); i >= 0 && bytes.IndexByte(b[i:], ';') < 0 {
		n = i
	}
	if n > 0 && b[n-1] == '\r' {
		n--
	}
	return n
}

// expandXMLText returns b with its references expanded and its line ends
// made "\n", in *buf, or b itself where it has neither.
func expandXMLText(buf *[]byte, b []byte) []byte {
	if bytes.IndexByte(b, '&') < 0 && bytes.IndexByte(b, '\r') < 0 {
		return b
	}
	*buf = unescapeXMLText((*buf)[:0], b)
	return *buf
}

// unescapeXMLText appends b to dst with XML's five named references and
// the character references expanded, and "\r\n" and "\r" made "\n". An
// invalid character reference is U+FFFD, as in x/net/html; any other
// '&' stays as it is.
func unescapeXMLText(dst, b []byte) []byte {
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch c {
		case '\r':
			dst = append(dst, '\n')
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			continue
		case '&':
			if r, n := xmlReference(b[i:]); n > 0 {
				dst = utf8.AppendRune(dst, r)
				i += n - 1
				continue
			}
		}
		dst = append(dst, c)
	}
	return dst
}

// xmlReference reads the reference b starts with, "&amp;" or "&#233;",
// and returns its character and length, or a length of 0.
func xmlReference(b []byte) (rune, int) {
	end := bytes.IndexByte(b, ';')
	if end < 2 || end > 12 {
		return 0, 0
	}
	name := b[1:end]
	if name[0] != '#' {
		for _, e := range [...]struct {
			name string
			r    rune
		}{{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}} {
			if string(name) == e.name {
				return e.r, end + 1
			}
		}
		return 0, 0
	}
	digits, base := name[1:], 10
	if len(digits) > 0 && digits[0]|0x20 == 'x' {
		digits, base = digits[1:], 16
	}
	v, err := strconv.ParseUint(string(digits), base, 32)
	if err != nil {
		return 0, 0
	}
	if v == 0 || v > utf8.MaxRune || (v >= 0xD800 && v <= 0xDFFF) {
		return utf8.RuneError, end + 1
	}
	return rune(v), end + 1
}

// lowerLocalName appends to dst the local name of the tag raw, lower-cased;
// a name longer than dst's capacity comes back as it is in raw.
func lowerLocalName(dst, raw []byte) []byte {
	return lowerName(dst, localTagName(tagName(raw)))
}

// lowerName appends name to dst, lower-cased; a name longer than dst's
// capacity comes back as it is.
func lowerName(dst, name []byte) []byte {
	if len(name) > cap(dst) {
		return name
	}
	for _, c := range name {
		if c-'A' < 26 {
			c |= 0x20
		}
		dst = append(dst, c)
	}
	return dst
}

// tagName is the name of the tag raw: "x:Row" of "<x:Row …>", "c" of "</c>".
func tagName(raw []byte) []byte {
	if len(raw) > 1 && raw[1] == '/' {
		raw = raw[1:]
	}
	return xmlName(raw)
}

// localTagName drops a name's namespace prefix.
func localTagName(name []byte) []byte {
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// eachAttr calls fn with the key and the value, as written but for its
// quotes, of each attribute of the start tag raw, read as x/net/html reads
// them: a value quoted with ' or " may hold '>' and spaces, one without
// quotes ends at a space, and a key without '=' has no value. It stops at
// fn's error, and returns it.
func eachAttr(raw []byte, fn func(key, val []byte) error) error {
	i := 1
	for i < len(raw) && !isTagSpace(raw[i]) && raw[i] != '/' && raw[i] != '>' {
		i++ // the tag's name
	}
	for {
		for i < len(raw) && (isTagSpace(raw[i]) || raw[i] == '/') {
			i++
		}
		if i >= len(raw) || raw[i] == '>' {
			return nil
		}
		k := i
		for i++; i < len(raw) && !isTagSpace(raw[i]) && raw[i] != '/' && raw[i] != '>' && raw[i] != '='; i++ {
		}
		key := raw[k:i]
		for i < len(raw) && isTagSpace(raw[i]) {
			i++
		}
		if i >= len(raw) || raw[i] != '=' {
			if err := fn(key, nil); err != nil {
				return err
			}
			continue
		}
		for i++; i < len(raw) && isTagSpace(raw[i]); i++ {
		}
		var val []byte
		if i < len(raw) && (raw[i] == '"' || raw[i] == '\'') {
			q := raw[i]
			v := i + 1
			for i = v; i < len(raw) && raw[i] != q; i++ {
			}
			val = raw[v:i]
			if i < len(raw) {
				i++
			}
		} else {
			v := i
			for i < len(raw) && !isTagSpace(raw[i]) && raw[i] != '>' {
				i++
			}
			val = raw[v:i]
		}
		if err := fn(key, val); err != nil {
			return err
		}
	}
}

func isTagSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
