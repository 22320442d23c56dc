package files

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"datakart/connectors/sqldb"
	"datakart/internal/pdftest"
	"datakart/internal/pst/psttest"
	"datakart/internal/testdb"

	"github.com/parquet-go/parquet-go"
)

// fuzzDecode feeds arbitrary bytes, named name, through the decoder
// dispatch: whatever the input, it must not panic, hang or grow without
// bound, and everything it hands on must be recorded against a part.
func fuzzDecode(f *testing.F, name string, seeds ...[]byte) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, rec := fuzzDecoder(name)
		checkDecode(t, d, rec, bytes.NewReader(data), name)
	})
}

// fuzzDecoder is a decoder with small limits, recording into rec.
func fuzzDecoder(name string) (*decoder, *recorder) {
	opt := Options{MaxArchiveDepth: 2, MaxArchiveEntries: 20, MaxExpandedBytes: 1 << 20, MaxMemberBytes: 1 << 20,
		Database: sqldb.Options{StatementTimeout: 5 * time.Second}}
	rec := newRecorder()
	rec.unit = name
	return &decoder{opt: &opt, sink: rec, budget: opt.MaxExpandedBytes}, rec
}

// checkDecode decodes r, named name, with d, and fails where the read
// ended in an error, began no part, or where a decoder panicked.
func checkDecode(t *testing.T, d *decoder, rec *recorder, r io.Reader, name string) {
	if err := d.decode(context.Background(), r, name, "", 0); err != nil {
		t.Fatalf("decode returned %v; only a cancelled context may end a read with an error", err)
	}
	if len(rec.kinds) == 0 {
		t.Fatal("no part was begun")
	}
	// decode recovers a decoder's panic so that the scan goes on, but a
	// panic is a bug all the same.
	for part, e := range rec.errs {
		if strings.Contains(e, "decoder failed on malformed input") {
			t.Fatalf("%s: %s", part, e)
		}
	}
}

func FuzzCSV(f *testing.F) {
	// A small record limit, so inputs the fuzzer makes also take the way
	// from a record too long to text.
	recordLimit(f, 64)
	fuzzDecode(f, "x.csv", []byte("fnr;navn\n10048744732;\"Ola\nN\"\n"), []byte("a,b\n1,2,3\n\"x"),
		[]byte("a;b\n1;\"never closed "+strings.Repeat("x ", 40)+"\n10048744732\n"))
}

func FuzzJSON(f *testing.F) {
	// A small token limit, so inputs the fuzzer makes also take the way
	// from a value too long to text.
	old := maxJSONToken
	maxJSONToken = 64
	f.Cleanup(func() { maxJSONToken = old })
	fuzzDecode(f, "x.json", []byte(`{"a":{"b":[1,"x",{"c":null}]}}`), []byte(`[[[`), []byte(`{"a":`),
		[]byte(`{"a": "`+strings.Repeat("x ", 40)+` 10048744732", "b": 1}`))
}

func FuzzNDJSON(f *testing.F) {
	fuzzDecode(f, "x.ndjson", []byte("{\"a\":1}\n{bad\n{\"b\":\"x@y.no\"}\n"))
}

func FuzzText(f *testing.F) {
	fuzzDecode(f, "x.txt", []byte("hei\r\nfnr 10048744732"), []byte("\xff\xfeh\x00i\x00"), []byte("bj\xf8rn"), []byte("\xef\xbb\xbfx"))
}

func FuzzGzip(f *testing.F) {
	fuzzDecode(f, "x.csv.gz", gz([]byte("a;b\n1;2\n")), []byte("\x1f\x8b\x08"))
}

func FuzzZip(f *testing.F) {
	fuzzDecode(f, "x.zip", zipOf(nil, map[string][]byte{"a.csv": []byte("a\n1\n"), "b.zip": zipOf(nil, map[string][]byte{"c.txt": []byte("x")})}), []byte("PK\x03\x04"),
		zipOf(nil, map[string][]byte{"only-a-directory/": nil}))
}

// FuzzRAR seeds claim compressed files over arbitrary data, so that the
// fuzzer's mutations, which a header's checksum turns away, reach the
// coders of each format: RAR 5's, RAR 2.9's (LZ, PPMd and the filter
// VM) and RAR 2.0's.
func FuzzRAR(f *testing.F) {
	data := []byte("fnr 10048744732 \x00\x01\x02\xff\xfe" + strings.Repeat("\x5a\xa5\x33", 40))
	fuzzDecode(f, "x.rar",
		rar5(rarFile{name: "a.txt", data: data}, rarFile{name: "d", dir: true}, rarFile{name: "d/b.csv", data: []byte("a;b\n1;2\n")}),
		rar5(rarFile{name: "a.txt", data: data, method: 3}), rar5(rarFile{name: "a.txt", data: data, method: 5, dict: 2, unpacked: 1 << 20}),
		rar15(rarFile{name: "a.txt", data: data}), rar15(rarFile{name: "a.txt", data: data, method: 3, version: 29}),
		rar15(rarFile{name: "a.txt", data: append([]byte{0x80}, data...), method: 3, version: 29}), // PPMd
		rar15(rarFile{name: "a.txt", data: data, method: 3, version: 20}), rar5Encrypted(), []byte("Rar!\x1a\x07\x01\x00"))
}

func FuzzBzip2(f *testing.F) {
	fuzzDecode(f, "x.tbz2", fixture(f, "backup.tbz2"), []byte("BZh91AY&SY"))
}

func FuzzZstd(f *testing.F) {
	fuzzDecode(f, "x.tzst", fixture(f, "backup.tzst"), []byte("\x28\xb5\x2f\xfd\x00\xa8\x09\x00\x00x"))
}

func FuzzXZ(f *testing.F) {
	fuzzDecode(f, "x.txz", []byte("\xfd7zXZ\x00\x00\x04"), fixture(f, "backup.txz"), fixture(f, "huge-dict.xz"))
}

// FuzzPDF runs the PDF children (see pdf.go), so it is slow; what it
// checks is that the scan survives whatever a child does.
func FuzzPDF(f *testing.F) {
	old := pdfTimeout
	pdfTimeout = 2 * time.Second
	f.Cleanup(func() { pdfTimeout = old })
	payslip := pdftest.Of(f, "", "", []string{"Fødselsnummer: 10048744732"}, []string{"lonn@firma.no"})
	attached := onePagePDF("/Names << /EmbeddedFiles << /Names [(a) 6 0 R] >> >>", "", "x",
		"<< /Type /Filespec /F (a.csv) /EF << /F 7 0 R >> >>", embeddedFile("fnr\n10048744732\n"))
	fuzzDecode(f, "x.pdf", payslip, payslip[:len(payslip)/2], []byte("%PDF-1.4\n"), attached, fixture(f, "vedlagt.pdf"))
}

func FuzzMail(f *testing.F) {
	fuzzDecode(f, "x.eml",
		[]byte("From: a@online.no\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=a.csv\r\n\r\nYTtiCjE7Mgo=\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nTo: b@online.no\r\n\r\nhei=\r\n--b--\r\n"),
		[]byte("Subject: =?UTF-8?Q?S=C3=B8k?=\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nf=C3=B8dt=\r\n"))
}

func FuzzMbox(f *testing.F) {
	fuzzDecode(f, "x.mbox",
		[]byte("From a@online.no Mon Nov  2 10:00:00 2026\nFrom: a@online.no\n\nhei\n>From x\n\nFrom b@online.no Mon Nov  2 10:00:00 2026\nFrom: b@online.no\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Disposition: attachment; filename=a.csv\n\na;b\n1;2\n--b--\n"))
}

func FuzzTar(f *testing.F) {
	db, log := walPair(f)
	fuzzDecode(f, "x.tar", tarOf(nil, map[string][]byte{"a.csv": []byte("a\n1\n"), "b.tar": tarOf(nil, map[string][]byte{"c.txt": []byte("x")})}), []byte("ustar"),
		tarOf(f, map[string][]byte{"app.db": db, "app.db-wal": log}), tarOf(f, map[string][]byte{"app.db": db, "app.db-shm": make([]byte, 64), "app.db-wal": log}))
}

// walPair is a database in WAL mode whose one row is in its log, and the
// log: an app's files while it runs.
func walPair(tb testing.TB) (db, log []byte) {
	path := filepath.Join(tb.TempDir(), "app.db")
	testdb.SQLiteApp(tb, path, `CREATE TABLE t (a TEXT)`, `INSERT INTO t VALUES ('kari@firma.no')`)
	db, err := os.ReadFile(path)
	if err == nil {
		log, err = os.ReadFile(path + "-wal")
	}
	if err != nil {
		tb.Fatal(err)
	}
	return db, log
}

func FuzzOffice(f *testing.F) {
	doc := `<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>a</w:t></w:r></w:p></w:body></w:document>`
	fuzzDecode(f, "x.docx", zipOf(nil, map[string][]byte{"word/document.xml": []byte(doc)}), fixture(f, "innebygd.docx"))
}

// FuzzOLE runs legacy Office files: the compound file's sectors and
// directory, a .msg's property streams, a .doc's piece table and an
// .xls's records, and the objects embedded in them.
func FuzzOLE(f *testing.F) {
	fuzzDecode(f, "x.doc", fixture(f, "ansatte.xls"), fixture(f, "brev.doc"), fixture(f, "sak-123.msg"), fixture(f, "rtf-body.msg"), fixture(f, "Thumbs.db"), gunzip(f, fixture(f, "foredrag.ppt.gz")),
		fixture(f, "innebygd.doc"), fixture(f, "innebygd.xls"), gunzip(f, fixture(f, "innebygd.ppt.gz")), fixture(f, "pakke.bin"), fixture(f, "ole-vedlegg.msg"))
}

// FuzzOle10Native parses an OLE package's native data: the file it
// returns is inside what it was given.
func FuzzOle10Native(f *testing.F) {
	f.Add(ole10Native(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, data, err := parseOle10Native(b); err == nil && len(data) > len(b) {
			t.Fatalf("a file of %d bytes from %d", len(data), len(b))
		}
	})
}

// FuzzODF runs OpenDocument files, told apart by their mimetype member:
// a spreadsheet's rows and cells, and a text's paragraphs.
func FuzzODF(f *testing.F) {
	fuzzDecode(f, "x.zip", fixture(f, "ansatte.ods"), fixture(f, "brev2.odt"), fixture(f, "innebygd.odt"))
}

// FuzzXlsx runs workbooks: excelize's reading, and the look for ten-digit
// numbers in a sheet's XML.
func FuzzXlsx(f *testing.F) {
	fuzzDecode(f, "x.xlsx", fixture(f, "ledende-null.xlsx"))
}

// FuzzRTF runs RTF documents, and Outlook messages whose body is
// compressed RTF.
func FuzzRTF(f *testing.F) {
	object := `{\rtf1 x{\object{\*\objdata ` + hex.EncodeToString(ole1("Package", ole10Native(f))) + `}}}`
	fuzzDecode(f, "x.rtf", fixture(f, "brev.rtf"), []byte(`{\rtf1{\*\x{\bin3 }}}\u-1\'zz\uc9`), []byte(object))
}

func FuzzCompressedRTF(f *testing.F) {
	f.Add([]byte("\x1a\x00\x00\x00\x1c\x00\x00\x00LZFu\xe2\xd4KQA\x00\x04 WXYZ\rn}\x01\x0e\xb0"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if out, _ := decompressRTF(b, 1<<16); len(out) > 1<<16 {
			t.Fatalf("%d bytes, more than asked", len(out))
		}
	})
}

func FuzzHTML(f *testing.F) {
	recordLimit(f, 64) // so that inputs also take the way from a token too long to text
	fuzzDecode(f, "x.html", []byte(`<p>F&oslash;dsel<b>snummer</b> <a href="mailto:a@b.no">x</a><script>y</script><td>z`))
}

func FuzzXML(f *testing.F) {
	recordLimit(f, 64) // so that inputs also take the way from a piece too long to text
	fuzzDecode(f, "x.xml", []byte(`<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><n:a x:y="1&amp;2"><b>10048744732</b><!-- c --><![CDATA[<d>]]><e/></a></f>`))
}

// FuzzSevenZip runs 7z archives through their child process; what it
// checks is that the scan survives whatever the child does.
func FuzzSevenZip(f *testing.F) {
	fuzzDecode(f, "x.7z", fixture(f, "backup.7z"), fixture(f, "ppmd.7z"), fixture(f, "kryptert.7z"), fixture(f, "stor-ordbok.7z"), fixture(f, "header-panic.7z"), fixture(f, "app-data.7z"))
}

func gunzip(t testing.TB, b []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func FuzzLZMA(f *testing.F) {
	fuzzDecode(f, "x.tlz", fixture(f, "backup.tlz"), fixture(f, "huge-dict.lzma"))
}

// FuzzRARVolumes reads a first volume as a file on disk whose second
// volume stands beside it and whose third does not: rarVolumeOf and the
// volumes rardecode opens meet whatever the first says.
func FuzzRARVolumes(f *testing.F) {
	data := []byte(strings.Repeat("fnr 10048744732\n", 30))
	v5 := rar5Volumes(200, rarFile{name: "a.txt", data: data}, rarFile{name: "b.txt", data: data})
	v15 := rar15Volumes(200, 0x0100, rarFile{name: "a.txt", data: data})
	for _, s := range [][]byte{v5[0], v15[0], v5[1], rar5(rarFile{name: "a.txt", data: data})} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, first []byte) {
		for _, name := range []string{"x.part1.rar", "x.rar"} {
			d, rec := fuzzDecoder(name)
			d.sibling = func(n string) (fs.File, error) {
				switch n {
				case name:
					return memFile{bytes.NewReader(first)}, nil
				case "x.part2.rar", "x.r00":
					return memFile{bytes.NewReader(v5[1])}, nil
				}
				return nil, fs.ErrNotExist
			}
			checkDecode(t, d, rec, bytes.NewReader(first), name)
		}
	})
}

// memFile is a file of bytes, as an fs.FS opens one.
type memFile struct{ *bytes.Reader }

func (memFile) Stat() (fs.FileInfo, error) { return nil, fs.ErrInvalid }
func (memFile) Close() error               { return nil }

// FuzzSQLite reads a database file of the tree: whatever its pages hold,
// SQLite and the table reads must end in a part, not a crash or a hang.
func FuzzSQLite(f *testing.F) {
	dir := f.TempDir()
	path := filepath.Join(dir, "seed.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		f.Fatal(err)
	}
	for _, q := range []string{`CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT, n INTEGER, j JSON)`,
		`INSERT INTO t (email, n, j) VALUES ('kari@firma.no', 10048744732, '{"fnr": "10048744732"}')`,
		`CREATE INDEX ti ON t (email)`, `CREATE VIEW v AS SELECT email FROM t`} {
		if _, err := db.Exec(q); err != nil {
			f.Fatal(err)
		}
	}
	db.Close()
	seed, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "x.db")
		if err := os.WriteFile(p, append([]byte(sqliteSignature), data[min(len(data), len(sqliteSignature)):]...), 0o644); err != nil {
			t.Fatal(err)
		}
		d, rec := fuzzDecoder("x.db")
		d.diskPath = p
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		checkDecode(t, d, rec, f, "x.db")
		// The same as the member of an archive, read from memory.
		image, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		d, rec = fuzzDecoder("x.db")
		checkDecode(t, d, rec, bytes.NewReader(image), "x.db")
	})
}

// FuzzParquet reads Parquet files through the child, as a member of an
// archive is: its bytes in the request.
func FuzzParquet(f *testing.F) {
	fuzzDecode(f, "x.parquet", parquetOf(f, parquetCustomers(), 2), parquetOf(f, parquetCustomers()[:1], 1, parquet.Compression(&parquet.Snappy)))
}

// FuzzPST reads mutated Outlook data files through the decoder: every
// message, recipient and attachment of what still opens.
func FuzzPST(f *testing.F) {
	var seeds [][]byte
	for _, crypt := range []byte{psttest.CryptNone, psttest.CryptPermute} {
		b, err := psttest.Write(payrollMailbox(), psttest.Options{Crypt: crypt})
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	fuzzDecode(f, "arkiv.pst", seeds...)
}

// FuzzMDB reads mutated Access databases through the decoder: every table
// and row of what still opens.
func FuzzMDB(f *testing.F) {
	fuzzDecode(f, "medlemmer.mdb", memberRegister(f), contractRegister(f), packageRegister(f, ole10Native(f)))
}

// FuzzReadDocument reads arbitrary bytes as a database cell's document:
// no panic, a kind only for what is a file, text within its bound.
func FuzzReadDocument(f *testing.F) {
	for _, name := range []string{"innebygd.docx", "innebygd.odt", "innebygd.xls", "vedlagt.pdf", "lonnsslipp.png", "brev.rtf"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("%PDF-1.7\n\x00\x01 not a PDF"))
	f.Add([]byte{0x1f, 0x8b, 0x08, 0x00})
	opt := Options{MaxArchiveDepth: 2, MaxArchiveEntries: 20, MaxExpandedBytes: 1 << 20, MaxMemberBytes: 1 << 20}
	opt.defaults()
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, _ := readDocument(context.Background(), &opt, data, nil)
		if doc.Kind == "" && len(doc.Text) > 0 {
			t.Fatalf("text from no document: %q", doc.Text)
		}
		if len(doc.Text) > maxDocumentText {
			t.Fatalf("%d bytes of text", len(doc.Text))
		}
	})
}
