package detectors

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

// Test vectors from detector-reference.md, which names the public source of
// each: python-stdnum, Skatteetaten, NoCommons, mikaello, Stripe, PayPal,
// Adyen, Wikipedia.

func TestValidFodselsnummer(t *testing.T) {
	valid := []struct {
		in, variant string
		rule2032    bool
	}{
		{"151086 95088", "", false},
		{"151086-95088", "", false},
		{"10048744732", "", false},
		{"100487 45526", "", false},
		{"10048745364", "", false},
		{"26111593816", "", false},
		{"26111594286", "", false},
		{"26111594448", "", false},
		{"26 11 15 940 14", "", false},
		{"231140-38547", "", false},
		{"23114048690", "", false}, // K2 = 0 (the 11 → 0 rule)
		{"11111598403", "", false}, // K1 = 0
		{"13-04-99-58441", "", false},
		{"18-06-15-92527", "", false},
		{"111115984-03", "", false},
		{"20036914700", "", false},
		{"29020073150", "", false}, // 29 February 2000
		{"29029600013", "", false}, // 29 February 1996
		{"29029633310", "", false},
		{"01010101006", "", false},
		{"47086303651", VariantDNumber, false},
		{"42059199212", VariantDNumber, false},
		{"67047000642", VariantDNumber, false},
		{"41014061078", VariantDNumber, false}, // 2021 extended D-number series
		{"41010021861", VariantDNumber, false},
		{"01415612385", VariantHNumber, false},
		{"81234567802", VariantFHNumber, false},
		{"91234567883", VariantFHNumber, false},
		{"99056326525", VariantFHNumber, false},
		{"80008117075", VariantFHNumber, false},
		{"03851598730", VariantSynthetic, false},
		{"41819077302", VariantSynthetic, false}, // D + Tenor
		{"41814061033", VariantSynthetic, false},
		{"01914796756", VariantSynthetic, false},
		{"02838897382", VariantSynthetic, false},
		{"15827297337", VariantSynthetic, false},
		{"02417544944", VariantHNumber, false},
		{"50069949824", VariantDNumber, false},
		{"30108299920", "", false},              // 2032 example with remainder 0: both rules
		{"30108299939", "", true},               // 2032 rule only
		{"02013299997", "", false},              // born 2 January 2032: classic checksum, but the date is in the future
		{"55102499947", VariantDNumber, true},   // 2032 rule D-number
		{"30908299902", VariantSynthetic, true}, // 2032 rule synthetic
		{"41819077906", VariantSynthetic, true}, // D + synthetic, 2032 rule
		{"70019950032", VariantDNumber, false},  // checksum-valid D-numbers some libraries reject by century
		{"71106177273", VariantDNumber, false},
		{"71019762194", VariantDNumber, false},
	}
	for _, tt := range valid {
		var d [11]byte
		if !compactDigits(tt.in, d[:]) {
			t.Fatalf("%q: not 11 digits", tt.in)
		}
		res, ok := CheckFodselsnummer(&d)
		if !ok || !ValidFodselsnummer(tt.in) {
			t.Errorf("%s: want valid", tt.in)
			continue
		}
		if res.Variant != tt.variant || res.Rule2032 != tt.rule2032 {
			t.Errorf("%s: variant %q rule2032 %v, want %q %v", tt.in, res.Variant, res.Rule2032, tt.variant, tt.rule2032)
		}
	}
	invalid := []struct{ in, why string }{
		{"15108695077", "check digits"},
		{"26111593817", "K2 wrong"},
		{"26111593826", "K1 wrong"},
		{"26111593875", "K1 wrong"},
		{"42485176432123", "14 digits"},
		{"a0gzaB30529", "not digits"},
		{"19575770838", "month 57 is no variant"},
		{"20036914712", "check digits"},
		{"29020105729", "29 February 2001 does not exist"},
		{"29029900157", "29 February 1999 does not exist"},
		{"81234567803", "FH-number with a wrong check digit"},
		{"01415612381", "H-number with wrong check digits"},
		{"67047000658", "D-number with wrong check digits"},
		{"01535612303", "H-number month 53 - 40 = 13"},
		{"01010101010", "check digits"},
		{"01130400000", "month 13"},
		{"32120400000", "day 32"},
		{"00120467800", "day 0"},
		{"41804061033", "month 80 is outside 81-92"},
		{"41934063587", "month 93"},
		{"41654061783", "month 65"},
		{"41784061882", "month 78"},
		{"24088951559", "check digits"},
		{"00000000000", "all one digit passes both checksums but is no number"},
		{"1004874473", "10 digits"},
		{"", "empty"},
	}
	for _, tt := range invalid {
		if ValidFodselsnummer(tt.in) {
			t.Errorf("%s: want invalid (%s)", tt.in, tt.why)
		}
	}
}

func TestFodselsnummerPlausible(t *testing.T) {
	for _, tt := range []struct {
		in        string
		plausible bool
	}{
		{"10048744732", true},  // 1987, individual number 447
		{"13049958441", true},  // 1899: 500-749 with YY >= 54
		{"45014054018", false}, // D-number, individual number 540 with YY 40: no century
		{"18103970861", false}, // 18.10.2039 is in the future
		{"30108299939", false}, // 2032 rule: no century information
		{"02013299997", false}, // 2 January 2032 is in the future
	} {
		var d [11]byte
		compactDigits(tt.in, d[:])
		res, ok := CheckFodselsnummer(&d)
		if ok && res.Plausible != tt.plausible {
			t.Errorf("%s: plausible %v, want %v", tt.in, res.Plausible, tt.plausible)
		}
	}
}

func TestValidKontonummer(t *testing.T) {
	for _, s := range []string{"8601.11.17947", "86011117947", "12345678903", "99990000006", "97104133219", "97105302049",
		"97104008309", "97102749069", "1503.75.77003", "1503.03.83041", "6011.05.16994", "7139.05.25162", "2801.43.22061",
		"3260.04.65693", "4920.06.96270", "6504.05.25119", "4200.96.68904", "7032.05.16038", "1850.05.14562", "8380.08.06006",
		"4202.47.14777", "1234 56 78903"} {
		if !ValidKontonummer(s) {
			t.Errorf("%s: want valid", s)
		}
	}
	for _, tt := range []struct{ in, why string }{
		{"8601 11 17949", "check digit"},
		{"99990000005", "check digit"},
		{"00000000000", "all zeros"},
		{"123456789012", "12 digits"},
		{"15037577004", "last digit changed"},
		{"15030383042", "last digit changed"},
		{"60110516995", "last digit changed"},
		{"71390525163", "last digit changed"},
		{"28014322062", "last digit changed"},
		{"32600465694", "last digit changed"},
		{"49200696271", "last digit changed"},
		{"65040525110", "last digit changed"},
		{"42009668905", "last digit changed"},
		{"70320516039", "last digit changed"},
	} {
		if ValidKontonummer(tt.in) {
			t.Errorf("%s: want invalid (%s)", tt.in, tt.why)
		}
	}
}

func TestValidOrgnr(t *testing.T) {
	for _, s := range []string{"988077917", "988 077 917", "981566378", "995525828", "965920358", "980430596", "998772680",
		"987008644", "917313008", "948007029", "966813946", "982930057", "982952573", "987989297"} {
		if !ValidOrgnr(s) {
			t.Errorf("%s: want valid", s)
		}
	}
	for _, tt := range []struct{ in, why string }{
		{"988 077 918", "check digit"},
		{"123456789", "check digit"},
		{"0123456789", "10 digits"},
		{"995525829", "check digit"},
		{"981566379", "check digit"},
		{"965920359", "check digit"},
		{"980430597", "check digit"},
		{"998772681", "check digit"},
		{"987008645", "check digit"},
		{"917313009", "check digit"},
		{"948007020", "check digit"},
		{"966813947", "check digit"},
		{"982930058", "check digit"},
		{"982952574", "check digit"},
		{"987989298", "check digit"},
		{"123456785", "checksum passes but an org number starts with 8 or 9"},
	} {
		if ValidOrgnr(tt.in) {
			t.Errorf("%s: want invalid (%s)", tt.in, tt.why)
		}
	}
}

func TestValidIBAN(t *testing.T) {
	for _, s := range []string{"NO9386011117947", "NO93 8601 1117 947", "NO 02 15037577003", "NO 44 1850.05.14562",
		"NO07.8380.08.06006", "NO 21 650 405 251 19", "GB82WEST12345698765432", "DE89370400440532013000",
		"DE89 3704 0044 0532 0130 00", "GB29 NWBK 6016 1331 9268 19", "SE4550000000058398257466",
		"SE45 5000 0000 0583 9825 7466", "DK5000400440116243", "DK50 0040 0440 1162 43", "FI2112345600000785",
		"FI21 1234 5600 0007 85", "NL91ABNA0417164300", "FR1420041010050500013M02606", "FR14 2004 1010 0505 0001 3M02 606",
		"MT84MALT011000012345MTLCAST001S", "gb82west12345698765432"} {
		if !ValidIBAN(s) {
			t.Errorf("%s: want valid", s)
		}
	}
	for _, tt := range []struct{ in, why string }{
		{"AL48212110090000000235698741", "checksum"},
		{"AD1210012030200359100100", "checksum"},
		{"AT611804300234573201", "checksum"},
		{"BE68530907547034", "checksum"},
		{"BA391290709401028494", "checksum"},
		{"BG80BNBG99611020345678", "checksum"},
		{"HR1210010052863000160", "checksum"},
		{"CY17002001281000001200527600", "checksum"},
		{"CZ6508000000129000145399", "checksum"},
		{"DK5000400440116342", "checksum"},
		{"AD48 0001 2030 2003 5910 01", "length"},
		{"AT93 1904 3002 3457 3201 99", "length"},
		{"BE36 5390 0754 7034 1234", "length"},
		{"BA30 1290 0794 0102 84", "length"},
		{"BG93 BNBG 9661 1A20 3456 78", "letter where the registry wants a digit"},
		{"GI22 NW3K 0000 0000 7099 453", "digit where the registry wants a letter"},
		{"NL56 3003 0A17 1643 00", "letter where the registry wants a digit"},
		{"QQ93 1234 5678", "unknown country"},
		{"NO92 8601 1117 947", "MOD 97"},
		{"NO23 8601 1117 946", "MOD 97 holds but the account's MOD11 does not"},
	} {
		if ValidIBAN(tt.in) {
			t.Errorf("%s: want invalid (%s)", tt.in, tt.why)
		}
	}
	if n := len(ibanCountries); n != 89 {
		t.Errorf("registry has %d countries, want 89", n)
	}
}

func TestLuhnAndCards(t *testing.T) {
	for _, s := range []string{"49927398716", "1428572", "490154203237518"} {
		if !Luhn(s) {
			t.Errorf("Luhn(%s) = false", s)
		}
	}
	if Luhn("4992739871") {
		t.Error("Luhn(4992739871) = true")
	}
	cards := map[string]string{
		"4242424242424242": BrandVisa, "4000056655665556": BrandVisa, "5555555555554444": BrandMastercard,
		"2223003122003222": BrandMastercard, "5200828282828210": BrandMastercard, "5105105105105100": BrandMastercard,
		"378282246310005": BrandAmex, "371449635398431": BrandAmex, "6011111111111117": BrandDiscover,
		"6011000990139424": BrandDiscover, "3056930009020004": BrandDiners, "36227206271667": BrandDiners,
		"3566002020360505": BrandJCB, "6200000000000005": BrandUnionPay, "6205500000000000004": BrandUnionPay,
		"4005519200000004": BrandVisa, "4111111111111111": BrandVisa, "4222222222222": BrandVisa,
		"30569309025904": BrandDiners, "38520000023237": BrandDiners, "3530111333300000": BrandJCB,
		"6304000000000000": BrandMaestro, "5063516945005047": BrandMaestro, "3700 0000 0000 002": BrandAmex,
		"3600 6666 3333 44": BrandDiners, "6445 6445 6445 6445": BrandDiscover, "3569 9900 1009 5841": BrandJCB,
		"6771 7980 2100 0008": BrandMaestro, "5101 1800 0000 0007": BrandMastercard, "8171 9999 2766 0000": BrandUnionPay,
		"5019 5555 4444 5555": BrandDankort,
	}
	for s, brand := range cards {
		if !ValidCardNumber(s) {
			t.Errorf("%s: want a valid card", s)
			continue
		}
		var buf []byte
		for i := 0; i < len(s); i++ {
			if isDigit(s[i]) {
				buf = append(buf, s[i])
			}
		}
		if got, _ := CardBrand(string(buf)); got != brand {
			t.Errorf("%s: brand %q, want %q", s, got, brand)
		}
	}
	for _, tt := range []struct{ in, why string }{
		{"4242424242424241", "Stripe's incorrect_number card: Luhn"},
		{"4111111111111112", "Luhn"},
		{"5555555555554445", "Luhn"},
		{"378282246310006", "Luhn"},
		{"6011111111111118", "Luhn"},
		{"3530111333300001", "Luhn"},
		{"5105105105105106", "Luhn"},
		{"6304000000000001", "Luhn"},
		{"1234567812345678", "no brand, Luhn fails"},
		{"4000000000000000", "Luhn fails"},
		{"0000000000000000", "Luhn passes but no brand and one digit"},
		{"1712345678901", "a 13-digit millisecond timestamp: no brand starts with 1"},
		{"42424242424242", "Visa has no 14-digit numbers"},
	} {
		if ValidCardNumber(tt.in) {
			t.Errorf("%s: want invalid (%s)", tt.in, tt.why)
		}
	}
}

func TestValidKID(t *testing.T) {
	for _, s := range []string{"1234567890128", "0000000018", "12345678903"} {
		if !ValidKID(s) {
			t.Errorf("%s: want valid (MOD10 or MOD11)", s)
		}
	}
	for _, s := range []string{"1234567890127", "1", "12a4"} {
		if ValidKID(s) {
			t.Errorf("%s: want invalid", s)
		}
	}
}

func TestValidEmail(t *testing.T) {
	for _, s := range []string{"simple@example.com", "very.common@example.com", "FirstName.LastName@EasierReading.org",
		"x@example.com", "long.email-address-with-hyphens@and.subdomains.example.com", "user.name+tag+sorting@example.com",
		"name/surname@example.com", "user-@example.org", "mailhost!username@example.org", "user%example.com@example.org",
		"ola.nordmann@online.no", "kari@blåbær.no", "kari@xn--blbr-roah.no"} {
		if !ValidEmail(s) {
			t.Errorf("%s: want valid", s)
		}
	}
	for _, tt := range []struct{ in, why string }{
		{"abc.example.com", "no @"},
		{"a@b@c@example.com", "several @"},
		{`a"b(c)d,e:f;g<h>i[j\k]l@example.com`, "special characters outside quotes"},
		{`just"not"right@example.com`, "quotes"},
		{`this is"not\allowed@example.com`, "spaces and quotes"},
		{"1234567890123456789012345678901234567890123456789012345678901234+x@example.com", "local part over 64"},
		{"i.like.underscores@but_they_are_not_allowed_in_this_part", "underscore in the domain, no TLD"},
		{"john..doe@example.com", "double dot"},
		{"john.doe@example..com", "empty label"},
		{"image@2x.png", "png is a file extension, not a TLD"},
		{"logo@3x.jpg", "jpg is a file extension"},
		{"lodash@4.17.21", "a package version"},
		{"user@localhost", "no TLD"},
		{"foo@bar.invalid", "reserved TLD"},
		{"admin@example", "dotless"},
		{"postmaster@[123.123.123.123]", "IP literal"},
	} {
		if ValidEmail(tt.in) {
			t.Errorf("%s: want invalid (%s)", tt.in, tt.why)
		}
	}
}

func TestValidNordic(t *testing.T) {
	for _, s := range []string{"880320-0016", "8803200016", "670919-9530", "811228-9874", "880320-0057", "8803200073",
		"8803200420", "121212-1212", "121212+1212", "191705120424"} {
		if !ValidSEPersonnummer(s) {
			t.Errorf("SE %s: want valid", s)
		}
	}
	for _, tt := range []struct{ in, why string }{
		{"880320-0018", "Luhn"}, {"8899200425", "month 99"}, {"880320-0017", "Luhn"},
		{"670919-9531", "Luhn"}, {"121212-1213", "Luhn"},
	} {
		if ValidSEPersonnummer(tt.in) {
			t.Errorf("SE %s: want invalid (%s)", tt.in, tt.why)
		}
	}
	for _, s := range []string{"211062-5629", "2110620629"} {
		if !ValidDKCPR(s) {
			t.Errorf("DK %s: want valid", s)
		}
	}
	if ValidDKCPR("511062-5629") {
		t.Error("DK 511062-5629: day 51 must be invalid")
	}
	for _, s := range []string{"131052-308T", "131052+308T", "131052A308T", "131052B308T", "131052X308T"} {
		if !ValidFIHETU(s) {
			t.Errorf("FI %s: want valid", s)
		}
	}
	for _, tt := range []struct{ in, why string }{
		{"131052-308U", "control character"}, {"310252-308Y", "31 February"}, {"130052-308R", "month 00"},
		{"131052-000V", "individual number 000"}, {"131052-9993", "temporary individual number"}, {"131052/308T", "sign"},
	} {
		if ValidFIHETU(tt.in) {
			t.Errorf("FI %s: want invalid (%s)", tt.in, tt.why)
		}
	}
}

func TestMaskNeverShowsTooMuch(t *testing.T) {
	for _, tt := range []struct{ cat, value, want string }{
		{CatFodselsnummer, "10048744732", "******-***32"},
		{CatBankAccount, "86011117947", "****.**.***47"},
		{CatPaymentCard, "4242424242424242", "************4242"},
		{CatIBAN, "NO9386011117947", "NO***********47"},
		{CatEmail, "ola.nordmann@online.no", "o***@o***.no"},
		{CatIPAddress, "84.210.1.2", "84.*.*.*"},
		{CatPhone, "+4791234567", "*********67"},
	} {
		if got := Mask(tt.cat, []byte(tt.value)); got != tt.want {
			t.Errorf("Mask(%s, …) = %q, want %q", tt.cat, got, tt.want)
		}
	}
}

// The local-part byte table says what RFC 5322's atext (and '.') is, and
// cuts at the bytes that are usually URL or markup syntax.
func TestLocalClass(t *testing.T) {
	const atext = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~."
	const cut = "=?&/|{}`#!$*^~'"
	for c := range 256 {
		if got, want := isLocalByte(byte(c)), strings.IndexByte(atext, byte(c)) >= 0; got != want {
			t.Errorf("isLocalByte(%q) = %v", byte(c), got)
		}
		if got, want := isLocalCut(byte(c)), strings.IndexByte(cut, byte(c)) >= 0; got != want {
			t.Errorf("isLocalCut(%q) = %v", byte(c), got)
		}
	}
}

// ipv4Public agrees with net/netip's ranges on every first and second
// byte, around the third bytes that the documentation ranges use.
func TestIPv4PublicMatchesNetip(t *testing.T) {
	for a := range 256 {
		for b := range 256 {
			for _, c := range []byte{0, 1, 2, 3, 99, 100, 101, 112, 113, 114, 255} {
				for _, d := range []byte{0, 1, 255} {
					o := [4]byte{byte(a), byte(b), c, d}
					if got, want := ipv4Public(o), netipPublic(netip.AddrFrom4(o)); got != want {
						t.Fatalf("%v: ipv4Public %v, netip %v", o, got, want)
					}
				}
			}
		}
	}
}

// Every role local part, in any case, marks the address as a role one.
func TestEveryRoleLocalIsARole(t *testing.T) {
	e := NewEngine(nil, Email{})
	for _, r := range roleLocals {
		for _, local := range []string{r, strings.ToUpper(r)} {
			var got []string
			e.Scan([]byte("skriv til "+local+"@firma.no i dag"), func(m *Match) { got = append(got, m.Variant) })
			if len(got) != 1 || got[0] != VariantRoleAddress {
				t.Errorf("%s@firma.no: variants %q, want one %q", local, got, VariantRoleAddress)
			}
		}
	}
}

// cardBrand, on integer prefixes, agrees with comparing the prefixes as
// strings (how the ranges are written) for every 4-digit prefix and length.
func TestCardBrandMatchesStringRanges(t *testing.T) {
	byStrings := func(d []byte) (string, bool) {
		for _, r := range iins {
			if r.lengths&(1<<len(d)) == 0 || len(d) < len(r.lo) {
				continue
			}
			if p := string(d[:len(r.lo)]); p >= r.lo && p <= r.hi {
				return r.brand, true
			}
		}
		return "", false
	}
	for _, r := range iins {
		if len(r.lo) != len(r.hi) || len(r.lo) > 4 {
			t.Fatalf("range %s-%s: bounds of different lengths or longer than 4", r.lo, r.hi)
		}
	}
	for p := range 10000 {
		for n := 1; n <= 19; n++ {
			d := []byte(fmt.Sprintf("%04d%015d", p, 0))[:n]
			gb, gok := cardBrand(d)
			wb, wok := byStrings(d)
			if gb != wb || gok != wok {
				t.Fatalf("%s: cardBrand %q %v, by strings %q %v", d, gb, gok, wb, wok)
			}
		}
	}
	if !testCards["4242424242424242"] || testCards["4242424242424241"] {
		t.Error("testCards does not hold exactly the documented numbers")
	}
}

// Digits keeps the digits and drops the rest, with room in dst or not.
func TestDigits(t *testing.T) {
	for _, s := range []string{"", "1", "12345678", "123456789", "10048744732", "1004 87 44732", "1234.56.78903", "12-34-56-78-90-12-34-56", "a1b2c3d4e5f6g7h8i9", "9999999999999999999"} {
		var want []byte
		for _, c := range []byte(s) {
			if isDigit(c) {
				want = append(want, c)
			}
		}
		for _, room := range []int{0, len(s), len(s) + 8} {
			dst := append(make([]byte, 0, 2+room), "xy"...)
			if got := Digits(dst, []byte(s), 0, len(s)); string(got) != "xy"+string(want) {
				t.Errorf("Digits(%q) with room %d = %q, want %q", s, room, got, "xy"+string(want))
			}
		}
	}
}
