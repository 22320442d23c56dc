package rules

import (
	"slices"
	"testing"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"fødselsnummer", []string{"fodselsnummer"}},
		{"Foedselsnummer", []string{"fodselsnummer"}},
		{"customerEmail", []string{"customer", "email"}},
		{"HTTPServerName", []string{"http", "server", "name"}},
		{"address_line1", []string{"address", "line", "1"}},
		{"cvv2", []string{"cvv", "2"}},
		{"$.customer.phone", []string{"customer", "phone"}},
		{"$.orders[*].card_number", []string{"orders", "card", "number"}},
		{"Kunder!E-post", []string{"kunder", "e", "post"}},
		{"sykefravær_dager", []string{"sykefravaer", "dager"}},
		{"Gåte-ÅSEN", []string{"gate", "asen"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := Tokenize(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMatchName(t *testing.T) {
	rs, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		want []string // categories, in order
	}{
		{"fnr", []string{"no_fnr"}},
		{"fødselsnummer", []string{"no_fnr"}},
		{"FOEDSELSNUMMER", []string{"no_fnr"}},
		{"customer_ssn", []string{"no_fnr"}},
		{"kontonummer", []string{"no_bank_account"}},
		{"konto_nr", []string{"no_bank_account"}},
		{"lønnskonto", []string{"no_bank_account"}}, // where the salary is paid
		{"lonnskonto", []string{"no_bank_account"}},
		{"kontoplan", nil},            // a ledger, not a bank account
		{"konto", nil},                // GL account numbers in an ERP
		{"email", []string{"email"}},  //
		{"E-post", []string{"email"}}, // e_post
		{"epostadresse", []string{"email"}},
		{"mobilnummer", []string{"phone"}},
		{"first_name", []string{"person_name"}},
		{"etternavn", []string{"person_name"}},
		{"kortholder", []string{"person_name"}}, // the name on a card
		{"cardholder_name", []string{"person_name"}},
		{"product_name", nil}, // vetoed
		{"filename", nil},     // one token, not "name"
		{"username", nil},
		{"acid", nil},        // not "cid"
		{"translation", nil}, // not "lat"
		{"lat", []string{"geolocation"}},
		{"sykefravær", []string{"health"}},
		{"diagnosekode", []string{"health"}},
		{"date_of_birth", []string{"date_of_birth"}},
		{"birth", nil},
		{"postnr", []string{"postal_address"}},
		{"ip_address", []string{"ip_address"}},
		{"email_ip", []string{"email", "ip_address"}},
		{"password_hash", []string{"credential"}},
		{"password_expires", nil},
		{"orgnr", []string{"no_orgnr"}},
		{"kid", []string{"kid"}},
		{"version", []string{NotPersonal}},
		{"versjon", []string{NotPersonal}}, // Norwegian
		{"app_versjonsnummer", []string{NotPersonal}},
		{"kidnummer", []string{"kid"}},
		{"Kundeident", []string{"kid"}},
		{"ocr_referanse", []string{"kid"}}, // banks' name for a KID
		{"ocr_text", nil},                  // a scanned document's text, no KID
		{"cpr_nr", []string{"dk_cpr"}},     // Danish, not a fødselsnummer
		{"CPR", []string{"dk_cpr"}},
		{"henkilötunnus", []string{"fi_hetu"}},
		{"personbeteckning", []string{"fi_hetu"}},
		{"samordningsnummer", []string{"se_personnummer"}},
		{"personnummer", []string{"no_fnr"}},
		{"$.customer.email", []string{"email"}},
		{"$.product.name", nil},
		{"Kunder!Navn", []string{"person_name"}},
		// A path is matched, and vetoed, by its last two elements: the
		// root of an SAF-T file (AuditFile) or an ISO 20022 message
		// (Document) says nothing of a name below it.
		{"/AuditFile/Customer/Contact/ContactPerson/FirstName", []string{"person_name"}},
		{"/AuditFile/Customer/Name", []string{"person_name"}},
		{"/Document/CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf/CdtrAcct/Id/IBAN", []string{"iban"}},
		{"/AuditFile/MasterFiles/Products/Product/Name", nil},
		{"/AuditFile/MasterFiles/Product/Name", nil},
		{"$.phone.number", []string{"phone"}},
		{"$.employee.ssn.value", []string{"no_fnr"}},
		{"$.orders[*].customer.*.email", []string{"email"}},
		{"/a/b/@email", []string{"email"}},
		{"profile → $.address.ip", []string{"ip_address"}},
	}
	for _, tt := range tests {
		var got []string
		for _, h := range rs.MatchName(tt.name) {
			got = append(got, h.Category)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("MatchName(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestDefaultRulesAreConsistent(t *testing.T) {
	rs, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if rs.Fingerprint() == "" {
		t.Error("no fingerprint")
	}
	for _, id := range []string{"no_fnr", "no_bank_account", "iban", "payment_card", "email", "phone", "ip_address", "health", "se_personnummer", "dk_cpr", "fi_hetu"} {
		c, ok := rs.Category(id)
		if !ok {
			t.Errorf("category %s missing", id)
			continue
		}
		if !c.Personal() {
			t.Errorf("category %s is not personal", id)
		}
	}
	for _, id := range []string{"no_orgnr", "kid"} {
		if c, _ := rs.Category(id); c.Personal() {
			t.Errorf("%s must not be a personal category", id)
		}
	}
	// A name is listed once in its rule ('rules --names' listed one twice).
	for _, r := range rs.names {
		for i, n := range r.Names {
			if slices.Contains(r.Names[:i], n) {
				t.Errorf("%s: %q is listed twice", r.Category, n)
			}
		}
	}
	// Every category a built-in detector reports must be defined.
	for _, d := range rs.Engine().Detectors() {
		for _, c := range d.Info().Categories {
			if _, ok := rs.Category(c); !ok {
				t.Errorf("detector %s reports undefined category %s", d.Info().ID, c)
			}
		}
	}
}

func TestNewRejectsUnknownCategory(t *testing.T) {
	if _, err := New([]Category{{ID: "a", Class: ClassOrdinary}}, []NameRule{{Category: "b", Names: []string{"x"}}}, nil, ""); err == nil {
		t.Error("want an error for a name rule of an unknown category")
	}
	if _, err := New([]Category{{ID: "a"}, {ID: "a"}}, nil, nil, ""); err == nil {
		t.Error("want an error for a duplicate category")
	}
}
