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
	z *html.Tokenizer
	r io.Reader // what z reads
	// out[read:] is the text not yet read. out is emptied when it has all
	// been read, not cut from the front, which left each append no room
	// and made it copy the text into a new buffer: 44 allocations a row
	// of a table, most of the time an HTML page took.
	out  []byte
	read int
	skip int // inside script or style
	err  error
	name [16]byte // a tag's name, lower-cased
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
	if h.read == len(h.out) {
		h.out, h.read = h.out[:0], 0
	}
	for len(h.out) == 0 && h.err == nil && h.rest == nil {
		h.next()
	}
	if len(h.out) == 0 && h.rest != nil {
		return h.rest.Read(p)
	}
	n := copy(p, h.out[h.read:])
	h.read += n
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
		// Off the raw tag: TagName copies the name of every tag.
		tag := lowerName(h.name[:0], tagName(h.z.Raw()))
		switch string(tag) {
		case "script", "style":
			if tt == html.StartTagToken {
				h.skip++
			} else if tt == html.EndTagToken && h.skip > 0 {
				h.skip--
			}
		case "td", "th":
			if tt != html.EndTagToken {
				h.out = append(h.out, '\t')
			}
		case "a":
			if tt == html.EndTagToken {
				break
			}
			for {
				key, val, more := h.z.TagAttr()
				if v := string(val); string(key) == "href" && pdftext.AddressLink(v) {
					h.out = append(append(append(h.out, ' '), v...), ' ')
				}
				if !more {
					break
				}
			}
		default:
			if htmlBlocks[string(tag)] {
				h.out = append(h.out, '\n')
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
