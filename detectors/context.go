package detectors

import (
	"math/bits"
	"slices"
)

// How far around a candidate context words are looked for, in bytes. About
// the 5 words before a value that Presidio uses, and a few after ("… 12345678
// (mobil)").
const (
	contextBefore = 64
	contextAfter  = 32
)

// contextWords holds each category's words, lower-cased, with a table of
// the bytes a word can start with, so Near skips most of the window with
// one lookup per byte.
type contextWords map[string]*wordSet

type wordSet struct {
	first [256]uint8 // 1 for the bytes a word can start with
	words [][]byte   // sorted by first byte
	// from and to bound the words that start with a byte (either case).
	from, to [256]uint16
	// second has, for each first byte, bit b&63 set for the second bytes
	// b of its words (after b|0x20, which folds case): a cheap look at two
	// bytes before the words are compared. A one-byte word sets them all.
	second [256]uint64
	// lettersOnly: every word starts with an ASCII letter, so only the
	// letters that start a word need a look.
	lettersOnly bool
}

// afterWord is 1 for the bytes a word cannot start after: ASCII letters,
// digits and '_'. After a byte of a multi-byte character a word may start:
// telling a letter there from a symbol would take decoding it.
var afterWord = func() (t [256]uint8) {
	for c := range 0x80 {
		if isWordByte(byte(c)) {
			t[c] = 1
		}
	}
	return t
}()

func newContextWords(m map[string][]string) contextWords {
	cw := make(contextWords, len(m))
	for cat, words := range m {
		ws := &wordSet{}
		for _, w := range words {
			if w == "" {
				continue
			}
			b := []byte(w)
			foldLower(b)
			ws.words = append(ws.words, b)
		}
		slices.SortFunc(ws.words, func(a, b []byte) int { return int(a[0]) - int(b[0]) })
		ws.lettersOnly = !slices.ContainsFunc(ws.words, func(w []byte) bool { return !isLetter(w[0]) })
		for k, w := range ws.words {
			for _, c := range []byte{w[0], upper(w[0])} {
				if ws.first[c] == 0 {
					ws.first[c], ws.from[c] = 1, uint16(k)
				}
				ws.to[c] = uint16(k + 1)
				if len(w) == 1 {
					ws.second[c] = ^uint64(0)
				} else {
					ws.second[c] |= 1 << ((w[1] | 0x20) & 63)
				}
			}
		}
		cw[cat] = ws
	}
	return cw
}

// Context answers whether context words for a category stand near a span of
// the text being scanned. It is handed to detectors by the Engine.
type Context struct {
	text  []byte
	words *contextWords
	// The categories asked for last and their words: detectors ask for a
	// few, many times over, so a map lookup each time would cost more.
	lastCats [8]string
	lastWS   [8]*wordSet
	nextLast int

	masks   *blockMasks  // of the part of text being scanned, when the engine made them
	emit    func(*Match) // where Emit sends matches
	scratch Match
	v6End   int    // the end of the last IPv6 run inspected, so each is inspected once
	v6Found int    // the end of the last IPv6 address found
	arena   []byte // backs match values; earlier values stay valid when it grows
	// strikes counts the failures of detectors (by id) in the texts of
	// one Scanner, or of one Engine.Scan: see Strike.
	strikes []strike
}

type strike struct {
	id string
	n  int
}

// Strike counts one more failure of the detector id, such as a user
// pattern that ran out of time, in the texts of this file or table (those
// of one Scanner; of one Engine.Scan call), and returns how many there
// have been. A detector whose work can fail without end on some input
// stops trying after a few: see Strikes.
func (c *Context) Strike(id string) int {
	for i := range c.strikes {
		if c.strikes[i].id == id {
			c.strikes[i].n++
			return c.strikes[i].n
		}
	}
	c.strikes = append(c.strikes, strike{id, 1})
	return 1
}

// Strikes returns how many failures Strike has counted for id.
func (c *Context) Strikes(id string) int {
	for _, s := range c.strikes {
		if s.id == id {
			return s.n
		}
	}
	return 0
}

// wordsOf returns the category's words, or nil.
func (c *Context) wordsOf(category string) *wordSet {
	for i, cat := range c.lastCats {
		if cat == category && c.lastWS[i] != nil {
			return c.lastWS[i]
		}
	}
	ws := (*c.words)[category]
	c.lastCats[c.nextLast], c.lastWS[c.nextLast] = category, ws
	c.nextLast = (c.nextLast + 1) % len(c.lastCats)
	return ws
}

// reset forgets cached answers; the engine calls it when the text changes.
func (c *Context) reset(text []byte) {
	c.text = text
	if c.masks != nil {
		c.masks.from, c.masks.to = 0, 0
	}
	c.v6End, c.v6Found = 0, 0
	if cap(c.arena) > 1<<20 {
		c.arena = nil // do not keep a large buffer from one dense text forever
	}
	c.arena = c.arena[:0]
}

// Emit reports a match. The match is copied: the caller's stays its own.
func (c *Context) Emit(m *Match) {
	c.scratch = *m
	c.emit(&c.scratch)
}

// Keep copies b into memory that stays valid until the scan of this text
// ends, for Match.Value: one growing buffer per scan instead of an
// allocation per match.
func (c *Context) Keep(parts ...[]byte) []byte {
	start := len(c.arena)
	for _, p := range parts {
		c.arena = append(c.arena, p...)
	}
	return c.arena[start:len(c.arena):len(c.arena)]
}

// Near reports whether one of the category's context words starts a word
// within the window around text[start:end] (and outside the span itself).
// Matching ignores ASCII case and the case of æ, ø and å.
func (c *Context) Near(category string, start, end int) bool {
	if c == nil || c.words == nil {
		return false
	}
	ws := c.wordsOf(category)
	if ws == nil {
		return false
	}
	t := c.text
	lo := max(start-contextBefore, 0)
	hi := min(end+contextAfter, len(t))
	if m := c.masks; m != nil && ws.lettersOnly && lo >= m.from && hi <= m.to {
		return ws.findInBlocks(t, m, lo, hi, start, end)
	}
	return ws.findIn(t, lo, start) || ws.findIn(t, end, hi)
}

// closer reports whether one of category a's words stands nearer the span
// text[start:end] than any of b's, both within Near's window: on a payslip,
// "Kontonummer: 97105360391" a line above "Fødselsnummer: …" is an account,
// though both words are near it. A label stands before its value, so the
// words before the span count first, and those after only where neither
// has one before. It reads the window a byte at a time, so detectors ask
// it only where both are near.
func (c *Context) closer(a, b string, start, end int) bool {
	aBefore, aAfter := c.distances(a, start, end)
	bBefore, bAfter := c.distances(b, start, end)
	if aBefore != bBefore {
		return aBefore < bBefore
	}
	return aAfter < bAfter
}

// distances returns how far before and after the span text[start:end] the
// nearest of the category's words start within Near's window: more than
// the window where none does.
func (c *Context) distances(category string, start, end int) (before, after int) {
	none := contextBefore + contextAfter + 1
	before, after = none, none
	ws := c.wordsOf(category)
	if ws == nil {
		return
	}
	t := c.text
	for i := max(start-contextBefore, 0); i < min(end+contextAfter, len(t)); i++ {
		if i >= start && i < end || ws.first[t[i]] == 0 || i > 0 && afterWord[t[i-1]] != 0 || !ws.startsAt(t, i) {
			continue
		}
		if i < start {
			before = min(before, start-i)
		} else {
			after = min(after, i-end)
		}
	}
	return before, after
}

// findInBlocks is findIn over t[lo:hi] but for t[start:end], for words
// that start with a letter, over the letters that start a word in the
// engine's masks: one walk over the blocks for both sides of a span.
func (ws *wordSet) findInBlocks(t []byte, m *blockMasks, lo, hi, start, end int) bool {
	for lo < hi {
		b := (lo - m.from) >> 6
		base := m.from + b<<6
		set := m.wordStarts(t, b) & (below(hi-base) &^ below(lo-base)) &^ (below(end-base) &^ below(start-base))
		for ; set != 0; set &= set - 1 {
			i := base + bits.TrailingZeros64(set)
			if ws.mayStart(t, i) && ws.startsAt(t, i) {
				return true
			}
		}
		lo = base + 64
	}
	return false
}

// below returns the bits of a block's bytes before byte n of it. (With no
// branch, n&^(n>>63) as the shift, payroll lines scanned 3-4% slower: the
// branches are well predicted where a window lies inside one block.)
func below(n int) uint64 {
	switch {
	case n <= 0:
		return 0
	case n >= 64:
		return ^uint64(0)
	}
	return 1<<n - 1
}

// findIn reports whether one of the words starts a word in t[lo:hi] (it may
// run past hi).
func (ws *wordSet) findIn(t []byte, lo, hi int) bool {
	if lo == 0 && hi > 0 && ws.first[t[0]] == 1 && ws.startsAt(t, 0) {
		return true
	}
	for i := max(lo, 1); i < hi; i++ {
		// One branch, rarely taken, for both tests.
		if ws.first[t[i]]&^afterWord[t[i-1]] == 0 {
			continue
		}
		if ws.startsAt(t, i) {
			return true
		}
	}
	return false
}

// mayStart reports whether one of the words may start at t[i], by its
// first two bytes.
func (ws *wordSet) mayStart(t []byte, i int) bool {
	if i+1 == len(t) {
		return ws.first[t[i]] != 0
	}
	return ws.second[t[i]]>>((t[i+1]|0x20)&63)&1 != 0
}

// startsAt reports whether one of the words stands at t[i].
func (ws *wordSet) startsAt(t []byte, i int) bool {
	c := t[i]
	for _, w := range ws.words[ws.from[c]:ws.to[c]] {
		if wordAt(t, i, w) {
			return true
		}
	}
	return false
}

// wordAt reports whether the lower-cased word w stands at t[i:], ignoring
// case as foldLower does.
func wordAt(t []byte, i int, w []byte) bool {
	if i+len(w) > len(t) {
		return false
	}
	for j, wc := range w {
		c := t[i+j]
		switch {
		case c-'A' < 26:
			c |= 0x20
		case j > 0 && t[i+j-1] == 0xC3 && c >= 0x80 && c <= 0x9E && c != 0x97:
			c |= 0x20
		}
		if c != wc {
			return false
		}
	}
	return true
}

// foldLower lower-cases ASCII letters and the Norwegian capitals Æ, Ø, Å
// (and other Latin-1 capitals) in UTF-8, in place.
func foldLower(b []byte) {
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c-'A' < 26:
			b[i] = c | 0x20
		case c == 0xC3 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0x9E && b[i+1] != 0x97:
			b[i+1] |= 0x20
			i++
		}
	}
}

func isWordByte(c byte) bool {
	return c-'0' < 10 || (c|0x20)-'a' < 26 || c >= 0x80 || c == '_'
}

func isDigit(c byte) bool { return c-'0' < 10 }

func isLetter(c byte) bool { return (c|0x20)-'a' < 26 }

// Bounded reports whether text[start:end] stands on its own: not glued to a
// letter, digit or underscore on either side, and not cut out of a longer
// number ("1.5" or "3/4" around it, "-7" after it). A comma is a decimal
// mark only before one or two digits ("12 450,00"); between longer digit
// runs it separates CSV cells or list items, so it is a boundary.
func Bounded(text []byte, start, end int) bool {
	if start > 0 {
		p := text[start-1]
		if isWordByte(p) {
			return false
		}
		if (p == '.' || p == '-' || p == '/') && start > 1 && isDigit(text[start-2]) {
			return false
		}
		if p == ',' && end-start <= 2 && start > 1 && isDigit(text[start-2]) {
			return false
		}
	}
	if end < len(text) {
		n := text[end]
		if isWordByte(n) {
			return false
		}
		if (n == '.' || n == '-' || n == '/') && end+1 < len(text) && isDigit(text[end+1]) {
			return false
		}
		if n == ',' && decimalsAt(text, end+1) {
			return false
		}
	}
	return true
}

// decimalsAt reports whether one or two digits, and then no more, start at
// text[i]: the decimals after a comma.
func decimalsAt(text []byte, i int) bool {
	n := 0
	for i+n < len(text) && isDigit(text[i+n]) {
		n++
	}
	return n >= 1 && n <= 2
}

// inUUID reports whether the digits at text[start:] begin one of the
// groups of a UUID, 8-4-4-4-12 hex digits: an id, no number.
func inUUID(text []byte, start int) bool {
	for _, p := range [...]int{0, 9, 14, 19, 24} {
		if s := start - p; s >= 0 && s+36 <= len(text) && isUUID(text[s:s+36]) {
			return true
		}
	}
	return false
}

func isUUID(b []byte) bool {
	for i, c := range b {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !isHex(c) {
			return false
		}
	}
	return true
}

// Digits appends the ASCII digits of text[start:end] to dst, dropping
// separators. It is how a grouped number is normalised.
func Digits(dst, text []byte, start, end int) []byte {
	span := text[start:end]
	if n := len(dst); cap(dst)-n >= len(span) {
		// Each byte is written, and kept by moving on past it only where
		// it is a digit: no branch a byte, which the separators of grouped
		// numbers made the processor mispredict.
		dst = dst[:n+len(span)]
		for _, c := range span {
			dst[n] = c
			n += int(btoi(isDigit(c)))
		}
		return dst[:n]
	}
	for _, c := range span {
		if isDigit(c) {
			dst = append(dst, c)
		}
	}
	return dst
}

// SeparatorsAt reports the digit offsets (counted in digits from the start
// of g[i]) after which the groups g[i:j] are separated, as a bit set: bit k
// set means a separator after the k-th digit. A detector compares it with
// the groupings its identifier is written in.
func SeparatorsAt(g []Group, i, j int) uint32 {
	var set uint32
	n := 0
	for k := i; k < j-1; k++ {
		n += g[k].Len()
		if n < 32 {
			set |= 1 << n
		}
	}
	return set
}

// GroupRanges calls fn for each contiguous range g[i:j] of the groups whose
// total digit count is between minDigits and maxDigits, where the range is
// the whole run or is cut from it only at a space (so "ordre 123 01019012345"
// yields the 11 digits, but "1234.01019012345" does not). fn returns false
// to stop.
func GroupRanges(text []byte, g []Group, minDigits, maxDigits int, fn func(i, j, digits int) bool) {
	if len(g) == 1 { // most runs are one group
		if d := g[0].Len(); d >= minDigits && d <= maxDigits {
			fn(0, 1, d)
		}
		return
	}
	for i := range g {
		if i > 0 && !spaceBetween(text, g[i-1], g[i]) {
			continue
		}
		d := 0
		for j := i; j < len(g); j++ {
			d += g[j].Len()
			if d > maxDigits {
				break
			}
			if d < minDigits {
				continue
			}
			if j+1 < len(g) && !spaceBetween(text, g[j], g[j+1]) {
				continue
			}
			if !fn(i, j+1, d) {
				return
			}
		}
	}
}

func spaceBetween(text []byte, a, b Group) bool {
	return b.Start-a.End == 1 && text[a.End] == ' '
}
