package detectors

// classifyBlocks sets, for each of the n 64-byte blocks at p, bit k of
// digit[b], sep[b], start[b], letter[b] and word[b] when byte k of the
// block is in that class (see blockMasks). SSE2, which every amd64
// processor has.
//
//go:noescape
func classifyBlocks(p *byte, n int, digit, sep, start, letter, word *uint64)
