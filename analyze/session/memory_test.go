package session

import (
	"fmt"
	"testing"
	"time"

	"exlog/event"
	"exlog/internal/cputime"
	"exlog/report"
)

// noiseMessages are non-sync records as a verbose connector log is full
// of: polling, PowerShell invocations, device decisions (with parentheses,
// which the marker scan must skip cheaply).
var noiseMessages = []string{
	"Get next command: no command available",
	"Sending heartbeat to https://manage.microsoft.com/StatelessOnPremisesConnectorService/ (attempt 1)",
	"Invoking PowerShell command Get-ActiveSyncDevice -ResultSize Unlimited (runspace 2) on https://cas01.contoso.com/PowerShell",
	"Device 'Androidc1234567890' of user jürgen.müller@contoso.com: DeviceAccessState Allowed (ExternallyManaged), no change needed",
	"Processing batch 17 of 42 (250 devices, 12 users); elapsed 00:00:03.2170000",
	"Exchange PowerShell session opened to cas01.contoso.com (Kerberos, port 443)",
	"Command result: Set-CASMailbox -Identity 'CN=Åsa Ström,OU=Users,DC=contoso,DC=com' -ActiveSyncAllowedDeviceIDs @{Add='ApplF2LXK0ABCDEF'} (0.41 s)",
	"Trace: token cache hit for https://manage.microsoft.com (expires 2023-03-06T03:14:15Z)",
}

func noise(i int, t time.Time, act event.GUID) event.Event {
	return event.Event{
		Time: t, Type: event.Verbose, Source: "OnPremisesExchangeConnectorService", Host: "EXCON01", PID: 4312, TID: uint32(7 + i%5),
		Activity: act, Message: noiseMessages[i%len(noiseMessages)], Format: event.FormatTrace,
		Origin: event.Origin{Path: "Logs/Connector3.log", Offset: int64(i) * 900},
	}
}

// TestMemoryFlatInRecords feeds a million non-sync records with and
// without an open session and checks that the builder retains nothing per
// record (its state sizes stay constant and Observe does not allocate).
func TestMemoryFlatInRecords(t *testing.T) {
	const n = 1_000_000
	b := NewBuilder(Options{})
	base := time.Date(2023, 3, 6, 0, 0, 0, 0, time.UTC)
	var e event.Event
	for i := 0; i < n; i++ {
		e = noise(i, base.Add(time.Duration(i)*time.Millisecond*50), event.GUID{})
		b.Observe(&e)
	}
	if o, en, d := b.retained(); o != 0 || en != 0 || d != 0 {
		t.Fatalf("after %d non-sync records: open %d ends %d done %d", n, o, en, d)
	}
	// Open one session and feed records of its own activity, of other
	// activities, errors elsewhere and activity records.
	a := activity(42)
	start := event.Event{Time: base.Add(n * 50 * time.Millisecond), Type: event.Information, Host: "EXCON01", PID: 4312,
		Source: "OnPremisesExchangeConnectorService", Activity: a, Message: fullStartText(500), Origin: event.Origin{Path: "Logs/Connector3.log", Offset: 1}}
	b.Observe(&start)
	base = start.Time
	for i := 0; i < n; i++ {
		act := event.GUID{}
		switch i % 4 {
		case 1:
			act = a
		case 2:
			act = activity(uint64(1000 + i%977))
		}
		e = noise(i, base.Add(time.Duration(i)*time.Millisecond), act)
		if i%10 == 3 && act != a {
			e.Type = event.Error // not in the session's activity
		}
		if i%10 == 5 {
			e.Type = event.Transfer
		}
		b.Observe(&e)
	}
	if o, en, d := b.retained(); o != 1 || en != 0 || d != 0 {
		t.Fatalf("after %d records in a session: open %d ends %d done %d", n, o, en, d)
	}
	if ev := len(b.open[0].sync.Evidence); ev != 1 {
		t.Fatalf("session evidence grew to %d", ev)
	}
	// Errors inside the session: counted exactly, evidence capped.
	for i := 0; i < 1000; i++ {
		e = noise(i, base.Add(time.Hour), a)
		e.Type = event.Error
		b.Observe(&e)
	}
	if s := b.open[0]; s.errors != 1000 || len(s.sync.Evidence) != 1+maxErrorEvidence {
		t.Fatalf("errors %d evidence %d", s.errors, len(s.sync.Evidence))
	}
	// Transfers to ever new activities: the child set stays bounded.
	for i := 0; i < 1000; i++ {
		e = noise(i, base.Add(time.Hour), a)
		e.Type, e.Related = event.Transfer, activity(uint64(50_000+i))
		b.Observe(&e)
	}
	if s := b.open[0]; s.nChildren != maxChildren {
		t.Fatalf("children %d", s.nChildren)
	}
	// A non-sync record costs no allocation, with or without open sessions.
	e = noise(1, base.Add(2*time.Hour), event.GUID{})
	if allocs := testing.AllocsPerRun(1000, func() { b.Observe(&e) }); allocs != 0 {
		t.Fatalf("Observe(non-sync, session open) allocates %.1f per record", allocs)
	}
	e.Activity = a
	if allocs := testing.AllocsPerRun(1000, func() { b.Observe(&e) }); allocs != 0 {
		t.Fatalf("Observe(non-sync in the session's activity) allocates %.1f per record", allocs)
	}
	empty := NewBuilder(Options{})
	if allocs := testing.AllocsPerRun(1000, func() { empty.Observe(&e) }); allocs != 0 {
		t.Fatalf("Observe(non-sync, nothing open) allocates %.1f per record", allocs)
	}
	syncs := b.Finish(base.Add(3 * time.Hour))
	if len(syncs) != 1 || syncs[0].Status != StatusFailed {
		t.Fatalf("%+v", syncs)
	}
}

// benchPeriod is one synthetic day of a verbose connector log: ~100k
// records (one per ~0.86 s), one full sync of 25 minutes at 02:00 and a quick
// sync every 4 h, each with its activity, the rest noise.
func benchPeriod() (events []event.Event, period time.Duration) {
	const perDay = 100_000
	period = 24 * time.Hour
	step := period / perDay
	base := time.Date(2023, 3, 6, 0, 0, 0, 0, time.UTC)
	type mark struct {
		at  time.Duration
		typ event.Type
		msg string
		act event.GUID
	}
	var marks []mark
	fa := activity(1)
	marks = append(marks, mark{2 * time.Hour, event.Information, fullStartText(480), fa},
		mark{2*time.Hour + 25*time.Minute, event.Information, fullEndText(480, 1200, "9f3c2b1e-6a4d-4c1b-8e2f-1a2b3c4d5e6f", "cas01.contoso.com", "Connected"), fa})
	for q, k := 10*time.Minute, 0; q < period; q, k = q+4*time.Hour, k+1 {
		w := quickWordings[k%len(quickWordings)]
		qa := activity(uint64(10 + k))
		marks = append(marks, mark{q, event.Information, fmt.Sprintf(w.start, 12), qa},
			mark{q + 40*time.Second, event.Information, fmt.Sprintf(w.end, 12), qa})
	}
	mi := 0
	for i := 0; i < perDay; i++ {
		at := time.Duration(i) * step
		for mi < len(marks) && marks[mi].at <= at {
			// marks are appended out of order; pick any due mark
			mi++
		}
		e := noise(i, base.Add(at), event.GUID{})
		if i%7 == 0 {
			e.Activity = fa // noise inside the full sync's activity
		}
		if i%997 == 0 {
			e.Type = event.Warning
		}
		events = append(events, e)
	}
	for _, m := range marks {
		i := int(m.at / step)
		events[i].Type, events[i].Message, events[i].Activity = m.typ, m.msg, m.act
	}
	return events, period
}

// BenchmarkBuilder measures Observe over a realistic verbose stream of
// 1,000,000 records (10 replays of one day, ~70 sync sessions); one op is
// the whole stream. Reported: ns/event (wall), cpu-ns/event (process CPU,
// GC included; steadier on a loaded machine), allocs/op (whole stream),
// MB/s of message text.
func BenchmarkBuilder(b *testing.B) {
	day, period := benchPeriod()
	const replays = 10
	var bytes int64
	for i := range day {
		bytes += int64(len(day[i].Message))
	}
	b.SetBytes(bytes * replays)
	b.ReportAllocs()
	var syncs []report.Sync
	cpu0, cpuOK := cputime.Process()
	for b.Loop() {
		bl := NewBuilder(Options{})
		var e event.Event
		for r := 0; r < replays; r++ {
			shift := time.Duration(r) * period
			for i := range day {
				e = day[i]
				e.Time = e.Time.Add(shift)
				bl.Observe(&e)
			}
		}
		syncs = bl.Finish(e.Time)
	}
	if len(syncs) != replays*7 {
		b.Fatalf("sessions %d, want %d", len(syncs), replays*7)
	}
	for _, s := range syncs {
		if s.Status != StatusCompleted {
			b.Fatalf("session %+v", s)
		}
	}
	events := float64(len(day) * replays)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/events, "ns/event")
	if cpu1, ok := cputime.Process(); ok && cpuOK {
		b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/float64(b.N)/events, "cpu-ns/event")
	}
}
