package files

import (
	"bytes"
	"context"
	"io"
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
// folder), or next to it in an archive read as a stream (stream), where
// the database waits for the member after it.
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
			stream.held = &heldDB{name: name, part: part, image: image}
			return nil // read when the next member is known (streamLogs.pair)
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
// a stream, where a log comes right after its database (a tar of an app's
// folder in name order, past the -shm file between them) or before it.
type streamLogs struct {
	logs  map[string][]byte // the logs met so far, by their part
	bytes int64             // their size together, at most MaxMemberBytes
	held  *heldDB           // the database met last, waiting for the member after it
}

// heldDB is a database of an archive read as a stream, held until the
// member after it is known.
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

// pair is called with each member of the stream, at part, before it is
// read from r. Where it is the log of the database held, the two are read
// together, and the log's bytes are returned to be listed as the other
// members are (paired); a log that could not be read is recorded, and the
// reader returned is nil. Else the database held is read alone, and r is
// returned as it is.
func (s *streamLogs) pair(ctx context.Context, d *decoder, part string, r io.Reader) (_ io.Reader, paired bool, err error) {
	h := s.held
	if h != nil && part == h.part+"-shm" {
		// The shared-memory index a running app keeps beside its
		// database: in name order it comes between the database and its
		// log, so the database waits on. (SQLite rebuilds the index from
		// the log; it is not read.)
		return r, false, nil
	}
	if h == nil || part != h.part+"-wal" {
		return r, false, s.release(ctx, d)
	}
	s.held = nil
	log, lerr := d.memberBytes(r)
	if err := d.sqliteImage(ctx, h.name, h.part, h.image, log, lerr); err != nil {
		return nil, true, err
	}
	if lerr != nil {
		d.sink.Begin(connectors.Part{Path: part, Kind: "binary"})
		d.partFailed("sqlite", lerr)
		return nil, true, nil
	}
	return bytes.NewReader(log), true, nil
}

// release reads the database held, without a log: the member after it was
// not its log.
func (s *streamLogs) release(ctx context.Context, d *decoder) error {
	h := s.held
	if h == nil {
		return nil
	}
	s.held = nil
	return d.sqliteImage(ctx, h.name, h.part, h.image, nil, nil)
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
