package output

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"exlog/report"
)

// A change of unknown zone (a zip member's DOS time) and a finding
// resolved in local time are printed without a "Z", and the HTML
// timeline does not place the unzoned change on its UTC line.
func TestUnzonedChangesAndResolved(t *testing.T) {
	restart := time.Date(2024, 2, 26, 16, 12, 40, 0, time.UTC)
	r := &report.Report{
		Tool:  report.Tool{Name: "exlog", Version: "test"},
		Syncs: []report.Sync{{Kind: report.SyncQuick, Start: restart.Add(-time.Hour), End: &restart, Status: report.SyncCompleted, Origin: "Connector0.log"}},
		Changes: []report.Change{
			{Time: restart, Kind: "restart", Text: "connector process on EXCONN01 restarted (PID 2876 → 5540)"},
			{Kind: "config-modified", LocalTime: "2024-03-04T09:31:00", TimeZone: "unknown",
				Text: "config file modified: bundle.zip!TracingConfiguration.xml (zip entry time: local time of the zipping machine, zone not recorded)"},
		},
		Findings: []report.Finding{{ID: "service.logon-failure", Title: "Connector service failed to start", Severity: report.SeverityCritical,
			Count: 3, TimeZone: "unknown", FirstLocal: "2023-11-14T10:00:02", LastLocal: "2023-11-14T10:22:05",
			ResolvedBy: "2023-11-14 11:41:30 local, zone unknown: service entered the running state"}},
		Verdict: &report.Verdict{State: report.StateHealthy, Resolved: []report.Resolved{{ID: "service.logon-failure", Title: "Connector service failed to start",
			Severity: report.SeverityCritical, Count: 3, TimeZone: "unknown", FirstLocal: "2023-11-14T10:00:02", LastLocal: "2023-11-14T10:22:05",
			Changes: []string{"2023-11-14 11:41:30 local, zone unknown: service entered the running state"}}}},
	}
	var b bytes.Buffer
	if err := Text(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"2024-03-04 09:31:00   config-modified",
		"3×, local time, zone unknown: 2023-11-14 10:00:02 → 2023-11-14 10:22:05; not seen after that",
		"2023-11-14 10:22:05, resolved (see RESOLVED)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	for _, bad := range []string{"09:31:00Z", "09:31Z", "0001-01-01", "- → -"} {
		if strings.Contains(out, bad) {
			t.Errorf("text has %q:\n%s", bad, out)
		}
	}
	b.Reset()
	if err := HTML(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	h := b.String()
	if !strings.Contains(h, "restart 2024-02-26") {
		t.Fatalf("HTML time line lacks the UTC restart: the check below would prove nothing")
	}
	if strings.Contains(h, "config-modified 0001") || strings.Contains(h, "config-modified 2024") {
		t.Errorf("HTML places the unzoned change on the time line")
	}
	// The resolved finding says so wherever it is listed, with its last
	// local time (without the T), and nowhere that it runs "since" its start.
	for _, want := range []string{"resolved during the logs (see Resolved)", "2023-11-14 10:22:05 local time, zone unknown"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, bad := range []string{"zone unknown: since", "2023-11-14T10:"} {
		if strings.Contains(h, bad) {
			t.Errorf("HTML has %q", bad)
		}
	}
}
