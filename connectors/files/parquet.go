package files

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"datakart/connectors"
	"datakart/internal/frame"
	"datakart/internal/parquetchild"
)

// A Parquet file (a data lake's or an analytics export's table) is read
// column by column, each column a field, by a child process
// (internal/parquetchild): its reader allocates what a hostile header
// claims. The child gets the file, or its bytes where it is a member of
// an archive, and hands back the schema's columns and then their values.

// parquetStall stops a child that has sent nothing for this long: a page
// comes in values, so a working child is never silent long.
var parquetStall = 60 * time.Second

// parquetMemory is a child's memory limit; tests lower it. Writers keep
// pages to about 1 MiB and row groups to 128 MiB, of which one column
// chunk is read at a time.
var parquetMemory uint64 = 512 << 20

// parquet reads the Parquet file in r, which is the file f when f is not
// nil.
func (d *decoder) parquet(ctx context.Context, r io.Reader, f *os.File, part string) error {
	d.sink.Begin(connectors.Part{Path: part, Kind: "parquet"})
	typ, req, files, err := d.childRequest(r, f)
	if err != nil {
		d.partFailed("parquet", err)
		return nil
	}
	stalled, exit, rerr := runChild(ctx, parquetchild.Env, parquetMemory, parquetStall, typ, req, files, func(fr *frame.Reader) error {
		return d.parquetValues(fr)
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	switch {
	case rerr == nil:
	case errors.Is(rerr, errNoChild), errors.Is(rerr, errBudget):
		d.partFailed("parquet", rerr)
	case stalled:
		d.sink.PartError(fmt.Errorf("parquet: nothing from the reader for %s (one that loops on this file was stopped); the values read before count", parquetStall))
	default:
		d.sink.PartError(fmt.Errorf("parquet: the reader failed on this file (%v, out of memory or a fault); the values read before count", exit))
	}
	return nil
}

// parquetValues reads the child's frames: the columns, then their values,
// then the file's code. It returns an error where the frames stop short
// (the child ended, or was stopped), or the scan's.
func (d *decoder) parquetValues(fr *frame.Reader) error {
	type column struct {
		name    string
		numeric bool
	}
	var columns []column
	var buf []byte
	// long holds what is not yet handed on of a value that comes in
	// pieces: each piece is joined to it and cut where a long line of
	// text is (safeCut), so that a value across the child's cut is handed
	// on whole, once. It holds a piece and a little more.
	var long []byte
	field := -1
	for {
		typ, n, err := fr.Header()
		if err != nil {
			return err
		}
		switch typ {
		case parquetchild.FrameColumn:
			b, err := fr.BodyInto(buf, n, 64<<10)
			if err != nil {
				return err
			}
			if len(b) < 2 {
				return frame.ErrNotFrames
			}
			columns = append(columns, column{string(b[1:]), b[0]&parquetchild.Numeric != 0})
			d.sink.Fields(string(b[1:]))
		case parquetchild.FrameChunk:
			if int(n) >= len(columns) || len(long) > 0 {
				return frame.ErrNotFrames
			}
			field = int(n)
		case parquetchild.FrameValue, parquetchild.FramePiece:
			if field < 0 {
				return frame.ErrNotFrames
			}
			if buf, err = fr.BodyInto(buf, n, parquetchild.MaxValue); err != nil {
				return err
			}
			if d.budget -= int64(n); d.budget < 0 {
				return errBudget
			}
			data := buf
			if typ == parquetchild.FramePiece || len(long) > 0 {
				long = append(long, buf...)
				data = long
			}
			cut := len(data)
			if typ == parquetchild.FramePiece {
				cut = safeCut(data)
			}
			c := columns[field]
			if err := d.sink.Value(connectors.Value{Field: c.name, Data: data[:cut], Numeric: c.numeric}); err != nil {
				return err
			}
			if len(long) > 0 {
				long = long[:copy(long, long[cut:])]
			}
		case parquetchild.FrameEnd:
			if len(long) > 0 {
				return frame.ErrNotFrames
			}
			switch n {
			case parquetchild.CodeOK:
			case parquetchild.CodeEncrypted:
				d.sink.PartSkipped("encrypted Parquet file (not read: its footer is encrypted)")
			default:
				d.sink.PartError(errors.New("parquet: malformed file; the values read before count"))
			}
			return nil
		default:
			return frame.ErrNotFrames
		}
	}
}
