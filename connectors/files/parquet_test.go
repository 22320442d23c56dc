package files

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"

	"datakart/detectors"
	"datakart/internal/childlimit"
	"datakart/internal/parquetchild"
)

type parquetAddress struct {
	Street string `parquet:"street"`
	Postal string `parquet:"postal"`
}

type parquetCustomer struct {
	ID       int64          `parquet:"id"`
	Name     string         `parquet:"name"`
	Fnr      string         `parquet:"fnr,optional"`
	Mobile   int64          `parquet:"mobile"`
	Active   bool           `parquet:"active"`
	Emails   []string       `parquet:"emails,list"`
	Address  parquetAddress `parquet:"address"`
	Comment  string         `parquet:"comment"`
	Balance  float64        `parquet:"balance"`
	JoinedAt int32          `parquet:"joined,date"`
}

// parquetOf writes rows as a Parquet file, in row groups of at most
// perGroup rows.
func parquetOf(t testing.TB, rows []parquetCustomer, perGroup int64, opts ...parquet.WriterOption) []byte {
	t.Helper()
	var b bytes.Buffer
	w := parquet.NewGenericWriter[parquetCustomer](&b, append(opts, parquet.MaxRowsPerRowGroup(perGroup))...)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func parquetCustomers() []parquetCustomer {
	return []parquetCustomer{
		{ID: 1, Name: "Kari Nordmann", Fnr: "10048744732", Mobile: 91234567, Active: true, Emails: []string{"kari@firma.no", "kari.n@gmail.com"},
			Address: parquetAddress{"Storgata 1", "0155"}, Comment: "ringte fra 912 34 567", Balance: 12.5, JoinedAt: 19000},
		{ID: 2, Name: "Ola Hansen", Mobile: 92345678, Address: parquetAddress{"Lillegata 2", "5003"}},
		{ID: 3, Name: "Per Berg", Fnr: "01010112345", Mobile: 48123456, Emails: []string{"per@berg.no"}},
	}
}

// A Parquet file is read column by column: each column a field, nested
// ones named by their path, its values as text; dates and booleans are
// declared by name only.
func TestParquet(t *testing.T) {
	dir := t.TempDir()
	data := parquetOf(t, parquetCustomers(), 2) // two row groups
	write(t, dir, "lake/kunder.parquet", data)
	write(t, dir, "eksport.zip", zipOf(t, map[string][]byte{"kunder.parquet": data}))
	write(t, dir, "kuttet.parquet", data[:len(data)/2])
	write(t, dir, "kryptert.parquet", append([]byte("PARE\x15\x04\x00\x00"), []byte("\x00\x01\x02PARE")...))
	write(t, dir, "par1.csv", []byte("PAR1;fnr\nx;10048744732\n")) // text that starts like Parquet
	rec, _ := scanTree(t, dir, Options{})
	for _, part := range []string{"lake/kunder.parquet", "eksport.zip!kunder.parquet"} {
		if rec.kinds[part] != "parquet" {
			t.Errorf("%s: kind %q, errors %v, skipped %v", part, rec.kinds[part], rec.errs, rec.skipped)
		}
		for field, want := range map[string][]string{
			"fnr":              {"10048744732", "01010112345"},
			"mobile":           {"91234567", "92345678", "48123456"},
			"$.emails[*]":      {"kari@firma.no", "kari.n@gmail.com", "per@berg.no"},
			"$.address.postal": {"0155", "5003", ""},
			"comment":          {"ringte fra 912 34 567"},
			"active":           nil,
			"joined":           nil,
		} {
			got := rec.values[part+"|"+field]
			want = slices.DeleteFunc(slices.Clone(want), func(s string) bool { return s == "" })
			if !slices.Equal(got, want) {
				t.Errorf("%s|%s: %q, want %q", part, field, got, want)
			}
		}
		if fs := rec.fields[part]; !slices.Contains(fs, "active") || !slices.Contains(fs, "joined") || !slices.Contains(fs, "$.address.street") {
			t.Errorf("%s: fields %q", part, fs)
		}
	}
	if e := rec.errs["kuttet.parquet"]; !strings.Contains(e, "parquet: malformed") {
		t.Errorf("a file cut short: error %q", e)
	}
	if got := rec.skipped["kryptert.parquet"]; !strings.Contains(got, "encrypted") {
		t.Errorf("an encrypted file: skipped %q, errors %v", got, rec.errs)
	}
	if got := rec.values["par1.csv|fnr"]; len(got) != 1 {
		t.Errorf("a CSV that starts with PAR1: %q (skipped %q)", got, rec.skipped["par1.csv"])
	}
}

// A file whose reader would take more memory than the child may have
// ends the child, not the scan: the file has an error, and the files after
// it are read. page-bomb.parquet (115 KB) holds a page of 1 GiB,
// compressed with zstd, which the reader decompresses whole. Not under
// the race detector, whose child is not held to the limit (see
// childlimit.MemoryLimited).
func TestParquetOverMemory(t *testing.T) {
	if !childlimit.MemoryLimited {
		t.Skip("the race detector's child has no memory limit")
	}
	dir := t.TempDir()
	write(t, dir, "a/page-bomb.parquet", fixture(t, "page-bomb.parquet"))
	write(t, dir, "b/kunder.parquet", parquetOf(t, parquetCustomers(), 10))
	rec, _ := scanTree(t, dir, Options{MaxExpandedBytes: 4 << 30})
	if e := rec.errs["a/page-bomb.parquet"]; !strings.Contains(e, "the reader failed") {
		t.Errorf("error %q, skipped %q", e, rec.skipped["a/page-bomb.parquet"])
	}
	if got := rec.values["b/kunder.parquet|name"]; len(got) != 3 {
		t.Errorf("the file after it: %q, errors %v", got, rec.errs)
	}
}

// A value longer than the child's frames (a document's text in a column)
// comes in pieces; a fødselsnummer across the cut between two is found,
// once, and the pieces hold the value's text once, whole runes.
func TestParquetLongValue(t *testing.T) {
	const size = 3 * parquetchild.MaxValue
	words := strings.Repeat("Notat fra møtet med kunden om lånesøknaden. ", size/40)
	text := []byte(words[:size])
	fnrs := map[string]int{"10048744732": parquetchild.MaxValue - 5, "30108299939": 2*parquetchild.MaxValue - 6}
	for fnr, at := range fnrs {
		copy(text[at-1:], " "+fnr+" ")
	}
	if !utf8.Valid(text) {
		t.Fatal("the test's text is not UTF-8")
	}
	type document struct {
		Text string `parquet:"text"`
	}
	var b bytes.Buffer
	w := parquet.NewGenericWriter[document](&b)
	if _, err := w.Write([]document{{string(text)}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write(t, dir, "dokumenter.parquet", b.Bytes())
	rec, _ := scanTree(t, dir, Options{})
	pieces := rec.values["dokumenter.parquet|text"]
	if got := strings.Join(pieces, ""); got != string(text) {
		t.Fatalf("the pieces (%d) hold %d bytes, not the value's %d; errors %v", len(pieces), len(got), len(text), rec.errs)
	}
	found := map[string]int{}
	scanner := detectors.NewEngine(nil, detectors.Builtin()...).NewScanner()
	for _, p := range pieces {
		if !utf8.ValidString(p) {
			t.Errorf("a piece of %d bytes is not UTF-8", len(p))
		}
		scanner.Scan([]byte(p), func(m *detectors.Match) {
			if m.Category == detectors.CatFodselsnummer {
				found[string(m.Value)]++
			}
		})
	}
	for fnr, at := range fnrs {
		if found[fnr] != 1 {
			t.Errorf("%s across the cut at %d MiB: found %d times", fnr, at/parquetchild.MaxValue+1, found[fnr])
		}
	}
}
