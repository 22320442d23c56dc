package migrations

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLooks(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "001_a.sql"), []byte("CREATE TABLE t (epost text);"), 0o644)
	os.WriteFile(filepath.Join(dir, "README.md"), []byte("notes"), 0o644)
	if !Looks(dir) {
		t.Error("a folder of .sql files and a README is migrations")
	}
	os.WriteFile(filepath.Join(dir, "data.csv"), []byte("a\n1\n"), 0o644)
	if Looks(dir) {
		t.Error("a folder with a CSV is not only migrations")
	}
	if Looks(t.TempDir()) {
		t.Error("an empty folder is not migrations")
	}
}
