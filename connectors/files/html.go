package files

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"datakart/internal/pdftext"

	"golang.org/x/net/html"
)

// HTML (a saved page, an exported report, the HTML body of an e-mail) is
// read as the text a browser shows: tags dropped, entities decoded
// ("f&oslash;dselsnummer"), and a number split by markup joined
// ("1004874<b>4732</b>"). Read as it is, neither was found. Blocks
// (paragraphs, rows, list items) are lines and table cells are tabs;
// scripts and styles are left out; a link to mailto: or tel: keeps its
// address, which the text often does not show.

// htmlReader reads the text of an HTML document.
type htmlReader struct {
	z    *html.Tokenizer
	r    io.Reader // what z reads
	out  []byte    // text not yet read
	skip int       // inside script or style
	err  error
	// rest is the document from a token too long to hold on, read as
	// it is (markup and all) so that nothing in it is lost; tooLong says
	// so, for an error once the document is read.
	rest    io.Reader
	tooLong bool
}

// errHTMLTokenTooLong is the error of a document whose token ran past
// maxRecordBytes; the rest was read as it is.
var errHTMLTokenTooLong = fmt.Errorf("html: a piece of the document over %d MiB; from there it was read as text, markup and all", maxRecordBytes>>20)

func newHTMLReader(r io.Reader) *htmlReader {
	z := html.NewTokenizer(r)
	z.SetMaxBuf(maxRecordBytes)
	return &htmlReader{z: z, r: r}
}

// htmlBlocks are the elements that start and end a line.
var htmlBlocks = map[string]bool{
	"p": true, "div": true, "br": true, "tr": true, "li": true, "ul": true, "ol": true, "table": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "title": true, "pre": true,
	"blockquote": true, "section": true, "article": true, "header": true, "footer": true, "hr": true,
	"dt": true, "dd": true, "address": true, "form": true, "option": true, "caption": true,
}

func (h *htmlReader) Read(p []byte) (int, error) {
	for len(h.out) == 0 && h.err == nil && h.rest == nil {
		h.next()
	}
	if len(h.out) == 0 && h.rest != nil {
		return h.rest.Read(p)
	}
	n := copy(p, h.out)
	h.out = h.out[n:]
	if n == 0 && h.err != nil {
		return 0, h.err
	}
	return n, nil
}

func (h *htmlReader) next() {
	tt := h.z.Next()
	switch tt {
	case html.ErrorToken:
		err := h.z.Err()
		if errors.Is(err, html.ErrBufferExceeded) {
			// Nothing is lost: the long token and what follows, as text.
			h.rest = io.MultiReader(bytes.NewReader(bytes.Clone(h.z.Raw())), bytes.NewReader(bytes.Clone(h.z.Buffered())), h.r)
			h.tooLong = true
			return
		}
		h.err = err
	case html.TextToken:
		if h.skip == 0 {
			h.out = append(h.out, h.z.Text()...)
		}
	case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
		name, hasAttr := h.z.TagName()
		tag := string(name)
		switch {
		case tag == "script" || tag == "style":
			if tt == html.StartTagToken {
				h.skip++
			} else if tt == html.EndTagToken && h.skip > 0 {
				h.skip--
			}
		case htmlBlocks[tag]:
			h.out = append(h.out, '\n')
		case tag == "td" || tag == "th":
			if tt != html.EndTagToken {
				h.out = append(h.out, '\t')
			}
		case tag == "a" && hasAttr && tt != html.EndTagToken:
			for {
				key, val, more := h.z.TagAttr()
				if v := string(val); string(key) == "href" && pdftext.AddressLink(v) {
					h.out = append(append(append(h.out, ' '), v...), ' ')
				}
				if !more {
					break
				}
			}
		}
	}
}

// htmlText is text for an HTML document: it reads the text the document
// shows, and says where a token was too long.
func (d *decoder) htmlText(ctx context.Context, r io.Reader, line int) error {
	h := newHTMLReader(r)
	if err := d.text(ctx, h, line); err != nil {
		return err
	}
	if h.tooLong {
		return errHTMLTokenTooLong
	}
	return nil
}
