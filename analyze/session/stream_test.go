package session

import (
	"fmt"
	"slices"
	"time"

	"exlog/event"
)

// Documented texts (domain.md §4) and guessed quick-sync wordings, used by
// every test. The quick-sync texts are NOT documented; tests vary them.
func fullStartText(users int) string {
	return fmt.Sprintf("Handling command: Getting the mobile device list without a time filter (full sync) for %d users", users)
}

func fullEndText(users, devices int, cmd, server, status string) string {
	return fmt.Sprintf("Getting the mobile device list without a time filter (full sync) for %d users completed successfully. Details: Inventory command result - Devices synced: %d Commmand ID: %s' Exchange health: 'Server health 'Name: 'PowerShellExchangeServer: <Name=%s>' Status: %s','", users, devices, cmd, server, status)
}

// quickWordings are alternative guesses of the quick-sync start and end.
var quickWordings = []struct{ start, end string }{
	{
		"Handling command: Getting the mobile device list with a time filter (quick sync) for %d users",
		"Getting the mobile device list with a time filter (quick sync) for %d users completed successfully. Details: Inventory command result - Devices synced: 4 Command ID: 0f8fad5b-d9cb-469f-a165-70867728950e' Exchange health: 'Server health 'Name: 'PowerShellExchangeServer: <Name=cas01.contoso.com>' Status: Connected','",
	},
	{
		"Handling command: Quick sync (quick sync) of %d users",
		"Quick sync (Quick Sync) of %d users completed successfully. Details: Devices synced: 4 Commmand ID: {7C9E6679-7425-40DE-944B-E07FC1F90AE7}",
	},
	{
		"Getting the mobile device list (delta sync) for %d users",
		"Getting the mobile device list (delta sync) for %d users finished. Devices synced: 4",
	},
}

// stream builds a synthetic, time-ordered event stream with the layout of
// real trace logs: files rotate every 12 h (so sessions cross files), a
// "Get next command" poll every 5 minutes, records carry host, PID and
// byte offsets.
type stream struct {
	host   string
	pid    uint32
	source string
	events []*event.Event
	seq    uint64
}

func newStream() *stream {
	return &stream{host: "EXCON01", pid: 4312, source: "OnPremisesExchangeConnectorService"}
}

// add appends one record at t. Files: Logs/Connector<n>.log, rotating
// every 12 h at 02:10 and 14:10 UTC, in the middle of the daily full sync;
// n is circular modulo 30.
func (s *stream) add(t time.Time, typ event.Type, act event.GUID, msg string) *event.Event {
	s.seq++
	file := ((t.Unix() - 7800) / (12 * 3600)) % 30
	e := &event.Event{
		Time: t, Type: typ, Source: s.source, Host: s.host, PID: s.pid, TID: 7,
		Activity: act, Message: msg, Format: event.FormatTrace,
		Origin: event.Origin{Path: fmt.Sprintf("bundle.zip!Logs/Connector%d.log", file), Offset: int64(s.seq) * 1400},
	}
	s.events = append(s.events, e)
	return e
}

// sorted returns the events in time order (stable), like the analyzer's
// merge.
func (s *stream) sorted() []*event.Event {
	out := slices.Clone(s.events)
	slices.SortStableFunc(out, func(a, b *event.Event) int { return a.Time.Compare(b.Time) })
	return out
}

func (s *stream) bounds() (time.Time, time.Time) {
	ev := s.sorted()
	return ev[0].Time, ev[len(ev)-1].Time
}

func activity(n uint64) event.GUID {
	var g event.GUID
	for i := 0; i < 8; i++ {
		g[15-i] = byte(n >> (8 * i))
	}
	g[0] = 0xAB
	return g
}

// schedule describes a synthetic multi-day connector history.
type schedule struct {
	start        time.Time // midnight UTC of day 0
	days         int
	quickEvery   time.Duration
	quickOffset  time.Duration // first quick sync after midnight
	fullAt       time.Duration // time of day of the full sync
	fullDuration time.Duration
	quickDur     time.Duration
	stuckFullDay int           // day whose full sync never ends (-1 none)
	slowFullDay  int           // day whose full sync takes slowDuration (-1 none)
	slowDuration time.Duration //
	outageFrom   time.Time     // quick syncs starting in [outageFrom, outageTo) do not run
	outageTo     time.Time
	wording      int // index into quickWordings, rotating when < 0
	activities   bool
}

func healthy(days int) schedule {
	return schedule{
		start:        time.Date(2023, 3, 6, 0, 0, 0, 0, time.UTC),
		days:         days,
		quickEvery:   4 * time.Hour,
		quickOffset:  10 * time.Minute,
		fullAt:       2 * time.Hour,
		fullDuration: 25 * time.Minute,
		quickDur:     40 * time.Second,
		stuckFullDay: -1,
		slowFullDay:  -1,
		wording:      -1,
		activities:   true,
	}
}

// build returns the stream and the expected numbers of full and quick
// sessions.
func (sc schedule) build() (s *stream, fulls, quicks int) {
	s = newStream()
	end := sc.start.Add(time.Duration(sc.days) * 24 * time.Hour)
	// background: polling every 5 minutes, verbose noise
	for t := sc.start; t.Before(end); t = t.Add(5 * time.Minute) {
		s.add(t.Add(3*time.Second), event.Verbose, event.GUID{}, "Get next command: no command available")
	}
	var act uint64
	nextAct := func() event.GUID {
		act++
		if !sc.activities {
			return event.GUID{}
		}
		return activity(act)
	}
	for d := 0; d < sc.days; d++ {
		day := sc.start.Add(time.Duration(d) * 24 * time.Hour)
		// full sync; a few seconds of jitter so nothing is too regular
		t := day.Add(sc.fullAt + time.Duration(d*7)*time.Second)
		a := nextAct()
		users := 480 + d
		s.add(t, event.Information, a, fullStartText(users))
		fulls++
		if d != sc.stuckFullDay {
			dur := sc.fullDuration + time.Duration(d*13)*time.Second
			if d == sc.slowFullDay {
				dur = sc.slowDuration
			}
			s.add(t.Add(dur/2), event.Verbose, a, "Processing 250 devices")
			s.add(t.Add(dur), event.Information, a, fullEndText(users, 1200+d, "9f3c2b1e-6a4d-4c1b-8e2f-1a2b3c4d5e6f", "cas01.contoso.com", "Connected"))
		}
		for q := sc.quickOffset; q < 24*time.Hour; q += sc.quickEvery {
			t := day.Add(q + time.Duration(d*3)*time.Second)
			if !t.Before(sc.outageFrom) && t.Before(sc.outageTo) {
				continue
			}
			w := sc.wording
			if w < 0 {
				w = (quicks) % len(quickWordings)
			}
			a := nextAct()
			n := 10 + quicks%7
			s.add(t, event.Information, a, fmt.Sprintf(quickWordings[w].start, n))
			s.add(t.Add(sc.quickDur), event.Information, a, fmt.Sprintf(quickWordings[w].end, n))
			quicks++
		}
	}
	return s, fulls, quicks
}
