package session

import (
	"strings"
	"testing"
	"time"

	"exlog/event"
	"exlog/report"
)

var t0 = time.Date(2023, 3, 6, 2, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

// feed runs events through a fresh builder and finishes at the last one.
func feed(t *testing.T, events ...*event.Event) []report.Sync {
	t.Helper()
	b := NewBuilder(Options{})
	for _, e := range events {
		b.Observe(e)
	}
	var last time.Time
	if len(events) > 0 {
		last = events[len(events)-1].Time
	}
	return b.Finish(last)
}

func rec(d time.Duration, typ event.Type, msg string) *event.Event {
	return &event.Event{
		Time: at(d), Type: typ, Host: "EXCON01", PID: 4312, Source: "OnPremisesExchangeConnectorService",
		Message: msg, Format: event.FormatTrace, Origin: event.Origin{Path: "Logs/Connector0.log", Offset: int64(d / time.Second)},
	}
}

func withAct(e *event.Event, a event.GUID) *event.Event { e.Activity = a; return e }
func withPID(e *event.Event, pid uint32) *event.Event   { e.PID = pid; return e }
func withPath(e *event.Event, p string) *event.Event    { e.Origin.Path = p; return e }

func one(t *testing.T, syncs []report.Sync) report.Sync {
	t.Helper()
	if len(syncs) != 1 {
		t.Fatalf("got %d sessions, want 1: %+v", len(syncs), syncs)
	}
	return syncs[0]
}

func TestDocumentedFullSync(t *testing.T) {
	s := one(t, feed(t,
		rec(0, event.Information, fullStartText(512)),
		rec(10*time.Minute, event.Verbose, "Get next command: no command available"),
		rec(25*time.Minute, event.Information, fullEndText(512, 1204, "9f3c2b1e-6a4d-4c1b-8e2f-1a2b3c4d5e6f", "cas01.contoso.com", "Connected")),
	))
	if s.Kind != "full" || s.Status != StatusCompleted || s.Reason != "" {
		t.Fatalf("kind %q status %q reason %q", s.Kind, s.Status, s.Reason)
	}
	if s.Users == nil || *s.Users != 512 || s.DevicesSynced == nil || *s.DevicesSynced != 1204 {
		t.Fatalf("users %v devices %v", s.Users, s.DevicesSynced)
	}
	if s.CommandID != "9f3c2b1e-6a4d-4c1b-8e2f-1a2b3c4d5e6f" {
		t.Fatalf("command id %q", s.CommandID)
	}
	if s.ExchangeHealth != "cas01.contoso.com: Connected" {
		t.Fatalf("health %q", s.ExchangeHealth)
	}
	if s.End == nil || !s.End.Equal(at(25*time.Minute)) || s.DurationS == nil || *s.DurationS != 1500 {
		t.Fatalf("end %v duration %v", s.End, s.DurationS)
	}
	if s.Origin != "Logs/Connector0.log@0" || len(s.Evidence) != 2 {
		t.Fatalf("origin %q evidence %d", s.Origin, len(s.Evidence))
	}
}

func TestQuickSyncWordings(t *testing.T) {
	for i, w := range quickWordings {
		start := strings.Replace(w.start, "%d", "12", 1)
		end := strings.Replace(w.end, "%d", "12", 1)
		s := one(t, feed(t, rec(0, event.Information, start), rec(time.Minute, event.Information, end)))
		if s.Kind != "quick" || s.Status != StatusCompleted || s.Users == nil || *s.Users != 12 {
			t.Errorf("wording %d: %+v", i, s)
		}
		if s.DevicesSynced == nil || *s.DevicesSynced != 4 {
			t.Errorf("wording %d: devices %v", i, s.DevicesSynced)
		}
	}
	// The translated spelling "Command ID" and a braced upper-case GUID.
	s := one(t, feed(t,
		rec(0, event.Information, "Handling command: Quick sync (quick sync) of 3 users"),
		rec(time.Minute, event.Information, "Quick sync (quick sync) of 3 users completed successfully. Details: Devices synced: 2 Command ID: {7C9E6679-7425-40DE-944B-E07FC1F90AE7}"),
	))
	if s.CommandID != "7c9e6679-7425-40de-944b-e07fc1f90ae7" || *s.Users != 3 {
		t.Fatalf("command id %q users %v", s.CommandID, *s.Users)
	}
}

func TestSessionSpansFiles(t *testing.T) {
	s := one(t, feed(t,
		withPath(rec(0, event.Information, fullStartText(40)), "case.zip!Logs/Connector29.log"),
		withPath(rec(time.Minute, event.Verbose, "rotating"), "case.zip!Logs/Connector0.log"),
		withPath(rec(20*time.Minute, event.Information, fullEndText(40, 80, "9f3c2b1e-6a4d-4c1b-8e2f-1a2b3c4d5e6f", "cas02.contoso.com", "Connected")), "case.zip!Logs/Connector0.log"),
	))
	if s.Status != StatusCompleted || !strings.HasPrefix(s.Origin, "case.zip!Logs/Connector29.log@") {
		t.Fatalf("status %q origin %q", s.Status, s.Origin)
	}
	if s.Evidence[1].Origin != "case.zip!Logs/Connector0.log" || s.Evidence[1].Offset == nil {
		t.Fatalf("end evidence origin %q", s.Evidence[1].Origin)
	}
}

func TestRestartByPID(t *testing.T) {
	syncs := feed(t,
		rec(0, event.Information, fullStartText(40)),
		rec(time.Minute, event.Verbose, "working"),
		withPID(rec(30*time.Minute, event.Information, "Loading configuration"), 9000),
		withPID(rec(31*time.Minute, event.Information, fullStartText(40)), 9000),
		withPID(rec(50*time.Minute, event.Information, fullEndText(40, 80, "9f3c2b1e-6a4d-4c1b-8e2f-1a2b3c4d5e6f", "cas01", "Connected")), 9000),
	)
	if len(syncs) != 2 {
		t.Fatalf("got %d sessions", len(syncs))
	}
	if syncs[0].Status != StatusUnfinished || !strings.HasPrefix(syncs[0].Reason, ReasonRestarted) || !strings.Contains(syncs[0].Reason, "4312 → 9000") {
		t.Fatalf("first: %q %q", syncs[0].Status, syncs[0].Reason)
	}
	if syncs[1].Status != StatusCompleted {
		t.Fatalf("second: %q", syncs[1].Status)
	}
}

func TestRestartIgnoresOtherProcesses(t *testing.T) {
	other := withPID(rec(time.Minute, event.Information, "configuration tool says hello"), 777)
	other.Source = "Microsoft.Management.Services.Configuration"
	remote := withPID(rec(2*time.Minute, event.Information, "other host"), 1)
	remote.Host = "EXCON02"
	named := withPID(rec(3*time.Minute, event.Information, "config UI"), 778)
	named.Fields = []event.Field{{Name: event.FieldProcessName, Value: "ConnectorUI"}}
	start := rec(0, event.Information, fullStartText(1))
	start.Fields = []event.Field{{Name: event.FieldProcessName, Value: "ExchangeConnectorService"}}
	s := one(t, feed(t, start, other, remote, named,
		rec(5*time.Minute, event.Information, fullEndText(1, 1, "x", "cas", "Connected"))))
	if s.Status != StatusCompleted {
		t.Fatalf("status %q reason %q", s.Status, s.Reason)
	}
}

func TestRestartByStartupMessage(t *testing.T) {
	syncs := feed(t,
		rec(0, event.Information, fullStartText(40)),
		withPID(rec(10*time.Minute, event.Information, "Microsoft Intune Exchange Connector Service started"), 0),
	)
	s := one(t, syncs)
	if s.Status != StatusUnfinished || !strings.HasPrefix(s.Reason, ReasonRestarted) {
		t.Fatalf("%q %q", s.Status, s.Reason)
	}
	// The Service Control Manager's 7036 from an event-log export (FQDN).
	scm := withPID(rec(10*time.Minute, event.Information, "The Microsoft Intune Exchange Connector Service service entered the stopped state."), 640)
	scm.Host, scm.Source, scm.Format = "excon01.contoso.com", "Service Control Manager", event.FormatEventlogXML
	s = one(t, feed(t, rec(0, event.Information, fullStartText(40)), scm))
	if s.Status != StatusUnfinished || !strings.HasPrefix(s.Reason, ReasonRestarted+" (service start/stop message") {
		t.Fatalf("%q %q", s.Status, s.Reason)
	}
	other := withPID(rec(10*time.Minute, event.Information, "The Windows Update service entered the running state."), 640)
	other.Host, other.Source = "excon01.contoso.com", "Service Control Manager"
	s = one(t, feed(t, rec(0, event.Information, fullStartText(40)), other))
	if !strings.HasPrefix(s.Reason, ReasonLogsEnd) {
		t.Fatalf("%q %q", s.Status, s.Reason)
	}
	// The same message from the session's own process is not a restart.
	s = one(t, feed(t,
		rec(0, event.Information, fullStartText(40)),
		rec(10*time.Minute, event.Information, "Notification service started"),
		rec(20*time.Minute, event.Information, fullEndText(40, 1, "x", "cas", "Connected")),
	))
	if s.Status != StatusCompleted {
		t.Fatalf("%q %q", s.Status, s.Reason)
	}
}

func TestSuperseded(t *testing.T) {
	syncs := feed(t,
		rec(0, event.Information, fullStartText(40)),
		rec(24*time.Hour, event.Information, fullStartText(41)),
		rec(24*time.Hour+20*time.Minute, event.Information, fullEndText(41, 80, "9f3c2b1e-6a4d-4c1b-8e2f-1a2b3c4d5e6f", "cas01", "Connected")),
	)
	if len(syncs) != 2 || syncs[0].Status != StatusUnfinished || !strings.HasPrefix(syncs[0].Reason, ReasonSuperseded) || syncs[0].End != nil {
		t.Fatalf("%+v", syncs)
	}
	if syncs[1].Status != StatusCompleted || *syncs[1].Users != 41 {
		t.Fatalf("%+v", syncs[1])
	}
	// Kinds are independent: a quick sync does not supersede a full one.
	syncs = feed(t,
		rec(0, event.Information, fullStartText(40)),
		rec(time.Minute, event.Information, "Handling command: Quick sync (quick sync) of 3 users"),
		rec(2*time.Minute, event.Information, "Quick sync (quick sync) of 3 users completed successfully."),
		rec(20*time.Minute, event.Information, fullEndText(40, 80, "x", "cas01", "Connected")),
	)
	if len(syncs) != 2 || syncs[0].Status != StatusCompleted || syncs[1].Status != StatusCompleted {
		t.Fatalf("%+v", syncs)
	}
}

func TestFailedCompletion(t *testing.T) {
	s := one(t, feed(t,
		rec(0, event.Information, fullStartText(40)),
		rec(3*time.Minute, event.Information, "Getting the mobile device list without a time filter (full sync) for 40 users failed. Details: System.Management.Automation.Remoting.PSRemotingTransportException: Connecting to remote server cas01.contoso.com failed with the following error message : Access is denied."),
	))
	if s.Status != StatusFailed || !strings.Contains(s.Reason, "Access is denied") || s.End == nil {
		t.Fatalf("%+v", s)
	}
	if len(s.Evidence) != 2 || !strings.Contains(s.Evidence[1].Text, "PSRemotingTransportException") {
		t.Fatalf("evidence %+v", s.Evidence)
	}
	// An Error-type record with the marker is a failure even without the
	// words.
	s = one(t, feed(t,
		rec(0, event.Information, "Handling command: Quick sync (quick sync) of 3 users"),
		rec(time.Minute, event.Error, "Quick sync (quick sync) of 3 users: PowerShell runspace could not be created"),
	))
	if s.Status != StatusFailed {
		t.Fatalf("%+v", s)
	}
}

func TestErrorInsideActivity(t *testing.T) {
	a := activity(1)
	exc := withAct(rec(2*time.Minute, event.Warning, ""), a)
	exc.Fields = []event.Field{{Name: event.FieldExceptionType, Value: "System.TimeoutException"}, {Name: event.FieldExceptionMessage, Value: "The operation has timed out"}}
	syncs := feed(t,
		withAct(rec(0, event.Information, fullStartText(40)), a),
		withAct(rec(time.Minute, event.Error, "The remote server returned an error: (503) Server Unavailable."), a),
		rec(time.Minute+time.Second, event.Error, "unrelated error without activity"),
		withAct(rec(time.Minute+2*time.Second, event.Error, "unrelated error in another activity"), activity(99)),
		exc,
		rec(24*time.Hour, event.Information, fullStartText(40)),
	)
	if len(syncs) != 2 {
		t.Fatalf("got %d", len(syncs))
	}
	s := syncs[0]
	if s.Status != StatusFailed || !strings.Contains(s.Reason, "2 "+ReasonErrorsInside) || !strings.Contains(s.Reason, "(503)") {
		t.Fatalf("%q %q", s.Status, s.Reason)
	}
	if len(s.Evidence) < 3 || s.Evidence[2].Text != "System.TimeoutException: The operation has timed out" {
		t.Fatalf("evidence %+v", s.Evidence)
	}
	// Errors followed by a success message: completed, the errors noted.
	s = one(t, feed(t,
		withAct(rec(0, event.Information, fullStartText(40)), a),
		withAct(rec(time.Minute, event.Error, "transient (503)"), a),
		withAct(rec(5*time.Minute, event.Information, fullEndText(40, 1, "x", "cas", "Connected")), a),
	))
	if s.Status != StatusCompleted || !strings.Contains(s.Reason, "after 1 "+ReasonErrorsInside) {
		t.Fatalf("%q %q", s.Status, s.Reason)
	}
}

func TestStopRecords(t *testing.T) {
	a := activity(7)
	// Stop, then the completion under the parent activity: completed.
	s := one(t, feed(t,
		withAct(rec(0, event.Start, fullStartText(40)), a),
		withAct(rec(5*time.Minute, event.Stop, ""), a),
		withAct(rec(5*time.Minute+time.Millisecond, event.Information, fullEndText(40, 1, "x", "cas", "Connected")), activity(8)),
	))
	if s.Status != StatusCompleted {
		t.Fatalf("%q %q", s.Status, s.Reason)
	}
	// A clean Stop (no error inside) and no completion message before the
	// logs end: completed, inferred, ended at the Stop. Failure needs
	// evidence of failure.
	s = one(t, feed(t,
		withAct(rec(0, event.Information, fullStartText(40)), a),
		withAct(rec(5*time.Minute, event.Stop, ""), a),
		rec(6*time.Minute, event.Verbose, "idle"),
	))
	if s.Status != StatusCompleted || !strings.HasPrefix(s.Reason, ReasonInferred) || s.End == nil || !s.End.Equal(at(5*time.Minute)) {
		t.Fatalf("%q %q %v", s.Status, s.Reason, s.End)
	}
	// A Stop after an error inside: failed.
	s = one(t, feed(t,
		withAct(rec(0, event.Information, fullStartText(40)), a),
		withAct(rec(time.Minute, event.Error, "Remote PowerShell session to CAS01 broken"), a),
		withAct(rec(5*time.Minute, event.Stop, ""), a),
		rec(6*time.Minute, event.Verbose, "idle"),
	))
	if s.Status != StatusFailed || !strings.Contains(s.Reason, ReasonStopped) || !strings.HasPrefix(s.Reason, ReasonLogsEnd) {
		t.Fatalf("%q %q", s.Status, s.Reason)
	}
}

// TestQuickSyncEndWordings: quick syncs in the style of an evidence bundle
// nobody here wrote — received line, "Handling command:", a retry
// Warning, an undocumented end ("… done - …" and other wordings) or none
// at all, then a clean Stop of the activity — are completed, never failed.
func TestQuickSyncEndWordings(t *testing.T) {
	ends := []string{
		"Delta inventory (quick sync) for 12 users done - 1 device partnership(s) reported to Intune, command 7c9e6679-7425-40de-944b-e07fc1f90ae7, elapsed 0:00:19",
		"Quick sync finished: (quick sync) 12 users, 1 device partnership(s)",
		"(delta sync) complete for 12 users",
		"", // no end message at all: the clean Stop alone
		"Delta inventory (quick sync) for 12 users: 1 device(s) reported", // unrecognised wording
	}
	for _, end := range ends {
		var evs []*event.Event
		for i := 0; i < 3; i++ {
			a := activity(uint64(20 + i))
			base := time.Duration(i) * 20 * time.Minute
			evs = append(evs,
				withAct(rec(base, event.Information, "Received command 7c9e6679-7425-40de-944b-e07fc1f90ae7 (DeviceInventory, delta) from the Intune service"), a),
				withAct(rec(base+time.Second, event.Start, "Handling command: Listing mobile devices with a time filter (changed after 10/10/2023 00:00:00) (quick sync) for 12 users"), a),
				withAct(rec(base+5*time.Second, event.Warning, "Remote PowerShell call to CAS01.contoso.com failed (attempt 1 of 3); retrying in 30 seconds. Reason: System.Net.WebException: The operation has timed out"), a),
			)
			if end != "" {
				evs = append(evs, withAct(rec(base+40*time.Second, event.Information, end), a))
			}
			evs = append(evs, withAct(rec(base+41*time.Second, event.Stop, ""), a))
		}
		evs = append(evs, rec(time.Hour, event.Verbose, "Get next command: no command available"))
		syncs := feed(t, evs...)
		if len(syncs) != 3 {
			t.Fatalf("end %q: %d sessions, want 3: %+v", end, len(syncs), syncs)
		}
		for _, s := range syncs {
			if s.Status != StatusCompleted || s.Retries != 1 {
				t.Errorf("end %q: status %q retries %d reason %q", end, s.Status, s.Retries, s.Reason)
			}
			inferred := strings.HasPrefix(s.Reason, ReasonInferred)
			if recognised := end != "" && classify(end, event.Information) == endCompleted; recognised == inferred {
				t.Errorf("end %q: reason %q (recognised end %v)", end, s.Reason, recognised)
			}
		}
	}
}

func TestActivityPairing(t *testing.T) {
	fa, qa := activity(1), activity(2)
	syncs := feed(t,
		withAct(rec(0, event.Information, fullStartText(40)), fa),
		withAct(rec(time.Minute, event.Information, "Handling command: Getting the mobile device list with a time filter (quick sync) for 5 users"), qa),
		withAct(rec(2*time.Minute, event.Information, "Getting the mobile device list with a time filter (quick sync) for 5 users completed successfully. Details: Devices synced: 3"), qa),
		withAct(rec(9*time.Minute, event.Information, fullEndText(40, 90, "x", "cas", "Connected")), fa),
	)
	if len(syncs) != 2 || syncs[0].Kind != "full" || *syncs[0].DurationS != 540 || syncs[1].Kind != "quick" || *syncs[1].DevicesSynced != 3 {
		t.Fatalf("%+v", syncs)
	}
}

func TestOrphanEndAndDuplicates(t *testing.T) {
	end := rec(time.Minute, event.Information, fullEndText(40, 90, "x", "cas", "Connected"))
	s := one(t, feed(t, end, end))
	if s.Status != StatusCompleted || s.DurationS != nil || s.Reason != ReasonNoStart || !s.Start.Equal(*s.End) {
		t.Fatalf("%+v", s)
	}
	start := rec(0, event.Information, fullStartText(40))
	s = one(t, feed(t, start, start, end, end))
	if s.Status != StatusCompleted || *s.DurationS != 60 {
		t.Fatalf("%+v", s)
	}
}

func TestImplicitStarts(t *testing.T) {
	// A progress message with the marker inside an explicit session is not
	// a new start.
	s := one(t, feed(t,
		rec(0, event.Information, fullStartText(40)),
		rec(time.Second, event.Verbose, "Getting the mobile device list without a time filter (full sync) for 40 users"),
		rec(5*time.Minute, event.Information, fullEndText(40, 90, "x", "cas", "Connected")),
	))
	if s.Status != StatusCompleted || *s.DurationS != 300 {
		t.Fatalf("%+v", s)
	}
	// Implicit starts (no "Handling command:") repeat: each is a start.
	syncs := feed(t,
		rec(0, event.Information, "Getting the mobile device list (delta sync) for 5 users"),
		rec(4*time.Hour, event.Information, "Getting the mobile device list (delta sync) for 6 users"),
		rec(4*time.Hour+time.Minute, event.Information, "Getting the mobile device list (delta sync) for 6 users finished. Devices synced: 1"),
	)
	if len(syncs) != 2 || syncs[0].Status != StatusUnfinished || syncs[1].Status != StatusCompleted {
		t.Fatalf("%+v", syncs)
	}
}

func TestUnhealthyExchangeStaysCompleted(t *testing.T) {
	s := one(t, feed(t,
		rec(0, event.Information, fullStartText(40)),
		rec(time.Minute, event.Information, fullEndText(40, 0, "x", "cas01.contoso.com", "Disconnected")),
	))
	if s.Status != StatusCompleted || s.ExchangeHealth != "cas01.contoso.com: Disconnected" {
		t.Fatalf("%q %q", s.Status, s.ExchangeHealth)
	}
}

func TestTwoHosts(t *testing.T) {
	b := rec(time.Minute, event.Information, fullStartText(7))
	b.Host, b.PID = "EXCON02", 1
	bEnd := rec(3*time.Minute, event.Information, fullEndText(7, 1, "x", "cas", "Connected"))
	bEnd.Host, bEnd.PID = "EXCON02", 1
	syncs := feed(t,
		rec(0, event.Information, fullStartText(40)),
		b, bEnd,
		rec(4*time.Minute, event.Information, fullEndText(40, 1, "x", "cas", "Connected")),
	)
	if len(syncs) != 2 || *syncs[0].DurationS != 240 || *syncs[1].DurationS != 120 {
		t.Fatalf("%+v", syncs)
	}
}

func TestLogsEnd(t *testing.T) {
	b := NewBuilder(Options{})
	b.Observe(rec(0, event.Information, fullStartText(40)))
	syncs := b.Finish(at(3 * time.Hour))
	s := one(t, syncs)
	if s.Status != StatusUnfinished || s.Reason != ReasonLogsEnd+" (running for 3h0m at the last record)" {
		t.Fatalf("%q %q", s.Status, s.Reason)
	}
	// Finish resets: the builder can be reused.
	if n, e, d := b.retained(); n != 0 || e != 0 || d != 0 {
		t.Fatalf("retained %d %d %d after Finish", n, e, d)
	}
	if got := b.Finish(time.Time{}); len(got) != 0 {
		t.Fatalf("second Finish: %+v", got)
	}
}

func TestWarningOnlyLogsHaveNoSessions(t *testing.T) {
	syncs := feed(t,
		rec(0, event.Warning, "Get next command: the operation has timed out, retrying"),
		rec(time.Hour, event.Error, "The remote server returned an error: (407) Proxy Authentication Required."),
		rec(2*time.Hour, event.Warning, "Sync is slow today"),
	)
	if len(syncs) != 0 {
		t.Fatalf("%+v", syncs)
	}
}

func TestNilAndEmpty(t *testing.T) {
	b := NewBuilder(Options{})
	b.Observe(nil)
	b.Observe(&event.Event{})
	b.Observe(&event.Event{Message: "(full sync)"})
	b.Observe(&event.Event{Message: "(quick sync) completed", Type: event.TypeInvalid})
	if got := b.Finish(time.Time{}); len(got) != 2 {
		t.Fatalf("%+v", got)
	}
}

func TestMultiLineFailure(t *testing.T) {
	// Messages keep raw newlines (exception stacks); the reader already
	// turned CRLF into "\n".
	msg := "Getting the mobile device list with a time filter (quick sync) for 5 users failed.\nSystem.Management.Automation.Remoting.PSRemotingTransportException: The WinRM client cannot process the request.\n   at System.Management.Automation.Runspaces.AsyncResult.EndInvoke()"
	syncs := feed(t,
		rec(0, event.Information, "Handling command: Getting the mobile device list with a time filter (quick sync) for 5 users"),
		rec(time.Minute, event.Error, msg),
	)
	s := one(t, syncs)
	if s.Status != StatusFailed || *s.Users != 5 {
		t.Fatalf("%+v", s)
	}
	fs := Checks(syncs, at(0), at(time.Minute), true, Options{})
	if ids(fs) != "sync.failed/quick×1 sync.coverage-short×1" || strings.Contains(fs[0].Title, "\n") || fs[0].Evidence[0].Text != msg {
		t.Fatalf("%s %q", ids(fs), fs[0].Title)
	}
}

func TestTransferredActivity(t *testing.T) {
	a, child, other := activity(1), activity(2), activity(3)
	tr := withAct(rec(time.Second, event.Transfer, ""), a)
	tr.Related = child
	syncs := feed(t,
		withAct(rec(0, event.Information, fullStartText(40)), a),
		tr,
		withAct(rec(2*time.Second, event.Start, "Invoke Get-ActiveSyncDevice"), child),
		withAct(rec(time.Minute, event.Error, "Fail to create a runspace because you have exceeded the maximum number of connections allowed : 18 for the policy party : MaxConcurrency."), child),
		withAct(rec(time.Minute+time.Second, event.Stop, ""), child), // a child's Stop does not count
		withAct(rec(time.Minute+2*time.Second, event.Error, "unrelated"), other),
		rec(24*time.Hour, event.Information, fullStartText(40)),
	)
	if len(syncs) != 2 {
		t.Fatalf("%d sessions", len(syncs))
	}
	s := syncs[0]
	if s.Status != StatusFailed || !strings.Contains(s.Reason, "1 "+ReasonErrorsInside) || strings.Contains(s.Reason, ReasonStopped) || !strings.Contains(s.Reason, "MaxConcurrency") {
		t.Fatalf("%q %q", s.Status, s.Reason)
	}
	// A completion logged in the child activity pairs with the session.
	s = one(t, feed(t,
		withAct(rec(0, event.Information, fullStartText(40)), a),
		tr,
		withAct(rec(time.Minute, event.Information, fullEndText(40, 9, "x", "cas", "Connected")), child),
	))
	if s.Status != StatusCompleted || *s.DurationS != 60 {
		t.Fatalf("%+v", s)
	}
}

func TestRestartClosesEveryOpenSession(t *testing.T) {
	syncs := feed(t,
		rec(0, event.Information, fullStartText(40)),
		rec(time.Minute, event.Information, "Handling command: Quick sync (quick sync) of 3 users"),
		withPID(rec(2*time.Minute, event.Information, "hello from the new process"), 9000),
	)
	if len(syncs) != 2 {
		t.Fatalf("%d sessions", len(syncs))
	}
	for _, s := range syncs {
		if s.Status != StatusUnfinished || !strings.HasPrefix(s.Reason, ReasonRestarted) || len(s.Evidence) != 2 {
			t.Fatalf("%+v", s)
		}
	}
}

// Session.Sync is the one conversion: durations only when both ends are
// known, never negative.
func TestSessionSync(t *testing.T) {
	u := 3
	s := Session{Kind: report.SyncQuick, Status: StatusCompleted, Start: at(time.Minute), StartSeen: true, End: at(time.Minute - 2*time.Millisecond), Users: &u, Retries: 2, Origin: "a@1"}
	sy := s.Sync()
	if sy.Kind != report.SyncQuick || sy.End == nil || sy.DurationS == nil || *sy.DurationS != 0 || sy.Retries != 2 || *sy.Users != 3 {
		t.Fatalf("%+v", sy)
	}
	s.StartSeen = false // a completion whose start rotated away
	if sy := s.Sync(); sy.DurationS != nil || sy.End == nil {
		t.Fatalf("orphan: %+v", sy)
	}
	s.End = time.Time{}
	if sy := s.Sync(); sy.End != nil {
		t.Fatalf("no end: %+v", sy)
	}
}

// TestRetriesGivenUp: retries that end in a last attempt giving up, then
// a Stop without a completion message, are a failed sync (evidence of
// failure), not an inferred completion; "attempt 3 of 3" is no retry.
func TestRetriesGivenUp(t *testing.T) {
	for _, last := range []string{
		"Remote PowerShell call to CAS01.contoso.com failed (attempt 3 of 3). Reason: System.Net.WebException: The operation has timed out",
		"Giving up on CAS01.contoso.com after 3 attempts: the operation has timed out",
	} {
		a := activity(30)
		s := one(t, feed(t,
			withAct(rec(0, event.Start, "Handling command: Listing mobile devices with a time filter (quick sync) for 12 users"), a),
			withAct(rec(5*time.Second, event.Warning, "Remote PowerShell call to CAS01.contoso.com failed (attempt 1 of 3); retrying in 30 seconds. Reason: System.Net.WebException: The operation has timed out"), a),
			withAct(rec(40*time.Second, event.Warning, "Remote PowerShell call to CAS01.contoso.com failed (attempt 2 of 3); retrying in 30 seconds. Reason: System.Net.WebException: The operation has timed out"), a),
			withAct(rec(75*time.Second, event.Warning, last), a),
			withAct(rec(76*time.Second, event.Stop, ""), a),
			rec(time.Hour, event.Verbose, "Get next command: no command available"),
		))
		if s.Status != StatusFailed || s.Retries != 2 || !strings.Contains(s.Reason, ReasonFailureWarnings) {
			t.Errorf("%q: status %q retries %d reason %q", last, s.Status, s.Retries, s.Reason)
		}
	}
	for msg, want := range map[string]bool{
		"failed (attempt 1 of 3)": true, "attempt 2/5": true, "failed (attempt 3 of 3)": false, "attempt 5/5 failed": false,
		"failed (attempt 3 of 3); retrying later": true,
	} {
		if got := announcesRetry(msg); got != want {
			t.Errorf("announcesRetry(%q) = %v, want %v", msg, got, want)
		}
	}
}
