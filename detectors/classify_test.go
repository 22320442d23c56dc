package detectors

import (
	"math/rand/v2"
	"testing"

	"datakart/internal/corpus"
)

// The assembly must agree with the portable classifier on every byte value
// in every position.
func TestClassifyMatchesPortable(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	text := make([]byte, 64*maskBlocks)
	for round := range 200 {
		for i := range text {
			switch round % 3 {
			case 0:
				text[i] = byte(r.IntN(256))
			case 1:
				text[i] = " .-:@%0123456789aZ\xc2\xa0_`{@[z"[r.IntN(26)]
			default:
				text[i] = byte(i + round)
			}
		}
		var got, want blockMasks
		classify(text, 0, len(text), &got)
		classifyPortable(text, want.digit[:], want.sep[:], want.start[:], want.letter[:], want.word[:])
		want.from, want.to = 0, len(text)
		if got != want {
			for b := range maskBlocks {
				g := [5]uint64{got.digit[b], got.sep[b], got.start[b], got.letter[b], got.word[b]}
				w := [5]uint64{want.digit[b], want.sep[b], want.start[b], want.letter[b], want.word[b]}
				if g != w {
					t.Fatalf("round %d block %d %q: got %x, want %x", round, b, text[b*64:b*64+64], g, w)
				}
			}
		}
	}
}

func BenchmarkClassify(b *testing.B) {
	text := make([]byte, 64*maskBlocks)
	for i := range text {
		text[i] = byte(i * 7)
	}
	var m blockMasks
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		classify(text, 0, len(text), &m)
	}
}

// The block walk finds exactly what the byte walk finds on realistic text,
// at every alignment of the blocks.
func TestBlockWalkMatchesByteWalk(t *testing.T) {
	e := NewEngine(fuzzWords, Builtin()...)
	text := corpus.MixedText(3, 1<<20)
	for shift := range 64 {
		sameBothWays(t, e, text[shift:])
	}
}
