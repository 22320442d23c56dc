package detectors

// Builtin returns a fresh list of every built-in value detector. Adding a
// detector is one file and one line here.
func Builtin() []Detector {
	return []Detector{
		Fodselsnummer{},
		BankAccount{},
		IBAN{},
		PaymentCard{},
		Email{},
		Phone{},
		IPAddress{},
		SEPersonnummer{},
		DKCPR{},
		FIHETU{},
		OrgNumber{},
		KID{},
	}
}
