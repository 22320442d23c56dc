// Package pdftext is the child process that reads the text of PDFs for
// the file connector (see connectors/files/pdf.go): this same program,
// started with Env set to the bytes of memory it may use. It reads PDFs
// one after another from stdin, each a frame of its length and its
// bytes, and writes the text of each on stdout in frames, ending with a
// frame of its code. It is apart from the connector because it shares
// nothing with it: the child reads no file, scans nothing, and must not
// grow what it does past reading PDFs.
//
// A child starts in about 18 ms, most of it the other packages' init
// functions, which Go runs before this one's (the phone number metadata
// alone takes 7 ms): many times what reading a payslip takes, so one
// child reads many.
package pdftext

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"datakart/internal/childlimit"
	"datakart/internal/frame"

	"github.com/ledongthuc/pdf"
)

// Env names the variable that makes this program a PDF child; its value is
// the memory limit in bytes.
const Env = "DATAKART_PDF_CHILD"

// MaxBytes is the largest PDF a child reads; a larger one is refused with
// ExitTooLarge.
const MaxBytes = 64 << 20

// maxPages bounds the pages read; those past it are not.
const maxPages = 10000

// The codes of a PDF the child could not read, in its end frame; a child
// that ends with its own code (and not 0, after its input ended) crashed.
const (
	ExitEncrypted = 10
	ExitMalformed = 11
	ExitTooLarge  = 12
)

// The frames (see internal/frame): the parent writes a FramePDF with a
// PDF's bytes; the child answers with FrameText frames of its text, then
// a FrameEnd with the PDF's code (0: read) in place of a length.
const (
	FramePDF  = 'b'
	FrameText = 't'
	FrameEnd  = 'e'
	// FrameFile is a file attached to the PDF, after its text: a byte
	// that is 1 where the file was left out for its size (FileTooLarge),
	// else 0, the name's length (2 bytes), the name, and the file.
	FrameFile = 'f'
)

// The files attached to one PDF that a child hands over: at most
// MaxFiles of them, and MaxBytes of their bytes together; one past that
// is named, and left out.
const (
	MaxFiles     = 100
	FileTooLarge = 1
	// FilesLeftOut marks the frame, after the files, whose name is how
	// many more were attached (in decimal) than MaxFiles.
	FilesLeftOut = 2
)

// maxFileNodes bounds the nodes of the name tree and the annotations
// visited for a PDF's files.
const maxFileNodes = 10000

func init() {
	childlimit.Serve(Env, serve)
}

// serve reads the PDFs framed in in and writes their text, framed, to
// out, using at most memory bytes. It returns 0 when in ends, or the code
// of a PDF it could not read: the reader may have panicked halfway, so
// the child does not read another.
func serve(in io.Reader, out io.Writer, memory uint64) int {
	requests := &frame.Reader{R: bufio.NewReader(in)}
	bw := bufio.NewWriterSize(out, 64<<10)
	text := bufio.NewWriterSize(frame.Writer{W: bw, Type: FrameText}, 32<<10)
	for {
		typ, size, err := requests.Header()
		if err != nil {
			return 0 // the parent is done
		}
		code := ExitTooLarge
		if size <= MaxBytes {
			code = ExitMalformed
			if b, err := requests.Body(size, MaxBytes); err == nil && typ == FramePDF {
				code = run(b, text, bw)
			}
		}
		err = text.Flush()
		if err == nil {
			err = frame.Write(bw, FrameEnd, uint32(code), nil)
		}
		if err == nil {
			err = bw.Flush()
		}
		switch {
		case code != 0:
			return code
		case err != nil:
			return ExitMalformed // the parent has gone
		}
	}
}

// run writes the text of the PDF b to w, a form feed and a line break
// after each page (the parent tells pages without text by it), then the
// files attached to it to out, and returns its code.
func run(b []byte, w, out *bufio.Writer) (code int) {
	defer func() {
		// The reader panics on some malformed input.
		if recover() != nil {
			code = ExitMalformed
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil && strings.Contains(err.Error(), "missing %%EOF") {
		// Bytes after the end (an attachment padded to a block, as Outlook
		// keeps some): the reader looks for %%EOF in the last few bytes
		// only, where Acrobat looks in the last 1024.
		if i := bytes.LastIndex(b[max(0, len(b)-1024-5):], []byte("%%EOF")); i >= 0 {
			b = b[:max(0, len(b)-1024-5)+i+5]
			r, err = pdf.NewReader(bytes.NewReader(b), int64(len(b)))
		}
	}
	// A user password, or an encryption the reader does not know
	// ("unsupported PDF: encryption version V=5").
	if errors.Is(err, pdf.ErrInvalidPassword) || err != nil && strings.Contains(err.Error(), "encryption") {
		return ExitEncrypted
	}
	if err != nil {
		return ExitMalformed
	}
	var annotated []pdf.Value // file attachment annotations
	for i := 1; i <= min(r.NumPage(), maxPages); i++ {
		page := r.Page(i)
		pageText(page, w)
		linkText(page, w)
		w.WriteString("\f\n")
		annots := page.V.Key("Annots")
		for j := range min(annots.Len(), maxLinks) {
			if a := annots.Index(j); a.Key("Subtype").Name() == "FileAttachment" && len(annotated) < maxFileNodes {
				annotated = append(annotated, a.Key("FS"))
			}
		}
	}
	if err := w.Flush(); err != nil {
		return ExitMalformed
	}
	a := attachments{out: out, left: MaxBytes}
	a.nameTree(r.Trailer().Key("Root").Key("Names").Key("EmbeddedFiles"), 0)
	for _, fs := range annotated {
		a.file(fs)
	}
	if a.leftOut > 0 {
		a.write(FilesLeftOut, strconv.Itoa(a.leftOut), nil)
	}
	return 0
}

// attachments writes the files attached to a PDF as FrameFile frames.
type attachments struct {
	out     *bufio.Writer
	files   int
	leftOut int // files past MaxFiles
	nodes   int // visited, of maxFileNodes
	left    int // of MaxBytes
}

// nameTree writes the files of the name tree at v (the catalog's
// EmbeddedFiles: pairs of a name and a file specification, in its Names
// or below its Kids), depth levels down.
func (a *attachments) nameTree(v pdf.Value, depth int) {
	if depth > 32 || a.nodes >= maxFileNodes {
		return
	}
	a.nodes++
	names := v.Key("Names")
	for i := 1; i < names.Len() && a.nodes < maxFileNodes; i += 2 {
		a.file(names.Index(i))
	}
	kids := v.Key("Kids")
	for i := range kids.Len() {
		if a.nodes >= maxFileNodes {
			return
		}
		a.nameTree(kids.Index(i), depth+1)
	}
}

// file writes the file of the file specification fs: its embedded file
// stream (EF) and its name, the Unicode one (UF) where it has one. Past
// MaxFiles, it counts it.
func (a *attachments) file(fs pdf.Value) {
	a.nodes++
	stream := fs.Key("EF").Key("F")
	if stream.Kind() != pdf.Stream {
		return
	}
	if a.files >= MaxFiles {
		a.leftOut++
		return
	}
	name := fs.Key("UF").Text()
	if name == "" {
		name = fs.Key("F").Text()
	}
	name = name[:min(len(name), 1024)]
	a.files++
	rc := stream.Reader()
	data, err := io.ReadAll(io.LimitReader(rc, int64(a.left)+1))
	rc.Close()
	if err != nil {
		return
	}
	flag := byte(0)
	if len(data) > a.left {
		flag, data = FileTooLarge, nil
	}
	a.left -= len(data)
	a.write(flag, name, data)
}

// write writes a FrameFile frame: the flag, the name after its length,
// and data.
func (a *attachments) write(flag byte, name string, data []byte) {
	head := append(binary.LittleEndian.AppendUint16([]byte{flag}, uint16(len(name))), name...)
	frame.Write(a.out, FrameFile, uint32(len(head)+len(data)), append(head, data...))
}

// pageText writes the text of page p, with a space where the text moves
// on along its line past a gap, and a line break where it moves to
// another line. Where the text moves is worked out from the operators
// that place it and the widths of the glyphs shown, whatever text object
// they are in: a word processor writes each run of a line as a text
// object of its own (LibreOffice puts a bold "49199" after "180441" so),
// and the reader's own GetPlainText glued runs together, or broke them
// apart, where the page shows them side by side.
func pageText(p pdf.Page, w *bufio.Writer) {
	content := p.V.Key("Contents")
	if p.V.IsNull() || content.Kind() == pdf.Null {
		return
	}
	fonts := map[string]*pageFont{} // by resource name
	var (
		font       *pageFont
		size       = 1.0 // Tf's size
		leading    = 0.0
		tm, tlm    = identity, identity // the text matrix, and that of the line
		lastY      = 0.0
		lastEnd    = 0.0 // where the last text shown ended along its line
		shown      = false
		lastSpace  = true // the last rune written is a space: none is added
		emSize     = 1.0  // the font size on the page
		pendingGap = false
	)
	// place decides, before text is shown at tm, what stands between it
	// and the text before.
	place := func() {
		emSize = math.Abs(size * tm[3])
		if emSize == 0 {
			emSize = math.Abs(size)
		}
		x, y := tm[4], tm[5]
		switch {
		case !shown:
		case math.Abs(y-lastY) > emSize/2:
			w.WriteByte('\n')
			lastSpace = true
		case x-lastEnd > emSize*0.15 || x < lastEnd-emSize:
			pendingGap = true // a space, unless the text brings its own
		}
	}
	show := func(raw string) {
		if raw == "" {
			return
		}
		place()
		text := raw
		if font != nil && font.enc != nil {
			text = font.enc.Decode(raw)
		}
		if pendingGap && !lastSpace && !startsWithSpace(text) {
			w.WriteByte(' ')
		}
		pendingGap = false
		w.WriteString(text)
		if r, _ := utf8.DecodeLastRuneInString(text); text != "" {
			lastSpace = unicode.IsSpace(r)
		}
		advance := 0.0 // in thousandths of the font size
		if font != nil && len(font.widths) > 0 {
			for i := 0; i < len(raw); i++ {
				advance += font.width(int(raw[i]))
			}
		} else {
			advance = 500 * float64(utf8.RuneCountInString(text)) // an average glyph
		}
		tm = translate(advance/1000*size, 0, tm)
		lastY, lastEnd, shown = tm[5], tm[4], true
	}
	var args []pdf.Value
	pdf.Interpret(content, func(stk *pdf.Stack, op string) {
		n := stk.Len()
		args = slices.Grow(args[:0], n)[:n]
		for i := n - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		switch op {
		case "BT":
			tm, tlm = identity, identity
		case "TL":
			if len(args) == 1 {
				leading = args[0].Float64()
			}
		case "TD", "Td":
			if len(args) == 2 {
				if op == "TD" {
					leading = -args[1].Float64()
				}
				tlm = translate(args[0].Float64(), args[1].Float64(), tlm)
				tm = tlm
			}
		case "T*":
			tlm = translate(0, -leading, tlm)
			tm = tlm
		case "Tm":
			if len(args) == 6 {
				for i := range tm {
					tm[i] = args[i].Float64()
				}
				tlm = tm
			}
		case "Tf":
			if len(args) == 2 {
				name := args[0].Name()
				f, ok := fonts[name]
				if !ok {
					f = newPageFont(p.Font(name))
					fonts[name] = f
				}
				font, size = f, args[1].Float64()
			}
		case "'", "\"":
			tlm = translate(0, -leading, tlm)
			tm = tlm
			if len(args) > 0 {
				show(args[len(args)-1].RawString())
			}
		case "Tj":
			if len(args) == 1 {
				show(args[0].RawString())
			}
		case "TJ":
			if len(args) != 1 {
				return
			}
			for i := range args[0].Len() {
				switch x := args[0].Index(i); x.Kind() {
				case pdf.String:
					show(x.RawString())
				case pdf.Integer, pdf.Real:
					tm = translate(-x.Float64()/1000*size, 0, tm)
				}
			}
		}
	})
}

// maxLinks bounds the links of a page that are looked at.
const maxLinks = 10000

// linkText writes the addresses of the page's links (AddressLink), one
// to a line.
func linkText(p pdf.Page, w *bufio.Writer) {
	annots := p.V.Key("Annots")
	for i := range min(annots.Len(), maxLinks) {
		a := annots.Index(i)
		if a.Key("Subtype").Name() != "Link" {
			continue
		}
		if uri := a.Key("A").Key("URI").RawString(); AddressLink(uri) {
			w.WriteByte('\n')
			w.WriteString(uri)
		}
	}
}

// AddressLink reports whether a link's target is an address, mailto: or
// tel:, which the readers of PDFs, HTML and office documents keep with
// the text: the text shows "e-post her", the address is only in the link.
func AddressLink(uri string) bool {
	return hasPrefixFold(uri, "mailto:") || hasPrefixFold(uri, "tel:")
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// A text matrix: a b c d e f, as Tm takes them.
type textMatrix [6]float64

var identity = textMatrix{1, 0, 0, 1, 0, 0}

// translate is m moved by tx, ty in its own space.
func translate(tx, ty float64, m textMatrix) textMatrix {
	m[4] += tx*m[0] + ty*m[2]
	m[5] += tx*m[1] + ty*m[3]
	return m
}

// pageFont is a font of a page with its encoding and the widths of its
// glyphs, looked up once.
type pageFont struct {
	enc    pdf.TextEncoding
	first  int
	widths []float64
}

func newPageFont(f pdf.Font) *pageFont {
	return &pageFont{enc: f.Encoder(), first: f.FirstChar(), widths: f.Widths()}
}

// width is the width of a glyph in thousandths of the font size, an
// average one where the font does not say.
func (f *pageFont) width(code int) float64 {
	if i := code - f.first; i >= 0 && i < len(f.widths) {
		return f.widths[i]
	}
	return 500
}

func startsWithSpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return s != "" && unicode.IsSpace(r)
}
