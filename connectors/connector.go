// Package connectors defines how datakart reaches a kind of store and reads
// it. A connector lists the units of work in a store (files, tables),
// describes their fields (columns, JSON paths, CSV headers) and streams
// values or chunks of text with their location. Connectors never classify:
// that is the scanner's job.
//
// Each kind of store has its own subpackage (connectors/files, …).
package connectors

import (
	"context"
	"errors"
	"time"
)

// Source is one store to scan: a file tree, a database.
type Source interface {
	// Kind is the kind of store: "files", "postgres", "mysql", "sqlite".
	Kind() string
	// Location names the store for people, with any password redacted.
	Location() string
	// Units lists the units of work (a file, a table) by calling visit for
	// each, in a stable order. It stops early when visit returns an error
	// or ctx is done. A unit that cannot even be listed is passed to visit
	// with Err set, so it is recorded and the walk goes on.
	Units(ctx context.Context, visit func(Unit) error) error
}

// Unit is one independent piece of work: a file, a table. Units of one
// source may be read concurrently.
type Unit struct {
	// Name is the unit's name in the inventory: the path relative to the
	// scanned root for files (with '/' separators), schema.table for tables.
	Name string
	// Kind is the container kind: "file", "table", …; decoders refine it
	// per part (see Part.Kind).
	Kind string
	// Size is how big the unit is when known, else -1: bytes for a file,
	// the catalog's row estimate for a table.
	Size int64
	// Err is set when the unit was found but cannot be read at all (for
	// example permission denied while listing).
	Err error
	// Skip is a reason the unit is deliberately not read ("binary file",
	// "symlink"), or "".
	Skip string
	// Read streams the unit's contents to sink. It is nil when Err or Skip
	// is set.
	Read func(ctx context.Context, sink Sink) error
}

// Part is one container inside a unit: the unit itself, or a member of an
// archive in it ("exports.zip!2024/payroll.csv").
type Part struct {
	// Path is "" for the unit itself, else the member path below the unit,
	// nested archives joined with '!'.
	Path string
	// Kind is what the decoder read it as: "text", "csv", "tsv", "json",
	// "ndjson", "xlsx", "docx", "table", ….
	Kind string
}

// Value is one value or chunk of text from a field.
type Value struct {
	// Field is the column name, JSON path ("$.customer.email", arrays as
	// "[*]"), "Sheet1!email" for a spreadsheet column, or "" for the free
	// text of a document.
	Field string
	// Data is the value's bytes (UTF-8). It is only valid during the call
	// to Sink.Value.
	Data []byte
	// Line is the 1-based line the value starts on, or 0 when lines do not
	// apply.
	Line int
	// Numeric is true when the value came from a number (a numeric column, a
	// JSON number), where leading zeros are lost.
	Numeric bool
}

// LostZero reports whether data, a value or the value trimmed, is a
// fødselsnummer that was stored as a number and so lost its leading zero:
// 10 digits of a Numeric value. It is read with the zero back.
func (v Value) LostZero(data []byte) bool {
	if !v.Numeric || len(data) != 10 {
		return false
	}
	for _, c := range data {
		if c-'0' >= 10 {
			return false
		}
	}
	return true
}

// Sink receives what a unit holds. Calls for one unit come from one
// goroutine.
type Sink interface {
	// Begin starts a part; the values that follow belong to it until the
	// next Begin. Every Read starts with a Begin.
	Begin(p Part)
	// Fields declares the fields of the current part known from its schema
	// (CSV header, table columns), so that a field with no values is still
	// judged by its name. It may be called more than once.
	Fields(names ...string)
	// FieldInfo declares one field with what is known of it from a schema:
	// its declared type ("" if unknown) and the 1-based line of its
	// definition (0 if none; a migration file's line, for SARIF).
	FieldInfo(name, dataType string, line int)
	// Value hands one value of the current part to the scanner. A non-nil
	// error (the scan was cancelled) ends the read: return it.
	Value(v Value) error
	// PartError records that the current part could not be read to the end;
	// what was read before counts. The read goes on with the next part.
	PartError(err error)
	// PartSkipped records that the current part is deliberately not read,
	// and why ("binary file", "nested archive too deep").
	PartSkipped(reason string)
	// Sampled records how the current part was read: the rows examined and
	// the method ("full", "tablesample system 1.5%", "primary-key ranges"),
	// so the inventory states the sampling instead of hiding it.
	Sampled(rows int64, method string)
	// Paced records how long the current part's rows were being read, and
	// how much of that time the sink was busy with their values. A
	// connector that reads in one goroutine while the sink scans in
	// another calls it (databases): the rest of the time, the scan waited
	// for the store, so the inventory can say which of the two set the
	// pace.
	Paced(reading, busy time.Duration)
}

// ErrLimit is wrapped by errors that mean a configured limit was hit
// (archive depth, entry count, expanded size).
var ErrLimit = errors.New("limit reached")
