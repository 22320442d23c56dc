package detectors

import (
	"bytes"
	"strings"
)

// Mask returns a shape of a normalised value (Match.Value) that is safe to
// print: it shows the kind of value and at most a few characters that do
// not identify anyone on their own. Never more than the last four digits of
// a card, never the date part of a fødselsnummer, never an e-mail's local
// part beyond its first letter.
func Mask(category string, value []byte) string {
	switch category {
	case CatFodselsnummer, CatDKCPR:
		return maskDigits("******-*****", value, 2)
	case CatBankAccount:
		return maskDigits("****.**.*****", value, 2)
	case CatPaymentCard:
		return maskDigits(strings.Repeat("*", len(value)), value, 4)
	case CatIBAN:
		if len(value) < 4 {
			return strings.Repeat("*", len(value))
		}
		return string(value[:2]) + strings.Repeat("*", len(value)-4) + string(value[len(value)-2:])
	case CatEmail:
		return maskEmail(value)
	case CatIPAddress:
		return maskIP(value)
	case CatOrgNumber:
		return string(value) // an organisation number is public and not personal
	}
	return maskDigits(strings.Repeat("*", len(value)), value, 2)
}

// maskDigits returns the shape pattern (one star per character of value)
// with its last keep stars replaced by the last keep characters of value.
func maskDigits(pattern string, value []byte, keep int) string {
	if len(value) <= keep {
		return strings.Repeat("*", len(value))
	}
	// Drop as many trailing stars as characters are kept, so the shape has
	// the value's length.
	p := pattern
	for i := 0; i < keep && strings.HasSuffix(p, "*"); i++ {
		p = p[:len(p)-1]
	}
	return p + string(value[len(value)-keep:])
}

func maskEmail(v []byte) string {
	at := bytes.LastIndexByte(v, '@')
	if at <= 0 {
		return "***"
	}
	local, domain := v[:at], v[at+1:]
	dot := bytes.LastIndexByte(domain, '.')
	tld := ""
	if dot >= 0 {
		tld = string(domain[dot:])
		domain = domain[:dot]
	}
	first := func(b []byte) string {
		if len(b) == 0 {
			return ""
		}
		return string(b[:1])
	}
	return first(local) + "***@" + first(domain) + "***" + tld
}

func maskIP(v []byte) string {
	if i := bytes.IndexByte(v, '.'); i > 0 && bytes.IndexByte(v, ':') < 0 {
		return string(v[:i]) + ".*.*.*"
	}
	if i := bytes.IndexByte(v, ':'); i > 0 {
		return string(v[:i]) + ":****:…"
	}
	return "***"
}
