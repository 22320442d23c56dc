package files

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strings"

	"datakart/connectors"
	"datakart/connectors/sqldb"
	"datakart/connectors/sqlite"
)

// sqliteSignature starts every SQLite database file.
const sqliteSignature = "SQLite format 3\x00"

// sqliteFile reads an SQLite database that is a file of the tree, as a
// sqlite: target is read (opened read-only and immutable, sampled as
// --sample and --full say): each table is a part, "app.db!users", and its
// columns are fields, so a phone's or an app's database in a backup share
// is not skipped as binary.
func (d *decoder) sqliteFile(ctx context.Context, part string) error {
	src, err := sqlite.Open(ctx, "sqlite:"+d.diskPath, d.opt.Database)
	if err != nil {
		d.sink.Begin(connectors.Part{Path: part, Kind: "sqlite"})
		d.sink.PartError(err)
		return nil
	}
	defer src.DB().Close()
	return d.sqliteTables(ctx, part, src)
}

// sqliteMember reads an SQLite database inside an archive or a message
// from a copy in memory, bounded by --max-member-bytes: SQLite reads
// files, and extracting one would write personal data to disk. Its
// write-ahead log is read with it where it stands beside it: in the same
// zip (beside opens the zip's members by their name in this one's
// folder), or anywhere in an archive read as a stream (stream), where
// the database waits for it.
func (d *decoder) sqliteMember(ctx context.Context, r io.Reader, name, part string, beside func(string) (io.ReadCloser, error), stream *streamLogs) error {
	image, err := d.memberBytes(r)
	if err != nil {
		d.sink.Begin(connectors.Part{Path: part, Kind: "sqlite"})
		d.partFailed("sqlite", err)
		return nil
	}
	var log []byte
	var logErr error
	switch {
	case beside != nil:
		if rc, err := beside(name + "-wal"); err == nil {
			log, logErr = d.memberBytes(&budgetReader{rc, d})
			rc.Close()
		}
	case stream != nil:
		var ok bool
		if log, ok = stream.take(part + "-wal"); !ok {
			// Read when its log comes or the archive ends (streamLogs.pair).
			return stream.hold(ctx, d, &heldDB{name: name, part: part, image: image})
		}
	}
	return d.sqliteImage(ctx, name, part, image, log, logErr)
}

// sqliteImage reads the tables of the database image, with its log laid
// over it where log is not nil; logErr is why a log beside it could not
// be read.
func (d *decoder) sqliteImage(ctx context.Context, name, part string, image, log []byte, logErr error) error {
	src, release, err := sqlite.OpenImage(ctx, name, image, log, d.opt.Database)
	if err != nil {
		d.sink.Begin(connectors.Part{Path: part, Kind: "sqlite"})
		d.sink.PartError(err)
		return nil
	}
	defer release()
	if logErr != nil {
		src.NotRead(sqlite.LogNotRead(name, logErr))
	}
	return d.sqliteTables(ctx, part, src)
}

// streamLogs pairs SQLite databases with their logs in an archive read as
// a stream. A log that comes before its database is kept for it; a
// database is held until its log comes or the archive ends, since a tar
// made in directory order (GNU tar's default) puts the two anywhere.
type streamLogs struct {
	logs  map[string][]byte // the logs met so far, by their part
	bytes int64             // their size together, at most MaxMemberBytes
	// held are the databases waiting for their log, oldest first; their
	// images together are at most MaxMemberBytes.
	held      []*heldDB
	heldBytes int64
}

// heldDB is a database of an archive read as a stream, held until its
// log is met or the archive ends.
type heldDB struct {
	name, part string
	image      []byte
}

// keepLog keeps the log in r, the member at part, for a database that may
// come after it.
func (s *streamLogs) keepLog(d *decoder, r io.Reader, part string) {
	b, err := d.memberBytes(r)
	if err != nil || s.bytes+int64(len(b)) > d.opt.MaxMemberBytes {
		return
	}
	s.logs[part] = b
	s.bytes += int64(len(b))
}

// take hands over the log kept at part, and forgets it.
func (s *streamLogs) take(part string) ([]byte, bool) {
	log, ok := s.logs[part]
	if ok {
		delete(s.logs, part)
		s.bytes -= int64(len(log))
	}
	return log, ok
}

// hold keeps db until its log comes. The databases held first are read
// without theirs where db would take the images held past
// MaxMemberBytes, and so is one held at the same part (a tar may hold a
// file twice; the later copy is the one extracted).
func (s *streamLogs) hold(ctx context.Context, d *decoder, db *heldDB) error {
	if i := slices.IndexFunc(s.held, func(h *heldDB) bool { return h.part == db.part }); i >= 0 {
		if err := s.readHeld(ctx, d, i, nil, nil); err != nil {
			return err
		}
	}
	for len(s.held) > 0 && s.heldBytes+int64(len(db.image)) > d.opt.MaxMemberBytes {
		if err := s.readHeld(ctx, d, 0, nil, nil); err != nil {
			return err
		}
	}
	s.held = append(s.held, db)
	s.heldBytes += int64(len(db.image))
	return nil
}

// readHeld reads the database held[i] with log (nil: without one; logErr
// says why a log could not be read) and lets it go.
func (s *streamLogs) readHeld(ctx context.Context, d *decoder, i int, log []byte, logErr error) error {
	h := s.held[i]
	s.held = slices.Delete(s.held, i, i+1)
	s.heldBytes -= int64(len(h.image))
	return d.sqliteImage(ctx, h.name, h.part, h.image, log, logErr)
}

// pair is called with each member of the stream, at part, before it is
// read from r. Where it is the log of a database held, the two are read
// together, and the log's bytes are returned to be listed as the other
// members are (paired); a log that could not be read is recorded, and the
// reader returned is nil. Else r is returned as it is.
func (s *streamLogs) pair(ctx context.Context, d *decoder, part string, r io.Reader) (_ io.Reader, paired bool, err error) {
	db, ok := strings.CutSuffix(part, "-wal")
	if !ok {
		return r, false, nil
	}
	i := slices.IndexFunc(s.held, func(h *heldDB) bool { return h.part == db })
	if i < 0 {
		return r, false, nil
	}
	log, lerr := d.memberBytes(r)
	if err := s.readHeld(ctx, d, i, log, lerr); err != nil {
		return nil, true, err
	}
	if lerr != nil {
		d.sink.Begin(connectors.Part{Path: part, Kind: "binary"})
		d.partFailed("sqlite", lerr)
		return nil, true, nil
	}
	return bytes.NewReader(log), true, nil
}

// release reads the databases still held, without a log: the archive
// ended before theirs came.
func (s *streamLogs) release(ctx context.Context, d *decoder) error {
	for len(s.held) > 0 {
		if err := s.readHeld(ctx, d, 0, nil, nil); err != nil {
			return err
		}
	}
	return nil
}

// sqliteTables reads the tables of the database src, each a part below
// the database's.
func (d *decoder) sqliteTables(ctx context.Context, part string, src *sqldb.Source) error {
	tables := 0
	err := src.Units(ctx, func(u connectors.Unit) error {
		tables++
		ts := &tableSink{Sink: d.sink, path: joinPart(part, strings.TrimPrefix(u.Name, "main."))}
		if err := u.Read(ctx, ts); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			ts.PartError(err)
		}
		return nil
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil || tables == 0 {
		// The database itself: it has no table, could not be listed, or
		// has a part that was not read (its write-ahead log).
		d.sink.Begin(connectors.Part{Path: part, Kind: "sqlite"})
		if err != nil {
			d.sink.PartError(err)
		}
	}
	return nil
}

// tableSink is a sink for one table of a database file: the table is a
// part below the file.
type tableSink struct {
	connectors.Sink
	path string
}

func (t *tableSink) Begin(p connectors.Part) {
	p.Path, p.Kind = t.path, "sqlite "+p.Kind
	t.Sink.Begin(p)
}
