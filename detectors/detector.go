// Package detectors knows what personal data looks like.
//
// A Detector takes bytes and reports validated matches with their category,
// variant, span and confidence. Detectors are pure: no I/O, no mutable
// globals, and no allocation for a candidate that fails validation. The
// Engine finds candidates for all detectors in one pass over the bytes (digit
// runs, '@', ':') and hands each detector only the candidates it asked for,
// so the exact validators run on the few places that could match.
//
// The package does not know about column names, files or databases; that is
// the scanner's job. It imports nothing else of datakart.
package detectors

import (
	"fmt"
	"math/bits"
)

// Category ids, as used in the inventory. Stable: reports, policies and
// baselines refer to them.
const (
	CatFodselsnummer  = "no_fnr"
	CatBankAccount    = "no_bank_account"
	CatIBAN           = "iban"
	CatPaymentCard    = "payment_card"
	CatCardSecurity   = "card_security"
	CatEmail          = "email"
	CatPhone          = "phone"
	CatIPAddress      = "ip_address"
	CatPersonName     = "person_name"
	CatPostalAddress  = "postal_address"
	CatDateOfBirth    = "date_of_birth"
	CatGeolocation    = "geolocation"
	CatHealth         = "health"
	CatSEPersonnummer = "se_personnummer"
	CatDKCPR          = "dk_cpr"
	CatFIHETU         = "fi_hetu"
	CatCredential     = "credential"

	// Not personal data: recognised so that they are not mistaken for one of
	// the categories above, and reported only as context.
	CatOrgNumber = "no_orgnr"
	CatKID       = "kid"
)

// Confidence says how sure a match or a verdict is.
type Confidence uint8

// Confidence levels, ordered: a higher value is surer.
const (
	None Confidence = iota
	Low
	Medium
	High
)

var confidenceNames = [...]string{"none", "low", "medium", "high"}

func (c Confidence) String() string {
	if int(c) < len(confidenceNames) {
		return confidenceNames[c]
	}
	return fmt.Sprintf("confidence(%d)", c)
}

// MarshalText encodes the confidence as "low", "medium" or "high".
func (c Confidence) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText decodes a confidence written by MarshalText.
func (c *Confidence) UnmarshalText(b []byte) error {
	v, err := ParseConfidence(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// ParseConfidence reads "low", "medium", "high" or "none".
func ParseConfidence(s string) (Confidence, error) {
	for i, n := range confidenceNames {
		if n == s {
			return Confidence(i), nil
		}
	}
	return None, fmt.Errorf("unknown confidence %q (want low, medium or high)", s)
}

// Match is one validated finding in a text.
type Match struct {
	Category   string
	Variant    string // e.g. "d_number", "visa"; "" when the category has none
	Start, End int    // byte span in the scanned text
	Confidence Confidence
	// Context is true when a context word for the category stood near the
	// match and raised its confidence.
	Context bool
	// Value is the normalised value (digits only, upper-cased IBAN, lower-cased
	// e-mail), used for fingerprints and distinct counts. It is only valid
	// during the emit call.
	Value []byte
	// Reason is a short, static explanation of why it validated
	// ("checksum", "checksum, 2032 rule", "libphonenumber: mobile").
	Reason string
}

// ReasonMOD11 is the Reason of an account or organisation number whose
// MOD11 check digit is right.
const ReasonMOD11 = "MOD11 check digit"

// A Match with an empty Category is not a finding but a problem of the
// detector named in Variant (a user pattern that timed out), with Reason
// saying what; it never carries the text.

// Trigger says which candidates a detector wants from the Engine.
type Trigger uint8

// Triggers. A detector may ask for several.
const (
	// OnNumber: a run of digit groups joined by single separators
	// (space, '.', '-', ':', no-break space).
	OnNumber Trigger = 1 << iota
	// OnAt: an '@' byte, or "%40" where a URL encoded one (e-mail).
	OnAt
	// OnColon: the first ':' of a run of hex digits and colons (IPv6),
	// with a hex digit or a ':' beside it and another ':' after it.
	OnColon
	// OnCountryCode: a number candidate of two digits or more right after
	// two ASCII letters that start a word, as the digits of NO93 8601 1117
	// 947 are; the letters are before Start.
	OnCountryCode
	// OnText: the whole text, once per scan (user-defined patterns, which
	// have no cheap trigger of their own).
	OnText
)

// Group is one maximal run of ASCII digits inside a number candidate.
type Group struct{ Start, End int }

// Len is the number of digits in the group.
func (g Group) Len() int { return g.End - g.Start }

// Candidate is a place in the text the Engine thinks a detector should look at.
type Candidate struct {
	Trigger Trigger
	// Start and End span the candidate: for OnNumber the first to the last
	// digit; for OnAt the '@' (or "%40"), for OnColon the ':'.
	Start, End int
	// Groups are the digit runs of an OnNumber candidate, in order. The slice
	// is reused by the Engine: do not keep it.
	Groups []Group
	// Digits is the total number of digits in Groups.
	Digits int
}

// Detector finds one family of personal data. Implementations must be safe
// for concurrent use and must not keep references to text or candidates.
type Detector interface {
	// Info describes the detector for listings and reports.
	Info() Info
	// Triggers says which candidates Inspect wants.
	Triggers() Trigger
	// Inspect validates the candidate c inside text and reports each match
	// with ctx.Emit. ctx also answers whether context words are near a
	// span, and keeps match values (ctx.Keep) without an allocation each.
	Inspect(text []byte, c *Candidate, ctx *Context)
}

// A detector of digit runs may also have a method WantsRun(RunShape) bool
// saying which runs it can match at all; the Engine then calls it only for
// those (most runs are the parts of dates, times and counts, which no
// detector wants). The answer must depend on the shape alone, and must not
// turn away a run the detector would match.

// RunShape is what the Engine knows of a run of digit groups before it
// hands the run to detectors: cheap to see from the bit masks of a block.
type RunShape struct {
	// Digits is the number of digits in all groups; MaxShapeDigits stands
	// for that many or more.
	Digits int
	// Groups is the number of digit groups; MaxShapeGroups stands for that
	// many or more.
	Groups int
	// First is the number of digits in the first group; MaxShapeDigits
	// stands for that many or more.
	First int
	// Space, Dash and Colon are true when a ' ', '-' or ':' joins two of
	// the groups. Without a space, the run is one number: GroupRanges cuts
	// runs only at spaces.
	Space, Dash, Colon bool
	// Prev is what stands before the first digit, Next what follows the
	// last.
	Prev PrevByte
	Next NextByte
}

// Fits reports whether the run can be one number of the given digits
// written with separators at seps (bit n: a separator after n digits, as
// SeparatorsAt gives them). Only the number of groups and the first one
// are compared: a run of this shape may still have other groupings.
func (r RunShape) Fits(digits int, seps uint32) bool {
	first := digits
	if seps != 0 {
		first = bits.TrailingZeros32(seps)
	}
	return r.Digits == digits && r.Groups == bits.OnesCount32(seps)+1 && r.First == first
}

// Glued reports whether the byte before the run is part of a word, so a
// number that starts the run is not Bounded.
func (r RunShape) Glued() bool { return r.Prev == PrevWord || r.Prev == PrevHex }

// The most digits and groups a RunShape tells apart.
const (
	MaxShapeDigits = 20
	MaxShapeGroups = 8
)

// PrevByte classifies the byte before a run of digits.
type PrevByte uint8

// The bytes before a run that detectors ask about. A run that is one
// number (no space in it) after PrevWord or PrevHex is not Bounded.
const (
	PrevOther PrevByte = iota // also: the run starts the text
	PrevPlus                  // '+': an international phone number
	PrevColon                 // ':': maybe inside an IPv6 address
	PrevHex                   // a-f, A-F, or a digit (where a long run was cut): maybe inside an IPv6 address
	PrevWord                  // any other byte of a word: g-z, G-Z, '_', a byte of a multi-byte character
	numPrevBytes
)

// NextByte classifies the byte after a run of digits.
type NextByte uint8

// The bytes after a run that detectors ask about.
const (
	NextOther  NextByte = iota
	NextPlus            // '+': a Swede over 100, a Finn born in the 1800s
	NextColon           // ':' not before a digit: maybe inside an IPv6 address
	NextHex             // a-f, A-F: maybe inside an IPv6 address; a letter like NextLetter
	NextLetter          // any other ASCII letter: a Finnish identity code's century sign
	numNextBytes
)

// Info describes a detector.
type Info struct {
	ID          string   // the detector's id, usually its category id
	Categories  []string // categories it can report
	Variants    []string // variants it can report
	Description string
	Personal    bool // false for no_orgnr and kid, which are context only
}
