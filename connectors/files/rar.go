package files

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/nwaples/rardecode/v2"

	"datakart/connectors"
)

// rar reads each file of a RAR archive (RAR 1.5 to 7) as a member, as
// tar does, within the same limits. github.com/nwaples/rardecode reads it
// as a stream, so nothing is held but the member being read and the
// dictionary, which is held to maxWindow as xz's is (WinRAR's default is
// 32 MiB; a header may ask for 64 GiB). It is given the bytes, never a
// name, so it opens no other file: a file that goes on into the next
// volume of a multi-volume archive ends the archive with that reason.
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
	next := func() (*streamEntry, error) {
		hdr, err := rarNext(rr)
		switch {
		case err != nil || hdr.IsDir || hdr.LinkType != 0:
			return nil, err // directories and links: nothing of their own to read
		case hdr.Encrypted:
			return &streamEntry{name: hdr.Name, skip: "encrypted in a RAR archive (not read)"}, nil
		}
		return &streamEntry{name: hdr.Name}, nil
	}
	return d.streamArchive(ctx, part, "rar", depth, next, rarData{rr}, d.rarFailed)
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
type rarData struct{ rr *rardecode.Reader }

func (r rarData) Read(p []byte) (n int, err error) {
	defer func() {
		if recover() != nil {
			n, err = 0, errRARMalformed
		}
	}()
	return r.rr.Read(p)
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
