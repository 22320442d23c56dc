package detectors

// ValidIBAN reports whether s is a valid IBAN: a registry country, that
// country's length and BBAN structure, ISO 7064 MOD 97-10, and for Norway
// the account number's own MOD11 check. Spaces, '-' and '.' are ignored;
// case is not significant.
func ValidIBAN(s string) bool {
	var buf [34]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '-' || c == '.':
			continue
		case isDigit(c) || isLetter(c):
			if n == len(buf) {
				return false
			}
			buf[n] = upper(c)
			n++
		default:
			return false
		}
	}
	_, ok := checkIBAN(buf[:n])
	return ok
}

func upper(c byte) byte {
	if c-'a' < 26 {
		return c - 32
	}
	return c
}

// checkIBAN validates a compact, upper-cased IBAN and returns its country.
func checkIBAN(b []byte) (string, bool) {
	if len(b) < 15 || !isLetter(b[0]) || !isLetter(b[1]) || !isDigit(b[2]) || !isDigit(b[3]) {
		return "", false
	}
	c, ok := ibanCountries[string(b[:2])]
	if !ok || len(b) != c.length {
		return "", false
	}
	for i, class := range []byte(c.bban) {
		ch := b[4+i]
		switch class {
		case 'n':
			ok = isDigit(ch)
		case 'a':
			ok = ch-'A' < 26
		default:
			ok = isDigit(ch) || ch-'A' < 26
		}
		if !ok {
			return "", false
		}
	}
	if mod97(b) != 1 {
		return "", false
	}
	if b[0] == 'N' && b[1] == 'O' {
		var d [11]byte
		copy(d[:], b[4:])
		if !checkKontonummer(&d) {
			return "", false
		}
	}
	return string(b[:2]), true
}

// mod97 computes the IBAN check remainder digit by digit: the first four
// characters moved to the end, letters as 10–35.
func mod97(b []byte) int {
	rem := 0
	add := func(c byte) {
		if isDigit(c) {
			rem = (rem*10 + int(c-'0')) % 97
		} else {
			rem = (rem*100 + int(c-'A'+10)) % 97
		}
	}
	for _, c := range b[4:] {
		add(c)
	}
	for _, c := range b[:4] {
		add(c)
	}
	return rem
}

// IBAN finds International Bank Account Numbers (iban), the country as
// variant. It looks at digit runs that start right after two letters, and
// reads the rest of the IBAN from there, compact or in groups of four.
type IBAN struct{}

// Info implements Detector.
func (IBAN) Info() Info {
	return Info{
		ID: CatIBAN, Categories: []string{CatIBAN},
		Description: "country code, check digits, BBAN of the registry's length and structure, MOD 97 (and MOD11 for NO)",
		Personal:    true,
	}
}

// Triggers implements Detector.
func (IBAN) Triggers() Trigger { return OnCountryCode }

// Inspect implements Detector.
func (IBAN) Inspect(text []byte, c *Candidate, ctx *Context) {
	s := c.Start
	if s < 2 || !isLetter(text[s-1]) || !isLetter(text[s-2]) || (s > 2 && isWordByte(text[s-3])) || c.Groups[0].Len() < 2 {
		return
	}
	start := s - 2
	var buf [34]byte
	n := 0
	end := start
	// Read alphanumerics, allowing a single space or '-' between groups
	// (a space only before a character that continues the IBAN).
	for i := start; i < len(text) && n < len(buf); i++ {
		ch := text[i]
		if isDigit(ch) || isLetter(ch) {
			buf[n] = upper(ch)
			n++
			end = i + 1
			continue
		}
		if (ch == ' ' || ch == '-') && i+1 < len(text) && (isDigit(text[i+1]) || isLetter(text[i+1])) && n >= 4 {
			continue
		}
		break
	}
	// Words after the IBAN ("NO93 8601 1117 947 til konto") were read too:
	// cut at the country's length, which must end at a word boundary.
	cc, known := ibanCountries[string(buf[:2])]
	if !known || n < cc.length {
		return
	}
	if n > cc.length {
		n = cc.length
		end = endOfNth(text, start, n)
	}
	country, ok := checkIBAN(buf[:n])
	if !ok || (end < len(text) && isWordByte(text[end])) {
		return
	}
	m := Match{Category: CatIBAN, Variant: country, Start: start, End: end, Confidence: High, Reason: "MOD 97 and registry length"}
	m.Value = ctx.Keep(buf[:n])
	ctx.Emit(&m)
}

// endOfNth returns the offset just past the n-th alphanumeric byte from
// start.
func endOfNth(text []byte, start, n int) int {
	for i := start; i < len(text); i++ {
		if isDigit(text[i]) || isLetter(text[i]) {
			n--
			if n == 0 {
				return i + 1
			}
		}
	}
	return len(text)
}
