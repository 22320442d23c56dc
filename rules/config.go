package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"datakart/internal/dsn"

	"go.yaml.in/yaml/v3"
)

// ConfigFile is the name datakart looks for in the working directory.
const ConfigFile = "datakart.yaml"

// Config is datakart.yaml: what to scan, the user's own rules, the
// allow-list and the policy of declared personal data.
type Config struct {
	// Targets are paths and database URLs. A password must not be written
	// here: it comes from the environment (scan.password_env, PGPASSWORD,
	// MYSQL_PWD).
	Targets []string    `yaml:"targets"`
	Scan    ScanConfig  `yaml:"scan"`
	Rules   UserRules   `yaml:"rules"`
	Allow   []Allow     `yaml:"allow"`
	Policy  []PolicyRow `yaml:"policy"`

	path string
}

// ScanConfig holds scan settings; command-line flags override them.
type ScanConfig struct {
	Include          []string `yaml:"include"`
	Exclude          []string `yaml:"exclude"`
	Sample           int      `yaml:"sample"`
	Full             bool     `yaml:"full"`
	StatementTimeout Duration `yaml:"statement_timeout"`
	DBConnections    int      `yaml:"db_connections"`
	PasswordEnv      string   `yaml:"password_env"`
	FailOn           string   `yaml:"fail_on"`
}

// UserRules extend the built-in rules.
type UserRules struct {
	Detectors  []CustomDetector    `yaml:"detectors"`
	Names      []NameRule          `yaml:"names"`
	Context    map[string][]string `yaml:"context"`
	Categories []Category          `yaml:"categories"`
}

// CustomDetector is a regular expression (regexp2 syntax, so lookarounds
// work) that reports a category.
type CustomDetector struct {
	ID         string   `yaml:"id"`
	Category   string   `yaml:"category"`
	Pattern    string   `yaml:"pattern"`
	Confidence string   `yaml:"confidence"`
	Timeout    Duration `yaml:"timeout"`
	line       int
}

// Allow suppresses findings: by location glob, by category, by value
// fingerprint, or a combination; all that are given must match. Reason is
// required; after Expires the entry stops suppressing, and says so.
type Allow struct {
	Location    string `yaml:"location"`
	Store       string `yaml:"store"`
	Category    string `yaml:"category"`
	Fingerprint string `yaml:"fingerprint"`
	Reason      string `yaml:"reason"`
	Expires     Date   `yaml:"expires"`
	Line        int    `yaml:"-"`
}

// PolicyRow declares the personal data a location may hold, with the
// records-of-processing fields (GDPR Art. 30) a privacy team keeps.
type PolicyRow struct {
	Location     string   `yaml:"location"`
	Store        string   `yaml:"store"`
	Categories   []string `yaml:"categories"`
	Purpose      string   `yaml:"purpose"`
	LegalBasis   string   `yaml:"legal_basis"`
	DataSubjects []string `yaml:"data_subjects"`
	Retention    string   `yaml:"retention"`
	Recipients   []string `yaml:"recipients"`
	Owner        string   `yaml:"owner"`
	Line         int      `yaml:"-"`
}

// Duration is a time.Duration written "30s", "2m".
type Duration struct{ time.Duration }

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %s is not a duration (write 30s, 2m, 1h)", n.Line, quoteValue(n.Value))
	}
	d.Duration = v
	return nil
}

// Date is a calendar date written 2027-01-31.
type Date struct{ time.Time }

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.Parse("2006-01-02", n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %s is not a date (write 2027-01-31)", n.Line, quoteValue(n.Value))
	}
	d.Time = v
	return nil
}

// Expired reports whether the date has passed on day now.
func (d Date) Expired(now time.Time) bool {
	return !d.IsZero() && now.After(d.Time.Add(24*time.Hour))
}

// LoadConfig reads and validates a config file. Errors name the line and
// the key.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	cfg, err := ParseConfig(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	cfg.path = path
	return cfg, nil
}

// ParseConfig parses and validates config text.
func ParseConfig(b []byte) (*Config, error) {
	var cfg Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, cleanYAMLError(err)
	}
	// Line numbers for entries, from the node tree.
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err == nil && len(root.Content) > 0 {
		lines := entryLines(root.Content[0], "allow")
		for i := range cfg.Allow {
			if i < len(lines) {
				cfg.Allow[i].Line = lines[i]
			}
		}
		lines = entryLines(root.Content[0], "policy")
		for i := range cfg.Policy {
			if i < len(lines) {
				cfg.Policy[i].Line = lines[i]
			}
		}
		lines = entryLines(mapValue(root.Content[0], "rules"), "detectors")
		for i := range cfg.Rules.Detectors {
			if i < len(lines) {
				cfg.Rules.Detectors[i].line = lines[i]
			}
		}
	}
	return &cfg, cfg.validate()
}

// cleanYAMLError keeps the parser's line numbers and key names, says what
// a type error means in words ("line 2: a string where a whole number is
// wanted"), and drops the values yaml quotes in backticks: a value in the
// wrong place may be a connection string with its password.
func cleanYAMLError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = yamlTypeError.ReplaceAllStringFunc(msg, func(m string) string {
		sub := yamlTypeError.FindStringSubmatch(m)
		return yamlKind(sub[1]) + " where " + goKind(sub[2]) + " is wanted"
	})
	msg = yamlUnknownKey.ReplaceAllStringFunc(msg, func(m string) string {
		sub := yamlUnknownKey.FindStringSubmatch(m)
		return unknownKey(sub[1], sub[2])
	})
	if rest, ok := strings.CutPrefix(msg, "unmarshal errors:\n  "); ok {
		msg = fmt.Sprintf("%d problems:\n  %s", strings.Count(rest, "\n")+1, rest)
		if !strings.Contains(rest, "\n") {
			msg = rest // one needs no heading
		}
	}
	return errors.New(msg)
}

var (
	yamlTypeError  = regexp.MustCompile("cannot unmarshal (!!\\w+)(?: `[^`\\n]*`)? into (\\S+)")
	yamlUnknownKey = regexp.MustCompile(`field (\S+) not found in type (\S+)`)
)

// unknownKey says that key is not one of the keys of the config section
// that decodes into Go type typ, and which one it may be a typo of.
func unknownKey(key, typ string) string {
	msg := "unknown key " + quoteValue(key)
	keys := configKeys[typ]
	best, bestDist := "", 3 // a typo is two edits at most
	for _, k := range keys {
		if d := editDistance(key, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best != "" {
		return msg + fmt.Sprintf(" (did you mean %s?)", best)
	}
	if len(keys) > 0 {
		return msg + " (known: " + strings.Join(keys, ", ") + ")"
	}
	return msg
}

// configKeys has the keys of each section of the config file, by the Go
// type the section decodes into ("rules.ScanConfig").
var configKeys = func() map[string][]string {
	m := map[string][]string{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Slice || t.Kind() == reflect.Map || t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || m[t.String()] != nil {
			return
		}
		m[t.String()] = []string{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if !f.IsExported() || name == "-" || name == "" {
				continue
			}
			m[t.String()] = append(m[t.String()], name)
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[Config]())
	return m
}()

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// yamlKind names what a yaml tag stands for.
func yamlKind(tag string) string {
	switch tag {
	case "!!str":
		return "a string"
	case "!!int":
		return "a whole number"
	case "!!float":
		return "a number"
	case "!!bool":
		return "true or false"
	case "!!map":
		return "a mapping (key: value)"
	case "!!seq":
		return "a list"
	case "!!null":
		return "nothing"
	case "!!timestamp":
		return "a date"
	}
	return tag
}

// goKind names what the config wants where yaml decodes into Go type t.
func goKind(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["):
		return "a mapping (key: value)"
	case t == "string":
		return "a string"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "a whole number"
	case strings.HasPrefix(t, "float"):
		return "a number"
	}
	return "a mapping (key: value)" // a struct: a section of the file
}

// quoteValue quotes a config value for an error message, with what stands
// before an '@' masked: it may be user:password.
func quoteValue(v string) string {
	if at := strings.LastIndexByte(v, '@'); at >= 0 {
		v = "***" + v[at:]
	}
	return strconv.Quote(v)
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func entryLines(n *yaml.Node, key string) []int {
	v := mapValue(n, key)
	if v == nil || v.Kind != yaml.SequenceNode {
		return nil
	}
	lines := make([]int, len(v.Content))
	for i, e := range v.Content {
		lines[i] = e.Line
	}
	return lines
}

var passwordInURL = regexp.MustCompile(`^[a-z]+://[^/@]*:[^/@]+@|^[^/@]*:[^@]+@(tcp|unix)\(`)

func (c *Config) validate() error {
	var errs []error
	bad := func(line int, format string, a ...any) {
		errs = append(errs, fmt.Errorf("line %d: "+format, append([]any{line}, a...)...))
	}
	for _, t := range c.Targets {
		if passwordInURL.MatchString(t) {
			errs = append(errs, fmt.Errorf("targets: a password is written in %q; give it through the environment (scan.password_env, PGPASSWORD, MYSQL_PWD)", dsn.Redact(t)))
		}
	}
	if c.Scan.FailOn != "" {
		if _, err := parseLevel(c.Scan.FailOn); err != nil {
			errs = append(errs, fmt.Errorf("scan.fail_on: %v", err))
		}
	}
	for i, a := range c.Allow {
		if a.Reason == "" {
			bad(a.Line, "allow[%d]: reason is required (say why this is allowed)", i)
		}
		if a.Location == "" && a.Category == "" && a.Fingerprint == "" && a.Store == "" {
			bad(a.Line, "allow[%d]: give a location, store, category or fingerprint to allow", i)
		}
	}
	for i, p := range c.Policy {
		if p.Location == "" && p.Store == "" {
			bad(p.Line, "policy[%d]: location (or store) is required", i)
		}
		if len(p.Categories) == 0 {
			bad(p.Line, "policy[%d]: categories is required (the personal data the location may hold)", i)
		}
	}
	for i, d := range c.Rules.Detectors {
		switch {
		case d.ID == "":
			bad(d.line, "rules.detectors[%d]: id is required", i)
		case d.Category == "":
			bad(d.line, "rules.detectors[%d] %s: category is required", i, d.ID)
		case d.Pattern == "":
			bad(d.line, "rules.detectors[%d] %s: pattern is required", i, d.ID)
		}
		if d.Confidence != "" {
			if _, err := parseLevel(d.Confidence); err != nil {
				bad(d.line, "rules.detectors[%d] %s: %v", i, d.ID, err)
			}
		}
	}
	return errors.Join(errs...)
}

func parseLevel(s string) (int, error) {
	switch s {
	case "low":
		return 1, nil
	case "medium":
		return 2, nil
	case "high":
		return 3, nil
	}
	return 0, fmt.Errorf("%s: want low, medium or high", quoteValue(s))
}

// Path is the file the config was read from, "" when parsed from text.
func (c *Config) Path() string { return c.path }
