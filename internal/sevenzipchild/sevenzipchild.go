// Package sevenzipchild is the child process that reads a 7z archive for
// the file connector (see connectors/files/sevenzip.go): this same
// program, started with Env set to the bytes of memory it may use. It
// reads one request on stdin, a frame that says the archive is the file
// handed over as its descriptor 3, or holds its bytes, and writes each file of the archive on stdout in frames:
// its name, its bytes, and its code; then the archive's code.
//
// 7z is read in a child because the reader, github.com/bodgit/sevenzip,
// takes the counts in an archive's header at their word: FuzzSevenZip
// found a 179-byte archive that makes it allocate 28 GB for its list of
// files, a fatal out-of-memory that no recover catches. Held to its
// memory limit, the child ends, and the scan records an error for that
// archive and goes on.
package sevenzipchild

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"datakart/internal/childlimit"
	"datakart/internal/frame"

	"github.com/bodgit/sevenzip"
	"github.com/klauspost/compress/zstd"
	"github.com/stangelandcl/ppmd"
	"github.com/ulikunitz/xz/lzma"
)

// Env names the variable that makes this program a 7z child; its value
// is the memory limit in bytes.
const Env = "DATAKART_7Z_CHILD"

// The frames (see internal/frame). The request is FrameFile (the archive is the file at file
// descriptor 3) or FrameBytes (the archive's bytes); the child answers
// with FrameMember (a file's name), FrameData (its bytes, in pieces) and
// FrameMemberEnd (its code) for each file, then FrameEnd (the archive's
// code). Each frame is its type, a length (or a code) in 4 bytes, and
// that many bytes.
const (
	FrameFile      = frame.FileRequest
	FrameBytes     = frame.BytesRequest
	FrameMember    = 'm'
	FrameData      = 'd'
	FrameMemberEnd = 'f'
	FrameEnd       = 'e'
)

// The codes of an archive or a file that could not be read.
const (
	CodeOK = iota
	CodeEncrypted
	CodeLimit // it asks for more memory than 7-Zip's -mx9 uses
	CodeMalformed
)

// MaxWindow bounds an LZMA or LZMA2 dictionary and a zstd window: what
// "7z -mx9" and "xz -9" use. MaxPPMdMemory bounds a PPMd model: -mx9
// uses 192 MiB.
const (
	MaxWindow     = 64 << 20
	MaxPPMdMemory = 256 << 20
)

var errCoderMemory = errors.New("a coder asks for more memory than 7-Zip's -mx9 uses")

func init() {
	// The library's coders allocate what an archive's properties ask for,
	// before a byte is read: these refuse more than -mx9 uses.
	sevenzip.RegisterDecompressor([]byte{0x03, 0x01, 0x01}, lzmaCoder)
	sevenzip.RegisterDecompressor([]byte{0x21}, lzma2Coder)
	sevenzip.RegisterDecompressor([]byte{0x03, 0x04, 0x01}, ppmdCoder)
	sevenzip.RegisterDecompressor([]byte{0x04, 0xf7, 0x11, 0x01}, zstdCoder)
	childlimit.Serve(Env, serve)
}

// serve answers one request and returns the process's exit code: the
// archive's code.
func serve(in io.Reader, out io.Writer, memory uint64) int {
	return frame.ServeFile(in, out, memory, FrameEnd, CodeMalformed, archive)
}

// archive writes the files of the 7z archive in ra on w, and returns the
// archive's code.
func archive(ra io.ReaderAt, size int64, w *bufio.Writer) int {
	r, err := open(ra, size)
	if err != nil {
		return code(err)
	}
	for _, f := range r.File {
		if f.FileInfo().IsDir() {
			continue
		}
		if frame.Write(w, FrameMember, uint32(len(f.Name)), []byte(f.Name)) != nil {
			return CodeMalformed
		}
		c := copyMember(f, w)
		if frame.Write(w, FrameMemberEnd, uint32(c), nil) != nil {
			return CodeMalformed
		}
	}
	return CodeOK
}

// open reads the archive's header; a panic of the reader is an error.
func open(ra io.ReaderAt, size int64) (r *sevenzip.Reader, err error) {
	defer func() {
		if recover() != nil {
			r, err = nil, errors.New("malformed archive")
		}
	}()
	return sevenzip.NewReader(io.NewSectionReader(ra, 0, size), size)
}

// copyMember writes a file's bytes in frames and returns its code.
func copyMember(f *sevenzip.File, w *bufio.Writer) (c int) {
	defer func() {
		if recover() != nil {
			c = CodeMalformed
		}
	}()
	rc, err := f.Open()
	if err != nil {
		return code(err)
	}
	defer rc.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := rc.Read(buf)
		if n > 0 && frame.Write(w, FrameData, uint32(n), buf[:n]) != nil {
			return CodeMalformed
		}
		if errors.Is(err, io.EOF) {
			return CodeOK
		}
		if err != nil {
			return code(err)
		}
	}
}

func code(err error) int {
	var re *sevenzip.ReadError
	switch {
	case errors.As(err, &re) && re.Encrypted:
		return CodeEncrypted
	case errors.Is(err, errCoderMemory):
		return CodeLimit
	}
	return CodeMalformed
}

// coderReader closes the stream a coder reads from.
type coderReader struct {
	io.Reader
	c io.Closer
}

func (r coderReader) Close() error { return r.c.Close() }

func oneReader(readers []io.ReadCloser) (io.ReadCloser, error) {
	if len(readers) != 1 {
		return nil, errors.New("a coder of one stream given more")
	}
	return readers[0], nil
}

// lzmaCoder: the properties are lc/lp/pb and the dictionary's size.
func lzmaCoder(p []byte, size uint64, readers []io.ReadCloser) (io.ReadCloser, error) {
	in, err := oneReader(readers)
	if err != nil {
		return nil, err
	}
	if len(p) != 5 {
		return nil, errors.New("LZMA properties of a bad length")
	}
	if binary.LittleEndian.Uint32(p[1:]) > MaxWindow {
		return nil, errCoderMemory
	}
	// The classic LZMA header: the properties, then the size.
	header := binary.LittleEndian.AppendUint64(bytes.Clone(p), size)
	r, err := lzma.NewReader(io.MultiReader(bytes.NewReader(header), in))
	if err != nil {
		return nil, fmt.Errorf("LZMA: %w", err)
	}
	return coderReader{r, in}, nil
}

// lzma2Coder: the property is the dictionary's size, coded in a byte.
func lzma2Coder(p []byte, _ uint64, readers []io.ReadCloser) (io.ReadCloser, error) {
	in, err := oneReader(readers)
	if err != nil {
		return nil, err
	}
	if len(p) != 1 || p[0] > 40 {
		return nil, errors.New("bad LZMA2 properties")
	}
	dict := (2 | int64(p[0])&1) << (p[0]/2 + 11) // as Lzma2Dec.c has it
	if dict > MaxWindow {
		return nil, errCoderMemory
	}
	r, err := lzma.Reader2Config{DictCap: int(dict)}.NewReader2(in)
	if err != nil {
		return nil, fmt.Errorf("LZMA2: %w", err)
	}
	return coderReader{r, in}, nil
}

// ppmdCoder: the properties are the model's order and its memory.
func ppmdCoder(p []byte, size uint64, readers []io.ReadCloser) (io.ReadCloser, error) {
	in, err := oneReader(readers)
	if err != nil {
		return nil, err
	}
	if len(p) != 5 {
		return nil, errors.New("PPMd properties of a bad length")
	}
	memory := binary.LittleEndian.Uint32(p[1:])
	if memory > MaxPPMdMemory || size > 1<<62 {
		return nil, errCoderMemory
	}
	r, err := ppmd.NewH7zReader(in, int(p[0]), int(memory), int(size))
	if err != nil {
		return nil, fmt.Errorf("PPMd: %w", err)
	}
	return coderReader{&r, in}, nil
}

// zstdCoder: a window of at most MaxWindow.
func zstdCoder(_ []byte, _ uint64, readers []io.ReadCloser) (io.ReadCloser, error) {
	in, err := oneReader(readers)
	if err != nil {
		return nil, err
	}
	zr, err := NewZstdReader(in)
	if err != nil {
		return nil, fmt.Errorf("zstd: %w", err)
	}
	return coderReader{zr, closeBoth{in, zr}}, nil
}

// NewZstdReader opens a zstd stream with one goroutine and a window of
// at most MaxWindow, as the file connector and this child both read one.
func NewZstdReader(r io.Reader) (*zstd.Decoder, error) {
	return zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(MaxWindow))
}

// closeBoth closes a coder's input and its zstd decoder.
type closeBoth struct {
	in io.Closer
	zr *zstd.Decoder
}

func (c closeBoth) Close() error {
	c.zr.Close()
	return c.in.Close()
}
