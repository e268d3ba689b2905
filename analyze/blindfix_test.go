package analyze

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Hand-written records in the style of the blind tester's bundles
// (/work/notes/blind.md: healthy-2days, slow-tenant), plus other plausible
// wordings: each test failed before the bf-sessions change.

// quickDay writes a day of quick syncs every 30 min in the blind tester's
// shape: a received line, "Handling command:", end (the wording under
// test), then a clean Stop of the activity; every fourth one has a
// retried CAS timeout before its end.
func quickDay(end string) []tl {
	var out []tl
	for i := 0; i < 48; i++ {
		at := time.Duration(i)*30*time.Minute + 7*time.Minute
		act := 500 + i
		out = append(out,
			tl{at, "Information", 0, fmt.Sprintf("Received command 7c9e6679-7425-40de-944b-%012d (DeviceInventory, delta) from the Intune service", i)},
			tl{at + time.Second, "Start", act, "Handling command: Listing mobile devices with a time filter (changed after 10/10/2023 00:00:00) (quick sync) for 12 users"})
		if i%4 == 0 {
			out = append(out, tl{at + 5*time.Second, "Warning", act, "Remote PowerShell call to CAS01.contoso.com failed (attempt 1 of 3); retrying in 30 seconds. Reason: System.Net.WebException: The operation has timed out"})
		}
		if end != "" {
			out = append(out, tl{at + 40*time.Second, "Information", act, fmt.Sprintf(end, 12)})
		}
		out = append(out, tl{at + 41*time.Second, "Stop", act, ""})
	}
	return out
}

func TestBlindHealthyQuickSyncs(t *testing.T) {
	for _, end := range []string{
		"Delta inventory (quick sync) for %d users done - 1 device partnership(s) reported to Intune, command 7c9e6679-7425-40de-944b-e07fc1f90ae7, elapsed 0:00:19",
		"Quick sync ended (quick sync) for %d users; 1 device(s) reported",
		"Delta inventory (quick sync) for %d users: 1 device(s) reported", // not recognised: the Stop decides
		"", // no end message at all
	} {
		r := analyseTrace(t, quickDay(end))
		if n := len(findingsOf(r, "sync.failed")); n != 0 {
			t.Errorf("end %q: sync.failed raised: %v", end, ids(r))
		}
		if n := len(findingsOf(r, "network.unreachable")); n != 0 {
			t.Errorf("end %q: retried-and-recovered timeouts raised network.unreachable: %v", end, ids(r))
		}
		if f := findingsOf(r, "network.retried"); len(f) != 1 || f[0].Count != 12 || f[0].Severity.String() != "info" {
			t.Errorf("end %q: network.retried: %+v", end, f)
		}
		retries := 0
		for _, s := range r.Syncs {
			if s.Status != "completed" {
				t.Errorf("end %q: %s sync at %s %s: %s", end, s.Kind, s.Start.Format(time.RFC3339), s.Status, s.Reason)
				break
			}
			retries += s.Retries
		}
		if retries != 12 {
			t.Errorf("end %q: %d retries counted, want 12", end, retries)
		}
		if r.Verdict == nil || r.Verdict.State == "broken" {
			t.Errorf("end %q: verdict %+v", end, r.Verdict)
		}
	}
}

// A timeout that gives up (no retry announced) still fires
// network.unreachable, and its sync is failed.
func TestBlindUnrecoveredTimeoutStillFires(t *testing.T) {
	lines := quickDay("Delta inventory (quick sync) for %d users done - 1 device partnership(s) reported to Intune")
	var out []tl
	for _, l := range lines {
		if l.act == 520 && l.sub == "Information" {
			l = tl{l.at, "Error", l.act, "Remote PowerShell call to CAS01.contoso.com failed (attempt 3 of 3); giving up. Reason: System.Net.WebException: The operation has timed out"}
		}
		out = append(out, l)
	}
	r := analyseTrace(t, out)
	if len(findingsOf(r, "network.unreachable")) != 1 {
		t.Errorf("network.unreachable not raised for an unrecovered timeout: %v", ids(r))
	}
	failed := 0
	for _, s := range r.Syncs {
		if s.Status == "failed" {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("%d failed syncs, want 1", failed)
	}
}

// slow-tenant: full syncs of 4–7 h, the last still running 4h51m in at the
// end of the logs, EnableParallelCommandSupport true in the service config.
func TestBlindSlowTenant(t *testing.T) {
	durs := []time.Duration{250 * time.Minute, 405 * time.Minute, 320 * time.Minute, 0}
	lines := healthyDays(3, func(d int) time.Duration { return durs[d] }, 6400, none, none)
	// day 3: a full sync that starts and is still running 4h51m later,
	// with quick syncs continuing beside it.
	day := 72 * time.Hour
	lines = append(lines, tl{day, "Information", 900, fmt.Sprintf(hFull, 6400)})
	for i := 0; i < 10; i++ {
		at := day + time.Duration(i)*30*time.Minute + 3*time.Minute
		lines = append(lines, tl{at, "Verbose", 0, "(full sync) progress: 1200/6400 users inventoried"},
			tl{at + time.Minute, "Information", 0, "Polling the service for work: nothing to do"})
	}
	lines = append(lines, tl{day + 4*time.Hour + 51*time.Minute, "Verbose", 0, "Polling the service for work: nothing to do"})
	cfg := "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<OnPremisesExchangeConnectorServiceConfiguration>\r\n  <EnableParallelCommandSupport>true</EnableParallelCommandSupport>\r\n</OnPremisesExchangeConnectorServiceConfiguration>\r\n"
	r := runDir(t, map[string]string{"Logs/Connector0.log": traceXML(lines), "OnPremisesExchangeConnectorServiceConfiguration.xml": cfg})
	if f := findingsOf(r, "sync.unfinished"); len(f) != 0 {
		t.Errorf("a full sync within the normal duration of its kind at the end of the logs is called unfinished: %s", f[0].Title)
	}
	slow := findingsOf(r, "sync.slow")
	if len(slow) == 0 {
		t.Fatalf("no sync.slow: %v", ids(r))
	}
	for _, f := range slow {
		if strings.Contains(f.Remedy, "set EnableParallelCommandSupport") || !strings.Contains(f.Remedy, "already true") {
			t.Errorf("sync.slow advises what the bundle shows done: %s", f.Remedy)
		}
	}
	for _, s := range r.Verdict.Reasons {
		if strings.Contains(s, "never completed") {
			t.Errorf("verdict reason: %s", s)
		}
	}
}
