package session

import (
	"strings"
	"testing"
	"time"

	"exlog/event"
	"exlog/report"
)

// FuzzObserve feeds arbitrary message sequences (one message per line; the
// first byte of a line picks type, activity, PID and time step) and checks
// that nothing panics and every session is well-formed. Run long with
// `go test -fuzz FuzzObserve ./analyze/session`; plain `go test` runs the
// seeds and testdata/fuzz/FuzzObserve.
func FuzzObserve(f *testing.F) {
	f.Add("\x01" + fullStartText(5) + "\n\x02" + fullEndText(5, 3, "x", "cas", "Connected"))
	f.Add("\x05Handling command: Quick sync (quick sync) of 3 users\n\x22boom\n\x07(quick sync) failed")
	f.Add("(full sync)\n(FULL SYNC) completed\n( delta sync ) finished\n(quick-sync) error Details: Devices synced: 1,2,3")
	f.Add("Exchange health: Status: Name=\nDetails Commmand ID: {zz}\nfor 1\u00a0 users (full sync)")
	f.Add(")\n(\n sync)\n(full sync) Details")
	f.Fuzz(func(t *testing.T, data string) {
		b := NewBuilder(Options{})
		tm := time.Date(2023, 3, 6, 0, 0, 0, 0, time.UTC)
		var first, last time.Time
		for i, line := range strings.Split(data, "\n") {
			var c byte
			if len(line) > 0 {
				c = line[0]
			}
			types := event.Types()
			e := &event.Event{
				Time:    tm,
				Type:    types[int(c)%len(types)],
				Host:    "H" + string(rune('0'+c%2)),
				PID:     uint32(c>>4) % 3,
				Source:  "S",
				Message: line,
				Origin:  event.Origin{Path: "f.log", Offset: int64(i)},
			}
			if c&0x20 != 0 {
				e.Activity = activity(uint64(c & 3))
			}
			if c&0x40 != 0 {
				e.Fields = []event.Field{{Name: event.FieldExceptionType, Value: line}}
			}
			if first.IsZero() {
				first = tm
			}
			last = tm
			b.Observe(e)
			// mostly forward, sometimes a few ms backwards (thread disorder)
			if c&0x80 != 0 {
				tm = tm.Add(-3 * time.Millisecond)
			} else {
				tm = tm.Add(time.Duration(c) * time.Minute)
			}
		}
		syncs := b.Finish(last)
		for _, s := range syncs {
			checkSync(t, s)
		}
		if o, en, d := b.retained(); o != 0 || en != 0 || d != 0 {
			t.Fatalf("state left after Finish: %d %d %d", o, en, d)
		}
		fs := Checks(syncs, first, last, true, Options{})
		for _, fd := range fs {
			if fd.Count < 1 || len(fd.Evidence) > report.MaxEvidence || fd.Category != "sync" {
				t.Fatalf("bad finding %+v", fd)
			}
		}
	})
}

func checkSync(t *testing.T, s report.Sync) {
	t.Helper()
	if s.Kind != "full" && s.Kind != "quick" {
		t.Fatalf("kind %q", s.Kind)
	}
	switch s.Status {
	case StatusCompleted:
		if s.End == nil {
			t.Fatalf("completed without end: %+v", s)
		}
	case StatusFailed:
	case StatusUnfinished:
		if s.End != nil || s.DurationS != nil || s.Reason == "" {
			t.Fatalf("unfinished with end or without reason: %+v", s)
		}
	default:
		t.Fatalf("status %q", s.Status)
	}
	if s.DurationS != nil && (*s.DurationS < 0 || s.End == nil) {
		t.Fatalf("duration %v end %v", *s.DurationS, s.End)
	}
	if len(s.Evidence) == 0 || len(s.Evidence) > report.MaxEvidence || s.Origin == "" {
		t.Fatalf("evidence %d origin %q", len(s.Evidence), s.Origin)
	}
	if s.Users != nil && *s.Users < 0 || s.DevicesSynced != nil && *s.DevicesSynced < 0 {
		t.Fatalf("negative count %+v", s)
	}
}
