// Package rules is what a user can change about how datakart classifies:
// the categories and their GDPR class, the column- and field-name rules in
// four languages, and the context words that raise a detector's confidence.
// The defaults ship embedded in the binary as YAML, in the same shape a
// user writes in datakart.yaml.
//
// rules does not read stores or scan values; it answers questions about
// names and hands the detectors their configuration.
package rules

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"datakart/detectors"

	"go.yaml.in/yaml/v3"
)

//go:embed data/*.yaml
var builtinData embed.FS

// GDPR classes of categories.
const (
	ClassNationalID      = "national_id"
	ClassSpecialCategory = "special_category"
	ClassFinancial       = "financial"
	ClassOrdinary        = "ordinary"
	ClassNone            = "none" // not personal data: context only
)

// NotPersonal is the pseudo-category of name rules that say a field is not
// personal data ("version", "order_id"): a hint against, not for.
const NotPersonal = "not_personal"

// Category is a unit of the inventory: a kind of personal data.
type Category struct {
	ID    string `yaml:"id" json:"id"`
	Name  string `yaml:"name" json:"name"`
	Class string `yaml:"class" json:"class"`
	Group string `yaml:"group" json:"group"`
}

// Personal reports whether the category is personal data (no_orgnr and
// kid are not).
func (c Category) Personal() bool { return c.Class != ClassNone }

// NameRule is one group of column/field names that are evidence for a
// category, with tokens that veto it.
type NameRule struct {
	Category string     `yaml:"category"`
	Names    []string   `yaml:"names"`
	Unless   []string   `yaml:"unless"`
	tokens   [][]string // Names, tokenized
	unless   map[string]bool
}

// Ruleset is a loaded set of rules. It is immutable and safe for concurrent
// use.
type Ruleset struct {
	categories  []Category
	byID        map[string]int
	names       []NameRule
	context     map[string][]string
	engine      *detectors.Engine
	fingerprint string
}

var (
	defaultOnce sync.Once
	defaultSet  *Ruleset
	defaultErr  error
)

// Default returns the built-in ruleset. It is parsed once.
func Default() (*Ruleset, error) {
	defaultOnce.Do(func() { defaultSet, defaultErr = loadBuiltin() })
	return defaultSet, defaultErr
}

func loadBuiltin() (*Ruleset, error) {
	var cats struct {
		Categories []Category `yaml:"categories"`
	}
	var names struct {
		Names []NameRule `yaml:"names"`
	}
	var ctx struct {
		Context map[string][]string `yaml:"context"`
	}
	h := sha256.New()
	for _, f := range []struct {
		file string
		into any
	}{{"data/categories.yaml", &cats}, {"data/names.yaml", &names}, {"data/context.yaml", &ctx}} {
		b, err := builtinData.ReadFile(f.file)
		if err != nil {
			return nil, err
		}
		h.Write(b)
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(f.into); err != nil {
			return nil, fmt.Errorf("built-in rules %s: %w", f.file, err)
		}
	}
	return New(cats.Categories, names.Names, ctx.Context, hex.EncodeToString(h.Sum(nil))[:16])
}

// New builds a ruleset from categories, name rules and context words, and
// checks that every rule names a known category. fingerprint identifies the
// rules in inventories. The engine runs the built-in detectors and extra.
func New(cats []Category, names []NameRule, context map[string][]string, fingerprint string, extra ...detectors.Detector) (*Ruleset, error) {
	rs := &Ruleset{categories: cats, byID: map[string]int{}, context: context, fingerprint: fingerprint}
	for i, c := range cats {
		if _, dup := rs.byID[c.ID]; dup {
			return nil, fmt.Errorf("category %q defined twice", c.ID)
		}
		rs.byID[c.ID] = i
	}
	for _, nr := range names {
		if _, ok := rs.byID[nr.Category]; !ok && nr.Category != NotPersonal {
			return nil, fmt.Errorf("name rule for unknown category %q", nr.Category)
		}
		nr.tokens = make([][]string, 0, len(nr.Names))
		for _, n := range nr.Names {
			if t := Tokenize(n); len(t) > 0 {
				nr.tokens = append(nr.tokens, t)
			}
		}
		nr.unless = map[string]bool{}
		for _, u := range nr.Unless {
			for _, t := range Tokenize(u) {
				nr.unless[t] = true
			}
		}
		rs.names = append(rs.names, nr)
	}
	for cat := range context {
		if _, ok := rs.byID[cat]; !ok {
			return nil, fmt.Errorf("context words for unknown category %q", cat)
		}
	}
	rs.engine = detectors.NewEngine(context, append(detectors.Builtin(), extra...)...)
	return rs, nil
}

// Categories returns the categories in their defined order.
func (rs *Ruleset) Categories() []Category { return slices.Clone(rs.categories) }

// Category returns the category with the given id.
func (rs *Ruleset) Category(id string) (Category, bool) {
	i, ok := rs.byID[id]
	if !ok {
		return Category{}, false
	}
	return rs.categories[i], true
}

// Engine returns the detector engine configured with the ruleset's context
// words.
func (rs *Ruleset) Engine() *detectors.Engine { return rs.engine }

// Fingerprint identifies the rules, so two inventories can tell whether
// they were made with the same ones.
func (rs *Ruleset) Fingerprint() string { return rs.fingerprint }

// ContextWords returns the context words of a category.
func (rs *Ruleset) ContextWords(category string) []string { return rs.context[category] }

// NameHint says that a field's name is evidence for a category.
type NameHint struct {
	Category string
	Rule     string // the rule name that matched, e.g. "fodselsnummer"
}

// MatchName returns the categories a column or field name is evidence for,
// one hint per category, in category order. A JSON path or a
// "Sheet!column" field is matched on all its tokens, so "$.customer.email"
// is e-mail and "$.product.name" is not a person's name.
func (rs *Ruleset) MatchName(name string) []NameHint { return rs.MatchNameIn(name, "") }

// MatchNameIn is MatchName for a field of a container (a table, a file):
// the container's name can veto a rule but never makes one match, so
// "navn" in a table "produkter" is not a person's name, and a column "id"
// in a table "email_log" is not an e-mail address.
//
// A field that is a path into a document ("$.customer.email",
// "/AuditFile/Customer/Contact/Email", a JSON column's "profile →
// $.address.ip") is matched, and vetoed, by its last two elements
// ("$.phone.number", "$.ssn.value", "…/Product/Name"): an element further
// up, an SAF-T file's AuditFile or an ISO 20022 Document, says nothing of
// a name at the bottom.
func (rs *Ruleset) MatchNameIn(name, container string) []NameHint {
	toks := Tokenize(pathEnd(name))
	if len(toks) == 0 {
		return nil
	}
	vetoToks := append(Tokenize(container), toks...)
	var hints []NameHint
	seen := map[string]bool{}
	for _, nr := range rs.names {
		if seen[nr.Category] || vetoed(vetoToks, nr.unless) {
			continue
		}
		for i, rt := range nr.tokens {
			if containsRun(toks, rt) {
				hints = append(hints, NameHint{Category: nr.Category, Rule: nr.Names[i]})
				seen[nr.Category] = true
				break
			}
		}
	}
	sort.SliceStable(hints, func(i, j int) bool { return rs.rank(hints[i].Category) < rs.rank(hints[j].Category) })
	return hints
}

func (rs *Ruleset) rank(cat string) int {
	if i, ok := rs.byID[cat]; ok {
		return i
	}
	return len(rs.categories)
}

func vetoed(toks []string, unless map[string]bool) bool {
	for _, t := range toks {
		if unless[t] {
			return true
		}
	}
	return false
}

// containsRun reports whether run occurs in toks as consecutive tokens.
func containsRun(toks, run []string) bool {
	for i := 0; i+len(run) <= len(toks); i++ {
		if slices.Equal(toks[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

// NameRules returns the column-name rules.
func (rs *Ruleset) NameRules() []NameRule { return slices.Clone(rs.names) }

// pathEnd returns the last two elements of a field that is a JSON path or
// an XML path; any other name whole.
func pathEnd(name string) string {
	if i := strings.LastIndex(name, " → "); i >= 0 {
		name = name[i+len(" → "):]
	}
	if !strings.HasPrefix(name, "$") && !strings.HasPrefix(name, "/") {
		return name
	}
	var elems []string
	for _, e := range strings.FieldsFunc(name, func(r rune) bool { return r == '.' || r == '/' }) {
		e = strings.TrimLeft(strings.ReplaceAll(e, "[*]", ""), "$@")
		if e != "" && e != "*" {
			elems = append(elems, e)
		}
	}
	return strings.Join(elems[max(len(elems)-2, 0):], ".")
}
