package analyze

import (
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"exlog/report"
)

// Hand-written trace logs for issue 15 (points 1, 2, 3, 4, 11), in
// wordings the sample generator never uses: each test failed on the
// session model before this change.

// tl is one hand-written trace line: minutes after tBase, the SubType, an
// activity number (0 = none) and the text.
type tl struct {
	at   time.Duration
	sub  string
	act  int
	text string
}

var tBase = time.Date(2023, 5, 8, 1, 0, 0, 0, time.UTC)

func traceXML(lines []tl) string {
	var b strings.Builder
	for _, l := range lines {
		level := map[string]int{"Critical": 1, "Error": 2, "Warning": 4, "Information": 8, "Verbose": 16}[l.sub]
		if level == 0 {
			level = 255
		}
		act := "00000000-0000-0000-0000-000000000000"
		if l.act != 0 {
			act = fmt.Sprintf("6d3f0a2e-%04x-4b1c-9a7e-%012x", l.act, l.act)
		}
		fmt.Fprintf(&b, `<E2ETraceEvent xmlns="http://schemas.microsoft.com/2004/06/E2ETraceEvent"><System xmlns="http://schemas.microsoft.com/2004/06/windows/eventlog/system"><EventID>0</EventID><Type>3</Type><SubType Name="%s">0</SubType><Level>%d</Level><TimeCreated SystemTime="%s" /><Source Name="OnPremisesExchangeConnectorService" /><Correlation ActivityID="{%s}" /><Execution ProcessName="WIEC" ProcessID="2210" ThreadID="7" /><Channel/><Computer>EXC-SRV2</Computer></System><ApplicationData>%s</ApplicationData></E2ETraceEvent>`,
			l.sub, level, tBase.Add(l.at).Format("2006-01-02T15:04:05.0000000Z"), act, html.EscapeString(l.text))
	}
	return b.String()
}

func analyseTrace(t *testing.T, lines []tl) *report.Report {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Connector0.log"), []byte(traceXML(lines)), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Run([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func findingsOf(r *report.Report, id string) []report.Finding {
	var out []report.Finding
	for _, f := range r.Findings {
		if f.ID == id {
			out = append(out, f)
		}
	}
	return out
}

func countSyncs(r *report.Report, kind report.SyncKind, status report.SyncStatus) int {
	n := 0
	for _, s := range r.Syncs {
		if (kind == "" || s.Kind == kind) && (status == "" || s.Status == status) {
			n++
		}
	}
	return n
}

const (
	hFull  = "Handling command: Getting the mobile device list without a time filter (full sync) for %d users"
	hQuick = "Handling command: Getting the mobile device list with a time filter (quick sync) for %d users"
	dFull  = "Getting the mobile device list without a time filter (full sync) for %d users completed successfully. Details: Inventory command result - Devices synced: %d Commmand ID: 1b2c3d4e-0000-4a5b-8c7d-%012d' Exchange health: 'Server health 'Name: 'PowerShellExchangeServer: <Name=mbx-07.fabrikam.local>' Status: Connected','"
	dQuick = "Getting the mobile device list with a time filter (quick sync) for %d users completed successfully. Details: Inventory command result - Devices synced: %d Commmand ID: 2b2c3d4e-0000-4a5b-8c7d-%012d' Exchange health: 'Server health 'Name: 'PowerShellExchangeServer: <Name=mbx-07.fabrikam.local>' Status: Connected','"
)

// healthyDays writes days of syncs: a full sync at 01:00 (fullDur each),
// quick syncs every 3 h, each preceded by pre(n) (received-style lines
// with their own activity or none) and interleaved with mid(n) inside the
// sync's activity.
func healthyDays(days int, fullDur func(day int) time.Duration, users int, pre func(kind string, n int) []tl, mid func(kind string, n int) []tl) []tl {
	var out []tl
	n := 0
	add := func(at, dur time.Duration, kind string, start, done string, u int) {
		n++
		act := 100 + n
		for _, p := range pre(kind, n) {
			p.at += at
			out = append(out, p)
		}
		out = append(out, tl{at, "Information", act, fmt.Sprintf(start, u)})
		for _, m := range mid(kind, n) {
			m.at += at
			if m.act < 0 {
				m.act = act
			}
			out = append(out, m)
		}
		out = append(out, tl{at + dur, "Information", act, fmt.Sprintf(done, u, u*2, n)})
	}
	for d := 0; d < days; d++ {
		day := time.Duration(d) * 24 * time.Hour
		fd := fullDur(d)
		add(day, fd, "full", hFull, dFull, users)
		for q := 1; q < 8; q++ {
			at := day + time.Duration(q)*3*time.Hour
			if at < day+fd+5*time.Minute {
				continue
			}
			add(at, 40*time.Second, "quick", hQuick, dQuick, 7)
		}
		// polls every 30 min keep the trace alive
		for p := 0; p < 48; p++ {
			out = append(out, tl{day + time.Duration(p)*30*time.Minute + 17*time.Second, "Verbose", 0, "Polling the service for work: nothing to do"})
		}
	}
	// sort by time (the reader merges by time anyway; keep the file ordered)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].at < out[j-1].at; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func none(string, int) []tl { return nil }
func fixed(d time.Duration) func(int) time.Duration {
	return func(int) time.Duration { return d }
}

// Point 1: a received/dequeued line a few ms before the documented
// "Handling command:" is part of the same command, not a session of its
// own, and nothing is superseded.
func TestIssue15ReceivedLineIsNotASecondSession(t *testing.T) {
	for _, w := range []struct {
		name string
		line func(kind string, n int) tl
	}{
		{"received, no activity", func(kind string, n int) tl {
			return tl{-4 * time.Millisecond, "Information", 0, "Received command from the Intune service (" + kind + " sync)"}
		}},
		{"GetNextCommand, poll activity", func(kind string, n int) tl {
			k := map[string]string{"full": "FullSync", "quick": "QuickSync"}[kind]
			return tl{-3 * time.Millisecond, "Verbose", 9, fmt.Sprintf("GetNextCommand: received command %d (%s)", n, k)}
		}},
	} {
		t.Run(w.name, func(t *testing.T) {
			r := analyseTrace(t, healthyDays(2, fixed(6*time.Minute), 310,
				func(kind string, n int) []tl { return []tl{w.line(kind, n)} }, none))
			if got, want := len(r.Syncs), 16; got != want {
				t.Errorf("%d sessions, want %d", got, want)
			}
			if n := countSyncs(r, "", "completed"); n != len(r.Syncs) {
				t.Errorf("%d of %d sessions completed", n, len(r.Syncs))
			}
			for _, f := range r.Findings {
				if f.Severity >= report.SeverityWarning {
					t.Errorf("finding %s: %s", f.ID, f.Title)
				}
			}
			if r.Verdict == nil || r.Verdict.State != "healthy" {
				t.Errorf("verdict %+v", r.Verdict)
			}
		})
	}
}

// Point 1: a second start-like line with evidence of a new command (a new
// command id, a new "Handling command:" in another activity much later)
// still supersedes.
func TestIssue15SupersededNeedsEvidence(t *testing.T) {
	lines := []tl{
		{0, "Information", 1, fmt.Sprintf(hFull, 40)},
		{30 * time.Second, "Information", 1, "Working on it (full sync), page 1"},
		{25 * time.Hour, "Information", 2, fmt.Sprintf(hFull, 40)},
		{25*time.Hour + 10*time.Minute, "Information", 2, fmt.Sprintf(dFull, 40, 80, 1)},
	}
	r := analyseTrace(t, lines)
	if len(r.Syncs) != 2 || r.Syncs[0].Status != "unfinished" || !strings.HasPrefix(r.Syncs[0].Reason, "superseded") {
		t.Fatalf("syncs %+v", r.Syncs)
	}
}

// Point 2: a Warning that announces a retry inside the sync, then the
// completion: one completed sync with a retry count.
func TestIssue15RetryIsNotAFailure(t *testing.T) {
	for _, w := range []tl{
		{20 * time.Second, "Warning", -1, "Getting the mobile device list with a time filter (quick sync) timed out, attempt 1 of 5; retrying in 60 seconds"},
		{20 * time.Second, "Warning", -1, "Remote PowerShell call failed: attempt 1 of 5; retrying in 60 seconds"},
		{20 * time.Second, "Error", -1, "Quick sync (quick sync) error: the WinRM client cannot process the request. Will retry (1/3)."},
	} {
		t.Run(w.text[:20], func(t *testing.T) {
			r := analyseTrace(t, healthyDays(2, fixed(6*time.Minute), 310, none,
				func(kind string, n int) []tl {
					if kind == "quick" && n%3 == 0 {
						return []tl{w}
					}
					return nil
				}))
			if got, want := len(r.Syncs), 16; got != want {
				t.Errorf("%d sessions, want %d", got, want)
			}
			retries := 0
			for _, s := range r.Syncs {
				if s.Status != "completed" {
					t.Errorf("%s sync at %s: %s (%s)", s.Kind, s.Start, s.Status, s.Reason)
				}
				retries += s.Retries
			}
			if retries == 0 {
				t.Errorf("no retry counted")
			}
			if len(findingsOf(r, "sync.failed")) != 0 {
				t.Errorf("sync.failed reported")
			}
		})
	}
}

// Point 3: a full sync that starts on schedule and runs 3 h is slow, not
// overdue.
func TestIssue15SlowIsNotOverdue(t *testing.T) {
	r := analyseTrace(t, healthyDays(4, func(d int) time.Duration {
		if d == 2 {
			return 3 * time.Hour
		}
		return 6 * time.Minute
	}, 310, none, none))
	if f := findingsOf(r, "sync.full-overdue"); len(f) != 0 {
		t.Errorf("full-overdue: %s", f[0].Title)
	}
	if f := findingsOf(r, "sync.slow"); len(f) != 1 {
		t.Errorf("sync.slow: %d findings", len(f))
	}
}

// Point 3: a schedule miss is overdue, and the finding says which rule.
func TestIssue15OverdueSaysWhich(t *testing.T) {
	lines := healthyDays(4, fixed(6*time.Minute), 310, none, none)
	var kept []tl
	for _, l := range lines { // drop day 2's full sync entirely
		if l.at >= 48*time.Hour && l.at < 49*time.Hour && strings.Contains(l.text, "(full sync)") {
			continue
		}
		kept = append(kept, l)
	}
	r := analyseTrace(t, kept)
	f := findingsOf(r, "sync.full-overdue")
	if len(f) != 1 || !strings.Contains(f[0].Title, "started") {
		t.Fatalf("full-overdue: %+v", f)
	}
}

// Point 4: every full sync of a large tenant is slow: one finding naming
// all of them, against a bound that does not move with the data.
func TestIssue15AllFullSyncsSlow(t *testing.T) {
	durs := []time.Duration{258 * time.Minute, 290 * time.Minute, 414 * time.Minute, 301 * time.Minute, 275 * time.Minute}
	r := analyseTrace(t, healthyDays(5, func(d int) time.Duration { return durs[d] }, 6400, none, none))
	f := findingsOf(r, "sync.slow")
	var full []report.Finding
	for _, x := range f {
		if x.Key == "full" {
			full = append(full, x)
		}
	}
	if len(full) != 1 || full[0].Count != 5 || !strings.Contains(full[0].Title, "ll 5 full syncs took 4h18m–6h54m") {
		t.Fatalf("sync.slow: %+v", full)
	}
	if o := findingsOf(r, "sync.full-overdue"); len(o) != 0 {
		t.Errorf("full-overdue too: %s", o[0].Title)
	}
	slow := 0
	for _, s := range r.Syncs {
		if s.Slow {
			slow++
		}
	}
	if slow != 5 {
		t.Errorf("%d syncs flagged slow, want 5", slow)
	}
}

// Point 11: a failed poll logged as an exception plus a retry Warning is
// one failure.
func TestIssue15OneFailedPollOnce(t *testing.T) {
	lines := healthyDays(2, fixed(6*time.Minute), 310, none, none)
	for i := 0; i < 6; i++ {
		at := time.Duration(i)*4*time.Hour + 95*time.Minute
		lines = append(lines,
			tl{at, "Error", 40 + i, "GetNextCommand threw System.Net.WebException: The operation has timed out"},
			tl{at + 2*time.Millisecond, "Warning", 40 + i, "Get next command failed 3 time(s); retrying in 60 seconds"},
		)
	}
	r := analyseTrace(t, lines)
	f := findingsOf(r, "command.get-next-exception")
	if len(f) != 1 || f[0].Count != 6 {
		for _, x := range f {
			t.Logf("%s count %d: %s", x.ID, x.Count, x.Title)
		}
		t.Fatalf("want one finding counting 6 failed polls, got %d findings", len(f))
	}
}
