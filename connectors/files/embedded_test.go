package files

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"datakart/internal/mdb/mdbtest"
	"datakart/internal/pst/psttest"
	"datakart/internal/utf16le"
)

// The files embedded in documents are read as their members: a
// spreadsheet in a letter, a workbook or a slide as Word, Excel,
// PowerPoint and OpenDocument keep it (the files LibreOffice wrote, from
// innebygd.fodt, .fods and .fodp), and a file packaged into a document
// (an OLE Package object) in a docx, an Outlook message, an Outlook data
// file and an Access table.
func TestEmbeddedObjects(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"innebygd.docx", "innebygd.doc", "innebygd.odt", "innebygd.xls", "pakke.bin", "ole-vedlegg.msg"} {
		write(t, dir, name, fixture(t, name))
	}
	write(t, dir, "innebygd.ppt", gunzip(t, fixture(t, "innebygd.ppt.gz")))
	pakke := fixture(t, "pakke.bin")
	write(t, dir, "pakket.docx", withMember(t, fixture(t, "innebygd.docx"), "word/embeddings/oleObject2.bin", pakke))
	mailbox := []psttest.Folder{{Name: "Innboks", Messages: []psttest.Message{
		{Subject: "Kundeliste", Body: "Se vedlagt.", Attachments: []psttest.Attachment{{OLE: pakke}}},
	}}}
	pst, err := psttest.Write(mailbox, psttest.Options{Crypt: psttest.CryptPermute})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "arkiv.pst", pst)
	write(t, dir, "kunder.mdb", packageRegister(t, ole10Native(t)))
	// A package whose file is cut short, in a Word document beside a
	// workbook that is whole.
	cut := bytes.Clone(pakke)
	file := bytes.Index(cut, []byte("f\xf8dselsnummer;navn;konto")) // the CSV, after its size
	if file < 4 {
		t.Fatal("no CSV in pakke.bin")
	}
	binary.LittleEndian.PutUint32(cut[file-4:], 1<<20)
	write(t, dir, "avkuttet.docx", withMember(t, fixture(t, "innebygd.docx"), "word/embeddings/oleObject2.bin", cut))

	rec, _ := scanTree(t, dir, Options{})
	rec.expect(t, map[string]string{
		"innebygd.docx!word/embeddings/oleObject1.xlsx|Ark1!Fødselsnummer":  "10048744732",
		"innebygd.doc!ObjectPool/_2147483647|Ark1!Fødselsnummer":            "10048744732",
		"innebygd.odt!Object 1|Ark1!Fødselsnummer":                          "10048744732",
		"innebygd.odt!Object 1|Ark1!Kontonummer":                            "8601.11.17947",
		"innebygd.xls!MBD4FEC4C8C|Ark1!Fødselsnummer":                       "10048744732",
		"innebygd.ppt!object-1|Ark1!Kontonummer":                            "8601.11.17947",
		"innebygd.ppt|":                                                     "Lønnsliste november",
		"pakke.bin!kunder.csv|fødselsnummer":                                "10048744732",
		"pakket.docx!word/embeddings/oleObject2.bin!kunder.csv|konto":       "8601.11.17947",
		"ole-vedlegg.msg!kunder.csv!kunder.csv|fødselsnummer":               "10048744732",
		"arkiv.pst!Innboks!message-1/attachment-1!kunder.csv|fødselsnummer": "10048744732",
		"kunder.mdb!Kunder!Fil/row-1/kunder.csv|fødselsnummer":              "10048744732",
		"avkuttet.docx!word/embeddings/oleObject1.xlsx|Ark1!Fødselsnummer":  "10048744732",
	})
	// The letters' own text too.
	for _, k := range []string{"innebygd.docx|", "innebygd.doc|", "innebygd.odt|"} {
		if !rec.has(k, "lønnslisten for november") {
			t.Errorf("%s: %q", k, rec.text(k))
		}
	}
	if e := rec.errs["avkuttet.docx!word/embeddings/oleObject2.bin"]; !strings.Contains(e, "Ole10Native") {
		t.Errorf("a package cut short: error %q", e)
	}
	for name, e := range rec.errs {
		if name != "avkuttet.docx!word/embeddings/oleObject2.bin" {
			t.Errorf("%s: %s", name, e)
		}
	}
}

// withMember returns the zip z with the member name added.
func withMember(t *testing.T, z []byte, name string, data []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{name: data}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return zipOf(t, files)
}

// ole10Native is the native data of an OLE Package object that holds a
// CSV file: its size, then as in pakke.bin's Ole10Native stream.
func ole10Native(t testing.TB) []byte {
	t.Helper()
	z := func(s string) []byte { return append([]byte(s), 0) }
	temp := z(`C:\Temp\kunder.csv`)
	csv := []byte("fødselsnummer;navn\n10048744732;Kari\n")
	var b []byte
	b = append(b, 2, 0)
	b = append(b, z("kunder.csv")...)
	b = append(b, z(`C:\kunder.csv`)...)
	b = append(b, 0, 0, 3, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(temp)))
	b = append(b, temp...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(csv)))
	b = append(b, csv...)
	return append(binary.LittleEndian.AppendUint32(nil, uint32(len(b))), b...)
}

// packageRegister is an Access table whose OLE column holds a file
// packaged as it is: Access's OLE header, then an OLE 1.0 object of the
// class Package with native (from its size on).
func packageRegister(t testing.TB, native []byte) []byte {
	t.Helper()
	b, err := mdbtest.Write([]mdbtest.Table{{Name: "Kunder", Columns: []mdbtest.Column{
		{Name: "Nr", Type: mdbtest.TypeLong}, {Name: "Fil", Type: mdbtest.TypeOLE},
	}, Rows: [][]any{{int32(1), accessOLE("Pakke", "Package", native)}}}}, mdbtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A package's native data cut anywhere, or claiming more than it holds,
// is an error, never a panic or a file read past its end.
func TestParseOle10Native(t *testing.T) {
	b := ole10Native(t)
	name, data, err := parseOle10Native(b)
	if err != nil || name != "kunder.csv" || !bytes.HasPrefix(data, []byte("fødselsnummer;")) {
		t.Fatalf("%q %q %v", name, data, err)
	}
	for n := range len(b) {
		if _, data, err := parseOle10Native(b[:n]); err == nil {
			t.Errorf("cut at %d: read %q", n, data)
		}
	}
	// The names again in UTF-16, as Office 2007 and later write them
	// after the file: the second is the file's.
	u16 := func(s string) []byte {
		u := utf16le.Encode(s)
		return append(binary.LittleEndian.AppendUint32(nil, uint32(len(u)/2)), u...)
	}
	unicode := slices.Concat(b, u16(`C:\Temp\lønn–2024.csv`), u16("lønn–2024.csv"), u16(`C:\lønn–2024.csv`))
	if name, data, err := parseOle10Native(unicode); err != nil || name != "lønn–2024.csv" || !bytes.HasPrefix(data, []byte("fødselsnummer;")) {
		t.Errorf("with the names in UTF-16: %q %q %v", name, data, err)
	}
	// A link to a file is no file.
	link := bytes.Replace(b, []byte("csv\x00\x00\x00\x03\x00"), []byte("csv\x00\x00\x00\x01\x00"), 1)
	if _, _, err := parseOle10Native(link); !errors.Is(err, errOleLink) {
		t.Errorf("a link: %v", err)
	}
	// No label: the name is the path's last element.
	noLabel := bytes.Replace(b, []byte("kunder.csv\x00C:"), []byte("\x00C:"), 1)
	if name, _, err := parseOle10Native(noLabel); err != nil || name != "kunder.csv" {
		t.Errorf("no label: %q %v", name, err)
	}
}

// The objects embedded in an RTF document (as Word saves a letter with a
// workbook or a packaged file in it: an OLE 1.0 object in hex in an
// \objdata group, or in binary after \bin) are read as its members; one
// that is not an OLE object is an error for itself, and the letter's text
// is read whatever its objects hold.
func TestRTFObjects(t *testing.T) {
	dir := t.TempDir()
	object := func(class string, native []byte) string {
		return `{\object\objemb{\*\objclass ` + class + `}{\*\objdata ` + "\r\n" + hex.EncodeToString(ole1(class, native)) + "\r\n}" + `{\result {\rtlch bilde}}}`
	}
	xls := fixture(t, "ansatte.xls")
	sized := func(b []byte) []byte { return append(binary.LittleEndian.AppendUint32(nil, uint32(len(b))), b...) }
	bin := ole1("Package", ole10Native(t))
	doc := `{\rtf1\ansi\ansicpg1252 Vedlagt er listen.\par ` +
		object("Package", ole10Native(t)) +
		object("Excel.Sheet.8", sized(xls)) +
		`{\object\objemb{\*\objdata \bin` + fmt.Sprint(len(bin)) + " " + string(bin) + `}}` +
		`{\object{\*\objdata 0102}}` +
		` Hilsen Kari, mobil 912 34 567.\par}`
	write(t, dir, "brev.rtf", []byte(doc))
	rec, _ := scanTree(t, dir, Options{})
	rec.expect(t, map[string]string{
		"brev.rtf|":                               "Hilsen Kari, mobil 912 34 567.",
		"brev.rtf!kunder.csv|fødselsnummer":       "10048744732",
		"brev.rtf!object-2|ansatte!fødselsnummer": "10048744732",
	})
	if rec.has("brev.rtf|", "0105") || rec.has("brev.rtf|", "Package") {
		t.Errorf("the objects' data in the text: %q", rec.text("brev.rtf|"))
	}
	if got := len(rec.values["brev.rtf!kunder.csv|fødselsnummer"]); got != 2 {
		t.Errorf("the package in hex and in binary: %d read", got)
	}
	if e := rec.errs["brev.rtf!object-4"]; !strings.Contains(e, "not an OLE 1.0 object") || len(rec.errs) != 1 {
		t.Errorf("errors %v", rec.errs)
	}
}

// A compressed object of a .ppt that is cut short, declares more than
// --max-member-bytes or is not zlib is an error, and its reader stops at
// the size it declares.
func TestPPTInflate(t *testing.T) {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(bytes.Repeat([]byte("x"), 1000))
	zw.Close()
	body := append(binary.LittleEndian.AppendUint32(nil, 10), z.Bytes()...)
	r, err := pptInflate(body, 100)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(r); len(b) != 10 {
		t.Errorf("read %d bytes of an object that declares 10", len(b))
	}
	for _, tt := range []struct {
		body []byte
		max  int64
		want string
	}{
		{body[:3], 100, "cut short"},
		{body, 5, "over 5"},
		{append(binary.LittleEndian.AppendUint32(nil, 10), "not zlib"...), 100, "zlib"},
	} {
		if _, err := pptInflate(tt.body, tt.max); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.body, err, tt.want)
		}
	}
}
