package analyze

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"exlog/analyze/session"
	"exlog/report"
)

func at(h float64) *time.Time {
	t := time.Date(2023, 3, 12, 0, 0, 0, 0, time.UTC).Add(time.Duration(h * float64(time.Hour)))
	return &t
}

func syncAt(kind report.SyncKind, start, end float64, st report.SyncStatus) report.Sync {
	s := report.Sync{Kind: kind, Start: *at(start), Status: st, Origin: "Connector0.log"}
	if st == report.SyncCompleted {
		s.End = at(end)
	}
	return s
}

// Failed full syncs followed by a completed full sync are history,
// however recent; a later completed quick sync does not end them; with
// the last full sync failed, the timing rule stands.
func TestSyncedAgain(t *testing.T) {
	failed := func() []report.Finding {
		return []report.Finding{{ID: session.IDFailed, Key: "full", Severity: report.SeverityError, Count: 2, First: at(5), Last: at(29), Ongoing: true}}
	}
	cases := []struct {
		name    string
		syncs   []report.Sync
		ongoing bool
	}{
		{"full completed after", []report.Sync{syncAt("full", 5, 6, report.SyncFailed), syncAt("full", 29, 30, report.SyncFailed), syncAt("full", 39, 40, report.SyncCompleted)}, false},
		{"only a quick completed after", []report.Sync{syncAt("full", 29, 30, report.SyncFailed), syncAt("quick", 31, 31.2, report.SyncCompleted)}, true},
		{"full completed before only", []report.Sync{syncAt("full", 1, 2, report.SyncCompleted), syncAt("full", 29, 30, report.SyncFailed)}, true},
	}
	for _, c := range cases {
		fs := failed()
		syncedAgain(fs, c.syncs)
		if fs[0].Ongoing != c.ongoing {
			t.Errorf("%s: ongoing %v, want %v", c.name, fs[0].Ongoing, c.ongoing)
		}
		if !c.ongoing && !strings.Contains(fs[0].ResolvedBy, "a later full sync completed") {
			t.Errorf("%s: resolved by %q", c.name, fs[0].ResolvedBy)
		}
	}
}

// Unrecognised errors degrade the verdict while they happen; once they
// stopped and a full sync completed after them they are history.
func TestUnmatchedErrorsHistory(t *testing.T) {
	end := *at(60)
	mk := func(last float64, fullEnd float64) *report.Report {
		return &report.Report{
			Syncs:     []report.Sync{syncAt("full", fullEnd-1, fullEnd, report.SyncCompleted)},
			Unmatched: []report.Template{{Template: "The remote server returned an error: (<n>) Unauthorized.", Count: 19, Type: "error", First: at(6), Last: at(last)}},
		}
	}
	cases := []struct {
		name        string
		last, full  float64
		state       report.VerdictState
		reasonWords string
	}{
		{"stopped, full sync after", 36, 53, report.StateHealthy, "stopped by"},
		{"stopped, no full sync after", 36, 30, report.StateDegraded, "does not recognise (see UNMATCHED"},
		{"still happening", 59.5, 53, report.StateDegraded, "does not recognise (see UNMATCHED"},
	}
	for _, c := range cases {
		v := verdict(mk(c.last, c.full), verdictInput{logsEnd: end, connectorSeen: true})
		if v.State != c.state || !strings.Contains(strings.Join(v.Reasons, "\n"), c.reasonWords) {
			t.Errorf("%s: %s %q", c.name, v.State, v.Reasons)
		}
	}
	r := mk(36, 53)
	r.Unmatched[0].Undated = 1 // one occurrence that cannot be placed: can't call it over
	if v := verdict(r, verdictInput{logsEnd: end, connectorSeen: true}); v.State != report.StateDegraded {
		t.Errorf("undated: %s %q", v.State, v.Reasons)
	}
}

// A remote PowerShell failure against one CAS while every later sync
// completes through another is the CAS failover at work: degraded, not
// broken, and said so. A failed sync after it, a sync through the failing
// server, or a disconnected one keep it an error.
func TestCASFailover(t *testing.T) {
	health := func(srv, status string) string {
		return "Server health 'Name: 'PowerShellExchangeServer: <Name=" + srv + ">' Status: " + status + "'"
	}
	ok := func(start float64, srv string) report.Sync {
		s := syncAt("quick", start, start+0.2, report.SyncCompleted)
		s.ExchangeHealth = health(srv, "Connected")
		return s
	}
	cases := []struct {
		name  string
		syncs []report.Sync
		sev   report.Severity
	}{
		{"failover works", []report.Sync{ok(1, "cas01.contoso.com"), ok(10, "cas02.contoso.com"), ok(12, "cas02.contoso.com")}, report.SeverityWarning},
		{"one later sync failed", []report.Sync{ok(10, "cas02.contoso.com"), syncAt("quick", 12, 0, report.SyncFailed), ok(14, "cas02.contoso.com")}, report.SeverityError},
		{"through the failing server", []report.Sync{ok(10, "cas02.contoso.com"), ok(12, "cas01.contoso.com")}, report.SeverityError},
		{"only one completed", []report.Sync{ok(10, "cas02.contoso.com")}, report.SeverityError},
		{"no server named", []report.Sync{syncAt("quick", 10, 10.2, report.SyncCompleted), syncAt("quick", 12, 12.2, report.SyncCompleted)}, report.SeverityError},
	}
	for _, c := range cases {
		fs := []report.Finding{{ID: "exchange.remote-powershell-failed", Key: "cas01.contoso.com", Severity: report.SeverityError, Count: 9, First: at(9), Last: at(15), Ongoing: true}}
		casFailover(fs, c.syncs, *at(16))
		if fs[0].Severity != c.sev {
			t.Errorf("%s: severity %s, want %s (%s)", c.name, fs[0].Severity, c.sev, fs[0].Title)
		}
		if c.sev == report.SeverityWarning && (!strings.Contains(fs[0].Title, "through cas02.contoso.com (CAS failover)") || !strings.Contains(fs[0].Remedy, "fails over to cas02.contoso.com")) {
			t.Errorf("%s: %q / %q", c.name, fs[0].Title, fs[0].Remedy)
		}
	}
}

// Trace times written without a zone are read as UTC, and the report says
// so instead of listing "+00:00" as if the file had said it.
func TestNoZoneTraceTimes(t *testing.T) {
	log := svcTraceRec("2023-10-29T02:40:11.1234567", "Microsoft Intune Exchange Connector Service is starting.") +
		svcTraceRec("2023-10-29T02:41:11.1234567", "Loading service configuration")
	in, kinds := readOne(t, "Connector0.log", log, Options{})
	if kinds["no-timezone"] != 1 || in.Records != 2 {
		t.Fatalf("records %d, warnings %v", in.Records, kinds)
	}
	p := filepath.Join(t.TempDir(), "Connector0.log")
	if err := os.WriteFile(p, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Run([]string{p}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(rep.Environment.TZOffsets, "; ")
	if !strings.Contains(got, "none written in 1 trace file") || strings.Contains(got, "+00:00") {
		t.Errorf("time zone offsets: %q", got)
	}
}

// Past the end of support, a sync finding that was over before the end of
// the logs (syncs completed daily after it) does not make the end of
// support say "syncs fail or stopped"; one still happening does.
func TestEndOfSupportIgnoresOverFindings(t *testing.T) {
	day := func(d int, h float64) time.Time {
		return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC).Add(time.Duration(h * float64(time.Hour)))
	}
	var syncs []report.Sync
	for d := 18; d <= 30; d++ {
		st, en := day(d, 3), day(d, 3.6)
		syncs = append(syncs, report.Sync{Kind: "full", Start: st, End: &en, Status: report.SyncCompleted})
	}
	over := report.Finding{ID: session.IDFullOverdue, Category: "sync", Severity: report.SeverityError, Count: 1, First: ptr(day(16, 3)), Last: ptr(day(18, 3))}
	live := report.Finding{ID: "sync.failed", Key: "quick", Category: "sync", Severity: report.SeverityError, Count: 5, First: ptr(day(30, 10)), Last: ptr(day(30, 23))}
	for _, c := range []struct {
		name     string
		raised   []report.Finding
		critical bool
	}{{"over", []report.Finding{over}, false}, {"still happening", []report.Finding{over, live}, true}} {
		fs := endOfSupportFinding(&checkInput{syncs: syncs, end: day(30, 23.9), last: day(30, 23.9), raised: c.raised, attr: newAttribution()})
		if len(fs) != 1 || (fs[0].Severity == report.SeverityCritical) != c.critical {
			t.Errorf("%s: %+v", c.name, fs)
		}
	}
}

func ptr(t time.Time) *time.Time { return &t }

// A local-time export aligned with the traces at one offset follows the
// traces' own daylight-saving change: records on its other side get the
// other offset; in the repeated hour the file order decides; where it
// cannot, the record is counted as undecided. Offsets of zero (GMT/BST)
// are real offsets, not "undecided".
func TestDSTOffsets(t *testing.T) {
	loc := func(s string) time.Time {
		l, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	h := time.Hour
	// Europe/Berlin, end of DST: 2023-10-29 01:00Z, +02:00 → +01:00.
	de := &run{tzChanges: []tzChange{{at: time.Date(2023, 10, 29, 1, 0, 0, 0, time.UTC), from: 7200, to: 3600}}}
	at, _ := de.dstOffsets(2*h, nil, nil)
	// newest first: after the change (CET), the repeated hour twice, before it (CEST)
	locals := []time.Time{loc("2023-10-29 09:00"), loc("2023-10-29 02:40"), loc("2023-10-29 02:10"), loc("2023-10-29 02:50"), loc("2023-10-29 02:20"), loc("2023-10-28 19:04")}
	offs, undecided := offsetsInOrder(locals, at, 2*h)
	want := []time.Duration{h, h, h, 2 * h, 2 * h, 2 * h}
	for k := range want {
		if offs[k] != want[k] {
			t.Errorf("de record %d (%s): offset %v, want %v", k, locals[k].Format("01-02 15:04"), offs[k], want[k])
		}
	}
	if undecided != 0 {
		t.Errorf("de: %d undecided", undecided)
	}
	// Only repeated-hour records and records before the change: undecided.
	if _, undecided := offsetsInOrder([]time.Time{loc("2023-10-29 02:20"), loc("2023-10-29 02:15"), loc("2023-10-28 19:04")}, at, 2*h); undecided != 2 {
		t.Errorf("de, one side only: %d undecided, want 2", undecided)
	}
	// US Eastern, start of DST: 2023-03-12 07:00Z, -05:00 → -04:00; aligned at -04:00.
	us := &run{tzChanges: []tzChange{{at: time.Date(2023, 3, 12, 7, 0, 0, 0, time.UTC), from: -18000, to: -14400}}}
	at, dst := us.dstOffsets(-4*h, nil, nil)
	offs, _ = offsetsInOrder([]time.Time{loc("2023-03-11 00:58"), loc("2023-03-13 11:19")}, at, -4*h)
	if offs[0] != -5*h || offs[1] != -4*h || !strings.Contains(dst, "UTC-05:00") {
		t.Errorf("us: %v (%s)", offs, dst)
	}
	// UK: GMT+0 → BST+1 on 2023-03-26 01:00Z; aligned at +01:00.
	uk := &run{tzChanges: []tzChange{{at: time.Date(2023, 3, 26, 1, 0, 0, 0, time.UTC), from: 0, to: 3600}}}
	at, _ = uk.dstOffsets(h, nil, nil)
	offs, undecided = offsetsInOrder([]time.Time{loc("2023-03-25 10:00"), loc("2023-03-25 23:00"), loc("2023-03-27 10:00")}, at, h)
	if offs[0] != 0 || offs[1] != 0 || offs[2] != h || undecided != 0 {
		t.Errorf("uk: %v, %d undecided", offs, undecided)
	}
	// No change in the traces, or one not from/to the aligned offset: one offset.
	for _, r := range []*run{{}, {tzChanges: []tzChange{{at: time.Date(2023, 3, 26, 1, 0, 0, 0, time.UTC), from: 0, to: 3600}}}} {
		at, dst := r.dstOffsets(-4*h, nil, nil)
		if at(loc("2023-03-25 10:00")) != -4*h || dst != "" {
			t.Errorf("single offset expected: %q", dst)
		}
	}
}

// An event-log export that ends before the trace logs begin is named
// (it cannot show the connector's service then), and its unrecognised
// errors are not the connector's history in the verdict; one that overlaps
// raises nothing.
func TestEventLogOutsideTheTraces(t *testing.T) {
	ev := func(rec int, at string) string {
		return `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='DCOM'/><EventID Qualifiers='0'>10016</EventID><Level>2</Level><TimeCreated SystemTime='` + at +
			`'/><EventRecordID>` + fmt.Sprint(rec) + `</EventRecordID><Channel>System</Channel><Computer>WS-17.fabrikam.local</Computer></System><EventData><Data>a DCOM permission error</Data></EventData></Event>`
	}
	traces := svcTraceRec("2023-12-04T07:12:00.0000000Z", "Microsoft Intune Exchange Connector Service is starting.") +
		svcTraceRec("2023-12-05T07:12:00.0000000Z", "Loading service configuration")
	old := runDir(t, map[string]string{"Connector0.log": traces, "System.xml": ev(1, "2017-03-01T08:00:00.0000000Z") + ev(2, "2017-03-02T08:00:00.0000000Z")})
	var f *report.Finding
	for i := range old.Findings {
		if old.Findings[i].ID == IDEventLogOutside {
			f = &old.Findings[i]
		}
	}
	if f == nil || f.Count != 1 || len(f.Evidence) != 1 || !strings.Contains(f.Evidence[0].Text, "covers 2017-03-01 → 2017-03-02") {
		t.Fatalf("no %s naming the 2017 export: %+v", IDEventLogOutside, f)
	}
	if strings.Contains(strings.Join(old.Verdict.Reasons, "\n"), "does not recognise") {
		t.Errorf("2017 errors in the verdict: %q", old.Verdict.Reasons)
	}
	in := runDir(t, map[string]string{"Connector0.log": traces, "System.xml": ev(1, "2023-12-04T09:00:00.0000000Z")})
	for _, g := range in.Findings {
		if g.ID == IDEventLogOutside {
			t.Errorf("an overlapping export raised %s: %s", g.ID, g.Title)
		}
	}
}

// Trace logs whose connector records hold no Information or Verbose
// record show a listener at Warning: no sync can appear, so none is
// overdue, config file or not, and the verdict is "can't tell".
func TestWarningLevelLogs(t *testing.T) {
	warn := func(at, msg string) string {
		r := svcTraceRec(at, msg)
		r = strings.Replace(r, `<SubType Name="Information">`, `<SubType Name="Warning">`, 1)
		return strings.Replace(r, `<Level>8</Level>`, `<Level>4</Level>`, 1)
	}
	var log string
	for d := 1; d <= 5; d++ {
		log += warn(fmt.Sprintf("2023-10-0%dT09:00:00.0000000Z", d), "Retrying the Exchange PowerShell call in 30 seconds.")
	}
	r := runDir(t, map[string]string{"Connector0.log": log})
	for _, f := range r.Findings {
		if f.ID == session.IDFullOverdue || f.ID == session.IDQuickGap {
			t.Errorf("%s from Warning-level logs: %s", f.ID, f.Title)
		}
	}
	if r.Verdict.State != report.StateUnknown {
		t.Errorf("verdict %s %q, want unknown", r.Verdict.State, r.Verdict.Reasons)
	}
}

// Quick syncs that fail on weekdays and complete in between: a later
// completed quick sync is no fix (syncedAgain leaves it), the weekend's
// quiet is no fix unless a restart followed (recurring), and while it
// happens the connector is degraded, not broken (its syncs complete too).
func TestIntermittentAndRecurring(t *testing.T) {
	var syncs []report.Sync
	for h := 0.0; h < 120; h += 2 { // Monday 00:00 → Saturday 00:00, every 2 h
		st := report.SyncCompleted
		if d := int(h) % 24; d >= 8 && d < 18 {
			st = report.SyncFailed
		}
		syncs = append(syncs, syncAt("quick", h, h+0.2, st))
	}
	syncs = append(syncs, syncAt("quick", 130, 130.2, report.SyncCompleted)) // Saturday
	mk := func() []report.Finding {
		return []report.Finding{{ID: session.IDFailed, Key: "quick", Severity: report.SeverityError, Count: 25, First: at(8), Last: at(112), Ongoing: false}}
	}
	fs := mk()
	syncedAgain(fs, syncs)
	if fs[0].ResolvedBy != "" {
		t.Errorf("an intermittent failure resolved by a later completion: %q", fs[0].ResolvedBy)
	}
	end := *at(112 + 54) // Sunday night
	a := &run{traceLast: end}
	fs = mk()
	a.recurring(fs)
	if !fs[0].Ongoing {
		t.Errorf("a weekday failure quiet over the weekend called over")
	}
	a.restarts = []session.Restart{{Time: *at(140)}}
	fs = mk()
	a.recurring(fs)
	if fs[0].Ongoing {
		t.Errorf("a failure followed by a restart (a fix applied) still called happening")
	}
	fs = mk()
	fs[0].Ongoing = true
	v := verdict(&report.Report{Findings: fs, Syncs: syncs}, verdictInput{connectorSeen: true, logsEnd: end})
	if v.State != report.StateDegraded {
		t.Errorf("intermittent quick-sync failures: %s, want degraded", v.State)
	}
	if r := strings.Join(v.Reasons, "\n"); !strings.Contains(r, "recurring: first") || strings.Contains(r, "still happening") {
		t.Errorf("a problem quiet for two days is not 'still happening' in words: %q", r)
	}
}
