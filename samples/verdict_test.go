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
		"service-crash":  "healthy", // one crash a day before the end; the syncs after it complete
		"sync-outage-6h": "healthy", // the outage is over at the end of the logs
		"sync-slow-full": "healthy",
		"service-logon":  "broken", "network-errors": "broken", "exchange-errors": "degraded", // only notification mail fails at the end (blind round 3)
		// Problems that stopped during the logs are history (Verdict.Resolved), not the state:
		"setup-errors":       "healthy", // install-day errors, then syncs
		"sync-stuck-full":    "healthy", // the stuck full sync was followed by one that completed
		"discovery-problems": "degraded",
		"warning-level":      "degraded", "unknown-errors": "degraded",
		"end-of-support":      "broken",  // every poll answers 403 after 19 February 2024
		"not-connector":       "unknown", // another program's WCF log: can't tell
		"mixed-other-service": "healthy", // the other service's errors are not the connector's
		"autodiscover-fixed":  "healthy", // fixed during the logs: history
		"eventlog-local-cet":  "broken", "eventlog-winevent-csv": "broken", "eventlog-pacific-restarts": "healthy",
	}
	reports := loadExpected(t)
	for name, r := range reports {
		w, ok := want[name]
		if !ok {
			t.Errorf("sample %s: add its expected verdict to TestVerdicts", name)
			continue
		}
		if r.Verdict == nil || string(r.Verdict.State) != w {
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
	// Collect-next asks only for what settles an open question: never the
	// user's devices on a healthy bundle or during an outage on the
	// Intune side (network-errors: proxy, TLS, DNS on Get next command).
	for name, r := range reports {
		for _, c := range r.Collect {
			if strings.Contains(c.Command, "Get-ActiveSyncDeviceStatistics") && (r.Verdict.State == "healthy" || name == "network-errors" || name == "warning-level") {
				t.Errorf("%s (%s): collect-next asks for a user's devices: %s", name, r.Verdict.State, c.Command)
			}
		}
	}
	// Notification failures ask for the notification account's mailbox,
	// named from the evidence, not for an example user.
	var notify []string
	for _, c := range reports["exchange-errors"].Collect {
		notify = append(notify, c.Command)
	}
	if all := strings.Join(notify, "\n"); !strings.Contains(all, "Get-Mailbox -Identity intune.notify@contoso.com") || strings.Contains(all, "user@contoso.com") {
		t.Errorf("exchange-errors: collect-next should name the notification account from the evidence:\n%s", all)
	}
	verboseSteps := false
	for _, c := range reports["warning-level"].Collect {
		verboseSteps = verboseSteps || strings.Contains(c.Command, "Verbose ActivityTracing")
	}
	if !verboseSteps {
		t.Error("warning-level: collect-next lacks the verbose-logging steps")
	}
}
