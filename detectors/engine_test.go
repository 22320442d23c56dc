package detectors_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"datakart/detectors"
	"datakart/rules"
)

type found struct {
	cat, variant, text string
	conf               detectors.Confidence
}

func (f found) String() string { return fmt.Sprintf("%s/%s %q %s", f.cat, f.variant, f.text, f.conf) }

func engine(t testing.TB) *detectors.Engine {
	t.Helper()
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	return rs.Engine()
}

func scan(e *detectors.Engine, text string) []found {
	var out []found
	e.Scan([]byte(text), func(m *detectors.Match) {
		out = append(out, found{m.Category, m.Variant, text[m.Start:m.End], m.Confidence})
	})
	return out
}

// TestEngine runs all built-in detectors over text as people write it, and
// over the tricky neighbours that must not be reported.
func TestEngine(t *testing.T) {
	e := engine(t)
	type want struct {
		cat, text string
		conf      detectors.Confidence
	}
	tests := []struct {
		name string
		text string
		want []want // exactly these personal or context findings, in order
	}{
		{"fnr in prose with context", "Fødselsnummer: 100487 44732.", []want{{"no_fnr", "100487 44732", detectors.High}}},
		{"fnr bare", "ident 10048744732;", []want{{"no_fnr", "10048744732", detectors.Medium}}},
		{"fnr dashed date", "f.nr 13-04-99-58441", []want{{"no_fnr", "13-04-99-58441", detectors.High}}},
		{"fnr in JSON", `{"fnr":"10048745364"}`, []want{{"no_fnr", "10048745364", detectors.High}}},
		{"fnr as a JSON number", `{"fnr":10048745364}`, []want{{"no_fnr", "10048745364", detectors.High}}},
		{"fnr after a colon", "fnr:10048744732", []want{{"no_fnr", "10048744732", detectors.High}}},
		{"fnr inside a longer number", "ref 1004874473212345678", nil},
		{"fnr glued to letters", "ID10048744732X", nil},
		{"fnr after an order number", "ordre 123 10048744732", []want{{"no_fnr", "10048744732", detectors.Medium}}},
		{"fnr in a CSV line read as text", "10023,10048744732,Ola", []want{{"no_fnr", "10048744732", detectors.Medium}}},
		{"an amount with decimals is not an fnr", "beløp 10048744732,50 kr", nil},
		{"decimals after a point", "x=0.10048744732", nil},
		{"2032-rule number needs context", "nr 30108299939", []want{{"no_fnr", "30108299939", detectors.Low}}},
		{"2032-rule number with context", "fnr 30108299939", []want{{"no_fnr", "30108299939", detectors.High}}},
		{"synthetic Tenor number", "testperson 03851598730", []want{{"no_fnr", "03851598730", detectors.Medium}}},
		{"account dotted", "Betal til 8601.11.17947 innen fredag", []want{{"no_bank_account", "8601.11.17947", detectors.High}}},
		{"account spaced with context", "kontonummer 1503 75 77003", []want{{"no_bank_account", "1503 75 77003", detectors.High}}},
		{"account bare without context is weak", "ref 12345678903 ok", []want{{"no_bank_account", "12345678903", detectors.Low}}},
		{"an fnr that passes MOD11 is an fnr", "nummer 10048744732", []want{{"no_fnr", "10048744732", detectors.Medium}}},
		{"an fnr next to the word konto is an account", "konto 10048744732", []want{{"no_bank_account", "10048744732", detectors.High}}},
		{"org number is context, not personal", "Org.nr 988 077 917 MVA", []want{{"no_orgnr", "988 077 917", detectors.High}}},
		{"org number as VAT id", "NO988077917MVA", []want{{"no_orgnr", "988077917", detectors.High}}},
		{"KID that looks like a Visa card", "KID: 4242424242424242", []want{{"kid", "4242424242424242", detectors.High}}},
		{"card without KID context", "kort 4242 4242 4242 4242", []want{{"payment_card", "4242 4242 4242 4242", detectors.High}}},
		{"card compact", "pan=5555555555554444&x", []want{{"payment_card", "5555555555554444", detectors.Medium}}},
		{"amex grouping", "Amex 3782 822463 10005", []want{{"payment_card", "3782 822463 10005", detectors.High}}},
		{"masked card", "kort 4242 **** **** 4242", nil},
		{"no card cut out of a longer run of groups", "ref 4242 4242 4242 4242 4242", nil},
		{"13-digit ms timestamp", `"ts_ms":1712345678901`, nil},
		{"card failing Luhn", "kort 4242424242424241", nil},
		{"IBAN grouped", "IBAN: NO93 8601 1117 947 til konto", []want{{"iban", "NO93 8601 1117 947", detectors.High}}},
		{"IBAN compact GB", "pay GB82WEST12345698765432.", []want{{"iban", "GB82WEST12345698765432", detectors.High}}},
		{"IBAN bad checksum", "NO92 8601 1117 947", nil},
		{"email", "Kontakt ola.nordmann@online.no i dag", []want{{"email", "ola.nordmann@online.no", detectors.High}}},
		{"email url encoded", "GET /n?email=ola%40online.no HTTP/1.1", []want{{"email", "ola%40online.no", detectors.High}}},
		{"email retina asset", `<img src="logo@2x.png">`, nil},
		{"email retina zip", "icon@2x.zip", nil},
		{"npm version", "lodash@4.17.21", nil},
		{"git remote", "git@github.com:org/repo.git", nil},
		{"URL credentials", "https://user:secret@db.example.no/x", nil},
		{"css media", "@media screen and (max-width: 600px)", nil},
		{"role address", "skriv til post@firma.no", []want{{"email", "post@firma.no", detectors.Low}}},
		{"phone +47", "ring +47 912 34 567 nå", []want{{"phone", "+47 912 34 567", detectors.High}}},
		{"phone 0047", "tlf 0047 91234567", []want{{"phone", "0047 91234567", detectors.High}}},
		{"phone (+47)", "(+47) 91234567", []want{{"phone", "(+47) 91234567", detectors.High}}},
		{"phone grouped", "Kari 912 34 567", []want{{"phone", "912 34 567", detectors.Medium}}},
		{"phone bare with context", "tlf: 91234567", []want{{"phone", "91234567", detectors.Medium}}},
		{"phone after a colon", "Tlf:91234567", []want{{"phone", "91234567", detectors.Medium}}},
		{"phone as a JSON number", `{"mobil":91234567}`, []want{{"phone", "91234567", detectors.Medium}}},
		{"phone bare without context is weak", "x 91234567 y", []want{{"phone", "91234567", detectors.Low}}},
		{"phone Swedish", "call +46 8 123 456 78", []want{{"phone", "+46 8 123 456 78", detectors.High}}},
		{"phone invalid series", "+47 12 34 56 78", nil},
		{"date is not a phone", "dato 20240115 og 2024-01-15 10:20:30", nil},
		{"time is not a phone", "kl 10:20:30", nil},
		{"colons do not join a phone number", "+47:91:23:45:67", nil},
		{"a phone after a time", "10:30 +47 912 34 567", []want{{"phone", "+47 912 34 567", detectors.High}}},
		{"phone with no-break spaces", "mobil 912\u00a034\u00a0567", []want{{"phone", "912\u00a034\u00a0567", detectors.High}}},
		{"phone with narrow no-break spaces", "tlf 91\u202f23\u202f45\u202f67", []want{{"phone", "91\u202f23\u202f45\u202f67", detectors.High}}},
		{"four groups of four are not a phone", "ref 4929 1234 5678 9012", nil},
		{"a phone before a count", "tlf 912 34 567 2 ganger", []want{{"phone", "912 34 567", detectors.High}}},
		{"card with no-break spaces", "kort 4242\u00a04242\u00a04242\u00a04242", []want{{"payment_card", "4242\u00a04242\u00a04242\u00a04242", detectors.High}}},
		{"ipv4", "client 84.210.1.2 connected", []want{{"ip_address", "84.210.1.2", detectors.High}}},
		{"private ipv4 is low", "host 192.168.1.10", []want{{"ip_address", "192.168.1.10", detectors.Low}}},
		{"version is not an ip", "versjon v4.12.0.1 og version 4.12.0.1", nil},
		{"user agent version", "Chrome/120.0.0.0 Safari", nil},
		{"five parts is not an ip", "oid 1.3.6.1.4.1", nil},
		{"leading zero octet", "192.168.001.001", nil},
		{"netmask", "mask 255.255.255.0", nil},
		{"ipv6", "client 2a02:2121:1:2::1 ok", []want{{"ip_address", "2a02:2121:1:2::1", detectors.High}}},
		{"ipv6 loopback is low", "bind ::1", []want{{"ip_address", "::1", detectors.Low}}},
		{"ipv4 written as ipv6", "client ::ffff:84.210.1.3 ok", []want{{"ip_address", "::ffff:84.210.1.3", detectors.High}}},
		{"private ipv4 written as ipv6", "from ::ffff:10.0.0.7", []want{{"ip_address", "::ffff:10.0.0.7", detectors.Low}}},
		{"ipv6 loopback at the start", "::1 is local", []want{{"ip_address", "::1", detectors.Low}}},
		{"ipv6 with zero groups between digits", "client 2a02:0db8:0000:0000:0000:0000:0000:0001 ok", []want{{"ip_address", "2a02:0db8:0000:0000:0000:0000:0000:0001", detectors.High}}},
		{"a bare date is not a phone", "dato 21052024 ok", nil},
		{"a UUID is not a phone", "id 35362888-a250-4c1e-9f3b-2d7c41a0e5b6 ok", nil},
		// 97105360391 passes as an FH-number too.
		{"an account above a fødselsnummer", "Kontonummer: 97105360391\nFødselsnummer: 17105218214\n", []want{
			{"no_bank_account", "97105360391", detectors.High}, {"no_fnr", "17105218214", detectors.High}}},
		{"a fødselsnummer above an account", "Fødselsnummer: 17105218214\nKontonummer: 97105360391\n", []want{
			{"no_fnr", "17105218214", detectors.High}, {"no_bank_account", "97105360391", detectors.High}}},
		{"a number between colons", "GET user:17105218214:session", []want{{"no_fnr", "17105218214", detectors.Medium}}},
		{"a labelled number between colons", "Fødselsnummer:17105218214:", []want{{"no_fnr", "17105218214", detectors.High}}},
		{"a phone before a dash", "mobil 91234567-kveld", []want{{"phone", "91234567", detectors.Medium}}},
		{"ipv6 documentation", "host 2001:db8::8a2e:370:7334.", []want{{"ip_address", "2001:db8::8a2e:370:7334", detectors.Low}}},
		{"mac address", "mac 00:1a:2b:3c:4d:5e", nil},
		{"ipv6 whose last colon alone follows a number", "host 1:2:3:4:5:6:7:ab ok", []want{{"ip_address", "1:2:3:4:5:6:7:ab", detectors.Medium}}},
		{"three groups are no ipv6", "host 12:34:ab ok", nil},
		{"SE personnummer", "personnummer 880320-0016", []want{{"se_personnummer", "880320-0016", detectors.High}}},
		{"SE centenarian", "pnr 121212+1212", []want{{"se_personnummer", "121212+1212", detectors.High}}},
		{"phone with country code is not SE", "+4791234567", []want{{"phone", "+4791234567", detectors.High}}},
		{"DK CPR needs context", "CPR-nr 211062-5629", []want{{"dk_cpr", "211062-5629", detectors.High}}},
		{"DK CPR bare compact", "2110620629", nil},
		// 070761-4285 is also a samordningsnummer (born 2007-07-01) that
		// passes Luhn.
		{"DK CPR that reads as a samordningsnummer", "dansk CPR 070761-4285", []want{{"dk_cpr", "070761-4285", detectors.High}}},
		{"DK CPR beside a Swedish number", "Svensk personnummer 19811228-9874 og dansk CPR 070761-4285", []want{
			{"se_personnummer", "19811228-9874", detectors.High}, {"dk_cpr", "070761-4285", detectors.High}}},
		{"samordningsnummer with its word", "samordningsnummer 070761-4285", []want{{"se_personnummer", "070761-4285", detectors.High}}},
		{"samordningsnummer or CPR, no word", "ref 070761-4285", []want{{"se_personnummer", "070761-4285", detectors.Low}}},
		{"FI HETU", "hetu 131052-308T", []want{{"fi_hetu", "131052-308T", detectors.High}}},
		{"FI HETU new sign", "131052B308T", []want{{"fi_hetu", "131052B308T", detectors.High}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scan(e, tt.text)
			var gw []want
			for _, f := range got {
				gw = append(gw, want{f.cat, f.text, f.conf})
			}
			if !slices.Equal(gw, tt.want) {
				t.Errorf("%q:\n got  %v\n want %v", tt.text, got, tt.want)
			}
		})
	}
}

// TestNoAllocationForRejectedCandidates scans text full of digit runs, '@'
// and ':' that all fail validation: no allocation may happen.
func TestNoAllocationForRejectedCandidates(t *testing.T) {
	if detectors.RaceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	e := engine(t)
	text := []byte(strings.Repeat("2024-11-01T08:00:00.000Z job=118734 rows=12345678901 @media x:y 10:20:30 ref 1234567812345678 v4.12.0.1 logo@2x.png 3.14 NO12 ", 50))
	e.Scan(text, func(*detectors.Match) {}) // warm the pool
	allocs := testing.AllocsPerRun(20, func() {
		e.Scan(text, func(*detectors.Match) {})
	})
	if allocs > 0 {
		t.Errorf("%.1f allocations per scan of rejected candidates, want 0", allocs)
	}
}

func TestMatchesAreInOrderAndInRange(t *testing.T) {
	e := engine(t)
	text := "Kari 912 34 567, kari@online.no, fnr 100487 44732, konto 8601.11.17947, kort 4242 4242 4242 4242, ip 84.210.1.2"
	last := -1
	n := 0
	e.Scan([]byte(text), func(m *detectors.Match) {
		n++
		if m.Start < last || m.Start < 0 || m.End > len(text) || m.Start >= m.End {
			t.Errorf("match %s at [%d,%d) out of order or range", m.Category, m.Start, m.End)
		}
		last = m.Start
		if len(m.Value) == 0 {
			t.Errorf("match %s without a value", m.Category)
		}
	})
	if n != 6 {
		t.Errorf("%d matches, want 6", n)
	}
}
