package detectors

// The engine finds candidates through bit masks of 64-byte blocks: one bit
// per byte, set where the byte is a digit, a separator that may join digit
// groups, or a byte a candidate can start with. Walking the set bits skips
// the bytes between candidates without a branch per byte, which is where a
// byte-at-a-time loop spent its time on text with a number every dozen bytes.

// blockMasks classifies up to maskBlocks 64-byte blocks of text.
type blockMasks struct {
	digit [maskBlocks]uint64 // '0'-'9'
	sep   [maskBlocks]uint64 // ' ', '.', '-', ':'
	start [maskBlocks]uint64 // a digit, '@', ':', '%'
}

// maskBlocks is how many blocks are classified at once: 4 KiB of text,
// small enough to stay in the L1 cache with its masks.
const maskBlocks = 64

// classify fills the first len(text)/64 blocks of m; len(text) must be a
// multiple of 64 and at most 64*maskBlocks.
func classify(text []byte, m *blockMasks) {
	if n := len(text) / 64; n > 0 {
		classifyBlocks(&text[0], n, &m.digit[0], &m.sep[0], &m.start[0])
	}
}

// startBit is 1 for the bytes a candidate can start with.
var startBit = func() (t [256]uint8) {
	for c := range t {
		if byteClass[c]&clsStart != 0 {
			t[c] = 1
		}
	}
	return t
}()

// classifyPortable is classifyBlocks in Go, for other architectures and as
// the reference the assembly is tested against.
func classifyPortable(text []byte, digit, sep, start []uint64) {
	for b := range digit {
		var d, s, st uint64
		for k, c := range text[b*64 : b*64+64] {
			cl := byteClass[c]
			d |= uint64(cl&clsDigit) << k
			s |= uint64(cl&clsSep>>1) << k
			st |= uint64(startBit[c]) << k
		}
		digit[b], sep[b], start[b] = d, s, st
	}
}
