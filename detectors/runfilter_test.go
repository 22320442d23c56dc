package detectors

import (
	"maps"
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
