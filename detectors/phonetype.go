package detectors

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/nyaruka/phonenumbers"
)

// libphonenumber's Parse, IsValidNumber and GetNumberType build a pattern
// string and look its regexp up in a locked cache for each of a dozen
// number types, and allocate as they go: 23 µs and 73 allocations a
// number, so text with Swedish or Danish numbers scanned at 2.5 MB/s.
// phoneTypeOf does what those three do for a number written with '+', on
// the same metadata, with its patterns compiled once per country code into
// digit DFAs, where the answer cannot differ: the national number keeps no
// national prefix or leading zero that Parse would strip or mark, and the
// country code is of a country, not a global service. Other numbers go to
// the library.

// phoneTypeOf returns the libphonenumber type of the number whose digits,
// country code first, are d (as after a '+').
func phoneTypeOf(d []byte) phonenumbers.PhoneNumberType {
	if t, ok := fastPhoneType(d); ok {
		return t
	}
	return libraryPhoneType(d)
}

// libraryPhoneType is phoneTypeOf by libphonenumber's own Parse,
// IsValidNumber and GetNumberType.
func libraryPhoneType(d []byte) phonenumbers.PhoneNumberType {
	num, err := phonenumbers.Parse("+"+string(d), "")
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return phonenumbers.UNKNOWN
	}
	return phonenumbers.GetNumberType(num)
}

// fastPhoneType is phoneTypeOf where ok; !ok leaves the number to the
// library.
func fastPhoneType(d []byte) (t phonenumbers.PhoneNumberType, ok bool) {
	if len(d) < 3 || d[0] == '0' {
		return 0, false
	}
	// The country code is the shortest of 1 to 3 leading digits that is
	// one, as Parse takes it.
	code := 0
	for n := 1; n <= 3; n++ {
		code = code*10 + int(d[n-1]-'0')
		cc := phoneCountry(code)
		if cc.none {
			continue
		}
		nsn := d[n:]
		if !cc.fast || len(nsn) < 2 || nsn[0] == '0' || cc.prefix != nil && cc.prefix.match(nsn) {
			return 0, false
		}
		return cc.numberType(nsn), true
	}
	return phonenumbers.UNKNOWN, true // no country code: Parse fails
}

// countryTypes holds the compiled metadata of the regions that share a
// country calling code, in the library's order (the main one first).
type countryTypes struct {
	regions []*regionTypes
	// prefix matches a national prefix for parsing of the main region at
	// the start of a national number, where Parse may strip it.
	prefix *digitDFA
	// fast is false for a code fastPhoneType leaves to the library: one
	// of a global service (region "001"), or with metadata or a pattern
	// it cannot compile.
	fast bool
	none bool // the digits are no country calling code
}

type regionTypes struct {
	leading            *digitDFA // the region's leading digits, matched at the start; nil without
	sameMobileAndFixed bool
	general            numberDesc
	// The types of number that are neither fixed line nor mobile, in the
	// order getNumberTypeHelper tries them.
	special       []typedDesc
	fixed, mobile numberDesc
}

type typedDesc struct {
	numberDesc
	t phonenumbers.PhoneNumberType
}

// numberDesc is a PhoneNumberDesc compiled: its possible lengths and its
// pattern, matched against the whole national number.
type numberDesc struct {
	anyLength bool   // no lengths listed: the pattern alone decides
	lengths   uint32 // bit n: n digits are possible
	pattern   *digitDFA
}

func compileDesc(d *phonenumbers.PhoneNumberDesc) (numberDesc, error) {
	var nd numberDesc
	nd.anyLength = len(d.GetPossibleLength()) == 0
	for _, l := range d.GetPossibleLength() {
		if l >= 0 && l < 32 {
			nd.lengths |= 1 << l
		}
	}
	var err error
	nd.pattern, err = compileDigitDFA(d.GetNationalNumberPattern(), false)
	return nd, err
}

// matches is libphonenumber's isNumberMatchingDesc.
func (nd *numberDesc) matches(nsn []byte) bool {
	if !nd.anyLength && (len(nsn) >= 32 || nd.lengths>>len(nsn)&1 == 0) {
		return false
	}
	return nd.pattern.match(nsn)
}

// numberType is GetNumberType on a number of this country code: in the
// region GetRegionCodeForNumber picks, getNumberTypeHelper's answer.
func (c *countryTypes) numberType(nsn []byte) phonenumbers.PhoneNumberType {
	if len(c.regions) == 1 {
		return c.regions[0].numberType(nsn)
	}
	for _, r := range c.regions {
		if r.leading != nil {
			if r.leading.match(nsn) {
				return r.numberType(nsn)
			}
			continue
		}
		if t := r.numberType(nsn); t != phonenumbers.UNKNOWN {
			return t
		}
	}
	return phonenumbers.UNKNOWN
}

// numberType is libphonenumber's getNumberTypeHelper.
func (r *regionTypes) numberType(nsn []byte) phonenumbers.PhoneNumberType {
	if !r.general.matches(nsn) {
		return phonenumbers.UNKNOWN
	}
	for i := range r.special {
		if r.special[i].matches(nsn) {
			return r.special[i].t
		}
	}
	if r.fixed.matches(nsn) {
		if r.sameMobileAndFixed || r.mobile.matches(nsn) {
			return phonenumbers.FIXED_LINE_OR_MOBILE
		}
		return phonenumbers.FIXED_LINE
	}
	if !r.sameMobileAndFixed && r.mobile.matches(nsn) {
		return phonenumbers.MOBILE
	}
	return phonenumbers.UNKNOWN
}

var (
	phoneMetadataOnce sync.Once
	phoneMetadata     map[string]*phonenumbers.PhoneMetadata // by region
	phoneCountries    [1000]atomic.Pointer[countryTypes]     // by country calling code, compiled on first use
)

// phoneCountry returns the compiled metadata of a country calling code.
func phoneCountry(code int) *countryTypes {
	c := phoneCountries[code].Load()
	if c == nil {
		// Two goroutines may compile the same code; either result serves.
		c = compileCountry(code)
		phoneCountries[code].Store(c)
	}
	return c
}

func compileCountry(code int) *countryTypes {
	regions := phonenumbers.GetRegionCodesForCountryCode(code)
	if len(regions) == 0 {
		return &countryTypes{none: true}
	}
	phoneMetadataOnce.Do(func() {
		phoneMetadata = map[string]*phonenumbers.PhoneMetadata{}
		if coll, err := phonenumbers.MetadataCollection(); err == nil {
			for _, md := range coll.GetMetadata() {
				phoneMetadata[md.GetId()] = md
			}
		}
	})
	c, err := compileRegions(code, regions)
	if err != nil {
		return &countryTypes{} // to the library
	}
	return c
}

func compileRegions(code int, regions []string) (*countryTypes, error) {
	c := &countryTypes{fast: true}
	for k, region := range regions {
		md := phoneMetadata[region]
		if region == "001" || md == nil || int(md.GetCountryCode()) != code {
			return nil, errors.New("no metadata of a country")
		}
		var err error
		if p := md.GetNationalPrefixForParsing(); k == 0 && p != "" {
			if c.prefix, err = compileDigitDFA(p, true); err != nil {
				return nil, err
			}
		}
		r := &regionTypes{sameMobileAndFixed: md.GetSameMobileAndFixedLinePattern()}
		if ld := md.GetLeadingDigits(); ld != "" {
			if r.leading, err = compileDigitDFA(ld, true); err != nil {
				return nil, err
			}
		}
		for _, p := range []struct {
			d   *numberDesc
			src *phonenumbers.PhoneNumberDesc
		}{{&r.general, md.GetGeneralDesc()}, {&r.fixed, md.GetFixedLine()}, {&r.mobile, md.GetMobile()}} {
			if *p.d, err = compileDesc(p.src); err != nil {
				return nil, err
			}
		}
		for _, p := range []struct {
			src *phonenumbers.PhoneNumberDesc
			t   phonenumbers.PhoneNumberType
		}{
			{md.GetPremiumRate(), phonenumbers.PREMIUM_RATE}, {md.GetTollFree(), phonenumbers.TOLL_FREE},
			{md.GetSharedCost(), phonenumbers.SHARED_COST}, {md.GetVoip(), phonenumbers.VOIP},
			{md.GetPersonalNumber(), phonenumbers.PERSONAL_NUMBER}, {md.GetPager(), phonenumbers.PAGER},
			{md.GetUan(), phonenumbers.UAN}, {md.GetVoicemail(), phonenumbers.VOICEMAIL},
		} {
			d, err := compileDesc(p.src)
			if err != nil {
				return nil, err
			}
			r.special = append(r.special, typedDesc{d, p.t})
		}
		c.regions = append(c.regions, r)
	}
	return c, nil
}
