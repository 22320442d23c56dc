package sqldb

import (
	"testing"
)

func TestMatchDotted(t *testing.T) {
	for _, tt := range []struct {
		pat, name string
		want      bool
	}{
		{"public.*", "public.kunder", true},
		{"public.*", "public.kunder.epost", false},
		{"*.kunder", "crm.kunder", true},
		{"crm.kunder.*", "crm.kunder.epost", true},
		{"crm.*", "crmx.kunder", false},
	} {
		if got := matchDotted(tt.pat, tt.name); got != tt.want {
			t.Errorf("matchDotted(%q, %q) = %v", tt.pat, tt.name, got)
		}
	}
}
