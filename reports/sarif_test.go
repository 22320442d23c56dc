package reports

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"datakart/check"
	"datakart/detectors"
	"datakart/inventory"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

func sarifFixture() *check.Result {
	return &check.Result{
		FailOn: detectors.Medium, Failed: 3, Complete: true,
		Unread: []inventory.Error{{Store: "mysql://ci:xxxxx@db/crm", Message: "connect: access denied"}},
		Findings: []check.Finding{
			{StoreKind: "migrations", Store: "/repo/migrations", Container: "002_add_fnr.sql!kunder", Field: "fodselsnummer", Line: 4,
				Category: "no_fnr", Class: "national_id", Confidence: detectors.Medium, Explanation: `column name "fodselsnummer" suggests no_fnr`, Status: check.Undeclared, Fails: true},
			{StoreKind: "postgres", Store: "postgres://ci@db/app", Container: "public.kunder", Field: "epost",
				Category: "email", Class: "ordinary", Confidence: detectors.High, Explanation: "20 of 20 values hold a valid email", Status: check.Undeclared, Fails: true},
			{StoreKind: "files", Store: "/repo", Container: "a.csv", Field: "x", Category: "phone", Confidence: detectors.Low, Status: check.Undeclared},
			{StoreKind: "files", Store: "/repo", Container: "logs.zip!app.log", Line: 120,
				Category: "email", Class: "ordinary", Confidence: detectors.High, Explanation: "3 valid email", Status: check.Undeclared, Fails: true},
		},
	}
}

// TestSARIFValidatesAgainstTheSchema checks the output against the SARIF
// 2.1.0 JSON schema (testdata/sarif-2.1.0-rtm.5.json, as shipped in the
// npm package @microsoft/jest-sarif 1.0.0-beta.0, MIT).
func TestSARIFValidatesAgainstTheSchema(t *testing.T) {
	var out bytes.Buffer
	if err := SARIF(&out, sarifFixture()); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("testdata/sarif-2.1.0-rtm.5.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	schemaDoc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif-2.1.0.json", schemaDoc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("sarif-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(doc); err != nil {
		t.Fatalf("SARIF does not validate: %v\n%s", err, out.String())
	}

	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
						Region           struct{ StartLine int } `json:"region"`
					} `json:"physicalLocation"`
					LogicalLocations []struct {
						FullyQualifiedName string `json:"fullyQualifiedName"`
					} `json:"logicalLocations"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(out.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	rs := log.Runs[0].Results
	if len(rs) != 3 {
		t.Fatalf("%d results, want the 3 failing findings", len(rs))
	}
	mig := rs[0].Locations[0].PhysicalLocation
	if rs[0].RuleID != "no_fnr" || mig == nil || !strings.HasSuffix(mig.ArtifactLocation.URI, "migrations/002_add_fnr.sql") || mig.Region.StartLine != 4 {
		t.Errorf("migration result: %+v %+v", rs[0], mig)
	}
	if got := rs[1].Locations[0].LogicalLocations[0].FullyQualifiedName; got != "db/db/app/public.kunder.epost" {
		t.Errorf("database result location %q", got)
	}
	// In an archive: the archive, no line (the member's is not the
	// archive's), and the member named.
	if zip := rs[2].Locations[0]; zip.PhysicalLocation == nil || zip.PhysicalLocation.ArtifactLocation.URI != "/repo/logs.zip" ||
		zip.PhysicalLocation.Region.StartLine != 0 || len(zip.LogicalLocations) != 1 || zip.LogicalLocations[0].FullyQualifiedName != "logs.zip!app.log" {
		t.Errorf("archive member result: %+v", zip)
	}
	// The store it could not read makes a run that did not succeed.
	var runs struct {
		Runs []struct {
			Invocations []struct {
				ExecutionSuccessful bool `json:"executionSuccessful"`
				Notifications       []struct {
					Message struct{ Text string } `json:"message"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(out.Bytes(), &runs); err != nil {
		t.Fatal(err)
	}
	if inv := runs.Runs[0].Invocations; len(inv) != 1 || inv[0].ExecutionSuccessful || len(inv[0].Notifications) != 1 ||
		!strings.Contains(inv[0].Notifications[0].Message.Text, "mysql://ci:xxxxx@db/crm: connect: access denied") {
		t.Errorf("invocations: %+v", inv)
	}
}

// A database's logical location names its host and database, without
// user, password or options.
func TestDatabaseOf(t *testing.T) {
	for store, want := range map[string]string{
		"postgres://ci@db:5432/app?sslmode=disable":       "db/app",
		"postgres://ci@db:6432/app":                       "db:6432/app",
		"postgres://ci:xxxxx@db.example.no/erp":           "db.example.no/erp",
		"mysql://ci:xxxxx@127.0.0.1:3306/crm":             "127.0.0.1/crm",
		"mysql://ci@127.0.0.1/crm":                        "127.0.0.1/crm",
		"mariadb://ci@127.0.0.1:3307/crm":                 "127.0.0.1:3307/crm",
		"ci:xxxxx@tcp(127.0.0.1:3306)/crm?parseTime=true": "127.0.0.1/crm",
		"ci:xxxxx@tcp(127.0.0.1:3307)/crm":                "127.0.0.1:3307/crm",
		"sqlite:/data/app.db":                             "sqlite:/data/app.db",
	} {
		if got := databaseOf(store); got != want {
			t.Errorf("databaseOf(%q) = %q, want %q", store, got, want)
		}
	}
}
