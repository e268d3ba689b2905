package baseline

import (
	"reflect"
	"testing"

	"exlog/report"
)

func finding(id, key string, sev report.Severity, count int) report.Finding {
	return report.Finding{ID: id, Key: key, Severity: sev, Count: count}
}

// Apply keeps what is new by id + key, counts a rise in severity as new
// but not a rise in count, recounts the summary and names the baseline.
func TestApply(t *testing.T) {
	base := &report.Report{Findings: []report.Finding{
		finding("network.dns", "a.example", report.SeverityError, 3),
		finding("network.dns", "a.example", report.SeverityWarning, 1), // the higher severity of one instance counts
		finding("sync.slow", "", report.SeverityWarning, 1),
		finding("auth.expired", "u1", report.SeverityError, 1),
	}}
	rep := &report.Report{
		Findings: []report.Finding{
			finding("network.dns", "a.example", report.SeverityError, 9),   // known, more often: not new
			finding("network.dns", "b.example", report.SeverityError, 1),   // another key: new
			finding("sync.slow", "", report.SeverityCritical, 1),           // severity rose: new
			finding("auth.expired", "u1", report.SeverityWarning, 1),       // severity fell: not new
			finding("proxy.auth", "", report.SeverityInfo, 1),              // another id: new
			finding("network.dns", "A.EXAMPLE", report.SeverityWarning, 1), // keys compare exactly
		},
		Summary: report.Summary{Findings: map[string]int{"error": 3, "critical": 1, "warning": 2, "info": 1}},
	}
	if n := Apply(rep, base, "last.json"); n != 2 {
		t.Errorf("dropped %d, want 2", n)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.ID+"["+f.Key+"] "+f.Severity.String())
	}
	want := []string{"network.dns[b.example] error", "sync.slow[] critical", "proxy.auth[] info", "network.dns[A.EXAMPLE] warning"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("kept %q, want %q", got, want)
	}
	if w := map[string]int{"critical": 1, "error": 1, "warning": 1, "info": 1}; !reflect.DeepEqual(rep.Summary.Findings, w) {
		t.Errorf("summary %v, want %v", rep.Summary.Findings, w)
	}
	if rep.Summary.Extra[ExtraDropped] != "2" || rep.Summary.Extra[ExtraName] != "last.json" {
		t.Errorf("extra %v", rep.Summary.Extra)
	}
}

// A report equal to its baseline keeps nothing; the summary still names
// every severity, with 0; Extra already set is kept.
func TestApplySameReport(t *testing.T) {
	fs := []report.Finding{finding("a", "", report.SeverityError, 1), finding("b", "k", report.SeverityInfo, 2)}
	rep := &report.Report{Findings: append([]report.Finding(nil), fs...), Summary: report.Summary{Extra: map[string]string{"other": "x"}}}
	if n := Apply(rep, &report.Report{Findings: fs}, "r.json"); n != 2 || len(rep.Findings) != 0 {
		t.Fatalf("dropped %d, kept %v", n, rep.Findings)
	}
	if w := map[string]int{"critical": 0, "error": 0, "warning": 0, "info": 0}; !reflect.DeepEqual(rep.Summary.Findings, w) {
		t.Errorf("summary %v, want %v", rep.Summary.Findings, w)
	}
	if rep.Summary.Extra["other"] != "x" || rep.Summary.Extra[ExtraDropped] != "2" {
		t.Errorf("extra %v", rep.Summary.Extra)
	}
}

// An empty baseline drops nothing and says so.
func TestApplyEmptyBaseline(t *testing.T) {
	rep := &report.Report{Findings: []report.Finding{finding("a", "", report.SeverityWarning, 1)}}
	if n := Apply(rep, &report.Report{}, "empty.json"); n != 0 || len(rep.Findings) != 1 || rep.Summary.Extra[ExtraDropped] != "0" || rep.Summary.Findings["warning"] != 1 {
		t.Errorf("dropped %d, kept %v, summary %+v", n, rep.Findings, rep.Summary)
	}
}
