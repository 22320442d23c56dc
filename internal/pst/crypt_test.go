package pst

import (
	"bytes"
	"testing"
)

// TestCryptTables checks the tables copied from [MS-PST] 5.1 by what
// they must be: cryptI undoes cryptR, and cryptS undoes itself. A byte
// copied wrong breaks one of the two.
func TestCryptTables(t *testing.T) {
	for c := range 256 {
		if cryptI[cryptR[c]] != byte(c) {
			t.Fatalf("cryptI[cryptR[%d]] = %d", c, cryptI[cryptR[c]])
		}
		if cryptS[cryptS[c]] != byte(c) {
			t.Fatalf("cryptS[cryptS[%d]] = %d", c, cryptS[cryptS[c]])
		}
	}
}

// TestDecodeCyclic checks that the cyclic encoding is its own inverse,
// and that it depends on the key.
func TestDecodeCyclic(t *testing.T) {
	plain := []byte("Fødselsnummer 01019012345, konto 1234.56.78903")
	b := bytes.Clone(plain)
	decodeCyclic(b, 0x12345)
	if bytes.Equal(b, plain) {
		t.Fatal("encoding changed nothing")
	}
	other := bytes.Clone(plain)
	decodeCyclic(other, 0x12349)
	if bytes.Equal(b, other) {
		t.Fatal("two keys gave the same bytes")
	}
	decodeCyclic(b, 0x12345)
	if !bytes.Equal(b, plain) {
		t.Fatalf("twice: %q", b)
	}
}
