package files

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"golang.org/x/net/html"

	"datakart/connectors"
	"datakart/connectors/jsonvalues"
	"datakart/internal/intern"
)

// XML (SAF-T accounting exports, A-melding payroll reports, EHF invoices,
// ISO 20022 payment files) is read as JSON is: the text of each element,
// and each attribute, is a value of its path,
// "/melding/Leveranse/oppgave/inntektsmottaker/norskIdentifikator" or
// "/Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/Cdtr/Nm", so a value is
// reported where it stands and an element's name counts as a column's
// does. Namespace prefixes are dropped. The tokenizer is xmlScanner: it
// never fails on malformed input, so nothing after a mistake is lost, and
// it expands no entity but the predefined ones and character references:
// no DTD is read, so neither a billion laughs nor an external entity can
// be.

// maxXMLDepth bounds the elements a path names; deeper ones count as the
// deepest, as JSON nested too deep is read on.
const maxXMLDepth = 256

// errXMLTokenTooLong is the error of a document with a piece too long to
// hold; the rest was read as text.
var errXMLTokenTooLong = fmt.Errorf("xml: a piece of the document over %d MiB; from there it was read as text, markup and all", maxRecordBytes>>20)

// readXML hands the text of each element and attribute of the XML in r,
// whose first line is line, to the sink as values of their paths.
func (d *decoder) readXML(ctx context.Context, r io.Reader, line int) error {
	z := newXMLScanner(r)
	var p xmlPath
	var attr []byte
	var text []byte
	textLine := line
	value := func(field string, data []byte, at int) error {
		if len(bytes.TrimSpace(data)) == 0 {
			return nil
		}
		return d.sink.Value(connectors.Value{Field: field, Data: data, Line: at})
	}
	flush := func() error {
		err := value(p.String(), text, textLine)
		text = text[:0]
		return err
	}
	for n := 0; ; n++ {
		if n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		tt := z.Next()
		raw := z.Raw()
		at := line
		line += bytes.Count(raw, []byte{'\n'})
		var err error
		switch tt {
		case html.ErrorToken:
			if err := flush(); err != nil {
				return err
			}
			zerr := z.Err()
			switch {
			case errors.Is(zerr, io.EOF):
				return nil
			case errors.Is(zerr, html.ErrBufferExceeded):
				// Nothing is lost: the long piece and what follows, as text.
				if err := d.text(ctx, z.Rest(), at); err != nil {
					return err
				}
				return errXMLTokenTooLong
			}
			return zerr
		case html.TextToken:
			if len(text) == 0 {
				textLine = at
			}
			text = append(text, z.Text()...)
			if len(text) > maxRecordBytes {
				// Text and CDATA sections one after another, with no tag
				// between: handed on in pieces, as a long line is.
				cut := safeCut(text)
				if err = value(p.String(), text[:cut], textLine); err != nil {
					return err
				}
				textLine += bytes.Count(text[:cut], []byte{'\n'})
				text = text[:copy(text, text[cut:])]
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			if err = flush(); err != nil {
				return err
			}
			p.push(xmlName(raw))
			err = eachAttr(raw, func(key, val []byte) error {
				// Lower-cased, as x/net/html's tokenizer gave attributes
				// when it read XML here: the fields keep their names.
				for i, c := range key {
					if c-'A' < 26 {
						key[i] = c | 0x20
					}
				}
				return value(p.below([]byte("/@"), localName(key)), expandXMLText(&attr, val), at)
			})
			if tt == html.SelfClosingTagToken {
				p.pop()
			}
		case html.EndTagToken:
			err = flush()
			p.pop()
		case html.CommentToken:
			// "<?xml …?>" and other processing instructions are comments
			// to the tokenizer: they are markup, not text.
			if !bytes.HasPrefix(raw, []byte("<?")) {
				if err = flush(); err == nil {
					err = value(p.below([]byte("/#comment")), z.Text(), at)
				}
			}
		}
		if err != nil {
			return err
		}
	}
}

// xmlName is the name of the element whose start tag is raw.
func xmlName(raw []byte) []byte {
	for i, c := range raw[1:] {
		if c == ' ' || c == '>' || c == '/' || c == '\t' || c == '\n' || c == '\r' {
			return raw[1 : i+1]
		}
	}
	return raw[1:]
}

// localName drops a namespace prefix ("cbc:EndpointID"); a name that
// looks like data (an element named by an id, as a CSV header cell may
// be) is "*", so that no report prints it.
func localName(name []byte) []byte {
	if name = localTagName(name); jsonvalues.DataLike(name) {
		return []byte("*")
	}
	return name
}

// xmlPath is the path of the element being read, "/a/b/c", kept as bytes
// and turned into a string once per distinct path: a document repeats a
// few hundred paths millions of times.
type xmlPath struct {
	buf []byte
	// levels are the elements in buf, and past them those that were there
	// last: the next sibling of an element most often has its path, which
	// is then taken from its level without a lookup.
	levels []xmlLevel
	depth  int // of levels in buf
	deep   int // elements past maxXMLDepth, not in buf
	names  intern.Strings
}

type xmlLevel struct {
	end  int    // where its part of buf ends
	path string // buf[:end]
}

func (p *xmlPath) push(name []byte) {
	if p.depth == maxXMLDepth {
		p.deep++
		return
	}
	p.buf = append(append(p.buf, '/'), localName(name)...)
	if p.depth == len(p.levels) {
		p.levels = append(p.levels, xmlLevel{})
	}
	l := &p.levels[p.depth]
	p.depth++
	l.end = len(p.buf)
	if l.path != string(p.buf) {
		l.path = p.names.Of(p.buf)
	}
}

// pop ends the innermost element. A document whose end tags do not match
// its start tags ends one element at each all the same: its paths may be
// off, but no text is lost.
func (p *xmlPath) pop() {
	switch {
	case p.deep > 0:
		p.deep--
	case p.depth > 0:
		p.depth--
		p.buf = p.buf[:p.end()]
	}
}

func (p *xmlPath) end() int {
	if p.depth == 0 {
		return 0
	}
	return p.levels[p.depth-1].end
}

// String is the path.
func (p *xmlPath) String() string {
	if p.depth == 0 {
		return "/"
	}
	return p.levels[p.depth-1].path
}

// below is the path of something below the element: "/@id", "/#comment".
func (p *xmlPath) below(more ...[]byte) string {
	b := p.buf
	for _, m := range more {
		b = append(b, m...)
	}
	p.buf = b[:p.end()] // keep what append grew
	return p.names.Of(b)
}
