package mdb_test

import (
	"bytes"
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

// read is what a reader finds in a file: by table, its columns and its
// rows, each cell as "column=value".
func read(t testing.TB, b []byte) map[string][]string {
	t.Helper()
	f, err := mdb.Open(bytes.NewReader(b), int64(len(b)), mdb.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	tables, err := f.Tables()
	if err != nil {
		t.Fatal(err)
	}
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

func TestTables(t *testing.T) {
	for _, compress := range []bool{false, true} {
		t.Run(fmt.Sprint("compressed=", compress), func(t *testing.T) {
			b, err := mdbtest.Write(register(), mdbtest.Options{CompressText: compress})
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
		})
	}
}

// TestManyRows reads a table over many data pages.
func TestManyRows(t *testing.T) {
	var rows [][]any
	for i := range 2000 {
		rows = append(rows, []any{int32(i), fmt.Sprintf("kunde%d@example.no", i), fmt.Sprintf("Kunde %d", i), float64(40000000 + i), nil})
	}
	b, err := mdbtest.Write([]mdbtest.Table{{Name: "Stor", Columns: []mdbtest.Column{
		{Name: "ID", Type: mdbtest.TypeLong}, {Name: "Epost", Type: mdbtest.TypeText}, {Name: "Navn", Type: mdbtest.TypeText},
		{Name: "Mobil", Type: mdbtest.TypeDouble}, {Name: "Merknad", Type: mdbtest.TypeMemo},
	}, Rows: rows}}, mdbtest.Options{})
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
}

// TestCorrupt damages a file: each case ends in an error or in fewer
// values, never a panic or a hang.
func TestCorrupt(t *testing.T) {
	b, err := mdbtest.Write(register(), mdbtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mdb.Open(bytes.NewReader(b[:100]), 100, mdb.Limits{}); err == nil {
		t.Error("a header cut short opened")
	}
	jet3 := bytes.Clone(b)
	jet3[0x14] = 0
	if _, err := mdb.Open(bytes.NewReader(jet3), int64(len(jet3)), mdb.Limits{}); !errors.Is(err, mdb.ErrUnsupported) {
		t.Errorf("Jet 3: %v", err)
	}
	for _, cut := range []int{len(b) / 2, 3 * 4096, 4096 + 100} {
		readAll(b[:cut], mdb.Limits{})
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		d := bytes.Clone(b)
		for range 1 + r.IntN(6) {
			d[4096+r.IntN(len(d)-4096)] = byte(r.IntN(256))
		}
		readAll(d, mdb.Limits{MaxValue: 1 << 20})
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
	b, err := mdbtest.Write(register()[1:], mdbtest.Options{CompressText: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		readAll(b, mdb.Limits{MaxValue: 1 << 20})
	})
}
