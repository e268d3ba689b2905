package samples_test

import (
	"strings"
	"testing"
)

// TestVerdicts states what the first screen must say for each sample
// (issue: triage). The goldens hold the whole report; this test says the
// intent in one place so a change of verdict logic is reviewed on purpose.
func TestVerdicts(t *testing.T) {
	want := map[string]string{
		"healthy-5days": "healthy", "healthy-csv-clixml": "healthy", "collect-layout": "healthy",
		"sync-across-files": "healthy", "cut-records": "healthy",
		"restart-mid":    "healthy", // the interrupted quick sync was followed by good ones
		"sync-outage-6h": "healthy", // the outage is over at the end of the logs
		"sync-slow-full": "healthy",
		"service-logon":  "broken", "network-errors": "broken", "exchange-errors": "broken",
		"discovery-problems": "degraded", "setup-errors": "degraded", "sync-stuck-full": "degraded",
		"warning-level": "degraded", "unknown-errors": "degraded",
		"eventlog-local-cet": "broken", "eventlog-winevent-csv": "broken", "eventlog-pacific-restarts": "healthy",
	}
	reports := loadExpected(t)
	for name, r := range reports {
		w, ok := want[name]
		if !ok {
			t.Errorf("sample %s: add its expected verdict to TestVerdicts", name)
			continue
		}
		if r.Verdict == nil || r.Verdict.State != w {
			t.Errorf("sample %s: verdict %+v, want %s", name, r.Verdict, w)
		}
	}
	// A broken sample: onset and "still happening".
	sl := reports["service-logon"]
	for _, f := range sl.Findings {
		if strings.HasPrefix(f.ID, "service.") && (!f.Ongoing || f.First == nil) {
			t.Errorf("service-logon: %s should be ongoing with an onset: %+v", f.ID, f)
		}
	}
	// A restart in the middle shows in the change timeline.
	found := false
	for _, c := range reports["restart-mid"].Changes {
		found = found || c.Kind == "restart"
	}
	if !found {
		t.Error("restart-mid: no restart in the change timeline")
	}
	// Without exports, collect-next names the three cmdlets; Warning level gets the verbose steps.
	for _, name := range []string{"network-errors", "warning-level"} {
		var cmds []string
		for _, c := range reports[name].Collect {
			cmds = append(cmds, c.Command)
		}
		all := strings.Join(cmds, "\n")
		for _, cmdlet := range []string{"Get-ActiveSyncDeviceStatistics -Mailbox", "Get-Mailbox -Identity", "Get-CASMailbox"} {
			if !strings.Contains(all, cmdlet) {
				t.Errorf("%s: collect-next lacks %s", name, cmdlet)
			}
		}
	}
	verboseSteps := false
	for _, c := range reports["warning-level"].Collect {
		verboseSteps = verboseSteps || strings.Contains(c.Command, "Verbose ActivityTracing")
	}
	if !verboseSteps {
		t.Error("warning-level: collect-next lacks the verbose-logging steps")
	}
}
