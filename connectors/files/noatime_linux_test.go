package files

import (
	"database/sql"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"datakart/internal/testdb"
)

// A scan leaves the access times of the files and directories it reads
// as they were, an SQLite database's too, where Linux allows it (the
// owner, root): a retention rule that archives what nobody opened in
// years still sees them unused.
func TestAccessTimesKept(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "eksport/kunder.csv", []byte("navn;fnr\nKari;10048744732\n"))
	write(t, dir, "eksport/arkiv.zip", zipOf(t, map[string][]byte{"a.txt": []byte("fnr 10048744732\n")}))
	write(t, dir, "kontroll.txt", []byte("x\n"))
	db, err := sql.Open("sqlite", filepath.Join(dir, "eksport", "app.db"))
	if err != nil {
		t.Fatal(err)
	}
	testdb.Exec(t, db, `CREATE TABLE t (epost TEXT)`, `INSERT INTO t VALUES ('kari@firma.no')`)
	db.Close()
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	paths := []string{filepath.Join(dir, "eksport"), filepath.Join(dir, "eksport", "kunder.csv"), filepath.Join(dir, "eksport", "arkiv.zip"), filepath.Join(dir, "eksport", "app.db")}
	for _, p := range append(paths, filepath.Join(dir, "kontroll.txt")) {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	// A plain read moves the access time, unless the file system never
	// does (noatime): then there is nothing to show.
	if _, err := os.ReadFile(filepath.Join(dir, "kontroll.txt")); err != nil {
		t.Fatal(err)
	}
	if atime(t, filepath.Join(dir, "kontroll.txt")).Equal(old) {
		t.Skip("this file system does not update access times")
	}

	rec, _ := scanTree(t, dir, Options{})
	if !rec.has("eksport/arkiv.zip!a.txt|", "10048744732") || len(rec.values["eksport/kunder.csv|fnr"]) != 1 || len(rec.values["eksport/app.db!t|epost"]) != 1 {
		t.Fatalf("not read: %v", rec.values)
	}
	for _, p := range paths {
		if got := atime(t, p); !got.Equal(old) {
			t.Errorf("%s: access time %v, was %v", p, got, old)
		}
	}
}

func atime(t *testing.T, path string) time.Time {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return time.Unix(st.Atim.Sec, st.Atim.Nsec).UTC()
}
