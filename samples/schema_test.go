package samples

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Every sample's expected report is valid against docs/report.schema.json,
// the contract docs/report.md describes; and the schema rejects a report
// whose known field has the wrong type, so it checks something.
func TestReportsMatchSchema(t *testing.T) {
	const path = "../docs/report.schema.json"
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(path, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(path)
	if err != nil {
		t.Fatal(err)
	}
	goldens, _ := filepath.Glob("*/expected.json")
	if len(goldens) < 10 {
		t.Fatalf("only %d expected.json files", len(goldens))
	}
	var one map[string]any
	for _, g := range goldens {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
		if err != nil {
			t.Fatalf("%s: %v", g, err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s: %v", g, err)
		}
		if one == nil {
			json.Unmarshal(b, &one)
		}
	}
	// An added field passes; a known field of the wrong type fails.
	one["a_field_added_later"] = map[string]any{"x": 1}
	if err := sch.Validate(roundTrip(t, one)); err != nil {
		t.Errorf("an added field is refused: %v", err)
	}
	one["summary"].(map[string]any)["records"] = "many"
	if err := sch.Validate(roundTrip(t, one)); err == nil {
		t.Error("summary.records as a string passed the schema")
	}
}

func roundTrip(t *testing.T, v any) any {
	b, _ := json.Marshal(v)
	out, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}
