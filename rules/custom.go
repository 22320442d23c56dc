package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"datakart/detectors"

	"github.com/dlclark/regexp2/v2"
)

// defaultPatternTimeout bounds one user pattern on one value: regexp2
// backtracks, and without a timeout ^(a+)+$ never ends.
const defaultPatternTimeout = 100 * time.Millisecond

// patternDetector is a user-defined detector: a regexp2 pattern that
// reports a category.
type patternDetector struct {
	id, category string
	re           *regexp2.Regexp
	conf         detectors.Confidence
}

func (d *patternDetector) Info() detectors.Info {
	return detectors.Info{ID: d.id, Categories: []string{d.category}, Description: "user pattern " + d.re.String(), Personal: true}
}

func (d *patternDetector) Triggers() detectors.Trigger { return detectors.OnText }

// maxTimeouts is how many values a user pattern may run out of time on in
// one file or table before it is not run on the rest of it. A pattern
// that backtracks without end on a column of notes would otherwise cost
// its timeout on every row: 40 s for 200 rows, days for a table.
const maxTimeouts = 3

// TurnedOff is the Reason of the problem a pattern reports when it is not
// run on the rest of a file or table.
var TurnedOff = fmt.Sprintf("was not run on the rest of the file or table after timing out %d times", maxTimeouts)

func (d *patternDetector) Inspect(text []byte, _ *detectors.Candidate, ctx *detectors.Context) {
	if ctx.Strikes(d.id) >= maxTimeouts {
		return
	}
	idx, err := d.re.FindAllStringIndex(string(text), -1)
	if err != nil {
		// The error's text quotes the whole input: never pass it on.
		ctx.Emit(&detectors.Match{Variant: d.id, Reason: "timed out"})
		if ctx.Strike(d.id) == maxTimeouts {
			ctx.Emit(&detectors.Match{Variant: d.id, Reason: TurnedOff})
		}
		return
	}
	for _, span := range idx {
		if span[0] >= span[1] {
			continue
		}
		m := detectors.Match{Category: d.category, Variant: d.id, Start: span[0], End: span[1], Confidence: d.conf, Reason: "user pattern " + d.id}
		m.Value = ctx.Keep(text[span[0]:span[1]])
		ctx.Emit(&m)
	}
}

// Extend returns the ruleset with a config's own rules added: categories,
// pattern detectors, column-name rules and context words. Its errors, as
// the config's, never repeat what stands before an '@'.
//
// A category the policy or an allow entry names must be one of the
// ruleset's: a typo (emial) declared nothing, and the check failed on
// findings the config seemed to declare, or allowed nothing.
func (rs *Ruleset) Extend(cfg *Config) (*Ruleset, error) {
	ext, err := rs.extend(cfg)
	if err == nil && cfg != nil {
		err = ext.knownCategories(cfg)
	}
	return ext, maskCredentials(err)
}

// knownCategories returns an error for each category cfg's policy and
// allow entries name that rs does not have.
func (rs *Ruleset) knownCategories(cfg *Config) error {
	ids := make([]string, len(rs.categories))
	for i, c := range rs.categories {
		ids[i] = c.ID
	}
	var errs []error
	unknown := func(line int, where, id string) {
		msg := fmt.Sprintf("line %d: %s: category %s is unknown", line, where, quoteValue(id))
		if best := nearest(id, ids); best != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", best)
		} else {
			msg += " (datakart rules lists them; declare your own under rules.categories)"
		}
		errs = append(errs, errors.New(msg))
	}
	for i, p := range cfg.Policy {
		for _, c := range p.Categories {
			if !slices.Contains(ids, c) {
				unknown(p.Line, fmt.Sprintf("policy[%d]", i), c)
			}
		}
	}
	for i, a := range cfg.Allow {
		if a.Category != "" && !slices.Contains(ids, a.Category) {
			unknown(a.Line, fmt.Sprintf("allow[%d]", i), a.Category)
		}
	}
	return problems(errs)
}

func (rs *Ruleset) extend(cfg *Config) (*Ruleset, error) {
	if cfg == nil {
		return rs, nil
	}
	u := cfg.Rules
	if len(u.Categories) == 0 && len(u.Detectors) == 0 && len(u.Names) == 0 && len(u.Context) == 0 {
		return rs, nil
	}
	cats := slices.Clone(rs.categories)
	for _, c := range u.Categories {
		switch c.Class {
		case ClassNationalID, ClassSpecialCategory, ClassFinancial, ClassOrdinary, ClassNone:
		case "":
			c.Class = ClassOrdinary
		default:
			return nil, fmt.Errorf("rules.categories %s: class %q (want national_id, special_category, financial, ordinary or none)", c.ID, c.Class)
		}
		cats = append(cats, c)
	}
	known := map[string]bool{}
	for _, c := range cats {
		known[c.ID] = true
	}
	var extra []detectors.Detector
	for _, d := range u.Detectors {
		if !known[d.Category] {
			return nil, fmt.Errorf("line %d: rules.detectors %s: category %q is unknown; declare it under rules.categories", d.line, d.ID, d.Category)
		}
		re, err := regexp2.Compile(d.Pattern, regexp2.RE2)
		if err != nil {
			return nil, fmt.Errorf("line %d: rules.detectors %s: pattern: %v", d.line, d.ID, err)
		}
		re.MatchTimeout = defaultPatternTimeout
		if d.Timeout.Duration > 0 {
			re.MatchTimeout = d.Timeout.Duration
		}
		conf := detectors.Medium
		if d.Confidence != "" {
			conf, _ = detectors.ParseConfidence(d.Confidence)
		}
		extra = append(extra, &patternDetector{id: d.ID, category: d.Category, re: re, conf: conf})
	}
	names := make([]NameRule, 0, len(rs.names)+len(u.Names))
	for _, nr := range rs.names {
		names = append(names, NameRule{Category: nr.Category, Names: nr.Names, Unless: nr.Unless})
	}
	names = append(names, u.Names...)
	context := maps.Clone(rs.context)
	for cat, words := range u.Context {
		context[cat] = append(slices.Clone(context[cat]), words...)
	}
	h := sha256.New()
	h.Write([]byte(rs.fingerprint))
	fmt.Fprintf(h, "%v", u)
	return New(cats, names, context, hex.EncodeToString(h.Sum(nil))[:16], extra...)
}
