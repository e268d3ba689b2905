package samples_test

import (
	"strings"
	"testing"
)

// The local-time samples (issue 15 points 5, 6, 8): their reports give each
// local-time export the offset the evidence shows, or say it is unknown,
// and the Get-WinEvent CSV's SCM records feed the service findings.
func TestLocalTimeSamples(t *testing.T) {
	reports := loadExpected(t)
	zone := func(sample, suffix string) (basis, offset string) {
		for _, in := range reports[sample].Inputs {
			if strings.HasSuffix(in.Path, suffix) && in.TimeZone != nil {
				return in.TimeZone.Basis, in.TimeZone.Offset
			}
		}
		t.Errorf("%s: no time_zone on %s", sample, suffix)
		return "", ""
	}
	if b, o := zone("eventlog-local-cet", "System-details.txt"); b != "xml-export" || o != "+01:00" {
		t.Errorf("eventlog-local-cet: %s %s, want +01:00 from the XML export", b, o)
	}
	if b, o := zone("eventlog-pacific-restarts", "System-events.txt"); b != "service-restarts" || o != "-07:00" {
		t.Errorf("eventlog-pacific-restarts: %s %s, want -07:00 from the service restarts", b, o)
	}
	if b, o := zone("eventlog-winevent-csv", "System-WinEvent.csv"); b != "unknown" || o != "" {
		t.Errorf("eventlog-winevent-csv: %s %s, want unknown", b, o)
	}
	if r := reports["eventlog-local-cet"]; r.Summary.Duplicates != 9 {
		t.Errorf("eventlog-local-cet: %d duplicates, want the 9 records of the text export", r.Summary.Duplicates)
	}
	for _, sample := range []string{"eventlog-local-cet", "eventlog-winevent-csv"} {
		for _, id := range []string{"service.logon-failure", "service.logon-right-missing"} {
			found := false
			for _, f := range reports[sample].Findings {
				if f.ID != id {
					continue
				}
				found = true
				if f.Count != 3 {
					t.Errorf("%s: %s count %d, want 3", sample, id, f.Count)
				}
				local := sample == "eventlog-winevent-csv"
				if local != (f.First == nil) || local != (f.FirstLocal != "") {
					t.Errorf("%s: %s first %v first_local %q", sample, id, f.First, f.FirstLocal)
				}
			}
			if !found {
				t.Errorf("%s: no %s", sample, id)
			}
		}
	}
}
