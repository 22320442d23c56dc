package files

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"datakart/connectors"

	"golang.org/x/text/encoding/charmap"
)

// An RTF document is text with control words. Read as it is, the letters
// outside ASCII are escapes (f\u248\'3fdselsnummer), so context words
// and names are not found, and a fødselsnummer next to the word
// "kontonummer" was taken for an account number. rtfReader turns it into
// the text a reader sees: escapes decoded, control words dropped, and the
// groups that are not text (fonts, styles, pictures, embedded objects)
// skipped; the document's \info group (title, author) is text.

// rtfSkipped are the destinations whose content is not the document's
// text. A destination marked \* that is not known is skipped too, as the
// RTF specification asks of a reader.
var rtfSkipped = map[string]bool{
	"fonttbl": true, "colortbl": true, "stylesheet": true, "listtable": true,
	"listoverridetable": true, "revtbl": true, "rsidtbl": true, "pict": true,
	"object": true, "themedata": true, "colorschememapping": true,
	"datastore": true, "latentstyles": true, "xmlnstbl": true, "generator": true,
	"filetbl": true, "pgdsctbl": true, "mmathPr": true,
}

// rtfMaxDepth bounds the groups whose state is kept; deeper ones share
// the state of the last kept (a file of a million '{' is no document).
const rtfMaxDepth = 256

type rtfGroup struct {
	skip    bool
	objdata bool // an embedded object's data, in hex (see rtfObjects)
	uc      int  // the characters that stand in for each \u in this group
}

// rtfReader reads the text of an RTF document.
type rtfReader struct {
	br      *bufio.Reader
	out     []byte // decoded and not yet read
	groups  []rtfGroup
	depth   int // of groups, past rtfMaxDepth too
	skipRaw int // characters to skip after a \u
	err     error
	word    []byte
	objects rtfObjects
}

// rtfObjects collects the data of the objects embedded in an RTF document
// (an \objdata group: an OLE 1.0 object in hex, a spreadsheet or a file
// packaged into a letter), up to max bytes of them together (none where
// max is 0) and rtfMaxObjects of them.
type rtfObjects struct {
	max     int64
	data    [][]byte
	cur     []byte // the object being read
	half    int    // a hex digit waiting for its pair, or -1
	size    int64  // of data and cur
	over    int    // objects left out for the limits
	reading bool
}

const rtfMaxObjects = 100

// add adds the hex digit (or, raw, the byte) c to the object being read.
func (o *rtfObjects) add(c byte, raw bool) {
	if !o.reading {
		return
	}
	if o.size >= o.max {
		o.reading, o.cur = false, nil
		o.over++
		return
	}
	if raw {
		o.cur = append(o.cur, c)
		o.size++
		return
	}
	v, ok := hexDigit(c)
	switch {
	case !ok: // white space between the digits
	case o.half < 0:
		o.half = int(v)
	default:
		o.cur = append(o.cur, byte(o.half)<<4|v)
		o.half = -1
		o.size++
	}
}

// start begins an object, end ends it.
func (o *rtfObjects) start() {
	if o.max > 0 && len(o.data) < rtfMaxObjects {
		o.reading, o.cur, o.half = true, nil, -1
	} else if o.max > 0 {
		o.over++
	}
}

func (o *rtfObjects) end() {
	if o.reading && len(o.cur) > 0 {
		o.data = append(o.data, o.cur)
	}
	o.reading, o.cur = false, nil
}

func newRTFReader(r io.Reader) *rtfReader {
	return &rtfReader{br: bufio.NewReaderSize(r, 64<<10), groups: []rtfGroup{{uc: 1}}}
}

func (r *rtfReader) group() *rtfGroup { return &r.groups[len(r.groups)-1] }

func (r *rtfReader) Read(p []byte) (int, error) {
	for len(r.out) < len(p) && r.err == nil {
		r.step()
	}
	n := copy(p, r.out)
	r.out = r.out[:copy(r.out, r.out[n:])]
	if n == 0 && r.err != nil {
		if errors.Is(r.err, io.EOF) {
			return 0, io.EOF
		}
		return 0, r.err
	}
	return n, nil
}

// step reads one token of the document.
func (r *rtfReader) step() {
	c, err := r.br.ReadByte()
	if err != nil {
		r.err = err
		return
	}
	switch c {
	case '{':
		r.depth++
		if r.depth < rtfMaxDepth {
			r.groups = append(r.groups, *r.group())
		}
	case '}':
		if r.depth > 0 {
			if r.depth < rtfMaxDepth {
				if r.group().objdata && !r.groups[len(r.groups)-2].objdata {
					r.objects.end()
				}
				r.groups = r.groups[:len(r.groups)-1]
			}
			r.depth--
		}
	case '\\':
		r.control()
	case '\r', '\n':
	default:
		if r.group().objdata {
			r.objects.add(c, false)
			return
		}
		r.char(rune(c), true) // 8-bit text is in the code page, as \'hh is
	}
}

// char writes a character of the text, unless it stands in for the
// \u before it or its group is skipped; raw is a byte in the code page.
func (r *rtfReader) char(c rune, raw bool) {
	if r.skipRaw > 0 {
		r.skipRaw--
		return
	}
	if r.group().skip {
		return
	}
	if raw && c >= 0x80 {
		c = charmap.Windows1252.DecodeByte(byte(c))
	}
	r.out = utf8.AppendRune(r.out, c)
}

// control reads a control word or symbol after its backslash.
func (r *rtfReader) control() {
	c, err := r.br.ReadByte()
	if err != nil {
		r.err = err
		return
	}
	switch {
	case c == '\'':
		var h [2]byte
		if _, err := io.ReadFull(r.br, h[:]); err != nil {
			r.err = err
			return
		}
		if v, ok := hexByte(h[0], h[1]); ok {
			r.char(rune(v), true)
		}
		return
	case c == '*':
		r.group().skip = true // an optional destination this reader does not know
		return
	case c == '~':
		r.char('\u00a0', false)
		return
	case c == '_':
		r.char('-', false)
		return
	case c == '\\' || c == '{' || c == '}':
		r.char(rune(c), false)
		return
	case c == '\r' || c == '\n':
		r.char('\n', false) // the same as \par
		return
	case !isLetter(c):
		return // other control symbols (\- \: \|) are not text
	}
	// A control word: letters, an optional signed number, an optional
	// space that belongs to it.
	r.word = append(r.word[:0], c)
	for {
		c, err := r.br.ReadByte()
		if err != nil {
			break
		}
		if !isLetter(c) {
			r.br.UnreadByte()
			break
		}
		if len(r.word) < 32 {
			r.word = append(r.word, c)
		}
	}
	n, hasN := r.number()
	if c, err := r.br.ReadByte(); err == nil && c != ' ' {
		r.br.UnreadByte()
	}
	r.word1(string(r.word), n, hasN)
}

// number reads a control word's parameter.
func (r *rtfReader) number() (int, bool) {
	neg, n, digits := false, 0, 0
	if c, err := r.br.ReadByte(); err == nil {
		if c == '-' {
			neg = true
		} else {
			r.br.UnreadByte()
		}
	}
	for {
		c, err := r.br.ReadByte()
		if err != nil {
			break
		}
		if !isDigit(c) {
			r.br.UnreadByte()
			break
		}
		if digits < 10 {
			n = n*10 + int(c-'0')
		}
		digits++
	}
	if neg {
		n = -n
	}
	return n, digits > 0
}

// word1 acts on a control word.
func (r *rtfReader) word1(w string, n int, hasN bool) {
	switch w {
	case "par", "line", "row", "sect", "page":
		r.char('\n', false)
	case "tab", "cell":
		r.char('\t', false)
	case "emdash":
		r.char('—', false)
	case "endash":
		r.char('–', false)
	case "lquote", "rquote":
		r.char('\'', false)
	case "ldblquote", "rdblquote":
		r.char('"', false)
	case "bullet":
		r.char('•', false)
	case "uc":
		if hasN && n >= 0 && n < 16 {
			r.group().uc = n
		}
	case "u":
		if !hasN {
			return
		}
		if n < 0 {
			n += 0x10000 // RTF writes a rune over 32767 as a negative number
		}
		r.char(rune(n), false)
		r.skipRaw = r.group().uc
	case "bin":
		// Binary data of n bytes: an object's in an \objdata group, else
		// skipped whatever it holds.
		if !hasN || n <= 0 {
			return
		}
		if !r.group().objdata {
			if _, err := r.br.Discard(n); err != nil {
				r.err = err
			}
			return
		}
		for range n {
			c, err := r.br.ReadByte()
			if err != nil {
				r.err = err
				return
			}
			r.objects.add(c, true)
		}
	case "objdata":
		r.group().skip = true
		if r.depth < rtfMaxDepth && len(r.groups) > 1 && !r.group().objdata {
			r.group().objdata = true
			r.objects.start()
		}
	case "fldinst":
		// A field's instruction is marked \* but holds text a reader
		// meets: HYPERLINK "mailto:ola@online.no". It is read unless the
		// group around it is skipped.
		if len(r.groups) >= 2 && !r.groups[len(r.groups)-2].skip {
			r.group().skip = false
		}
	default:
		if rtfSkipped[w] {
			r.group().skip = true
		}
	}
}

func hexByte(a, b byte) (byte, bool) {
	x, ok1 := hexDigit(a)
	y, ok2 := hexDigit(b)
	return x<<4 | y, ok1 && ok2
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case isDigit(c):
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
func isLetter(c byte) bool { return (c|0x20)-'a' < 26 }

// readRTFObjects reads the objects embedded in the RTF document at part as
// its members: a file packaged as it is under its own name
// ("brev.rtf!kunder.csv"), another object (a workbook, a document) as the
// file its native data is ("brev.rtf!object-2").
func (d *decoder) readRTFObjects(ctx context.Context, objects *rtfObjects, part string, depth int) error {
	for i, b := range objects.data {
		member := joinPart(part, fmt.Sprintf("object-%d", i+1))
		class, native, ok := ole1Object(b)
		var name string
		var data []byte
		var err error
		switch {
		case !ok:
			err = errors.New("not an OLE 1.0 object")
		case class == "Package":
			if name, data, err = parseOle10Native(native); err == nil {
				member = joinPart(part, name)
			}
		default:
			if data, _, ok = cutCounted(native, 1); !ok {
				err = errors.New("corrupt OLE 1.0 object")
			}
			name = fmt.Sprintf("object-%d", i+1)
		}
		if skip, stop := d.skipMember(member, i+1); stop {
			return nil
		} else if skip || d.tooDeep(member, "ole", depth+1) {
			continue
		}
		if err != nil {
			d.objectFailed(member, "ole package", err)
			continue
		}
		if err := d.decode(ctx, &budgetReader{bytes.NewReader(data), d}, name, member, depth+1); err != nil {
			return err
		}
	}
	if objects.over > 0 {
		d.sink.Begin(connectors.Part{Path: part, Kind: "rtf"})
		d.sink.PartError(fmt.Errorf("rtf: %d embedded objects past %d of them or %d bytes (--max-member-bytes) were not read", objects.over, rtfMaxObjects, d.opt.MaxMemberBytes))
	}
	return nil
}
