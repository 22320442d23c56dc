package detectors

// The engine finds candidates through bit masks of 64-byte blocks: one bit
// per byte, set where the byte is a digit, a separator that may join digit
// groups, or a byte a candidate can start with. Walking the set bits skips
// the bytes between candidates without a branch per byte, which is where a
// byte-at-a-time loop spent its time on text with a number every dozen bytes.

// blockMasks classifies up to maskBlocks 64-byte blocks of text.
type blockMasks struct {
	digit  [maskBlocks]uint64 // '0'-'9'
	sep    [maskBlocks]uint64 // ' ', '.', '-', ':'
	start  [maskBlocks]uint64 // a digit, '@', ':', '%'
	letter [maskBlocks]uint64 // ASCII letters
	word   [maskBlocks]uint64 // ASCII letters, digits and '_'
	// from and to bound the text the masks describe.
	from, to int
}

// maskBlocks is how many blocks are classified at once: 4 KiB of text,
// small enough to stay in the L1 cache with its masks.
const maskBlocks = 64

// classify fills m for text[from:to]; to-from must be a multiple of 64 and
// at most 64*maskBlocks.
func classify(text []byte, from, to int, m *blockMasks) {
	m.from, m.to = from, to
	if n := (to - from) / 64; n > 0 {
		classifyBlocks(&text[from], n, &m.digit[0], &m.sep[0], &m.start[0], &m.letter[0], &m.word[0])
	}
}

// wordStarts returns the bits of block b for the ASCII letters that start a
// word: not after an ASCII letter, digit or '_'.
func (m *blockMasks) wordStarts(text []byte, b int) uint64 {
	var before uint64 // the byte before the block
	if b > 0 {
		before = m.word[b-1] >> 63
	} else if m.from > 0 && afterWord[text[m.from-1]] != 0 {
		before = 1
	}
	return m.letter[b] &^ (m.word[b]<<1 | before)
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
func classifyPortable(text []byte, digit, sep, start, letter, word []uint64) {
	for b := range digit {
		var d, s, st, l, w uint64
		for k, c := range text[b*64 : b*64+64] {
			cl := byteClass[c]
			d |= uint64(cl&clsDigit) << k
			s |= uint64(cl&clsSep>>1) << k
			st |= uint64(startBit[c]) << k
			if isLetter(c) {
				l |= 1 << k
			}
			w |= uint64(afterWord[c]) << k
		}
		digit[b], sep[b], start[b], letter[b], word[b] = d, s, st, l, w
	}
}
