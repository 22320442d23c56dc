package scanner

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"datakart/detectors"
	"datakart/inventory"
	"datakart/rules"
)

// Thresholds for judging a structured field (a column) by its values alone,
// as Microsoft Purview does: enough distinct values, and most non-null
// values matching.
const (
	minShare     = 0.6
	minWeakShare = 0.8
	minDistinct  = 8
)

// valueDetected are the categories a detector can validate from values; for
// the others a name is all the evidence there is. A detector with no
// trigger of its own (KID) is only asked about numbers other detectors
// found, so its category's values are not searched for.
var valueDetected, searchedFor = map[string]bool{}, map[string]bool{}

func init() {
	for _, d := range detectors.Builtin() {
		for _, c := range d.Info().Categories {
			valueDetected[c] = true
			searchedFor[c] = searchedFor[c] || d.Triggers() != 0
		}
	}
}

// verdicts combines a field's value evidence with its name hints into one
// inventory.Field. ok is false when the field has nothing to report.
func (s *scan) verdicts(f *fieldAgg, container string) (inventory.Field, bool) {
	out := inventory.Field{Name: f.name, Type: f.dataType, Line: f.line, Examined: f.examined, NonNull: f.nonNull}
	hints := map[string]rules.NameHint{}
	var order []string
	nonPersonalHint := ""
	if f.name != "" {
		for _, h := range s.rs.MatchNameIn(f.name, containerStem(container)) {
			if h.Category == rules.NotPersonal {
				nonPersonalHint = h.Rule
				continue
			}
			hints[h.Category] = h
			order = append(order, h.Category)
			if c, ok := s.rs.Category(h.Category); ok && !c.Personal() {
				nonPersonalHint = h.Rule
			}
		}
	}
	for _, c := range f.cats {
		if _, ok := hints[c.id]; !ok {
			order = append(order, c.id)
		}
	}
	// Grown by append, the slice would hold up to twice the categories it
	// has until the report is written.
	out.Categories = make([]inventory.Category, 0, len(order))
	for _, id := range order {
		cat, known := s.rs.Category(id)
		if !known {
			cat = rules.Category{ID: id, Class: rules.ClassOrdinary}
		}
		h, hinted := hints[id]
		c := f.find(id)
		byChance := int64(0)
		if id == detectors.CatBankAccount && c != nil {
			// The values that pass as a fødselsnummer by chance (see
			// accountsByChance) are account numbers of this column too.
			_, fnrHinted := hints[detectors.CatFodselsnummer]
			if fnr := f.find(detectors.CatFodselsnummer); fnr != nil {
				if _, ok := accountsByChance(f, fnr, detectors.CatFodselsnummer, fnrHinted); ok {
					c, byChance = withAccountsByChance(c, fnr), fnr.matchedValues
				}
			}
		}
		ic := inventory.Category{
			ID: id, Class: cat.Class, Personal: cat.Personal(),
			Examined: f.examined, NameHint: hinted, NameRule: h.Rule,
			Examples: []string{}, Fingerprints: []string{},
		}
		if c != nil {
			ic.Variants = c.variants.counts()
			ic.Reasons = c.reasons.counts()
			ic.Matches = c.matches
			ic.MatchedValues = c.matchedValues
			ic.Distinct = int64(c.distinctN())
			ic.WithContext = c.withContext
			for conf := detectors.Low; conf <= detectors.High; conf++ {
				if n := c.byConf[conf]; n > 0 {
					ic.ByConfidence = append(ic.ByConfidence, inventory.NamedCount{Name: conf.String(), N: n})
				}
			}
			ic.ByConfidence = ic.ByConfidence.Sorted()
			ic.Lines = c.lines
			ic.Examples = c.examples
			ic.Fingerprints = c.fingerprints
			ic.Values = c.raw
			if f.nonNull > 0 {
				ic.Share = float64(c.matchedValues) / float64(f.nonNull)
			}
		}
		ic.Confidence, ic.Explanation = judge(f, c, cat, h, hinted, nonPersonalHint)
		if why, ok := accountsByChance(f, c, id, hinted); ok && ic.Confidence > detectors.Low {
			ic.Confidence, ic.Explanation = detectors.Low, why
		}
		if byChance > 0 {
			ic.Explanation += fmt.Sprintf(" (%d of them pass as a no_fnr too, by chance)", byChance)
		}
		if ic.Confidence == detectors.None {
			continue
		}
		out.Categories = append(out.Categories, ic)
	}
	slices.SortStableFunc(out.Categories, func(a, b inventory.Category) int { return int(b.Confidence) - int(a.Confidence) })
	return out, len(out.Categories) > 0
}

// judge gives the confidence for one category in one field and the one-line
// explanation a person can check.
func judge(f *fieldAgg, c *catAgg, cat rules.Category, h rules.NameHint, hinted bool, nonPersonalHint string) (detectors.Confidence, string) {
	free := f.name == ""
	if c == nil || c.matches == 0 {
		if !hinted {
			return detectors.None, ""
		}
		switch {
		case !valueDetected[cat.ID]:
			return detectors.Medium, fmt.Sprintf("column name %q suggests %s; values cannot be validated for this category", h.Rule, cat.ID)
		case !searchedFor[cat.ID]:
			// "0 of 300 values validated" of a column of valid KIDs read
			// as if they had been tried and failed.
			return detectors.Medium, fmt.Sprintf("column name %q suggests %s; its values are checked only where they could pass for another number (a card, a fødselsnummer, an account)", h.Rule, cat.ID)
		case f.examined == 0:
			return detectors.Medium, fmt.Sprintf("column name %q suggests %s; name hint only, no values were read%s", h.Rule, cat.ID, typeNote(f))
		case f.nonNull == 0:
			return detectors.Medium, fmt.Sprintf("column name %q suggests %s; name hint only, 0 validated values (%d examined, all empty)", h.Rule, cat.ID, f.examined)
		default:
			return detectors.Low, fmt.Sprintf("column name %q suggests %s, but 0 of %d non-empty values validated", h.Rule, cat.ID, f.nonNull)
		}
	}

	best := detectors.Low
	for conf := detectors.High; conf >= detectors.Low; conf-- {
		if c.byConf[conf] > 0 {
			best = conf
			break
		}
	}
	what := fmt.Sprintf("%d valid %s", c.matches, cat.ID)
	if free {
		what = fmt.Sprintf("%d valid %s in the text (%s distinct)", c.matches, cat.ID, distinctText(c))
	} else {
		what = fmt.Sprintf("%d of %d non-empty values hold a valid %s (%s distinct)", c.matchedValues, f.nonNull, cat.ID, distinctText(c))
	}
	if c.withContext > 0 {
		what += fmt.Sprintf(", %d with a context word nearby", c.withContext)
	}
	share := 0.0
	if f.nonNull > 0 {
		share = float64(c.matchedValues) / float64(f.nonNull)
	}
	strongShare := !free && share >= minShare && c.distinctN() >= minDistinct
	// Weak matches (bare 8-digit numbers) pass by chance half the time, so
	// they need nearly the whole column.
	weakShare := !free && share >= minWeakShare && c.distinctN() >= minDistinct

	switch {
	case hinted:
		return detectors.High, fmt.Sprintf("%s; column name %q agrees", what, h.Rule)
	case nonPersonalHint != "" && cat.Personal() && c.withContext == 0:
		return detectors.Low, fmt.Sprintf("%s, but column name %q (rule %q) says it is not personal data", what, f.name, nonPersonalHint)
	case best == detectors.High:
		return detectors.High, what
	case best == detectors.Medium && strongShare:
		return detectors.High, what + "; most of the column matches"
	case best == detectors.Medium && c.withContext > 0:
		// A bare 8-digit phone number stays medium with "tlf" beside it.
		return detectors.Medium, what + "; validated, but a context word alone does not make it sure without its usual layout or a column name"
	case best == detectors.Medium:
		return detectors.Medium, what + "; validated but no context word or column name confirms it"
	case weakShare && rareByChance[cat.ID]:
		// A bare account number passes MOD11 one time in eleven by chance:
		// eight distinct in a row, and most of the column, do not.
		return detectors.High, what + "; bare numbers alone, but nearly the whole column passes a check that one number in eleven passes by chance"
	case weakShare:
		return detectors.Medium, what + "; weak matches alone, but nearly the whole column matches"
	default:
		return detectors.Low, what + "; weak matches only (no formatting, context word or column name)"
	}
}

// rareByChance are the categories whose weak matches pass by chance
// rarely enough that nearly a whole column of them is no chance: a column
// konto (not a rule: in an ERP it is as often a ledger account) of 30
// valid account numbers was medium.
var rareByChance = map[string]bool{detectors.CatBankAccount: true}

// accountsByChance says why the fødselsnummer found in a column of bank
// account numbers are most likely accounts too, and whether they are.
// Every fødselsnummer passes an account number's MOD11 check (its second
// check digit is that check), and an account number passes the
// fødselsnummer's checks by chance: its first check digit leaves a
// remainder of 0 to 3 (the 2032 rule) 4 times in 11, and then the bank's
// number reads as a date (1503: the 15th of March) or, from 8, as an
// FH-number, which has none. So up to 36% of a column of accounts pass as
// fødselsnummer (108 of 300 from such banks), and the other 64% or more
// are accounts that are not one. The account detector leaves a number
// that passes both to the fødselsnummer detector, so a column of
// fødselsnummer shows almost none of the second kind (a mistyped number
// that passes MOD11). Where those accounts are at least as many as the
// fødselsnummer, and neither the column's name nor a word nearby speaks
// for the fødselsnummer, they are reported at low confidence; a column
// with fewer accounts among its identity numbers keeps both.
func accountsByChance(f *fieldAgg, c *catAgg, id string, hinted bool) (string, bool) {
	if id != detectors.CatFodselsnummer || hinted || f.name == "" || c == nil || c.withContext > 0 {
		return "", false
	}
	accounts := f.find(detectors.CatBankAccount)
	if accounts == nil || accounts.matchedValues < c.matchedValues {
		return "", false
	}
	return fmt.Sprintf("%d of %d non-empty values pass as a no_fnr, but %d others are bank account numbers that do not, and every no_fnr also passes as an account number: most likely accounts that pass the no_fnr checks by chance",
		c.matchedValues, f.nonNull, accounts.matchedValues), true
}

// withAccountsByChance returns the account numbers of a column, c, with
// those that passed as a fødselsnummer, fnr, counted among them: in its
// matches, values, confidences, reasons and lines, so the column's match
// count agrees with its explanation. Each of them passed an account
// number's MOD11 check too (a fødselsnummer's second check digit is
// that check), with the fødselsnummer's confidence: where a context word
// was near one, accountsByChance leaves them alone.
func withAccountsByChance(c, fnr *catAgg) *catAgg {
	// The copy counts the distinct values it was given, and shares no
	// table with c: a table goes back for reuse when c is done.
	n, full := c.distinctCount()
	all := *c
	all.distinct = hashSet{full: full}
	all.moreDistinct = n + fnr.distinctN() // the account detector leaves these to the other
	all.matches += fnr.matches
	all.matchedValues += fnr.matchedValues
	for conf := range all.byConf {
		all.byConf[conf] += fnr.byConf[conf]
	}
	all.reasons = slices.Clone(c.reasons)
	all.reasons.addN(detectors.ReasonMOD11, fnr.matches)
	// The first lines of either are the first of both.
	lines := slices.Concat(c.lines, fnr.lines)
	slices.Sort(lines)
	lines = slices.Compact(lines)
	all.lines = lines[:min(len(lines), maxLines)]
	return &all
}

// containerStem is the part of a container's name that says what it holds:
// the table of "schema.table", the file name without its extension, the
// last member of an archive path.
func containerStem(name string) string {
	if i := strings.LastIndexAny(name, "!/"); i >= 0 {
		name = name[i+1:]
	}
	ext := path.Ext(name)
	switch strings.ToLower(ext) {
	case "":
		return name
	case ".csv", ".tsv", ".txt", ".log", ".json", ".ndjson", ".jsonl", ".xlsx", ".xlsm", ".docx", ".sql", ".gz", ".zip", ".xml", ".yaml", ".yml", ".dat", ".md":
		return strings.TrimSuffix(name, ext)
	}
	return ext[1:] // schema.table
}

func typeNote(f *fieldAgg) string {
	if f.dataType == "" {
		return ""
	}
	return " (type " + f.dataType + ")"
}

func distinctText(c *catAgg) string {
	n, full := c.distinctCount()
	if full {
		return fmt.Sprintf("at least %d", n)
	}
	return fmt.Sprint(n)
}
