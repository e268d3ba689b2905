package samples_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"exlog/patterns"
	"exlog/report"
)

// loadExpected reads every sample's expected.json.
func loadExpected(t *testing.T) map[string]*report.Report {
	t.Helper()
	out := map[string]*report.Report{}
	for name, path := range sampleInputs(t) {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(path), "expected.json"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var r report.Report
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("%s: expected.json: %v", name, err)
		}
		out[name] = &r
	}
	return out
}

// TestCorpusExercisesEveryPattern fails when a library pattern fires in
// no sample (a dead pattern, or a sample that no longer shows it), and
// when any warning-or-worse finding fires on a healthy sample.
func TestCorpusExercisesEveryPattern(t *testing.T) {
	lib, err := patterns.Load()
	if err != nil {
		t.Fatal(err)
	}
	reports := loadExpected(t)
	fired := map[string][]string{}
	for name, r := range reports {
		for _, f := range r.Findings {
			fired[f.ID] = append(fired[f.ID], name)
		}
	}
	for _, p := range lib.Patterns() {
		if len(fired[p.ID]) == 0 {
			t.Errorf("library pattern %s (%s:%s) fires in no sample: add a sample that shows it, or fix the pattern", p.ID, p.File, p.Pos)
		}
	}
	var names []string
	for name := range reports {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !strings.HasPrefix(name, "healthy") {
			continue
		}
		r := reports[name]
		for _, f := range r.Findings {
			if f.Severity >= report.SeverityWarning || lib.Pattern(f.ID) != nil {
				t.Errorf("healthy sample %s: finding %s (%s) fired: %s", name, f.ID, f.Severity, f.Title)
			}
		}
		if r.Verdict == nil || r.Verdict.State != "healthy" {
			t.Errorf("healthy sample %s: verdict %+v", name, r.Verdict)
		}
	}
}
