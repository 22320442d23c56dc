package detectors

// ValidKID reports whether s is a valid KID payment reference: 2 to 25
// digits whose last is a MOD10 (Luhn) or MOD11 check digit.
func ValidKID(s string) bool {
	var buf [25]byte
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
		if n == len(buf) {
			return false
		}
		buf[n] = s[i]
		n++
	}
	return n >= 2 && checkKID(buf[:n])
}

// lookAlike reports whether digits would pass for a card, a fødselsnummer
// or an account number: the only KIDs worth recognising, since the point
// is to keep them from being reported as one of those.
func lookAlike(d []byte) bool {
	if len(d) == 11 {
		var a [11]byte
		copy(a[:], d)
		_, fnr := CheckFodselsnummer(&a)
		return fnr || checkKontonummer(&a)
	}
	_, card := validCard(d)
	return card
}

func checkKID(d []byte) bool {
	return luhn(d) || kidMod11(d)
}

// kidMod11 checks the MOD11 variant of KID: weights 2, 3, …, 7 repeating
// from the right of the body; 11 → 0, 10 is written '-' (not a digit).
func kidMod11(d []byte) bool {
	sum := 0
	w := 2
	for i := len(d) - 2; i >= 0; i-- {
		sum += int(d[i]-'0') * w
		if w++; w > 7 {
			w = 2
		}
	}
	k := 11 - sum%11
	if k == 11 {
		k = 0
	}
	return k < 10 && int(d[len(d)-1]-'0') == k
}

// KID recognises KID payment references (kid), which pass Luhn or MOD11
// like card and account numbers do. They are not personal data; a KID is
// reported only when its keyword stands near, and then with high
// confidence, so that it wins over a card or identity-number reading of the
// same digits.
type KID struct{}

// Info implements Detector.
func (KID) Info() Info {
	return Info{
		ID: CatKID, Categories: []string{CatKID},
		Description: "2-25 digits with a MOD10/MOD11 check digit next to the word KID; context only",
	}
}

// MinDigits is the fewest digits a candidate needs.
func (KID) MinDigits() int { return 8 }

// Triggers implements Detector.
func (KID) Triggers() Trigger { return OnNumber }

// Inspect implements Detector.
func (KID) Inspect(text []byte, c *Candidate, ctx *Context) {
	if c.Digits < 8 {
		return // a KID only matters where it could pass for a card or an identity number
	}
	g := c.Groups
	GroupRanges(text, g, 2, 25, func(i, j, digits int) bool {
		start, end := g[i].Start, g[j-1].End
		if !Bounded(text, start, end) {
			return true
		}
		var buf [25]byte
		d := Digits(buf[:0], text, start, end)
		if !checkKID(d) || !lookAlike(d) || !ctx.Near(CatKID, start, end) {
			return true
		}
		m := Match{Category: CatKID, Start: start, End: end, Context: true, Confidence: High, Reason: "check digit and the word KID"}
		m.Value = ctx.Keep(d)
		ctx.Emit(&m)
		return false
	})
}
