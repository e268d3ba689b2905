package analyze

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"exlog/event"
	"exlog/report"
)

// traceRec writes one E2ETraceEvent record as the .NET listener does.
func traceRec(t time.Time, sub string, level int, source, proc string, pid int, host, msg string) string {
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(msg)
	return fmt.Sprintf(`<E2ETraceEvent xmlns="http://schemas.microsoft.com/2004/06/E2ETraceEvent"><System xmlns="http://schemas.microsoft.com/2004/06/windows/eventlog/system"><EventID>0</EventID><Type>3</Type><SubType Name="%s">0</SubType><Level>%d</Level><TimeCreated SystemTime="%s" /><Source Name="%s" /><Correlation ActivityID="{00000000-0000-0000-0000-000000000000}" /><Execution ProcessName="%s" ProcessID="%d" ThreadID="7" /><Channel/><Computer>%s</Computer></System><ApplicationData>%s</ApplicationData></E2ETraceEvent>`,
		sub, level, t.UTC().Format("2006-01-02T15:04:05.0000000Z"), source, proc, pid, host, esc)
}

func runDir(t *testing.T, files map[string]string) *report.Report {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Run([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ids(r *report.Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.ID)
	}
	return out
}

// A connector whose process and source names are none of ours (the
// connector is recognised by what it says), next to another service on the
// same computer that fails on DNS, TLS and a proxy and writes on for hours
// after the connector's last record. Its records must raise no finding,
// count no process run and not stretch the covered window (issues 16.2 and
// 15.10); the connector's own DNS error, written before its first sync
// marker, stays the connector's.
func TestAttributionMixed(t *testing.T) {
	t0 := time.Date(2023, 6, 5, 8, 0, 0, 0, time.UTC)
	var conn, other strings.Builder
	// the connector's first record is an error before any marker: the
	// prescan attributes it from the writer's later activity
	conn.WriteString(traceRec(t0, "Error", 2, "Svc", "IntuneEasBridge", 4100, "MAIL-GW-3",
		"Poll failed: System.Net.WebException: The remote name could not be resolved: 'proxy01.corp.local'"))
	for i := 0; i < 40; i++ {
		at := t0.Add(time.Duration(i) * 30 * time.Minute).Add(time.Minute)
		conn.WriteString(traceRec(at, "Information", 8, "Svc", "IntuneEasBridge", 4100, "MAIL-GW-3",
			fmt.Sprintf("Handling command: Getting the mobile device list with a time filter (quick sync) for %d users", 3+i%5)))
		conn.WriteString(traceRec(at.Add(20*time.Second), "Information", 8, "Svc", "IntuneEasBridge", 4100, "MAIL-GW-3",
			fmt.Sprintf("Getting the mobile device list with a time filter (quick sync) for %d users completed successfully.", 3+i%5)))
	}
	connEnd := t0.Add(39*30*time.Minute + time.Minute + 20*time.Second)
	msgs := []string{
		"System.Net.WebException: The remote name could not be resolved: 'orders.fabrikam.net'",
		"System.Net.WebException: The underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel.",
		"System.Net.WebException: The remote server returned an error: (407) Proxy Authentication Required.",
	}
	var otherEnd time.Time
	for i := 0; i < 30; i++ {
		otherEnd = t0.Add(time.Duration(i) * 47 * time.Minute)
		other.WriteString(traceRec(otherEnd, "Error", 2, "System.Net", "Fabrikam.Orders.Worker", 9312, "MAIL-GW-3", msgs[i%3]))
	}
	if otherEnd.Sub(connEnd) < 3*time.Hour {
		t.Fatalf("test set-up: the other service must outlast the connector (%s vs %s)", otherEnd, connEnd)
	}
	r := runDir(t, map[string]string{"a/trace1.log": conn.String(), "b/orders.svclog": other.String()})
	for _, f := range r.Findings {
		for _, ev := range f.Evidence {
			if strings.Contains(ev.Origin, "orders.svclog") {
				t.Errorf("finding %s cites the other service: %+v", f.ID, ev)
			}
		}
		if f.ID == "sync.quick-gap" || f.ID == "sync.full-overdue" {
			t.Errorf("schedule judged on the other service's records: %s %s", f.ID, f.Title)
		}
	}
	dns := false
	for _, f := range r.Findings {
		dns = dns || (f.ID == "network.dns" && strings.Contains(f.Title, "proxy01.corp.local"))
	}
	if !dns {
		t.Errorf("the connector's own DNS error (before its first sync marker) was not attributed to it: %v", ids(r))
	}
	if r.Summary.Covered == nil || !r.Summary.Covered.End.Equal(connEnd) {
		t.Errorf("covered window %+v, want it to end at the connector's last record %s", r.Summary.Covered, connEnd)
	}
	if r.Environment.Processes != 1 {
		t.Errorf("process runs %d, want 1 (the other service is not a connector run)", r.Environment.Processes)
	}
	if len(r.NotConnector) != 1 {
		t.Fatalf("not_connector %+v", r.NotConnector)
	}
	o := r.NotConnector[0]
	errs := 0
	for _, e := range o.Errors {
		errs += e.Count
	}
	if o.Process != "Fabrikam.Orders.Worker" || o.Host != "MAIL-GW-3" || o.Records != 30 || errs != 30 ||
		len(o.Sources) != 1 || o.Sources[0] != "System.Net" || o.Processes != 1 || o.Last == nil || !o.Last.Equal(otherEnd) {
		t.Errorf("other program %+v (errors %d)", o, errs)
	}
	if r.Verdict.State != report.StateDegraded && r.Verdict.State != report.StateBroken && r.Verdict.State != report.StateHealthy {
		t.Errorf("verdict %s", r.Verdict.State)
	}
}

// Trace logs with no connector activity at all, in several shapes: the
// verdict is "can't tell", bundle.not-connector names them, no sync claim.
func TestAttributionNotConnector(t *testing.T) {
	t0 := time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct{ name, source, proc, host, msg string }{
		{"wcf", "System.ServiceModel", "w3wp", "WEB01", "Throwing an exception. System.ServiceModel.EndpointNotFoundException: There was no endpoint listening at net.tcp://10.0.0.4:808/Svc"},
		{"plain", "Trace", "Contoso.Billing.Host", "APP-7", "The remote server returned an error: (407) Proxy Authentication Required."},
		{"noname", "", "", "", "Timeout expired. The timeout period elapsed prior to completion of the operation."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b strings.Builder
			for i := 0; i < 50; i++ {
				b.WriteString(traceRec(t0.Add(time.Duration(i)*time.Hour), "Error", 2, c.source, c.proc, 1200, c.host, c.msg))
			}
			r := runDir(t, map[string]string{"x.svclog": b.String()})
			if r.Verdict.State != report.StateUnknown {
				t.Errorf("verdict %s, want unknown: %v", r.Verdict.State, r.Verdict.Reasons)
			}
			var nc *report.Finding
			for i, f := range r.Findings {
				if strings.HasPrefix(f.ID, "sync.") || f.Category == "network" || f.Category == "intune" {
					t.Errorf("claim about the connector from another program's logs: %s", f.ID)
				}
				if f.ID == "bundle.not-connector" {
					nc = &r.Findings[i]
				}
			}
			if nc == nil {
				t.Fatalf("no bundle.not-connector: %v", ids(r))
			}
			for _, want := range []string{c.proc, c.host, c.source} {
				if want != "" && !strings.Contains(nc.Title, want) {
					t.Errorf("title %q does not name %q", nc.Title, want)
				}
			}
			if r.Summary.Covered != nil || len(r.Syncs) != 0 || len(r.Unmatched) != 0 {
				t.Errorf("covered %+v syncs %d unmatched %d", r.Summary.Covered, len(r.Syncs), len(r.Unmatched))
			}
			if len(r.NotConnector) != 1 || r.NotConnector[0].Records != 50 {
				t.Errorf("not_connector %+v", r.NotConnector)
			}
		})
	}
}

// connectorActivity on wordings and names we did not write.
func TestConnectorActivity(t *testing.T) {
	yes := [][3]string{ // process, source, message
		{"WIEC", "", "starting"},
		{"Microsoft.Intune.ExchangeConnector", "", "x"},
		{"svchost", "OnPremisesExchangeConnectorService", "x"},
		{"p", "s", "GetNextCommand: received command 42"},
		{"p", "s", "Get next command failed 3 time(s)"},
		{"p", "s", "Getting the mobile devices changed since 10:00 (QuickSync) for 4 users"},
		{"p", "s", "Sending mail: SendEmail from notification account to a@b.c"},
		{"p", "s", "Exchange health: 'PowerShellExchangeServer: <Name=CAS2>' Status: Connected"},
		{"ConfigWizard", "Trace", "Error code: 0x00000006. The connector cannot connect to Microsoft Intune."},
		{"svc", "", "System.Net.WebException: The remote name could not be resolved: 'fef.msua06.manage.microsoft.com'"},
	}
	no := [][3]string{
		{"w3wp", "System.ServiceModel", "Throwing an exception."},
		{"IntuneManagementExtension", "IntuneManagementExtension", "Sync completed"},
		{"Contoso.Billing.Host", "System.Net", "Exchange rate sync failed: (407) Proxy Authentication Required"},
		{"sqlservr", "Trace", "Full sync of the catalog finished"},
	}
	for _, c := range yes {
		if !connectorActivity(evFor(c)) {
			t.Errorf("not recognised as the connector: %q", c)
		}
	}
	for _, c := range no {
		if connectorActivity(evFor(c)) {
			t.Errorf("taken for the connector: %q", c)
		}
	}
}

func evFor(c [3]string) *event.Event {
	e := &event.Event{Source: c[1], Message: c[2]}
	if c[0] != "" {
		e.Fields = append(e.Fields, event.Field{Name: event.FieldProcessName, Value: c[0]})
	}
	return e
}

// A bundle of event logs only (no trace log) is judged on what it shows:
// no sync claim, and "can't tell" rather than healthy when nothing in it
// is wrong (issue 16.2).
func TestOnlyEventLogs(t *testing.T) {
	ev := func(rec int, at string) string {
		return `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Service Control Manager'/><EventID Qualifiers='16384'>7036</EventID><Level>4</Level><TimeCreated SystemTime='` + at +
			`'/><EventRecordID>` + fmt.Sprint(rec) + `</EventRecordID><Channel>System</Channel><Computer>MX-07.fabrikam.local</Computer></System><EventData><Data Name='param1'>Windows Update</Data><Data Name='param2'>running</Data></EventData></Event>`
	}
	r := runDir(t, map[string]string{"sys.xml": ev(10, "2023-05-02T08:00:00.0000000Z") + ev(11, "2023-05-03T09:30:00.0000000Z")})
	if r.Verdict.State != report.StateUnknown {
		t.Errorf("verdict %s, want unknown: %q", r.Verdict.State, r.Verdict.Reasons)
	}
	for _, f := range r.Findings {
		if strings.HasPrefix(f.ID, "sync.") || f.ID == IDNotConnector {
			t.Errorf("claim the event logs cannot support: %s", f.ID)
		}
	}
	if len(r.Collect) == 0 || r.Collect[0].What != "the connector's trace logs" {
		t.Errorf("collect-next does not ask for the trace logs: %+v", r.Collect)
	}
}

// Next steps never ask for what the bundle shows done (issue 16.9): with
// ExchangeWebServiceURL set, a still-failing Autodiscover is not told to
// set it.
func TestAdviceNotDoneAgain(t *testing.T) {
	t0 := time.Date(2023, 8, 1, 0, 0, 0, 0, time.UTC)
	var b strings.Builder
	for i := 0; i < 12; i++ {
		at := t0.Add(time.Duration(i) * 2 * time.Hour)
		b.WriteString(traceRec(at, "Information", 8, "Src", "MailBridge", 77, "HUB-2", "Handling command: Getting the mobile device list with a time filter (quick sync) for 4 users"))
		b.WriteString(traceRec(at.Add(time.Minute), "Error", 2, "Src", "MailBridge", 77, "HUB-2", "Mailer: Autodiscover failed for the notification mailbox: The Autodiscover service couldn't be located."))
	}
	cfg := "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<OnPremisesExchangeConnectorServiceConfiguration>\r\n  <ExchangeWebServiceURL>https://ews.fabrikam.local/EWS/Exchange.asmx</ExchangeWebServiceURL>\r\n</OnPremisesExchangeConnectorServiceConfiguration>\r\n"
	r := runDir(t, map[string]string{"t.log": b.String(), "OnPremisesExchangeConnectorServiceConfiguration.xml": cfg})
	f := findingByID(r, "notify.autodiscover-failed")
	if f == nil || !f.Ongoing {
		t.Fatalf("no ongoing notify.autodiscover-failed: %v", ids(r))
	}
	if r.Environment.EWSURL == "" {
		t.Fatalf("the service config was not read: %+v", r.Environment)
	}
	for _, s := range append([]string{f.Remedy}, r.Verdict.NextSteps...) {
		if strings.Contains(s, "or set ExchangeWebServiceURL") {
			t.Errorf("asks to set what the bundle shows set: %s", s)
		}
	}
	if !strings.Contains(f.Remedy, "already set") {
		t.Errorf("remedy %q", f.Remedy)
	}
}
