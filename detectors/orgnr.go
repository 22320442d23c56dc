package detectors

var orgnrW = [8]int{3, 2, 7, 6, 5, 4, 3, 2}

// ValidOrgnr reports whether s is a valid Norwegian organisation number:
// 9 digits starting with 8 or 9, the last a MOD11 check digit over the
// first eight (weights 3 2 7 6 5 4 3 2).
func ValidOrgnr(s string) bool {
	var d [9]byte
	return compactDigits(s, d[:]) && checkOrgnr(&d)
}

func checkOrgnr(d *[9]byte) bool {
	if d[0] != '8' && d[0] != '9' {
		return false
	}
	sum := int(d[8] - '0')
	for i, w := range orgnrW {
		sum += w * int(d[i]-'0')
	}
	return sum%11 == 0
}

// OrgNumber recognises organisation numbers (no_orgnr). They identify
// businesses and are not personal data: they are reported as context, so
// that they are never mistaken for a personal identifier.
type OrgNumber struct{}

// Info implements Detector.
func (OrgNumber) Info() Info {
	return Info{
		ID: CatOrgNumber, Categories: []string{CatOrgNumber},
		Description: "9 digits from 8 or 9 with a MOD11 check digit (also NO 923 609 016 MVA); context only",
	}
}

// orgnrSeps is the grouping 123 456 789.
const orgnrSeps = 1<<3 | 1<<6

// WantsRun implements the Engine's run filter: 9 digits, alone or as
// 123 456 789 (a run without a space is one number), or more that a space
// may cut.
func (OrgNumber) WantsRun(r RunShape) bool {
	if r.Space {
		return r.Digits >= 9
	}
	return r.Fits(9, 0) || r.Fits(9, orgnrSeps)
}

// Triggers implements Detector.
func (OrgNumber) Triggers() Trigger { return OnNumber }

// Inspect implements Detector.
func (OrgNumber) Inspect(text []byte, c *Candidate, ctx *Context) {
	if c.Digits < 9 {
		return
	}
	g := c.Groups
	GroupRanges(text, g, 9, 9, func(i, j, _ int) bool {
		start, end := g[i].Start, g[j-1].End
		seps := SeparatorsAt(g, i, j)
		if seps != 0 && seps != orgnrSeps {
			return true
		}
		vat := hasPrefixFold(text[:start], "no") || hasPrefixFold(text[:start], "no ")
		mva := hasSuffixAt(text, end, "mva") || hasSuffixAt(text, end, " mva")
		if !vat && !mva && !Bounded(text, start, end) {
			return true
		}
		var d [9]byte
		Digits(d[:0], text, start, end)
		if !checkOrgnr(&d) {
			return true
		}
		m := Match{Category: CatOrgNumber, Start: start, End: end, Reason: ReasonMOD11, Confidence: Medium}
		m.Context = !mva && seps == 0 && ctx.Near(CatOrgNumber, start, end)
		if m.Context || mva || seps != 0 {
			m.Confidence = High
		}
		m.Value = ctx.Keep(d[:])
		ctx.Emit(&m)
		return true
	})
}

// hasPrefixFold reports whether before ends with the word w (ASCII,
// case-insensitive) that is not itself glued to a preceding letter.
func hasPrefixFold(before []byte, w string) bool {
	if len(before) < len(w) {
		return false
	}
	tail := before[len(before)-len(w):]
	for i := range w {
		if tail[i]|0x20 != w[i] && tail[i] != w[i] {
			return false
		}
	}
	k := len(before) - len(w)
	return k == 0 || !isLetter(before[k-1])
}

// hasSuffixAt reports whether text at off starts with w (ASCII,
// case-insensitive) followed by a non-letter.
func hasSuffixAt(text []byte, off int, w string) bool {
	if off+len(w) > len(text) {
		return false
	}
	for i := range w {
		c := text[off+i]
		if c|0x20 != w[i] && c != w[i] {
			return false
		}
	}
	e := off + len(w)
	return e == len(text) || !isLetter(text[e])
}
