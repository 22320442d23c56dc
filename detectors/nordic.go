package detectors

// Variants of se_personnummer.
const VariantSamordningsnummer = "samordningsnummer"

// ValidSEPersonnummer reports whether s is a valid Swedish personnummer or
// samordningsnummer (day + 60): YYMMDD-NNNC, YYMMDD+NNNC (100 or older),
// YYYYMMDD-NNNC or the same without the separator, with the Luhn check
// digit over the 10-digit form and a real date.
func ValidSEPersonnummer(s string) bool {
	var d [12]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c) && n < len(d):
			d[n] = c
			n++
		case (c == '-' || c == '+') && (n == 6 || n == 8) && i == len(s)-5:
		default:
			return false
		}
	}
	if n != 10 && n != 12 {
		return false
	}
	_, ok := checkSE(d[:n])
	return ok
}

// checkSE validates 10 or 12 digits; samordning reports day + 60.
func checkSE(d []byte) (samordning, ok bool) {
	year := -1
	if len(d) == 12 {
		year = int(d[0]-'0')*1000 + int(d[1]-'0')*100 + int(d[2]-'0')*10 + int(d[3]-'0')
		if year < 1800 || year > 2099 {
			return false, false
		}
		d = d[2:]
	}
	yy, mm, dd := twoDigits(d[0:]), twoDigits(d[2:]), twoDigits(d[4:])
	if dd > 60 {
		dd -= 60
		samordning = true
	}
	if mm < 1 || mm > 12 || dd < 1 {
		return false, false
	}
	if year >= 0 {
		if dd > daysIn(mm, year) {
			return false, false
		}
	} else if dd > daysIn(mm, 2000+yy) && dd > daysIn(mm, 1900+yy) {
		return false, false
	}
	if allSame(d) || !luhn(d[:10]) {
		return false, false
	}
	return samordning, true
}

func twoDigits(d []byte) int { return int(d[0]-'0')*10 + int(d[1]-'0') }

// ValidDKCPR reports whether s is a plausible Danish CPR number:
// DDMMYY-SSSS or 10 digits with a real date in the century the 7th digit
// gives. The modulus-11 check was dropped in 2007, so there is no
// checksum: only a date.
func ValidDKCPR(s string) bool {
	var d [10]byte
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c) && n < len(d):
			d[n] = c
			n++
		case c == '-' && n == 6:
		default:
			return false
		}
	}
	return n == 10 && checkCPR(d[:])
}

func checkCPR(d []byte) bool {
	dd, mm, yy := twoDigits(d[0:]), twoDigits(d[2:]), twoDigits(d[4:])
	var century int
	switch s := d[6] - '0'; {
	case s <= 3:
		century = 1900
	case s == 4 || s == 9:
		century = 1900
		if yy <= 36 {
			century = 2000
		}
	default:
		century = 1800
		if yy <= 57 {
			century = 2000
		}
	}
	return mm >= 1 && mm <= 12 && dd >= 1 && dd <= daysIn(mm, century+yy) && !allSame(d)
}

const hetuControl = "0123456789ABCDEFHJKLMNPRSTUVWXY"

// ValidFIHETU reports whether s is a valid Finnish personal identity code:
// DDMMYY, a century sign (+ 1800s; - Y X W V U 1900s; A B C D E F 2000s),
// an individual number 002–899 and the mod-31 control character.
func ValidFIHETU(s string) bool {
	if len(s) != 11 {
		return false
	}
	return checkHETU([]byte(s))
}

func checkHETU(b []byte) bool {
	for _, i := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9} {
		if !isDigit(b[i]) {
			return false
		}
	}
	century := 0
	switch upper(b[6]) {
	case '+':
		century = 1800
	case '-', 'Y', 'X', 'W', 'V', 'U':
		century = 1900
	case 'A', 'B', 'C', 'D', 'E', 'F':
		century = 2000
	default:
		return false
	}
	dd, mm, yy := twoDigits(b[0:]), twoDigits(b[2:]), twoDigits(b[4:])
	if mm < 1 || mm > 12 || dd < 1 || dd > daysIn(mm, century+yy) {
		return false
	}
	ind := int(b[7]-'0')*100 + int(b[8]-'0')*10 + int(b[9]-'0')
	if ind < 2 || ind > 899 {
		return false
	}
	n := (dd*10000+mm*100+yy)*1000 + ind
	return upper(b[10]) == hetuControl[n%31]
}

// SEPersonnummer finds Swedish personnummer and samordningsnummer
// (se_personnummer).
type SEPersonnummer struct{}

// Info implements Detector.
func (SEPersonnummer) Info() Info {
	return Info{
		ID: CatSEPersonnummer, Categories: []string{CatSEPersonnummer}, Variants: []string{VariantSamordningsnummer},
		Description: "YYMMDD-NNNC / YYYYMMDDNNNC with a real date and the Luhn digit; compact 10 digits only with context",
		Personal:    true,
	}
}

// WantsRun implements the Engine's run filter: 10 or 12 digits; the 6 or 8
// of the date and a '-' and the last four; or the date alone before a '+'.
// Past those, only a space or a colon may follow the first group (Bounded).
// The first group is the date or the whole number, and no '+' stands
// before it.
func (SEPersonnummer) WantsRun(r RunShape) bool {
	if r.Prev == PrevPlus || r.First != 6 && r.First != 8 && r.First != 10 && r.First != 12 {
		return false // +4791234567 is a phone number
	}
	if r.Groups == 1 {
		return r.Digits == 10 || r.Digits == 12 || (r.Digits == 6 || r.Digits == 8) && r.Next == NextPlus
	}
	return r.Digits >= 10 && (r.Dash || r.Space || r.Colon)
}

// Triggers implements Detector.
func (SEPersonnummer) Triggers() Trigger { return OnNumber }

// Inspect implements Detector.
func (SEPersonnummer) Inspect(text []byte, c *Candidate, ctx *Context) {
	g := c.Groups
	if g[0].Len() != 6 && g[0].Len() != 8 && g[0].Len() != 10 && g[0].Len() != 12 {
		return
	}
	if c.Start > 0 && text[c.Start-1] == '+' {
		return // +4791234567 is a phone number
	}
	start := g[0].Start
	end := -1
	sep := byte(0)
	var d [12]byte
	n := 0
	switch {
	case g[0].Len() == 10 || g[0].Len() == 12:
		end = g[0].End
		n = copy(d[:], text[start:end])
	case g[0].End+5 <= len(text) && (text[g[0].End] == '-' || text[g[0].End] == '+'):
		sep = text[g[0].End]
		tail := text[g[0].End+1 : g[0].End+5]
		if !isDigit(tail[0]) || !isDigit(tail[1]) || !isDigit(tail[2]) || !isDigit(tail[3]) {
			return
		}
		end = g[0].End + 5
		n = copy(d[:], text[start:g[0].End])
		n += copy(d[n:], tail)
	default:
		return
	}
	if !Bounded(text, start, end) {
		return
	}
	samordning, ok := checkSE(d[:n])
	if !ok {
		return
	}
	m := Match{Category: CatSEPersonnummer, Start: start, End: end, Reason: "Luhn and date"}
	if samordning {
		m.Variant = VariantSamordningsnummer
	}
	m.Context = ctx.Near(CatSEPersonnummer, start, end)
	// A samordningsnummer of ten digits (its day 61 to 91) reads as a
	// Danish CPR number too, DDMMYY-SSSS of a year 61 to 91, and CPR
	// numbers are by far the more common: Luhn passes one in ten of them.
	// Where a CPR word stands near, the CPR reading wins; with no word of
	// either country, neither reading is sure.
	cpr := samordning && n == 10 && checkCPR(d[:n])
	switch {
	case m.Context && !(cpr && ctx.Near(CatDKCPR, start, end)):
		m.Confidence = High
	case m.Context || sep != 0 && !cpr:
		m.Confidence = Medium
	default:
		m.Confidence = Low
	}
	m.Value = ctx.Keep(d[:n])
	ctx.Emit(&m)
}

// DKCPR finds Danish CPR numbers (dk_cpr). Without a checksum a date is
// all there is, so a CPR number is reported only with a CPR word nearby,
// or as low confidence when written DDMMYY-SSSS.
type DKCPR struct{}

// Info implements Detector.
func (DKCPR) Info() Info {
	return Info{
		ID: CatDKCPR, Categories: []string{CatDKCPR},
		Description: "DDMMYY-SSSS with a real date; needs a CPR word nearby for more than low confidence",
		Personal:    true,
	}
}

// WantsRun implements the Engine's run filter: 10 digits, alone or as
// DDMMYY-SSSS and not after a '+', or more that a space may cut.
func (DKCPR) WantsRun(r RunShape) bool {
	if r.Space {
		return r.Digits >= 10
	}
	return r.Prev != PrevPlus && (r.Fits(10, 0) || r.Dash && r.Fits(10, 1<<6))
}

// Triggers implements Detector.
func (DKCPR) Triggers() Trigger { return OnNumber }

// Inspect implements Detector.
func (DKCPR) Inspect(text []byte, c *Candidate, ctx *Context) {
	g := c.Groups
	if c.Digits < 10 {
		return
	}
	GroupRanges(text, g, 10, 10, func(i, j, _ int) bool {
		start, end := g[i].Start, g[j-1].End
		seps := SeparatorsAt(g, i, j)
		dashed := seps == 1<<6 && text[g[i].End] == '-'
		if (seps != 0 && !dashed) || !Bounded(text, start, end) || (start > 0 && text[start-1] == '+') {
			return true
		}
		var d [10]byte
		Digits(d[:0], text, start, end)
		if !checkCPR(d[:]) {
			return true
		}
		near := ctx.Near(CatDKCPR, start, end)
		if !near && !dashed {
			return true
		}
		m := Match{Category: CatDKCPR, Start: start, End: end, Context: near, Reason: "date (CPR has no checksum)", Confidence: Low}
		if near {
			m.Confidence = High
		}
		m.Value = ctx.Keep(d[:])
		ctx.Emit(&m)
		return false
	})
}

// FIHETU finds Finnish personal identity codes (fi_hetu).
type FIHETU struct{}

// Info implements Detector.
func (FIHETU) Info() Info {
	return Info{
		ID: CatFIHETU, Categories: []string{CatFIHETU},
		Description: "DDMMYY, century sign, individual number 002-899 and the mod-31 control character",
		Personal:    true,
	}
}

// WantsRun implements the Engine's run filter: the date (six digits), a
// '-' and the individual number in one run, or the date alone before a
// '+' or a century letter.
func (FIHETU) WantsRun(r RunShape) bool {
	return r.First == 6 && (r.Dash && r.Digits >= 9 || r.Groups == 1 && r.Next != NextOther)
}

// Triggers implements Detector.
func (FIHETU) Triggers() Trigger { return OnNumber }

// Inspect implements Detector.
func (FIHETU) Inspect(text []byte, c *Candidate, ctx *Context) {
	g := c.Groups[0]
	if g.Len() != 6 || g.End+5 > len(text) {
		return
	}
	start, end := g.Start, g.End+5
	if !Bounded(text, start, end) || !checkHETU(text[start:end]) {
		return
	}
	m := Match{Category: CatFIHETU, Start: start, End: end, Confidence: High, Reason: "date and mod-31 control character"}
	m.Context = ctx.Near(CatFIHETU, start, end)
	m.Value = ctx.Keep(text[start:end])
	for i, b := range m.Value {
		m.Value[i] = upper(b)
	}
	ctx.Emit(&m)
}
