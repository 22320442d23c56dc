// Package corpus generates realistic, labelled test data for datakart:
// valid Norwegian identity numbers, account numbers, cards, IBANs and
// contact data, their look-alikes (organisation numbers, KID references,
// timestamps, order numbers), and whole trees of exports whose expected
// inventory is known. It is used by tests, benchmarks and the example tree;
// every value it makes is synthetic.
package corpus

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

var (
	fnrW1 = []int{3, 7, 6, 1, 8, 9, 4, 5, 2}
	fnrW2 = []int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}
)

func weighted(d []int, w []int) int {
	s := 0
	for i, x := range w {
		s += d[i] * x
	}
	return s
}

func digitsOf(s string) []int {
	d := make([]int, len(s))
	for i := range s {
		d[i] = int(s[i] - '0')
	}
	return d
}

func join(d []int) string {
	var b strings.Builder
	for _, x := range d {
		b.WriteByte(byte('0' + x))
	}
	return b.String()
}

// mod11 returns the MOD11 check digit for d with weights w, or -1 when the
// sum gives 10 (such numbers are never issued).
func mod11(d, w []int) int {
	k := 11 - weighted(d, w)%11
	switch k {
	case 11:
		return 0
	case 10:
		return -1
	}
	return k
}

// Fodselsnummer returns a valid classic-rule fødselsnummer for someone born
// between 1940 and 2005. With dNumber the day is +40.
func Fodselsnummer(r *rand.Rand, dNumber bool) string {
	for {
		born := time.Date(1940+r.IntN(66), time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(365))
		var ind int
		if born.Year() >= 2000 {
			ind = 500 + r.IntN(500)
		} else {
			ind = r.IntN(500)
		}
		day := born.Day()
		if dNumber {
			day += 40
		}
		s := fmt.Sprintf("%02d%02d%02d%03d", day, int(born.Month()), born.Year()%100, ind)
		d := digitsOf(s)
		k1 := mod11(d, fnrW1)
		if k1 < 0 {
			continue
		}
		d = append(d, k1)
		k2 := mod11(d, fnrW2)
		if k2 < 0 {
			continue
		}
		return join(append(d, k2))
	}
}

// Kontonummer returns a valid Norwegian account number (11 digits) that is
// not also a valid fødselsnummer, so labels stay clean.
func Kontonummer(r *rand.Rand, isFnr func(string) bool) string {
	banks := []string{"1503", "1506", "1607", "1822", "2801", "3000", "6011", "7032", "8601", "9710"}
	for {
		s := banks[r.IntN(len(banks))] + fmt.Sprintf("%06d", r.IntN(1000000))
		k := mod11(digitsOf(s), fnrW2)
		if k < 0 {
			continue
		}
		n := s + string(rune('0'+k))
		if isFnr != nil && isFnr(n) {
			continue
		}
		return n
	}
}

// DotAccount writes an account number as 1234.56.78903.
func DotAccount(n string) string { return n[:4] + "." + n[4:6] + "." + n[6:] }

// Orgnr returns a valid organisation number (9 digits, starting with 8 or 9).
func Orgnr(r *rand.Rand) string {
	for {
		s := fmt.Sprintf("%d%07d", 8+r.IntN(2), r.IntN(10000000))
		k := mod11(digitsOf(s), []int{3, 2, 7, 6, 5, 4, 3, 2})
		if k >= 0 {
			return s + string(rune('0'+k))
		}
	}
}

// luhnDigit returns the check digit that makes prefix+digit pass Luhn.
func luhnDigit(prefix string) int {
	sum := 0
	double := true
	for i := len(prefix) - 1; i >= 0; i-- {
		d := int(prefix[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return (10 - sum%10) % 10
}

func randDigits(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	return b.String()
}

// Card returns a Luhn-valid 16-digit Visa or Mastercard number.
func Card(r *rand.Rand) string {
	prefix := "4" + randDigits(r, 14)
	if r.IntN(2) == 0 {
		prefix = fmt.Sprintf("5%d", 1+r.IntN(5)) + randDigits(r, 13)
	}
	return prefix + string(rune('0'+luhnDigit(prefix)))
}

// GroupCard writes a 16-digit card in groups of four.
func GroupCard(c string) string { return c[:4] + " " + c[4:8] + " " + c[8:12] + " " + c[12:] }

// KID returns a Luhn (MOD10) KID reference of n digits. With n = 16 and a
// leading 4 it looks exactly like a Visa card: the classic false positive.
func KID(r *rand.Rand, n int, lead string) string {
	prefix := lead + randDigits(r, n-1-len(lead))
	return prefix + string(rune('0'+luhnDigit(prefix)))
}

// IBANNO returns a valid Norwegian IBAN for an account number.
func IBANNO(acct string) string {
	// NO = 23 24; check digits make the number mod 97 equal 1.
	rem := 0
	for _, c := range acct + "232400" {
		rem = (rem*10 + int(c-'0')) % 97
	}
	return fmt.Sprintf("NO%02d%s", 98-rem, acct)
}

// Mobile returns a Norwegian mobile number (8 digits, 4xx or 9xx).
func Mobile(r *rand.Rand) string {
	lead := []string{"40", "41", "46", "47", "48", "90", "91", "92", "93", "94", "95", "97", "98", "99"}
	return lead[r.IntN(len(lead))] + randDigits(r, 6)
}

// GroupMobile writes 91234567 as "912 34 567".
func GroupMobile(m string) string { return m[:3] + " " + m[3:5] + " " + m[5:] }

var (
	firstNames = []string{"Ola", "Kari", "Per", "Ingrid", "Lars", "Nora", "Ahmed", "Emma", "Jonas", "Sofie", "Mohammed", "Ida", "Henrik", "Maja", "Bjørn", "Åse", "Øystein", "Sigrid"}
	lastNames  = []string{"Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen", "Berg", "Haugen", "Hagen", "Bakken", "Solberg", "Ødegård", "Aasen"}
	domains    = []string{"online.no", "gmail.com", "hotmail.com", "outlook.com", "live.no", "broadpark.no", "icloud.com"}
	streets    = []string{"Storgata", "Kirkeveien", "Parkveien", "Skolegata", "Sjøgata", "Bjørnstjerne Bjørnsons gate", "Trondheimsveien"}
	places     = []string{"0150 OSLO", "5003 BERGEN", "7010 TRONDHEIM", "4006 STAVANGER", "9008 TROMSØ", "2317 HAMAR"}
)

// Person is a synthetic person with contact data.
type Person struct {
	First, Last, Email, Mobile, Fnr, Account, Street, Place string
}

// asciiLocal spells a name in ASCII for an e-mail's local part. Made
// once: built for each person, it was a fifth of writing a corpus.
var asciiLocal = strings.NewReplacer("ø", "o", "å", "a", "æ", "ae", "Ø", "O", "Å", "A")

// NewPerson makes a synthetic person.
func NewPerson(r *rand.Rand, isFnr func(string) bool) Person {
	f, l := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
	local := asciiLocal.Replace(strings.ToLower(f + "." + l))
	return Person{
		First: f, Last: l,
		Email:   fmt.Sprintf("%s%d@%s", local, r.IntN(100), domains[r.IntN(len(domains))]),
		Mobile:  Mobile(r),
		Fnr:     Fodselsnummer(r, r.IntN(10) == 0),
		Account: Kontonummer(r, isFnr),
		Street:  fmt.Sprintf("%s %d", streets[r.IntN(len(streets))], 1+r.IntN(120)),
		Place:   places[r.IntN(len(places))],
	}
}

// PublicIPv4 returns an address in a public range (Norwegian ISPs' blocks).
func PublicIPv4(r *rand.Rand) string {
	first := []int{84, 85, 88, 89, 92, 109, 129, 146, 158, 178, 193, 195, 212, 217}
	return fmt.Sprintf("%d.%d.%d.%d", first[r.IntN(len(first))], r.IntN(256), r.IntN(256), 1+r.IntN(254))
}
