package samples

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"exlog/analyze"
	"exlog/report"
)

// TestBlindBundles holds exlog to the diagnoses that an author who never
// read its code wrote for six bundles (testdata/blind/*/EXPECTED.md): the
// verdict, the findings that must be there (and whether still happening),
// and what must not be said. Only what EXPECTED.md asks for is asserted.
func TestBlindBundles(t *testing.T) {
	type want struct {
		state    report.VerdictState
		present  map[string]bool            // id → still happening at the end of the logs
		absent   []string                   // ids that must not be raised at warning or above
		notInAny []string                   // text nowhere in titles, remedies and next steps
		atMost   map[string]report.Severity // id → the highest severity it may have
	}
	cases := map[string]want{
		"healthy-2days": {state: report.StateHealthy,
			absent: []string{"sync.failed", "sync.unfinished", "network.unreachable", "connector.end-of-support", "bundle.truncated-record"}},
		"service-logon-csv": {state: report.StateHealthy,
			present:  map[string]bool{"service.logon-failure": false, "service.logon-right-missing": false},
			absent:   []string{"sync.failed"},
			notInAny: []string{`.\WIEC_USER`}},
		"after-eos": {state: report.StateBroken,
			present:  map[string]bool{"connector.end-of-support": true},
			notInAny: []string{"force a full sync", "force a quick sync", "reinstall the connector"}},
		"not-connector": {state: report.StateUnknown,
			present: map[string]bool{"bundle.not-connector": false},
			absent:  []string{"sync.full-overdue", "sync.quick-gap", "sync.failed", "sync.unfinished"}},
		"autodiscover-fixed": {state: report.StateHealthy,
			present:  map[string]bool{"notify.autodiscover-failed": false},
			notInAny: []string{"clear ExchangeWebServiceURL", "remove ExchangeWebServiceURL"}},
		"slow-tenant": {state: report.StateHealthy,
			absent: []string{"sync.failed", "sync.unfinished", "sync.full-overdue"}},
		// Round 2 (a second outside tester).
		"de-dst-healthy": {state: report.StateHealthy,
			absent: []string{"sync.failed", "sync.unfinished", "sync.quick-gap", "network.unreachable", "connector.end-of-support"}},
		"winrm-401-fixed": {state: report.StateHealthy,
			present: map[string]bool{"sync.failed": false, "exchange.remote-powershell-failed": false}},
		"fr-cas-failover": {state: report.StateDegraded,
			present:  map[string]bool{"exchange.remote-powershell-failed": true},
			absent:   []string{"sync.failed", "sync.unfinished", "sync.quick-gap", "sync.full-overdue"},
			notInAny: []string{"IsCasFailoverEnabled to false", "disable CAS failover", "disable IsCasFailoverEnabled"},
			atMost:   map[string]report.Severity{"exchange.remote-powershell-failed": report.SeverityWarning}},
		"no-traces-damaged": {state: report.StateUnknown,
			present: map[string]bool{"service.logon-failure": false, "bundle.unreadable": false},
			absent:  []string{"device.quarantined", "sync.failed", "sync.full-overdue"}},
		"us-30days-gap": {state: report.StateHealthy,
			present: map[string]bool{"sync.full-overdue": false}},
		// Round 3 (a third outside tester).
		"proxy407": {state: report.StateBroken,
			present:  map[string]bool{"network.tls": true, "network.proxy-auth": false},
			notInAny: []string{"setup offers proxy credentials"}},
		"rbac": {state: report.StateBroken,
			present: map[string]bool{"exchange.access-denied": true},
			absent:  []string{"exchange.remote-powershell-failed", "network.proxy-auth", "intune.unauthorized"}},
		"notifymail": {state: report.StateDegraded,
			present: map[string]bool{"notify.autodiscover-failed": true},
			absent:  []string{"discovery.smtp-upn-mismatch", "sync.failed", "sync.unfinished"}},
		"notifymail-fabrikam": {state: report.StateDegraded,
			present:  map[string]bool{"notify.send-failed": true},
			notInAny: []string{"contoso.com"}},
		// Round 4 (a fourth outside tester).
		"two-hosts": {state: report.StateBroken,
			present: map[string]bool{"bundle.several-connectors": false, "exchange.remote-powershell-failed": true}},
		"warning-only": {state: report.StateUnknown,
			absent: []string{"sync.full-overdue", "sync.quick-gap", "sync.failed", "sync.unfinished"}},
		"huge-fullsync": {state: report.StateDegraded,
			present: map[string]bool{"sync.slow": true},
			absent:  []string{"sync.full-overdue", "sync.failed", "sync.unfinished"}},
		"intune-401": {state: report.StateBroken,
			present: map[string]bool{"intune.unauthorized": true},
			absent:  []string{"exchange.remote-powershell-failed", "exchange.access-denied"}},
		"japanese": {state: report.StateBroken,
			present: map[string]bool{"service.logon-right-missing": true, "service.logon-failure": true}},
		"exchange2010-stale": {state: report.StateHealthy,
			absent:   []string{"sync.failed", "sync.full-overdue"},
			notInAny: []string{"Remove-MobileDevice"}},
		// Round 5 (a fifth outside tester).
		"crashloop": {state: report.StateDegraded,
			present: map[string]bool{"service.crashed": true},
			absent:  []string{"service.logon-failure", "service.logon-right-missing", "sync.failed", "network.tls", "network.proxy-auth"}},
		"info-level-healthy": {state: report.StateHealthy,
			absent: []string{"sync.failed", "sync.unfinished", "sync.quick-gap", "sync.full-overdue"}},
		"smtp-upn": {state: report.StateDegraded,
			present: map[string]bool{"discovery.smtp-upn-mismatch": true}},
		"quarantine-default": {state: report.StateDegraded,
			present:  map[string]bool{"access.default-not-allow": true},
			absent:   []string{"device.stale"},
			notInAny: []string{"retired or reset phones"}},
		"quick-throttle": {state: report.StateDegraded,
			present: map[string]bool{"sync.failed": true, "exchange.throttled": true}},
		"hostile-split": {state: report.StateHealthy,
			absent: []string{"sync.unfinished", "sync.failed", "bundle.truncated-record"}},
	}
	for name, w := range cases {
		t.Run(name, func(t *testing.T) {
			r, err := analyze.Run([]string{filepath.Join("..", "testdata", "blind", name, "bundle.zip")}, analyze.Options{Version: "blind"})
			if err != nil {
				t.Fatal(err)
			}
			if r.Verdict == nil || r.Verdict.State != w.state {
				t.Errorf("verdict %+v, want %s", r.Verdict, w.state)
			}
			got := map[string]report.Finding{}
			var words []string
			for _, f := range r.Findings {
				got[f.ID] = f
				words = append(words, f.Title, f.Remedy)
			}
			if r.Verdict != nil {
				words = append(words, r.Verdict.NextSteps...)
			}
			for id, ongoing := range w.present {
				f, ok := got[id]
				if !ok {
					t.Errorf("%s not raised", id)
				} else if f.Ongoing != ongoing {
					t.Errorf("%s: still happening %v, want %v", id, f.Ongoing, ongoing)
				}
			}
			for id, sev := range w.atMost {
				if f, ok := got[id]; ok && f.Severity > sev {
					t.Errorf("%s at %s, want at most %s: %s", id, f.Severity, sev, f.Title)
				}
			}
			for _, id := range w.absent {
				if f, ok := got[id]; ok && f.Severity >= report.SeverityWarning {
					t.Errorf("%s raised (%s): %s", id, f.Severity, f.Title)
				}
			}
			all := strings.ToLower(strings.Join(words, "\n"))
			for _, s := range w.notInAny {
				if strings.Contains(all, strings.ToLower(s)) {
					t.Errorf("says %q", s)
				}
			}
			if name == "after-eos" && (len(r.Verdict.Reasons) == 0 || !strings.HasPrefix(r.Verdict.Reasons[0], "connector.end-of-support")) {
				t.Errorf("end of support not first in the verdict: %q", r.Verdict.Reasons)
			}
			if name == "service-logon-csv" && !slices.ContainsFunc(words, func(s string) bool { return strings.Contains(s, `CONTOSO\svc_exconn`) }) {
				t.Error("the account the evidence names is not in the remedies")
			}
		})
	}
}
