// Package utf16le decodes the UTF-16LE text of Microsoft's file formats
// (Office documents, Outlook messages and mailboxes, Access databases)
// to UTF-8, the one way for all of them.
package utf16le

import (
	"encoding/binary"
	"unicode/utf16"
	"unicode/utf8"
)

// Append appends UTF-16LE text to dst as UTF-8, a NUL as a space and a
// lone surrogate as U+FFFD; an odd last byte is dropped.
func Append(dst, b []byte) []byte {
	for i := 0; i+1 < len(b); i += 2 {
		c := rune(binary.LittleEndian.Uint16(b[i:]))
		switch {
		case c == 0:
			c = ' '
		case utf16.IsSurrogate(c):
			var next rune = -1
			if i+3 < len(b) {
				next = rune(binary.LittleEndian.Uint16(b[i+2:]))
			}
			if c = utf16.DecodeRune(c, next); c != utf8.RuneError {
				i += 2
			}
		}
		dst = utf8.AppendRune(dst, c)
	}
	return dst
}

// String is Append to a new string.
func String(b []byte) string { return string(Append(nil, b)) }

// Encode returns s in UTF-16LE, for writers of test files.
func Encode(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}
