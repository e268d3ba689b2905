package analyze

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"exlog/report"
)

// connectorDays writes a healthy connector (names not ours) from t0 for
// days, a quick sync every 4 h; fail makes every poll after failAfter
// answer 403 and stops the syncs.
func connectorDays(t0 time.Time, days int, failAfter time.Time) string {
	var b strings.Builder
	for at := t0.Add(time.Hour); at.Before(t0.Add(time.Duration(days) * 24 * time.Hour)); at = at.Add(4 * time.Hour) {
		if !failAfter.IsZero() && !at.Before(failAfter) {
			b.WriteString(traceRec(at, "Error", 2, "EasSync", "EasBridge.Service", 2200, "EX-BRIDGE",
				"Get next command failed: System.Net.WebException: The remote server returned an error: (403) Forbidden."))
			continue
		}
		if at.Hour() == 1 {
			b.WriteString(traceRec(at.Add(-10*time.Minute), "Information", 8, "EasSync", "EasBridge.Service", 2200, "EX-BRIDGE",
				"Handling command: Getting the mobile device list without a time filter (full sync) for 300 users"))
			b.WriteString(traceRec(at.Add(-4*time.Minute), "Information", 8, "EasSync", "EasBridge.Service", 2200, "EX-BRIDGE",
				"Getting the mobile device list without a time filter (full sync) for 300 users completed successfully. Details: Inventory command result - Devices synced: 410"))
		}
		b.WriteString(traceRec(at, "Information", 8, "EasSync", "EasBridge.Service", 2200, "EX-BRIDGE",
			"Handling command: Getting the mobile device list with a time filter (quick sync) for 12 users"))
		b.WriteString(traceRec(at.Add(30*time.Second), "Information", 8, "EasSync", "EasBridge.Service", 2200, "EX-BRIDGE",
			"Getting the mobile device list with a time filter (quick sync) for 12 users completed successfully."))
	}
	return b.String()
}

func findingByID(r *report.Report, id string) *report.Finding {
	for i := range r.Findings {
		if r.Findings[i].ID == id {
			return &r.Findings[i]
		}
	}
	return nil
}

// Issue 16.1: bundles dated after 15 January 2024 came back healthy.
func TestEndOfSupportDates(t *testing.T) {
	for _, c := range []struct {
		from     time.Time
		failFrom time.Time // zero: syncs keep completing
		sev      report.Severity
	}{
		{time.Date(2024, 1, 20, 0, 0, 0, 0, time.UTC), time.Time{}, report.SeverityWarning},
		{time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), time.Time{}, report.SeverityWarning},
		{time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 6, 2, 0, 0, 0, 0, time.UTC), report.SeverityCritical},
		{time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC), report.SeverityCritical},
		{time.Date(2024, 2, 15, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 19, 0, 0, 0, 0, time.UTC), report.SeverityCritical},
	} {
		t.Run(c.from.Format("2006-01-02"), func(t *testing.T) {
			r := runDir(t, map[string]string{"l.log": connectorDays(c.from, 6, c.failFrom)})
			f := findingByID(r, IDEndOfSupport)
			if f == nil {
				t.Fatalf("no %s: %v (verdict %s)", IDEndOfSupport, ids(r), r.Verdict.State)
			}
			if f.Severity != c.sev || !f.Ongoing || f.Docs != docsConnectorSetup {
				t.Errorf("severity %s (want %s), ongoing %v, docs %s: %s", f.Severity, c.sev, f.Ongoing, f.Docs, f.Title)
			}
			if !strings.HasPrefix(r.Verdict.Reasons[0], IDEndOfSupport) || !strings.Contains(r.Verdict.NextSteps[0], "hybrid modern authentication") {
				t.Errorf("not first in the verdict: %q / %q", r.Verdict.Reasons, r.Verdict.NextSteps)
			}
			if r.Verdict.State == report.StateHealthy {
				t.Errorf("healthy past the end of support")
			}
			for _, g := range r.Findings {
				if g.ID != IDEndOfSupport && g.Ongoing && strings.Contains(g.Remedy, "re-register") && !strings.Contains(g.Remedy, "do not") {
					t.Errorf("%s still advises re-registering: %s", g.ID, g.Remedy)
				}
			}
			for _, n := range r.Environment.Notes {
				if strings.Contains(n, "deprecated") {
					t.Errorf("deprecation note past the end of support: %s", n)
				}
			}
		})
	}
}

// Before the end of support: no finding, a note of the deprecation.
func TestBeforeEndOfSupport(t *testing.T) {
	r := runDir(t, map[string]string{"l.log": connectorDays(time.Date(2024, 1, 5, 0, 0, 0, 0, time.UTC), 5, time.Time{})})
	if f := findingByID(r, IDEndOfSupport); f != nil {
		t.Errorf("%s before 15 January 2024: %s", IDEndOfSupport, f.Title)
	}
	if notes := fmt.Sprint(r.Environment.Notes); !strings.Contains(notes, "July 2020") || !strings.Contains(notes, "15 January 2024") {
		t.Errorf("environment notes %s", notes)
	}
}
