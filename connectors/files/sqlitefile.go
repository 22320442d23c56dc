package files

import (
	"context"
	"strings"

	"datakart/connectors"
	"datakart/connectors/sqlite"
)

// sqliteSignature starts every SQLite database file.
const sqliteSignature = "SQLite format 3\x00"

// sqliteFile reads an SQLite database that is a file of the tree, as a
// sqlite: target is read (opened read-only and immutable, sampled as
// --sample and --full say): each table is a part, "app.db!users", and its
// columns are fields, so a phone's or an app's database in a backup share
// is not skipped as binary. One inside an archive is not read: SQLite
// reads a file, and extracting one would write personal data to disk.
func (d *decoder) sqliteFile(ctx context.Context, part string) error {
	src, err := sqlite.Open(ctx, "sqlite:"+d.diskPath, d.opt.Database)
	if err != nil {
		d.sink.Begin(connectors.Part{Path: part, Kind: "sqlite"})
		d.sink.PartError(err)
		return nil
	}
	defer src.DB().Close()
	tables := 0
	err = src.Units(ctx, func(u connectors.Unit) error {
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
