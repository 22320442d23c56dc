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

// KID stands for KID payment references (kid), which pass Luhn or MOD11
// like card and account numbers do. They are not personal data. There is
// no search of its own: the card, fødselsnummer and account detectors ask
// kidInstead before they report a number, so only a number that would
// pass for one of those is checked for a nearby KID keyword. Its Info is
// listed with the other detectors.
type KID struct{}

// Info implements Detector.
func (KID) Info() Info {
	return Info{
		ID: CatKID, Categories: []string{CatKID},
		Description: "a card, fødselsnummer or account look-alike with a MOD10/MOD11 check digit next to the word KID; context only",
	}
}

// Triggers implements Detector: none, see the type's comment.
func (KID) Triggers() Trigger { return 0 }

// Inspect implements Detector; it is never called.
func (KID) Inspect([]byte, *Candidate, *Context) {}

// kidInstead reports a validated number as a KID reference instead of as
// category when the word KID stands near it (and category's own words do
// not), and says whether it did.
func kidInstead(text []byte, start, end int, d []byte, category string, ctx *Context) bool {
	// The check digit first: it is cheaper than looking for words.
	if !checkKID(d) || !ctx.Near(CatKID, start, end) || ctx.Near(category, start, end) {
		return false
	}
	m := Match{Category: CatKID, Start: start, End: end, Context: true, Confidence: High, Reason: "check digit and the word KID"}
	m.Value = ctx.Keep(d)
	ctx.Emit(&m)
	return true
}
