package patterns

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"
	"time"

	"exlog/event"
	"exlog/report"
)

var t0 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

func mustLoad(t testing.TB, src string) *Library {
	t.Helper()
	l, err := LoadSource("test.exlog", src)
	if err != nil {
		t.Fatalf("load:\n%v", err)
	}
	return l
}

func ev(at time.Duration, typ event.Type, msg string) *event.Event {
	return &event.Event{Time: t0.Add(at), Type: typ, Message: msg, Format: event.FormatTrace,
		Source: "OnPremisesExchangeConnectorService", Origin: event.Origin{Path: "Connector0.log", Offset: int64(at / time.Second)}}
}

func run(l *Library, cov Window, evs ...*event.Event) ([]report.Finding, []Note) {
	m := l.NewMatcher()
	for _, e := range evs {
		m.Observe(e)
	}
	return m.Finish(cov)
}

func win(from, to time.Duration) Window { return Window{Start: t0.Add(from), End: t0.Add(to)} }

const header = `title "t" severity warning remedy "r" `

func TestEachCountsExactlyAndCapsEvidence(t *testing.T) {
	l := mustLoad(t, `pattern net.x { `+header+` match message contains "boom" }`)
	var evs []*event.Event
	for i := 0; i < 12; i++ {
		evs = append(evs, ev(time.Duration(i)*time.Minute, event.Error, fmt.Sprintf("BOOM number %d", i)))
		evs = append(evs, ev(time.Duration(i)*time.Minute, event.Error, "quiet"))
	}
	fs, _ := run(l, win(0, time.Hour), evs...)
	if len(fs) != 1 {
		t.Fatalf("findings: %d", len(fs))
	}
	f := fs[0]
	if f.Count != 12 || len(f.Evidence) != report.MaxEvidence {
		t.Fatalf("count %d evidence %d", f.Count, len(f.Evidence))
	}
	if !f.First.Equal(t0) || !f.Last.Equal(t0.Add(11*time.Minute)) {
		t.Errorf("first/last %v %v", f.First, f.Last)
	}
	if f.Evidence[0].Text != "BOOM number 0" || f.Evidence[4].Text != "BOOM number 11" {
		t.Errorf("evidence should keep the first ones and the latest: %q ... %q", f.Evidence[0].Text, f.Evidence[4].Text)
	}
	if f.Source != "pattern:test.exlog" || f.Category != "net" || f.Evidence[0].Offset == nil {
		t.Errorf("source %q category %q offset %v", f.Source, f.Category, f.Evidence[0].Offset)
	}
}

func TestKeyAndCapturesInTitle(t *testing.T) {
	l := mustLoad(t, `pattern network.dns {
  title "cannot resolve {remote} ({count} times, key {key})" severity error remedy "r"
  match message ~ /could not be resolved: '(?P<remote>[^']+)'/i
  key remote
}`)
	fs, _ := run(l, win(0, time.Hour),
		ev(0, event.Error, "The remote name could not be resolved: 'a.contoso.com'"),
		ev(time.Minute, event.Error, "The remote name could not be resolved: 'b.contoso.com'"),
		ev(2*time.Minute, event.Error, "the remote name COULD NOT BE RESOLVED: 'a.contoso.com'"),
	)
	if len(fs) != 2 {
		t.Fatalf("want 2 findings (one per host), got %d", len(fs))
	}
	got := map[string]string{}
	for _, f := range fs {
		got[f.Key] = f.Title
	}
	if got["a.contoso.com"] != "cannot resolve a.contoso.com (2 times, key a.contoso.com)" || got["b.contoso.com"] != "cannot resolve b.contoso.com (1 times, key b.contoso.com)" {
		t.Errorf("titles: %v", got)
	}
}

func TestFieldTests(t *testing.T) {
	l := mustLoad(t, `pattern service.x { `+header+`
  match event_id in [7000, 7041] and level >= error and source == "service control manager" and format == eventlog-xml and message contains "wiec"
}`)
	ok := &event.Event{Time: t0, Type: event.Error, EventID: 7041, Source: "Service Control Manager", Format: event.FormatEventlogXML, Message: "The WIEC service was unable to log on"}
	variants := []func(e *event.Event){
		func(e *event.Event) { e.EventID = 7036 },
		func(e *event.Event) { e.Type = event.Warning },
		func(e *event.Event) { e.Source = "Other" },
		func(e *event.Event) { e.Format = event.FormatTrace },
		func(e *event.Event) { e.Message = "The spooler service" },
	}
	if fs, _ := run(l, Window{}, ok); len(fs) != 1 {
		t.Fatalf("the matching event did not match")
	}
	for i, v := range variants {
		e := *ok
		v(&e)
		if fs, _ := run(l, Window{}, &e); len(fs) != 0 {
			t.Errorf("variant %d matched", i)
		}
	}
}

func TestCountingThreshold(t *testing.T) {
	l := mustLoad(t, `pattern net.burst { `+header+` match message contains "timed out" at least 3 within 10m }`)
	// Two isolated events, then a burst of four within 10m, then one more far away.
	times := []time.Duration{0, 30 * time.Minute, 60 * time.Minute, 62 * time.Minute, 65 * time.Minute, 69 * time.Minute, 3 * time.Hour}
	var evs []*event.Event
	for _, at := range times {
		evs = append(evs, ev(at, event.Error, "The operation has timed out"))
	}
	fs, _ := run(l, win(0, 4*time.Hour), evs...)
	if len(fs) != 1 || fs[0].Count != 4 {
		t.Fatalf("want one finding counting the 4 burst events, got %+v", fs)
	}
	if !fs[0].First.Equal(t0.Add(60*time.Minute)) || !fs[0].Last.Equal(t0.Add(69*time.Minute)) {
		t.Errorf("first/last %v %v", fs[0].First, fs[0].Last)
	}
	// Below the threshold: nothing.
	fs, _ = run(l, win(0, 4*time.Hour), evs[0], evs[1], evs[6])
	if len(fs) != 0 {
		t.Errorf("isolated events made a finding: %+v", fs)
	}
}

func TestEscalation(t *testing.T) {
	l := mustLoad(t, `pattern net.esc { `+header+` match message contains "refused"
  escalate error when count >= 3
  escalate critical when count >= 3 within 1m }`)
	slow := []*event.Event{ev(0, event.Error, "actively refused"), ev(time.Hour, event.Error, "actively refused"), ev(2*time.Hour, event.Error, "actively refused")}
	fs, _ := run(l, win(0, 3*time.Hour), slow...)
	if len(fs) != 1 || fs[0].Severity != report.SeverityError {
		t.Fatalf("3 spread events should escalate to error: %+v", fs)
	}
	fast := []*event.Event{ev(0, event.Error, "actively refused"), ev(10*time.Second, event.Error, "actively refused"), ev(20*time.Second, event.Error, "actively refused")}
	fs, _ = run(l, win(0, 3*time.Hour), fast...)
	if fs[0].Severity != report.SeverityCritical {
		t.Fatalf("3 events within 1m should escalate to critical: %v", fs[0].Severity)
	}
	fs, _ = run(l, win(0, 3*time.Hour), fast[:2]...)
	if fs[0].Severity != report.SeverityWarning {
		t.Fatalf("2 events stay warning: %v", fs[0].Severity)
	}
}

func TestSequence(t *testing.T) {
	l := mustLoad(t, `pattern sync.stuck { `+header+`
  match message contains "started" not followed by message contains "completed" within 2h on activity }`)
	act := func(e *event.Event, n byte) *event.Event { e.Activity = event.GUID{n}; return e }
	evs := []*event.Event{
		act(ev(0, event.Start, "sync started"), 1),
		act(ev(30*time.Minute, event.Information, "sync started"), 2),
		act(ev(1*time.Hour, event.Stop, "sync completed"), 1), // closes activity 1 only
		act(ev(5*time.Hour, event.Start, "sync started"), 3),
		// Activity 4: the completion is logged 5 ms before the start by another thread.
		act(ev(6*time.Hour, event.Stop, "sync completed"), 4),
		act(ev(6*time.Hour+5*time.Millisecond, event.Start, "sync started"), 4),
		act(ev(9*time.Hour, event.Information, "sync started"), 5), // too close to the end to judge
	}
	fs, notes := run(l, win(0, 10*time.Hour), evs...)
	if len(fs) != 1 || fs[0].Count != 2 {
		t.Fatalf("want activities 2 and 3 unfinished (count 2), got %+v", fs)
	}
	if !fs[0].First.Equal(t0.Add(30*time.Minute)) || !fs[0].Last.Equal(t0.Add(5*time.Hour)) {
		t.Errorf("first/last %v %v", fs[0].First, fs[0].Last)
	}
	if len(notes) != 1 || notes[0].Reason != "too-close-to-end" || notes[0].Count != 1 {
		t.Errorf("notes %+v", notes)
	}
	// Without "on", any completion closes every pending start.
	g := mustLoad(t, `pattern sync.stuck { `+header+`
  match message contains "started" not followed by message contains "completed" within 2h }`)
	fs, _ = run(g, win(0, 10*time.Hour), evs[0], evs[1], evs[2])
	if len(fs) != 0 {
		t.Errorf("global sequence: %+v", fs)
	}
}

func TestAbsenceAndCoverage(t *testing.T) {
	l := mustLoad(t, `pattern sync.full-overdue { title "no full sync for {gap}" severity error remedy "r"
  expect message contains "(full sync)" and message contains "completed successfully" every 26h }`)
	done := func(at time.Duration) *event.Event {
		return ev(at, event.Information, "Getting the mobile device list without a time filter (full sync) for 12 users completed successfully.")
	}
	// Healthy: daily syncs over three days.
	if fs, notes := run(l, win(0, 72*time.Hour), done(2*time.Hour), done(26*time.Hour), done(50*time.Hour)); len(fs) != 0 || len(notes) != 0 {
		t.Fatalf("healthy: %+v %+v", fs, notes)
	}
	// A 40 h hole in the middle.
	fs, _ := run(l, win(0, 72*time.Hour), done(2*time.Hour), done(42*time.Hour), done(60*time.Hour))
	if len(fs) != 1 || fs[0].Count != 1 || fs[0].Title != "no full sync for 40h" {
		t.Fatalf("hole: %+v", fs)
	}
	if !strings.Contains(fs[0].Evidence[0].Text, "last seen before") {
		t.Errorf("evidence should name the last sync before the gap: %q", fs[0].Evidence[0].Text)
	}
	// None at all in 30 h of logs.
	fs, _ = run(l, win(0, 30*time.Hour), ev(time.Hour, event.Verbose, "poll"))
	if len(fs) != 1 || fs[0].Title != "no full sync for 30h" {
		t.Fatalf("none: %+v", fs)
	}
	// Trailing gap: last sync 27h before the end of the logs.
	fs, _ = run(l, win(0, 40*time.Hour), done(13*time.Hour))
	if len(fs) != 1 {
		t.Fatalf("trailing gap not found: %+v", fs)
	}
	// Events outside the covered window do not count as gaps inside it.
	fs, _ = run(l, win(48*time.Hour, 72*time.Hour+time.Minute), done(0), done(49*time.Hour))
	if len(fs) != 0 {
		t.Fatalf("clipped to coverage: %+v", fs)
	}
	// Coverage shorter than the period: a note, never a finding.
	fs, notes := run(l, win(0, 20*time.Hour))
	if len(fs) != 0 || len(notes) != 1 || notes[0].Reason != "coverage-short" || notes[0].ID != "sync.full-overdue" || notes[0].Needed != 26*time.Hour {
		t.Fatalf("short coverage: %+v %+v", fs, notes)
	}
	fs, notes = run(l, Window{})
	if len(fs) != 0 || len(notes) != 1 {
		t.Fatalf("no coverage: %+v %+v", fs, notes)
	}
}

func TestCapturedFieldCondition(t *testing.T) {
	l := mustLoad(t, `pattern sync.h { title "{server} is {status}" severity error remedy "r"
  match message ~ /server=(?P<server>\w+) status=(?P<status>\w+)/ and status != "connected" key server }`)
	fs, _ := run(l, Window{}, ev(0, event.Information, "server=CAS01 status=Connected"), ev(time.Second, event.Information, "server=CAS02 status=Failed"))
	if len(fs) != 1 || fs[0].Title != "CAS02 is Failed" {
		t.Fatalf("%+v", fs)
	}
}

// The prefilter must never hide a match: compare the matcher with a
// brute-force evaluation of every probe on random messages.
func TestPrefilterIsSound(t *testing.T) {
	l, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var words []string
	for _, p := range l.Patterns() {
		for _, ex := range p.rule.Examples {
			for _, e := range ex.Events {
				words = append(words, strings.Fields(e.Event.Message)...)
			}
		}
	}
	r := rand.New(rand.NewSource(7))
	types := []event.Type{event.Verbose, event.Information, event.Warning, event.Error}
	matched := 0
	defer func() {
		if matched < 100 {
			t.Errorf("only %d random messages matched: the test proves little", matched)
		}
	}()
	for i := 0; i < 3000; i++ {
		n := 1 + r.Intn(25)
		parts := make([]string, n)
		for j := range parts {
			parts[j] = words[r.Intn(len(words))]
			if r.Intn(4) == 0 {
				parts[j] = strings.ToUpper(parts[j])
			}
		}
		e := ev(0, types[r.Intn(len(types))], strings.Join(parts, " "))
		if r.Intn(10) == 0 {
			e.EventID = 7000 + uint32(r.Intn(50))
			e.Source = "Service Control Manager"
		}
		fs, _ := run(l, Window{}, e)
		got := map[string]bool{}
		matched += len(fs)
		for _, f := range fs {
			got[f.ID] = true
		}
		for _, p := range l.Patterns() {
			if p.rule.Kind.String() == "absence" || p.rule.Kind.String() == "sequence" {
				continue
			}
			one := mustLoadPattern(t, p)
			want := len(bruteForce(one, e)) > 0
			// A record that a pattern explaining p matches is that
			// pattern's evidence, not p's (the explains clause).
			for _, q := range l.Patterns() {
				if want && slices.Contains(q.Explains, p.ID) && len(bruteForce(q, e)) > 0 {
					want = false
				}
			}
			if want != got[p.ID] {
				t.Fatalf("pattern %s: prefiltered %v, brute force %v, message %q", p.ID, got[p.ID], want, e.Message)
			}
		}
	}
}

func mustLoadPattern(t testing.TB, p *Pattern) *Pattern { return p }

// bruteForce evaluates the When condition directly, without the prefilter.
func bruteForce(p *Pattern, e *event.Event) []bool {
	var ctx ruleCtx
	ctx.Reset(e)
	if p.rule.When.Cond.Match(&ctx) {
		return []bool{true}
	}
	return nil
}

// Multi-event examples drive sequences and absence through Test().
func TestMultiEventExamples(t *testing.T) {
	l := mustLoad(t, `pattern sync.stuck {
  title "sync started and never finished" severity warning remedy "r"
  match message contains "(full sync)" and message startswith "handling command"
        not followed by message contains "(full sync)" and message contains "completed" within 6h on activity
  example match [
    { at 0h activity "6f1e2d3c-0000-4000-8000-000000000001" message "Handling command: Getting the mobile device list without a time filter (full sync) for 12 users" }
    { at 8h activity "6f1e2d3c-0000-4000-8000-000000000002" message "something else" }
  ]
  example nomatch [
    { at 0h activity "6f1e2d3c-0000-4000-8000-000000000001" message "Handling command: Getting the mobile device list without a time filter (full sync) for 12 users" }
    { at 2h activity "6f1e2d3c-0000-4000-8000-000000000001" message "Getting the mobile device list without a time filter (full sync) for 12 users completed successfully." }
    { at 9h message "later" }
  ]
  example match [
    { at 0h activity "6f1e2d3c-0000-4000-8000-000000000001" message "Handling command: Getting the mobile device list without a time filter (full sync) for 12 users" }
    { at 2h activity "6f1e2d3c-0000-4000-8000-000000000002" message "Getting the mobile device list without a time filter (full sync) for 12 users completed successfully." }
  ] covering 7h
}`)
	res := l.Test()
	if len(res) != 3 {
		t.Fatalf("results: %v", res)
	}
	for _, r := range res {
		if !r.Passed() {
			t.Errorf("%s", r)
		}
	}
	// And an example that is wrong must fail, not pass silently.
	bad := mustLoad(t, `pattern a.b { title "t" severity info remedy "r" match message contains "x"
  example nomatch "x marks the spot" }`)
	if r := bad.Test(); len(r) != 1 || r[0].Passed() || !strings.Contains(r[0].String(), "FAIL") {
		t.Fatalf("a wrong example passed: %v", r)
	}
}

func TestDistinctKeysAreBounded(t *testing.T) {
	l := mustLoad(t, `pattern net.k { `+header+` match message ~ /host (?P<h>\S+) down/ key h }`)
	m := l.NewMatcher()
	for i := 0; i < 5000; i++ {
		m.Observe(ev(time.Duration(i)*time.Second, event.Error, fmt.Sprintf("host h%d down", i)))
	}
	fs, _ := m.Finish(win(0, 2*time.Hour))
	total := 0
	for _, f := range fs {
		total += f.Count
	}
	if len(fs) > 1001 || total != 5000 {
		t.Fatalf("%d findings, total count %d", len(fs), total)
	}
}

// Sequence state must not grow with the number of activities.
func TestSequenceMemoryIsBounded(t *testing.T) {
	l := mustLoad(t, `pattern s.q { `+header+` match message contains "begin" not followed by message contains "end" within 1m on activity }`)
	m := l.NewMatcher()
	n := 200_000
	for i := 0; i < n; i++ {
		var g event.GUID
		g[0], g[1], g[2] = byte(i), byte(i>>8), byte(i>>16)
		at := time.Duration(i) * time.Second
		b := ev(at, event.Start, "begin")
		b.Activity = g
		m.Observe(b)
		if i%2 == 0 {
			e := ev(at+time.Second, event.Stop, "end")
			e.Activity = g
			m.Observe(e)
		}
	}
	st := m.m.State(0)
	t.Logf("state %+v", st)
	if st.ByOn > 10_000 || st.LastThen > 10_000 {
		t.Fatalf("sequence state grew: %+v", st)
	}
	fs, _ := m.Finish(win(0, time.Duration(n)*time.Second+time.Hour))
	if len(fs) != 1 || fs[0].Count != n/2 {
		t.Fatalf("want %d unfinished, got %+v", n/2, fs)
	}
}

// One failure, one occurrence (issue 15.11): an exception and the retry
// Warning of the same failed poll count once; separate polls count
// separately, whether told apart by activity or by time.
func TestOneFailedOperationCountsOnce(t *testing.T) {
	l := mustLoad(t, `pattern command.x { `+header+` match message contains "get next command" }`)
	act := func(e *event.Event, n byte) *event.Event { e.Activity[15] = n; return e }
	fs, _ := run(l, win(0, time.Hour),
		// poll 1: same activity
		act(ev(0, event.Error, "Get next command threw WebException"), 1),
		act(ev(2*time.Millisecond, event.Warning, "Get next command failed 1 time(s); retrying"), 1),
		// poll 2: no activity, same thread within a second
		ev(time.Minute, event.Error, "Get next command threw WebException"),
		ev(time.Minute+300*time.Millisecond, event.Warning, "Get next command failed 2 time(s); retrying"),
		// poll 3 and 4: two activities at the same millisecond are two operations
		act(ev(2*time.Minute, event.Error, "Get next command threw WebException"), 3),
		act(ev(2*time.Minute, event.Error, "Get next command threw WebException"), 4),
		// poll 5: same thread, 2 s later than poll 2: another operation
		ev(time.Minute+2300*time.Millisecond, event.Error, "Get next command threw WebException"),
	)
	if len(fs) != 1 || fs[0].Count != 5 || !strings.Contains(fs[0].Title, "7 records, counted as 5 failed operations") {
		t.Fatalf("%+v", fs)
	}
}
