package output_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"exlog/analyze"
	"exlog/output"
	"exlog/patterns"
	"exlog/report"
)

// ciSamples are analysed once for the CI-format tests: findings with
// keys, with line and byte-offset evidence, Go checks, unmatched messages.
var ciSamples = []string{"network-errors", "discovery-problems", "service-logon", "unknown-errors", "exchange-errors"}

func ciReports(t *testing.T) map[string]*report.Report {
	t.Helper()
	out := map[string]*report.Report{}
	for _, s := range ciSamples {
		p := "../samples/" + s + "/bundle.zip"
		if _, err := os.Stat(p); err != nil {
			p = "../samples/" + s + "/bundle"
		}
		r, err := analyze.Run([]string{p}, analyze.Options{Version: "test"})
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		out[s] = r
	}
	return out
}

func libraryRules(t *testing.T) []output.Rule {
	lib, err := patterns.Load()
	if err != nil {
		t.Fatal(err)
	}
	var rules []output.Rule
	for _, p := range lib.Patterns() {
		rules = append(rules, output.Rule{ID: p.ID, Title: p.Title, Severity: p.Severity, Docs: p.Docs, Source: "pattern:" + p.File})
	}
	return rules
}

func compileSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(path, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s
}

// TestSARIFValidates validates the SARIF of several samples against the
// SARIF 2.1.0 rules in testdata (and the official schema when present),
// and checks what the schema cannot: rule ids and indexes agree, levels
// follow severities, every result has a location whose URI is the origin.
func TestSARIFValidates(t *testing.T) {
	schemas := map[string]*jsonschema.Schema{"emitted": compileSchema(t, "testdata/sarif-2.1.0-emitted.schema.json")}
	// The official SARIF 2.1.0 schema (see testdata/README.md for its source).
	schemas["official"] = compileSchema(t, "testdata/sarif-schema-2.1.0.json")
	rules := libraryRules(t)
	levels := map[report.Severity]string{report.SeverityCritical: "error", report.SeverityError: "error", report.SeverityWarning: "warning", report.SeverityInfo: "note"}
	for name, r := range ciReports(t) {
		var buf bytes.Buffer
		if err := output.SARIF(&buf, r, output.Options{Rules: rules}); err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		for sn, s := range schemas {
			if err := s.Validate(inst); err != nil {
				t.Errorf("%s: SARIF does not validate against the %s schema: %v", name, sn, err)
			}
		}
		var log struct {
			Runs []struct {
				Tool struct {
					Driver struct {
						Rules []struct {
							ID string `json:"id"`
						} `json:"rules"`
					} `json:"driver"`
				} `json:"tool"`
				Results []struct {
					RuleID    string `json:"ruleId"`
					RuleIndex int    `json:"ruleIndex"`
					Level     string `json:"level"`
					Locations []struct {
						Physical struct {
							Artifact struct {
								URI string `json:"uri"`
							} `json:"artifactLocation"`
							Region *struct {
								StartLine  int    `json:"startLine"`
								ByteOffset *int64 `json:"byteOffset"`
							} `json:"region"`
						} `json:"physicalLocation"`
					} `json:"locations"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
			t.Fatal(err)
		}
		run := log.Runs[0]
		if len(run.Results) != len(r.Findings) {
			t.Errorf("%s: %d results for %d findings", name, len(run.Results), len(r.Findings))
		}
		if len(run.Tool.Driver.Rules) < len(rules) {
			t.Errorf("%s: %d rules, fewer than the library's %d", name, len(run.Tool.Driver.Rules), len(rules))
		}
		for i, res := range run.Results {
			f := r.Findings[i]
			if res.RuleID != f.ID || run.Tool.Driver.Rules[res.RuleIndex].ID != f.ID {
				t.Errorf("%s: result %d: ruleId %s / rules[%d] for finding %s", name, i, res.RuleID, res.RuleIndex, f.ID)
			}
			if res.Level != levels[f.Severity] {
				t.Errorf("%s: %s level %s for severity %s", name, f.ID, res.Level, f.Severity)
			}
			if len(res.Locations) == 0 {
				t.Errorf("%s: %s has no location", name, f.ID)
			}
			for j, loc := range res.Locations {
				if j >= len(f.Evidence) {
					break
				}
				ev := f.Evidence[j]
				if !strings.HasPrefix(loc.Physical.Artifact.URI, strings.SplitN(ev.Origin, "!", 2)[0]) || !strings.Contains(loc.Physical.Artifact.URI, "!") {
					t.Errorf("%s: %s location %q for origin %q", name, f.ID, loc.Physical.Artifact.URI, ev.Origin)
				}
				switch {
				case ev.Line > 0 && (loc.Physical.Region == nil || loc.Physical.Region.StartLine != ev.Line):
					t.Errorf("%s: %s: line %d not in region %+v", name, f.ID, ev.Line, loc.Physical.Region)
				case ev.Offset != nil && (loc.Physical.Region == nil || loc.Physical.Region.ByteOffset == nil || *loc.Physical.Region.ByteOffset != *ev.Offset):
					t.Errorf("%s: %s: offset %d not in region", name, f.ID, *ev.Offset)
				}
			}
		}
	}
}

// TestSARIFSchemaRejects makes sure the validation can fail: a level
// outside the enum and a missing message are refused.
func TestSARIFSchemaRejects(t *testing.T) {
	s := compileSchema(t, "testdata/sarif-2.1.0-emitted.schema.json")
	for _, bad := range []string{
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"exlog"}},"results":[{"ruleId":"a.b","level":"fatal","message":{"text":"x"}}]}]}`,
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"exlog"}},"results":[{"ruleId":"a.b"}]}]}`,
		`{"version":"2.0.0","runs":[]}`,
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"exlog"}},"results":[{"message":{"text":"x"},"bogus":1}]}]}`,
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"exlog","rules":[{"id":"a.b","helpUri":"not a uri"}]}}}]}`,
	} {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		if s.Validate(inst) == nil {
			t.Errorf("accepted: %s", bad)
		}
	}
}

// junit10 is the structure of the Jenkins xUnit plugin's junit-10.xsd
// (jenkinsci/xunit-plugin, src/main/resources/org/jenkinsci/plugins/
// xunit/types/model/xsd/junit-10.xsd): for each element, its required
// and allowed attributes and allowed child elements, and whether it holds
// text. There is no XSD validator in the standard library; this table is
// read from the XSD and checked by hand.
var junit10 = map[string]struct {
	required, allowed, children []string
	text                        bool
}{
	"testsuites":   {nil, []string{"name", "time", "tests", "failures", "errors"}, []string{"testsuite"}, false},
	"testsuite":    {[]string{"name", "tests", "failures", "errors"}, []string{"group", "time", "skipped", "timestamp", "hostname", "id", "package", "file", "log", "url"}, []string{"testsuite", "properties", "testcase", "system-out", "system-err"}, false},
	"testcase":     {[]string{"name"}, []string{"time", "classname", "group"}, []string{"skipped", "error", "failure", "rerunFailure", "rerunError", "flakyFailure", "flakyError", "system-out", "system-err"}, false},
	"failure":      {nil, []string{"type", "message"}, nil, true},
	"error":        {nil, []string{"type", "message"}, nil, true},
	"skipped":      {nil, []string{"type", "message"}, nil, true},
	"properties":   {nil, nil, []string{"property"}, false},
	"property":     {[]string{"name", "value"}, nil, nil, false},
	"system-out":   {nil, nil, nil, true},
	"system-err":   {nil, nil, nil, true},
	"rerunFailure": {[]string{"type"}, []string{"message"}, []string{"stackTrace", "system-out", "system-err"}, true},
}

// surefireTime is junit-10.xsd's SUREFIRE_TIME pattern (XSD patterns
// match the whole value).
var surefireTime = regexp.MustCompile(`^(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?$`)

type xnode struct {
	name     string
	attrs    map[string]string
	children []*xnode
	text     string
}

func parseXML(t *testing.T, b []byte) *xnode {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	var stack []*xnode
	var root *xnode
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			n := &xnode{name: x.Name.Local, attrs: map[string]string{}}
			if x.Name.Space != "" {
				t.Errorf("element %s in namespace %s", x.Name.Local, x.Name.Space)
			}
			for _, a := range x.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(x)
			}
		}
	}
	return root
}

// errorer is what checkJUnit10 reports to (*testing.T, or a recorder).
type errorer interface{ Errorf(format string, a ...any) }

type recorder struct{ n int }

func (r *recorder) Errorf(string, ...any) { r.n++ }

func checkJUnit10(t errorer, n *xnode, path string) {
	rule, ok := junit10[n.name]
	if !ok {
		t.Errorf("%s: element <%s> is not in junit-10.xsd", path, n.name)
		return
	}
	for _, a := range rule.required {
		if _, ok := n.attrs[a]; !ok {
			t.Errorf("%s: <%s> lacks required attribute %s", path, n.name, a)
		}
	}
	for a, v := range n.attrs {
		if !contains(rule.required, a) && !contains(rule.allowed, a) {
			t.Errorf("%s: <%s> has attribute %s, not allowed by junit-10.xsd", path, n.name, a)
		}
		if a == "time" && (n.name == "testsuite" || n.name == "testsuites") && !surefireTime.MatchString(v) {
			t.Errorf("%s: time %q does not match SUREFIRE_TIME", path, v)
		}
	}
	if !rule.text && strings.TrimSpace(n.text) != "" {
		t.Errorf("%s: <%s> holds text", path, n.name)
	}
	for i, c := range n.children {
		if !contains(rule.children, c.name) {
			t.Errorf("%s: <%s> may not contain <%s>", path, n.name, c.name)
		}
		checkJUnit10(t, c, fmt.Sprintf("%s/%s[%d]", path, c.name, i))
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// TestJUnitFollowsJUnit10XSD checks the JUnit output element by element
// against junit-10.xsd's rules, and its counts and verdicts: one test
// case per rule (plus "unmatched"), failed exactly when the rule fired at
// or above the threshold.
func TestJUnitFollowsJUnit10XSD(t *testing.T) {
	rules := libraryRules(t)
	for name, r := range ciReports(t) {
		for _, failOn := range []report.Severity{report.SeverityInvalid, report.SeverityError} {
			var buf bytes.Buffer
			if err := output.JUnit(&buf, r, output.Options{Rules: rules, FailOn: failOn, Title: name}); err != nil {
				t.Fatal(err)
			}
			root := parseXML(t, buf.Bytes())
			if root == nil || root.name != "testsuites" {
				t.Fatalf("%s: root element %+v", name, root)
			}
			checkJUnit10(t, root, "/testsuites")
			suite := root.children[0]
			th := failOn
			if th == report.SeverityInvalid {
				th = output.CIFailOn
			}
			want := map[string]bool{}
			for _, f := range r.Findings {
				if f.Severity >= th {
					want[f.ID] = true
				}
			}
			failures := 0
			cases := 0
			for _, tc := range suite.children {
				if tc.name != "testcase" {
					continue
				}
				cases++
				failed := false
				for _, c := range tc.children {
					if c.name == "failure" {
						failed = true
					}
				}
				if failed {
					failures++
				}
				if id := tc.attrs["name"]; id != "unmatched" && failed != want[id] {
					t.Errorf("%s (fail-on %s): test case %s failed=%v, want %v", name, failOn, id, failed, want[id])
				}
			}
			if cases < len(rules)+1 {
				t.Errorf("%s: %d test cases for %d rules", name, cases, len(rules))
			}
			if strconv.Itoa(cases) != suite.attrs["tests"] || strconv.Itoa(failures) != suite.attrs["failures"] || strconv.Itoa(len(want)) != suite.attrs["failures"] {
				t.Errorf("%s: tests=%s failures=%s; counted %d cases, %d failures, want %d", name, suite.attrs["tests"], suite.attrs["failures"], cases, failures, len(want))
			}
		}
	}
}

// TestJUnitCheckCatchesViolations: the structural check fails on
// documents that break junit-10.xsd.
func TestJUnitCheckCatchesViolations(t *testing.T) {
	for _, bad := range []string{
		`<testsuites><testsuite name="a" tests="1" failures="0"><testcase name="x"/></testsuite></testsuites>`,                     // no errors attr
		`<testsuites><testsuite name="a" tests="1" failures="0" errors="0"><testcase file="f" name="x"/></testsuite></testsuites>`, // file on testcase
		`<testsuites><testsuite name="a" tests="1" failures="0" errors="0"><failure/></testsuite></testsuites>`,                    // failure outside a testcase
		`<testsuites><testsuite name="a" tests="1" failures="0" errors="0" time="1.5s"/></testsuites>`,                             // time pattern
	} {
		rec := &recorder{}
		checkJUnit10(rec, parseXML(t, []byte(bad)), "/")
		if rec.n == 0 {
			t.Errorf("accepted: %s", bad)
		}
	}
}
