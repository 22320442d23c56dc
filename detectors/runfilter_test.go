package detectors

import (
	"maps"
	"math/rand/v2"
	"strings"
	"testing"
)

// callCounter is a number detector that wants runs of 8 digits or more and
// counts the runs it is handed, by their text.
type callCounter struct{ seen map[string]int }

func (callCounter) Info() Info               { return Info{ID: "counter"} }
func (callCounter) Triggers() Trigger        { return OnNumber }
func (callCounter) WantsRun(r RunShape) bool { return r.Digits >= 8 }
func (c callCounter) Inspect(text []byte, cand *Candidate, _ *Context) {
	c.seen[string(text[cand.Start:cand.End])]++
}

// The run filter hands each detector the runs it wants; past 32 number
// detectors, the rest see every run.
func TestRunFilterOverflow(t *testing.T) {
	text := []byte(strings.Repeat("ab ", 30) + "kl 1234 og 12345678 " + strings.Repeat("cd ", 30))
	for _, n := range []int{1, 32, 33, 40} {
		var ds []Detector
		var counters []callCounter
		for range n {
			c := callCounter{seen: map[string]int{}}
			ds, counters = append(ds, c), append(counters, c)
		}
		NewEngine(nil, ds...).Scan(text, func(*Match) {})
		for k, c := range counters {
			want := map[string]int{"12345678": 1}
			if k >= 32 {
				want["1234"] = 1 // no bit in the table: sees every run
			}
			if !maps.Equal(c.seen, want) {
				t.Errorf("%d detectors: detector %d saw %v, want %v", n, k, c.seen, want)
			}
		}
	}
}

// The run filter turns away no run a detector would match: valid numbers
// of every kind, in every grouping, after and before the bytes RunShape
// tells apart, give the same matches with the filter and without it.
func TestRunFilterKeepsEveryMatch(t *testing.T) {
	e := NewEngine(fuzzWords, Builtin()...)
	numbers := []string{
		"10048744732", "30108299939", "86011117947", "988077917", "4242424242424242", "378282246310005",
		"91234567", "4791234567", "004791234567", "46812345678", "8803200016", "198803200016", "880320",
		"2110620629", "131052", "1310523080", "8421012", "20014860486000008888", "19216811",
	}
	before := []string{"", "+", "x", "a", "F", ":", "(+47) ", "_", "ø", "NO", "tlf ", "konto ", "kid ", "-", "."}
	after := []string{"", "+", "A", "x", "f", ":", "::1", "mva", " MVA", "-308T", "B308T", ".", "-"}
	seps := []string{" ", "-", ".", ":"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		n := numbers[r.IntN(len(numbers))]
		// Cut the digits into groups at up to four random places.
		var b strings.Builder
		cuts := map[int]string{}
		for range r.IntN(5) {
			cuts[1+r.IntN(len(n)-1)] = seps[r.IntN(len(seps))]
		}
		for i := range n {
			b.WriteString(cuts[i])
			b.WriteByte(n[i])
		}
		text := before[r.IntN(len(before))] + b.String() + after[r.IntN(len(after))]
		pad := strings.Repeat("ab ", 30)[:r.IntN(64)]
		sameBothWays(t, e, []byte(pad+text+" "+pad))
		if t.Failed() {
			return
		}
	}
}

// A run's shape survives packing into a cache key.
func TestShapeKeyRoundTrip(t *testing.T) {
	for digits := 1; digits <= MaxShapeDigits; digits++ {
		eachShape(digits, func(r RunShape) {
			var seps uint8
			if r.Space {
				seps |= sepSpace
			}
			if r.Dash {
				seps |= sepDash
			}
			if r.Colon {
				seps |= sepColon
			}
			if got := shapeOf(shapeKey(r.Digits, r.Groups, r.First, seps, r.Prev, r.Next)); got != r {
				t.Fatalf("%+v came back as %+v", r, got)
			}
		})
	}
}
