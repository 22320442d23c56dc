package detectors

// classifyBlocks classifies the n 64-byte blocks at p into blocks first,
// first+1, … of m: bit k of a mask is set when byte k of the block is in
// its class (see blockMasks). SSE2, which every amd64 processor has.
//
//go:noescape
func classifyBlocks(p *byte, n int, m *blockMasks, first int)
