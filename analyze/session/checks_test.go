package session

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"exlog/event"
	"exlog/report"
)

// run builds the sessions of a schedule and the Go checks on them.
func run(t *testing.T, sc schedule, verbose bool, opt Options) (syncs []report.Sync, findings []report.Finding, fulls, quicks int) {
	t.Helper()
	s, fulls, quicks := sc.build()
	b := NewBuilder(opt)
	for _, e := range s.sorted() {
		b.Observe(e)
	}
	first, last := s.bounds()
	syncs = b.Finish(last)
	return syncs, Checks(syncs, first, last, verbose, opt), fulls, quicks
}

func count(syncs []report.Sync, kind report.SyncKind, status report.SyncStatus) int {
	n := 0
	for _, s := range syncs {
		if s.Kind == kind && (status == "" || s.Status == status) {
			n++
		}
	}
	return n
}

func ids(fs []report.Finding) string {
	var out []string
	for _, f := range fs {
		id := f.ID
		if f.Key != "" {
			id += "/" + f.Key
		}
		out = append(out, fmt.Sprintf("%s×%d", id, f.Count))
	}
	return strings.Join(out, " ")
}

func checkFindingShape(t *testing.T, fs []report.Finding) {
	t.Helper()
	for _, f := range fs {
		if f.Category != "sync" || f.Docs != Docs || f.Title == "" || f.Remedy == "" || f.Count < 1 ||
			f.Severity == report.SeverityInvalid || len(f.Evidence) > report.MaxEvidence || f.First == nil || f.Last == nil {
			t.Errorf("malformed finding %+v", f)
		}
		for _, ev := range f.Evidence {
			if ev.Time == nil || ev.Text == "" {
				t.Errorf("%s: evidence without time or text: %+v", f.ID, ev)
			}
		}
	}
}

func TestHealthyFiveDays(t *testing.T) {
	syncs, fs, fulls, quicks := run(t, healthy(5), true, Options{})
	if fulls != 5 || quicks != 30 {
		t.Fatalf("generator made %d full / %d quick", fulls, quicks)
	}
	if got := count(syncs, "full", StatusCompleted); got != 5 {
		t.Errorf("completed full syncs = %d, want 5", got)
	}
	if got := count(syncs, "quick", StatusCompleted); got != 30 {
		t.Errorf("completed quick syncs = %d, want 30", got)
	}
	if len(syncs) != 35 {
		t.Errorf("sessions = %d, want 35", len(syncs))
	}
	// Nothing flagged.
	if ids(fs) != "" {
		t.Fatalf("findings: %s", ids(fs))
	}
	checkFindingShape(t, fs)
	// Every full sync crosses the file rotation at 02:10 and is still one
	// completed session; every session has start and end evidence.
	crossing := 0
	for _, s := range syncs {
		if len(s.Evidence) < 2 || s.DurationS == nil {
			t.Fatalf("session without end evidence: %+v", s)
		}
		startFile, _, _ := strings.Cut(s.Evidence[0].Origin, "@")
		endFile, _, _ := strings.Cut(s.Evidence[len(s.Evidence)-1].Origin, "@")
		if startFile != endFile {
			crossing++
		}
	}
	if crossing != 5 {
		t.Errorf("sessions crossing a file boundary = %d, want the 5 full syncs", crossing)
	}
	c := ObservedCadence(syncs)
	if c.QuickMedian < 4*time.Hour-time.Minute || c.QuickMedian > 4*time.Hour+time.Minute || c.FullCount != 5 || c.QuickCount != 30 || len(c.FullTimeOfDay) != 5 {
		t.Errorf("cadence %+v", c)
	}
	if c.LastFull == nil || !c.LastFull.Start.After(healthy(5).start.Add(4*24*time.Hour)) {
		t.Errorf("last full %+v", c.LastFull)
	}
}

func TestHealthyWithoutActivities(t *testing.T) {
	sc := healthy(5)
	sc.activities = false
	syncs, fs, _, _ := run(t, sc, true, Options{})
	if count(syncs, "full", StatusCompleted) != 5 || count(syncs, "quick", StatusCompleted) != 30 || ids(fs) != "" {
		t.Fatalf("%d sessions; findings %s", len(syncs), ids(fs))
	}
}

func TestStuckFullSync(t *testing.T) {
	sc := healthy(5)
	sc.stuckFullDay = 2
	syncs, fs, _, _ := run(t, sc, true, Options{})
	if count(syncs, "full", StatusCompleted) != 4 || count(syncs, "full", StatusUnfinished) != 1 || count(syncs, "quick", StatusCompleted) != 30 {
		t.Fatalf("sessions: %d full completed, %d unfinished", count(syncs, "full", StatusCompleted), count(syncs, "full", StatusUnfinished))
	}
	// The stuck sync is unfinished, and the schedule missed a completion
	// (the next full sync started on time: no "not started" window).
	if ids(fs) != "sync.full-overdue×1 sync.unfinished/full×1" {
		t.Fatalf("findings: %s", ids(fs))
	}
	if !strings.HasPrefix(fs[0].Title, "No full sync completed for 48h") {
		t.Errorf("overdue title: %s", fs[0].Title)
	}
	f := fs[1]
	if f.Severity != report.SeverityError || !strings.Contains(f.Title, "1 "+ReasonSuperseded) || !f.First.Equal(sc.start.Add(2*24*time.Hour+2*time.Hour+14*time.Second)) {
		t.Errorf("unfinished finding: %+v", f)
	}
	checkFindingShape(t, fs)
}

func TestStuckFullSyncAtLogsEnd(t *testing.T) {
	sc := healthy(5)
	sc.stuckFullDay = 4 // the last day's full sync never ends; logs go on ~22 h
	syncs, fs, _, _ := run(t, sc, true, Options{})
	if count(syncs, "full", StatusUnfinished) != 1 || ids(fs) != "sync.unfinished/full×1" {
		t.Fatalf("findings: %s", ids(fs))
	}
	if !strings.Contains(fs[0].Title, "1 still running when the logs end") {
		t.Errorf("title %s", fs[0].Title)
	}
}

func TestRunningAtLogsEndIsNotFlagged(t *testing.T) {
	syncs, _, _, _ := run(t, healthy(5), true, Options{})
	// A quick sync started 1 minute before the last record.
	last := syncs[len(syncs)-1].Start.Add(3 * time.Hour)
	syncs = append(syncs, report.Sync{Kind: "quick", Start: last.Add(-time.Minute), Status: StatusUnfinished, Reason: ReasonLogsEnd, Origin: "x"})
	fs := Checks(syncs, healthy(5).start, last, true, Options{})
	if ids(fs) != "" {
		t.Fatalf("findings: %s", ids(fs))
	}
}

func TestSixHourQuickOutage(t *testing.T) {
	sc := healthy(5)
	// 07:00-13:00 on day 2: the 08:10 and 12:10 quick syncs do not run.
	sc.outageFrom = sc.start.Add(2*24*time.Hour + 7*time.Hour)
	sc.outageTo = sc.outageFrom.Add(6 * time.Hour)
	syncs, fs, _, quicks := run(t, sc, true, Options{})
	if quicks != 28 || count(syncs, "quick", StatusCompleted) != 28 {
		t.Fatalf("quick syncs %d/%d", quicks, count(syncs, "quick", StatusCompleted))
	}
	if ids(fs) != "sync.quick-gap×1" {
		t.Fatalf("findings: %s", ids(fs))
	}
	f := fs[0]
	wantFrom := sc.start.Add(2*24*time.Hour + 4*time.Hour + 10*time.Minute + 6*time.Second)
	if !f.First.Equal(wantFrom) || !f.Last.Equal(wantFrom.Add(12*time.Hour)) || !strings.Contains(f.Title, "No quick sync for 12h0m") {
		t.Errorf("gap finding: %s first %v last %v", f.Title, f.First, f.Last)
	}
	checkFindingShape(t, fs)
}

func TestOneMissedQuickSyncIsNotAGap(t *testing.T) {
	sc := healthy(5)
	sc.outageFrom = sc.start.Add(2*24*time.Hour + 9*time.Hour) // only 12:10 is missed: 8 h gap
	sc.outageTo = sc.outageFrom.Add(6 * time.Hour)
	_, fs, _, quicks := run(t, sc, true, Options{})
	if quicks != 29 || ids(fs) != "" {
		t.Fatalf("%d quick; findings: %s", quicks, ids(fs))
	}
}

func TestOutageWithFastCadence(t *testing.T) {
	sc := healthy(3)
	sc.quickEvery = time.Hour
	sc.outageFrom = sc.start.Add(30 * time.Hour)
	sc.outageTo = sc.outageFrom.Add(6 * time.Hour)
	_, fs, _, _ := run(t, sc, true, Options{})
	if len(fs) != 1 || fs[0].ID != IDQuickGap || !strings.Contains(fs[0].Title, "No quick sync for 7h0m") {
		t.Fatalf("findings: %s %v", ids(fs), fs)
	}
}

func TestQuickIntervalOverride(t *testing.T) {
	// The observed cadence is 4 h; an override of 1 h makes every interval
	// a gap (limit max(2.2 h, 3 h) = 3 h).
	_, fs, _, _ := run(t, healthy(2), true, Options{QuickInterval: time.Hour})
	if len(fs) != 1 || fs[0].ID != IDQuickGap || fs[0].Count != 12 || !strings.Contains(fs[0].Title, "set by option") {
		t.Fatalf("findings: %s", ids(fs))
	}
}

func TestTrailingQuickGap(t *testing.T) {
	sc := healthy(5)
	sc.outageFrom = sc.start.Add(3*24*time.Hour + 12*time.Hour)
	sc.outageTo = sc.start.Add(10 * 24 * time.Hour)
	_, fs, _, _ := run(t, sc, true, Options{})
	if len(fs) != 1 || fs[0].ID != IDQuickGap || fs[0].Count != 1 {
		t.Fatalf("findings: %s", ids(fs))
	}
	if !strings.Contains(fs[0].Evidence[0].Text, "no quick sync from") {
		t.Errorf("evidence %+v", fs[0].Evidence)
	}
}

func TestSlowFullSync(t *testing.T) {
	sc := healthy(5)
	sc.slowFullDay = 3
	sc.slowDuration = 3 * time.Hour
	syncs, fs, _, _ := run(t, sc, true, Options{})
	if count(syncs, "full", StatusCompleted) != 5 {
		t.Fatal("full syncs")
	}
	if ids(fs) != "sync.slow/full×1" {
		t.Fatalf("findings: %s", ids(fs))
	}
	if !strings.Contains(fs[0].Title, "it took 3h0m") || !strings.Contains(fs[0].Evidence[0].Text, "full sync took 3h0m") {
		t.Errorf("slow finding: %+v", fs[0])
	}
	checkFindingShape(t, fs)
	// The same sync is not slow with a factor of 10 and no absolute bound,
	// and slow again with the default bound (3 h > 2 h).
	_, fs, _, _ = run(t, sc, true, Options{SlowFactor: 10, SlowAbsolute: -1})
	if ids(fs) != "" {
		t.Fatalf("factor 10: %s", ids(fs))
	}
	_, fs, _, _ = run(t, sc, true, Options{SlowFactor: 10})
	if ids(fs) != "sync.slow/full×1" || !strings.Contains(fs[0].Title, "any sync over 2h0m is slow, plus a second per user above 7,200 users") || strings.Contains(fs[0].Title, "usually take") { // only the absolute bound flagged it: the peers rule is not quoted
		t.Fatalf("factor 10, default bound: %s", ids(fs))
	}
	// An absolute bound catches it even with few peers.
	sc.days = 2
	sc.slowFullDay = 1
	sc.slowDuration = 7 * time.Hour
	_, fs, _, _ = run(t, sc, true, Options{})
	if len(fs) != 1 || fs[0].ID != IDSlow || !strings.Contains(fs[0].Title, "any sync over") {
		t.Fatalf("absolute: %s", ids(fs))
	}
}

func TestCoverageShort(t *testing.T) {
	sc := healthy(1)
	s, _, _ := sc.build()
	// keep the first 20 hours only
	var kept []*event.Event
	for _, e := range s.sorted() {
		if e.Time.Before(sc.start.Add(20 * time.Hour)) {
			kept = append(kept, e)
		}
	}
	b := NewBuilder(Options{})
	for _, e := range kept {
		b.Observe(e)
	}
	first, last := kept[0].Time, kept[len(kept)-1].Time
	syncs := b.Finish(last)
	if count(syncs, "full", StatusCompleted) != 1 || count(syncs, "quick", StatusCompleted) != 5 {
		t.Fatalf("sessions %+v", syncs)
	}
	fs := Checks(syncs, first, last, true, Options{})
	if ids(fs) != "sync.coverage-short×1" || !strings.Contains(fs[0].Title, "19h55m") {
		t.Fatalf("findings: %s %v", ids(fs), fs)
	}
	checkFindingShape(t, fs)
	// Unknown window: still coverage-short, nothing else.
	if fs := Checks(syncs, time.Time{}, time.Time{}, true, Options{}); ids(fs) != "sync.coverage-short×1" {
		t.Fatalf("unknown window: %s", ids(fs))
	}
}

func TestNotVerbose(t *testing.T) {
	// Warning-level listener: no sync message is logged at all.
	sc := healthy(3)
	s, _, _ := sc.build()
	b := NewBuilder(Options{})
	var first, last time.Time
	for _, e := range s.sorted() {
		if _, ok := findMarkerKind(e); ok {
			continue // hidden by the listener level
		}
		w := *e
		w.Type = event.Warning
		b.Observe(&w)
		if first.IsZero() {
			first = w.Time
		}
		last = w.Time
	}
	syncs := b.Finish(last)
	if len(syncs) != 0 {
		t.Fatalf("sessions %d", len(syncs))
	}
	if fs := Checks(syncs, first, last, false, Options{}); len(fs) != 0 {
		t.Fatalf("findings: %s", ids(fs))
	}
	// verbose=false with a stuck and a slow sync visible: nothing that
	// depends on seeing every sync.
	sc.stuckFullDay, sc.slowFullDay, sc.slowDuration = 1, 2, 7*time.Hour
	sc.outageFrom, sc.outageTo = sc.start.Add(30*time.Hour), sc.start.Add(48*time.Hour)
	_, fs, _, _ := run(t, sc, false, Options{})
	if len(fs) != 0 {
		t.Fatalf("findings: %s", ids(fs))
	}
	// ... but a failure actually seen is still reported.
	failed := []report.Sync{{Kind: "full", Start: sc.start, Status: StatusFailed, Reason: "failure reported: x", Origin: "o",
		Evidence: []report.Evidence{{Origin: "o", Time: &sc.start, Text: "start"}, {Origin: "o", Time: &sc.start, Text: "boom"}}}}
	if fs := Checks(failed, sc.start, sc.start.Add(time.Hour), false, Options{}); ids(fs) != "sync.failed/full×1" || fs[0].Evidence[0].Text != "boom" {
		t.Fatalf("findings: %s", ids(fs))
	}
}

func findMarkerKind(e *event.Event) (syncKind, bool) {
	k, _ := findMarker(e.Message)
	return k, k != kindNone
}

func TestFailedAndRestartFindings(t *testing.T) {
	sc := healthy(5)
	s, _, _ := sc.build()
	// Day 1, 08:10 quick sync: an error inside its activity and a failure.
	events := s.sorted()
	var extra []*event.Event
	for _, e := range events {
		if strings.Contains(e.Message, "(quick sync)") && strings.HasPrefix(e.Message, "Handling") && e.Time.After(sc.start.Add(32*time.Hour)) && len(extra) == 0 {
			x := *e
			x.Time = e.Time.Add(10 * time.Second)
			x.Type = event.Error
			x.Message = "Connecting to remote server cas01.contoso.com failed with the following error message : Access is denied."
			extra = append(extra, &x)
		}
	}
	s.events = append(s.events, extra...)
	b := NewBuilder(Options{})
	for _, e := range s.sorted() {
		b.Observe(e)
	}
	first, last := s.bounds()
	syncs := b.Finish(last)
	fs := Checks(syncs, first, last, true, Options{})
	// the quick sync still logs "completed successfully": completed, noted
	if count(syncs, "quick", StatusCompleted) != 30 || ids(fs) != "" {
		t.Fatalf("findings: %s", ids(fs))
	}
	var noted int
	for _, s := range syncs {
		if strings.Contains(s.Reason, ReasonErrorsInside) {
			noted++
		}
	}
	if noted != 1 {
		t.Fatalf("sessions with errors noted: %d", noted)
	}
}

func TestFailedFinding(t *testing.T) {
	a := activity(5)
	syncs := feed(t,
		withAct(rec(0, event.Information, fullStartText(40)), a),
		withAct(rec(time.Minute, event.Error, "The remote server returned an error: (401) Unauthorized."), a),
		rec(24*time.Hour, event.Information, fullStartText(40)),
		rec(24*time.Hour+time.Minute, event.Information, "Getting the mobile device list without a time filter (full sync) for 40 users failed. Details: The WinRM client cannot process the request."),
		rec(30*time.Hour, event.Information, "Handling command: Quick sync (quick sync) of 3 users"),
		withPID(rec(31*time.Hour, event.Information, "Loading"), 1),
	)
	fs := Checks(syncs, at(0), at(31*time.Hour), true, Options{})
	if ids(fs) != "sync.failed/full×2 sync.full-overdue×1 sync.unfinished/quick×1" {
		t.Fatalf("findings: %s", ids(fs))
	}
	if fs[0].Evidence[0].Text != "The remote server returned an error: (401) Unauthorized." || !strings.Contains(fs[0].Evidence[1].Text, "WinRM") {
		t.Errorf("evidence %+v", fs[0].Evidence)
	}
	if !strings.Contains(fs[2].Title, "1 "+ReasonRestarted) {
		t.Errorf("title %s", fs[2].Title)
	}
	checkFindingShape(t, fs)
}

func TestFullOverdue(t *testing.T) {
	sc := healthy(5)
	syncs, _, _, _ := run(t, sc, true, Options{})
	s, _, _ := sc.build()
	first, last := s.bounds()
	if _, ok := fullOverdue(syncs, first, last, Options{}.withDefaults()); ok {
		t.Fatal("healthy stream is overdue")
	}
	sc.stuckFullDay = 2
	s, _, _ = sc.build()
	first, last = s.bounds()
	syncs, _, _, _ = run(t, sc, true, Options{})
	f, ok := fullOverdue(syncs, first, last, Options{}.withDefaults())
	day1 := sortedByStart(syncs, "full")[1]
	if !ok || f.Count != 1 || day1.End == nil || !f.First.Equal(*day1.End) || !strings.HasPrefix(f.Title, "No full sync completed for 48h") || !strings.Contains(f.Evidence[0].Text, "1 full sync attempt inside it did not complete") {
		t.Fatalf("%v %+v", ok, f)
	}
	checkFindingShape(t, []report.Finding{f})
	// Too short a window: never overdue.
	if _, ok := fullOverdue(nil, first, first.Add(25*time.Hour), Options{}.withDefaults()); ok {
		t.Fatal("overdue in a 25 h window")
	}
	// A slow full sync (3 h instead of 25 min) is not also overdue.
	sc.stuckFullDay, sc.slowFullDay, sc.slowDuration = -1, 2, 3*time.Hour
	syncs, _, _, _ = run(t, sc, true, Options{})
	if f, ok := fullOverdue(syncs, first, last, Options{}.withDefaults()); ok {
		t.Fatalf("slow sync made the schedule overdue: %s", f.Title)
	}
	// No full sync at all in 3 days: one window from the first record.
	if f, ok := fullOverdue(nil, first, first.Add(72*time.Hour), Options{}.withDefaults()); !ok || !strings.Contains(f.Title, "72h0m") {
		t.Fatalf("%v %+v", ok, f)
	}
}

// TestRunningAtLogsEnd: a full sync cut by the end of the logs after
// 4h51m, when the earlier full syncs took 4h10m–6h45m, is running, not
// sync.unfinished; one running far longer than any of its kind still is.
func TestRunningAtLogsEnd(t *testing.T) {
	users := 6400
	day := time.Date(2023, 12, 4, 1, 0, 0, 0, time.UTC)
	full := func(start time.Time, d time.Duration) report.Sync {
		sec := d.Seconds()
		end := start.Add(d)
		return report.Sync{Kind: report.SyncFull, Status: StatusCompleted, Start: start, End: &end, DurationS: &sec, Users: &users,
			Evidence: []report.Evidence{{Text: "Handling command: (full sync)"}}}
	}
	base := []report.Sync{
		full(day, 4*time.Hour+10*time.Minute),
		full(day.Add(24*time.Hour), 6*time.Hour+45*time.Minute),
		full(day.Add(48*time.Hour), 5*time.Hour+20*time.Minute),
	}
	for _, c := range []struct {
		running time.Duration
		want    bool
	}{
		{4*time.Hour + 51*time.Minute, false},
		{6*time.Hour + 45*time.Minute, false},
		{9 * time.Hour, true},
	} {
		start := day.Add(72 * time.Hour)
		last := start.Add(c.running)
		ev := report.NewEvidence("Logs/Connector0.log", 1, 0, time.Time{}, "Handling command: Getting the mobile device list without a time filter (full sync) for 6400 users")
		ev.SetTime(start, "")
		cut := report.Sync{Kind: report.SyncFull, Status: StatusUnfinished, Start: start, Users: &users,
			Reason: ReasonLogsEnd + " (running for " + formatDuration(c.running) + " at the last record)", Evidence: []report.Evidence{ev}}
		syncs := append(append([]report.Sync(nil), base...), cut)
		fs := Checks(syncs, day, last, true, Options{})
		got := false
		for _, f := range fs {
			if f.ID == IDUnfinished {
				got = true
			}
		}
		if got != c.want {
			t.Errorf("running %s: sync.unfinished raised %v, want %v (%s)", formatDuration(c.running), got, c.want, ids(fs))
		}
	}
}

// Quick syncs pause while a full sync runs: the full sync's time is not a
// quick-sync gap (blind round 2: quick every 1h30m, a 1h52m full sync, so
// 4h30m between the quick syncs around it). A gap with no full sync in
// it is still one.
func TestQuickGapSkipsFullSyncTime(t *testing.T) {
	t0 := time.Date(2023, 11, 13, 0, 35, 0, 0, time.UTC)
	var syncs []report.Sync
	add := func(kind report.SyncKind, start, dur time.Duration) {
		end := t0.Add(start + dur)
		d := dur.Seconds()
		syncs = append(syncs, report.Sync{Kind: kind, Start: t0.Add(start), End: &end, DurationS: &d, Status: StatusCompleted, Origin: "Connector0.log"})
	}
	day := 24 * time.Hour
	for d := time.Duration(0); d < 3*day; d += day {
		add(report.SyncFull, d+90*time.Minute, 112*time.Minute) // 02:05 → 03:57
		add(report.SyncQuick, d, 10*time.Minute)                // 00:35
		for q := d + 5*time.Hour + 5*time.Minute; q < d+day; q += 90 * time.Minute {
			add(report.SyncQuick, q, 10*time.Minute) // 05:05, every 1h30m
		}
	}
	first, last := t0, t0.Add(3*day-time.Hour)
	if f, ok := quickGapFinding(syncs, first, last, Cadence{QuickMedian: 90 * time.Minute, QuickIntervals: 40}, Options{}); ok {
		t.Errorf("full-sync time counted as a quick gap: %s", f.Title)
	}
	// The same schedule without the full syncs: the 4h30m holes are gaps.
	var quick []report.Sync
	for _, s := range syncs {
		if s.Kind == report.SyncQuick {
			quick = append(quick, s)
		}
	}
	if f, ok := quickGapFinding(quick, first, last, Cadence{QuickMedian: 90 * time.Minute, QuickIntervals: 40}, Options{}); !ok || f.Count != 3 {
		t.Errorf("without full syncs: %v %+v", ok, f.Title)
	}
}

// Full syncs that take longer than the full-sync interval, each starting
// right after the previous one ended, are slow, not overdue (blind round
// 4: three 27–29 h full syncs back to back were "not started for 29h"). A
// day without any full sync after a long one still is overdue.
func TestLongFullSyncsAreNotOverdue(t *testing.T) {
	t0 := time.Date(2023, 5, 1, 2, 0, 0, 0, time.UTC)
	mk := func(startH, durH float64) report.Sync {
		st := t0.Add(time.Duration(startH * float64(time.Hour)))
		en := st.Add(time.Duration(durH * float64(time.Hour)))
		d := en.Sub(st).Seconds()
		return report.Sync{Kind: report.SyncFull, Start: st, End: &en, DurationS: &d, Status: StatusCompleted, Origin: "Connector0.log"}
	}
	long := []report.Sync{mk(0, 27.8), mk(27.85, 28.5), mk(56.4, 29.0)}
	last := t0.Add(85*time.Hour + 30*time.Minute)
	if f, ok := fullOverdue(long, t0, last, Options{}.withDefaults()); ok {
		t.Errorf("back-to-back long full syncs called overdue: %s", f.Title)
	}
	// The third starts a day and a half after the second ended.
	late := []report.Sync{mk(0, 27.8), mk(27.85, 28.5), mk(56.4+36, 29.0)}
	if _, ok := fullOverdue(late, t0, t0.Add(130*time.Hour), Options{}.withDefaults()); !ok {
		t.Errorf("a full sync starting 36 h after the previous one ended is not overdue")
	}
}
