package frame

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"
)

// Frames written are read back: data frames as one stream up to a frame
// of another type, a code, and a stream that stops short.
func TestFrames(t *testing.T) {
	var b bytes.Buffer
	w := bufio.NewWriterSize(Writer{&b, 'd'}, 4)
	w.WriteString("fødselsnummer 10048744732")
	w.Flush()
	Write(&b, 'e', 7, nil)
	headers := 0
	r := &Reader{R: bufio.NewReader(bytes.NewReader(b.Bytes())), OnHeader: func() { headers++ }}
	got, err := io.ReadAll(r.Data('d'))
	if string(got) != "fødselsnummer 10048744732" || err != nil {
		t.Fatalf("data %q, %v", got, err)
	}
	if typ, n, err := r.Header(); typ != 'e' || n != 7 || err != nil {
		t.Fatalf("end frame %c %d %v", typ, n, err)
	}
	if headers < 2 {
		t.Errorf("OnHeader called %d times", headers)
	}
	cut := &Reader{R: bufio.NewReader(bytes.NewReader(b.Bytes()[:8]))}
	if _, err := io.ReadAll(cut.Data('d')); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a frame cut short: %v", err)
	}
	if _, err := (&Reader{R: bufio.NewReader(bytes.NewReader(b.Bytes()))}).Body(1<<20, 16); !errors.Is(err, ErrNotFrames) {
		t.Errorf("a body over its bound: %v", err)
	}
}
