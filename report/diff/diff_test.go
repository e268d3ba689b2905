package diff

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"exlog/report"
)

var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func sync(kind report.SyncKind, status report.SyncStatus, at, dur time.Duration) report.Sync {
	d := dur.Seconds()
	return report.Sync{Kind: kind, Status: status, Start: t0.Add(at), DurationS: &d}
}

func TestCompare(t *testing.T) {
	old := &report.Report{
		Findings: []report.Finding{
			{ID: "network.dns", Key: "a.example", Severity: report.SeverityError, Count: 3, Title: "dns a"},
			{ID: "network.dns", Key: "b.example", Severity: report.SeverityError, Count: 2, Title: "dns b"},
			{ID: "sync.slow", Severity: report.SeverityWarning, Count: 1},
			{ID: "network.tls", Severity: report.SeverityError, Count: 4},
		},
		Syncs: []report.Sync{
			sync("full", "completed", 2*time.Hour, 10*time.Minute),
			sync("quick", "completed", 4*time.Hour, time.Minute),
			sync("quick", "completed", 8*time.Hour, 3*time.Minute),
			sync("quick", "failed", 20*time.Hour, time.Minute),
		},
		Summary:   report.Summary{Covered: &report.Window{DurationS: 48 * 3600}},
		Unmatched: []report.Template{{Type: "error", Template: "x <n>", Count: 4}},
	}
	cur := &report.Report{
		Findings: []report.Finding{
			{ID: "network.dns", Key: "a.example", Severity: report.SeverityError, Count: 5, Title: "dns a"},
			{ID: "network.tls", Severity: report.SeverityCritical, Count: 4},
			{ID: "sync.slow", Severity: report.SeverityWarning, Count: 1},
			{ID: "intune.unauthorized", Severity: report.SeverityError, Count: 1},
		},
		Syncs: []report.Sync{
			sync("full", "completed", 2*time.Hour, 10*time.Minute),
			sync("full", "completed", 26*time.Hour, 20*time.Minute),
			sync("quick", "completed", 4*time.Hour, time.Minute),
			sync("quick", "completed", 6*time.Hour, time.Minute),
		},
		Summary: report.Summary{Covered: &report.Window{DurationS: 48 * 3600}},
	}
	r := Compare("old", old, "new", cur)
	if len(r.Appeared) != 1 || r.Appeared[0].ID != "intune.unauthorized" || r.Appeared[0].New != 1 {
		t.Errorf("appeared %+v", r.Appeared)
	}
	if len(r.Disappeared) != 1 || r.Disappeared[0].Key != "b.example" || r.Disappeared[0].Old != 2 {
		t.Errorf("disappeared %+v", r.Disappeared)
	}
	if len(r.Changed) != 2 || r.Changed[0].ID != "network.tls" || r.Changed[0].OldSeverity != report.SeverityError ||
		r.Changed[1].ID != "network.dns" || r.Changed[1].Old != 3 || r.Changed[1].New != 5 {
		t.Errorf("changed %+v", r.Changed)
	}
	if r.Unchanged != 1 {
		t.Errorf("unchanged %d", r.Unchanged)
	}
	if len(r.Unmatched) != 1 || r.Unmatched[0].Old != 4 || r.Unmatched[0].New != 0 {
		t.Errorf("unmatched %+v", r.Unmatched)
	}
	o, n := r.OldCadence, r.NewCadence
	if got := *o.QuickIntervalS; got != 8*3600 {
		t.Errorf("old quick interval %v, want 8h (median of 4h and 12h)", got)
	}
	if got := *n.QuickIntervalS; got != 2*3600 {
		t.Errorf("new quick interval %v, want 2h", got)
	}
	if *o.FullPerDay != 0.5 || *n.FullPerDay != 1 || o.Failed != 1 || n.Failed != 0 {
		t.Errorf("full per day %v → %v, failed %d → %d", *o.FullPerDay, *n.FullPerDay, o.Failed, n.Failed)
	}
	if *n.FullDurationS != 15*60 {
		t.Errorf("new full median %v, want 15m", *n.FullDurationS)
	}
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1 appeared, 1 disappeared, 2 changed, 1 unchanged", "+ error intune.unauthorized appeared: 1×",
		"- error network.dns [b.example] disappeared (was 2×)", "~ error→critical network.tls count 4 → 4", "quick interval (median)      8h            2h"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
	if Compare("a", cur, "b", cur).Empty() != true || r.Empty() {
		t.Error("Empty")
	}
}
