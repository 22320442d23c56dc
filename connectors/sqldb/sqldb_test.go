package sqldb

import (
	"crypto/sha256"
	"testing"
	"time"
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

// TestDecodeBinary: a binary column is read when it holds text, even text
// with a few invalid bytes, and not when it holds binary data.
func TestDecodeBinary(t *testing.T) {
	hash := sha256.Sum256([]byte("kari.nordmann@online.no"))
	for _, tt := range []struct {
		name, v string
		text    bool
	}{
		{"utf-8", "kari.nordmann@online.no", true},
		{"text that reads like bytea's hex (lib/pq has decoded bytea)", `\x6b617269406f6e6c696e652e6e6f`, true},
		{"invalid bytes around text", "\xff\xfe kari.nordmann@online.no \x80", true},
		{"latin1 letters", "Bj\xf8rn p\xe5 H\xe5\xf8ya, bjorn@online.no", true},
		{"NUL", "kari.nordmann@online.no\x00", false},
		{"mostly invalid", "\xff\xfe\xfd\xfc ola", false},
		{"control bytes", "\x01\x02\x03\x04\x05\x06\xff kari", false},
		{"hash", string(hash[:]), false},
		{"PNG", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", false},
	} {
		if ok := isText([]byte(tt.v)); ok != tt.text {
			t.Errorf("%s: read as text %v, want %v", tt.name, ok, tt.text)
		}
	}
}

func TestTimeoutMillis(t *testing.T) {
	for d, want := range map[time.Duration]int64{time.Nanosecond: 1, 500 * time.Microsecond: 1, time.Millisecond: 1, 1500 * time.Microsecond: 2, 30 * time.Second: 30000} {
		if got := TimeoutMillis(d); got != want {
			t.Errorf("TimeoutMillis(%v) = %d, want %d", d, got, want)
		}
	}
}
