package main

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"datakart/internal/testdb"
	"datakart/inventory"
)

// TestHostileFiles scans a tree of files nobody cleaned: every one ends
// as a clear entry in the inventory and the scan finishes.
func TestHostileFiles(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	tree := filepath.Join(dir, "share")
	os.MkdirAll(tree, 0o755)
	put := func(name string, data []byte) {
		t.Helper()
		p := filepath.Join(tree, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A zip bomb: 64 MiB of zeros per member compress to almost nothing.
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	for _, n := range []string{"a.txt", "b.txt", "c.txt"} {
		w, _ := zw.Create(n)
		w.Write(bytes.Repeat([]byte("fnr 10048744732 "), 4<<20))
	}
	zw.Close()
	put("bomb.zip", bomb.Bytes())
	// A workbook in a zip, read in memory, over --max-member-bytes.
	var letters bytes.Buffer
	zw = zip.NewWriter(&letters)
	w, _ := zw.Create("big.xlsx")
	w.Write(append([]byte("PK\x03\x04"), make([]byte, 2<<20)...))
	zw.Close()
	put("letters.zip", letters.Bytes())
	// A 10 GB sparse file of NUL bytes.
	f, _ := os.Create(filepath.Join(tree, "sparse.img"))
	f.Truncate(10 << 30)
	f.Close()
	// One 64 MiB line with a fødselsnummer in the middle.
	line := append(bytes.Repeat([]byte("lorem ipsum "), 1<<22), []byte(" fnr 100487 44732 ")...)
	put("one-line.txt", append(line, bytes.Repeat([]byte(" dolor"), 1<<20)...))
	put("latin1.txt", []byte("Kunden Bj\xf8rn p\xe5 H\xe5\xf8ya, e-post bjorn@online.no\n"))
	put("utf16-nobom.txt", []byte("f\x00n\x00r\x00 \x001\x000\x000\x004\x008\x007\x004\x004\x007\x003\x002\x00\n\x00"))
	put("nul-heavy.txt", bytes.Repeat([]byte("a\x00\x00\x00"), 4096))
	put("truncated.csv.gz", []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03broken"))
	put("broken.xlsx", []byte("PK\x03\x04 not a workbook"))
	put("deep/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t.csv", []byte("epost\nola@online.no\n"))
	os.Symlink(tree, filepath.Join(tree, "loop"))
	syscall.Mkfifo(filepath.Join(tree, "pipe"), 0o644)
	syscall.Mknod(filepath.Join(tree, "null-device"), syscall.S_IFCHR|0o644, 1<<8|3)

	start := time.Now()
	out, stderr, code := runBinary(t, bin, "scan", "--no-history", "--max-expanded-bytes", "32MiB", "--max-member-bytes", "1MiB", "--format", "json", tree)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	took := time.Since(start)
	inv, err := inventory.Read(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	notes := map[string]string{}
	for _, e := range inv.Errors {
		notes[e.Container] += "error: " + e.Message
	}
	for _, s := range inv.Skipped {
		notes[s.Container] += "skipped: " + s.Reason
	}
	for name, want := range map[string]string{
		"sparse.img":                     "binary",
		"nul-heavy.txt":                  "binary",
		"loop":                           "symlink",
		"pipe":                           "not a regular file",
		"null-device":                    "not a regular file",
		"broken.xlsx":                    "error",
		"truncated.csv.gz!truncated.csv": "error",
		"letters.zip!big.xlsx":           "larger than 1048576 bytes cannot be opened in memory (--max-member-bytes)",
	} {
		if !strings.Contains(notes[name], want) {
			t.Errorf("%s: %q, want it to say %q", name, notes[name], want)
		}
	}
	bombed := false
	for name, n := range notes {
		if strings.HasPrefix(name, "bomb.zip") && strings.Contains(n, "max-expanded-bytes") {
			bombed = true
		}
	}
	if !bombed {
		t.Errorf("the zip bomb is not stopped at the limit: %v", notes)
	}
	for _, want := range []struct{ container, field, cat string }{
		{"one-line.txt", "", "no_fnr"},
		{"latin1.txt", "", "email"},
		{"utf16-nobom.txt", "", "no_fnr"},
		{"deep/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t.csv", "epost", "email"},
	} {
		if testdb.Category(inv, want.container, want.field, want.cat) == nil {
			t.Errorf("%s: %s not found", want.container, want.cat)
		}
	}
	if !inv.Complete {
		t.Error("the scan did not finish")
	}
	t.Logf("hostile tree scanned in %v", took.Round(time.Millisecond))
}

// TestFilesVanishingDuringTheScan: a file listed but gone (or made
// unreadable) before it is read is an error entry, not a crash.
func TestFilesVanishingDuringTheScan(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "gone.csv"), []byte("epost\nola@online.no\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "stays.csv"), []byte("epost\nkari@online.no\n"), 0o644)
	src := vanishing{dir: dir}
	inv := testdb.Scan(t, src.source(t))
	if len(inv.Errors) != 1 || inv.Errors[0].Container != "gone.csv" || !strings.Contains(inv.Errors[0].Message, "no such file") {
		t.Errorf("errors: %+v", inv.Errors)
	}
	if testdb.Category(inv, "stays.csv", "epost", "email") == nil {
		t.Error("the other file was not scanned")
	}
}
