package detectors

import (
	"strconv"
	"strings"
)

// Luhn reports whether the digits of s pass the Luhn (MOD10) check of
// ISO/IEC 7812. Spaces and '-' are ignored; any other character fails.
func Luhn(s string) bool {
	var buf [32]byte
	d, ok := groupedDigits(s, buf[:0])
	return ok && len(d) > 1 && luhn(d)
}

// groupedDigits appends the digits of s to dst (up to its capacity),
// skipping the spaces and dashes numbers are grouped with; ok is false for
// any other character or too many digits.
func groupedDigits(s string, dst []byte) (d []byte, ok bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c):
			if len(dst) == cap(dst) {
				return nil, false
			}
			dst = append(dst, c)
		case c == ' ' || c == '-':
		default:
			return nil, false
		}
	}
	return dst, true
}

func luhn(d []byte) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// Card brands, reported as the variant of payment_card.
const (
	BrandVisa       = "visa"
	BrandMastercard = "mastercard"
	BrandAmex       = "amex"
	BrandDiscover   = "discover"
	BrandJCB        = "jcb"
	BrandDiners     = "diners"
	BrandMaestro    = "maestro"
	BrandUnionPay   = "unionpay"
	BrandMir        = "mir"
	BrandDankort    = "dankort"
)

// iinRange is an issuer prefix range: the first len(lo) digits between lo
// and hi, and the lengths the brand issues (bit n set: n digits).
type iinRange struct {
	lo, hi  string
	lengths uint32
	brand   string
}

func lens(ns ...int) uint32 {
	var m uint32
	for _, n := range ns {
		m |= 1 << n
	}
	return m
}

// iins lists the brands' prefixes, longest (most specific) first within a
// leading digit, with Maestro's broad ranges last, after braintree's
// credit-card-type table.
var iins = []iinRange{
	{"5019", "5019", lens(16), BrandDankort},
	{"2200", "2204", lens(16, 17, 18, 19), BrandMir},
	{"2221", "2720", lens(16), BrandMastercard},
	{"51", "55", lens(16), BrandMastercard},
	{"34", "34", lens(15), BrandAmex},
	{"37", "37", lens(15), BrandAmex},
	{"3528", "3589", lens(16, 17, 18, 19), BrandJCB},
	{"300", "305", lens(14, 16, 19), BrandDiners},
	{"36", "36", lens(14, 16, 19), BrandDiners},
	{"38", "39", lens(14, 16, 19), BrandDiners},
	{"4", "4", lens(13, 16, 18, 19), BrandVisa},
	{"6011", "6011", lens(16, 19), BrandDiscover},
	{"644", "649", lens(16, 19), BrandDiscover},
	{"65", "65", lens(16, 19), BrandDiscover},
	{"62", "62", lens(14, 15, 16, 17, 18, 19), BrandUnionPay},
	{"8110", "8171", lens(16, 17, 18, 19), BrandUnionPay},
	{"5018", "5018", lens(12, 13, 14, 15, 16, 17, 18, 19), BrandMaestro},
	{"5020", "5020", lens(12, 13, 14, 15, 16, 17, 18, 19), BrandMaestro},
	{"5038", "5038", lens(12, 13, 14, 15, 16, 17, 18, 19), BrandMaestro},
	{"5893", "5893", lens(12, 13, 14, 15, 16, 17, 18, 19), BrandMaestro},
	{"6304", "6304", lens(12, 13, 14, 15, 16, 17, 18, 19), BrandMaestro},
	{"6759", "6759", lens(12, 13, 14, 15, 16, 17, 18, 19), BrandMaestro},
	{"6761", "6763", lens(12, 13, 14, 15, 16, 17, 18, 19), BrandMaestro},
	{"50", "50", lens(12, 13, 14, 15, 16, 17, 18, 19), BrandMaestro},
	{"56", "59", lens(12, 13, 14, 15, 16, 17, 18, 19), BrandMaestro},
	{"63", "63", lens(12, 13, 14, 15, 16, 17, 18, 19), BrandMaestro},
	{"67", "67", lens(12, 13, 14, 15, 16, 17, 18, 19), BrandMaestro},
}

// cardBrand returns the brand whose prefix and length fit the digits.
func cardBrand(d []byte) (string, bool) {
	if len(d) < 4 {
		return "", false // no brand has numbers this short
	}
	// The number's first 1 to 4 digits as integers, so that each range is
	// two integer comparisons rather than two of strings.
	var prefix [5]int
	for k := 1; k <= 4; k++ {
		prefix[k] = prefix[k-1]*10 + int(d[k-1]-'0')
	}
	for _, r := range iinRanges {
		if r.lengths&(1<<len(d)) != 0 && prefix[r.digits] >= r.lo && prefix[r.digits] <= r.hi {
			return r.brand, true
		}
	}
	return "", false
}

// iinRanges are iins with their bounds as integers of digits digits.
var iinRanges = func() []iinInts {
	out := make([]iinInts, len(iins))
	for i, r := range iins {
		lo, _ := strconv.Atoi(r.lo)
		hi, _ := strconv.Atoi(r.hi)
		out[i] = iinInts{digits: len(r.lo), lo: lo, hi: hi, lengths: r.lengths, brand: r.brand}
	}
	return out
}()

type iinInts struct {
	digits, lo, hi int
	lengths        uint32
	brand          string
}

// CardBrand returns the brand of a card number's digits when its issuer
// prefix and length fit one.
func CardBrand(digits string) (string, bool) {
	if len(digits) > 19 {
		return "", false
	}
	for i := 0; i < len(digits); i++ {
		if !isDigit(digits[i]) {
			return "", false
		}
	}
	return cardBrand([]byte(digits))
}

// ValidCardNumber reports whether s is a payment card number: 12 to 19
// digits (spaces and '-' ignored) with a known brand's prefix and length
// and a valid Luhn check digit.
func ValidCardNumber(s string) bool {
	var buf [19]byte
	d, ok := groupedDigits(s, buf[:0])
	if !ok {
		return false
	}
	_, ok = validCard(d)
	return ok
}

func validCard(d []byte) (string, bool) {
	if len(d) < 12 || len(d) > 19 || allSame(d) || !luhn(d) {
		return "", false
	}
	return cardBrand(d)
}

func allSame(d []byte) bool {
	for _, c := range d {
		if c != d[0] {
			return false
		}
	}
	return true
}

// testCards are publicly documented test numbers (Stripe, PayPal, Adyen):
// still card numbers, but a privacy team wants to know they are test data.
var testCards = func() map[string]bool {
	set := map[string]bool{}
	for _, n := range strings.Fields(`4242424242424242 4000056655665556 5555555555554444 2223003122003222
5200828282828210 5105105105105100 378282246310005 371449635398431 6011111111111117 6011000990139424
6011981111111113 3056930009020004 36227206271667 3566002020360505 6200000000000005 6205500000000000004
6555900000604105 4005519200000004 4012000077777777 4012888888881881 2223000048400011 6304000000000000
5063516945005047 36461510000039 6200680000000004 4111111111111111 4222222222222 30569309025904
38520000023237 3530111333300000 5610591081018250 370000000000002 36006666333344 6445644564456445
3569990010095841 6771798021000008 5101180000000007 8171999927660000 5019555544445555`) {
		set[n] = true
	}
	return set
}()

// Separator layouts (bit n: a separator after n digits) in which card
// numbers are printed: groups of four (the last may be shorter), Amex
// 4-6-5, Diners 4-6-4.
func cardGrouping(seps uint32, digits int) bool {
	if seps == 1<<4|1<<10 {
		return digits == 15 || digits == 14
	}
	var fours uint32
	for n := 4; n < digits; n += 4 {
		fours |= 1 << n
	}
	return seps == fours
}

// PaymentCard finds payment card numbers (payment_card), the brand as
// variant.
type PaymentCard struct{}

// Info implements Detector.
func (PaymentCard) Info() Info {
	return Info{
		ID: CatPaymentCard, Categories: []string{CatPaymentCard},
		Variants:    []string{BrandVisa, BrandMastercard, BrandAmex, BrandDiscover, BrandJCB, BrandDiners, BrandMaestro, BrandUnionPay, BrandMir, BrandDankort},
		Description: "12-19 digits, compact or in card groups, with an issuer prefix and length of a brand and a valid Luhn digit",
		Personal:    true,
	}
}

// WantsRun implements the Engine's run filter: 12 to 19 digits, or more
// that a space may cut.
func (PaymentCard) WantsRun(r RunShape) bool {
	return r.Digits >= 12 && (r.Digits <= 19 || r.Space)
}

// Triggers implements Detector.
func (PaymentCard) Triggers() Trigger { return OnNumber }

// Inspect implements Detector.
func (PaymentCard) Inspect(text []byte, c *Candidate, ctx *Context) {
	if c.Digits < 12 {
		return
	}
	g := c.Groups
	GroupRanges(text, g, 12, 19, func(i, j, digits int) bool {
		start, end := g[i].Start, g[j-1].End
		seps := SeparatorsAt(g, i, j)
		if seps != 0 && !cardGrouping(seps, digits) {
			return true
		}
		// A grouped card is not cut out of a longer run of such groups
		// ("1234 5678 9012 3456 7890" is one number, not a card and a tail).
		if seps != 0 && ((i > 0 && g[i-1].Len() == 4) || (j < len(g) && g[j].Len() <= 4)) {
			return true
		}
		for k := i; k < j-1; k++ {
			if !spaceOrDash(text[g[k].End]) {
				return true
			}
		}
		if !Bounded(text, start, end) {
			return true
		}
		var buf [19]byte
		d := Digits(buf[:0], text, start, end)
		brand, ok := validCard(d)
		if !ok || kidInstead(text, start, end, d, CatPaymentCard, ctx) {
			return true
		}
		m := Match{Category: CatPaymentCard, Variant: brand, Start: start, End: end, Reason: "Luhn and issuer prefix"}
		m.Context = seps == 0 && ctx.Near(CatPaymentCard, start, end)
		if m.Context || seps != 0 {
			m.Confidence = High
		} else {
			m.Confidence = Medium
		}
		if testCards[string(d)] {
			m.Reason = "Luhn and issuer prefix (a public test card number)"
		}
		m.Value = ctx.Keep(d)
		ctx.Emit(&m)
		return false
	})
}
