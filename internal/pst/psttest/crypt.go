package psttest

import (
	"bytes"

	"datakart/internal/pst"
)

// encode applies the header's bCryptMethod to a data block's payload.
func encode(data []byte, method byte, bid uint64) []byte {
	out := bytes.Clone(data)
	pst.EncodeBlock(out, method, bid)
	return out
}
