package files

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
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
		d.objectFailed(part, "ole", err)
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
	return d.oleObject(ctx, &s, part, depth)
}

// oleObject reads a compound file, or a storage in one, as what its
// streams say it is, then the objects embedded in it.
func (d *decoder) oleObject(ctx context.Context, s *oleStreams, part string, depth int) error {
	var err error
	switch {
	case s.has("__properties_version1.0"):
		return d.msg(ctx, s, "", part, depth)
	case s.has("WordDocument"):
		err = d.doc(ctx, s, part)
	case s.has("Workbook"), s.has("Book"):
		err = d.xls(ctx, s, part)
	case s.has("PowerPoint Document"):
		err = d.ppt(ctx, s, part, depth)
	case s.has("Ole10Native"):
		return d.olePackage(ctx, s, part, depth)
	case s.has("Package"), s.has("CONTENTS"):
		// An Office 2007+ document (Package) or another file, a PDF most
		// often (CONTENTS), embedded whole.
		name := "Package"
		if !s.has(name) {
			name = "CONTENTS"
		}
		return d.oleStream(ctx, s, name, part, depth)
	default:
		d.sink.Begin(connectors.Part{Path: part, Kind: "ole"})
		if s.has("EncryptedPackage") {
			// A password-protected xlsx or docx is a compound file too.
			d.sink.PartSkipped("encrypted Office document (not read)")
		} else {
			d.sink.PartSkipped("OLE compound file with no Word, Excel, PowerPoint or Outlook content and no file embedded (not read)")
		}
		return nil
	}
	if err != nil {
		return err
	}
	return d.oleEmbedded(ctx, s, part, depth)
}

// oleEmbedded reads the objects embedded in a Word document (the
// storages in its ObjectPool) or an Excel workbook (its MBD storages),
// a spreadsheet in a letter or a file packaged in a workbook, each a
// member ("brev.doc!ObjectPool/_1234").
func (d *decoder) oleEmbedded(ctx context.Context, s *oleStreams, part string, depth int) error {
	// The storages' streams in one pass: a file may hold thousands.
	storages := map[string]*oleStreams{}
	for p, f := range s.byPath {
		elems := strings.SplitN(p, "/", 3)
		var storage string
		switch {
		case len(elems) == 3 && elems[0] == "ObjectPool":
			storage = elems[0] + "/" + elems[1]
		case len(elems) > 1 && strings.HasPrefix(elems[0], "MBD"):
			storage = elems[0]
		default:
			continue
		}
		sub := storages[storage]
		if sub == nil {
			sub = &oleStreams{d: d, size: s.size, byPath: map[string]*mscfb.File{}}
			storages[storage] = sub
		}
		sub.byPath[p[len(storage)+1:]] = f
	}
	for i, storage := range slices.Sorted(maps.Keys(storages)) {
		if err := ctx.Err(); err != nil {
			return err
		}
		member := joinPart(part, storage)
		if skip, stop := d.skipMember(member, i+1); stop {
			return nil
		} else if skip || d.tooDeep(member, "ole", depth+1) {
			continue
		}
		if err := d.oleObject(ctx, storages[storage], member, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// olePackage reads the file an OLE package holds (a CSV, a text file or
// a PDF dragged into a document or an Access table) as a member named as
// the file was.
func (d *decoder) olePackage(ctx context.Context, s *oleStreams, part string, depth int) error {
	b, err := s.read("Ole10Native")
	var name string
	var data []byte
	if err == nil {
		name, data, err = parseOle10Native(b)
	}
	if err != nil {
		d.objectFailed(part, "ole package", err)
		return nil
	}
	return d.decode(ctx, bytes.NewReader(data), name, joinPart(part, name), depth+1)
}

// objectFailed records at part, an object embedded in a document, why
// it was not read: an error of the format kind, or the reason it is
// skipped (see partFailed).
func (d *decoder) objectFailed(part, kind string, err error) {
	d.sink.Begin(connectors.Part{Path: part, Kind: "ole"})
	d.partFailed(kind, err)
}

// oleStream reads the stream name, a file embedded whole, as the member
// of part of that name.
func (d *decoder) oleStream(ctx context.Context, s *oleStreams, name, part string, depth int) error {
	b, err := s.read(name)
	if err != nil {
		d.objectFailed(part, "ole", err)
		return nil
	}
	return d.decode(ctx, bytes.NewReader(b), name, joinPart(part, name), depth+1)
}

// ole1Object returns the class of an OLE 1.0 object ([MS-OLEDS]
// EmbeddedObject: its version and format, then the class, topic and item
// names, each after its length) that is embedded (format 2, not a link),
// and its native data from its size on.
func ole1Object(b []byte) (class string, native []byte, ok bool) {
	if len(b) < 8 || binary.LittleEndian.Uint32(b[4:]) != 2 {
		return "", nil, false
	}
	native = b[8:]
	for k := range 3 {
		var name []byte
		if name, native, ok = cutCounted(native, 1); !ok {
			return "", nil, false
		}
		if k == 0 {
			class = strings.TrimSuffix(string(name), "\x00")
		}
	}
	return class, native, true
}

// cutCounted cuts from b the field that its first 4 bytes give the length
// of, in units of unit bytes (an OLE string, an object's data), and
// returns the field and what follows it.
func cutCounted(b []byte, unit int) (field, rest []byte, ok bool) {
	if len(b) < 4 {
		return nil, b, false
	}
	n := uint64(binary.LittleEndian.Uint32(b)) * uint64(unit)
	if n > uint64(len(b)-4) {
		return nil, b, false
	}
	return b[4 : 4+n], b[4+n:], true
}

// errOleLink is why an OLE package that links to a file outside the
// document, instead of holding it, is skipped.
const errOleLink = errSkip("the OLE package links to a file outside the document, not embedded in it (not read)")

// parseOle10Native returns the name and the bytes of the file in an OLE
// package's native data (the Ole10Native stream of an embedded object,
// or the data of an OLE 1.0 object of the class Package, from its size
// on). Microsoft's specifications leave it out; Apache POI, oletools and
// Jackcess read it so: its size (4 bytes), a signature (2 bytes), the
// file's name and the path it was packaged from (each ending in NUL),
// the kind of package (4 bytes: 0x30000 a file embedded, 0x10000 a
// link), the path it was last extracted to (after its length, 4 bytes),
// the file (after its size, 4 bytes); then, from Office 2007 on, the
// three paths again in UTF-16 (after their length in characters), the
// name the second of them.
func parseOle10Native(b []byte) (name string, data []byte, err error) {
	corrupt := errors.New("corrupt Ole10Native stream")
	if len(b) < 6 {
		return "", nil, corrupt
	}
	rest := b[6:]
	cstr := func() (string, bool) {
		i := bytes.IndexByte(rest, 0)
		if i < 0 {
			return "", false
		}
		v := cp1252Text(rest[:i])
		rest = rest[i+1:]
		return v, true
	}
	label, ok1 := cstr()
	source, ok2 := cstr()
	if !ok1 || !ok2 || len(rest) < 4 {
		return "", nil, corrupt
	}
	if binary.LittleEndian.Uint32(rest) == 0x10000 {
		return "", nil, errOleLink
	}
	var ok bool
	if _, rest, ok = cutCounted(rest[4:], 1); !ok {
		return "", nil, corrupt
	}
	if len(rest) >= 4 && uint64(binary.LittleEndian.Uint32(rest)) > uint64(len(rest)-4) {
		return "", nil, fmt.Errorf("Ole10Native stream: a file of %d bytes in %d", binary.LittleEndian.Uint32(rest), len(rest)-4)
	}
	if data, rest, ok = cutCounted(rest, 1); !ok {
		return "", nil, corrupt
	}
	// The names in UTF-16, where they follow: Office's own for names the
	// code page cannot write.
	if _, rest, ok = cutCounted(rest, 2); ok {
		if unicode, _, ok := cutCounted(rest, 2); ok && len(unicode) > 0 {
			label = utf16Text(unicode)
		}
	}
	for _, n := range []string{label, source} {
		if name = fileName(n); name != "" {
			return name, data, nil
		}
	}
	return "Ole10Native", data, nil
}

// oleStreams are the streams of a compound file by their path.
type oleStreams struct {
	d      *decoder
	size   int64 // of the compound file
	byPath map[string]*mscfb.File
}

func (s *oleStreams) has(path string) bool { return s.byPath[path] != nil }

// sub returns the streams of the storage at path, by their path in it.
func (s *oleStreams) sub(path string) *oleStreams {
	sub := &oleStreams{d: s.d, size: s.size, byPath: map[string]*mscfb.File{}}
	for p, f := range s.byPath {
		if rest, ok := strings.CutPrefix(p, path+"/"); ok {
			sub.byPath[rest] = f
		}
	}
	return sub
}

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
