package output

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"exlog/report"
)

// The resolved part and the other programs' part appear in text and HTML.
func TestResolvedAndNotConnectorSections(t *testing.T) {
	t0 := time.Date(2023, 12, 13, 6, 42, 0, 0, time.UTC)
	r := &report.Report{Schema: report.Schema, Inputs: []report.Input{}, Skipped: []report.Skipped{}, Syncs: []report.Sync{}, Findings: []report.Finding{},
		Summary: report.Summary{Findings: map[string]int{}},
		Verdict: &report.Verdict{State: report.StateHealthy, Reasons: []string{"x"}, NextSteps: []string{},
			Resolved: []report.Resolved{{ID: "notify.autodiscover-failed", Title: "Autodiscover failed <for> the notification account", Severity: report.SeverityError,
				Count: 19, First: &t0, Last: &t0, Changes: []string{"ExchangeWebServiceURL is set"}}}},
		NotConnector: []report.OtherProgram{{Host: "EXCONN01", Process: "Contoso.Billing.Host", Sources: []string{"System.ServiceModel"}, Processes: 1,
			Records: 95, First: &t0, Last: &t0, Types: map[string]int{"error": 30},
			Errors: []report.Template{{Template: "Throwing an exception.", Count: 30, Type: "error", Example: "The remote name could not be resolved: 'billing-api.fabrikam.net'"}}}},
	}
	var tb bytes.Buffer
	if err := Text(&tb, r, Options{}); err != nil {
		t.Fatal(err)
	}
	txt := tb.String()
	for _, w := range []string{"RESOLVED DURING THE LOGS", "notify.autodiscover-failed", "then: ExchangeWebServiceURL is set", "NOT THE CONNECTOR'S", "Contoso.Billing.Host on EXCONN01", "billing-api.fabrikam.net"} {
		if !strings.Contains(txt, w) {
			t.Errorf("text lacks %q:\n%s", w, txt)
		}
	}
	var hb bytes.Buffer
	if err := HTML(&hb, r, Options{}); err != nil {
		t.Fatal(err)
	}
	h := hb.String()
	for _, w := range []string{`id="resolved"`, `href="#resolved"`, "ExchangeWebServiceURL is set", `id="not-connector"`, "Contoso.Billing.Host", "billing-api.fabrikam.net", "Autodiscover failed &lt;for&gt;"} {
		if !strings.Contains(h, w) {
			t.Errorf("HTML lacks %q", w)
		}
	}
}

// The session table names sync.slow only when the run has that finding
// (below Verbose exlog still flags a sync as slow but raises no sync.slow).
func TestSlowSessionWordingFollowsFindings(t *testing.T) {
	t0 := time.Date(2023, 12, 4, 1, 0, 0, 0, time.UTC)
	end := t0.Add(6*time.Hour + 45*time.Minute)
	d := end.Sub(t0).Seconds()
	mk := func(fs []report.Finding) string {
		r := &report.Report{Schema: report.Schema, Inputs: []report.Input{}, Skipped: []report.Skipped{}, Findings: fs,
			Syncs:   []report.Sync{{Kind: report.SyncFull, Status: report.SyncCompleted, Start: t0, End: &end, DurationS: &d, Slow: true}},
			Summary: report.Summary{Findings: map[string]int{}}}
		var tb bytes.Buffer
		if err := Text(&tb, r, Options{}); err != nil {
			t.Fatal(err)
		}
		return tb.String()
	}
	if txt := mk([]report.Finding{}); strings.Contains(txt, "see sync.slow") || !strings.Contains(txt, "no sync.slow in this run") {
		t.Errorf("no sync.slow finding, yet:\n%s", txt)
	}
	slow := report.Finding{ID: "sync.slow", Key: "full", Title: "1 full sync(s) far slower than expected", Severity: report.SeverityWarning, Count: 1, First: &t0, Last: &t0}
	if txt := mk([]report.Finding{slow}); !strings.Contains(txt, "see sync.slow") {
		t.Errorf("sync.slow finding, yet:\n%s", txt)
	}
}
