package detectors

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// phoneTypeOf gives libphonenumber's answer for every country calling
// code: for the example numbers of each region and type (valid by
// construction), for those numbers with a digit changed or cut off, and
// for random digits after the code.
func TestPhoneTypeAgreesWithLibphonenumber(t *testing.T) {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(11, 12))
	var numbers []string
	for _, md := range coll.GetMetadata() {
		cc := strconv.Itoa(int(md.GetCountryCode()))
		for _, d := range []*phonenumbers.PhoneNumberDesc{md.GetGeneralDesc(), md.GetFixedLine(), md.GetMobile(), md.GetTollFree(),
			md.GetPremiumRate(), md.GetSharedCost(), md.GetPersonalNumber(), md.GetVoip(), md.GetPager(), md.GetUan(), md.GetVoicemail()} {
			ex := d.GetExampleNumber()
			if ex == "" {
				continue
			}
			numbers = append(numbers, cc+ex)
			b := []byte(cc + ex)
			b[len(cc)+r.IntN(len(ex))] = byte('0' + r.IntN(10))
			numbers = append(numbers, string(b), cc+ex[:len(ex)-1], cc+ex+"5")
		}
		for range 200 {
			n := 4 + r.IntN(11)
			b := []byte(cc)
			for range n {
				b = append(b, byte('0'+r.IntN(10)))
			}
			numbers = append(numbers, string(b))
		}
	}
	for range 5000 { // no country code, or 0 first
		n := 6 + r.IntN(12)
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + r.IntN(10))
		}
		numbers = append(numbers, string(b))
	}
	fast := 0
	for _, n := range numbers {
		if _, ok := fastPhoneType([]byte(n)); ok {
			fast++
		}
		if got, want := phoneTypeOf([]byte(n)), libraryPhoneType([]byte(n)); got != want {
			t.Errorf("+%s: phoneTypeOf %v, libphonenumber %v", n, got, want)
		}
	}
	t.Logf("%d numbers, %d decided without the library", len(numbers), fast)
	if fast < len(numbers)/2 {
		t.Errorf("only %d of %d numbers decided without the library", fast, len(numbers))
	}
}
