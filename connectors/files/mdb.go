package files

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"datakart/connectors"
	"datakart/internal/mdb"
)

// A Microsoft Access database (.mdb of Access 97 to 2003, .accdb of
// later versions: a department's customer register, an old member list)
// is read with internal/mdb, as an SQLite file in the tree is: each table
// is a container below the file (kunder.mdb!Kunder) and its columns are
// fields. Text, memo and number columns are read, and the file in an OLE
// column's cell (see mdbObject); dates, yes/no and binary columns are
// declared by name only. Every row is read (such a
// file is at most 2 GB), what the values add up to held to the file's
// size and --max-expanded-bytes. A format version newer than Access
// 2019's is skipped with the reason.

// mdb reads the Access database in r, which is the file f when f is not
// nil.
func (d *decoder) mdb(ctx context.Context, r io.Reader, f *os.File, part string, depth int) error {
	ra, size, ok := d.beginRandom(r, f, part, "mdb")
	if !ok {
		return nil
	}
	db, err := mdb.Open(ra, size, mdb.Limits{MaxValue: d.opt.MaxMemberBytes})
	if err != nil {
		d.openFailed("mdb", err, mdb.ErrUnsupported)
		return nil
	}
	d.budget += size // rows that share one long value cannot make a small file a large scan
	tables, err := db.Tables()
	if serr := d.mdbTables(ctx, db, part, tables, depth); serr != nil {
		return serr
	}
	if err != nil && ctx.Err() == nil { // the catalog broke: the tables found before it are read
		d.sink.Begin(connectors.Part{Path: part, Kind: "mdb"})
		d.partFailed("mdb", err)
	}
	return ctx.Err()
}

// mdbTables reads each table of db as a part below part. It returns only
// the scan's error: a table's own is recorded on it.
func (d *decoder) mdbTables(ctx context.Context, db *mdb.File, part string, tables []*mdb.Table, depth int) error {
	for _, t := range tables {
		table := connectors.Part{Path: joinPart(part, t.Name), Kind: "mdb table"}
		d.sink.Begin(table)
		if t.Err != nil {
			d.sink.PartError(t.Err)
			continue
		}
		for _, c := range t.Columns {
			d.sink.FieldInfo(c.Name, mdbTypes[c.Type], 0)
		}
		line, failed := 0, 0
		var stop error // the sink's, which ends the read
		err := db.Rows(t, func(row []mdb.Value, err error) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			line++
			if err != nil {
				if failed++; failed == 1 { // one error for the table says it; the rest would repeat it
					d.sink.PartError(fmt.Errorf("mdb: row %d: %w", line, err))
				}
				return nil
			}
			for i, v := range row {
				if v.Data == nil {
					continue
				}
				if d.budget -= int64(len(v.Data)); d.budget < 0 {
					return errBudget
				}
				if v.Blob {
					stop = d.mdbObject(ctx, v.Data, table, fmt.Sprintf("%s/row-%d", t.Columns[i].Name, line), depth)
					if stop != nil {
						return stop
					}
					continue
				}
				if stop = d.sink.Value(connectors.Value{Field: t.Columns[i].Name, Data: v.Data, Line: line, Numeric: v.Numeric}); stop != nil {
					return stop
				}
			}
			return nil
		})
		switch {
		case stop != nil:
			return stop
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			d.sink.PartError(err)
		}
	}
	return nil
}

// mdbTypes names the column types, as a database's schema would.
var mdbTypes = map[byte]string{
	mdb.TypeBool: "yes/no", mdb.TypeByte: "byte", mdb.TypeInt: "integer", mdb.TypeLong: "long",
	mdb.TypeMoney: "currency", mdb.TypeFloat: "single", mdb.TypeDouble: "double", mdb.TypeDateTime: "datetime",
	mdb.TypeBinary: "binary", mdb.TypeText: "text", mdb.TypeOLE: "ole", mdb.TypeMemo: "memo", mdb.TypeBigInt: "bigint",
}

// mdbObject reads the file an OLE column's cell holds (a contract, a
// photo, a spreadsheet embedded in the register) as a member of the
// table: Access wraps it in an OLE header and an OLE 1.0 stream, which
// are skipped to the first signature of a format the decoder knows.
// A cell that holds no such file is left, as a date is.
func (d *decoder) mdbObject(ctx context.Context, b []byte, table connectors.Part, name string, depth int) error {
	if native, ok := ole1Package(b); ok {
		// A file packaged as it is (a CSV, a text file): the package
		// gives its name.
		file, data, err := parseOle10Native(native)
		member := joinPart(table.Path, name)
		if err == nil {
			member, b = member+"/"+file, data
		}
		if d.tooDeep(member, "ole", depth+1) {
			d.sink.Begin(table)
			return nil
		}
		if err != nil {
			d.objectFailed(member, "ole package", err)
		} else if err := d.decode(ctx, bytes.NewReader(b), file, member, depth+1); err != nil {
			return err
		}
		d.sink.Begin(table)
		return nil
	}
	at := -1
	for _, sig := range oleSignatures {
		if i := bytes.Index(b[:min(len(b), 4096)], []byte(sig)); i >= 0 && (at < 0 || i < at) {
			at = i
		}
	}
	if at < 0 {
		return nil
	}
	member := joinPart(table.Path, name)
	if d.tooDeep(member, "ole", depth+1) {
		d.sink.Begin(table)
		return nil
	}
	err := d.decode(ctx, bytes.NewReader(b[at:]), name, member, depth+1)
	d.sink.Begin(table) // what follows is the table's again
	return err
}

// ole1Package returns the native data of the OLE 1.0 object of the
// class Package in an OLE column's cell, from its size on (see
// parseOle10Native): the cell is Access's OLE header (its signature
// 0x1C15, then its size), then the object (see ole1Object).
func ole1Package(b []byte) ([]byte, bool) {
	if len(b) < 4 || binary.LittleEndian.Uint16(b) != 0x1C15 {
		return nil, false
	}
	class, native, ok := ole1Object(b[min(len(b), int(binary.LittleEndian.Uint16(b[2:]))):])
	return native, ok && class == "Package"
}

// oleSignatures start the files an OLE object in Access most often holds:
// Office 97–2003 documents, PDF, zip (Office 2007 and later), and images.
var oleSignatures = []string{"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "%PDF-", "PK\x03\x04", "\x89PNG\r\n\x1a\n", "\xff\xd8\xff", "GIF8"}
