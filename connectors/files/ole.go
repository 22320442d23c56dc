package files

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"datakart/connectors"
	"datakart/internal/utf16le"

	"github.com/richardlehane/mscfb"
	"golang.org/x/text/encoding/charmap"
)

// Legacy Office files (Word, Excel and PowerPoint 97–2003, Outlook
// messages) are OLE2 compound files: a small file system of streams
// inside one file. An ERP vendor's shares keep years of them: .xls
// exports of payroll, .doc letters, .ppt presentations, and support mail
// saved from Outlook as .msg.

// ole reads a compound file as what its streams say it is.
func (d *decoder) ole(ctx context.Context, r io.Reader, part string, depth int) error {
	if d.tooDeep(part, "ole", depth) {
		return nil
	}
	ra, size, err := d.readerAt(r)
	if err != nil {
		d.sink.Begin(connectors.Part{Path: part, Kind: "ole"})
		d.partFailed("ole", err)
		return nil
	}
	// A section reader, so the library sees a reader only: it writes to
	// a file it is given as an io.WriterAt when asked to.
	cf, err := mscfb.New(io.NewSectionReader(ra, 0, size))
	if err != nil {
		d.sink.Begin(connectors.Part{Path: part, Kind: "ole"})
		d.sink.PartError(fmt.Errorf("ole: %w", err))
		return nil
	}
	s := oleStreams{d: d, size: size, byPath: map[string]*mscfb.File{}}
	for _, f := range cf.File {
		if f.Size > 0 {
			s.byPath[strings.Join(append(f.Path, f.Name), "/")] = f
		}
	}
	switch {
	case s.has("__properties_version1.0"):
		return d.msg(ctx, &s, "", part, depth)
	case s.has("WordDocument"):
		return d.doc(ctx, &s, part)
	case s.has("Workbook"), s.has("Book"):
		return d.xls(ctx, &s, part)
	case s.has("PowerPoint Document"):
		return d.ppt(ctx, &s, part)
	}
	d.sink.Begin(connectors.Part{Path: part, Kind: "ole"})
	switch {
	case s.has("EncryptedPackage"):
		// A password-protected xlsx or docx is a compound file too.
		d.sink.PartSkipped("encrypted Office document (not read)")
	default:
		d.sink.PartSkipped("OLE compound file with no Word, Excel or Outlook content (not read)")
	}
	return nil
}

// oleStreams are the streams of a compound file by their path.
type oleStreams struct {
	d      *decoder
	size   int64 // of the compound file
	byPath map[string]*mscfb.File
}

func (s *oleStreams) has(path string) bool { return s.byPath[path] != nil }

// read returns the stream at path whole, or nil when there is none. A
// stream's size is what its directory entry claims, and its sectors may
// run in a loop: one that claims more than the file holds, or more than
// --max-member-bytes, is an error, and what is read counts against the
// unit's budget.
func (s *oleStreams) read(path string) ([]byte, error) {
	f := s.byPath[path]
	switch {
	case f == nil:
		return nil, nil
	case f.Size > s.d.opt.MaxMemberBytes:
		return nil, fmt.Errorf("%w: stream %q is larger than %d bytes (--max-member-bytes)", connectors.ErrLimit, f.Name, s.d.opt.MaxMemberBytes)
	case f.Size > s.size:
		return nil, fmt.Errorf("stream %q claims %d bytes, more than the file holds", f.Name, f.Size)
	}
	b := make([]byte, f.Size)
	if _, err := io.ReadFull(&budgetReader{f, s.d}, b); err != nil {
		return nil, fmt.Errorf("stream %q: %w", f.Name, err)
	}
	return b, nil
}

// utf16Text decodes UTF-16LE bytes to UTF-8, up to a NUL.
func utf16Text(b []byte) string {
	for i := 0; i+1 < len(b); i += 2 {
		if b[i] == 0 && b[i+1] == 0 {
			b = b[:i]
			break
		}
	}
	return utf16le.String(b)
}

// cp1252Text decodes 8-bit text in Windows-1252, the code page of the
// Norwegian and English Office files this reads, to UTF-8, up to a NUL.
func cp1252Text(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	s, _ := charmap.Windows1252.NewDecoder().Bytes(b) // every byte maps to a rune
	return string(s)
}
