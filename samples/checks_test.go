package samples_test

import (
	"testing"

	"exlog/analyze"
	"exlog/patterns"
)

// Issue 22.2: analyze.Checks is the one list of the Go checks' ids. Every
// finding a Go check raised in the corpus is in it, and no id is both a
// check and a library pattern.
func TestChecksRegistry(t *testing.T) {
	ids := map[string]bool{}
	for _, c := range analyze.Checks() {
		if ids[c.ID] {
			t.Errorf("check %s listed twice", c.ID)
		}
		ids[c.ID] = true
	}
	lib, err := patterns.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range lib.Patterns() {
		if ids[p.ID] {
			t.Errorf("%s is both a library pattern and a Go check", p.ID)
		}
	}
	seen := map[string]bool{}
	for name, r := range loadExpected(t) {
		for _, f := range r.Findings {
			if f.Source == "check" && !ids[f.ID] {
				t.Errorf("%s: check finding %s is not in analyze.Checks", name, f.ID)
			}
			seen[f.ID] = true
		}
	}
	for id := range ids {
		if !seen[id] {
			t.Logf("check %s fires in no sample", id)
		}
	}
}
