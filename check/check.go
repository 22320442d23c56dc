// Package check compares an inventory with the declared policy and the
// allow-list of a datakart.yaml, and with a baseline inventory, and says
// which personal data nobody declared. It is what `datakart check` runs in
// a CI pipeline: the result is a value; reports renders it and the command
// turns it into an exit code.
package check

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"datakart/detectors"
	"datakart/inventory"
	"datakart/rules"
)

// Status is what the policy says about a finding.
type Status string

// Statuses.
const (
	// Undeclared: personal data no policy row declares and no allow entry
	// suppresses. At or above the fail-on confidence it fails the check.
	Undeclared Status = "undeclared"
	Declared   Status = "declared"
	Allowed    Status = "allowed"
	// Baseline: present in the baseline inventory too, so not new.
	Baseline Status = "baseline"
)

// Finding is one field × personal category of the inventory, judged.
type Finding struct {
	StoreKind   string               `json:"store_kind"`
	Store       string               `json:"store"`
	Container   string               `json:"container"`
	Field       string               `json:"field"`
	Line        int                  `json:"line,omitempty"`
	Category    string               `json:"category"`
	Class       string               `json:"class"`
	Confidence  detectors.Confidence `json:"confidence"`
	Matches     int64                `json:"matches"`
	Explanation string               `json:"explanation"`
	Status      Status               `json:"status"`
	// Note says which policy row declared it, which allow entry
	// suppressed it, or that an allow entry expired.
	Note string `json:"note,omitempty"`
	// Fails is true for undeclared findings at or above the threshold.
	Fails bool `json:"fails"`
}

// Location names the finding for people: "container → field".
func (f Finding) Location() string {
	if f.Field == "" {
		return f.Container
	}
	return f.Container + " → " + f.Field
}

// ID is a stable identifier of the finding's place and category, the same
// across runs and machines (it does not include the store's path).
func (f Finding) ID() string {
	h := sha256.Sum256([]byte(f.StoreKind + "\x00" + f.Container + "\x00" + f.Field + "\x00" + f.Category))
	return hex.EncodeToString(h[:8])
}

// Result is the outcome of a check.
type Result struct {
	FailOn   detectors.Confidence `json:"fail_on"`
	Findings []Finding            `json:"findings"`
	// Failed counts the findings that fail the check.
	Failed int `json:"failed"`
	// ExpiredAllows are allow entries whose date has passed: they no longer
	// suppress anything.
	ExpiredAllows []rules.Allow `json:"expired_allows,omitempty"`
	// Unread are the stores, tables and files the scan could not read
	// (the inventory's errors): what they hold was not checked.
	Unread []inventory.Error `json:"unread"`
	// IgnoreUnread: the check passes with places it could not read.
	IgnoreUnread bool           `json:"ignore_unread,omitempty"`
	Complete     bool           `json:"complete"`
	Tool         inventory.Tool `json:"tool"`
}

// Passed reports whether the check passed: nothing undeclared at the
// threshold, a scan that was not interrupted, and every place read (or
// IgnoreUnread).
func (r *Result) Passed() bool {
	return r.Failed == 0 && r.Complete && (len(r.Unread) == 0 || r.IgnoreUnread)
}

// MarshalJSON adds the verdict, "passed", to the result's fields.
func (r *Result) MarshalJSON() ([]byte, error) {
	type plain Result
	return json.Marshal(struct {
		Passed bool `json:"passed"`
		*plain
	}{r.Passed(), (*plain)(r)})
}

// Options for Evaluate.
type Options struct {
	FailOn   detectors.Confidence
	Baseline *inventory.Inventory
	Now      time.Time
	// IgnoreUnread passes a check with places the scan could not read.
	IgnoreUnread bool
}

// Evaluate judges every personal finding of inv against cfg's policy and
// allow-list (cfg may be nil: then everything is undeclared).
func Evaluate(inv *inventory.Inventory, cfg *rules.Config, opt Options) *Result {
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	if opt.FailOn == detectors.None {
		opt.FailOn = detectors.Medium
	}
	res := &Result{FailOn: opt.FailOn, Findings: []Finding{}, Unread: slices.Clone(inv.Errors),
		IgnoreUnread: opt.IgnoreUnread, Complete: inv.Complete, Tool: inv.Tool}
	if res.Unread == nil {
		res.Unread = []inventory.Error{}
	}
	var policy []rules.PolicyRow
	var allows []rules.Allow
	if cfg != nil {
		policy = cfg.Policy
		for _, a := range cfg.Allow {
			if a.Expires.Expired(opt.Now) {
				res.ExpiredAllows = append(res.ExpiredAllows, a)
			}
			allows = append(allows, a)
		}
	}
	storeKey := inventory.StoreKeys(inv, opt.Baseline)
	baseline := baselineKeys(opt.Baseline, storeKey)
	inBaseline := func(fd *Finding) bool {
		return baseline[key(storeKey(fd.StoreKind, fd.Store), fd.Container, fd.Field, fd.Category)]
	}
	index := NewPolicyIndex(policy)
	for _, s := range inv.Stores {
		for _, c := range s.Containers {
			for _, f := range c.Fields {
				for _, k := range f.Categories {
					if !k.Personal {
						continue
					}
					fd := Finding{
						StoreKind: s.Kind, Store: s.Location, Container: c.Name, Field: f.Name,
						Line: f.Line, Category: k.ID, Class: k.Class, Confidence: k.Confidence,
						Matches: k.Matches, Explanation: k.Explanation, Status: Undeclared,
					}
					if len(k.Lines) > 0 {
						fd.Line = k.Lines[0]
					}
					judge(&fd, k, index, allows, inBaseline, opt.Now)
					fd.Fails = fd.Status == Undeclared && fd.Confidence >= opt.FailOn
					if fd.Fails {
						res.Failed++
					}
					res.Findings = append(res.Findings, fd)
				}
			}
		}
	}
	slices.SortStableFunc(res.Findings, func(a, b Finding) int {
		if a.Fails != b.Fails {
			if a.Fails {
				return -1
			}
			return 1
		}
		return int(b.Confidence) - int(a.Confidence)
	})
	return res
}

func judge(fd *Finding, k inventory.Category, policy *PolicyIndex, allows []rules.Allow, inBaseline func(*Finding) bool, now time.Time) {
	expiredNote := ""
	for _, a := range allows {
		if !allowMatches(a, fd, k) {
			continue
		}
		if a.Expires.Expired(now) {
			expiredNote = fmt.Sprintf("allow entry (line %d, %q) expired on %s and no longer suppresses this", a.Line, a.Reason, a.Expires.Format("2006-01-02"))
			continue
		}
		fd.Status, fd.Note = Allowed, fmt.Sprintf("allowed (line %d): %s", a.Line, a.Reason)
		return
	}
	declares := func(p rules.PolicyRow) bool { return slices.Contains(p.Categories, fd.Category) }
	if p, ok := policy.First(fd.StoreKind, fd.Store, fd.Container, fd.Field, declares); ok {
		fd.Status, fd.Note = Declared, fmt.Sprintf("declared by policy (line %d) for %s", p.Line, p.Location)
		if p.Purpose != "" {
			fd.Note += ": " + p.Purpose
		}
		return
	}
	if inBaseline(fd) {
		fd.Status, fd.Note = Baseline, "present in the baseline"
		return
	}
	fd.Note = expiredNote
}

func allowMatches(a rules.Allow, fd *Finding, k inventory.Category) bool {
	if a.Category != "" && a.Category != fd.Category {
		return false
	}
	if (a.Location != "" || a.Store != "") && !locationMatches(a.Location, a.Store, fd) {
		return false
	}
	if a.Fingerprint != "" {
		// Allowed by value: every distinct value must be the allowed one,
		// which only the fingerprints kept for examples can show.
		if k.Distinct == 0 || int64(len(k.Fingerprints)) < k.Distinct {
			return false
		}
		for _, fp := range k.Fingerprints {
			if fp != a.Fingerprint {
				return false
			}
		}
	}
	return true
}

// locationMatches matches a location glob against the container and
// "container.field" ('**' any characters, '*' and '?' any but '/'), and a
// store glob against the store's kind or location.
func locationMatches(location, store string, fd *Finding) bool {
	return Covers(location, store, fd.StoreKind, fd.Store, fd.Container, fd.Field)
}

// Covers reports whether a policy or allow entry's location and store
// globs cover a container's field ("" for the container as a whole): the
// store glob against the store's kind or location, the location glob
// against the container or "container.field". A table in a migration
// ("002_add.sql!public.kunder") or a file in an archive ("a.zip!b.csv")
// also answers to its own name, so one policy row covers a table in its
// migrations and in the live database; and what was read from a file
// answers to the file's name ("a.zip", "app.log.gz"): a user declares the
// file they see, not the members datakart names inside it. A migration's
// table named without a schema ("ALTER TABLE customers") is in whichever
// the migration is run in: "public.customers" covers it.
func Covers(location, store, storeKind, storeLocation, container, field string) bool {
	if store != "" && !Glob(store, storeKind) && !Glob(store, storeLocation) {
		return false
	}
	if location == "" {
		return true
	}
	if Glob(location, container) || (field != "" && Glob(location, container+"."+field)) {
		return true
	}
	if i := strings.LastIndexByte(container, '!'); i >= 0 {
		inner := container[i+1:]
		outer, _, _ := strings.Cut(container, "!")
		if Glob(location, inner) || (field != "" && Glob(location, inner+"."+field)) || Glob(location, outer) {
			return true
		}
		if _, table, ok := strings.Cut(location, "."); ok && schemaless(storeKind, inner) {
			return Glob(table, inner) || (field != "" && Glob(table, inner+"."+field))
		}
	}
	return false
}

// schemaless reports whether inner, the part of a container after its
// last '!', is a migration's table named without a schema, which a
// location's table without its schema is compared with.
func schemaless(storeKind, inner string) bool {
	return storeKind == "migrations" && !strings.Contains(inner, ".")
}

// Glob reports whether name matches pattern: "**" matches anything, "*"
// and "?" anything but '/'. "exports/**/*.csv" matches files, "crm.*" a
// schema's tables, "crm.customers.email" a column.
func Glob(pattern, name string) bool {
	re, ok := globs.Load(pattern)
	if !ok {
		re, _ = globs.LoadOrStore(pattern, compileGlob(pattern))
	}
	return re.(*regexp.Regexp).MatchString(name)
}

// globs caches compiled patterns: a check asks about every finding against
// every policy row, and a config has few patterns.
var globs sync.Map

func compileGlob(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '*' && i+1 < len(pattern) && pattern[i+1] == '*':
			b.WriteString(".*")
			i++
			if i+1 < len(pattern) && pattern[i+1] == '/' {
				b.WriteString("/?")
				i++
			}
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String()) // every metacharacter is quoted: it always compiles
}

func key(kind, container, field, cat string) string {
	return kind + "\x00" + container + "\x00" + field + "\x00" + cat
}

// baselineKeys lists the personal findings of a baseline inventory by
// place and category, whatever their confidence.
func baselineKeys(inv *inventory.Inventory, storeKey func(kind, location string) string) map[string]bool {
	m := map[string]bool{}
	if inv == nil {
		return m
	}
	for _, s := range inv.Stores {
		for _, c := range s.Containers {
			for _, f := range c.Fields {
				for _, k := range f.Categories {
					if k.Personal {
						m[key(storeKey(s.Kind, s.Location), c.Name, f.Name, k.ID)] = true
					}
				}
			}
		}
	}
	return m
}
