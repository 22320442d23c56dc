// Package frame is the framing spoken over the pipes between the scanner
// and its child processes (internal/pdftext, internal/sevenzipchild): a
// frame is a type byte and a length (or a code) in 4 bytes,
// little-endian, followed by that many bytes where it is a length.
package frame

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// Write writes one frame of type typ: n, then p (len(p) bytes, or none
// where n is a code).
func Write(w io.Writer, typ byte, n uint32, p []byte) error {
	if bw, ok := w.(*bufio.Writer); ok {
		// The header in the buffer's free space: a child that sends a
		// frame per value (a Parquet column's) allocates none for it.
		bw.Write(binary.LittleEndian.AppendUint32(append(bw.AvailableBuffer(), typ), n))
		_, err := bw.Write(p)
		return err
	}
	var h [5]byte
	h[0] = typ
	binary.LittleEndian.PutUint32(h[1:], n)
	if _, err := w.Write(h[:]); err != nil {
		return err
	}
	_, err := w.Write(p)
	return err
}

// Writer writes each Write as one frame of its type.
type Writer struct {
	W    io.Writer
	Type byte
}

func (w Writer) Write(p []byte) (int, error) {
	if err := Write(w.W, w.Type, uint32(len(p)), p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// ErrNotFrames is the error of a stream that breaks the framing.
var ErrNotFrames = errors.New("the output is not in frames")

// Reader reads frames.
type Reader struct {
	R *bufio.Reader
	// OnHeader, where set, is called after each frame's header is read: a
	// parent resets a child's stall timer there.
	OnHeader func()
	left     uint32 // bytes left of the frame Data is reading
}

func ended(err error) error { return fmt.Errorf("the other side ended: %w", err) }

// Header reads a frame's header: its type, and its length or code.
func (f *Reader) Header() (byte, uint32, error) {
	var h [5]byte
	if _, err := io.ReadFull(f.R, h[:]); err != nil {
		return 0, 0, ended(err)
	}
	if f.OnHeader != nil {
		f.OnHeader()
	}
	return h[0], binary.LittleEndian.Uint32(h[1:]), nil
}

// Body reads a frame's n bytes, at most max of them.
func (f *Reader) Body(n uint32, max int) ([]byte, error) { return f.BodyInto(nil, n, max) }

// BodyInto is Body into buf, where it has room: a reader of many small
// frames reuses one buffer.
func (f *Reader) BodyInto(buf []byte, n uint32, max int) ([]byte, error) {
	if int64(n) > int64(max) {
		return nil, fmt.Errorf("%w: a frame of %d bytes, over %d", ErrNotFrames, n, max)
	}
	b := buf[:0]
	if cap(b) < int(n) {
		b = make([]byte, n)
	}
	b = b[:n]
	if _, err := io.ReadFull(f.R, b); err != nil {
		return nil, ended(err)
	}
	return b, nil
}

// Data reads the bytes of the frames of type typ that come next, as one
// stream: it ends at the first frame of another type, which it does not
// read.
func (f *Reader) Data(typ byte) io.Reader { return dataReader{f, typ} }

type dataReader struct {
	f   *Reader
	typ byte
}

func (d dataReader) Read(p []byte) (int, error) {
	f := d.f
	for f.left == 0 {
		next, err := f.R.Peek(1)
		if err != nil {
			return 0, ended(err)
		}
		if next[0] != d.typ {
			return 0, io.EOF
		}
		_, n, err := f.Header()
		if err != nil {
			return 0, err
		}
		f.left = n
	}
	n, err := f.R.Read(p[:min(uint32(len(p)), f.left)])
	f.left -= uint32(n)
	if errors.Is(err, io.EOF) {
		err = ended(io.ErrUnexpectedEOF)
	}
	return n, err
}

// SkipData passes over what is left of the frames of type typ that come
// next.
func (f *Reader) SkipData(typ byte) error {
	_, err := io.Copy(io.Discard, f.Data(typ))
	return err
}

// The requests a parent sends a child that reads one file (a 7z archive,
// a Parquet file): FileRequest says the file is the child's file
// descriptor 3, handed over open; BytesRequest holds its bytes, where it
// is a member of an archive.
const (
	FileRequest  = 'F'
	BytesRequest = 'b'
)

// ReadRequest reads a child's request from in and returns the file it
// names, with its size. A request of bytes may hold at most max of them.
func ReadRequest(in io.Reader, max int) (io.ReaderAt, int64, error) {
	requests := &Reader{R: bufio.NewReader(in)}
	typ, n, err := requests.Header()
	if err != nil {
		return nil, 0, err
	}
	b, err := requests.Body(n, max)
	if err != nil {
		return nil, 0, err
	}
	if typ == BytesRequest {
		return bytes.NewReader(b), int64(len(b)), nil
	}
	if typ != FileRequest {
		return nil, 0, errors.New("an unknown request")
	}
	f := os.NewFile(3, "handed over")
	if f == nil {
		return nil, 0, errors.New("no file handed over")
	}
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// ServeFile answers the one request of a child that reads a file: it
// reads the request from in (ReadRequest, at most memory bytes of it) and
// hands the file to read, which writes its frames to w and returns the
// file's code. A frame of type end with that code closes the answer, and
// the code is the process's exit code too; a request that cannot be read
// is the code malformed.
func ServeFile(in io.Reader, out io.Writer, memory uint64, end byte, malformed int, read func(ra io.ReaderAt, size int64, w *bufio.Writer) int) int {
	w := bufio.NewWriterSize(out, 64<<10)
	defer w.Flush()
	code := malformed
	if ra, size, err := ReadRequest(in, int(memory)); err == nil {
		code = read(ra, size, w)
	}
	Write(w, end, uint32(code), nil)
	return code
}
