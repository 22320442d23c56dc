// Package parquetchild is the child process that reads a Parquet file for
// the file connector (see connectors/files/parquet.go): this same
// program, started with Env set to the bytes of memory it may use. It
// reads one request on stdin (internal/frame's FileRequest or
// BytesRequest) and writes the file's columns, then their values, on
// stdout in frames.
//
// Parquet is read in a child because its reader, github.com/parquet-go/
// parquet-go, allocates what a file's metadata and page headers claim: a
// page header of a few bytes may ask for gigabytes, a fatal out-of-memory
// that no recover catches. Held to its memory limit, the child ends, and
// the scan records an error for that file and goes on.
package parquetchild

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"datakart/internal/childlimit"
	"datakart/internal/frame"
)

// Env names the variable that makes this program a Parquet child; its
// value is the memory limit in bytes.
const Env = "DATAKART_PARQUET_CHILD"

// The frames the child answers with: FrameColumn for each column of the
// schema, in order (its flags byte, then its name); then, for each column
// chunk of each row group, FrameChunk (the column's number) and a
// FrameValue for each of its values that is read, a long one's last piece
// after a FramePiece for each piece before; then FrameEnd (the file's
// code).
const (
	FrameColumn = 'c'
	FrameChunk  = 'k'
	FrameValue  = 'v'
	FramePiece  = 'p'
	FrameEnd    = 'e'
)

// The flags of a column.
const (
	// Numeric: the values were numbers, whose leading zeros are lost.
	Numeric = 1 << iota
	// NotRead: a type that holds no personal data as text (a boolean, a
	// date, a time, a UUID, a decimal's bytes): declared by its name
	// only.
	NotRead
)

// The codes of a file.
const (
	CodeOK = iota
	CodeMalformed
	CodeEncrypted
)

// MaxValue is the most bytes of a value sent in one frame: a longer one
// (a document's text in a column) comes in pieces of this size.
const MaxValue = 1 << 20

func init() {
	childlimit.Serve(Env, serve)
}

// serve answers one request and returns the process's exit code: the
// file's code.
func serve(in io.Reader, out io.Writer, memory uint64) int {
	return frame.ServeFile(in, out, memory, FrameEnd, CodeMalformed, read)
}

// read writes the file's columns and values, and returns its code; a panic
// of the reader is a malformed file.
func read(ra io.ReaderAt, size int64, w *bufio.Writer) (c int) {
	defer func() {
		if recover() != nil {
			c = CodeMalformed
		}
	}()
	if encrypted(ra, size) {
		return CodeEncrypted
	}
	f, err := parquet.OpenFile(ra, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true), parquet.ReadBufferSize(64<<10))
	if err != nil {
		return CodeMalformed
	}
	schema := f.Schema()
	var read []bool // by column number
	for _, path := range schema.Columns() {
		leaf, ok := schema.Lookup(path...)
		if !ok {
			return CodeMalformed
		}
		flags := columnFlags(leaf.Node.Type())
		read = append(read, flags&NotRead == 0)
		name := append([]byte{byte(flags)}, FieldName(path)...)
		if frame.Write(w, FrameColumn, uint32(len(name)), name) != nil {
			return CodeMalformed
		}
	}
	values := make([]parquet.Value, 256)
	var text []byte
	for _, rg := range f.RowGroups() {
		for k, chunk := range rg.ColumnChunks() {
			if k >= len(read) || !read[k] {
				continue
			}
			if frame.Write(w, FrameChunk, uint32(k), nil) != nil {
				return CodeMalformed
			}
			if c := readChunk(chunk, values, &text, w); c != CodeOK {
				return c
			}
		}
	}
	return CodeOK
}

// readChunk writes the values of a column chunk that are not null.
func readChunk(chunk parquet.ColumnChunk, values []parquet.Value, text *[]byte, w *bufio.Writer) int {
	pages := chunk.Pages()
	defer pages.Close()
	for {
		p, err := pages.ReadPage()
		if errors.Is(err, io.EOF) {
			return CodeOK
		}
		if err != nil {
			return CodeMalformed
		}
		vr := p.Values()
		for {
			n, err := vr.ReadValues(values)
			for _, v := range values[:n] {
				if v.IsNull() {
					continue
				}
				*text = appendText((*text)[:0], v)
				if writeValue(w, *text) != nil {
					parquet.Release(p)
					return CodeMalformed
				}
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				parquet.Release(p)
				return CodeMalformed
			}
		}
		parquet.Release(p)
	}
}

// writeValue writes a value in pieces of MaxValue at most; bytes that are
// not UTF-8 text (a binary column) are not sent. The pieces are cut
// blindly, through a word or a rune: every one but the last is a
// FramePiece, so that the parent knows to join it to the next and cut
// the value where nothing it holds is split.
func writeValue(w *bufio.Writer, b []byte) error {
	if len(b) == 0 || !utf8.Valid(b) {
		return nil
	}
	for len(b) > MaxValue {
		if err := frame.Write(w, FramePiece, MaxValue, b[:MaxValue]); err != nil {
			return err
		}
		b = b[MaxValue:]
	}
	return frame.Write(w, FrameValue, uint32(len(b)), b)
}

// appendText appends a value as text: a string's bytes, a number in
// decimal.
func appendText(b []byte, v parquet.Value) []byte {
	switch v.Kind() {
	case parquet.Int32:
		return strconv.AppendInt(b, int64(v.Int32()), 10)
	case parquet.Int64:
		return strconv.AppendInt(b, v.Int64(), 10)
	case parquet.Float:
		return strconv.AppendFloat(b, float64(v.Float()), 'f', -1, 32)
	case parquet.Double:
		return strconv.AppendFloat(b, v.Double(), 'f', -1, 64)
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return append(b, v.ByteArray()...)
	}
	return b
}

// columnFlags says how a column of type t is read.
func columnFlags(t parquet.Type) int {
	if lt := t.LogicalType(); lt != nil {
		switch lt.Value.(type) {
		case *format.DateType, *format.TimeType, *format.TimestampType, *format.UUIDType, *format.DecimalType,
			*format.Float16Type, *format.BsonType, *format.GeometryType, *format.GeographyType:
			return NotRead
		}
	}
	switch t.Kind() {
	case parquet.Boolean, parquet.Int96, parquet.FixedLenByteArray:
		return NotRead // Int96: the legacy timestamps of Impala and Spark
	case parquet.Int32, parquet.Int64, parquet.Float, parquet.Double:
		return Numeric
	}
	return 0
}

// FieldName is the field of a column's path: its name where it is a top
// level column; else a JSON path, as a nested JSON value's field is
// named, a list's elements as "[*]" ("$.customer.phones[*]").
func FieldName(path []string) string {
	if len(path) == 1 {
		return path[0]
	}
	var b strings.Builder
	b.WriteString("$")
	for i := 0; i < len(path); i++ {
		// A LIST is written name.list.element (name.bag.array_element by
		// older writers); a MAP name.key_value.key and .value.
		if i+1 < len(path) && (path[i] == "list" && path[i+1] == "element" || path[i] == "bag" && path[i+1] == "array_element") {
			b.WriteString("[*]")
			i++
			continue
		}
		if path[i] == "key_value" {
			continue
		}
		b.WriteString(".")
		b.WriteString(path[i])
	}
	return b.String()
}

// encrypted tells a file encrypted with Parquet's modular encryption
// (its footer is encrypted, and ends "PARE"), which the reader cannot
// open.
func encrypted(ra io.ReaderAt, size int64) bool {
	var tail [4]byte
	if size < 8 {
		return false
	}
	if _, err := ra.ReadAt(tail[:], size-4); err != nil {
		return false
	}
	return bytes.Equal(tail[:], []byte("PARE"))
}
