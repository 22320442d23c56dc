package mdb_test

import (
	"bytes"
	"crypto/rc4"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"datakart/internal/mdb"
	"datakart/internal/mdb/mdbtest"
)

// register is a small customer register with what a reader must find:
// Norwegian text, NULLs, numbers that are identifiers, memos short and
// long (on one LVAL page, and on a chain of them).
func register() []mdbtest.Table {
	long := strings.Repeat("Notat om kunden, æøå. ", 400) + "Til slutt: fnr 01019012345."
	huge := strings.Repeat("Lang logg. ", 2000) + "Slutt: kari@example.no"
	return []mdbtest.Table{
		{Name: "Kunder", Columns: []mdbtest.Column{
			{Name: "KundeID", Type: mdbtest.TypeLong}, {Name: "Navn", Type: mdbtest.TypeText},
			{Name: "Fødselsnummer", Type: mdbtest.TypeText}, {Name: "Telefon", Type: mdbtest.TypeDouble},
			{Name: "Notat", Type: mdbtest.TypeMemo}, {Name: "Registrert", Type: mdbtest.TypeDateTime},
		}, Rows: [][]any{
			{int32(1), "Kari Nørdmann", "10048744732", float64(91234567), "ring etter kl. 16", time.Date(2003, 4, 1, 0, 0, 0, 0, time.UTC)},
			{int32(2), "Ola Ås", nil, nil, long, nil},
			{int32(3), nil, "23114048690", float64(22334455), huge, time.Date(2004, 5, 6, 0, 0, 0, 0, time.UTC)},
		}},
		{Name: "Ansatte med æøå", Columns: []mdbtest.Column{
			{Name: "E-post adresse", Type: mdbtest.TypeText}, {Name: "Lønn", Type: mdbtest.TypeDouble},
		}, Rows: [][]any{{"per@firma.no", 512000.5}}},
	}
}

// openTables opens the database b and reads its catalog.
func openTables(t testing.TB, b []byte) (*mdb.File, []*mdb.Table) {
	t.Helper()
	f, err := mdb.Open(bytes.NewReader(b), int64(len(b)), mdb.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	tables, err := f.Tables()
	if err != nil {
		t.Fatal(err)
	}
	return f, tables
}

// read is what a reader finds in a file: by table, its columns and its
// rows, each cell as "column=value".
func read(t testing.TB, b []byte) map[string][]string {
	t.Helper()
	f, tables := openTables(t, b)
	found := map[string][]string{}
	for _, tb := range tables {
		if tb.Err != nil {
			t.Fatalf("%s: %v", tb.Name, tb.Err)
		}
		var cols []string
		for _, c := range tb.Columns {
			cols = append(cols, c.Name)
		}
		found[tb.Name] = append(found[tb.Name], "columns "+strings.Join(cols, ","))
		err := f.Rows(tb, func(row []mdb.Value, err error) error {
			if err != nil {
				t.Errorf("%s: %v", tb.Name, err)
				return nil
			}
			var cells []string
			for i, v := range row {
				if v.Data != nil {
					cells = append(cells, fmt.Sprintf("%s=%s", tb.Columns[i].Name, v.Data))
				}
			}
			found[tb.Name] = append(found[tb.Name], strings.Join(cells, "|"))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return found
}

// formats are the kinds of database the tests write: Jet 4 (Access 2000
// to 2003, and the pages of ACE) and Jet 3 (Access 97).
var formats = []struct {
	name string
	opt  mdbtest.Options
	page int
}{
	{"jet4", mdbtest.Options{}, 4096},
	{"jet3", mdbtest.Options{Jet3: true}, 2048},
}

func TestTables(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			for _, compress := range []bool{false, true} {
				if compress && f.opt.Jet3 {
					continue // Jet 3 has no Unicode
				}
				t.Run(fmt.Sprint("compressed=", compress), func(t *testing.T) {
					opt := f.opt
					opt.CompressText = compress
					checkRegister(t, opt)
				})
			}
		})
	}
}

func checkRegister(t *testing.T, opt mdbtest.Options) {
	b, err := mdbtest.Write(register(), opt)
	if err != nil {
		t.Fatal(err)
	}
	found := read(t, b)
	if len(found) != 2 {
		t.Errorf("tables %v", found)
	}
	kunder := strings.Join(found["Kunder"], "\n")
	for _, want := range []string{
		"columns KundeID,Navn,Fødselsnummer,Telefon,Notat,Registrert",
		"KundeID=1|Navn=Kari Nørdmann|Fødselsnummer=10048744732|Telefon=91234567|Notat=ring etter kl. 16\n",
		"KundeID=2|Navn=Ola Ås|Notat=Notat om kunden, æøå. ",
		"Til slutt: fnr 01019012345.\n",
		"KundeID=3|Fødselsnummer=23114048690|Telefon=22334455|Notat=Lang logg. ",
		"Slutt: kari@example.no",
	} {
		if !strings.Contains(kunder+"\n", want) {
			t.Errorf("Kunder lacks %q:\n%.600s", want, kunder)
		}
	}
	if got := strings.Join(found["Ansatte med æøå"], "\n"); got != "columns E-post adresse,Lønn\nE-post adresse=per@firma.no|Lønn=512000.5" {
		t.Errorf("Ansatte med æøå: %q", got)
	}
}

// TestWideRows reads rows of 200 to 1100 bytes, whose offsets Jet 3
// keeps in one byte with a jump table past each 256 bytes.
func TestWideRows(t *testing.T) {
	var rows [][]any
	var want []string
	for i, n := range []int{0, 1, 200, 240, 245, 248, 250, 251, 252, 253, 254, 255, 256, 257, 260, 300, 500, 505, 508, 510, 512, 530, 760, 765, 770, 1000} {
		a, b, c := min(n, 255), min(max(n-255, 0), 255), max(n-510, 0)
		row := []any{int32(i), strings.Repeat("æ", a), strings.Repeat("x", b), strings.Repeat("€", c)}
		cells := []string{fmt.Sprint("Nr=", i)}
		for k, name := range []string{"A", "B", "Merknad"} {
			if s := row[k+1].(string); s == "" {
				row[k+1] = nil
			} else {
				cells = append(cells, name+"="+s)
			}
		}
		rows = append(rows, row)
		want = append(want, strings.Join(cells, "|"))
	}
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			b, err := mdbtest.Write([]mdbtest.Table{{Name: "Brede", Columns: []mdbtest.Column{
				{Name: "Nr", Type: mdbtest.TypeLong}, {Name: "A", Type: mdbtest.TypeText},
				{Name: "B", Type: mdbtest.TypeText}, {Name: "Merknad", Type: mdbtest.TypeMemo},
			}, Rows: rows}}, f.opt)
			if err != nil {
				t.Fatal(err)
			}
			got := read(t, b)["Brede"]
			if len(got) != len(want)+1 {
				t.Fatalf("%d rows of %d", len(got)-1, len(want))
			}
			for i := range want {
				if got[i+1] != want[i] {
					t.Errorf("row %d:\n got %.120q\nwant %.120q", i, got[i+1], want[i])
				}
			}
		})
	}
}

// TestManyRows reads a table over many data pages.
func TestManyRows(t *testing.T) {
	var rows [][]any
	for i := range 2000 {
		rows = append(rows, []any{int32(i), fmt.Sprintf("kunde%d@example.no", i), fmt.Sprintf("Kunde %d", i), float64(40000000 + i), nil})
	}
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			b, err := mdbtest.Write([]mdbtest.Table{{Name: "Stor", Columns: []mdbtest.Column{
				{Name: "ID", Type: mdbtest.TypeLong}, {Name: "Epost", Type: mdbtest.TypeText}, {Name: "Navn", Type: mdbtest.TypeText},
				{Name: "Mobil", Type: mdbtest.TypeDouble}, {Name: "Merknad", Type: mdbtest.TypeMemo},
			}, Rows: rows}}, f.opt)
			if err != nil {
				t.Fatal(err)
			}
			found := read(t, b)["Stor"]
			if len(found) != 2001 {
				t.Fatalf("%d rows of 2000", len(found)-1)
			}
			seen := map[string]bool{}
			for _, r := range found[1:] {
				seen[r] = true
			}
			for _, i := range []int{0, 999, 1999} {
				want := fmt.Sprintf("ID=%d|Epost=kunde%d@example.no|Navn=Kunde %d|Mobil=%d", i, i, i, 40000000+i)
				if !seen[want] {
					t.Errorf("row %q not read", want)
				}
			}
		})
	}
}

// TestEncoded reads a database whose pages are encoded with a database
// key: RC4, keyed with the key XOR the page's number, in Jet 3 as in
// Jet 4.
func TestEncoded(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			b, err := mdbtest.Write(register(), f.opt)
			if err != nil {
				t.Fatal(err)
			}
			want := read(t, b)
			masked := 128
			if f.opt.Jet3 {
				masked = 126
			}
			e := encode(b, f.page, masked, 0x1234ABCD)
			if got := read(t, e); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("encoded: %.300v\nwant %.300v", got, want)
			}
		})
	}
}

// encode sets the database key of the database b and encodes its pages.
func encode(b []byte, page, masked int, key uint32) []byte {
	e := bytes.Clone(b)
	xor := func(p []byte, k uint32) {
		c, _ := rc4.NewCipher(binary.LittleEndian.AppendUint32(nil, k))
		c.XORKeyStream(p, p)
	}
	h := e[0x18 : 0x18+masked]
	xor(h, 0x6B39DAC7)
	binary.LittleEndian.PutUint32(e[0x3E:], key)
	xor(h, 0x6B39DAC7)
	for n := 1; n < len(e)/page; n++ {
		xor(e[n*page:(n+1)*page], key^uint32(n))
	}
	return e
}

// TestCorrupt damages a file: each case ends in an error or in fewer
// values, never a panic or a hang.
func TestCorrupt(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			b, err := mdbtest.Write(register(), f.opt)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := mdb.Open(bytes.NewReader(b[:100]), 100, mdb.Limits{}); err == nil {
				t.Error("a header cut short opened")
			}
			newer := bytes.Clone(b)
			newer[0x14] = 7
			if _, err := mdb.Open(bytes.NewReader(newer), int64(len(newer)), mdb.Limits{}); !errors.Is(err, mdb.ErrUnsupported) {
				t.Errorf("an unknown version: %v", err)
			}
			// Read as the other format: Jet 4 pages as Jet 3's, and back.
			other := bytes.Clone(b)
			other[0x14] ^= 1
			readAll(other, mdb.Limits{})
			for _, cut := range []int{len(b) / 2, 3 * f.page, f.page + 100} {
				readAll(b[:cut], mdb.Limits{})
			}
			r := rand.New(rand.NewPCG(1, 2))
			for range 300 {
				d := bytes.Clone(b)
				for range 1 + r.IntN(6) {
					d[f.page+r.IntN(len(d)-f.page)] = byte(r.IntN(256))
				}
				readAll(d, mdb.Limits{MaxValue: 1 << 20})
			}
		})
	}
}

// readAll reads everything in what may be a damaged file, for whatever
// breaks on the way.
func readAll(b []byte, limits mdb.Limits) {
	f, err := mdb.Open(bytes.NewReader(b), int64(len(b)), limits)
	if err != nil {
		return
	}
	tables, _ := f.Tables()
	for _, t := range tables {
		if t.Err == nil {
			_ = f.Rows(t, func([]mdb.Value, error) error { return nil })
		}
	}
}

// FuzzMDB opens and reads everything in mutated databases.
func FuzzMDB(f *testing.F) {
	for _, opt := range []mdbtest.Options{{CompressText: true}, {Jet3: true}} {
		b, err := mdbtest.Write(register()[1:], opt)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		readAll(b, mdb.Limits{MaxValue: 1 << 20})
	})
}
