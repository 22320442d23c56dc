package detectors

import (
	"bytes"
	"cmp"
	"math/bits"
	"slices"
	"sync"
)

// Byte classes for the single pass over the text.
const (
	clsDigit = 1 << iota
	clsSep   // may join two digit groups: ' ', '.', '-', ':'
	clsAt
	clsColon
	clsNBSPLead // first byte of U+00A0 (C2 A0) or U+202F (E2 80 AF)
	clsPercent  // '%': "%40" is a URL-encoded '@'

	// clsStart are the classes a candidate can start with.
	clsStart = clsDigit | clsAt | clsColon | clsPercent
)

var byteClass = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = clsDigit
	}
	for _, c := range []byte{' ', '.', '-'} {
		t[c] = clsSep
	}
	t[':'] = clsSep | clsColon
	t['@'] = clsAt
	t['%'] = clsPercent
	t[0xC2] = clsNBSPLead
	t[0xE2] = clsNBSPLead
	return t
}()

// maxGroups bounds the digit groups in one number candidate; a longer run of
// grouped digits (a table of numbers on one line) is cut into candidates of
// this many groups, which is far more than any identifier has.
const maxGroups = 12

// Engine runs a set of detectors over texts. It is immutable after
// NewEngine and safe for concurrent use.
type Engine struct {
	detectors []Detector
	onNumber  []Detector
	onCountry []Detector
	onAt      []Detector
	onColon   []Detector
	onText    []Detector
	words     contextWords
	pool      sync.Pool
	// overflow: there are more than 32 number detectors, and those past
	// the 32nd see every run (the shape cache has a bit for 32).
	overflow bool
	// minRunBytes is the fewest bytes of a run some detector wants.
	minRunBytes int
}

// The separators that join a run's groups, as a set.
const (
	sepSpace = 1 << iota
	sepDash
	sepColon
)

// sepKind is the sepSpace, sepDash or sepColon of a separator byte.
var sepKind = func() (t [256]uint8) {
	t[' '], t['-'], t[':'] = sepSpace, sepDash, sepColon
	return t
}()

// nextByte and prevByte classify the bytes around a run for RunShape.
var nextByte, prevByte = func() (next [256]NextByte, prev [256]PrevByte) {
	for c := range 256 {
		switch {
		case c == '+':
			next[c], prev[c] = NextPlus, PrevPlus
		case c == ':':
			next[c], prev[c] = NextColon, PrevColon
		case isHex(byte(c)):
			next[c], prev[c] = NextHex, PrevHex
		case isWordByte(byte(c)):
			prev[c] = PrevWord
			if isLetter(byte(c)) {
				next[c] = NextLetter
			}
		}
	}
	return next, prev
}()

// shapeKey packs a run's shape into the key of the shape cache. Bit 31 is
// set, so no key is 0, the key of an empty cache slot.
func shapeKey(digits, groups, first int, seps uint8, prev PrevByte, next NextByte) uint32 {
	return uint32(min(digits, MaxShapeDigits)) | uint32(min(groups, MaxShapeGroups))<<5 |
		uint32(min(first, MaxShapeDigits))<<9 | uint32(seps)<<14 | uint32(prev)<<17 | uint32(next)<<20 | 1<<31
}

// shapeOf unpacks a shapeKey.
func shapeOf(key uint32) RunShape {
	seps := uint8(key >> 14 & 7)
	return RunShape{
		Digits: int(key & 31), Groups: int(key >> 5 & 15), First: int(key >> 9 & 31),
		Space: seps&sepSpace != 0, Dash: seps&sepDash != 0, Colon: seps&sepColon != 0,
		Prev: PrevByte(key >> 17 & 7), Next: NextByte(key >> 20 & 7),
	}
}

// shapeCache remembers, by shapeKey, which number detectors want runs of
// a shape (bit k for onNumber[k]): a run costs one probe, not a call per
// detector. The shapes in a text are few, and each scan state has a cache
// of its own, so it needs no lock.
type shapeCache [1024]shapeSlot

type shapeSlot struct{ key, want uint32 }

// want returns the number detectors that want runs of the shape key.
// (wantedRuns, which reads most runs' shapes, probes the cache in line.)
func (e *Engine) want(c *shapeCache, key uint32) uint32 {
	slot := &c[key*0x9E3779B1>>22]
	if slot.key != key {
		return e.fill(slot, key)
	}
	return slot.want
}

// fill asks the number detectors about a shape not in the cache, and
// keeps the answer in slot: out of line, so that a probe of the cache is
// a few instructions.
//
//go:noinline
func (e *Engine) fill(slot *shapeSlot, key uint32) uint32 {
	slot.key, slot.want = key, e.ask(shapeOf(key))
	return slot.want
}

// ask asks the first 32 number detectors whether they want runs of shape r.
func (e *Engine) ask(r RunShape) uint32 {
	var want uint32
	for k, d := range e.onNumber[:min(len(e.onNumber), 32)] {
		if wantsRun(d, r) {
			want |= 1 << k
		}
	}
	return want
}

type scanState struct {
	groups  []Group
	pending []Match
	collect func(*Match) // appends to pending; made once per state, not per candidate
	cand    Candidate    // reused: a candidate handed to an interface would escape
	ctx     Context
	masks   blockMasks
	shapes  shapeCache
	// The runs of the block being walked whose shape wantedRuns read:
	// bit p of known for the run at byte p, with its length and the
	// detectors that want it.
	known   uint64
	runLen  [64]uint8
	runWant [64]uint32
	// nextDigit: the digits of the next block, when a known run goes on
	// into it.
	nextDigit uint64
}

// NewEngine returns an engine that runs ds. contextWords maps a category id
// to the words that, near a candidate, raise its confidence (compared after
// lower-casing; see Context).
func NewEngine(contextWords map[string][]string, ds ...Detector) *Engine {
	e := &Engine{detectors: ds, words: newContextWords(contextWords)}
	for _, d := range ds {
		t := d.Triggers()
		if t&OnNumber != 0 {
			e.onNumber = append(e.onNumber, d)
		}
		if t&OnCountryCode != 0 {
			e.onCountry = append(e.onCountry, d)
		}
		if t&OnAt != 0 {
			e.onAt = append(e.onAt, d)
		}
		if t&OnColon != 0 {
			e.onColon = append(e.onColon, d)
		}
		if t&OnText != 0 {
			e.onText = append(e.onText, d)
		}
	}
	e.orderByShapes()
	e.pool.New = func() any {
		st := &scanState{groups: make([]Group, 0, maxGroups), pending: make([]Match, 0, 8)}
		st.collect = func(m *Match) { st.pending = append(st.pending, *m) }
		st.ctx.masks = &st.masks
		return st
	}
	return e
}

// orderByShapes puts the number detectors that want fewer digits first
// (where matches of two tie, see resolveOverlaps, the first one found
// wins) and finds the fewest bytes of a run some detector wants.
func (e *Engine) orderByShapes() {
	fewest := make([]int, len(e.onNumber))
	found := 0
	e.minRunBytes = 1 << 30
	// Digits ascending: stop when every detector has its fewest, and no
	// run of more digits can be shorter than the shortest found.
	for digits := 1; digits <= MaxShapeDigits && (found < len(e.onNumber) || digits < e.minRunBytes); digits++ {
		eachShape(digits, func(r RunShape) {
			for k, d := range e.onNumber {
				// Past the fewest bytes, only the fewest digits are left
				// to find.
				if fewest[k] != 0 && digits >= e.minRunBytes || !wantsRun(d, r) {
					continue
				}
				if fewest[k] == 0 {
					fewest[k] = digits
					found++
				}
				// A separator joins each two groups.
				e.minRunBytes = min(e.minRunBytes, r.Digits+r.Groups-1)
			}
		})
	}
	order := make([]int, len(e.onNumber))
	for k := range order {
		order[k] = k
		if fewest[k] == 0 {
			fewest[k] = MaxShapeDigits + 1
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(fewest[a], fewest[b]) })
	ds := slices.Clone(e.onNumber)
	for k, o := range order {
		e.onNumber[k] = ds[o]
	}
	e.overflow = len(e.onNumber) > 32
	if e.overflow {
		e.minRunBytes = 1
	}
}

// eachShape calls fn with every run shape of the given digits.
func eachShape(digits int, fn func(RunShape)) {
	for groups := 1; groups <= min(digits, MaxShapeGroups); groups++ {
		// Each other group has a digit at least; one group has them all.
		fewest := 1
		if groups == 1 {
			fewest = digits
		}
		for first := fewest; first <= digits-groups+1; first++ {
			// Each kind of separator joins two groups ('.' and the
			// no-break spaces are of no kind).
			for seps := range uint8(8) {
				if bits.OnesCount8(seps) > groups-1 {
					continue
				}
				for prev := range numPrevBytes {
					for next := range numNextBytes {
						fn(RunShape{Digits: digits, Groups: groups, First: first, Prev: prev, Next: next,
							Space: seps&sepSpace != 0, Dash: seps&sepDash != 0, Colon: seps&sepColon != 0})
					}
				}
			}
		}
	}
}

// wantsRun reports whether d wants runs of shape r; a detector without a
// WantsRun method wants them all.
func wantsRun(d Detector, r RunShape) bool {
	w, ok := d.(interface{ WantsRun(RunShape) bool })
	return !ok || w.WantsRun(r)
}

// Detectors returns the detectors the engine runs.
func (e *Engine) Detectors() []Detector { return e.detectors }

// Scan reports every match in text to emit, in order of position. Where
// matches found in one run of digits overlap, the surest one wins (a KID
// reference confirmed by its keyword over a card number, a card over a
// phone number inside it). The Match passed to emit is only valid during
// the call.
func (e *Engine) Scan(text []byte, emit func(*Match)) { e.scan(text, emit, true) }

// scan is Scan; blocks false finds every candidate a byte at a time, which
// tests compare the block walk with.
func (e *Engine) scan(text []byte, emit func(*Match), blocks bool) {
	st := e.state()
	e.scanWith(st, text, emit, blocks)
	e.pool.Put(st)
}

// state takes a scan state from the pool, with no strikes counted: they
// are counted per Engine.Scan call, or per Scanner.
func (e *Engine) state() *scanState {
	st := e.pool.Get().(*scanState)
	st.ctx.strikes = st.ctx.strikes[:0]
	return st
}

// A Scanner is Scan for one goroutine that scans many texts one after
// another: it keeps its state between them instead of taking it from the
// engine's pool for each. On the cells of a table, a few dozen bytes each,
// the pool cost a quarter of the time in the engine.
type Scanner struct {
	e  *Engine
	st *scanState
}

// NewScanner returns a Scanner that runs e's detectors. It is not safe for
// concurrent use; the Engine is. Release gives its state back.
func (e *Engine) NewScanner() *Scanner { return &Scanner{e: e, st: e.state()} }

// Release hands the scanner's state back to its engine for the next
// Scanner: a state made for each of a tree's small files was a tenth of
// the time. The Scanner is not used after.
func (s *Scanner) Release() {
	s.st.ctx.reset(nil) // after a panic in a detector, it may still hold a text
	s.st.ctx.emit = nil
	s.e.pool.Put(s.st)
	s.st = nil
}

// Scan is Engine.Scan.
func (s *Scanner) Scan(text []byte, emit func(*Match)) { s.e.scanWith(s.st, text, emit, true) }

// scanWith is scan with the state st. It lets go of text and emit when it
// returns, so a state kept between scans holds no data of the last one.
func (e *Engine) scanWith(st *scanState, text []byte, emit func(*Match), blocks bool) {
	st.ctx.reset(text)
	st.ctx.words = &e.words
	if len(e.onText) > 0 {
		st.cand = Candidate{Trigger: OnText, Start: 0, End: len(text)}
		st.ctx.emit = emit
		for _, d := range e.onText {
			d.Inspect(text, &st.cand, &st.ctx)
		}
	}
	if blocks && len(text) >= 64 {
		e.scanBlocks(text, st, emit)
	} else {
		e.scanBytes(text, 0, len(text), st, emit)
	}
	st.ctx.reset(nil)
	st.ctx.emit = nil
	st.pending = st.pending[:0]
}

// scanBytes finds the candidates that start in text[i:end] a byte at a
// time, for short texts and blocks the masks cannot decide, and returns
// where it stopped.
func (e *Engine) scanBytes(text []byte, i, end int, st *scanState, emit func(*Match)) int {
	for i < end {
		for i < end && byteClass[text[i]]&clsStart == 0 {
			i++
		}
		if i >= end {
			break
		}
		i = e.candidate(text, i, st, emit)
	}
	return i
}

// scanBlocks finds the candidates in text, 64 bytes at a time, on the
// masks of its blocks.
func (e *Engine) scanBlocks(text []byte, st *scanState, emit func(*Match)) {
	m := &st.masks
	n := len(text)
	i := 0
	var prevDigit, prevNumber, prevLetter, prevWord uint64 // of the block before
	for off := 0; off < n; off += 64 * maskBlocks {
		end := min(off+64*maskBlocks, n)
		classify(text, off, end, m)
		blocks := m.blocks()
		for b := range blocks {
			base := off + b*64
			digit, letter := m.digit[b], m.letter[b]
			digitNext := digitAfter(text, base, m, b) // the byte after the block is a digit
			// The bytes of numbers, and in runs the first of each.
			number := m.numbers(b, prevDigit, digitNext)
			runs := number &^ (number<<1 | prevNumber>>63)
			// Bytes of words, multi-byte characters included (isWordByte).
			word := m.word[b] | m.high[b]
			digitBefore, letterBefore, wordBefore := prevDigit, prevLetter, prevWord
			prevDigit, prevNumber, prevLetter, prevWord = digit, number, letter, word
			if i >= base+64 || m.start[b]|digitBefore>>63 == 0 {
				// A long candidate ran through this block, or it has no
				// byte a candidate starts with and no number runs into it
				// (most blocks of prose).
				continue
			}
			if m.high[b]&(digit<<1|digitBefore>>63) != 0 {
				// A multi-byte character right after a digit may be a
				// no-break space joining groups, which the masks do not
				// see: this block goes a byte at a time.
				i = e.scanBytes(text, max(i, base), min(base+64, n), st, emit)
				if i < n && inNumber(text, i) {
					i = e.scanNumber(text, i, st, emit)
				}
				continue
			}
			// Candidates: numbers of a shape some detector wants,
			// numbers after two letters (an IBAN's country code), and
			// '@', '%' and the colons not inside a number.
			next := -1 // the next block, when its masks are made
			if b+1 < blocks {
				next = b + 1
			}
			events := e.starts(m, b, number, word)
			st.known, st.nextDigit = 0, 0
			if long := runs & runsAtLeast(number, e.minRunBytes); long != 0 {
				events |= e.wantedRuns(text, base, st, long, number, digit, m, b, next)
			}
			if len(e.onCountry) > 0 {
				// Two letters that start a word, then two digits or more.
				events |= runs & (letter<<1 | letterBefore>>63) & (letter<<2 | letterBefore>>62) &^
					(word<<3 | wordBefore>>61) & (digit>>1 | digitNext<<63)
			}
			if i > base {
				events &= ^uint64(0) << (i - base)
			}
			for events != 0 {
				known := false
				if p := bits.TrailingZeros64(events); st.known>>p&1 != 0 {
					// The masks ended it: no number goes on from there.
					i, known = e.numberInBlock(text, base, p, digit, st.nextDigit, st, emit), true
				} else {
					i = e.candidate(text, base+p, st, emit)
				}
				if !known && i < n && inNumber(text, i) && inNumber(text, i-1) {
					// Stopped inside a number (one cut after maxGroups
					// groups, or after an IPv6 run): the masks have no
					// start there, so read the rest as the byte walk does.
					// (A number that starts at i, after a colon, has a
					// start in the masks.)
					i = e.scanNumber(text, i, st, emit)
				}
				if i >= base+64 {
					break
				}
				events &= ^uint64(0) << (i - base)
			}
		}
	}
}

// digitAfter returns 1 when the byte after block b of m, which starts at
// text[base], is a digit: off the next block's mask where it has one.
func digitAfter(text []byte, base int, m *blockMasks, b int) uint64 {
	if b+1 < m.blocks() {
		return m.digit[b+1] & 1
	}
	if base+64 < len(text) {
		return uint64(btoi(isDigit(text[base+64])))
	}
	return 0
}

// starts returns the bits of block b for the bytes a candidate other
// than a number starts with: '@', '%', and the colons not inside a
// number that may start an IPv6 address. A colon is one only with a hex
// digit or a colon beside it; the masks have no hex digits, so a word
// byte stands in for one. The colons between a JSON key and its value,
// one or more on every line of a log, are no candidate then. A colon at
// either end of the block has its neighbour in another block, and stays.
func (e *Engine) starts(m *blockMasks, b int, number, word uint64) uint64 {
	starts := m.start[b] &^ number
	colon := m.colons(b)
	if starts&colon == 0 {
		return starts
	}
	var beside uint64 = 1 | 1<<63
	if len(e.onColon) > 0 {
		beside |= word<<1 | word>>1 | colon<<1 | colon>>1
	} else {
		beside = 0
	}
	return starts &^ (colon &^ beside)
}

// wantedRuns drops from runs, the first bytes of numbers in block b of m,
// which starts at text[base], the numbers of a shape no detector wants.
// It reads the shape off the masks as number would from the bytes, and
// notes in st.known (cleared by the caller) the runs it kept whose shape
// it read. A number that goes on into block next of m is read on there;
// without that block (next < 0), or when it goes on further, it stays in
// runs for number to read.
func (e *Engine) wantedRuns(text []byte, base int, st *scanState, runs, number, digit uint64, m *blockMasks, b, next int) uint64 {
	if e.overflow {
		return runs
	}
	// A number that reaches the end of the block may go on into the next:
	// it is read apart (lastRun), so that the loop, over the numbers that
	// end inside the block, has no branch for that.
	var last uint64
	if number>>63 != 0 {
		last = runs & (1 << (64 - bits.LeadingZeros64(^number)))
	}
	groupStarts := digit &^ (digit << 1)
	space, dash, colon := m.space[b], m.dash[b], m.colons(b)
	for r := runs &^ last; r != 0; r &= r - 1 {
		p := bits.TrailingZeros64(r)
		length := bits.TrailingZeros64(^(number >> p))
		span := (uint64(1)<<length - 1) << p
		groups := bits.OnesCount64(groupStarts & span)
		if groups > maxGroups {
			continue // number cuts it into candidates
		}
		key := shapeKey(bits.OnesCount64(digit&span), groups, bits.TrailingZeros64(^(digit >> p)), sepsIn(span, space, dash, colon),
			prevAt(text, base+p), nextAt(text, base+p+length))
		slot := &st.shapes[key*0x9E3779B1>>22] // want, inlined
		want := slot.want
		if slot.key != key {
			want = e.fill(slot, key)
		}
		if want == 0 {
			runs &^= 1 << p
		} else {
			st.noteRun(p, length, want)
		}
	}
	if last != 0 {
		runs = e.lastRun(text, base, st, runs, bits.TrailingZeros64(last), digit, groupStarts, m, b, next)
	}
	return runs
}

// lastRun is wantedRuns for the number at byte p of block b, which
// reaches the end of the block: it reads the number on into block next
// where the number ends there.
func (e *Engine) lastRun(text []byte, base int, st *scanState, runs uint64, p int, digit, groupStarts uint64, m *blockMasks, b, next int) uint64 {
	if next < 0 {
		return runs // number reads it
	}
	nd, nnum, ok := nextNumber(text, base+64, digit, m, next)
	if !ok {
		return runs // it goes on past that block, or may (a no-break space)
	}
	st.nextDigit = nd
	span := ^uint64(0) << p
	more := bits.TrailingZeros64(^nnum)
	nspan := uint64(1)<<more - 1
	digits := bits.OnesCount64(digit&span) + bits.OnesCount64(nd&nspan)
	groups := bits.OnesCount64(groupStarts&span) + bits.OnesCount64(nd&^(nd<<1|digit>>63)&nspan)
	first := bits.TrailingZeros64(^(digit >> p))
	if p+first == 64 {
		first += bits.TrailingZeros64(^nd)
	}
	seps := sepsIn(span, m.space[b], m.dash[b], m.colons(b)) | sepsIn(nspan, m.space[next], m.dash[next], m.colons(next))
	if groups > maxGroups {
		return runs // number cuts it into candidates
	}
	length := 64 - p + more
	want := e.want(&st.shapes, shapeKey(digits, groups, first, seps, prevAt(text, base+p), nextAt(text, base+p+length)))
	if want == 0 {
		return runs &^ (1 << p)
	}
	st.noteRun(p, length, want)
	return runs
}

// noteRun notes that wantedRuns read the shape of the run at byte p of the
// block: its length, and the detectors that want it.
func (st *scanState) noteRun(p, length int, want uint32) {
	st.known |= 1 << p
	st.runLen[p], st.runWant[p] = uint8(length), want
}

// sepsIn returns the sepKind of the separators in span, off the masks of
// spaces, dashes and colons: no byte is read.
func sepsIn(span, space, dash, colon uint64) uint8 {
	return uint8(btoi(span&space != 0)) | uint8(btoi(span&dash != 0))<<1 | uint8(btoi(span&colon != 0))<<2
}

// nextNumber returns the digits and the bytes of numbers of block b of m,
// which starts at text[base] and follows a block whose digits are prev,
// and whether a number that runs into it from there ends inside it; a
// multi-byte character after a digit, which may be a no-break space
// joining groups, leaves that to the byte walk.
func nextNumber(text []byte, base int, prev uint64, m *blockMasks, b int) (digit, number uint64, ok bool) {
	digit = m.digit[b]
	if m.high[b]&(digit<<1|prev>>63) != 0 {
		return 0, 0, false
	}
	number = m.numbers(b, prev, digitAfter(text, base, m, b))
	return digit, number, number != ^uint64(0)
}

// inNumber reports whether text[i] is inside a number: a digit, or a
// separator between digits.
func inNumber(text []byte, i int) bool {
	if isDigit(text[i]) {
		return true
	}
	w := sepWidth(text, i)
	return w > 0 && i > 0 && isDigit(text[i-1]) && i+w < len(text) && isDigit(text[i+w])
}

// scanNumber walks the rest of a number from text[i] as scanBytes would,
// and returns where it ends.
func (e *Engine) scanNumber(text []byte, i int, st *scanState, emit func(*Match)) int {
	for i < len(text) && inNumber(text, i) {
		if byteClass[text[i]]&clsStart != 0 {
			i = e.candidate(text, i, st, emit)
		} else {
			i++
		}
	}
	return i
}

// candidate inspects what starts at text[i], a byte of class clsStart, and
// returns where to go on.
func (e *Engine) candidate(text []byte, i int, st *scanState, emit func(*Match)) int {
	k := byteClass[text[i]]
	switch {
	case k&clsDigit != 0:
		return e.number(text, i, st, emit)
	case k&clsAt != 0:
		st.cand = Candidate{Trigger: OnAt, Start: i, End: i + 1}
		st.ctx.emit = emit
		for _, d := range e.onAt {
			d.Inspect(text, &st.cand, &st.ctx)
		}
		return i + 1
	case k&clsPercent != 0 && i+2 < len(text) && text[i+1] == '4' && text[i+2] == '0':
		st.cand = Candidate{Trigger: OnAt, Start: i, End: i + 3}
		st.ctx.emit = emit
		for _, d := range e.onAt {
			d.Inspect(text, &st.cand, &st.ctx)
		}
		return i + 3
	case k&clsColon != 0 && len(e.onColon) > 0 && (i == 0 || text[i-1] != ':') && (hexColonAt(text, i-1) || hexColonAt(text, i+1)):
		end := skipHexColon(text, i)
		if bytes.IndexByte(text[i+1:end], ':') < 0 {
			// One colon is no IPv6 address: the number in "Tlf:91234567"
			// or {"fnr":10048744732} is inspected as a number.
			return i + 1
		}
		st.cand = Candidate{Trigger: OnColon, Start: i, End: i + 1}
		st.ctx.emit = emit
		for _, d := range e.onColon {
			d.Inspect(text, &st.cand, &st.ctx)
		}
		if st.ctx.v6Found > i {
			return end // an IPv6 address is inspected once
		}
		// No address: the numbers in the run are read as numbers. A
		// fødselsnummer between colons (user:17105218214:session, a
		// cache key) was passed over with the run.
		return i + 1
	}
	return i + 1
}

// skipHexColon returns the end of the run of hex digits, colons and dots
// that holds text[i], so one IPv6 address is inspected once.
func skipHexColon(text []byte, i int) int {
	for i < len(text) && (isHex(text[i]) || text[i] == ':' || text[i] == '.') {
		i++
	}
	return i
}

func isHex(c byte) bool {
	return c-'0' < 10 || (c|0x20)-'a' < 6
}

// number collects the digit groups starting at text[start], runs the
// number detectors on them, resolves overlaps and returns where to go on.
func (e *Engine) number(text []byte, start int, st *scanState, emit func(*Match)) int {
	n := len(text)
	groups := st.groups[:0]
	digits := 0
	var seps uint8 // sepKind of the separators
	i := start
	for {
		j := i
		for j < n && text[j]-'0' < 10 {
			j++
		}
		groups = append(groups, Group{i, j})
		digits += j - i
		if len(groups) == maxGroups {
			i = j
			break
		}
		next := sepWidth(text, j)
		if next == 0 || j+next >= n || text[j+next]-'0' >= 10 {
			i = j
			break
		}
		seps |= sepKind[text[j]]
		i = j + next
	}
	st.groups = groups
	want := e.want(&st.shapes, shapeKey(digits, len(groups), groups[0].Len(), seps, prevAt(text, start), nextAt(text, i)))
	e.inspectNumber(text, start, digits, want, st, emit)
	return i
}

// numberInBlock is number for the run at byte p of the block at base,
// whose shape wantedRuns read: its groups come off the digit masks of the
// block and the next (where the run may end), one byte of separator
// between each two.
func (e *Engine) numberInBlock(text []byte, base, p int, digit, nextDigit uint64, st *scanState, emit func(*Match)) int {
	end := p + int(st.runLen[p])
	groups := st.groups[:0]
	digits := 0
	for q := p; q < end; {
		var g int
		if q < 64 {
			g = bits.TrailingZeros64(^(digit >> q))
			if q+g == 64 {
				g += bits.TrailingZeros64(^nextDigit)
			}
		} else {
			g = bits.TrailingZeros64(^(nextDigit >> (q - 64)))
		}
		groups = append(groups, Group{base + q, base + q + g})
		digits += g
		q += g + 1
	}
	st.groups = groups
	e.inspectNumber(text, base+p, digits, st.runWant[p], st, emit)
	return base + end
}

// inspectNumber hands the number in st.groups, which starts at
// text[start], to the number detectors in want, and to those that look
// after a country code when two letters stand before it; then it resolves
// overlaps among what they found.
func (e *Engine) inspectNumber(text []byte, start, digits int, want uint32, st *scanState, emit func(*Match)) {
	groups := st.groups
	country := e.afterCountryCode(text, start)
	if want == 0 && !e.overflow && !country {
		return
	}
	c := &st.cand
	c.Trigger, c.Start, c.End, c.Digits = OnNumber, start, groups[len(groups)-1].End, digits
	c.Groups = groups
	st.pending = st.pending[:0]
	st.ctx.emit = st.collect
	if country {
		c.Trigger = OnCountryCode
		for _, d := range e.onCountry {
			d.Inspect(text, &st.cand, &st.ctx)
		}
		c.Trigger = OnNumber
	}
	for ; want != 0; want &= want - 1 {
		e.onNumber[bits.TrailingZeros32(want)].Inspect(text, &st.cand, &st.ctx)
	}
	if e.overflow {
		for _, d := range e.onNumber[32:] {
			d.Inspect(text, &st.cand, &st.ctx)
		}
	}
	pending := st.pending
	switch len(pending) {
	case 0:
	case 1:
		emit(&pending[0])
	default:
		resolveOverlaps(pending, emit)
	}
}

// nextAt classifies text[i], the byte after a run, for RunShape.Next.
func nextAt(text []byte, i int) NextByte {
	if i < len(text) {
		return nextByte[text[i]]
	}
	return NextOther
}

// prevAt classifies text[i-1], the byte before a run, for RunShape.Prev.
func prevAt(text []byte, i int) PrevByte {
	if i > 0 {
		return prevByte[text[i-1]]
	}
	return PrevOther
}

// afterCountryCode reports whether two ASCII letters that start a word
// stand before text[start], two digits or more start there, and some
// detector wants to see such numbers.
func (e *Engine) afterCountryCode(text []byte, start int) bool {
	return len(e.onCountry) > 0 && start >= 2 && isLetter(text[start-1]) && isLetter(text[start-2]) &&
		(start == 2 || !isWordByte(text[start-3])) && start+1 < len(text) && isDigit(text[start+1])
}

// sepWidth returns the width of the separator at text[j] that may join two
// digit groups, or 0.
func sepWidth(text []byte, j int) int {
	if j >= len(text) {
		return 0
	}
	k := byteClass[text[j]]
	if k&clsSep != 0 {
		return 1
	}
	if k&clsNBSPLead != 0 {
		if text[j] == 0xC2 && j+1 < len(text) && text[j+1] == 0xA0 {
			return 2
		}
		if text[j] == 0xE2 && j+2 < len(text) && text[j+1] == 0x80 && text[j+2] == 0xAF {
			return 3
		}
	}
	return 0
}

// resolveOverlaps emits the surest of overlapping matches, in text order.
// Surest: higher confidence, then context, then the longer span.
func resolveOverlaps(ms []Match, emit func(*Match)) {
	slices.SortStableFunc(ms, func(a, b Match) int {
		if a.Confidence != b.Confidence {
			return int(b.Confidence) - int(a.Confidence)
		}
		if a.Context != b.Context {
			if a.Context {
				return -1
			}
			return 1
		}
		return (b.End - b.Start) - (a.End - a.Start)
	})
	kept := ms[:0]
	for _, m := range ms {
		overlaps := false
		for _, k := range kept {
			if m.Start < k.End && k.Start < m.End {
				overlaps = true
				break
			}
		}
		if !overlaps {
			kept = append(kept, m)
		}
	}
	slices.SortFunc(kept, func(a, b Match) int { return a.Start - b.Start })
	for i := range kept {
		emit(&kept[i])
	}
}
