package scanner

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/maphash"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"datakart/connectors"
	"datakart/detectors"
	"datakart/inventory"
	"datakart/rules"
)

// maxDistinct bounds the values remembered per field and category to count
// distinct values; past it, Distinct is a lower bound (and said so). A
// larger set costs a cache miss per match and says nothing more to a
// privacy officer.
const maxDistinct = 1 << 14

// maxLines bounds the line numbers kept per field and category.
const maxLines = 5

// unitSink receives one unit's values from a connector and aggregates them
// per part (container) and field. It is used by one goroutine.
type unitSink struct {
	ctx    context.Context
	s      *scan
	unit   connectors.Unit
	parts  []*partAgg          // in the order they began
	byPath map[string]*partAgg // the same, to find one again
	cur    *partAgg
	detect *detectors.Scanner // this goroutine's: no pool round trip per value
	mac    hash.Hash
	macBuf []byte
	// Progress not yet added to the shared counters: adding per value
	// would make every reader contend on one cache line.
	pendingValues, pendingBytes int64

	// The value being scanned, for onMatch.
	field   *fieldAgg
	value   connectors.Value
	seq     int64
	lineAt  int // offset in value.Data up to which newlines are counted
	line    int // line number at lineAt
	onMatch func(*detectors.Match)
	padBuf  [11]byte
}

type partAgg struct {
	part     connectors.Part
	problems map[string]int // user-rule problems, by description
	rows     int64
	sampling string
	// reading and busy are what Paced recorded.
	reading, busy time.Duration
	bytes         int64
	values        int64
	fields        map[string]*fieldAgg
	aggs          []*fieldAgg // the fields in order of first value
	next          int         // the index after the field of the last value
	err           error
	skipped       string
}

type fieldAgg struct {
	name     string
	index    int // in partAgg.aggs
	dataType string
	line     int
	examined int64
	nonNull  int64
	cats     []*catAgg // in order of first match
}

// find returns the aggregate of a category, or nil. A field has a few
// categories, whose ids are the detectors' constants, so comparing them in
// order is cheaper than hashing.
func (f *fieldAgg) find(category string) *catAgg {
	for _, c := range f.cats {
		if c.id == category {
			return c
		}
	}
	return nil
}

// agg returns the aggregate of a category, made on its first match.
func (f *fieldAgg) agg(category string) *catAgg {
	if c := f.find(category); c != nil {
		return c
	}
	c := &catAgg{id: category}
	f.cats = append(f.cats, c)
	return c
}

type catAgg struct {
	id            string // the category
	matches       int64
	matchedValues int64
	lastSeq       int64
	withContext   int64
	byConf        [4]int64
	variants      tally
	reasons       tally
	distinct      hashSet
	// moreDistinct are distinct values counted elsewhere: the accounts
	// that passed as a fødselsnummer (see accountsByChance).
	moreDistinct int
	lines        []int
	examples     []string
	fingerprints []string
	raw          []string
}

// distinctCount returns how many distinct values matched, and whether more
// did than the set counts.
func (c *catAgg) distinctCount() (n int, full bool) {
	n, full = c.distinct.len(maxDistinct)
	return n + c.moreDistinct, full
}

func (c *catAgg) distinctN() int {
	n, _ := c.distinctCount()
	return n
}

func newUnitSink(ctx context.Context, s *scan, u connectors.Unit) *unitSink {
	k := &unitSink{ctx: ctx, s: s, unit: u, byPath: map[string]*partAgg{}, mac: hmac.New(sha256.New, s.opt.FingerprintKey)}
	k.onMatch = k.match
	k.detect = s.rs.Engine().NewScanner()
	return k
}

// Begin implements connectors.Sink.
func (k *unitSink) Begin(p connectors.Part) {
	if pa := k.byPath[p.Path]; pa != nil {
		k.cur = pa // a zip of 10,000 members, or a migration naming a table per column
		return
	}
	k.cur = &partAgg{part: p, fields: map[string]*fieldAgg{}}
	k.parts = append(k.parts, k.cur)
	k.byPath[p.Path] = k.cur
}

func (k *unitSink) ensurePart() *partAgg {
	if k.cur == nil {
		k.Begin(connectors.Part{Kind: k.unit.Kind})
	}
	return k.cur
}

// Fields implements connectors.Sink.
func (k *unitSink) Fields(names ...string) {
	p := k.ensurePart()
	for _, n := range names {
		p.field(n)
	}
}

// FieldInfo implements connectors.Sink.
func (k *unitSink) FieldInfo(name, dataType string, line int) {
	f := k.ensurePart().field(name)
	f.dataType, f.line = dataType, line
}

// maxFields bounds the fields of one part kept apart. A CSV header of a
// million columns, or JSON objects keyed by customer id, would otherwise
// grow memory with the file; the values of the fields past it are scanned
// all the same and counted together, under otherFields.
const maxFields = 10000

var otherFields = fmt.Sprintf("(the fields after the first %d)", maxFields)

func (p *partAgg) field(name string) *fieldAgg {
	f := p.fields[name]
	if f == nil && len(p.aggs) >= maxFields {
		name = otherFields
		f = p.fields[name]
	}
	if f == nil {
		f = &fieldAgg{name: name, index: len(p.aggs)}
		p.fields[name] = f
		p.aggs = append(p.aggs, f)
	}
	return f
}

// fieldNamed is field for the values of a part, which come row by row with
// the columns in the same order each time: the field after the last one is
// tried before the map.
func (p *partAgg) fieldNamed(name string) *fieldAgg {
	var f *fieldAgg
	switch i := p.next; {
	case i < len(p.aggs) && p.aggs[i].name == name:
		f = p.aggs[i]
	case len(p.aggs) > 0 && p.aggs[0].name == name:
		f = p.aggs[0]
	default:
		f = p.field(name)
	}
	p.next = f.index + 1
	return f
}

// Value implements connectors.Sink: it runs the detectors over one value.
func (k *unitSink) Value(v connectors.Value) error {
	if err := k.ctx.Err(); err != nil {
		return err
	}
	p := k.ensurePart()
	f := p.fieldNamed(v.Field)
	f.examined++
	p.values++
	p.bytes += int64(len(v.Data))
	k.pendingValues++
	k.pendingBytes += int64(len(v.Data))
	if k.pendingValues == 1024 {
		k.flushProgress()
	}
	data := bytes.TrimSpace(v.Data)
	if len(data) == 0 || isNullWord(data) {
		return nil
	}
	f.nonNull++
	if v.LostZero(data) {
		k.padBuf[0] = '0'
		copy(k.padBuf[1:], data)
		data = k.padBuf[:]
	}
	k.seq++
	k.field, k.value = f, v
	k.value.Data = data
	k.lineAt, k.line = 0, v.Line
	k.detect.Scan(data, k.onMatch)
	k.field = nil
	return nil
}

func (k *unitSink) flushProgress() {
	k.s.opt.Progress.Values.Add(k.pendingValues)
	k.s.opt.Progress.Bytes.Add(k.pendingBytes)
	k.pendingValues, k.pendingBytes = 0, 0
}

// distinctSeed keys the hashes that count distinct values. They never
// leave the process; the fingerprints shown to people are HMACs with the
// user's key.
var distinctSeed = maphash.MakeSeed()

// match records one detector match in the current field.
func (k *unitSink) match(m *detectors.Match) {
	f := k.field
	if m.Category == "" { // a detector's problem, not a finding
		p := k.cur
		if p.problems == nil {
			p.problems = map[string]int{}
		}
		if m.Reason == rules.TurnedOff {
			p.problems[fmt.Sprintf("rule %s %s", m.Variant, m.Reason)]++
		} else {
			p.problems[fmt.Sprintf("rule %s %s on field %q", m.Variant, m.Reason, f.name)]++
		}
		return
	}
	c := f.agg(m.Category)
	c.matches++
	if c.lastSeq != k.seq {
		c.lastSeq = k.seq
		c.matchedValues++
	}
	if m.Context {
		c.withContext++
	}
	c.byConf[m.Confidence]++
	if m.Variant != "" {
		c.variants.add(m.Variant)
	}
	if m.Reason != "" {
		c.reasons.add(m.Reason)
	}
	if k.value.Line > 0 && len(c.lines) < maxLines {
		if l := k.lineOf(m.Start); len(c.lines) == 0 || c.lines[len(c.lines)-1] != l {
			c.lines = append(c.lines, l)
		}
	}

	if c.distinct.full {
		return
	}
	h := maphash.Bytes(distinctSeed, m.Value)
	if len(c.examples) >= k.s.opt.Examples {
		c.distinct.addLater(h, maxDistinct)
		return
	}
	if seen, full := c.distinct.add(h, maxDistinct); !seen && !full {
		c.examples = append(c.examples, detectors.Mask(m.Category, m.Value))
		c.fingerprints = append(c.fingerprints, k.fingerprint(m))
		if k.s.opt.ShowRawValues {
			c.raw = append(c.raw, string(m.Value))
		}
	}
}

// fingerprint is the keyed HMAC-SHA256 of a value, truncated to 64 bits:
// it identifies a value across reports made with the same key without
// revealing it.
func (k *unitSink) fingerprint(m *detectors.Match) string {
	k.mac.Reset()
	k.mac.Write([]byte(m.Category))
	k.mac.Write([]byte{0})
	k.mac.Write(m.Value)
	k.macBuf = k.mac.Sum(k.macBuf[:0])
	return hex.EncodeToString(k.macBuf[:8])
}

// lineOf returns the line of offset off in the current value, counting
// newlines incrementally: matches come in order of position.
func (k *unitSink) lineOf(off int) int {
	d := k.value.Data
	if off < k.lineAt {
		k.lineAt, k.line = 0, k.value.Line
	}
	k.line += bytes.Count(d[k.lineAt:off], []byte{'\n'})
	k.lineAt = off
	return k.line
}

// PartError implements connectors.Sink.
func (k *unitSink) PartError(err error) {
	p := k.ensurePart()
	p.err = errors.Join(p.err, err)
}

// PartSkipped implements connectors.Sink.
func (k *unitSink) PartSkipped(reason string) {
	k.ensurePart().skipped = reason
}

// Sampled implements connectors.Sink.
func (k *unitSink) Sampled(rows int64, method string) {
	p := k.ensurePart()
	p.rows, p.sampling = rows, method
}

// Paced implements connectors.Sink.
func (k *unitSink) Paced(reading, busy time.Duration) {
	p := k.ensurePart()
	p.reading, p.busy = reading, busy
}

// finish turns the aggregates into containers. readErr is the unit's own
// read error, which belongs to the unit's first part.
func (k *unitSink) finish(readErr error) []inventory.Container {
	k.flushProgress()
	if readErr != nil {
		p := k.ensurePart()
		if p != k.parts[0] {
			p = k.parts[0]
		}
		if k.ctx.Err() != nil && (errors.Is(readErr, context.Canceled) || errors.Is(readErr, context.DeadlineExceeded)) {
			// The scan was interrupted; a statement's own timeout says so.
			readErr = errors.New("interrupted before the end was read")
		}
		p.err = errors.Join(p.err, readErr)
	}
	var out []inventory.Container
	for _, p := range k.parts {
		out = append(out, k.container(p))
	}
	// The containers hold the counts: the sets' tables can serve the next
	// unit.
	for _, p := range k.parts {
		for _, f := range p.fields {
			for _, c := range f.cats {
				c.distinct.release()
			}
		}
	}
	return out
}

func (k *unitSink) container(p *partAgg) inventory.Container {
	name := k.unit.Name
	if p.part.Path != "" {
		name += "!" + p.part.Path
	}
	name = escapeInvalid(name)
	kind := p.part.Kind
	if kind == "" {
		kind = k.unit.Kind
	}
	c := inventory.Container{Name: name, Kind: kind, Bytes: p.bytes, Values: p.values, Rows: p.rows, Sampling: p.sampling, Fields: []inventory.Field{}, Skipped: p.skipped}
	if p.rows > 0 && p.reading > 0 {
		c.Pace = &inventory.Pace{ReadSeconds: p.reading.Round(time.Microsecond).Seconds(), BusySeconds: min(p.busy, p.reading).Round(time.Microsecond).Seconds()}
	}
	if p.err != nil {
		c.Error = p.err.Error()
	}
	for _, d := range slices.Sorted(maps.Keys(p.problems)) {
		msg := d
		switch n := p.problems[d]; {
		case strings.HasSuffix(d, rules.TurnedOff):
		case n == 1:
			msg += " (1 value)"
		default:
			msg += fmt.Sprintf(" (%d values)", n)
		}
		if c.Error != "" {
			c.Error += "; "
		}
		c.Error += msg
	}
	for _, f := range p.aggs {
		if fld, ok := k.s.verdicts(f, name); ok {
			c.Fields = append(c.Fields, fld)
		}
	}
	return c
}

// isNullWord reports whether a value is a spelled-out null ("NULL", "\N",
// "null", "None", "nil"), which exports use for missing values.
func isNullWord(b []byte) bool {
	switch len(b) {
	case 2:
		return b[0] == '\\' && b[1] == 'N'
	case 3:
		return bytes.EqualFold(b, []byte("nil"))
	case 4:
		return bytes.EqualFold(b, []byte("null")) || bytes.EqualFold(b, []byte("none"))
	}
	return false
}

// escapeInvalid writes the bytes of a name that are not UTF-8 as \xHH. A
// file named in Latin-1 on an old share, or a zip member named in CP865
// by an old Windows ("L\xf8nn.xlsx"), would otherwise reach the JSON as
// U+FFFD, and two such files could not be told apart, nor found.
func escapeInvalid(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i])
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
