package detectors

import (
	"errors"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
)

// A digitDFA matches strings of ASCII digits against a regular expression
// with a table walk: a byte a step, no allocation, and nothing that makes
// the text escape to the heap, as a regexp.Regexp does. It is built once
// from the expression by the subset construction over the ten digits;
// libphonenumber's patterns are digits, classes of digits, groups,
// alternations and counted repeats, and make a few hundred states at most.
type digitDFA struct {
	next   [][10]int32 // by state and digit; deadState where no match can follow
	accept []bool      // the input read so far matches
	// acceptAtEnd: the input read so far matches if it ends here, where a
	// '$' in the expression holds.
	acceptAtEnd []bool
	prefix      bool // match a prefix: accept as soon as an accepting state is reached
}

const deadState = -1

// maxDFAStates bounds a digitDFA; an expression that would need more is
// refused (and left to the regexp package).
const maxDFAStates = 4096

var errNotDigits = errors.New("expression tests more than digits")

// compileDigitDFA builds the DFA of expr, which matches a whole string of
// digits or, with prefix, the start of one.
func compileDigitDFA(expr string, prefix bool) (*digitDFA, error) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, err
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, err
	}
	d := &digitDFA{prefix: prefix}
	ids := map[string]int32{}
	var sets [][]uint32
	// add returns the state of the set of instructions reached from pcs
	// without reading a digit; atStart: before the first digit, where a
	// '^' holds.
	add := func(pcs []uint32, atStart bool) (int32, error) {
		set, err := closure(prog, pcs, atStart, false)
		if err != nil {
			return 0, err
		}
		if len(set) == 0 {
			return deadState, nil
		}
		key := setKey(set)
		if atStart {
			key += "^" // where the input ends, a '^' may hold here and nowhere else
		}
		if id, ok := ids[key]; ok {
			return id, nil
		}
		if len(sets) == maxDFAStates {
			return 0, errors.New("expression needs too many states")
		}
		id := int32(len(sets))
		ids[key] = id
		sets = append(sets, set)
		d.next = append(d.next, [10]int32{})
		matches := func(set []uint32) bool {
			return slices.ContainsFunc(set, func(pc uint32) bool { return prog.Inst[pc].Op == syntax.InstMatch })
		}
		atEnd, err := closure(prog, set, atStart, true)
		if err != nil {
			return 0, err
		}
		d.accept = append(d.accept, matches(set))
		d.acceptAtEnd = append(d.acceptAtEnd, matches(atEnd))
		return id, nil
	}
	if start, err := add([]uint32{uint32(prog.Start)}, true); err != nil {
		return nil, err
	} else if start == deadState { // matches nothing
		return &digitDFA{next: [][10]int32{{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1}}, accept: []bool{false}, acceptAtEnd: []bool{false}}, nil
	}
	for s := 0; s < len(sets); s++ { // sets grows as states are found
		for digit := range 10 {
			var to []uint32
			for _, pc := range sets[s] {
				if in := &prog.Inst[pc]; readsDigit(in, rune('0'+digit)) {
					to = append(to, in.Out)
				}
			}
			id := int32(deadState)
			if len(to) > 0 {
				if id, err = add(to, false); err != nil {
					return nil, err
				}
			}
			d.next[s][digit] = id
		}
	}
	return d, nil
}

// closure returns, sorted, the instructions that read a digit or match,
// reached from pcs through those that read nothing; and those of a '$'
// not yet passed, unless atEnd, where the input ends and it holds. A '^'
// holds atStart, before the first digit.
func closure(prog *syntax.Prog, pcs []uint32, atStart, atEnd bool) ([]uint32, error) {
	seen := map[uint32]bool{}
	var set []uint32
	stack := slices.Clone(pcs)
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[pc] {
			continue
		}
		seen[pc] = true
		switch in := &prog.Inst[pc]; in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			stack = append(stack, in.Out, in.Arg)
		case syntax.InstCapture, syntax.InstNop:
			stack = append(stack, in.Out)
		case syntax.InstFail:
		case syntax.InstMatch, syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			set = append(set, pc)
		case syntax.InstEmptyWidth:
			// The input is digits on one line: a line's ends are the
			// text's, and a word boundary is more than this knows.
			op := syntax.EmptyOp(in.Arg)
			begin, end := op&(syntax.EmptyBeginText|syntax.EmptyBeginLine), op&(syntax.EmptyEndText|syntax.EmptyEndLine)
			switch {
			case op&^(begin|end) != 0:
				return nil, errNotDigits
			case begin != 0 && !atStart:
			case end != 0 && !atEnd:
				set = append(set, pc) // passed if the input ends here
			default:
				stack = append(stack, in.Out)
			}
		default:
			return nil, errNotDigits
		}
	}
	slices.Sort(set)
	return set, nil
}

// readsDigit reports whether in reads the digit r.
func readsDigit(in *syntax.Inst, r rune) bool {
	switch in.Op {
	case syntax.InstRune, syntax.InstRune1:
		return in.MatchRune(r)
	case syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
		return true
	}
	return false
}

func setKey(set []uint32) string {
	var b strings.Builder
	for _, pc := range set {
		b.WriteString(strconv.FormatUint(uint64(pc), 36))
		b.WriteByte(',')
	}
	return b.String()
}

// match reports whether the digits s match (or, for a prefix DFA, start
// with a match). s holds ASCII digits only.
func (d *digitDFA) match(s []byte) bool {
	state := int32(0)
	for _, c := range s {
		if d.prefix && d.accept[state] {
			return true
		}
		if state = d.next[state][c-'0']; state == deadState {
			return false
		}
	}
	return d.acceptAtEnd[state]
}
