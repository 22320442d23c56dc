//go:build !amd64

package detectors

import "unsafe"

// classifyBlocks classifies the n 64-byte blocks at p into blocks first,
// first+1, … of m, in Go.
var classifyBlocks = func(p *byte, n int, m *blockMasks, first int) {
	classifyPortable(unsafe.Slice(p, n*64), m, first)
}
