package files

import (
	"slices"
	"strings"
	"testing"

	"datakart/internal/childlimit"
)

// 7z archives, made with p7zip 16.02: LZMA2 at -mx9 with a file in a
// folder, an app's folder with its SQLite database and the write-ahead
// log beside it, PPMd, encrypted headers (-mhe=on) and encrypted content, and an
// LZMA archive whose properties were changed to ask for a 1.5 GiB
// dictionary (its header's checksums mended). Two inputs FuzzSevenZip
// found: 179 bytes whose header makes the reader allocate 28 GB for its
// list of files (a fatal out-of-memory, which killed the fuzzer's process
// when the reader ran in it), and one it indexes out of range on.
func TestSevenZip(t *testing.T) {
	dir := t.TempDir()
	names := []string{"backup.7z", "ppmd.7z", "kryptert.7z", "kryptert-innhold.7z", "stor-ordbok.7z", "header-panic.7z"}
	if childlimit.MemoryLimited { // not under -race, whose child is not held to the limit
		names = append(names, "alloc-bomb.7z")
	}
	for _, name := range names {
		write(t, dir, name, fixture(t, name))
	}
	write(t, dir, "i-zip.zip", zipOf(t, map[string][]byte{"arkiv/backup.7z": fixture(t, "backup.7z")}))
	// An app's folder: its database, the newer row only in the log.
	write(t, dir, "app-data.7z", fixture(t, "app-data.7z"))
	write(t, dir, "etter.txt", []byte("fnr 10048744732\n"))
	rec, _ := scanTree(t, dir, Options{})
	for _, k := range []string{"backup.7z!ansatte.csv", "ppmd.7z!ansatte.csv", "i-zip.zip!arkiv/backup.7z!ansatte.csv"} {
		if got := rec.values[k+"|fødselsnummer"]; !slices.Equal(got, []string{"10048744732", "23114048690"}) {
			t.Errorf("%s: %q (parts %v, errors %v)", k, got, rec.kinds, rec.errs)
		}
	}
	if got := rec.values["app-data.7z!databases/app.db!kunder|epost"]; !slices.Equal(got, []string{"kari@online.no", "ola.i.loggen@online.no"}) {
		t.Errorf("a database and its log in a 7z: %q (parts %v, errors %v)", got, rec.kinds, rec.errs)
	}
	if !rec.has("backup.7z!sak/sak-1.eml|Subject", "10048745526") || !rec.has("etter.txt|", "10048744732") {
		t.Errorf("a message in a folder of the archive %q; the file after %q", rec.values["backup.7z!sak/sak-1.eml|Subject"], rec.text("etter.txt|"))
	}
	for name, want := range map[string]string{
		"kryptert.7z":                     "encrypted 7z archive",
		"kryptert-innhold.7z!ansatte.csv": "encrypted 7z archive",
		"stor-ordbok.7z!ansatte.csv":      "more memory than 7-Zip's -mx9 uses",
	} {
		if got := rec.skipped[name]; !strings.Contains(got, want) {
			t.Errorf("%s: skipped %q, want %q (errors %q)", name, got, want, rec.errs[name])
		}
	}
	wantErrs := map[string]string{"header-panic.7z": "malformed"}
	if childlimit.MemoryLimited {
		wantErrs["alloc-bomb.7z"] = "the reader failed on this archive"
	}
	for name, e := range rec.errs {
		if want, ok := wantErrs[name]; !ok || !strings.Contains(e, want) {
			t.Errorf("%s: error %q, want %q", name, e, want)
		}
		delete(wantErrs, name)
	}
	for name, want := range wantErrs {
		t.Errorf("%s: no error, want %q", name, want)
	}
}

// A member that --max-archive-entries leaves unread, and the files after
// it, are passed over in the child's output, and the limit is recorded.
func TestSevenZipEntryLimit(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "backup.7z", fixture(t, "backup.7z"))
	rec, _ := scanTree(t, dir, Options{MaxArchiveEntries: 1})
	if len(rec.values["backup.7z!ansatte.csv|fødselsnummer"]) != 2 || !strings.Contains(rec.skipped["backup.7z!sak/sak-1.eml"], "max-archive-entries") {
		t.Errorf("values %v, skipped %v, errors %v", rec.values, rec.skipped, rec.errs)
	}
}
