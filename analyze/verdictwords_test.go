package analyze

import (
	"strings"
	"testing"
	"time"

	"exlog/report"
)

// The verdict in an admin's words: when a finding was seen, no generic
// collect steps on a healthy bundle, no advice for pattern authors.
func TestVerdictWords(t *testing.T) {
	t1 := time.Date(2023, 11, 10, 8, 30, 0, 0, time.UTC)
	t2 := t1.Add(8 * time.Hour)
	for _, tc := range []struct {
		f    report.Finding
		want string
	}{
		{report.Finding{First: &t1, Last: &t2, Count: 3}, "first 2023-11-10 08:30Z, last 2023-11-10 16:30Z, not seen since 2023-11-10 16:30Z, 3×"},
		{report.Finding{First: &t1, Last: &t2, Count: 3, Ongoing: true}, "still happening: first 2023-11-10 08:30Z, last 2023-11-10 16:30Z, 3×"},
		{report.Finding{First: &t1, Last: &t1, Count: 1}, "at 2023-11-10 08:30Z, not seen since then, 1×"},
		{report.Finding{Count: 2, Ongoing: true}, "state at collection, 2×"}, // exports and config: no times
	} {
		if got := whenSeen(tc.f); got != tc.want {
			t.Errorf("whenSeen = %q, want %q", got, tc.want)
		}
	}
	end := time.Date(2023, 11, 10, 20, 0, 0, 0, time.UTC)
	r := &report.Report{Collect: []report.CollectItem{{What: "the user's devices", Command: "Get-ActiveSyncDeviceStatistics"}},
		Syncs: []report.Sync{{Kind: report.SyncFull, Start: end.Add(-3 * time.Hour), End: ptrTime(end.Add(-2 * time.Hour)), Status: report.SyncCompleted}}}
	if v := verdict(r, verdictInput{connectorSeen: true, logsEnd: end}); v.State != "healthy" || len(v.NextSteps) != 0 {
		t.Errorf("healthy bundle: %s, next steps %q", v.State, v.NextSteps)
	}
	// Nothing wrong and no sync visible: can't tell, not healthy.
	if v := verdict(&report.Report{}, verdictInput{connectorSeen: true}); v.State != report.StateUnknown {
		t.Errorf("no sync visible: %s %q", v.State, v.Reasons)
	}
	r.Unmatched = []report.Template{{Template: "x", Count: 10, Type: "error"}}
	v := verdict(r, verdictInput{connectorSeen: true})
	if len(v.NextSteps) == 0 || !strings.HasPrefix(v.NextSteps[0], "Collect the user's devices") {
		t.Errorf("degraded bundle lost its collect step: %q", v.NextSteps)
	}
	for _, reason := range v.Reasons {
		if strings.Contains(reason, "patterns suggest") || strings.Contains(reason, "write a pattern") {
			t.Errorf("pattern-author advice in the verdict: %q", reason)
		}
	}
	if !strings.HasPrefix(v.Reasons[0], "10 error messages that exlog does not recognise") {
		t.Errorf("reasons %q", v.Reasons)
	}
}

func ptrTime(t time.Time) *time.Time { return &t }
