package detectors

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"datakart/internal/corpus"
)

// The assembly must agree with the portable classifier on every byte value
// in every position, in each instruction set the processor has.
func TestClassifyMatchesPortable(t *testing.T) {
	for name, impl := range classifiers() {
		t.Run(name, func(t *testing.T) {
			defer func(old func(*byte, int, *blockMasks, int)) { classifyBlocks = old }(classifyBlocks)
			classifyBlocks = impl
			classifyMatchesPortable(t)
		})
	}
}

func classifyMatchesPortable(t *testing.T) {
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
		n := len(text) - round // and a last block the text does not fill
		var got, want blockMasks
		classify(text[:n], 0, n, &got)
		padded := make([]byte, len(text))
		copy(padded, text[:n])
		classifyPortable(padded, &want, 0)
		for b := range maskBlocks {
			g := [8]uint64{got.digit[b], got.sep[b], got.start[b], got.letter[b], got.word[b], got.high[b], got.space[b], got.dash[b]}
			w := [8]uint64{want.digit[b], want.sep[b], want.start[b], want.letter[b], want.word[b], want.high[b], want.space[b], want.dash[b]}
			if g != w {
				t.Fatalf("round %d block %d %q: got %x, want %x", round, b, padded[b*64:b*64+64], g, w)
			}
		}
	}
}

// The assembly writes the masks at fixed offsets.
func TestMaskLayout(t *testing.T) {
	var m blockMasks
	got := []uintptr{unsafe.Offsetof(m.digit), unsafe.Offsetof(m.sep), unsafe.Offsetof(m.start),
		unsafe.Offsetof(m.letter), unsafe.Offsetof(m.word), unsafe.Offsetof(m.high),
		unsafe.Offsetof(m.space), unsafe.Offsetof(m.dash)}
	want := []uintptr{0, 512, 1024, 1536, 2048, 2560, 3072, 3584}
	if !slices.Equal(got, want) {
		t.Fatalf("mask offsets %v, want %v (see classify_amd64.s)", got, want)
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
	size := 1 << 20
	if RaceEnabled {
		size = 256 << 10 // the same alignments, in a quarter of the time
	}
	text := corpus.MixedText(3, size)
	for shift := range 64 {
		sameBothWays(t, e, text[shift:])
	}
}

// The cases the masks cannot see alone, at every position around a block
// boundary and the boundary of a batch of blocks: no-break spaces joining
// groups, numbers of more than maxGroups groups, IBANs after their country
// code, IPv6 colons (and the colons of JSON beside them), a number that
// ends the text; and numbers of every
// kind that go on into the next block.
func TestBlockWalkAtBoundaries(t *testing.T) {
	e := NewEngine(fuzzWords, Builtin()...)
	for _, s := range []string{
		"tlf 912\u00a034\u00a0567", "konto 1503\u00a075\u00a077003", "fnr 100487\u202f44732", "kort 4242\u202f4242\u202f4242\u202f4242", "12\u00a0450,00 kr",
		"1.2.3.4.5.6.7.8.9.10.11.12.13.14.84.210.1.2", "1 2 3 4 5 6 7 8 9 10 11 12 100487 44732",
		"NO93 8601 1117 947", "GB82WEST12345698765432", "2001:db8::1", "2a02:2121:1:2::1 x", "fe80::1%eth0",
		"ola@online.no", "a%40b.no", "10048744732", "+47 912 34 567", "84.210.1.2",
		"1:2::3-10048744732", "a@10048744732", "fe80::1 10048744732",
		`{"ip":"fe80::1","t":"08:00"}`, `"ip":"::1"`, "[::1]:8080", "::ffff:84.210.1.2", `":":"2001:db8::1"`,
		"3000.13.22903", "100487 44732", "4242 4242 4242 4242 x", "912 34 567", "2024-11-01T08:00:00Z",
		"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35",
	} {
		for _, around := range []int{64, 64 * maskBlocks} {
			for pad := max(around-70, 0); pad < around+10; pad++ {
				text := []byte(strings.Repeat("ab ", around/3+10)[:pad] + s)
				sameBothWays(t, e, text)
				sameBothWays(t, e, append(text, " tail"...))
			}
		}
	}
}

// runsAtLeast finds the bits that start k set bits in a row, the bits past
// the block counting as set.
func TestRunsAtLeast(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		num := r.Uint64() | r.Uint64() // runs of ones
		if r.IntN(2) == 0 {
			num |= r.Uint64()
		}
		for k := 1; k <= 66; k++ {
			var want uint64
			for p := range 64 {
				ok := true
				for q := p; q < p+k && q < 64; q++ {
					ok = ok && num>>q&1 != 0
				}
				if ok {
					want |= 1 << p
				}
			}
			if k > 64 {
				want = 0
			}
			if got := runsAtLeast(num, k); got != want {
				t.Fatalf("runsAtLeast(%064b, %d) = %064b, want %064b", num, k, got, want)
			}
		}
	}
}
