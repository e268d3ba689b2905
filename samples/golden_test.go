// Package samples_test checks every sample bundle's report against the
// expected.json beside it.
package samples_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"exlog/analyze"
	"exlog/output"
	"exlog/report"
	reportdiff "exlog/report/diff"
)

var update = flag.Bool("update", os.Getenv("EXLOG_UPDATE_GOLDEN") != "", "rewrite the samples' expected reports (or set EXLOG_UPDATE_GOLDEN=1)")

// sampleInputs lists each sample of the corpus with the path exlog is
// given: samples/NAME/bundle.zip, or the folder samples/NAME/bundle.
func sampleInputs(t *testing.T) map[string]string {
	t.Helper()
	dirs, err := filepath.Glob("*")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range dirs {
		for _, cand := range []string{"bundle.zip", "bundle"} {
			p := filepath.Join(d, cand)
			if _, err := os.Stat(p); err == nil {
				out[filepath.Base(d)] = p
				break
			}
		}
	}
	return out
}

// analyzeJSON runs the analysis the way `exlog analyze --format json` does.
func analyzeJSON(t *testing.T, path string) string {
	t.Helper()
	rep, err := analyze.Run([]string{path}, analyze.Options{Version: "golden"})
	if err != nil {
		t.Fatalf("analyze %s: %v", path, err)
	}
	var buf bytes.Buffer
	if err := output.JSON(&buf, rep, output.Options{}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestSamplesGolden compares the JSON report of every sample bundle with
// the expected.json beside it. Refresh with: go test ./samples -update
func TestSamplesGolden(t *testing.T) {
	samples := sampleInputs(t)
	if len(samples) == 0 {
		t.Fatal("no samples found under samples/")
	}
	for name, path := range samples {
		t.Run(name, func(t *testing.T) {
			got := analyzeJSON(t, path)
			want := filepath.Join(filepath.Dir(path), "expected.json")
			if *update {
				if err := os.WriteFile(want, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			exp, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("%v (create it with: go test ./samples -run TestSamplesGolden -update)", err)
			}
			if string(exp) != got {
				t.Errorf("sample %s: report differs from %s (refresh with -update if the change is intended)\n%s\nline diff (- expected, + got):\n%s",
					name, want, semanticDiff(string(exp), got), lineDiff(string(exp), got, 40))
			}
		})
	}
}

// lineDiff shows the differing lines of two texts, "-" for want and "+"
// for got, with their line numbers, at most max lines.
func lineDiff(want, got string, max int) string {
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	// Longest common subsequence on lines; reports are a few thousand lines.
	n, m := len(a), len(b)
	if n*m > 50_000_000 {
		return fmt.Sprintf("(too large to diff: %d vs %d lines)", n, m)
	}
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max32(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var sb strings.Builder
	shown := 0
	i, j := 0, 0
	for (i < n || j < m) && shown < max {
		switch {
		case i < n && j < m && a[i] == b[j]:
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			fmt.Fprintf(&sb, "+%5d %s\n", j+1, b[j])
			j++
			shown++
		default:
			fmt.Fprintf(&sb, "-%5d %s\n", i+1, a[i])
			i++
			shown++
		}
	}
	if shown == max {
		sb.WriteString("… (more differences)\n")
	}
	return sb.String()
}

func max32(x, y int32) int32 {
	if x > y {
		return x
	}
	return y
}

// semanticDiff names what changed in terms a pattern author acts on: the
// findings (id [key]) that appeared, disappeared or changed count or
// severity, unmatched templates, and the sync sessions.
func semanticDiff(want, got string) string {
	var a, b report.Report
	if err := json.Unmarshal([]byte(want), &a); err != nil {
		return "(expected report is not valid JSON: " + err.Error() + ")"
	}
	if err := json.Unmarshal([]byte(got), &b); err != nil {
		return "(report is not valid JSON: " + err.Error() + ")"
	}
	r := reportdiff.Compare("expected", &a, "got", &b)
	var sb strings.Builder
	lines := r.FindingLines(20)
	if len(lines) == 0 {
		sb.WriteString("findings: unchanged (id, key, count, severity)\n")
	} else {
		sb.WriteString("findings changed:\n")
		for _, l := range lines {
			sb.WriteString("  " + l + "\n")
		}
	}
	o, n := r.OldCadence, r.NewCadence
	if o.FullSyncs != n.FullSyncs || o.QuickSyncs != n.QuickSyncs || o.Failed != n.Failed || o.Unfinished != n.Unfinished {
		fmt.Fprintf(&sb, "syncs changed: full %d → %d, quick %d → %d, failed %d → %d, unfinished %d → %d\n",
			o.FullSyncs, n.FullSyncs, o.QuickSyncs, n.QuickSyncs, o.Failed, n.Failed, o.Unfinished, n.Unfinished)
	}
	return sb.String()
}
