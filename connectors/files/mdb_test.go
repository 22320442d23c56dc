package files

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"

	"datakart/internal/mdb/mdbtest"
)

// memberRegister is a club's member register in Access 2000, with
// Unicode compression.
func memberRegister(t testing.TB) []byte {
	return memberRegisterAs(t, mdbtest.Options{CompressText: true})
}

// memberRegisterAs is the register written with opt: with opt.Jet3, an
// Access 97 database.
func memberRegisterAs(t testing.TB, opt mdbtest.Options) []byte {
	b, err := mdbtest.Write([]mdbtest.Table{
		{Name: "Medlemmer", Columns: []mdbtest.Column{
			{Name: "MedlemsNr", Type: mdbtest.TypeLong}, {Name: "Navn", Type: mdbtest.TypeText},
			{Name: "Fødselsnummer", Type: mdbtest.TypeText}, {Name: "Mobil", Type: mdbtest.TypeDouble},
			{Name: "Merknad", Type: mdbtest.TypeMemo}, {Name: "Innmeldt", Type: mdbtest.TypeDateTime},
		}, Rows: [][]any{
			{int32(1), "Kari Nørdmann", "10048744732", float64(91234567), "betaler fra konto 8601.11.17947", time.Date(2001, 3, 4, 0, 0, 0, 0, time.UTC)},
			{int32(2), "Ola Ås", "23114048690", nil, strings.Repeat("Lang merknad. ", 800) + "E-post ola@online.no", nil},
		}},
		{Name: "Kontingent", Columns: []mdbtest.Column{{Name: "Beløp", Type: mdbtest.TypeDouble}}, Rows: [][]any{{float64(450)}}},
	}, opt)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAccess(t *testing.T) {
	dir := t.TempDir()
	b := memberRegister(t)
	write(t, dir, "gammel/medlemmer.mdb", b)
	write(t, dir, "backup.zip", zipOf(t, map[string][]byte{"access/medlemmer.accdb": b}))
	write(t, dir, "avkuttet.mdb", b[:3*4096])
	write(t, dir, "access97.mdb", memberRegisterAs(t, mdbtest.Options{Jet3: true}))
	newer := bytes.Clone(b)
	newer[0x14] = 7 // a format version after Access 2019's
	write(t, dir, "ukjent.accdb", newer)
	rec, _ := scanTree(t, dir, Options{})
	for _, unit := range []string{"gammel/medlemmer.mdb!", "backup.zip!access/medlemmer.accdb!", "access97.mdb!"} {
		for k, want := range map[string]string{
			"Medlemmer|Fødselsnummer": "[10048744732 23114048690]",
			"Medlemmer|Mobil":         "[91234567]",
			"Medlemmer|Navn":          "[Kari Nørdmann Ola Ås]",
			"Kontingent|Beløp":        "[450]",
		} {
			if got := fmt.Sprint(rec.values[unit+k]); got != want {
				t.Errorf("%s%s: %s, want %s (parts %v, errors %v)", unit, k, got, want, rec.kinds, rec.errs)
			}
		}
		if !rec.has(unit+"Medlemmer|Merknad", "betaler fra konto 8601.11.17947") || !rec.has(unit+"Medlemmer|Merknad", "E-post ola@online.no") {
			t.Errorf("%sMedlemmer: the memos: %.200q", unit, rec.text(unit+"Medlemmer|Merknad"))
		}
		if got := fmt.Sprint(rec.numeric[unit+"Medlemmer|Mobil"]); got != "[true]" {
			t.Errorf("%sMedlemmer|Mobil is not marked numeric: %s", unit, got)
		}
		if got := fmt.Sprint(rec.lines[unit+"Medlemmer|Fødselsnummer"]); got != "[1 2]" {
			t.Errorf("%sMedlemmer: rows %s", unit, got)
		}
		if fields := strings.Join(rec.fields[unit+"Medlemmer"], ","); !strings.Contains(fields, "Innmeldt") {
			t.Errorf("%sMedlemmer: the date column is not declared: %s", unit, fields)
		}
	}
	if e := rec.errs["avkuttet.mdb"]; !strings.Contains(e, "mdb: corrupt file") {
		t.Errorf("a database cut short: error %q", e)
	}
	if s := rec.skipped["ukjent.accdb"]; !strings.Contains(s, "format version 7") {
		t.Errorf("an unknown version: skipped %q", s)
	}
	for name, e := range rec.errs {
		if name != "avkuttet.mdb" {
			t.Errorf("%s: %s", name, e)
		}
	}
}

// contractRegister is a table of contracts with an OLE column: a Word
// document wrapped as Access does, in its OLE header and an OLE 1.0
// stream; a cell with no file in it; a NULL.
func contractRegister(t testing.TB) []byte {
	doc := fixture(t, "brev.doc")
	ole := accessOLE("Dokument", "Word.Document.8", append(binary.LittleEndian.AppendUint32(nil, uint32(len(doc))), doc...))
	b, err := mdbtest.Write([]mdbtest.Table{{Name: "Kontrakter", Columns: []mdbtest.Column{
		{Name: "Nr", Type: mdbtest.TypeLong}, {Name: "Kontrakt", Type: mdbtest.TypeOLE},
	}, Rows: [][]any{{int32(1), ole}, {int32(2), []byte("ingen fil her")}, {int32(3), nil}}}}, mdbtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// accessOLE is an OLE object as Access keeps it in an OLE column's cell,
// as Jackcess writes it: Access's header (its signature, its size, the
// object's type, the lengths and offsets of its name and class, then
// the two), then the OLE 1.0 object (see ole1).
func accessOLE(name, class string, native []byte) []byte {
	name, class = name+"\x00", class+"\x00"
	var b []byte
	b = binary.LittleEndian.AppendUint16(b, 0x1C15)
	b = binary.LittleEndian.AppendUint16(b, uint16(20+len(name)+len(class)))
	b = binary.LittleEndian.AppendUint32(b, 2)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(name)))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(class)))
	b = binary.LittleEndian.AppendUint16(b, 20)
	b = binary.LittleEndian.AppendUint16(b, uint16(20+len(name)))
	b = binary.LittleEndian.AppendUint32(b, 0xFFFFFFFF)
	b = append(b, name+class...)
	return append(b, ole1(class[:len(class)-1], native)...)
}

// ole1 is an OLE 1.0 object of the class, embedded, with native (from its
// size on), and no presentation after it.
func ole1(class string, native []byte) []byte {
	class += "\x00"
	var b []byte
	b = binary.LittleEndian.AppendUint32(b, 0x0501)
	b = binary.LittleEndian.AppendUint32(b, 2)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(class)))
	b = append(b, class...)
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0)
	b = append(b, native...)
	return append(b, 0x01, 0x05, 0x00, 0x00, 0, 0, 0, 0)
}

// An OLE column's document is read as a member of the table.
func TestAccessOLE(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "kontrakter.mdb", contractRegister(t))
	rec, _ := scanTree(t, dir, Options{})
	if k := "kontrakter.mdb!Kontrakter!Kontrakt/row-1|"; !rec.has(k, "fødselsnummer 10048744732 og kontonummer 8601.11.17947") {
		t.Errorf("%s: %q (parts %v)", k, rec.text(k), rec.kinds)
	}
	if got := fmt.Sprint(rec.values["kontrakter.mdb!Kontrakter|Nr"]); got != "[1 2 3]" {
		t.Errorf("the table's other column, after the document: %s", got)
	}
	if fields := strings.Join(rec.fields["kontrakter.mdb!Kontrakter"], ","); !strings.Contains(fields, "Kontrakt") {
		t.Errorf("the OLE column is not declared: %s", fields)
	}
	for name, e := range rec.errs {
		t.Errorf("%s: %s", name, e)
	}
}
