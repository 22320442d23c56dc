package detectors

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The two-byte look before comparing words never turns a word away, in
// any case, at the end of the text too.
func TestMayStartNeverMissesAWord(t *testing.T) {
	words := map[string][]string{
		"a": {"fødselsnummer", "f.nr", "d-nr", "Tlf", "tel:", "ØKONOMI", "x", "kid nummer", "e-post"},
	}
	ws := newContextWords(words)["a"]
	for _, w := range words["a"] {
		r, n := utf8.DecodeRuneInString(w)
		for _, v := range []string{w, strings.ToUpper(w), strings.ToLower(w), string(unicode.ToUpper(r)) + w[n:]} {
			for _, text := range []string{v, "see " + v, v + " 12345678"} {
				i := strings.Index(text, v)
				if !ws.mayStart([]byte(text), i) || !ws.startsAt([]byte(text), i) {
					t.Errorf("%q in %q: mayStart %v, startsAt %v", v, text, ws.mayStart([]byte(text), i), ws.startsAt([]byte(text), i))
				}
			}
		}
	}
}

// striker fails on every text and gives up after two failures.
type striker struct{ runs *int }

func (striker) Info() Info        { return Info{ID: "striker"} }
func (striker) Triggers() Trigger { return OnText }
func (s striker) Inspect(_ []byte, _ *Candidate, ctx *Context) {
	if ctx.Strikes("striker") >= 2 {
		return
	}
	*s.runs++
	ctx.Strike("striker")
}

// Strikes count within one Scanner's texts (a file's, a table's), and a
// new Scanner, or an Engine.Scan call, starts from none.
func TestStrikesLastAScanner(t *testing.T) {
	runs := 0
	e := NewEngine(nil, striker{&runs})
	s := e.NewScanner()
	for range 5 {
		s.Scan([]byte("tekst"), func(*Match) {})
	}
	s.Release()
	if runs != 2 {
		t.Errorf("one Scanner, 5 texts: %d runs, want 2", runs)
	}
	s = e.NewScanner()
	s.Scan([]byte("tekst"), func(*Match) {})
	s.Release()
	for range 3 {
		e.Scan([]byte("tekst"), func(*Match) {})
	}
	if runs != 6 {
		t.Errorf("a new Scanner and 3 Engine.Scan calls: %d runs in all, want 6", runs)
	}
}

// below clamps without a branch: every n, past either end too.
func TestBelow(t *testing.T) {
	for n := -200; n < 200; n++ {
		var want uint64
		switch {
		case n <= 0:
		case n >= 64:
			want = ^uint64(0)
		default:
			want = 1<<n - 1
		}
		if got := below(n); got != want {
			t.Fatalf("below(%d) = %x, want %x", n, got, want)
		}
	}
}
