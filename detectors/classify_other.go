//go:build !amd64

package detectors

import "unsafe"

func classifyBlocks(p *byte, n int, digit, sep, start *uint64) {
	classifyPortable(unsafe.Slice(p, n*64), unsafe.Slice(digit, n), unsafe.Slice(sep, n), unsafe.Slice(start, n))
}
