package detectors

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

var fuzzWords = map[string][]string{
	CatFodselsnummer: {"fnr", "fødselsnummer"}, CatBankAccount: {"konto"}, CatPaymentCard: {"kort"},
	CatKID: {"kid"}, CatPhone: {"tlf"}, CatOrgNumber: {"orgnr"}, CatIPAddress: {"ip"}, CatDKCPR: {"cpr"},
}

// fuzzDetector runs one detector through an Engine over arbitrary text and
// checks what every detector must guarantee: no panic, spans inside the
// text and in order, a value for every match.
func fuzzDetector(f *testing.F, d Detector, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
		f.Add("x " + s + " y")
		f.Add(strings.Repeat(s+" ", 3))
	}
	ds := []Detector{d}
	if d == nil {
		ds = Builtin()
	}
	e := NewEngine(fuzzWords, ds...)
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 0 {
			// Long enough for whole blocks, and at every alignment.
			long := strings.Repeat(s, 1+200/len(s))
			sameBothWays(t, e, []byte(long))
			sameBothWays(t, e, []byte(long[len(long)%7:]))
		}
		last := 0
		e.Scan([]byte(s), func(m *Match) {
			if m.Start < 0 || m.End > len(s) || m.Start >= m.End {
				t.Fatalf("span [%d,%d) outside text of %d bytes", m.Start, m.End, len(s))
			}
			if m.Start < last {
				t.Fatalf("match at %d after one at %d", m.Start, last)
			}
			last = m.Start
			if len(m.Value) == 0 || m.Confidence == None {
				t.Fatalf("match without value or confidence: %+v", m)
			}
		})
	})
}

func FuzzFodselsnummer(f *testing.F) {
	fuzzDetector(f, Fodselsnummer{}, "10048744732", "100487 44732", "fnr 30108299939", "13-04-99-58441", "1234.56.78903")
}

func FuzzKontonummer(f *testing.F) {
	fuzzDetector(f, BankAccount{}, "8601.11.17947", "konto 10048744732", "1503 75 77003")
}

func FuzzOrgnr(f *testing.F) {
	fuzzDetector(f, OrgNumber{}, "NO 988 077 917 MVA", "988077917", "orgnr 981566378")
}

func FuzzKID(f *testing.F) {
	fuzzDetector(f, nil, "KID: 4242424242424242", "kid 12345678903", "KID 10048744732") // KIDs are told apart by the card, fnr and account detectors
}

func FuzzPaymentCard(f *testing.F) {
	fuzzDetector(f, PaymentCard{}, "4242 4242 4242 4242", "378282246310005", "3782 822463 10005", "kort 6205500000000000004")
}

func FuzzIBAN(f *testing.F) {
	fuzzDetector(f, IBAN{}, "NO93 8601 1117 947", "GB82WEST12345698765432", "IBAN: FR1420041010050500013M02606")
}

func FuzzEmail(f *testing.F) {
	fuzzDetector(f, Email{}, "ola@online.no", "a%40b.no", "kari@blåbær.no", "logo@2x.png", "https://u:p@h.no", "x@y")
}

func FuzzPhone(f *testing.F) {
	fuzzDetector(f, Phone{}, "+47 912 34 567", "(+47) 91234567", "0047 91234567", "+46 8 123 456 78", "tlf 91234567",
		"+45 20 12 34 56", "+358 40 123 4567", "+44 7911 123456", "+1 212 555 0100", "+39 06 1234 5678")
}

// FuzzPhoneType checks the compiled number types against libphonenumber's
// own answer for any digits after a '+'.
func FuzzPhoneType(f *testing.F) {
	for _, s := range []string{"46701234567", "4520123456", "358401234567", "447911123456", "12125550100", "390612345678", "8001234567"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := []byte(s)
		for i, c := range d {
			d[i] = '0' + c%10
		}
		if len(d) > 17 {
			d = d[:17]
		}
		if got, want := phoneTypeOf(d), libraryPhoneType(d); got != want {
			t.Fatalf("+%s: phoneTypeOf %v, libphonenumber %v", d, got, want)
		}
	})
}

func FuzzIPAddress(f *testing.F) {
	fuzzDetector(f, IPAddress{}, "84.210.1.2", "2a02:2121:1:2::1", "fe80::1%eth0", "::1", "1.2.3.4.5")
}

func FuzzSEPersonnummer(f *testing.F) {
	fuzzDetector(f, SEPersonnummer{}, "880320-0016", "121212+1212", "191705120424")
}

func FuzzDKCPR(f *testing.F) {
	fuzzDetector(f, DKCPR{}, "cpr 211062-5629", "CPR-nr 2110620629")
}

func FuzzFIHETU(f *testing.F) {
	fuzzDetector(f, FIHETU{}, "131052-308T", "131052A308T", "hetu 131052+308T")
}

// FuzzEngine runs every built-in detector together, as a scan does.
func FuzzEngine(f *testing.F) {
	fuzzDetector(f, nil, "Fødselsnummer 100487 44732, tlf +47 912 34 567, ola@online.no, KID: 4242424242424242, 84.210.1.2")
}

// FuzzValidators checks that the exported validators never panic and agree
// with the detectors' reading of the same compact digits.
func FuzzValidators(f *testing.F) {
	for _, s := range []string{"10048744732", "86011117947", "988077917", "4242424242424242", "NO9386011117947", "880320-0016", "131052-308T", "a@b.no"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ValidFodselsnummer(s)
		ValidKontonummer(s)
		ValidOrgnr(s)
		ValidCardNumber(s)
		Luhn(s)
		ValidKID(s)
		ValidIBAN(s)
		ValidEmail(s)
		ValidSEPersonnummer(s)
		ValidDKCPR(s)
		ValidFIHETU(s)
		CardBrand(s)
		Mask(CatEmail, []byte(s))
		Mask(CatIPAddress, []byte(s))
		Mask(CatIBAN, []byte(s))
	})
}

// sameBothWays checks that walking the block masks finds exactly what a
// byte-at-a-time walk finds, and that both find what the detectors find
// when every run is handed to every number detector: the run filter turns
// away nothing a detector would match. A Scanner kept from one text to the
// next finds the same as Engine.Scan.
func sameBothWays(t *testing.T, e *Engine, text []byte) {
	t.Helper()
	collect := func(e *Engine, blocks bool) (ms []string) {
		e.scan(text, func(m *Match) {
			ms = append(ms, describe(m))
		}, blocks)
		return ms
	}
	blocks, bytes := collect(e, true), collect(e, false)
	if !slices.Equal(blocks, bytes) {
		t.Fatalf("block walk found\n%s\nbyte walk found\n%s\nin %q", strings.Join(blocks, "\n"), strings.Join(bytes, "\n"), text)
	}
	if kept := scanKept(e, text); !slices.Equal(blocks, kept) {
		t.Fatalf("Engine.Scan found\n%s\na Scanner kept since earlier texts found\n%s\nin %q", strings.Join(blocks, "\n"), strings.Join(kept, "\n"), text)
	}
	if all := collect(unfiltered(e), false); !slices.Equal(bytes, all) {
		t.Fatalf("with the run filter found\n%s\nwithout it found\n%s\nin %q", strings.Join(bytes, "\n"), strings.Join(all, "\n"), text)
	}
}

// keptScanners has one Scanner per engine, kept across every text the
// tests and the fuzzer check, so what one scan leaves in it cannot change
// the next.
var keptScanners sync.Map // *Engine → *keptScanner

type keptScanner struct {
	sync.Mutex
	*Scanner
}

// scanKept scans text with e's kept Scanner and describes the matches.
func scanKept(e *Engine, text []byte) (ms []string) {
	v, _ := keptScanners.LoadOrStore(e, &keptScanner{Scanner: e.NewScanner()})
	s := v.(*keptScanner)
	s.Lock()
	defer s.Unlock()
	s.Scan(text, func(m *Match) {
		ms = append(ms, describe(m))
	})
	if s.st.ctx.text != nil || s.st.ctx.emit != nil {
		panic("a Scanner holds the text or the emit function of its last scan")
	}
	return ms
}

// describe writes all a match says, its value too.
func describe(m *Match) string {
	return fmt.Sprintf("%s/%s [%d,%d) %s %v %q", m.Category, m.Variant, m.Start, m.End, m.Confidence, m.Context, m.Value)
}

// wantsAll hides a detector's WantsRun: the engine hands it every run.
type wantsAll struct{ Detector }

var unfilteredEngines sync.Map // *Engine → *Engine

// unfiltered returns an engine like e that hands every run of digits to
// every number detector.
func unfiltered(e *Engine) *Engine {
	if u, ok := unfilteredEngines.Load(e); ok {
		return u.(*Engine)
	}
	var ds []Detector
	for _, d := range e.detectors {
		ds = append(ds, wantsAll{d})
	}
	u := NewEngine(nil, ds...)
	u.words = e.words
	// In e's order, so that ties resolve alike.
	for k, d := range e.onNumber {
		u.onNumber[k] = wantsAll{d}
	}
	unfilteredEngines.Store(e, u)
	return u
}
