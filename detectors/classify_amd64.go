package detectors

import "golang.org/x/sys/cpu"

// classifyBlocks classifies the n 64-byte blocks at p into blocks first,
// first+1, … of m: bit k of a mask is set when byte k of the block is in
// its class (see blockMasks). AVX2 where the processor has it, else SSE2,
// which every amd64 processor has.
var classifyBlocks = classifyBlocksSSE2

func init() {
	if cpu.X86.HasAVX2 {
		classifyBlocks = classifyBlocksAVX2
	}
}

//go:noescape
func classifyBlocksSSE2(p *byte, n int, m *blockMasks, first int)

//go:noescape
func classifyBlocksAVX2(p *byte, n int, m *blockMasks, first int)
