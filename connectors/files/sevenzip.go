package files

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"time"

	"datakart/connectors"
	"datakart/internal/frame"
	"datakart/internal/sevenzipchild"
)

// A 7z archive (7-Zip's own format, which Windows shares keep backups and
// exports in) is read like a zip, each file a member within the same
// limits, but by a child process (internal/sevenzipchild): its reader
// allocates what a hostile header claims. The child gets the archive's
// path, or its bytes where it is a member of another archive, and hands
// back each file's bytes; the parent reads them as it reads any member.

// sevenZipStall stops a child that has sent nothing for this long: a
// large archive may take long, but each of its files comes in pieces.
var sevenZipStall = 60 * time.Second

// sevenZipMemory is a child's memory limit; tests lower it.
var sevenZipMemory uint64 = 512 << 20

// sevenZip reads the archive in r, which is the file f when f is not nil.
func (d *decoder) sevenZip(ctx context.Context, r io.Reader, f *os.File, part string, depth int) error {
	if d.tooDeep(part, "7z", depth) {
		return nil
	}
	typ, req, files, err := d.childRequest(r, f)
	if err != nil {
		return d.sevenZipFailed(part, err)
	}
	stalled, exit, rerr := runChild(ctx, sevenzipchild.Env, sevenZipMemory, sevenZipStall, typ, req, files, func(fr *frame.Reader) error {
		return d.sevenZipMembers(ctx, fr, part, depth)
	})
	if errors.Is(rerr, errNoChild) {
		return d.sevenZipFailed(part, rerr)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	switch {
	case rerr == nil:
	case stalled:
		d.sink.Begin(connectors.Part{Path: part, Kind: "7z"})
		d.sink.PartError(fmt.Errorf("7z: nothing from the reader for %s (one that loops on this archive was stopped); the files read before count", sevenZipStall))
	default:
		d.sink.Begin(connectors.Part{Path: part, Kind: "7z"})
		d.sink.PartError(fmt.Errorf("7z: the reader failed on this archive (%v, out of memory or a fault); the files read before count", exit))
	}
	return nil
}

func (d *decoder) sevenZipFailed(part string, err error) error {
	d.sink.Begin(connectors.Part{Path: part, Kind: "7z"})
	d.partFailed("7z", err)
	return nil
}

// sevenZipMembers reads the child's frames: each file, then the
// archive's code. It returns an error where the frames stop short (the
// child ended, or was stopped).
func (d *decoder) sevenZipMembers(ctx context.Context, fr *frame.Reader, part string, depth int) (err error) {
	entries := 0
	// The child hands the files over as a stream, in the archive's
	// order: an SQLite database is read with its log wherever it stands,
	// as in a tar.
	logs := &streamLogs{logs: map[string][]byte{}}
	defer func() {
		if rerr := logs.release(ctx, d); err == nil {
			err = rerr
		}
	}()
	for {
		typ, n, err := fr.Header()
		if err != nil {
			return err
		}
		switch typ {
		case sevenzipchild.FrameEnd:
			if err := logs.release(ctx, d); err != nil {
				return err
			}
			if c := int(n); c != sevenzipchild.CodeOK {
				d.sink.Begin(connectors.Part{Path: part, Kind: "7z"})
				d.sevenZipCode(c)
			} else if entries == 0 {
				d.sink.Begin(connectors.Part{Path: part, Kind: "7z"}) // no file in it: the archive is the container
			}
			return nil
		case sevenzipchild.FrameMember:
		default:
			return frame.ErrNotFrames
		}
		name, err := fr.Body(n, 64<<10) // a file's name
		if err != nil {
			return err
		}
		member := joinPart(part, string(name))
		entries++
		var r io.Reader = &budgetReader{fr.Data(sevenzipchild.FrameData), d}
		paired := false
		if r, paired, err = logs.pair(ctx, d, member, r); err != nil {
			return err
		}
		skip, stop := d.skipMember(member, entries)
		if r != nil && !skip && !stop {
			if !paired {
				d.stream = logs
			}
			if err := d.decode(ctx, r, path.Base(string(name)), member, depth+1); err != nil {
				return err
			}
		}
		// What decode did not read of the file, and its code.
		if err := fr.SkipData(sevenzipchild.FrameData); err != nil {
			return err
		}
		typ, n, err = fr.Header()
		if err != nil {
			return err
		}
		if typ != sevenzipchild.FrameMemberEnd {
			return frame.ErrNotFrames
		}
		if c := int(n); c != sevenzipchild.CodeOK && !skip {
			d.sink.Begin(connectors.Part{Path: member, Kind: kindByName(string(name))})
			d.sevenZipCode(c)
		}
		if stop {
			return skipFiles(fr)
		}
	}
}

// sevenZipCode records why an archive or one of its files was not read.
func (d *decoder) sevenZipCode(c int) {
	switch c {
	case sevenzipchild.CodeEncrypted:
		d.sink.PartSkipped("encrypted 7z archive (not read)")
	case sevenzipchild.CodeLimit:
		d.sink.PartSkipped(fmt.Sprintf("%v: the archive asks for more memory than 7-Zip's -mx9 uses (%d MiB of dictionary or window, %d MiB of PPMd model)",
			connectors.ErrLimit, sevenzipchild.MaxWindow>>20, sevenzipchild.MaxPPMdMemory>>20))
	default:
		d.sink.PartError(errors.New("7z: malformed; the files read before count"))
	}
}

// skipFiles passes over the files left in a child's frames, to the
// archive's end, once --max-archive-entries stopped reading them.
func skipFiles(fr *frame.Reader) error {
	for {
		if err := fr.SkipData(sevenzipchild.FrameData); err != nil {
			return err
		}
		typ, n, err := fr.Header()
		if err != nil || typ == sevenzipchild.FrameEnd {
			return err
		}
		if typ == sevenzipchild.FrameMember {
			if _, err := fr.Body(n, 64<<10); err != nil {
				return err
			}
		}
	}
}
