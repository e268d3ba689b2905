package samples_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"exlog/analyze"
	"exlog/analyze/unmatched"
	"exlog/patterns"
	"exlog/report"
)

// readmeTemplates reads the unmatched templates a sample's README (written
// by the generator from what it emitted) says a correct analysis lists:
// lines "  - TYPE ×N: `TEMPLATE`".
func readmeTemplates(t *testing.T, sample string) []report.Template {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sample, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?m)^  - (error|warning|critical) ×(\\d+): `(.+)`$")
	var out []report.Template
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		n, _ := strconv.Atoi(m[2])
		out = append(out, report.Template{Type: m[1], Count: n, Template: m[3]})
	}
	if len(out) == 0 {
		t.Fatalf("%s/README.md lists no unmatched templates", sample)
	}
	return out
}

// TestUnmatchedTemplatesOfUnknownErrors: the sample logs three kinds of
// error no pattern knows; the report must group them into exactly those
// three templates with the generator's counts, each with an example and
// an origin.
func TestUnmatchedTemplatesOfUnknownErrors(t *testing.T) {
	want := readmeTemplates(t, "unknown-errors")
	rep, err := analyze.Run([]string{"unknown-errors/bundle.zip"}, analyze.Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	got := rep.Unmatched
	if len(got) != len(want) {
		t.Fatalf("%d unmatched templates, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g := got[i]
		if g.Type != want[i].Type || g.Count != want[i].Count || g.Template != want[i].Template {
			t.Errorf("template %d: got %s ×%d %q, want %s ×%d %q", i, g.Type, g.Count, g.Template, want[i].Type, want[i].Count, want[i].Template)
		}
		if unmatched.Template(g.Example) != g.Template || !strings.HasPrefix(g.Origin, "bundle.zip!Logs/Connector") {
			t.Errorf("template %d: example %q / origin %q do not fit", i, g.Example, g.Origin)
		}
	}
	for _, f := range rep.Findings {
		if f.Severity >= report.SeverityWarning {
			t.Errorf("unexpected finding %s: %s", f.ID, f.Title)
		}
	}
}

// TestSuggestedPatternsExplainTheirTemplates: the skeletons written by
// `exlog patterns suggest`, added as user patterns, lint clean, pass their
// own examples, explain every listed template (the unmatched list shrinks
// to nothing) and fire with the templates' counts.
func TestSuggestedPatternsExplainTheirTemplates(t *testing.T) {
	for _, sample := range []string{"unknown-errors", "warning-level"} {
		t.Run(sample, func(t *testing.T) {
			path := sampleInputs(t)[sample]
			before, err := analyze.Run([]string{path}, analyze.Options{Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			if len(before.Unmatched) == 0 {
				t.Fatal("no unmatched templates to suggest from")
			}
			var buf bytes.Buffer
			if err := unmatched.Suggest(&buf, before.Unmatched, sample); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "suggested.exlog"), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			own, err := patterns.LoadFS(os.DirFS(dir), ".")
			if err != nil {
				t.Fatalf("suggested file does not load:\n%v\n%s", err, buf.String())
			}
			if w := own.Warnings(); len(w) > 0 {
				t.Errorf("suggested file is not lint clean:\n%v", w)
			}
			for _, r := range own.Test() {
				if !r.Passed() {
					t.Errorf("suggested example fails: %s", r)
				}
			}
			lib, err := patterns.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			after, err := analyze.Run([]string{path}, analyze.Options{Version: "test", Library: lib})
			if err != nil {
				t.Fatal(err)
			}
			if len(after.Unmatched) != 0 {
				t.Errorf("still unmatched with the suggested patterns: %+v", after.Unmatched)
			}
			counts := map[string]int{}
			for _, f := range after.Findings {
				if strings.HasPrefix(f.ID, "custom.") {
					counts[f.ID] += f.Count
				}
			}
			for _, tm := range before.Unmatched {
				id := "custom." + unmatched.Slug(tm.Template)
				if counts[id] != tm.Count {
					t.Errorf("%s fired %d times, want %d (template %q)", id, counts[id], tm.Count, tm.Template)
				}
			}
		})
	}
}

// TestHealthySamplesExplainEverything: a healthy bundle has no error or
// warning message that the library and the sync checks do not explain.
func TestHealthySamplesExplainEverything(t *testing.T) {
	n := 0
	for name, r := range loadExpected(t) {
		if !strings.HasPrefix(name, "healthy") {
			continue
		}
		n++
		for _, u := range r.Unmatched {
			t.Errorf("healthy sample %s: unmatched %s ×%d: %s", name, u.Type, u.Count, u.Template)
		}
	}
	if n == 0 {
		t.Fatal("no healthy sample")
	}
}
