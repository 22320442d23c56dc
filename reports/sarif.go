package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"datakart/check"
	"datakart/detectors"
)

// SARIF log types: just what datakart writes, after the SARIF 2.1.0
// schema.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool        sarifTool         `json:"tool"`
		Invocations []sarifInvocation `json:"invocations"`
		Results     []sarifResult     `json:"results"`
	}
	// sarifInvocation says whether the run read all it was asked to, and
	// names what it could not read as notifications.
	sarifInvocation struct {
		ExecutionSuccessful        bool                `json:"executionSuccessful"`
		ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
	}
	sarifNotification struct {
		Level   string    `json:"level"`
		Message sarifText `json:"message"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri,omitempty"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string         `json:"id"`
		Name                 string         `json:"name"`
		ShortDescription     sarifText      `json:"shortDescription"`
		FullDescription      sarifText      `json:"fullDescription"`
		Help                 sarifText      `json:"help"`
		DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
		Properties           map[string]any `json:"properties,omitempty"`
	}
	sarifConfig struct {
		Level string `json:"level"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID              string            `json:"ruleId"`
		RuleIndex           int               `json:"ruleIndex"`
		Level               string            `json:"level"`
		Message             sarifText         `json:"message"`
		Locations           []sarifLocation   `json:"locations"`
		PartialFingerprints map[string]string `json:"partialFingerprints"`
		Properties          map[string]any    `json:"properties,omitempty"`
	}
	sarifLocation struct {
		PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
		LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
	}
	sarifLogical struct {
		FullyQualifiedName string `json:"fullyQualifiedName"`
		Kind               string `json:"kind"`
	}
)

func sarifLevel(c detectors.Confidence) string {
	switch c {
	case detectors.High:
		return "error"
	case detectors.Medium:
		return "warning"
	}
	return "note"
}

// SARIF writes the failing findings of a check as SARIF 2.1.0, as GitHub
// code scanning reads it: one rule per category, a result per undeclared
// finding located by file and line (files and migrations) or by the
// logical location db/host/database/schema.table.column (databases). No
// value, masked or not, is written.
func SARIF(w io.Writer, res *check.Result) error {
	var cats []string
	for _, f := range res.Findings {
		if f.Fails && !slices.Contains(cats, f.Category) {
			cats = append(cats, f.Category)
		}
	}
	slices.Sort(cats)
	driver := sarifDriver{Name: "datakart", Version: res.Tool.Version, Rules: []sarifRule{}}
	classOf := map[string]string{}
	for _, f := range res.Findings {
		classOf[f.Category] = f.Class
	}
	for _, c := range cats {
		driver.Rules = append(driver.Rules, sarifRule{
			ID:                   c,
			Name:                 "Undeclared" + camel(c),
			ShortDescription:     sarifText{"Undeclared personal data: " + c},
			FullDescription:      sarifText{fmt.Sprintf("A location holds personal data of category %s (GDPR class %s) that no policy in datakart.yaml declares.", c, classOf[c])},
			Help:                 sarifText{"Declare the location and category under policy in datakart.yaml (with purpose, legal basis and retention), allow it under allow with a reason, or remove the data."},
			DefaultConfiguration: sarifConfig{Level: "error"},
			Properties:           map[string]any{"tags": []string{"privacy", "gdpr", classOf[c]}},
		})
	}
	cwd, _ := os.Getwd()
	results := []sarifResult{}
	for _, f := range res.Findings {
		if !f.Fails {
			continue
		}
		r := sarifResult{
			RuleID:              f.Category,
			RuleIndex:           slices.Index(cats, f.Category),
			Level:               sarifLevel(f.Confidence),
			Message:             sarifText{fmt.Sprintf("Undeclared %s (%s confidence) in %s: %s", f.Category, f.Confidence, f.Location(), f.Explanation)},
			PartialFingerprints: map[string]string{"datakartFinding/v1": f.ID()},
			Properties:          map[string]any{"confidence": f.Confidence.String(), "class": f.Class, "matches": f.Matches},
		}
		r.Locations = []sarifLocation{location(f, cwd)}
		results = append(results, r)
	}
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{{Tool: sarifTool{Driver: driver}, Invocations: []sarifInvocation{invocation(res)}, Results: results}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

// invocation reports the places the check could not read, and an
// interrupted scan, as a run that did not succeed: a code scanning
// service shows that, where a run without results would look clean.
func invocation(res *check.Result) sarifInvocation {
	inv := sarifInvocation{ExecutionSuccessful: len(res.Unread) == 0 && res.Complete}
	for _, e := range res.Unread {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level: "error", Message: sarifText{fmt.Sprintf("Not checked, could not be read: %s: %s", errorPlace(e), e.Message)},
		})
	}
	if !res.Complete {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level: "error", Message: sarifText{"The scan was interrupted: this check is incomplete."},
		})
	}
	return inv
}

func location(f check.Finding, cwd string) sarifLocation {
	switch f.StoreKind {
	case "files", "migrations":
		file, _, inside := strings.Cut(f.Container, "!")
		// An archive member: point at the archive, and name the member.
		// A migration's table is in its file, and its line is the file's.
		lineOfFile := !inside || f.StoreKind == "migrations"
		path := filepath.Join(f.Store, filepath.FromSlash(file))
		if info, err := os.Stat(f.Store); err == nil && !info.IsDir() {
			path = f.Store
		}
		if rel, err := filepath.Rel(cwd, path); err == nil && !strings.HasPrefix(rel, "..") {
			path = rel
		}
		p := &sarifPhysical{ArtifactLocation: sarifArtifact{URI: filepath.ToSlash(path)}}
		if f.Line > 0 && lineOfFile {
			p.Region = &sarifRegion{StartLine: f.Line}
		}
		loc := sarifLocation{PhysicalLocation: p}
		switch {
		case f.Field != "":
			loc.LogicalLocations = []sarifLogical{{FullyQualifiedName: f.Container + "/" + f.Field, Kind: "member"}}
		case inside && f.StoreKind == "files":
			loc.LogicalLocations = []sarifLogical{{FullyQualifiedName: f.Container, Kind: "member"}}
		}
		return loc
	}
	name := "db/" + databaseOf(f.Store) + "/" + f.Container
	if f.Field != "" {
		name += "." + f.Field
	}
	return sarifLocation{LogicalLocations: []sarifLogical{{FullyQualifiedName: name, Kind: "member"}}}
}

// databaseOf names the database a store's location points at, its host
// and name, without the user, password or options: two databases with a
// table of the same name are two locations, and one database is the same
// location whoever checks it.
//
// A server's default port is left out, whether or not the target gave it:
// a database is the same location whoever checks it.
func databaseOf(store string) string {
	if u, err := url.Parse(store); err == nil && u.Host != "" {
		host := u.Host // postgres://ci@db:5432/app: db/app
		if p := u.Port(); p == defaultPorts[u.Scheme] {
			host = u.Hostname()
		}
		return host + u.Path
	}
	// The MySQL driver's form, ci:xxxxx@tcp(db:3306)/crm?parseTime=true,
	// or a path.
	if at := strings.LastIndex(store, "@"); at >= 0 {
		store = store[at+1:]
	}
	if q := strings.IndexByte(store, '?'); q >= 0 {
		store = store[:q]
	}
	if rest, ok := strings.CutPrefix(store, "tcp("); ok {
		if host, db, ok := strings.Cut(rest, ")"); ok {
			store = strings.TrimSuffix(host, ":"+defaultPorts["mysql"]) + db
		}
	}
	return store
}

// defaultPorts are the ports a database URL may leave out, by scheme.
var defaultPorts = map[string]string{"postgres": "5432", "postgresql": "5432", "mysql": "3306", "mariadb": "3306"}

func camel(id string) string {
	var b strings.Builder
	for _, p := range strings.Split(id, "_") {
		if p != "" {
			b.WriteString(strings.ToUpper(p[:1]) + p[1:])
		}
	}
	return b.String()
}
