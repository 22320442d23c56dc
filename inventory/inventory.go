// Package inventory is datakart's product: the data-inventory map of which
// store, container (file, table) and field (column, JSON path) holds which
// categories of personal data, with the evidence, a confidence and an
// explanation. It is plain data with stable JSON names, versioned by
// SchemaVersion; every report format is rendered from it.
//
// An inventory never holds a raw personal value unless the scan was asked
// for them (Settings.ShowValues == "raw"): examples are masked and values
// are identified by keyed fingerprints.
package inventory

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"datakart/detectors"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// SchemaVersion is the version of the JSON layout written by this package.
// It changes only when a field is removed or changes meaning.
const SchemaVersion = 1

// Inventory is the result of one scan.
type Inventory struct {
	SchemaVersion int       `json:"schema_version"`
	Tool          Tool      `json:"tool"`
	StartedAt     time.Time `json:"started_at"`
	FinishedAt    time.Time `json:"finished_at"`
	// Complete is false when the scan was interrupted (Ctrl-C, a deadline);
	// what was found until then is still here.
	Complete         bool     `json:"complete"`
	IncompleteReason string   `json:"incomplete_reason,omitempty"`
	Targets          []string `json:"targets"` // as given, passwords redacted
	Settings         Settings `json:"settings"`
	Stores           []Store  `json:"stores"`
	Errors           []Error  `json:"errors"`
	Skipped          []Skip   `json:"skipped"`
	Totals           Totals   `json:"totals"`
}

// Tool names the program that wrote the inventory.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Settings are the scan settings that change what an inventory says.
type Settings struct {
	Concurrency int `json:"concurrency"`
	// ShowValues is "masked" (the default) or "raw".
	ShowValues string `json:"show_values"`
	// FingerprintKey says where the HMAC key came from: "flag", "env" or
	// "random" (fingerprints then compare only within this inventory).
	FingerprintKey   string   `json:"fingerprint_key"`
	RulesFingerprint string   `json:"rules_fingerprint"`
	Include          []string `json:"include,omitempty"`
	Exclude          []string `json:"exclude,omitempty"`
}

// Store is one scanned store: a file tree, a database.
type Store struct {
	Kind       string      `json:"kind"`
	Location   string      `json:"location"`
	Containers []Container `json:"containers"`
	Error      string      `json:"error"`
}

// Container is a file, an archive member or a table.
type Container struct {
	// Name is the path relative to the scanned root for files
	// ("exports/a.zip!payroll.csv" for an archive member), schema.table for
	// tables.
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	Bytes int64  `json:"bytes"`
	// Values is how many values (cells, JSON scalars, chunks of text) were
	// examined.
	Values int64 `json:"values"`
	// Rows and Sampling say, for tables, how many rows were examined and
	// how they were chosen.
	Rows     int64  `json:"rows,omitempty"`
	Sampling string `json:"sampling,omitempty"`
	// Pace says, for tables, whether the database or datakart set the
	// pace of reading them.
	Pace   *Pace   `json:"pace,omitempty"`
	Fields []Field `json:"fields"`
	// Error says why the container could not be read to the end; what was
	// read before still counts. "" when it was read whole.
	Error string `json:"error"`
	// Skipped says why the container was deliberately not read.
	Skipped string `json:"skipped,omitempty"`
}

// Pace is how long a table's rows were being read, and how much of that
// time datakart was busy scanning them (detectors and counting). Reading
// and scanning overlap: the rest of the time, datakart waited for rows, so
// a busy share well under 1 means the database and its driver set the
// pace, and one near 1 that datakart did.
type Pace struct {
	ReadSeconds float64 `json:"read_seconds"`
	BusySeconds float64 `json:"busy_seconds"`
}

// BusyShare is BusySeconds over ReadSeconds, from 0 to 1.
func (p Pace) BusyShare() float64 {
	if p.ReadSeconds <= 0 {
		return 0
	}
	return min(p.BusySeconds/p.ReadSeconds, 1)
}

// Field is a column, a JSON path, a spreadsheet column, or "" for the whole
// text of a file.
type Field struct {
	Name string `json:"name"`
	// Type is the declared type where a schema gives one; Line is where a
	// schema file (a migration) defines the field.
	Type       string     `json:"type,omitempty"`
	Line       int        `json:"line,omitempty"`
	Examined   int64      `json:"examined"`
	NonNull    int64      `json:"non_null"`
	Categories []Category `json:"categories"`
}

// Category is the evidence for one category of personal data in one field.
type Category struct {
	ID    string `json:"id"`
	Class string `json:"class"`
	// Personal is false for categories that are only context (no_orgnr,
	// kid).
	Personal bool   `json:"personal"`
	Variants Counts `json:"variants"`
	// Confidence is the verdict for the field; Explanation says why in one
	// line a person can check.
	Confidence  detectors.Confidence `json:"confidence"`
	Explanation string               `json:"explanation"`
	// Matches is the number of validated matches; MatchedValues how many
	// values held at least one; Distinct how many different values matched
	// (counted by a 64-bit hash of each value; past 16384 a lower bound,
	// which the explanation says); Share = MatchedValues / non-null values
	// examined.
	Matches       int64   `json:"matches"`
	MatchedValues int64   `json:"matched_values"`
	Examined      int64   `json:"examined"`
	Distinct      int64   `json:"distinct"`
	Share         float64 `json:"share"`
	// WithContext counts matches that had a context word nearby.
	WithContext int64 `json:"with_context"`
	// ByConfidence counts matches by their own confidence.
	ByConfidence Counts `json:"by_confidence"`
	// Reasons counts matches by why they validated ("checksum and date",
	// "checksum (2032 rule) and date", "Luhn and issuer prefix (a public
	// test card number)").
	Reasons  Counts `json:"reasons,omitempty"`
	NameHint bool   `json:"name_hint"`
	NameRule string `json:"name_rule,omitempty"`
	// Lines are the first lines the category was found on, for files.
	Lines []int `json:"lines,omitempty"`
	// Examples are masked (shape only); Fingerprints are keyed HMAC-SHA256
	// of the first distinct values, truncated; Values are raw and present
	// only when the scan was asked for them.
	Examples     []string `json:"examples"`
	Fingerprints []string `json:"fingerprints"`
	Values       []string `json:"values,omitempty"`
}

// Shown returns the examples a report shows: the raw values where the scan
// was asked for them (--show-values raw), else the masked examples.
func (c *Category) Shown() []string {
	if len(c.Values) > 0 {
		return c.Values
	}
	return c.Examples
}

// Error is a failure recorded during the scan; the scan went on.
type Error struct {
	Store     string `json:"store"`
	Container string `json:"container,omitempty"`
	Message   string `json:"message"`
}

// Skip is a container deliberately not read, with the reason.
type Skip struct {
	Store     string `json:"store"`
	Container string `json:"container"`
	Reason    string `json:"reason"`
}

// Totals sum up the inventory.
type Totals struct {
	Stores     int   `json:"stores"`
	Containers int   `json:"containers"`
	Fields     int   `json:"fields"`
	Values     int64 `json:"values"`
	Bytes      int64 `json:"bytes"`
	Errors     int   `json:"errors"`
	Skipped    int   `json:"skipped"`
	// ByCategory and ByClass count the fields holding each category or
	// GDPR class, at each confidence.
	ByCategory map[string]Count `json:"by_category"`
	ByClass    map[string]Count `json:"by_class"`
}

// Count is a number of fields (locations) at each confidence, and the
// matches in them.
type Count struct {
	Locations int   `json:"locations"`
	High      int   `json:"high"`
	Medium    int   `json:"medium"`
	Low       int   `json:"low"`
	Matches   int64 `json:"matches"`
}

// ComputeTotals fills Totals from the stores, errors and skips.
func (inv *Inventory) ComputeTotals() {
	t := Totals{ByCategory: map[string]Count{}, ByClass: map[string]Count{}}
	t.Stores = len(inv.Stores)
	t.Errors = len(inv.Errors)
	t.Skipped = len(inv.Skipped)
	for _, s := range inv.Stores {
		t.Containers += len(s.Containers)
		for _, c := range s.Containers {
			t.Fields += len(c.Fields)
			t.Values += c.Values
			t.Bytes += c.Bytes
			for _, f := range c.Fields {
				classes := map[string]detectors.Confidence{}
				for _, cat := range f.Categories {
					t.ByCategory[cat.ID] = t.ByCategory[cat.ID].add(cat.Confidence, cat.Matches)
					if cat.Confidence > classes[cat.Class] {
						classes[cat.Class] = cat.Confidence
					}
				}
				for class, conf := range classes {
					t.ByClass[class] = t.ByClass[class].add(conf, 0)
				}
			}
		}
	}
	inv.Totals = t
}

func (c Count) add(conf detectors.Confidence, matches int64) Count {
	c.Locations++
	c.Matches += matches
	switch conf {
	case detectors.High:
		c.High++
	case detectors.Medium:
		c.Medium++
	case detectors.Low:
		c.Low++
	}
	return c
}

// Write encodes the inventory as indented JSON, as json.Encoder with an
// indent of two spaces does, but a container at a time: marshalled
// whole, the inventory of a tree of 50,000 small files (250 MB of JSON)
// was held in memory twice over and took a third of the run.
func (inv *Inventory) Write(w io.Writer) error { return inv.write(w, true) }

// WriteCompact is Write without the indentation, as json.Encoder writes
// by default: for machines, which read it a third faster.
func (inv *Inventory) WriteCompact(w io.Writer) error { return inv.write(w, false) }

func (inv *Inventory) write(w io.Writer, pretty bool) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	sp := splicer{w: bw, pretty: pretty}
	shell := *inv
	shell.Stores = nil
	err := sp.array(shell, "", "stores", inv.Stores == nil, len(inv.Stores), func(i int, indent string) error {
		store := inv.Stores[i]
		shell := store
		shell.Containers = nil
		return sp.array(shell, indent, "containers", store.Containers == nil, len(store.Containers), func(j int, indent string) error {
			b, err := sp.marshal(store.Containers[j], indent)
			if err == nil {
				_, err = bw.Write(b)
			}
			return err
		})
	})
	if err != nil {
		return err
	}
	bw.WriteByte('\n')
	return bw.Flush()
}

// splicer writes JSON values with one array field written an element at
// a time, indented or not.
type splicer struct {
	w      *bufio.Writer
	pretty bool
}

func (sp splicer) marshal(v any, indent string) ([]byte, error) {
	if sp.pretty {
		return json.MarshalIndent(v, indent, "  ")
	}
	return json.Marshal(v)
}

// array writes v indented at indent, with the array of its field key
// (null in v) written by item, one element at a time, each at the indent
// it is given.
func (sp splicer) array(v any, indent, key string, isNil bool, n int, item func(i int, indent string) error) error {
	b, err := sp.marshal(v, indent)
	if err != nil {
		return err
	}
	// Where the array's key, its elements and its closing bracket begin.
	field, elem, end := "\n"+indent+"  ", "\n"+indent+"    ", "\n"+indent+"  "
	name := `"` + key + `": `
	if !sp.pretty {
		field, elem, end = "", "", ""
		name = `"` + key + `":`
	}
	// No string holds this: its quotes would be escaped.
	before, after, ok := bytes.Cut(b, []byte(field+name+"null"))
	if !ok {
		return fmt.Errorf("inventory: no %s in %T", key, v)
	}
	w := sp.w
	w.Write(before)
	w.WriteString(field + name)
	switch {
	case isNil:
		w.WriteString("null")
	case n == 0:
		w.WriteString("[]")
	default:
		w.WriteString("[")
		for i := range n {
			if i > 0 {
				w.WriteString(",")
			}
			w.WriteString(elem)
			if err := item(i, indent+"    "); err != nil {
				return err
			}
		}
		w.WriteString(end + "]")
	}
	_, err = w.Write(after)
	return err
}

// Read decodes an inventory written by Write, refusing a newer schema.
//
// It decodes with go-json-experiment's streaming decoder: encoding/json's
// Decoder buffers the whole value and grows its buffer as it goes, and two
// inventories of 50,000 files took 4.6 s and 515 MB to diff, three
// quarters of it reading them. Invalid UTF-8 and a repeated name are let
// through, as encoding/json lets them, for an inventory edited by hand.
func Read(r io.Reader) (*Inventory, error) {
	var inv Inventory
	if err := jsonv2.UnmarshalRead(r, &inv, jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true)); err != nil {
		return nil, fmt.Errorf("read inventory: %w", err)
	}
	if inv.SchemaVersion == 0 {
		// A check's JSON report, a SARIF file, any other JSON.
		return nil, errors.New("read inventory: not a datakart inventory (no schema_version; write one with scan --format json)")
	}
	if inv.SchemaVersion > SchemaVersion {
		return nil, fmt.Errorf("read inventory: schema_version %d is not supported (this datakart reads up to %d)", inv.SchemaVersion, SchemaVersion)
	}
	return &inv, nil
}

// ReadFile reads an inventory from a JSON file.
func ReadFile(path string) (*Inventory, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f)
}
