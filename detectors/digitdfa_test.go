package detectors

import (
	"math/rand/v2"
	"regexp"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// A digitDFA matches what the regexp package matches, whole or as a
// prefix, for every pattern of libphonenumber's metadata, on digit strings
// that its example numbers start from and on random ones.
func TestDigitDFAAgreesWithRegexp(t *testing.T) {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(13, 14))
	refused := 0
	for _, md := range coll.GetMetadata() {
		var exprs, examples []string
		for _, d := range []*phonenumbers.PhoneNumberDesc{md.GetGeneralDesc(), md.GetFixedLine(), md.GetMobile(), md.GetTollFree(),
			md.GetPremiumRate(), md.GetSharedCost(), md.GetPersonalNumber(), md.GetVoip(), md.GetPager(), md.GetUan(), md.GetVoicemail()} {
			exprs = append(exprs, d.GetNationalNumberPattern())
			if ex := d.GetExampleNumber(); ex != "" {
				examples = append(examples, ex)
			}
		}
		exprs = append(exprs, md.GetLeadingDigits(), md.GetNationalPrefixForParsing())
		for _, expr := range exprs {
			for _, prefix := range []bool{false, true} {
				dfa, err := compileDigitDFA(expr, prefix)
				if err != nil {
					refused++
					continue
				}
				full := "^(?:" + expr + ")$"
				if prefix {
					full = "^(?:" + expr + ")"
				}
				re := regexp.MustCompile(full)
				try := func(s []byte) {
					if got, want := dfa.match(s), re.Match(s); got != want {
						t.Fatalf("%s: %q: DFA %v, regexp %v", full, s, got, want)
					}
				}
				try(nil)
				for _, ex := range examples {
					try([]byte(ex))
					b := []byte(ex)
					b[r.IntN(len(b))] = byte('0' + r.IntN(10))
					try(b)
					try(b[:r.IntN(len(b))])
				}
				for range 50 {
					b := make([]byte, r.IntN(16))
					for i := range b {
						b[i] = byte('0' + r.IntN(10))
					}
					try(b)
				}
			}
		}
	}
	t.Logf("%d expressions refused", refused)
}

// Anchors inside an expression (libphonenumber's national prefixes for
// parsing have them: "(000[2569]\d{4,6})$|0") hold where the regexp
// package says, whole and as a prefix.
func TestDigitDFAAnchors(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for _, expr := range []string{`12$|3`, `(000[2569]\d{4,6})$|(?:(?:003768)0?)|0`, `^1|2$`, `(^5)?6`, `1*$^`, `1\b`} {
		for _, prefix := range []bool{false, true} {
			dfa, err := compileDigitDFA(expr, prefix)
			if expr == `1\b` {
				if err == nil {
					t.Errorf("%s: a word boundary was compiled", expr)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", expr, err)
			}
			full := "^(?:" + expr + ")$"
			if prefix {
				full = "^(?:" + expr + ")"
			}
			re := regexp.MustCompile(full)
			for range 3000 {
				b := make([]byte, r.IntN(12))
				for i := range b {
					b[i] = "0123569"[r.IntN(7)]
				}
				if got, want := dfa.match(b), re.Match(b); got != want {
					t.Fatalf("%s: %q: DFA %v, regexp %v", full, b, got, want)
				}
			}
		}
	}
}

// FuzzDigitDFA compares a digit DFA with the regexp package on any
// expression it compiles and any digits, whole and as a prefix.
func FuzzDigitDFA(f *testing.F) {
	for _, s := range []string{`[2-9]\d{7}`, `7(?:[0-2]\d|3[0-5])\d{6}`, `12$|3`, `(000[2569]\d{4,6})$|0`, `^1|2$`, `1*$^`, `(?:4[5-8]|9)\d{0,3}`} {
		f.Add(s, "91234567", false)
		f.Add(s, "0003", true)
	}
	f.Fuzz(func(t *testing.T, expr, input string, prefix bool) {
		if len(expr) > 64 {
			return
		}
		dfa, err := compileDigitDFA(expr, prefix)
		if err != nil {
			return // not an expression, or one over digits alone it refuses
		}
		full := "^(?:" + expr + ")$"
		if prefix {
			full = "^(?:" + expr + ")"
		}
		re, err := regexp.Compile(full)
		if err != nil {
			return
		}
		b := []byte(input)
		for i, c := range b {
			b[i] = '0' + c%10
		}
		if got, want := dfa.match(b), re.Match(b); got != want {
			t.Fatalf("%s: %q: DFA %v, regexp %v", full, b, got, want)
		}
	})
}
