package files

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/nwaples/rardecode/v2"

	"datakart/connectors"
)

// rar reads each file of a RAR archive (RAR 1.5 to 7) as a member, as
// tar does, within the same limits. github.com/nwaples/rardecode reads it
// as a stream, so nothing is held but the member being read and the
// dictionary, which is held to maxWindow as xz's is (WinRAR's default is
// 32 MiB; a header may ask for 64 GiB). It is given the bytes, never a
// name, so it opens no other file: in an archive inside another file, a
// file that goes on into the next volume of a multi-volume archive ends
// the archive with that reason (rarOnDisk joins the volumes of one on
// disk).
//
// The reader indexes out of range on some malformed headers (FuzzRAR
// found a 493-byte one within two minutes): its calls are made through
// rarNext and rarData, which turn its panic into errRARMalformed, so
// that the archive gets an error and a panic of datakart's own is not
// taken for one of the library's.
func (d *decoder) rar(ctx context.Context, r io.Reader, part string, depth int) error {
	if d.tooDeep(part, "rar", depth) {
		return nil
	}
	rr, err := rardecode.NewReader(r, rardecode.MaxDictionarySize(maxWindow))
	if err != nil {
		d.sink.Begin(connectors.Part{Path: part, Kind: "rar"})
		d.rarFailed(err)
		return nil
	}
	return d.rarFiles(ctx, rr, part, depth)
}

// rarOnDisk reads a RAR archive that is a file of the tree, named name,
// whose first bytes are head. The volumes of a multi-volume archive are
// read as one archive from its first volume, opened by name beside it
// through d.sibling, which opens only regular files the scan selects; a
// later volume is skipped with the name of the first. (rardecode reads no
// later volume on its own: a volume whose first is not there is skipped
// with the reason.)
func (d *decoder) rarOnDisk(ctx context.Context, r io.Reader, head []byte, name, part string) error {
	v := rarVolumeOf(head, name)
	if !v.multi {
		return d.rar(ctx, r, part, 0)
	}
	if v.later {
		d.sink.Begin(connectors.Part{Path: part, Kind: "rar"})
		first := v.first(name)
		if first == name {
			d.sink.PartSkipped("a later volume of a multi-volume RAR archive whose first volume its name does not tell (not read)")
			return nil
		}
		f, err := d.sibling(first)
		if err != nil {
			d.sink.PartSkipped(fmt.Sprintf("a later volume of a multi-volume RAR archive, not read without its first, %v", err))
			return nil
		}
		f.Close()
		d.sink.PartSkipped("a later volume of a multi-volume RAR archive: read with its first volume, " + first)
		return nil
	}
	rc, err := rardecode.OpenReader(name, rardecode.MaxDictionarySize(maxWindow), rardecode.FileSystem(siblingFS{d}))
	if err != nil {
		d.sink.Begin(connectors.Part{Path: part, Kind: "rar"})
		d.rarFailed(err)
		return nil
	}
	defer rc.Close()
	return d.rarFiles(ctx, &rc.Reader, part, 0)
}

// siblingFS opens the volumes of an archive beside it, for rardecode.
type siblingFS struct{ d *decoder }

func (s siblingFS) Open(name string) (fs.File, error) {
	if name != path.Base(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := s.d.sibling(name)
	if err != nil {
		return nil, fmt.Errorf("%w %w", errNoVolume, err)
	}
	return f, nil
}

// rarFiles reads the files of the RAR archive rr as members.
func (d *decoder) rarFiles(ctx context.Context, rr *rardecode.Reader, part string, depth int) error {
	data := &rarData{rr: rr}
	next := func() (*streamEntry, error) {
		if data.noVolume {
			// The file that went on into a volume that could not be
			// opened has the error; rardecode's state after it is not
			// to be read on.
			return nil, io.EOF
		}
		hdr, err := rarNext(rr)
		switch {
		case err != nil || hdr.IsDir || hdr.LinkType != 0:
			return nil, err // directories and links: nothing of their own to read
		case hdr.Encrypted:
			return &streamEntry{name: hdr.Name, skip: "encrypted in a RAR archive (not read)"}, nil
		}
		return &streamEntry{name: hdr.Name}, nil
	}
	return d.streamArchive(ctx, part, "rar", depth, next, data, d.rarFailed)
}

// errRARMalformed is the error of a RAR archive the reader failed on.
var errRARMalformed = errors.New("malformed (the RAR reader failed on it)")

// rarNext is rr.Next, with the reader's panic as errRARMalformed.
func rarNext(rr *rardecode.Reader) (hdr *rardecode.FileHeader, err error) {
	defer func() {
		if recover() != nil {
			hdr, err = nil, errRARMalformed
		}
	}()
	return rr.Next()
}

// rarData reads the current file of a RAR archive, with the reader's
// panic as errRARMalformed.
type rarData struct {
	rr       *rardecode.Reader
	noVolume bool // a read failed on a volume that could not be opened
}

func (r *rarData) Read(p []byte) (n int, err error) {
	defer func() {
		if recover() != nil {
			n, err = 0, errRARMalformed
		}
	}()
	n, err = r.rr.Read(p)
	r.noVolume = r.noVolume || errors.Is(err, errNoVolume)
	return n, err
}

// rarFailed records why a RAR archive, or the rest of it, was not read.
func (d *decoder) rarFailed(err error) {
	switch {
	case errors.Is(err, rardecode.ErrArchiveEncrypted), errors.Is(err, rardecode.ErrArchivedFileEncrypted):
		d.sink.PartSkipped("encrypted RAR archive (not read)")
	case errors.Is(err, rardecode.ErrDictionaryTooLarge):
		d.sink.PartSkipped(fmt.Sprintf("%v: a file asks for a dictionary over %d MiB, more than WinRAR's default; the files read before count",
			connectors.ErrLimit, maxWindow>>20))
	case errors.Is(err, rardecode.ErrMultiVolume):
		d.sink.PartSkipped("multi-volume RAR archive: the file that goes on into the next volume was not read (the files read before count)")
	case errors.Is(err, errBudget):
		d.sink.PartSkipped(err.Error())
	default:
		d.sink.PartError(fmt.Errorf("rar: %w; the files read before count", err))
	}
}

// rarVolume is what the archive header of a RAR file says of its volumes.
type rarVolume struct {
	multi bool // a volume of a multi-volume archive
	later bool // not the first volume
	// newNaming: the volumes are named name.part1.rar, name.part2.rar, …
	// rather than name.rar, name.r00, name.r01, …
	newNaming bool
}

// rarVolumeOf reads the archive header at the start of head, a RAR file
// named name. RAR 5 numbers its volumes in the header; RAR 1.5 to 4 flag
// the first volume from RAR 3.0 on, so for older volumes the name tells.
func rarVolumeOf(head []byte, name string) rarVolume {
	if b, ok := bytes.CutPrefix(head, []byte("Rar!\x1a\x07\x01\x00")); ok && len(b) > 4 {
		// CRC32, header size, type (1: the archive header), flags, the
		// sizes of the extra area and data the flags say are there, then
		// the archive flags: 1 a volume, 2 one with a number (not the
		// first).
		v := vints{b: b[4:]}
		v.next()
		typ, flags := v.next(), v.next()
		if flags&0x0001 != 0 {
			v.next()
		}
		if flags&0x0002 != 0 {
			v.next()
		}
		arc := v.next()
		if v.bad || typ != 1 {
			return rarVolume{}
		}
		return rarVolume{multi: arc&0x0001 != 0, later: arc&0x0002 != 0, newNaming: true}
	}
	b, ok := bytes.CutPrefix(head, []byte("Rar!\x1a\x07\x00"))
	if !ok || len(b) < 5 || b[2] != 0x73 {
		return rarVolume{}
	}
	// CRC16, type 0x73 (the archive header), flags: 0x0001 a volume,
	// 0x0010 new naming, 0x0100 the first volume.
	flags := binary.LittleEndian.Uint16(b[3:])
	v := rarVolume{multi: flags&0x0001 != 0, newNaming: flags&0x0010 != 0}
	v.later = v.multi && flags&0x0100 == 0 && v.first(name) != name
	return v
}

// first returns the name of the first volume of the archive whose volume
// is named name.
func (v rarVolume) first(name string) string {
	if !v.newNaming {
		// name.rar, then name.r00 to name.r99, name.s00, …
		ext := path.Ext(name)
		if len(ext) == 4 && ext[1] >= 'r' && ext[1] <= 'z' && isDigit(ext[2]) && isDigit(ext[3]) {
			return name[:len(name)-4] + ".rar"
		}
		return name
	}
	// name.part2.rar, name.part02.rar: the number is the last run of
	// digits, the first volume's of as many digits.
	end := strings.LastIndexFunc(name, func(r rune) bool { return r >= '0' && r <= '9' }) + 1
	if end == 0 {
		return name
	}
	start := end
	for start > 0 && isDigit(name[start-1]) {
		start--
	}
	return name[:start] + strings.Repeat("0", end-start-1) + "1" + name[end:]
}

// vints reads RAR 5's variable-length integers, as binary.Uvarint does.
type vints struct {
	b   []byte
	bad bool // b ended inside one, or one is too long
}

func (v *vints) next() uint64 {
	x, n := binary.Uvarint(v.b)
	if n <= 0 {
		v.bad, v.b = true, nil
		return 0
	}
	v.b = v.b[n:]
	return x
}

// errNoVolume is the error of a volume of a multi-volume archive that
// cannot be opened. It wraps fs.ErrNotExist where the volume is not there,
// which rardecode takes for the end of an archive whose last file ended.
var errNoVolume = errors.New("the archive goes on in volume")
