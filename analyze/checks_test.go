package analyze

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"exlog/report"
)

// checkCorpus lists the bundles TestChecksRaiseWhatTheyDeclare runs: every
// sample of the corpus (samples/NAME/bundle.zip or samples/NAME/bundle),
// the blind bundles, and a sample beside a cut archive (bundle.unreadable
// fires in no sample alone).
func checkCorpus(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, pat := range []string{"../samples/*/bundle.zip", "../samples/*/bundle", "../testdata/blind/*/bundle.zip"} {
		ps, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			out[p] = []string{p}
		}
	}
	if len(out) < 20 {
		t.Fatalf("only %d bundles found: the corpus moved?", len(out))
	}
	healthy := "../samples/healthy-5days/bundle.zip"
	if _, err := os.Stat(healthy); err != nil {
		t.Fatal(err)
	}
	out["healthy-5days + truncated.zip"] = []string{healthy, "../testdata/nasty/truncated.zip"}
	out["healthy-5days + System-2017.xml"] = []string{healthy, "../testdata/old-eventlog/System-2017.xml"}
	return out
}

// Issue 22.2: a Go check raises only the ids it declares, at no more than
// the declared severity, and every id it declares is raised by it
// somewhere in the corpus; no id is declared twice.
func TestChecksRaiseWhatTheyDeclare(t *testing.T) {
	declared := map[string]int{} // id → index in goChecks
	for i, c := range goChecks {
		if len(c.rules) == 0 {
			t.Errorf("check %d (%s) declares no rule", i, c.where)
		}
		for _, r := range c.rules {
			if j, ok := declared[r.ID]; ok {
				t.Errorf("%s declared by checks %d and %d", r.ID, j, i)
			}
			declared[r.ID] = i
			if r.Title == "" || r.Severity == report.SeverityInvalid {
				t.Errorf("%s: rule without a title or severity: %+v", r.ID, r)
			}
		}
	}
	saved := goChecks
	defer func() { goChecks = saved }()
	raisedBy := map[string]map[int]bool{} // id → checks that raised it
	var where string
	goChecks = make([]goCheck, len(saved))
	for i, c := range saved {
		i, c := i, c
		goChecks[i] = c
		goChecks[i].run = func(in *checkInput) []report.Finding {
			fs := c.run(in)
			for _, f := range fs {
				if raisedBy[f.ID] == nil {
					raisedBy[f.ID] = map[int]bool{}
				}
				raisedBy[f.ID][i] = true
				j, ok := declared[f.ID]
				switch {
				case !ok:
					t.Errorf("%s: check %d (%s) raised %s, which no check declares", where, i, c.where, f.ID)
				case j != i:
					t.Errorf("%s: check %d (%s) raised %s, which check %d declares", where, i, c.where, f.ID, j)
				}
				if f.Source != "check" {
					t.Errorf("%s: %s has source %q, want check", where, f.ID, f.Source)
				}
				for _, r := range c.rules {
					if r.ID == f.ID && f.Severity > r.Severity {
						t.Errorf("%s: %s raised at %s, above its declared %s", where, f.ID, f.Severity, r.Severity)
					}
				}
			}
			return fs
		}
	}
	corpus := checkCorpus(t)
	names := make([]string, 0, len(corpus))
	for n := range corpus {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		where = n
		if _, err := Run(corpus[n], Options{Version: "test"}); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	for id, i := range declared {
		if !raisedBy[id][i] {
			t.Errorf("check %d (%s) declares %s, which it raises in no bundle of the corpus", i, goChecks[i].where, id)
		}
	}
}
