package analyze

import (
	"fmt"
	"strings"
	"testing"
)

// winEventCSV writes records as Get-WinEvent | Export-Csv (Windows
// PowerShell 5.1, the blind tester's service-logon-csv layout): local
// time, no zone, newest first.
func winEventCSV(recs ...[3]string) string {
	var b strings.Builder
	b.WriteString("#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\n")
	b.WriteString(`"Message","Id","Version","Qualifiers","Level","Task","Opcode","Keywords","RecordId","ProviderName","ProviderId","LogName","ProcessId","ThreadId","MachineName","UserId","TimeCreated","ActivityId","RelatedActivityId","ContainerLog","MatchedQueryIds","Bookmark","LevelDisplayName","OpcodeDisplayName","TaskDisplayName","KeywordsDisplayNames","Properties"` + "\r\n")
	for i, r := range recs { // {time, id, message}
		level, name := "4", "Information"
		if r[1] != "7036" {
			level, name = "2", "Error"
		}
		fmt.Fprintf(&b, `"%s","%s","0","16384","%s","0","0","36028797018963968","%d","Service Control Manager","555908d1-a6d7-4695-8e1e-26931d2012f4","System","768","1505","EXCONN01.contoso.com","","%s","","","System","System.Int32[]","System.Diagnostics.Eventing.Reader.EventBookmark","%s","","","System.Collections.ObjectModel.ReadOnlyCollection`+"`"+`1[System.String]","System.Collections.Generic.List`+"`"+`1[System.Diagnostics.Eventing.Reader.EventProperty]"`+"\r\n",
			strings.ReplaceAll(r[2], `"`, `""`), r[1], level, 48300-i, r[0], name)
	}
	return b.String()
}

// eventViewerText writes records as Event Viewer's "Copy details as
// text" on an en-GB machine (dd/mm/yyyy, 24 h), local time, no zone.
func eventViewerText(recs ...[3]string) string {
	var b strings.Builder
	for _, r := range recs {
		level := "Information"
		if r[1] != "7036" {
			level = "Error"
		}
		fmt.Fprintf(&b, "Log Name:      System\r\nSource:        Service Control Manager\r\nDate:          %s\r\nEvent ID:      %s\r\nTask Category: None\r\nLevel:         %s\r\nKeywords:      Classic\r\nUser:          N/A\r\nComputer:      EXCONN01.contoso.com\r\nDescription:\r\n%s\r\n", r[0], r[1], level, r[2])
	}
	return b.String()
}

const (
	msg7000    = "The Microsoft Intune Exchange Connector Service service failed to start due to the following error: \r\nThe service did not start due to a logon failure."
	msg7041    = "The WIEC service was unable to log on as CONTOSO\\svc_exconn with the currently configured password due to the following error: \r\nLogon failure: the user has not been granted the requested logon type at this computer.\r\n\r\nService: WIEC\r\nDomain and account: CONTOSO\\svc_exconn\r\n\r\nThis service account does not have the required user right \"Log on as a service.\""
	msgRunning = "The Microsoft Intune Exchange Connector Service service entered the running state."
	msgStopped = "The Microsoft Intune Exchange Connector Service service entered the stopped state."
	msgSpooler = "The Print Spooler service entered the running state."
)

// A logon failure followed, later in the same export, by the service
// entering the running state is history (resolved), even though the
// export's zone is unknown; without such a later record it stays
// "cannot tell if still happening".
func TestServiceRanAfterLogonFailure(t *testing.T) {
	cases := []struct {
		name     string
		files    map[string]string
		resolved bool
		when     string
	}{
		{"winevent-csv", map[string]string{"EXCONN01-System.csv": winEventCSV(
			[3]string{"11/14/2023 11:41:30 AM", "7036", msgRunning},
			[3]string{"11/14/2023 10:22:05 AM", "7041", msg7041},
			[3]string{"11/14/2023 10:22:05 AM", "7000", msg7000},
			[3]string{"11/14/2023 10:00:02 AM", "7041", msg7041},
			[3]string{"11/14/2023 10:00:02 AM", "7000", msg7000},
			[3]string{"11/14/2023 9:58:11 AM", "7036", msgStopped},
		)}, true, "2023-11-14 11:41:30 local, zone unknown"},
		{"eventviewer-text-oldest-first", map[string]string{"System.txt": eventViewerText(
			[3]string{"14/11/2023 10:00:02", "7041", msg7041},
			[3]string{"14/11/2023 10:00:02", "7000", msg7000},
			[3]string{"14/11/2023 13:05:59", "7036", msgRunning},
		)}, true, "2023-11-14 13:05:59 local, zone unknown"},
		{"running-only-before", map[string]string{"EXCONN01-System.csv": winEventCSV(
			[3]string{"11/14/2023 10:22:05 AM", "7000", msg7000},
			[3]string{"11/14/2023 10:22:05 AM", "7041", msg7041},
			[3]string{"11/14/2023 9:00:00 AM", "7036", msgRunning},
		)}, false, ""},
		{"other-service-running-after", map[string]string{"EXCONN01-System.csv": winEventCSV(
			[3]string{"11/14/2023 11:41:30 AM", "7036", msgSpooler},
			[3]string{"11/14/2023 10:22:05 AM", "7000", msg7000},
			[3]string{"11/14/2023 10:22:05 AM", "7041", msg7041},
		)}, false, ""},
		{"stopped-after", map[string]string{"EXCONN01-System.csv": winEventCSV(
			[3]string{"11/14/2023 11:41:30 AM", "7036", msgStopped},
			[3]string{"11/14/2023 10:22:05 AM", "7000", msg7000},
			[3]string{"11/14/2023 10:22:05 AM", "7041", msg7041},
		)}, false, ""},
		{"failure-again-after-running", map[string]string{"EXCONN01-System.csv": winEventCSV(
			[3]string{"11/14/2023 12:00:00 PM", "7041", msg7041},
			[3]string{"11/14/2023 12:00:00 PM", "7000", msg7000},
			[3]string{"11/14/2023 11:41:30 AM", "7036", msgRunning},
			[3]string{"11/14/2023 10:22:05 AM", "7000", msg7000},
			[3]string{"11/14/2023 10:22:05 AM", "7041", msg7041},
		)}, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := analyzeFiles(t, tc.files)
			for _, id := range []string{"service.logon-failure", "service.logon-right-missing"} {
				f := findingOf(r, id)
				if f == nil {
					t.Fatalf("no %s finding; findings %+v", id, r.Findings)
				}
				if f.Ongoing == tc.resolved {
					t.Errorf("%s: ongoing %v, want %v (resolved_by %q)", id, f.Ongoing, !tc.resolved, f.ResolvedBy)
				}
				var res bool
				for _, rs := range r.Verdict.Resolved {
					if rs.ID != id {
						continue
					}
					res = true
					if len(rs.Changes) == 0 || !strings.HasPrefix(rs.Changes[0], tc.when) || strings.Contains(rs.Changes[0], "Z ") {
						t.Errorf("%s resolved changes %q, want first %q… with no Z", id, rs.Changes, tc.when)
					}
					if rs.FirstLocal == "" || rs.First != nil {
						t.Errorf("%s resolved first %v / local %q: want local time only", id, rs.First, rs.FirstLocal)
					}
				}
				if res != tc.resolved {
					t.Errorf("%s in verdict.resolved %v, want %v; reasons %q", id, res, tc.resolved, r.Verdict.Reasons)
				}
				if !tc.resolved {
					found := false
					for _, reason := range r.Verdict.Reasons {
						found = found || strings.HasPrefix(reason, id+":") && strings.Contains(reason, "cannot tell if still happening")
					}
					if !found {
						t.Errorf("%s: reasons %q lack \"cannot tell if still happening\"", id, r.Verdict.Reasons)
					}
				}
			}
		})
	}
}

// The 7000 remedy names the account a 7041 of the same bundle read for
// the connector service, marked as read from the 7041; with no account
// read it keeps saying that event 7000 names none.
func TestLogonFailureRemedyNamesAccountFrom7041(t *testing.T) {
	cases := []struct {
		name    string
		files   map[string]string
		account string // "" : none named
	}{
		{"winevent-csv", map[string]string{"EXCONN01-System.csv": winEventCSV(
			[3]string{"11/14/2023 10:22:05 AM", "7041", msg7041},
			[3]string{"11/14/2023 10:22:05 AM", "7000", msg7000},
		)}, `CONTOSO\svc_exconn`},
		{"eventviewer-text-local-account", map[string]string{"System.txt": eventViewerText(
			[3]string{"14/11/2023 10:00:02", "7041", "The WIEC service was unable to log on as .\\svc_intunecon with the currently configured password due to the following error: Logon failure: the user has not been granted the requested logon type at this computer."},
			[3]string{"14/11/2023 10:00:02", "7000", msg7000},
		)}, `.\svc_intunecon`},
		{"upn-account", map[string]string{"System.txt": eventViewerText(
			[3]string{"14/11/2023 10:00:02", "7041", "The Microsoft Intune Exchange Connector Service service was unable to log on as svc_exconn@contoso.com with the currently configured password due to the following error: Logon failure: the user has not been granted the requested logon type at this computer."},
			[3]string{"14/11/2023 10:00:02", "7000", msg7000},
		)}, `svc_exconn@contoso.com`},
		{"7000-only", map[string]string{"System.txt": eventViewerText(
			[3]string{"14/11/2023 10:00:02", "7000", msg7000},
		)}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := analyzeFiles(t, tc.files)
			f := findingOf(r, "service.logon-failure")
			if f == nil {
				t.Fatalf("no service.logon-failure; findings %+v", r.Findings)
			}
			if tc.account == "" {
				if !strings.Contains(f.Remedy, "event 7000 does not name it") {
					t.Errorf("remedy %q: want it to say event 7000 names no account", f.Remedy)
				}
				return
			}
			if !strings.Contains(f.Remedy, "grant it to "+tc.account+" (the account SCM event 7041 names") {
				t.Errorf("remedy %q: want the account %s, marked as read from the 7041", f.Remedy, tc.account)
			}
			if strings.Contains(f.Remedy, "does not name it") || strings.Contains(f.Remedy, "WIEC_USER") {
				t.Errorf("remedy %q still says the account is not named", f.Remedy)
			}
			if k := findingOf(r, "service.logon-right-missing"); k == nil || k.Key != tc.account {
				t.Errorf("7041 finding %+v: want key %s", k, tc.account)
			}
		})
	}
}
