package detectors

// ValidKontonummer reports whether s is a valid Norwegian bank account
// number: 11 digits whose last is the MOD11 check digit over the first ten
// (weights 5 4 3 2 7 6 5 4 3 2; a remainder giving 10 is never issued).
// Written 1234.56.78903, 1234 56 78903 or 12345678903.
func ValidKontonummer(s string) bool {
	var d [11]byte
	return compactDigits(s, d[:]) && checkKontonummer(&d)
}

func checkKontonummer(d *[11]byte) bool {
	sum := int(d[10] - '0')
	same := true
	for i, w := range fnrW2 {
		sum += w * int(d[i]-'0')
		same = same && d[i] == d[0]
	}
	return sum%11 == 0 && !(same && d[10] == d[0])
}

// BankAccount finds Norwegian bank account numbers (no_bank_account).
// Every valid fødselsnummer also passes the account check, so a number
// that is one is left to the Fodselsnummer detector unless it is printed
// the way accounts are (1234.56.78903) or an account word stands near it.
type BankAccount struct{}

// Info implements Detector.
func (BankAccount) Info() Info {
	return Info{
		ID: CatBankAccount, Categories: []string{CatBankAccount},
		Description: "11 digits with a MOD11 check digit; 4-2-5 grouping or an account word, else low",
		Personal:    true,
	}
}

// WantsRun implements the Engine's run filter: 11 digits, compact or
// 4-2-5, not glued to a word (a run without a space is one number), or
// more that a space may cut.
func (BankAccount) WantsRun(r RunShape) bool {
	if r.Space {
		return r.Digits >= 11
	}
	return !r.Glued() && (r.Fits(11, 0) || r.Fits(11, accountSeps))
}

// Triggers implements Detector.
func (BankAccount) Triggers() Trigger { return OnNumber }

// Inspect implements Detector.
func (BankAccount) Inspect(text []byte, c *Candidate, ctx *Context) {
	if c.Digits < 11 {
		return
	}
	g := c.Groups
	GroupRanges(text, g, 11, 11, func(i, j, _ int) bool {
		start, end := g[i].Start, g[j-1].End
		seps := SeparatorsAt(g, i, j)
		if (seps != 0 && seps != accountSeps) || !Bounded(text, start, end) {
			return true
		}
		var d [11]byte
		Digits(d[:0], text, start, end)
		if !checkKontonummer(&d) {
			return true
		}
		_, isFnr := CheckFodselsnummer(&d)
		if !isFnr && kidInstead(text, start, end, d[:], CatBankAccount, ctx) {
			return true // (a KID that is also a valid fnr is reported once, by the fnr detector)
		}
		dotted := seps == accountSeps && text[g[i].End] == '.' && text[g[i+1].End] == '.'
		// Printed 1234.56.78903 it is an account whatever else it passes;
		// otherwise the word nearby decides.
		near := !dotted && ctx.Near(CatBankAccount, start, end)
		if !dotted && isFnr {
			// Both words near (a payslip's "Kontonummer:" line above its
			// "Fødselsnummer:" line): the nearer one says which it is.
			if !near || ctx.Near(CatFodselsnummer, start, end) && !ctx.closer(CatBankAccount, CatFodselsnummer, start, end) {
				return true
			}
		}
		m := Match{Category: CatBankAccount, Start: start, End: end, Context: near, Reason: ReasonMOD11}
		switch {
		case near || dotted:
			m.Confidence = High
		case seps == accountSeps:
			m.Confidence = Medium
		default:
			m.Confidence = Low
		}
		m.Value = ctx.Keep(d[:])
		ctx.Emit(&m)
		return true
	})
}
