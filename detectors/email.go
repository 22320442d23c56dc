package detectors

import (
	"maps"
	"sync"
	"sync/atomic"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// Variants of email.
const (
	VariantRoleAddress = "role" // post@, info@, noreply@: an organisation's, not a person's
	VariantTestAddress = "test" // example.com, *.test: documentation and test data
)

// ValidEmail reports whether s is an e-mail address datakart reports: a
// dot-atom local part of at most 64 characters, '@', and a domain of at
// least two labels under a real top-level domain (Unicode or punycode).
func ValidEmail(s string) bool {
	at := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '@' {
			if at >= 0 {
				return false
			}
			at = i
		}
	}
	if at <= 0 {
		return false
	}
	b := []byte(s)
	if !validLocal(b[:at]) {
		return false
	}
	end, ok := scanDomain(b, at+1)
	return ok && end == len(b)
}

// The bytes of a local part, and among them (localCut) the ones that in
// text are far more often URL or markup syntax than part of an address
// ("?email=ola@…", "a/b@…"): the address starts after the last of them.
const (
	localByte = 1 << iota
	localCut
)

var localClass = func() (t [256]uint8) {
	for c := range 0x80 {
		if isDigit(byte(c)) || isLetter(byte(c)) {
			t[c] = localByte
		}
	}
	for _, c := range []byte("._%+-") {
		t[c] = localByte
	}
	for _, c := range []byte("=?&/|{}`#!$*^~'") {
		t[c] = localByte | localCut
	}
	return t
}()

func isLocalByte(c byte) bool { return localClass[c]&localByte != 0 }

func isLocalCut(c byte) bool { return localClass[c]&localCut != 0 }

func validLocal(l []byte) bool {
	if len(l) == 0 || len(l) > 64 || l[0] == '.' || l[len(l)-1] == '.' {
		return false
	}
	for i, c := range l {
		if !isLocalByte(c) || (c == '.' && i > 0 && l[i-1] == '.') {
			return false
		}
	}
	return true
}

// scanDomain reads a domain starting at text[start] and returns where it
// ends. ok is false unless it has at least two labels, each 1–63 bytes of
// letters, digits, hyphens (not at the ends) or UTF-8, and a top-level
// label that is a real ICANN TLD.
func scanDomain(text []byte, start int) (end int, ok bool) {
	labels, labelStart, nonASCII := 0, start, false
	i := start
	for ; i < len(text); i++ {
		c := text[i]
		switch {
		case isDigit(c) || isLetter(c) || c == '-':
		case c >= 0x80:
			nonASCII = true
		case c == '.' && i+1 < len(text) && (isDigit(text[i+1]) || isLetter(text[i+1]) || text[i+1] >= 0x80):
			if !validLabel(text[labelStart:i]) {
				return i, false
			}
			labels++
			labelStart = i + 1
			continue
		default:
			goto done
		}
	}
done:
	end = i
	tld := text[labelStart:end]
	if labels < 1 || !validLabel(tld) || len(tld) > 63 {
		return end, false
	}
	if nonASCII {
		ascii, err := idna.Lookup.ToASCII(string(text[start:end]))
		if err != nil {
			return end, false
		}
		k := len(ascii) - 1
		for k >= 0 && ascii[k] != '.' {
			k--
		}
		return end, icannTLD([]byte(ascii[k+1:]))
	}
	return end, icannTLD(tld)
}

func validLabel(l []byte) bool {
	return len(l) > 0 && len(l) <= 63 && l[0] != '-' && l[len(l)-1] != '-'
}

// tldCache remembers icannTLD's answers. Readers load the map without a
// lock (every address asks, from every scanning goroutine); a new answer,
// rare after the first few, replaces the map with a copy that has it.
var (
	tldMu    sync.Mutex // serialises the writers
	tldCache atomic.Pointer[map[string]bool]
)

// icannTLD reports whether tld (ASCII) is a top-level domain in ICANN's
// part of the public suffix list, remembering answers so a repeated TLD
// costs no allocation. File extensions (png, jpg, css) are not TLDs.
func icannTLD(tld []byte) bool {
	if len(tld) < 2 || len(tld) > 63 { // a punycode TLD can outgrow its Unicode form
		return false
	}
	for _, c := range tld {
		if isDigit(c) && !(len(tld) > 4 && tld[0]|0x20 == 'x' && tld[1]|0x20 == 'n') {
			return false
		}
	}
	var low [63]byte
	for i, c := range tld {
		low[i] = c | 0x20
		if c == '-' {
			low[i] = c
		}
	}
	key := low[:len(tld)]
	if m := tldCache.Load(); m != nil {
		if v, ok := (*m)[string(key)]; ok {
			return v
		}
	}
	_, icann := publicsuffix.PublicSuffix(string(key))
	tldMu.Lock()
	defer tldMu.Unlock()
	old := tldCache.Load()
	if old == nil || len(*old) < 4096 {
		m := make(map[string]bool, 1)
		if old != nil {
			m = maps.Clone(*old)
		}
		m[string(key)] = icann
		tldCache.Store(&m)
	}
	return icann
}

var atSign = []byte("@")

var roleLocals = []string{"post", "postmottak", "postmaster", "firmapost", "kundeservice", "kundesenter", "info", "noreply", "no-reply", "donotreply", "support", "kontakt", "contact", "admin", "webmaster", "abuse", "hostmaster", "sales", "salg", "faktura", "invoice", "regnskap", "okonomi", "hr", "jobb", "personal"}

// rolesByLength has roleLocals by their length: an address is compared
// with the two or three of its length, not with all of them.
var rolesByLength = func() (t [16][]string) {
	for _, r := range roleLocals {
		t[len(r)] = append(t[len(r)], r)
	}
	return t
}()

var testDomains = []string{"example.com", "example.org", "example.net", "example.no"}

// Email finds e-mail addresses (email).
type Email struct{}

// Info implements Detector.
func (Email) Info() Info {
	return Info{
		ID: CatEmail, Categories: []string{CatEmail},
		Variants:    []string{VariantRoleAddress, VariantTestAddress},
		Description: "local@domain with a dot-atom local part and a real top-level domain (IDN, %40-encoded too); not file names like logo@2x.png",
		Personal:    true,
	}
}

// Triggers implements Detector.
func (Email) Triggers() Trigger { return OnAt }

// Inspect implements Detector.
func (Email) Inspect(text []byte, c *Candidate, ctx *Context) {
	at := c.Start
	// Local part: back from the '@' over local-part bytes, noting the
	// cut byte nearest the '@', after which the address starts.
	start, cut := at, -1
	for start > 0 && at-start <= 64 {
		k := localClass[text[start-1]]
		if k&localByte == 0 {
			break
		}
		start--
		if k&localCut != 0 && cut < 0 {
			cut = start
		}
	}
	if at-start > 64 || (start > 0 && text[start-1] >= 0x80) {
		return // too long, or the tail of a non-ASCII word ("bjørn@")
	}
	if cut >= 0 {
		start = cut + 1
	}
	for start < at && text[start] == '.' {
		start++
	}
	if start == at || !validLocal(text[start:at]) {
		return
	}
	// URL credentials (https://user:pass@host) are not an address.
	if start > 0 && text[start-1] == ':' {
		for i := start - 2; i >= 0 && i >= start-70; i-- {
			if text[i] == '/' && i > 0 && text[i-1] == '/' {
				return
			}
		}
	}
	end, ok := scanDomain(text, c.End)
	if !ok {
		return
	}
	if end < len(text) && (text[end] == ':' && end+1 < len(text) && text[end+1] != ' ') {
		return // git@github.com:org/repo.git
	}
	domain := text[c.End:end]
	if assetName(domain) {
		return
	}
	// No context lookup: an address is as sure without the word "e-post".
	m := Match{Category: CatEmail, Start: start, End: end, Confidence: High, Reason: "address with a real top-level domain"}
	local := text[start:at]
	for _, r := range rolesByLength[min(len(local), len(rolesByLength)-1)] {
		if equalFold(local, r) {
			m.Variant, m.Confidence, m.Reason = VariantRoleAddress, Low, "role address of an organisation"
		}
	}
	for _, d := range testDomains {
		if hasSuffixFold(domain, d) && (len(domain) == len(d) || domain[len(domain)-len(d)-1] == '.') {
			m.Variant, m.Confidence, m.Reason = VariantTestAddress, Low, "reserved example domain (test data)"
		}
	}
	m.Value = ctx.Keep(local, atSign, domain)
	foldLower(m.Value)
	ctx.Emit(&m)
}

// assetName recognises retina asset names such as icon@2x.zip, where the
// "domain" is a scale factor and an extension.
func assetName(domain []byte) bool {
	dot := -1
	for i, c := range domain {
		if c == '.' {
			if dot >= 0 {
				// 1.5x.png has two dots: scale with a decimal.
				if i > 0 && (domain[i-1]|0x20) == 'x' {
					dot = i
					continue
				}
				return false
			}
			dot = i
		}
	}
	if dot < 2 || domain[dot-1]|0x20 != 'x' {
		return false
	}
	for _, c := range domain[:dot-1] {
		if !isDigit(c) && c != '.' {
			return false
		}
	}
	return true
}

func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		if b[i]|0x20 != s[i]|0x20 {
			return false
		}
	}
	return true
}

func hasSuffixFold(b []byte, s string) bool {
	return len(b) >= len(s) && equalFold(b[len(b)-len(s):], s)
}
