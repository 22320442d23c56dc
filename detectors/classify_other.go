//go:build !amd64

package detectors

import "unsafe"

func classifyBlocks(p *byte, n int, digit, sep, start, letter, word *uint64) {
	classifyPortable(unsafe.Slice(p, n*64), unsafe.Slice(digit, n), unsafe.Slice(sep, n), unsafe.Slice(start, n),
		unsafe.Slice(letter, n), unsafe.Slice(word, n))
}
