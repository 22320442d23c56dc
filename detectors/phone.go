package detectors

import (
	"github.com/nyaruka/phonenumbers"
)

// Variants of phone: the number type.
const (
	VariantMobile    = "mobile"
	VariantFixedLine = "fixed_line"
	VariantVoIP      = "voip"
	VariantPersonal  = "personal_number"
)

// noNumberType classifies an 8-digit Norwegian national number by the
// numbering plan as libphonenumber's metadata has it: mobile
// 4[016-8]x, 45x (not 453[68]), 9x; fixed 2[1-4], 3[1-3578], 5[1-35-7],
// 6[1-46-9], 7[0-9]. Special-service numbers (8xx), M2M (58/59) and
// unallocated series are not a person's phone: "".
func noNumberType(d []byte) string {
	a, b := d[0]-'0', d[1]-'0'
	switch a {
	case 9:
		return VariantMobile
	case 4:
		switch b {
		case 0, 1, 6, 7, 8:
			return VariantMobile
		case 5:
			if d[2] == '3' && (d[3] == '6' || d[3] == '8') {
				return ""
			}
			return VariantMobile
		}
	case 2:
		if b >= 1 && b <= 4 {
			return VariantFixedLine
		}
	case 3:
		if b >= 1 && b <= 8 && b != 4 && b != 6 {
			return VariantFixedLine
		}
	case 5:
		if b >= 1 && b <= 7 && b != 4 {
			return VariantFixedLine
		}
	case 6:
		if b >= 1 && b <= 9 && b != 5 {
			return VariantFixedLine
		}
	case 7:
		return VariantFixedLine
	}
	return ""
}

// Groupings of 8-digit Norwegian numbers (separator after n digits):
// 912 34 567, 91 23 45 67, 9123 4567.
const (
	phone323  = 1<<3 | 1<<5
	phone2222 = 1<<2 | 1<<4 | 1<<6
	phone44   = 1 << 4
)

// Phone finds phone numbers (phone): Norwegian numbers by the numbering
// plan, and numbers written with + or 00 and a country code through
// libphonenumber. Only numbers a person answers count: mobile, fixed line,
// VoIP and personal numbers, not toll-free or premium services.
type Phone struct{}

// Info implements Detector.
func (Phone) Info() Info {
	return Info{
		ID: CatPhone, Categories: []string{CatPhone},
		Variants:    []string{VariantMobile, VariantFixedLine, VariantVoIP, VariantPersonal},
		Description: "Norwegian 8-digit mobile/fixed numbers (+47, 0047, grouped or with a phone word) and +CC numbers valid in libphonenumber",
		Personal:    true,
	}
}

// WantsRun implements the Engine's run filter: 8 digits or more, not
// joined by a colon unless a space may cut the colon off ("10:30:00" is
// a time). A run without a space is one number: after a '+' or "00" it
// may be international; otherwise it is a Norwegian one in its groupings
// (2024-11-01 is not one), not glued to a word.
func (Phone) WantsRun(r RunShape) bool {
	switch {
	case r.Digits < 8 || r.Colon && !r.Space:
		return false
	case r.Prev == PrevPlus:
		return true
	case r.Space && r.Groups == 2:
		// The space cuts it into two: the whole is a number only as
		// 9123 4567, or after 00; else one of its groups has the 8 digits.
		// "200 87644" in a web-server log is a status and a size.
		return r.First == 4 && r.Digits == 8 || r.First == 8 || r.Digits-r.First == 8 || r.First >= 4 && r.Digits >= 10
	case r.Space:
		return true
	case r.Glued():
		return false
	case r.First >= 4 && r.Digits >= 10:
		return true // 0047 91234567
	}
	return r.Fits(8, 0) || r.Fits(8, phone323) || r.Fits(8, phone2222) || r.Fits(8, phone44)
}

// Triggers implements Detector.
func (Phone) Triggers() Trigger { return OnNumber }

// Inspect implements Detector.
func (Phone) Inspect(text []byte, c *Candidate, ctx *Context) {
	if c.Digits < 8 {
		return
	}
	g := c.Groups
	start := c.Start
	plus := start > 0 && text[start-1] == '+'
	if plus && start > 1 && text[start-2] == '(' {
		return // "(+47) 912 34 567": the number after ") " is inspected on its own
	}
	if plus || (g[0].Len() >= 4 && text[g[0].Start] == '0' && text[g[0].Start+1] == '0') {
		international(text, c, plus, ctx)
		return
	}
	if len(g) == 1 && c.Digits != 8 {
		return // one number, not of 8 digits: an id, an account, a timestamp
	}
	prefix := wrappedPlus47(text, start)
	GroupRanges(text, g, 8, 8, func(i, j, _ int) bool {
		s, e := g[i].Start, g[j-1].End
		seps := SeparatorsAt(g, i, j)
		if seps != 0 && seps != phone323 && seps != phone2222 && seps != phone44 {
			return true
		}
		// Not cut out of a longer run of groups that goes on as it does:
		// "4929 1234 5678 9012" is one number, not a phone and a tail.
		if seps != 0 && (i > 0 && g[i-1].Len() == g[i].Len() || j < len(g) && g[j].Len() == g[j-1].Len()) {
			return true
		}
		for k := i; k < j-1; k++ {
			// No dots: 92.33.22.67 is an IP address.
			if !spaceOrDash(text[g[k].End]) {
				return true
			}
		}
		if !Bounded(text, s, e) || (i == 0 && s > 0 && text[s-1] == '+') {
			return true
		}
		if e < len(text) && text[e] == '-' && inUUID(text, s) {
			return true // the first 8 hex digits of a UUID, all of them digits
		}
		var d [8]byte
		Digits(d[:0], text, s, e)
		kind := noNumberType(d[:])
		if kind == "" {
			return true
		}
		m := Match{Category: CatPhone, Variant: kind, Start: s, End: e, Reason: "Norwegian numbering plan"}
		m.Context = ctx.Near(CatPhone, s, e)
		if seps == 0 && !m.Context && prefix == 0 && dateDDMMYYYY(d[:]) {
			return true // 21052024 is a date before it is a phone number
		}
		switch {
		case prefix > 0 && i == 0:
			m.Confidence = High
			m.Start = start - prefix
		case seps != 0 && m.Context:
			m.Confidence = High
		case seps != 0 || m.Context:
			m.Confidence = Medium
		default:
			m.Confidence = Low
		}
		m.Value = ctx.Keep(plus47, d[:])
		ctx.Emit(&m)
		return false
	})
}

var plus47, plusSign = []byte("+47"), []byte("+")

// spaceOrDash reports whether the separator that starts with c is a space,
// a dash or a no-break space (U+00A0, U+202F: the only separators of more
// than a byte the engine joins groups with), as a phone or card number is
// written, and not a dot or a colon.
func spaceOrDash(c byte) bool { return c == ' ' || c == '-' || c >= 0x80 }

// dateDDMMYYYY reports whether 8 digits read as a date from 1900 to 2099.
func dateDDMMYYYY(d []byte) bool {
	day, month := twoDigits(d[0:]), twoDigits(d[2:])
	year := twoDigits(d[4:])*100 + twoDigits(d[6:])
	return year >= 1900 && year <= 2099 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(month, year)
}

// wrappedPlus47 returns the length of "(+47) " or "(+47)" when it stands
// right before start, else 0.
func wrappedPlus47(text []byte, start int) int {
	if start < len("(+47)") || text[start-1] != ' ' && text[start-1] != ')' {
		return 0
	}
	for _, p := range []string{"(+47) ", "(+47)"} {
		if start >= len(p) && string(text[start-len(p):start]) == p {
			return len(p)
		}
	}
	return 0
}

// international handles numbers written with '+' or "00" and a country
// code: +47 912 34 567, 0047 91234567, +46 8 123 456 78.
func international(text []byte, c *Candidate, plus bool, ctx *Context) {
	g := c.Groups
	// Try the longest run of groups first, cutting only at spaces: "+46 8
	// 123 456 78" is one number, and "+47 91234567 12" is one plus a word.
	for j := len(g); j >= 1; j-- {
		if j < len(g) && !spaceBetween(text, g[j-1], g[j]) {
			continue
		}
		if colonBetween(text, g[:j]) {
			continue // colons join the parts of times, not of phone numbers
		}
		s, e := g[0].Start, g[j-1].End
		if !Bounded(text, s-btoi(plus), e) && !(plus && Bounded(text, s, e)) {
			continue
		}
		var buf [17]byte
		digits := 0
		for k := 0; k < j; k++ {
			digits += g[k].Len()
		}
		if digits > len(buf) {
			continue
		}
		d := Digits(buf[:0], text, s, e)
		if !plus {
			d = d[2:] // the 00 international prefix
		}
		if len(d) < 8 || len(d) > 15 || d[0] == '0' {
			continue
		}
		m := Match{Category: CatPhone, Start: s - btoi(plus), End: e, Confidence: High}
		m.Context = ctx.Near(CatPhone, s, e)
		if d[0] == '4' && d[1] == '7' {
			if len(d) != 10 {
				continue
			}
			if m.Variant = noNumberType(d[2:]); m.Variant == "" {
				continue
			}
			m.Reason = "+47 and the Norwegian numbering plan"
		} else {
			kind, ok := libphonenumberType(d)
			if !ok {
				continue
			}
			m.Variant, m.Reason = kind, "valid in libphonenumber"
		}
		m.Value = ctx.Keep(plusSign, d)
		ctx.Emit(&m)
		return
	}
}

// colonBetween reports whether a ':' joins two of the groups.
func colonBetween(text []byte, g []Group) bool {
	for k := 0; k+1 < len(g); k++ {
		if text[g[k].End] == ':' {
			return true
		}
	}
	return false
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// libphonenumberType validates an international number (country code and
// national number digits) with libphonenumber and returns its type when a
// person could answer it.
func libphonenumberType(d []byte) (string, bool) {
	switch phoneTypeOf(d) {
	case phonenumbers.MOBILE:
		return VariantMobile, true
	case phonenumbers.FIXED_LINE, phonenumbers.FIXED_LINE_OR_MOBILE:
		return VariantFixedLine, true
	case phonenumbers.VOIP:
		return VariantVoIP, true
	case phonenumbers.PERSONAL_NUMBER:
		return VariantPersonal, true
	}
	return "", false
}
