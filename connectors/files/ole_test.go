package files

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"datakart/internal/utf16le"
)

// The legacy Office fixtures: ansatte.xls and brev.doc were saved by
// LibreOffice 7.4 as "MS Excel 97" and "MS Word 97" (a CSV export and an
// HTML letter); kunder-stor.xls (gzipped) is 1,500 rows, so its shared
// strings run on through CONTINUE records, a third of them in UTF-16
// ("Łukasz"); sak-123.msg is made by testdata/make-msg.js; Thumbs.db is a
// compound file with none of the three, foredrag.ppt (gzipped) an ODP
// presentation of two slides saved by LibreOffice 7.4 as "MS PowerPoint
// 97", and passord.xlsx one with the
// streams of a password-protected xlsx (EncryptionInfo, EncryptedPackage),
// both made with the same cfb package.
func TestOffice97(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"ansatte.xls", "brev.doc", "sak-123.msg", "kunder-stor.xls.gz", "Thumbs.db", "passord.xlsx", "foredrag.ppt.gz"} {
		write(t, dir, name, fixture(t, name))
	}
	doc := fixture(t, "brev.doc")
	fib := wordDocumentAt(t, doc)
	encrypted := slices.Clone(doc)
	encrypted[fib+0x0B] |= 0x01 // fEncrypted: bit 8 of the flags at 0x0A
	write(t, dir, "kryptert.doc", encrypted)
	word95 := slices.Clone(doc)
	binary.LittleEndian.PutUint16(word95[fib+2:], 0x0065)
	write(t, dir, "word95.doc", word95)
	write(t, dir, "avkuttet.doc", doc[:2048])
	write(t, dir, "arkiv.zip", zipOf(t, map[string][]byte{"brev/brev.doc": doc}))
	// The body's directory entry claims 100 MB: its sectors would have
	// to run in a loop.
	lie := fixture(t, "sak-123.msg")
	entry := bytes.Index(lie, utf16le.Encode("__substg1.0_1000001F"))
	binary.LittleEndian.PutUint64(lie[entry+120:], 100<<20)
	write(t, dir, "lie.msg", lie)
	write(t, dir, "egentlig-csv.xls", []byte("fnr;navn\n10048744732;Ola\n"))

	rec, _ := scanTree(t, dir, Options{})
	rec.expect(t, map[string]string{
		"ansatte.xls|ansatte!navn":               "Kari Nørdmann",
		"ansatte.xls|ansatte!epost":              "kari.nordmann@online.no",
		"brev.doc|":                              "fødselsnummer 10048744732 og kontonummer 8601.11.17947",
		"arkiv.zip!brev/brev.doc|":               "kari.nordmann@online.no",
		"sak-123.msg|Subject":                    "Søknad fnr 10048744732",
		"sak-123.msg|Sender":                     "Kari Nørdmann",
		"sak-123.msg|Recipients":                 "ola@online.no",
		"sak-123.msg|Cc":                         "Øystein € 98765432", // an 8-bit property, in Windows-1252
		"sak-123.msg|":                           "fødselsnummeret mitt er 10048744732, ring meg på 912 34 567.",
		"sak-123.msg!attachment-2.msg|Subject":   "videresendt",
		"sak-123.msg!attachment-2.msg|":          "Per sitt nummer er 98765432.",
		"sak-123.msg!attachment-2.msg!lang.txt|": "fnr 23114048690",
		"egentlig-csv.xls|":                      "10048744732",
		"foredrag.ppt.gz!foredrag.ppt|":          "Fødselsnummer 10048744732, mobil 912 34 567\nE-post kari.nordmann@online.no",
		"lie.msg|Subject":                        "Søknad fnr 10048744732",
	})
	for _, want := range []string{"kari.nordmann@online.no", "912 34 567", "mailto:ola@online.no"} {
		if !rec.has("brev.doc|", want) {
			t.Errorf("brev.doc: %q not in %q", want, rec.text("brev.doc|"))
		}
	}
	for _, want := range []string{"Kontonummer 8601.11.17947", "84.210.12.7"} { // the HTML body as the text it shows, the transport headers
		if !rec.has("sak-123.msg|", want) {
			t.Errorf("sak-123.msg: %q not in %q", want, rec.text("sak-123.msg|"))
		}
	}
	if got := rec.values["ansatte.xls|ansatte!fødselsnummer"]; !slices.Equal(got, []string{"10048744732", "23114048690"}) {
		t.Errorf("number cells: %q", got)
	}
	if got := rec.lines["ansatte.xls|ansatte!epost"]; !slices.Equal(got, []int{2, 3}) {
		t.Errorf("rows: %v", got)
	}
	if got := rec.values["sak-123.msg!kunder.csv|fødselsnummer"]; !slices.Equal(got, []string{"10048744732", "23114048690"}) {
		t.Errorf("the attached CSV, by its file name alone: %q (parts %v)", got, rec.kinds)
	}
	big := "kunder-stor.xls.gz!kunder-stor.xls|kunder-stor!"
	emails, names := rec.values[big+"epost"], rec.values[big+"navn"]
	if len(emails) != 1500 || len(names) != 1500 {
		t.Fatalf("kunder-stor.xls: %d e-mails and %d names of 1500 (parts %v, errors %v)", len(emails), len(names), rec.kinds, rec.errs)
	}
	for i := range 1500 {
		name := fmt.Sprintf("Kari Nørdmann %d", i)
		if i%3 == 0 {
			name = fmt.Sprintf("Łukasz Kowalski %d", i)
		}
		if want := fmt.Sprintf("kunde%d@firma.no", i); emails[i] != want || names[i] != name {
			t.Fatalf("row %d: %q, %q; want %q, %q", i+2, emails[i], names[i], want, name)
		}
	}
	for name, want := range map[string]string{
		"Thumbs.db":    "no Word, Excel, PowerPoint or Outlook",
		"kryptert.doc": "encrypted Word document",
		"word95.doc":   "Word 6.0/95",
		"passord.xlsx": "encrypted Office document",
	} {
		if got := rec.skipped[name]; !strings.Contains(got, want) {
			t.Errorf("%s: skipped %q, want %q", name, got, want)
		}
	}
	for name, want := range map[string]string{
		"avkuttet.doc": "",
		"lie.msg":      "more than the file holds",
	} {
		if e := rec.errs[name]; e == "" || !strings.Contains(e, want) {
			t.Errorf("%s: error %q, want %q", name, e, want)
		}
	}
	for name, e := range rec.errs {
		if name != "avkuttet.doc" && name != "lie.msg" {
			t.Errorf("%s: %s", name, e)
		}
	}
}

// wordDocumentAt finds the WordDocument stream of a small .doc: the
// sector that starts with the FIB's magic.
func wordDocumentAt(t *testing.T, doc []byte) int {
	for off := 512; off+512 <= len(doc); off += 512 {
		if doc[off] == 0xEC && doc[off+1] == 0xA5 {
			return off
		}
	}
	t.Fatal("no FIB in brev.doc")
	return 0
}

// BIFF8 records built by hand: what LibreOffice does not write.
func TestReadBIFF(t *testing.T) {
	rec := func(typ uint16, data ...byte) []byte {
		return append(binary.LittleEndian.AppendUint16(binary.LittleEndian.AppendUint16(nil, typ), uint16(len(data))), data...)
	}
	u16 := func(v int) []byte { return binary.LittleEndian.AppendUint16(nil, uint16(v)) }
	u32 := func(v int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	globals := func(sheetAt int, more ...[]byte) []byte {
		sheet := cat(u32(sheetAt), []byte{0, 0, 2, 0}, []byte("S1"))
		return cat(rec(biffBOF, cat(u16(0x0600), u16(0x0005), make([]byte, 12))...), rec(biffBoundSheet, sheet...), cat(more...), rec(biffEOF))
	}
	cell := func(row, col int) []byte { return cat(u16(row), u16(col), u16(0)) }

	// The second shared string starts in Latin-1 and runs on into a
	// CONTINUE record in UTF-16: its flags byte there says so.
	sst := rec(biffSST, cat(u32(2), u32(2), u16(5), []byte{0}, []byte("epost"), u16(23), []byte{0}, []byte("kari.nord"))...)
	sst = append(sst, rec(biffContinue, cat([]byte{1}, utf16le.Encode("mann@online.no"))...)...)
	build := func(more ...[]byte) []byte {
		g := globals(0, more...)
		g = globals(len(g), more...) // the sheet starts where the globals end
		return cat(g,
			rec(biffBOF, cat(u16(0x0600), u16(0x0010), make([]byte, 12))...),
			rec(biffLabelSST, cat(cell(0, 0), u32(0))...),
			rec(biffLabelSST, cat(cell(1, 0), u32(1))...),
			rec(biffRK, cat(cell(1, 1), u32(4711<<2|2))...),                                                // an integer
			rec(biffNumber, cat(cell(2, 1), binary.LittleEndian.AppendUint64(nil, 0x4202B79D68E00000))...), // 10048744732
			rec(biffMulRK, cat(u16(3), u16(0), u16(0), u32(912345<<2|2), u16(0), u32(50<<2|3), u16(1))...),
			rec(biffFormula, cat(cell(4, 0), []byte{0, 0, 0, 0, 0, 0, 0xFF, 0xFF}, make([]byte, 6))...),
			rec(biffString, cat(u16(3), []byte{0}, []byte("Ola"))...),
			rec(biffEOF),
		)
	}
	t.Run("cells", func(t *testing.T) {
		r := newRecorder()
		d := &decoder{opt: &Options{}, sink: r}
		if err := readBIFF(context.Background(), d, build(sst)); err != nil {
			t.Fatal(err)
		}
		for k, want := range map[string][]string{
			"|S1!epost":    {"kari.nordmann@online.no", "912345", "Ola"},
			"|S1!column_2": {"4711", "10048744732", "0.5"},
		} {
			if got := r.values[k]; !slices.Equal(got, want) {
				t.Errorf("%s: %q, want %q (all %v)", k, got, want, r.values)
			}
		}
	})
	for name, tc := range map[string]struct {
		records []byte
		want    string
	}{
		"encrypted": {rec(biffFilePass, 1, 0), "encrypted Excel workbook"},
		"Excel 95":  {nil, ""},
	} {
		t.Run(name, func(t *testing.T) {
			r := newRecorder()
			d := &decoder{opt: &Options{}, sink: r}
			stream := build(sst, tc.records)
			if name == "Excel 95" {
				binary.LittleEndian.PutUint16(stream[4:], 0x0500)
				tc.want = "Excel 5.0/95"
			}
			err := readBIFF(context.Background(), d, stream)
			var skip errSkip
			if !errors.As(err, &skip) || !strings.Contains(string(skip), tc.want) {
				t.Errorf("error %v, want a skip for %q", err, tc.want)
			}
		})
	}
	t.Run("truncated", func(t *testing.T) {
		stream := build(sst)
		for n := range len(stream) {
			r := newRecorder()
			d := &decoder{opt: &Options{}, sink: r}
			readBIFF(context.Background(), d, stream[:n]) // must not panic
		}
	})
}

// A PowerPoint Document stream's records, built by hand: atoms of each
// kind inside nested containers, and a record that runs past the end.
func TestPptText(t *testing.T) {
	rec := func(verInst, typ uint16, body []byte) []byte {
		b := binary.LittleEndian.AppendUint16(nil, verInst)
		b = binary.LittleEndian.AppendUint16(b, typ)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(body)))
		return append(b, body...)
	}
	atoms := append(append(rec(0, pptTextChars, utf16le.Encode("Kari Nørdmann\rfnr 10048744732")),
		rec(0, pptTextBytes, []byte("mobil 912 34 567\vKj\xe6re"))...), rec(0x10, pptCString, utf16le.Encode("Ola"))...)
	inner := rec(0x0F, 0x03F0, atoms) // a container: its children follow its header
	doc := append(rec(0x0F, 0x03E8, inner), rec(0, 0x0FF5, []byte{1, 2, 3})...)
	if got, _, cut := pptText(doc); string(got) != "Kari Nørdmann\nfnr 10048744732\nmobil 912 34 567\nKjære\nOla\n" || cut {
		t.Errorf("%q, cut %v", got, cut)
	}
	if got, _, cut := pptText(append(doc, rec(0, pptTextChars, utf16le.Encode("x"))[:9]...)); !cut || !strings.Contains(string(got), "Ola") {
		t.Errorf("a record past the end: %q, cut %v", got, cut)
	}
}
