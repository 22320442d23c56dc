package files

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"datakart/connectors"
	"datakart/connectors/jsonvalues"
	"datakart/internal/testdb"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// recorder is a Sink that remembers everything, keyed by unit!part.
type recorder struct {
	unit    string
	part    string
	kinds   map[string]string
	values  map[string][]string // "part|field" → values
	lines   map[string][]int
	numeric map[string][]bool
	fields  map[string][]string
	errs    map[string]string
	skipped map[string]string
}

func newRecorder() *recorder {
	return &recorder{kinds: map[string]string{}, values: map[string][]string{}, lines: map[string][]int{},
		numeric: map[string][]bool{}, fields: map[string][]string{}, errs: map[string]string{}, skipped: map[string]string{}}
}

func (r *recorder) name() string {
	if r.part == "" {
		return r.unit
	}
	return r.unit + "!" + r.part
}
func (r *recorder) Begin(p connectors.Part) { r.part = p.Path; r.kinds[r.name()] = p.Kind }
func (r *recorder) Fields(n ...string)      { r.fields[r.name()] = append(r.fields[r.name()], n...) }
func (r *recorder) Value(v connectors.Value) error {
	k := r.name() + "|" + v.Field
	r.values[k] = append(r.values[k], string(v.Data))
	r.lines[k] = append(r.lines[k], v.Line)
	r.numeric[k] = append(r.numeric[k], v.Numeric)
	return nil
}
func (r *recorder) PartError(err error)                { r.errs[r.name()] = err.Error() }
func (r *recorder) PartSkipped(reason string)          { r.skipped[r.name()] = reason }
func (r *recorder) Paced(time.Duration, time.Duration) {}
func (r *recorder) Sampled(int64, string)              {}
func (r *recorder) FieldInfo(n, _ string, _ int)       { r.Fields(n) }
func (r *recorder) text(key string) string             { return strings.Join(r.values[key], "") }
func (r *recorder) has(key, sub string) bool           { return strings.Contains(r.text(key), sub) }

// fixture returns the file testdata/name.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// recordLimit lowers maxRecordBytes to n until the test ends, so small
// inputs take the way of a record, token or text too long to hold.
func recordLimit(tb testing.TB, n int) {
	old := maxRecordBytes
	maxRecordBytes = n
	tb.Cleanup(func() { maxRecordBytes = old })
}

func write(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func scanTree(t *testing.T, root string, opt Options) (*recorder, []connectors.Unit) {
	t.Helper()
	src, err := New(root, opt)
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	var units []connectors.Unit
	err = src.Units(context.Background(), func(u connectors.Unit) error {
		units = append(units, u)
		rec.unit = u.Name
		rec.part = ""
		if u.Read != nil {
			if err := u.Read(context.Background(), rec); err != nil {
				t.Errorf("read %s: %v", u.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rec, units
}

func zipOf(t testing.TB, files map[string][]byte) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			panic(err)
		}
		w.Write(files[n])
	}
	zw.Close()
	return b.Bytes()
}

func gz(data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// tarOf makes a tar archive of the files, in name order, with a directory
// entry and a symlink, which hold nothing to read.
func tarOf(t testing.TB, files map[string][]byte) []byte {
	var b bytes.Buffer
	w := tar.NewWriter(&b)
	w.WriteHeader(&tar.Header{Name: "dir/", Typeflag: tar.TypeDir, Mode: 0o755})
	w.WriteHeader(&tar.Header{Name: "link", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"})
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := w.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(files[name])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		w.Write(files[name])
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDecoders(t *testing.T) {
	dir := t.TempDir()
	csvData := []byte("fødselsnummer;navn;kontonummer\n10048744732;Ola Nordmann;8601.11.17947\n23114048690;\"Kari\nNordmann\";1503.75.77003\n")
	write(t, dir, "hr/ansatte.csv", csvData)
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte("Navn: Åse Ødegård\nfnr 10048744732\n"))
	write(t, dir, "notes/utf16.txt", utf16)
	latin1, _ := charmap.ISO8859_1.NewEncoder().Bytes([]byte("Kunden Bjørn Ærlig på Håøya\n"))
	write(t, dir, "notes/latin1.txt", latin1)
	write(t, dir, "api/customer.json", []byte(`{"customer":{"email":"ola@online.no","phones":["+4791234567","+4792345678"]},"orders":[{"card":"4242424242424242","n":12345678901}]}`))
	write(t, dir, "logs/app.ndjson", []byte("{\"user\":{\"email\":\"a@online.no\"}}\nthis line is no json, fnr 10048744732\n{\"user\":{\"email\":\"b@online.no\"}}\n"))
	write(t, dir, "archive/ansatte.csv.gz", gz(csvData))
	inner := zipOf(t, map[string][]byte{"customers.json": []byte(`[{"email":"c@online.no"}]`)})
	write(t, dir, "archive/bundle.zip", zipOf(t, map[string][]byte{"2023/ansatte.csv": csvData, "2023/inner.zip": inner, "2023/": nil}))
	backup := tarOf(t, map[string][]byte{"export/ansatte.csv": csvData, "export/inner.zip": inner})
	write(t, dir, "backup/kunder.tar.gz", gz(backup))
	write(t, dir, "backup/kunder.tar", backup)
	// bzip2, zstd and xz fixtures, made with the bzip2, zstd, xz and tar
	// tools (Go writes no bzip2; a zstd or xz writer would be a dependency
	// for the tests). huge-window.zst is a frame that asks for a 2 GiB
	// window, huge-dict.xz a stream that asks for a 1.5 GiB dictionary
	// (xz --lzma2=dict=1536MiB). The .lzma ones are "xz --format=lzma",
	// huge-dict.lzma with its header's dictionary changed to 1.5 GiB.
	for _, name := range []string{"ansatte.csv.bz2", "backup.tbz2", "ansatte.csv.zst", "backup.tzst", "huge-window.zst", "ansatte.csv.xz", "backup.txz", "huge-dict.xz",
		"ansatte.csv.lzma", "backup.tlz", "huge-dict.lzma"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		write(t, dir, "bz/"+name, b)
	}
	write(t, dir, "bz/not-lzma.lzma", []byte("fnr 10048744732\n")) // no magic: the header says it is no lzma stream
	write(t, dir, "bz/not-bzip2.txt", []byte("BZh is how this note starts: fnr 10048744732\n"))
	write(t, dir, "assets/logo.png", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...))
	write(t, dir, "bin/blob.dat", []byte{1, 2, 3, 0, 4, 5, 6})

	xf := excelize.NewFile()
	xf.SetSheetName("Sheet1", "Kunder")
	xf.SetSheetRow("Kunder", "A1", &[]any{"Navn", "Kortnummer", "Telefon"})
	xf.SetSheetRow("Kunder", "A2", &[]any{"Ola", 4111111111111111, "91234567"})
	var xb bytes.Buffer
	xf.WriteTo(&xb)
	write(t, dir, "crm/kunder.xlsx", xb.Bytes())

	doc := `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		`<w:p><w:r><w:t>Fødselsnummer: 100487</w:t></w:r><w:r><w:t xml:space="preserve"> 44732</w:t></w:r></w:p>` +
		`<w:p><w:r><w:t>Neste avsnitt</w:t></w:r></w:p></w:body></w:document>`
	write(t, dir, "docs/notat.docx", zipOf(t, map[string][]byte{"word/document.xml": []byte(doc)}))

	rec, _ := scanTree(t, dir, Options{})

	if got := rec.fields["hr/ansatte.csv"]; !slices.Equal(got, []string{"fødselsnummer", "navn", "kontonummer"}) {
		t.Errorf("csv fields = %q", got)
	}
	if got := rec.values["hr/ansatte.csv|fødselsnummer"]; !slices.Equal(got, []string{"10048744732", "23114048690"}) {
		t.Errorf("csv fnr column = %q", got)
	}
	if got := rec.values["hr/ansatte.csv|navn"]; len(got) != 2 || got[1] != "Kari\nNordmann" {
		t.Errorf("quoted multi-line cell = %q", got)
	}
	// The second record's kontonummer is on line 4: the name before it spans two lines.
	if got := rec.lines["hr/ansatte.csv|kontonummer"]; !slices.Equal(got, []int{2, 4}) {
		t.Errorf("csv lines = %v", got)
	}
	if !rec.has("notes/utf16.txt|", "Åse Ødegård") || !rec.has("notes/utf16.txt|", "10048744732") {
		t.Errorf("UTF-16 text = %q", rec.text("notes/utf16.txt|"))
	}
	if !rec.has("notes/latin1.txt|", "Bjørn Ærlig på Håøya") {
		t.Errorf("Latin-1 text = %q", rec.text("notes/latin1.txt|"))
	}
	for k, want := range map[string]string{
		"api/customer.json|$.customer.email":                                         "ola@online.no",
		"api/customer.json|$.customer.phones[*]":                                     "+4791234567+4792345678",
		"api/customer.json|$.orders[*].card":                                         "4242424242424242",
		"api/customer.json|$.orders[*].n":                                            "12345678901",
		"logs/app.ndjson|$.user.email":                                               "a@online.nob@online.no",
		"logs/app.ndjson|":                                                           "this line is no json, fnr 10048744732",
		"archive/ansatte.csv.gz!ansatte.csv|fødselsnummer":                           "1004874473223114048690",
		"archive/bundle.zip!2023/ansatte.csv|kontonummer":                            "8601.11.179471503.75.77003",
		"archive/bundle.zip!2023/inner.zip!customers.json|$[*].email":                "c@online.no",
		"crm/kunder.xlsx|Kunder!Kortnummer":                                          "4111111111111111",
		"docs/notat.docx|":                                                           "Fødselsnummer: 100487 44732Neste avsnitt",
		"backup/kunder.tar!export/ansatte.csv|fødselsnummer":                         "1004874473223114048690",
		"bz/ansatte.csv.bz2!ansatte.csv|fødselsnummer":                               "10048744732",
		"bz/backup.tbz2!backup.tar!export/ansatte.csv|kontonummer":                   "8601.11.17947",
		"bz/ansatte.csv.zst!ansatte.csv|fødselsnummer":                               "10048744732",
		"bz/backup.tzst!backup.tar!export/ansatte.csv|kontonummer":                   "8601.11.17947",
		"bz/ansatte.csv.xz!ansatte.csv|fødselsnummer":                                "10048744732",
		"bz/backup.txz!backup.tar!export/ansatte.csv|kontonummer":                    "8601.11.17947",
		"bz/ansatte.csv.lzma!ansatte.csv|fødselsnummer":                              "10048744732",
		"bz/not-lzma.lzma|":                                                          "fnr 10048744732\n",
		"bz/backup.tlz!backup.tar!export/ansatte.csv|kontonummer":                    "8601.11.17947",
		"bz/not-bzip2.txt|":                                                          "BZh is how this note starts: fnr 10048744732\n",
		"backup/kunder.tar.gz!kunder.tar!export/ansatte.csv|kontonummer":             "8601.11.179471503.75.77003",
		"backup/kunder.tar.gz!kunder.tar!export/inner.zip!customers.json|$[*].email": "c@online.no",
	} {
		if got := rec.text(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if e := rec.errs["bz/huge-window.zst!huge-window"]; !strings.Contains(e, "window size exceeded") {
		t.Errorf("a zstd frame asking for a 2 GiB window: error %q, want the window refused (errors %v)", e, rec.errs)
	}
	if e := rec.errs["bz/huge-dict.xz!huge-dict"]; !strings.Contains(e, "dictionary size exceeds max") {
		t.Errorf("an xz stream asking for a 1.5 GiB dictionary: error %q, want the dictionary refused (errors %v)", e, rec.errs)
	}
	if e := rec.errs["bz/huge-dict.lzma!huge-dict"]; !strings.Contains(e, "dictionary over 64 MiB") {
		t.Errorf("an lzma stream asking for a 1.5 GiB dictionary: error %q, want the dictionary refused (errors %v)", e, rec.errs)
	}
	if rec.kinds["logs/app.ndjson"] != "ndjson" || rec.errs["logs/app.ndjson"] == "" {
		t.Errorf("ndjson with a bad line: kind %q, error %q", rec.kinds["logs/app.ndjson"], rec.errs["logs/app.ndjson"])
	}
	for _, name := range []string{"assets/logo.png", "bin/blob.dat"} {
		if !strings.Contains(rec.skipped[name], "binary") {
			t.Errorf("%s: skipped %q, want a binary-file reason", name, rec.skipped[name])
		}
	}
}

// A format that holds personal data but is not read says which it is.
func TestUnreadFormatsNamed(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "gammel/kunder.mdb", []byte("\x00\x01\x00\x00Standard Jet DB\x00\x07"+strings.Repeat("\x00", 512))) // a format version not read
	write(t, dir, "par1.csv", []byte("PAR1;fnr\nx;10048744732\n"))                                                    // text that starts like Parquet
	rec, _ := scanTree(t, dir, Options{})
	if got := rec.values["par1.csv|fnr"]; len(got) != 1 {
		t.Errorf("a CSV that starts with PAR1: %q (skipped %q)", got, rec.skipped["par1.csv"])
	}
	for name, want := range map[string]string{"gammel/kunder.mdb": "format version 7"} {
		if got := rec.skipped[name]; !strings.Contains(got, want) {
			t.Errorf("%s: skipped %q", name, got)
		}
	}
}

func TestLimits(t *testing.T) {
	dir := t.TempDir()
	big := bytes.Repeat([]byte("fnr 10048744732 "), 1<<16) // 1 MiB of text
	write(t, dir, "bomb.zip", zipOf(t, map[string][]byte{"a.txt": big, "b.txt": big, "c.txt": big}))
	nested := zipOf(t, map[string][]byte{"x.txt": []byte("deep")})
	for range 4 {
		nested = zipOf(t, map[string][]byte{"n.zip": nested})
	}
	write(t, dir, "deep.zip", nested)
	many := map[string][]byte{}
	for i := range 20 {
		many[fmt.Sprintf("f%02d.txt", i)] = []byte("x")
	}
	write(t, dir, "many.zip", zipOf(t, many))
	write(t, dir, "many.tar", tarOf(t, many))
	write(t, dir, "bomb.tar.gz", gz(tarOf(t, map[string][]byte{"a.txt": big, "b.txt": big, "c.txt": big})))
	// 3 MiB of that text in 604 bytes of xz, made with the xz tool.
	xzBomb := fixture(t, "bomb.txt.xz")
	write(t, dir, "bomb.txt.xz", xzBomb)

	rec, _ := scanTree(t, dir, Options{MaxExpandedBytes: 1536 << 10, MaxArchiveEntries: 10, MaxArchiveDepth: 2})
	limited := false
	for name, msg := range rec.errs {
		if strings.HasPrefix(name, "bomb.zip") && strings.Contains(msg, "max-expanded-bytes") {
			limited = true
		}
	}
	for name, msg := range rec.skipped {
		if strings.HasPrefix(name, "bomb.zip") && strings.Contains(msg, "max-expanded-bytes") {
			limited = true
		}
	}
	if !limited {
		t.Errorf("zip bomb not bounded: errs %v skipped %v", rec.errs, rec.skipped)
	}
	tarLimited := false
	for name, msg := range rec.errs {
		tarLimited = tarLimited || strings.HasPrefix(name, "bomb.tar.gz") && strings.Contains(msg, "max-expanded-bytes")
	}
	for name, msg := range rec.skipped {
		tarLimited = tarLimited || strings.HasPrefix(name, "bomb.tar.gz") && strings.Contains(msg, "max-expanded-bytes")
	}
	if !tarLimited || len(rec.values["bomb.tar.gz!bomb.tar!a.txt|"]) == 0 {
		t.Errorf("tar.gz bomb not bounded, or what was read before is lost: errs %v skipped %v", rec.errs, rec.skipped)
	}
	if n := len(rec.values["bomb.zip!a.txt|"]); n == 0 {
		t.Error("what was read before the limit is lost")
	}
	if e := rec.errs["bomb.txt.xz!bomb.txt"]; !strings.Contains(e, "max-expanded-bytes") || len(rec.values["bomb.txt.xz!bomb.txt|"]) == 0 {
		t.Errorf("xz bomb not bounded, or what was read before is lost: error %q", e)
	}
	deepSkipped := false
	for name, msg := range rec.skipped {
		if strings.HasPrefix(name, "deep.zip") && strings.Contains(msg, "too deep") {
			deepSkipped = true
		}
	}
	if !deepSkipped {
		t.Errorf("nested zips not bounded by depth: %v", rec.skipped)
	}
	read := 0
	for k := range rec.values {
		if strings.HasPrefix(k, "many.zip!") {
			read++
		}
	}
	if read != 10 {
		t.Errorf("read %d members of many.zip, want the limit of 10", read)
	}
	read = 0
	for k := range rec.values {
		if strings.HasPrefix(k, "many.tar!") {
			read++
		}
	}
	if read != 10 {
		t.Errorf("read %d members of many.tar, want the limit of 10", read)
	}
}

func TestCorruptFilesAreErrors(t *testing.T) {
	dir := t.TempDir()
	good := gz([]byte("fnr 10048744732\n"))
	write(t, dir, "truncated.csv.gz", good[:len(good)-6])
	write(t, dir, "broken.zip", []byte("PK\x03\x04 this is not really a zip"))
	write(t, dir, "broken.xlsx", zipOf(t, map[string][]byte{"xl/workbook.xml": []byte("<not xml")}))
	write(t, dir, "broken.json", []byte(`{"a": "ola@online.no", "b": `))
	write(t, dir, "broken.xz", []byte("\xfd7zXZ\x00 this is not really xz"))
	rec, _ := scanTree(t, dir, Options{})
	for _, name := range []string{"truncated.csv.gz!truncated.csv", "broken.zip", "broken.xlsx", "broken.json", "broken.xz!broken"} {
		if rec.errs[name] == "" {
			t.Errorf("%s: no error recorded (errors: %v)", name, rec.errs)
		}
	}
	// A stream cut short says which: its compression's format.
	if e := rec.errs["truncated.csv.gz!truncated.csv"]; !strings.Contains(e, "gzip: unexpected EOF") {
		t.Errorf("a truncated gzip stream: %q", e)
	}
	// The format is named once: "zip: not a valid zip file".
	for name, e := range rec.errs {
		if kind, _, _ := strings.Cut(e, ": "); strings.HasPrefix(e, kind+": "+kind+": ") {
			t.Errorf("%s: %q names its format twice", name, e)
		}
	}
	if !rec.has("broken.json|$.a", "ola@online.no") {
		t.Error("values before a JSON error are lost")
	}
}

func TestWalk(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a/keep.csv", []byte("x\n1\n"))
	write(t, dir, "a/b/deep.csv", []byte("x\n1\n"))
	write(t, dir, "a/skip.log", []byte("x"))
	write(t, dir, "node_modules/m/x.csv", []byte("x"))
	os.Symlink(filepath.Join(dir, "a"), filepath.Join(dir, "link"))
	os.Symlink(dir, filepath.Join(dir, "a", "loop"))
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}

	_, units := scanTree(t, dir, Options{})
	byName := map[string]connectors.Unit{}
	var names []string
	for _, u := range units {
		byName[u.Name] = u
		names = append(names, u.Name)
	}
	if !slices.IsSorted(names) {
		t.Errorf("units not in lexical order: %q", names)
	}
	if u := byName["link"]; !strings.Contains(u.Skip, "symlink") {
		t.Errorf("symlink not skipped by default: %+v", u)
	}
	if u := byName["fifo"]; !strings.Contains(u.Skip, "not a regular file") {
		t.Errorf("fifo: %+v", u)
	}

	_, units = scanTree(t, dir, Options{Include: []string{"a/**/*.csv"}, Exclude: []string{"node_modules"}})
	names = names[:0]
	for _, u := range units {
		names = append(names, u.Name)
	}
	if !slices.Equal(names, []string{"a/b/deep.csv", "a/keep.csv"}) {
		t.Errorf("globbed units = %q", names)
	}

	_, units = scanTree(t, dir, Options{FollowSymlinks: true})
	loops := 0
	for _, u := range units {
		if strings.Contains(u.Skip, "loop") {
			loops++
		}
	}
	if loops == 0 {
		t.Error("following symlinks: the loop a/loop → root was not detected")
	}
}

func TestMatch(t *testing.T) {
	for _, tt := range []struct {
		pat, name string
		want      bool
	}{
		{"*.csv", "a/b/c.csv", true},
		{"**/*.csv", "c.csv", true},
		{"**/*.csv", "a/b/c.csv", true},
		{"a/**", "a/b/c.csv", true},
		{"a/*.csv", "a/b/c.csv", false},
		{"exports/**/*.csv", "exports/2024/x.csv", true},
		{"exports/**/*.csv", "other/x.csv", false},
	} {
		if got := Match(tt.pat, tt.name); got != tt.want {
			t.Errorf("Match(%q, %q) = %v", tt.pat, tt.name, got)
		}
	}
}

func TestLongLinesAreStreamedInPieces(t *testing.T) {
	oldBatch, oldRead := batchSize, readSize
	batchSize, readSize = 1024, 1024
	defer func() { batchSize, readSize = oldBatch, oldRead }()
	dir := t.TempDir()
	line := bytes.Repeat([]byte("lorem ipsum "), 1000)
	line = append(line, []byte("fnr 100487 44732 slutt")...)
	line = append(line, bytes.Repeat([]byte(" dolor"), 1000)...)
	write(t, dir, "one-line.txt", line)
	rec, _ := scanTree(t, dir, Options{})
	pieces := rec.values["one-line.txt|"]
	if len(pieces) < 10 {
		t.Fatalf("a %d-byte line came in %d pieces", len(line), len(pieces))
	}
	whole := false
	for _, p := range pieces {
		if len(p) > 3*1024+64<<10 {
			t.Errorf("a piece of %d bytes: memory is not bounded", len(p))
		}
		if strings.Contains(p, "100487 44732") {
			whole = true
		}
	}
	if !whole || rec.text("one-line.txt|") != string(line) {
		t.Error("the value spanning a cut was split, or text was lost or repeated")
	}
}

// Text comes in batches of whole lines, each the lines up to the first
// that reaches batchSize, with the line number of its first line; nothing
// is lost or repeated.
func TestTextBatchesAreWholeLines(t *testing.T) {
	oldBatch, oldRead := batchSize, readSize
	batchSize, readSize = 1024, 1024
	defer func() { batchSize, readSize = oldBatch, oldRead }()
	var text []byte
	for i := range 5000 {
		text = append(text, strings.Repeat("x", i*37%300)...)
		text = append(text, '\n')
	}
	text = append(text, "no newline at the end"...)
	dir := t.TempDir()
	write(t, dir, "lines.txt", text)
	rec, _ := scanTree(t, dir, Options{})
	pieces, lines := rec.values["lines.txt|"], rec.lines["lines.txt|"]
	if rec.text("lines.txt|") != string(text) {
		t.Fatal("text was lost or repeated")
	}
	line := 1
	for i, p := range pieces {
		last := i == len(pieces)-1
		if !last && (len(p) < batchSize || !strings.HasSuffix(p, "\n") || strings.Contains(p[:len(p)-1][batchSize-1:], "\n")) {
			t.Fatalf("batch %d of %d bytes is not the lines up to the first reaching %d", i, len(p), batchSize)
		}
		if lines[i] != line {
			t.Fatalf("batch %d starts at line %d, want %d", i, lines[i], line)
		}
		line += strings.Count(p, "\n")
	}
}

func TestCancel(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "big.txt", bytes.Repeat([]byte("line of text\n"), 200000))
	src, _ := New(dir, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	var readErr error
	src.Units(ctx, func(u connectors.Unit) error {
		cancel()
		readErr = u.Read(ctx, newRecorder())
		return nil
	})
	if !errors.Is(readErr, context.Canceled) {
		t.Errorf("read after cancel: %v", readErr)
	}
}

// TestDataNeverBecomesAFieldName: a CSV without a header row, or JSON keyed
// by e-mail addresses, must not put personal data into field names, which
// every report prints unmasked.
func TestDataNeverBecomesAFieldName(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "noheader.csv", []byte("10048744732;Ola Nordmann;ola@online.no\n23114048690;Kari;kari@online.no\n"))
	write(t, dir, "byemail.json", []byte(`{"users": {"ola@online.no": {"phone": "+4791234567"}, "10048744732": "x"}}`))
	rec, _ := scanTree(t, dir, Options{})
	for k := range rec.values {
		field := k[strings.Index(k, "|")+1:]
		for _, secret := range []string{"10048744732", "ola@online.no", "Ola Nordmann"} {
			if strings.Contains(field, secret) {
				t.Errorf("field name %q holds data", field)
			}
		}
	}
	if got := rec.values["noheader.csv|column_1"]; !slices.Equal(got, []string{"10048744732", "23114048690"}) {
		t.Errorf("headerless CSV first column = %q", got)
	}
	if !rec.has("byemail.json|$.users.*", "ola@online.no") || !rec.has("byemail.json|$.users.*.phone", "+4791234567") {
		t.Errorf("JSON keyed by data: %v", rec.values)
	}
}

// A CSV record grows without end when a quote is never closed (the rest
// of the file is one field) or a line is huge. Past maxRecordBytes the
// record is read again as text, from its first line, with the rest of the
// file: memory stays bounded, nothing is lost or repeated, and the
// container says what happened.
func TestCSVRecordTooLong(t *testing.T) {
	recordLimit(t, 4096)
	dir := t.TempDir()
	head := "navn;epost;notat\nOla;ola@online.no;ok\n"
	quoted := `Kari;kari@online.no;"aldri lukket ` + strings.Repeat("lorem ipsum ", 2000) + "fnr 10048744732\n" + "Per;per@online.no;slutt\n"
	write(t, dir, "open-quote.csv", []byte(head+quoted))
	small := head + "Kari;kari@online.no;\"" + strings.Repeat("x", 3000) + "\"\n"
	write(t, dir, "fits.csv", []byte(small))
	// The common case: a quote never closed, and many short lines after
	// it, which the csv reader gathers into one record.
	var lines strings.Builder
	for i := range 500 {
		fmt.Fprintf(&lines, "line %d\n", i)
	}
	open := "Kari;\"aldri lukket\n" + lines.String() + "fnr 10048744732\n"
	write(t, dir, "open-lines.csv", []byte(head+open))
	rec, _ := scanTree(t, dir, Options{})
	if text := rec.text("open-lines.csv|"); text != open {
		t.Errorf("a quote never closed before short lines: %d bytes as text, want the %d from the record's first line", len(text), len(open))
	}
	if e := rec.errs["open-lines.csv"]; !strings.Contains(e, "record from line 3 is longer than") {
		t.Errorf("error %q", e)
	}

	if got := rec.values["open-quote.csv|epost"]; !slices.Equal(got, []string{"ola@online.no"}) {
		t.Errorf("cells before the long record: %q", got)
	}
	text := rec.text("open-quote.csv|")
	if text != quoted {
		t.Errorf("the long record and the rest of the file came as text %d bytes, want the %d bytes from its first line", len(text), len(quoted))
	}
	if l := rec.lines["open-quote.csv|"]; len(l) == 0 || l[0] != 3 {
		t.Errorf("text lines %v, want them from line 3", l)
	}
	if e := rec.errs["open-quote.csv"]; !strings.Contains(e, "record from line 3 is longer than") || !strings.Contains(e, "read as text") {
		t.Errorf("error %q", e)
	}
	if got := rec.values["fits.csv|notat"]; len(got) != 2 || len(got[1]) != 3000 || rec.errs["fits.csv"] != "" {
		t.Errorf("a record under the limit: %d cells, error %q", len(got), rec.errs["fits.csv"])
	}
}

// The decoder holds a string whole: past maxJSONToken the value, from
// right after its key, and the rest of the document are read as text, so
// memory stays bounded and nothing is lost.
func TestJSONValueTooLong(t *testing.T) {
	old := maxJSONToken
	maxJSONToken = 4096
	defer func() { maxJSONToken = old }()
	dir := t.TempDir()
	rest := `: "` + strings.Repeat("lorem ipsum ", 2000) + "fnr 10048744732\",\n" + `"epost": "kari@online.no"}` + "\n"
	write(t, dir, "long.json", []byte("{\"id\": 1,\n\"epost\": \"ola@online.no\",\n\"notat\""+rest))
	write(t, dir, "fits.json", []byte(`{"notat": "`+strings.Repeat("x", 3000)+`", "epost": "per@online.no"}`))
	rec, _ := scanTree(t, dir, Options{})
	if got := rec.values["long.json|$.epost"]; !slices.Equal(got, []string{"ola@online.no"}) {
		t.Errorf("values before the long one: %q", got)
	}
	if text := rec.text("long.json|"); text != rest {
		t.Errorf("read as text: %d bytes, want the %d after the value's key", len(text), len(rest))
	}
	if l := rec.lines["long.json|"]; len(l) == 0 || l[0] != 3 {
		t.Errorf("text lines %v, want them from line 3", l)
	}
	if e := rec.errs["long.json"]; !strings.Contains(e, "value from line 3 is longer than") {
		t.Errorf("error %q", e)
	}
	if got := rec.values["fits.json|$.epost"]; len(got) != 1 || rec.errs["fits.json"] != "" {
		t.Errorf("a value under the limit: %q, error %q", got, rec.errs["fits.json"])
	}
}

// Each level of nesting costs memory (a file of 40 MB of '[' took 2.7
// GB): past jsonvalues.MaxDepth the rest of the document is read as text,
// from the bracket that would go too deep.
func TestJSONNestedTooDeep(t *testing.T) {
	dir := t.TempDir()
	n := jsonvalues.MaxDepth + 50
	doc := strings.Repeat("[", n) + `"ola@online.no"` + strings.Repeat("]", n)
	write(t, dir, "deep.json", []byte(doc))
	write(t, dir, "fits.json", []byte(strings.Repeat(`{"a":`, jsonvalues.MaxDepth-1)+`["kari@online.no"]`+strings.Repeat("}", jsonvalues.MaxDepth-1)))
	rec, _ := scanTree(t, dir, Options{})
	if text := rec.text("deep.json|"); text != doc[jsonvalues.MaxDepth:] {
		t.Errorf("read as text: %d bytes, want the %d from the bracket too deep", len(text), len(doc)-jsonvalues.MaxDepth)
	}
	if e := rec.errs["deep.json"]; !strings.Contains(e, "deeper than 256 levels") {
		t.Errorf("error %q", e)
	}
	// An NDJSON line that nests too deep is scanned as text, and the
	// lines after it are read.
	write(t, dir, "deep.ndjson", []byte(`{"a": 1}`+"\n"+doc+"\n"+`{"epost": "per@online.no"}`+"\n"))
	rec, _ = scanTree(t, dir, Options{})
	if !rec.has("deep.ndjson|", "ola@online.no") || !rec.has("deep.ndjson|$.epost", "per@online.no") || !strings.Contains(rec.errs["deep.ndjson"], "1 of 3 lines nest deeper than 256 levels") {
		t.Errorf("NDJSON: text %q, error %q", rec.text("deep.ndjson|"), rec.errs["deep.ndjson"])
	}
	if rec.errs["fits.json"] != "" || !rec.has("fits.json|$"+strings.Repeat(".a", jsonvalues.MaxDepth-1)+"[*]", "kari@online.no") {
		t.Errorf("a document %d levels deep: error %q", jsonvalues.MaxDepth, rec.errs["fits.json"])
	}
}

// A tree deeper than a path may be long (4,096 bytes on Linux) is read
// whole: past that length the walker goes on through os.Roots, which open
// one directory at a time, one every deepStep levels down (600 levels:
// the root's and two more).
func TestTreeDeeperThanAPathMayBe(t *testing.T) {
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	rel := ""
	for i := range 600 {
		rel = path.Join(rel, fmt.Sprintf("level%03d_%s", i, strings.Repeat("x", 12)))
		if err := root.Mkdir(rel, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	leaf := path.Join(rel, "leaf.csv")
	if len(dir)+len(leaf) < 10000 {
		t.Fatalf("the path is %d bytes, not longer than a path may be", len(dir)+len(leaf))
	}
	if err := root.WriteFile(leaf, []byte("epost\nola@online.no\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A 7z archive is read by a child handed the open file, not its name,
	// which no open() takes at this depth.
	deep7z := path.Join(rel, "backup.7z")
	if err := root.WriteFile(deep7z, fixture(t, "backup.7z"), 0o644); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "top.txt", []byte("kari@online.no"))
	rec, units := scanTree(t, dir, Options{})
	if got := rec.values[leaf+"|epost"]; !slices.Equal(got, []string{"ola@online.no"}) {
		t.Errorf("the file 600 levels down: %q (units %d)", got, len(units))
	}
	if got := rec.values[deep7z+"!ansatte.csv|fødselsnummer"]; len(got) != 2 {
		t.Errorf("the 7z archive 600 levels down: %q (error %q)", got, rec.errs[deep7z])
	}
	if !rec.has("top.txt|", "kari@online.no") {
		t.Error("the file at the top")
	}
	for _, u := range units {
		if u.Err != nil {
			t.Errorf("%.60s…: %v", u.Name, u.Err)
		}
	}
}

// /proc, /sys and their kind are views of the running kernel: a scan of /
// must not walk them, and /proc/kmsg blocks a read until the kernel logs.
// A directory on one, met in the walk or given as the root, is skipped
// with the reason.
func TestPseudoFilesystemsAreSkipped(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("pseudo filesystems are Linux's")
	}
	dir := t.TempDir()
	write(t, dir, "a.txt", []byte("kari@online.no"))
	if err := os.Symlink("/proc", filepath.Join(dir, "proc-link")); err != nil {
		t.Fatal(err)
	}
	// Walking /proc, or reading /proc/kmsg, would not end: the scans run
	// beside a clock.
	done := make(chan struct{})
	go func() {
		defer close(done)
		rec, units := scanTree(t, dir, Options{FollowSymlinks: true})
		if !rec.has("a.txt|", "kari@online.no") {
			t.Error("the file beside the link")
		}
		skipped := ""
		for _, u := range units {
			if u.Name == "proc-link" {
				skipped = u.Skip
			}
			if strings.HasPrefix(u.Name, "proc-link/") {
				t.Errorf("walked into /proc: %s", u.Name)
				return
			}
		}
		if !strings.Contains(skipped, "running kernel (proc)") {
			t.Errorf("proc-link skipped %q", skipped)
		}
		_, units = scanTree(t, "/proc/kmsg", Options{})
		if len(units) != 1 || !strings.Contains(units[0].Skip, "running kernel (proc)") {
			t.Errorf("/proc/kmsg as the root: %+v", units)
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the scan went into /proc and did not end")
	}
}

// A docx whose one text run, or one paragraph, is larger than a record
// may be is read in bounded pieces, and every value in it is found, with
// no error. A tag that long makes the rest of the document text, with an
// error, and nothing after it is lost.
func TestDocxTooLong(t *testing.T) {
	recordLimit(t, 4096)
	dir := t.TempDir()
	doc := func(body string) []byte {
		return zipOf(t, map[string][]byte{"word/document.xml": []byte(`<w:document xmlns:w="w"><w:body>` + body + `</w:body></w:document>`)})
	}
	long := strings.Repeat("fnr 10048744732 ", 1000)
	write(t, dir, "one-run.docx", doc(`<w:p><w:r><w:t>før</w:t></w:r></w:p><w:p><w:r><w:t>`+long+`</w:t></w:r></w:p><w:p><w:r><w:t>etter 23114048690</w:t></w:r></w:p>`))
	write(t, dir, "long-tag.docx", doc(`<w:p><w:r><w:t>før</w:t></w:r></w:p><w:p><w:r w:x="`+long+`"><w:t>etter 23114048690</w:t></w:r></w:p>`))
	var runs strings.Builder
	for range 1000 {
		runs.WriteString(`<w:r><w:t xml:space="preserve">fnr 10048744732 </w:t></w:r>`)
	}
	write(t, dir, "many-runs.docx", doc(`<w:p>`+runs.String()+`</w:p>`))

	rec, _ := scanTree(t, dir, Options{})
	for name, errWant := range map[string]string{"one-run.docx": "", "many-runs.docx": "", "long-tag.docx": "read as text"} {
		text := rec.text(name + "|")
		if n := strings.Count(text, "10048744732"); n != 1000 {
			t.Errorf("%s: %d of 1000 fødselsnummer found", name, n)
		}
		if e := rec.errs[name]; errWant == "" && e != "" || !strings.Contains(e, errWant) {
			t.Errorf("%s: error %q, want %q", name, e, errWant)
		}
		for _, v := range rec.values[name+"|"] {
			// (What is read as text comes in the text reader's batches.)
			if errWant == "" && len(v) > 2*maxRecordBytes {
				t.Errorf("%s: a value of %d bytes", name, len(v))
			}
		}
	}
	for _, name := range []string{"one-run.docx", "long-tag.docx"} {
		if text := rec.text(name + "|"); !strings.Contains(text, "før") || !strings.Contains(text, "23114048690") {
			t.Errorf("%s: the paragraphs around the long run: %q…", name, text[:min(len(text), 80)])
		}
	}
}

// tarInOrder makes a tar of name, data pairs in the order given.
func tarInOrder(t *testing.T, files ...any) []byte {
	var b bytes.Buffer
	w := tar.NewWriter(&b)
	for i := 0; i+1 < len(files); i += 2 {
		name, data := files[i].(string), files[i+1].([]byte)
		if err := w.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// An SQLite database in the tree, as a phone backup or an app's data
// folder holds, is read table by table, the columns as fields; so is one
// in an archive, from memory, with its log where it stands beside it in a
// zip or next to it in a tar.
func TestSQLiteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "backup", "contacts.db")
	os.MkdirAll(filepath.Dir(path), 0o755)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	testdb.Exec(t, db, `CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT, phone TEXT, note TEXT)`,
		`INSERT INTO contacts (name, phone, note) VALUES ('Kari Nordmann', '+47 912 34 567', 'fnr 10048744732'), ('Ola', '92345678', NULL)`,
		`CREATE TABLE empty (a TEXT)`)
	db.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "arkiv.zip", zipOf(t, map[string][]byte{"contacts.db": data}))
	write(t, dir, "tom.db", nil)
	// An app that is running: its latest rows are in its log, which is
	// read with the database.
	os.MkdirAll(filepath.Join(dir, "live"), 0o755)
	testdb.SQLiteApp(t, filepath.Join(dir, "live", "app.db"), `CREATE TABLE t (a TEXT)`, `INSERT INTO t VALUES ('kari@firma.no')`)
	liveDB, err := os.ReadFile(filepath.Join(dir, "live", "app.db"))
	if err != nil {
		t.Fatal(err)
	}
	liveLog, err := os.ReadFile(filepath.Join(dir, "live", "app.db-wal"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "appdata.zip", zipOf(t, map[string][]byte{"databases/app.db": liveDB, "databases/app.db-wal": liveLog}))
	write(t, dir, "appdata.tgz", gz(tarOf(t, map[string][]byte{"databases/app.db": liveDB, "databases/app.db-wal": liveLog})))
	// A tar inside a zip: the database in the tar is not the zip's, so a
	// log in the zip is not its log.
	write(t, dir, "nested.zip", zipOf(t, map[string][]byte{"app.db-wal": liveLog, "backup.tar": tarOf(t, map[string][]byte{"app.db": liveDB})}))
	write(t, dir, "log-first.tar", tarInOrder(t, "app.db-wal", liveLog, "app.db", liveDB))
	write(t, dir, "between.tar", tarInOrder(t, "app.db", liveDB, "notes.txt", []byte("x\n"), "app.db-wal", liveLog))
	write(t, dir, "two-apps.tar", tarInOrder(t, "a/app.db", liveDB, "b/app.db", liveDB, "notes.txt", []byte("x\n"),
		"b/app.db-wal", liveLog, "a/app.db-wal", liveLog))
	write(t, dir, "no-log.tar", tarInOrder(t, "app.db", liveDB, "notes.txt", []byte("x\n")))
	// A running app's folder in name order: its shared-memory index
	// (-shm) comes between the database and its log.
	write(t, dir, "with-shm.tar", tarInOrder(t, "app.db", liveDB, "app.db-shm", make([]byte, 32768), "app.db-wal", liveLog))
	torn := slices.Clone(liveLog)
	torn[len(torn)-1] ^= 1 // the last frame's page: its checksum fails, so its transaction is not read
	write(t, dir, "torn.zip", zipOf(t, map[string][]byte{"app.db": liveDB, "app.db-wal": torn}))
	write(t, dir, "broken.zip", zipOf(t, map[string][]byte{"broken.db": append([]byte(sqliteSignature), bytes.Repeat([]byte{0xff}, 4000)...)}))
	rec, _ := scanTree(t, dir, Options{})
	if got := rec.values["backup/contacts.db!contacts|phone"]; !slices.Equal(got, []string{"+47 912 34 567", "92345678"}) {
		t.Errorf("phone: %q (kinds %v, errors %v)", got, rec.kinds, rec.errs)
	}
	if !rec.has("backup/contacts.db!contacts|note", "10048744732") || rec.kinds["backup/contacts.db!contacts"] != "sqlite table" {
		t.Errorf("note: %q, kinds %v", rec.text("backup/contacts.db!contacts|note"), rec.kinds)
	}
	if _, ok := rec.kinds["backup/contacts.db!empty"]; !ok {
		t.Errorf("the empty table: %v", rec.kinds)
	}
	if !rec.has("arkiv.zip!contacts.db!contacts|note", "10048744732") || rec.kinds["arkiv.zip!contacts.db!contacts"] != "sqlite table" {
		t.Errorf("in a zip: %q, kinds %v, skipped %v", rec.text("arkiv.zip!contacts.db!contacts|note"), rec.kinds, rec.skipped)
	}
	if got := rec.values["appdata.zip!databases/app.db!t|a"]; !slices.Equal(got, []string{"kari@firma.no"}) {
		t.Errorf("in a zip with its log: %q, kinds %v, errors %v", got, rec.kinds, rec.errs)
	}
	if got := rec.skipped["appdata.zip!databases/app.db-wal"]; !strings.Contains(got, "read with its database") {
		t.Errorf("the log in the zip: skipped %q", got)
	}
	// A tar is a stream: a database is read with its log wherever it
	// stands, right after it (a folder in name order, past the -shm
	// between them), before it, or past other members (a folder in
	// directory order); the two of another folder are not mixed up.
	for _, db := range []string{"appdata.tgz!appdata.tar!databases/app.db", "log-first.tar!app.db", "with-shm.tar!app.db",
		"between.tar!app.db", "two-apps.tar!a/app.db", "two-apps.tar!b/app.db"} {
		if got := rec.values[db+"!t|a"]; !slices.Equal(got, []string{"kari@firma.no"}) {
			t.Errorf("%s, its log in the tar: %q, kinds %v, errors %v", db, got, rec.kinds, rec.errs)
		}
	}
	if got := rec.skipped["between.tar!app.db-wal"]; !strings.Contains(got, "read with its database") {
		t.Errorf("the log in the tar: skipped %q", got)
	}
	// A database whose log never comes is read alone when the tar ends
	// (this one's table is only in its log).
	if _, ok := rec.kinds["no-log.tar!app.db!t"]; ok || rec.kinds["no-log.tar!app.db"] != "sqlite" {
		t.Errorf("a database without its log: kinds %v, errors %v", rec.kinds, rec.errs)
	}
	if _, ok := rec.kinds["nested.zip!backup.tar!app.db!t"]; ok || rec.kinds["nested.zip!backup.tar!app.db"] != "sqlite" {
		t.Errorf("a database in a tar in a zip took the zip's log: kinds %v", rec.kinds)
	}
	// The log's two transactions: the table, then its row, whose page is
	// torn.
	if got, ok := rec.values["torn.zip!app.db!t|a"]; len(got) != 0 || rec.kinds["torn.zip!app.db!t"] != "sqlite table" {
		t.Errorf("a log whose last commit is torn: %q %v, kinds %v, errors %v", got, ok, rec.kinds, rec.errs)
	}
	if e := rec.errs["broken.zip!broken.db"]; e == "" {
		t.Errorf("a broken database in a zip: kinds %v, errors %v", rec.kinds, rec.errs)
	}
	delete(rec.errs, "broken.zip!broken.db")
	if got := rec.values["live/app.db!t|a"]; !slices.Equal(got, []string{"kari@firma.no"}) || len(rec.errs) != 0 {
		t.Errorf("a running app's database, its rows in the log: %q, errors %v", got, rec.errs)
	}
	if got := rec.skipped["live/app.db-wal"]; !strings.Contains(got, "write-ahead log") {
		t.Errorf("the log: skipped %q", got)
	}
	if es, _ := os.ReadDir(filepath.Dir(path)); len(es) != 1 {
		t.Errorf("files beside the database: %v", es)
	}
	// A database in an archive is held in memory, so --max-member-bytes
	// bounds it.
	small := t.TempDir()
	write(t, small, "arkiv.zip", zipOf(t, map[string][]byte{"contacts.db": data}))
	rec, _ = scanTree(t, small, Options{MaxMemberBytes: int64(len(data) - 1)})
	if got := rec.skipped["arkiv.zip!contacts.db"]; !strings.Contains(got, "larger than") {
		t.Errorf("a database over the limit: skipped %q, kinds %v", got, rec.kinds)
	}
	// So does it the databases of a stream waiting for their logs: past
	// it, the one held longest is read without its log.
	held := t.TempDir()
	// Databases larger than their log, so the limit holds one and a log.
	big := filepath.Join(t.TempDir(), "app.db")
	testdb.SQLiteApp(t, big, `CREATE TABLE pad (b BLOB)`, `INSERT INTO pad VALUES (zeroblob(65536))`, `PRAGMA wal_checkpoint(TRUNCATE)`,
		`CREATE TABLE t (a TEXT)`, `INSERT INTO t VALUES ('kari@firma.no')`)
	bigDB, bigLog := readFile(t, big), readFile(t, big+"-wal")
	write(t, held, "two-apps.tar", tarInOrder(t, "a/app.db", bigDB, "b/app.db", bigDB, "b/app.db-wal", bigLog, "a/app.db-wal", bigLog))
	rec, _ = scanTree(t, held, Options{MaxMemberBytes: int64(2*len(bigDB) - 1)})
	if _, ok := rec.kinds["two-apps.tar!a/app.db!t"]; ok || rec.kinds["two-apps.tar!a/app.db!pad"] != "sqlite table" {
		t.Errorf("the database held longest: kinds %v, errors %v", rec.kinds, rec.errs)
	}
	if got := rec.values["two-apps.tar!b/app.db!t|a"]; !slices.Equal(got, []string{"kari@firma.no"}) {
		t.Errorf("the database held last, with its log: %q, kinds %v", got, rec.kinds)
	}
}

// A long line with no white space to cut at is cut between runes, not
// through one: the sink's values are UTF-8.
func TestSafeCutKeepsRunes(t *testing.T) {
	for _, s := range []string{"å", "€", "😀", "a"} {
		line := strings.Repeat(s, 5000)
		for end := len(line) - 4; end <= len(line); end++ {
			if cut := safeCut([]byte(line[:end])); !utf8.ValidString(line[:cut]) || end-cut >= len(s) {
				t.Errorf("%q×5000 to %d: cut at %d", s, end, cut)
			}
		}
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// expect reports each key whose text does not hold its wanted part.
func (r *recorder) expect(t *testing.T, want map[string]string) {
	t.Helper()
	for k, sub := range want {
		if !r.has(k, sub) {
			t.Errorf("%s: %q not in %q (parts %v, errors %v)", k, sub, r.text(k), r.kinds, r.errs)
		}
	}
}

// matchParts agrees with the plain recursive reading of "**", which tries
// every split, on patterns and paths made of a few elements.
func FuzzMatchParts(f *testing.F) {
	f.Add("a/**/b/*.csv", "a/x/b/y.csv")
	f.Add("**/**/x", "a/b/x")
	f.Add("**", "")
	f.Fuzz(func(t *testing.T, pattern, name string) {
		pat, nm := strings.Split(pattern, "/"), strings.Split(name, "/")
		if len(pat) > 8 || len(nm) > 8 {
			return
		}
		if got, want := matchParts(pat, nm), matchPartsSlowly(pat, nm); got != want {
			t.Fatalf("matchParts(%q, %q) = %v, the recursive reading says %v", pattern, name, got, want)
		}
	})
}

func matchPartsSlowly(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(name); i++ {
				if matchPartsSlowly(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 || !matchElement(pat[0], name[0]) {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// A pattern of many "**" against a deep path takes no time (tried every
// way, it is some 48 million ways; the bound leaves room for a loaded CI
// machine).
func TestMatchManyDoubleStars(t *testing.T) {
	pat := strings.Repeat("**/", 8) + "x.csv"
	name := strings.Repeat("d/", 30) + "y.csv"
	start := time.Now()
	if Match(pat, name) || !Match(pat, strings.Repeat("d/", 30)+"x.csv") {
		t.Error("wrong answer")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
}

// A log with space preallocated after its lines, or cut short by a crash,
// has a tail of NUL bytes, and a sparse file has holes of them: such a
// file was skipped whole as binary when they began in its first 8 KiB.
// NULs scattered among the bytes, and a file that begins with a hole,
// stay binary, the latter saying why.
func TestTextWithNULGaps(t *testing.T) {
	dir := t.TempDir()
	lines := strings.Repeat("INFO bruker fødselsnummer 10048744732 logget inn\n", 50)
	write(t, dir, "prealloc.log", []byte(lines+strings.Repeat("\x00", 1<<20)))
	write(t, dir, "restarted.log", []byte(lines+strings.Repeat("\x00", 4096)+lines))
	write(t, dir, "short-tail.log", []byte(lines+"\x00\x00\x00"))
	write(t, dir, "scattered.log", []byte(strings.ReplaceAll(lines, " ", " \x00")))
	write(t, dir, "hole-first.log", []byte(strings.Repeat("\x00", 16<<10)+lines))
	write(t, dir, "no-lines.dat", []byte("HEADER v1"+strings.Repeat("\x00", 4096)+"\x01\x02"))
	rec, _ := scanTree(t, dir, Options{})
	for name, want := range map[string]int{"prealloc.log": 50, "restarted.log": 100, "short-tail.log": 50} {
		if got := strings.Count(rec.text(name+"|"), "10048744732"); got != want || rec.skipped[name] != "" {
			t.Errorf("%s: %d lines read, skipped %q; want %d", name, got, rec.skipped[name], want)
		}
	}
	for _, name := range []string{"scattered.log", "hole-first.log", "no-lines.dat"} {
		if !strings.Contains(rec.skipped[name], "binary") {
			t.Errorf("%s: skipped %q, want binary", name, rec.skipped[name])
		}
	}
	if !strings.Contains(rec.skipped["hole-first.log"], "all NUL") {
		t.Errorf("a file that begins with a hole: skipped %q, want it to say so", rec.skipped["hole-first.log"])
	}
}
