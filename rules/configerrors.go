package rules

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// The config file's errors, in words a user of the file understands,
// without repeating a value that may hold a password.

// cleanYAMLError keeps the parser's line numbers and key names and says
// what a type error means in words ("line 2: a string where a whole number
// is wanted"). It drops the values yaml quotes in type errors, and masks
// what stands before an '@' in whatever else yaml repeats (a duplicate or
// unknown key, an anchor's name): it may be user:password.
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
	return maskCredentials(errors.New(msg))
}

// problems joins errs as the parser's errors are: "2 problems:" and each
// on a line of its own, indented; one alone as it is.
func problems(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems:", len(errs))
	for _, e := range errs {
		b.WriteString("\n  " + e.Error())
	}
	return errors.New(b.String())
}

// maskCredentials masks what stands before an '@' in err's message.
func maskCredentials(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(beforeAt.ReplaceAllString(err.Error(), "***@"))
}

var (
	yamlTypeError  = regexp.MustCompile("cannot unmarshal (!!\\w+)(?: `[^`\\n]*`)? into (\\S+)")
	yamlUnknownKey = regexp.MustCompile(`field (.*) not found in type (\S+)`)
	beforeAt       = regexp.MustCompile("[^\\s\"'`]+@")
)

// unknownKey says that key is not one of the keys of the config section
// that decodes into Go type typ, and which one it may be a typo of.
func unknownKey(key, typ string) string {
	msg := "unknown key " + quoteValue(key)
	keys := configKeys[typ]
	if best := nearest(key, keys); best != "" {
		return msg + fmt.Sprintf(" (did you mean %s?)", best)
	}
	if len(keys) > 0 {
		return msg + " (known: " + strings.Join(keys, ", ") + ")"
	}
	return msg
}

// nearest returns the one of words that s is a typo of, two edits away at
// most, or "".
func nearest(s string, words []string) string {
	best, bestDist := "", 3
	for _, w := range words {
		if d := editDistance(s, w); d < bestDist {
			best, bestDist = w, d
		}
	}
	return best
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

// quoteValue quotes a config value for an error message, with all that
// stands before its last '@' masked: it may be user:password. Every config
// error also passes maskCredentials, which can only mask the word before
// an '@' in free text; here the whole value is known, so none of it shows.
func quoteValue(v string) string {
	if at := strings.LastIndexByte(v, '@'); at >= 0 {
		v = "***" + v[at:]
	}
	return strconv.Quote(v)
}
