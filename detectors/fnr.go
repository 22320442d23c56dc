package detectors

import (
	"slices"
	"time"
)

// Variants of no_fnr.
const (
	VariantDNumber   = "d_number"
	VariantHNumber   = "h_number"
	VariantFHNumber  = "fh_number"
	VariantSynthetic = "synthetic"
)

// fnrW2 are the weights of a fødselsnummer's second check digit, and of an
// account number's MOD11 digit.
var fnrW2 = [10]int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}

// FnrResult describes a valid fødselsnummer-family number.
type FnrResult struct {
	// Variant is "" for a plain fødselsnummer, else d_number, h_number,
	// fh_number or synthetic (Skatteetaten's Tenor month+80, NHN's
	// month+65 test persons).
	Variant string
	// Rule2032 is true when only the check-digit rule in force from 2032
	// accepts the number (its first check digit leaves a remainder 1–3).
	Rule2032 bool
	// Plausible is true when the classic rule holds and the individual
	// number's century gives a real date that is not in the future: the
	// strongest evidence short of context.
	Plausible bool
}

// ValidFodselsnummer reports whether s is a valid Norwegian fødselsnummer,
// D-, H-, FH- or synthetic number under the classic or the 2032
// check-digit rule. Spaces, '.', '-' and ':' between digits are ignored.
func ValidFodselsnummer(s string) bool {
	var d [11]byte
	if !compactDigits(s, d[:]) {
		return false
	}
	_, ok := CheckFodselsnummer(&d)
	return ok
}

// compactDigits copies the digits of s into dst, skipping separators, and
// reports whether s held exactly len(dst) digits and nothing else.
func compactDigits(s string, dst []byte) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			if n == len(dst) {
				return false
			}
			dst[n] = c
			n++
		case c == ' ' || c == '.' || c == '-' || c == ':':
		default:
			return false
		}
	}
	return n == len(dst)
}

// CheckFodselsnummer validates 11 ASCII digits and classifies them.
func CheckFodselsnummer(d *[11]byte) (FnrResult, bool) {
	var v [11]int
	for i, c := range d {
		x := int(c) - '0'
		if uint(x) > 9 {
			return FnrResult{}, false
		}
		v[i] = x
	}
	// The second check digit first: one number in eleven passes it. The
	// weights are fnrW2, then 3 7 6 1 8 9 4 5 2 for the first, written out.
	if (5*v[0]+4*v[1]+3*v[2]+2*v[3]+7*v[4]+6*v[5]+5*v[6]+4*v[7]+3*v[8]+2*v[9]+v[10])%11 != 0 {
		return FnrResult{}, false
	}
	r1 := (3*v[0] + 7*v[1] + 6*v[2] + v[3] + 8*v[4] + 9*v[5] + 4*v[6] + 5*v[7] + 2*v[8] + v[9]) % 11
	if r1 > 3 {
		return FnrResult{}, false
	}
	res := FnrResult{Rule2032: r1 != 0}
	if v[0] >= 8 { // FH-number: no date, check digits only
		res.Variant = VariantFHNumber
		return res, true
	}
	day, month, yy := v[0]*10+v[1], v[2]*10+v[3], v[4]*10+v[5]
	dNumber := false
	if day >= 41 && day <= 71 {
		day -= 40
		dNumber = true
		res.Variant = VariantDNumber
	}
	switch {
	case month >= 1 && month <= 12:
	case month >= 41 && month <= 52:
		month -= 40
		res.Variant = VariantHNumber
	case month >= 81 && month <= 92:
		month -= 80
		res.Variant = VariantSynthetic
	case month >= 66 && month <= 77:
		month -= 65
		res.Variant = VariantSynthetic
	default:
		return FnrResult{}, false
	}
	// Day 00 also turns away 00000000000, the one run of a single digit
	// that passes both checksums.
	if day < 1 || !(day <= daysIn(month, 1900+yy) || day <= daysIn(month, 2000+yy) || day <= daysIn(month, 1800+yy)) {
		return FnrResult{}, false
	}
	if !res.Rule2032 {
		year := fnrYear(v[6]*100+v[7]*10+v[8], yy, dNumber)
		res.Plausible = year > 0 && day <= daysIn(month, year) && year*10000+month*100+day <= today
	}
	return res, true
}

// today is the date this process started, as yyyymmdd: a birth date after
// it is not plausible. Reading the clock once keeps it off the hot path.
var today = func() int {
	y, m, d := time.Now().Date()
	return y*10000 + int(m)*100 + d
}()

// fnrYear returns the birth year the individual number gives under the
// classic rule, or 0 when the table gives none. D-numbers use the table
// extended in 2021.
func fnrYear(ind, yy int, dNumber bool) int {
	if dNumber {
		switch {
		case ind >= 500 && ind <= 599 && yy >= 58:
			return 1800 + yy
		case ind <= 199 && yy < 40:
			return 1900 + yy
		case yy >= 40 && (ind <= 499 || ind >= 600):
			return 1900 + yy
		case ind >= 200 && yy < 40:
			return 2000 + yy
		}
	}
	switch {
	case ind <= 499:
		return 1900 + yy
	case ind <= 749 && yy >= 54:
		return 1800 + yy
	case yy < 40:
		return 2000 + yy
	case ind >= 900:
		return 1900 + yy
	}
	return 0
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// fnrLayouts are the separator sets (bit n: a separator after n digits) in
// which a fødselsnummer is written: 6+5, 4+2+5, 2+2+2+5, 2+2+2+2+3,
// 2+2+2+3+2, 6+3+2, 9+2, or compact.
var fnrLayouts = [...]uint32{0, 1 << 6, 1<<4 | 1<<6, 1<<2 | 1<<4 | 1<<6, 1<<2 | 1<<4 | 1<<6 | 1<<8, 1<<2 | 1<<4 | 1<<6 | 1<<9, 1<<6 | 1<<9, 1 << 9}

func fnrLayout(seps uint32) bool {
	for _, l := range fnrLayouts {
		if seps == l {
			return true
		}
	}
	return false
}

// The 4-2-5 grouping is how account numbers are printed.
const accountSeps = 1<<4 | 1<<6

// Fodselsnummer finds Norwegian national identity numbers (no_fnr).
type Fodselsnummer struct{}

// Info implements Detector.
func (Fodselsnummer) Info() Info {
	return Info{
		ID: CatFodselsnummer, Categories: []string{CatFodselsnummer},
		Variants:    []string{VariantDNumber, VariantHNumber, VariantFHNumber, VariantSynthetic},
		Description: "11 digits, both mod-11 check digits (classic or 2032 rule), a real date; D/H/FH/synthetic variants",
		Personal:    true,
	}
}

// WantsRun implements the Engine's run filter: 11 digits in one of the
// layouts, not glued to a word (a run without a space is one number), or
// more that a space may cut.
func (Fodselsnummer) WantsRun(r RunShape) bool {
	if r.Space {
		return r.Digits >= 11
	}
	return !r.Glued() && slices.ContainsFunc(fnrLayouts[:], func(l uint32) bool { return r.Fits(11, l) })
}

// Triggers implements Detector.
func (Fodselsnummer) Triggers() Trigger { return OnNumber }

// Inspect implements Detector.
func (Fodselsnummer) Inspect(text []byte, c *Candidate, ctx *Context) {
	if c.Digits < 11 {
		return
	}
	g := c.Groups
	GroupRanges(text, g, 11, 11, func(i, j, _ int) bool {
		start, end := g[i].Start, g[j-1].End
		seps := SeparatorsAt(g, i, j)
		if !fnrLayout(seps) || !Bounded(text, start, end) {
			return true
		}
		if seps == accountSeps && text[g[i].End] == '.' {
			return true // 1234.56.78903 is an account number
		}
		var d [11]byte
		Digits(d[:0], text, start, end)
		res, ok := CheckFodselsnummer(&d)
		if !ok || kidInstead(text, start, end, d[:], CatFodselsnummer, ctx) {
			return true
		}
		nearFnr := ctx.Near(CatFodselsnummer, start, end)
		if seps == accountSeps && !nearFnr && ctx.Near(CatBankAccount, start, end) {
			return true // "konto 1234 56 78903": the account detector reports it
		}
		if nearFnr && ctx.Near(CatBankAccount, start, end) && ctx.closer(CatBankAccount, CatFodselsnummer, start, end) {
			return true // an account a line above the fødselsnummer: the account detector reports it
		}
		m := Match{Category: CatFodselsnummer, Variant: res.Variant, Start: start, End: end, Reason: "checksum and date"}
		strict := res.Plausible && res.Variant != VariantFHNumber
		// Context only matters when the number alone is not already sure.
		m.Context = !(strict && seps != 0) && nearFnr
		switch {
		case res.Rule2032:
			m.Reason = "checksum (2032 rule) and date"
		case res.Variant == VariantFHNumber:
			m.Reason = "checksum (FH-number, no date)"
		case !res.Plausible:
			m.Reason = "checksum and date (century not given by the individual number)"
		}
		switch {
		case m.Context:
			m.Confidence = High
		case strict && seps != 0:
			m.Confidence = High
		case strict || seps != 0:
			m.Confidence = Medium
		default:
			m.Confidence = Low
		}
		m.Value = ctx.Keep(d[:])
		ctx.Emit(&m)
		return true
	})
}
