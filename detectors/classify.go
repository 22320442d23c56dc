package detectors

// The engine finds candidates through bit masks of 64-byte blocks: one bit
// per byte, set where the byte is a digit, a separator that may join digit
// groups, a byte a candidate can start with, and so on. Numbers, and the
// starts of the ones long enough for some detector, are then found with a
// few operations per block, so the bytes between candidates, and the many
// short numbers (the parts of a timestamp, a count), cost no branch each.

// blockMasks classifies up to maskBlocks 64-byte blocks of text.
type blockMasks struct {
	digit  [maskBlocks]uint64 // '0'-'9'
	sep    [maskBlocks]uint64 // ' ', '.', '-', ':'
	start  [maskBlocks]uint64 // a digit, '@', ':', '%'
	letter [maskBlocks]uint64 // ASCII letters
	word   [maskBlocks]uint64 // ASCII letters, digits and '_'
	high   [maskBlocks]uint64 // bytes of multi-byte characters (>= 0x80)
	space  [maskBlocks]uint64 // ' '
	dash   [maskBlocks]uint64 // '-'
	// from and to bound the text the masks describe.
	from, to int
	// tail holds the last bytes of a text that does not fill a block,
	// padded with zeros, which are in no class.
	tail [64]byte
}

// maskBlocks is how many blocks are classified at once: 4 KiB of text,
// small enough to stay in the L1 cache with its masks.
const maskBlocks = 64

// classify fills m for text[from:to], to-from at most 64*maskBlocks; a last
// block that text does not fill is classified as if padded with zeros.
func classify(text []byte, from, to int, m *blockMasks) {
	m.from, m.to = from, to
	full := (to - from) / 64
	if full > 0 {
		classifyBlocks(&text[from], full, m, 0)
	}
	if rest := text[from+full*64 : to]; len(rest) > 0 {
		m.tail = [64]byte{}
		copy(m.tail[:], rest)
		classifyBlocks(&m.tail[0], 1, m, full)
	}
}

// blocks is how many blocks the masks describe.
func (m *blockMasks) blocks() int { return (m.to - m.from + 63) / 64 }

// numbers returns the bits of block b for the bytes of numbers: digits,
// and the separators with a digit on each side, which join groups.
// prevDigit has the digits of the block before (its bit 63 counts),
// digitNext is 1 where the byte after the block is a digit.
func (m *blockMasks) numbers(b int, prevDigit, digitNext uint64) uint64 {
	digit := m.digit[b]
	return digit | m.sep[b]&(digit<<1|prevDigit>>63)&(digit>>1|digitNext<<63)
}

// colons returns the bits of block b for the colons: ':' is the one byte
// both a separator and a byte a candidate starts with.
func (m *blockMasks) colons(b int) uint64 { return m.start[b] & m.sep[b] }

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
func classifyPortable(text []byte, m *blockMasks, first int) {
	for b := range len(text) / 64 {
		var d, s, st, l, w, h, sp, da uint64
		for k, c := range text[b*64 : b*64+64] {
			cl := byteClass[c]
			d |= uint64(cl&clsDigit) << k
			s |= uint64(cl&clsSep>>1) << k
			st |= uint64(startBit[c]) << k
			if isLetter(c) {
				l |= 1 << k
			}
			w |= uint64(afterWord[c]) << k
			h |= uint64(c>>7) << k
			sp |= uint64(btoi(c == ' ')) << k
			da |= uint64(btoi(c == '-')) << k
		}
		i := first + b
		m.digit[i], m.sep[i], m.start[i], m.letter[i], m.word[i], m.high[i] = d, s, st, l, w, h
		m.space[i], m.dash[i] = sp, da
	}
}

// runsAtLeast returns the bits of num that start k or more set bits in a
// row, counting the bits past the block as set (the next block may go on).
func runsAtLeast(num uint64, k int) uint64 {
	if k > 64 {
		return 0
	}
	long := num
	for s := 1; s < k; s++ {
		long &= num>>s | ^uint64(0)<<(64-s)
	}
	return long
}
