package detectors

import "golang.org/x/sys/cpu"

// classifyBlocks classifies the n 64-byte blocks at p into blocks first,
// first+1, … of m: bit k of a mask is set when byte k of the block is in
// its class (see blockMasks). AVX2 where the processor has it, else SSE2,
// which every amd64 processor has; AVX-512 with VBMI (Ice Lake, Zen 4 and
// later) looks the classes up in a table, a third of the instructions of
// AVX2.
var classifyBlocks = classifyBlocksSSE2

func init() {
	switch {
	case hasAVX512VBMI():
		classifyBlocks = classifyBlocksAVX512Table
	case cpu.X86.HasAVX2:
		classifyBlocks = classifyBlocksAVX2
	}
}

func hasAVX512VBMI() bool {
	return cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VBMI
}

// asciiClasses has, for each ASCII byte, its classes as the AVX-512
// classifier tests them: bit 0 digit, 1 separator, 2 start, 3 letter,
// 4 word, 5 space, 6 dash (the masks of blockMasks, in their order,
// without high).
var asciiClasses = func() (t [128]byte) {
	for c := range t {
		b := byte(c)
		cl := byteClass[b]
		t[c] = cl&clsDigit | cl&clsSep | startBit[b]<<2 | byte(btoi(isLetter(b)))<<3 | afterWord[b]<<4 |
			byte(btoi(b == ' '))<<5 | byte(btoi(b == '-'))<<6
	}
	return t
}()

func classifyBlocksAVX512Table(p *byte, n int, m *blockMasks, first int) {
	classifyBlocksAVX512(p, n, m, first, &asciiClasses)
}

//go:noescape
func classifyBlocksSSE2(p *byte, n int, m *blockMasks, first int)

//go:noescape
func classifyBlocksAVX2(p *byte, n int, m *blockMasks, first int)

//go:noescape
func classifyBlocksAVX512(p *byte, n int, m *blockMasks, first int, table *[128]byte)
