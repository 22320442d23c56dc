package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// -o onto what is not a file writes into it and leaves it what it was:
// datakart bench writes to /dev/null, which a rename would replace.
func TestWriteReportKeepsWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	render := func(w io.Writer) error { _, err := io.WriteString(w, "report\n"); return err }

	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no named pipes: %v", err)
	}
	got := make(chan string)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- string(b)
	}()
	if err := writeReport(fifo, nil, render); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "report\n" {
		t.Errorf("the pipe's reader got %q", s)
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the pipe is no longer a pipe: %v %v", st.Mode(), err)
	}

	file := filepath.Join(dir, "real.json")
	link := filepath.Join(dir, "latest.json")
	if err := os.WriteFile(file, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	if err := writeReport(link, nil, render); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link is no longer a link: %v", err)
	}
	if b, _ := os.ReadFile(file); string(b) != "report\n" {
		t.Errorf("the link's file holds %q", b)
	}
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
		t.Errorf("the report is %v, want readable by its owner only", st.Mode().Perm())
	}

	if err := writeReport(dir, nil, render); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("-o onto a directory: %v", err)
	}
}
