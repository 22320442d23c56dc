//go:build !amd64

package detectors

import "unsafe"

func classifyBlocks(p *byte, n int, m *blockMasks, first int) {
	classifyPortable(unsafe.Slice(p, n*64), m, first)
}
