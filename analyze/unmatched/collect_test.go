package unmatched

import (
	"testing"
	"time"

	"exlog/event"
)

// A template keeps the first and last time of its occurrences, and counts
// those it cannot place (no time, or local time of an unknown zone).
func TestCollectorTimes(t *testing.T) {
	c := NewCollector()
	t0 := time.Date(2023, 3, 11, 6, 25, 0, 0, time.UTC)
	for _, h := range []int{5, 0, 30} { // out of order
		c.Add(&event.Event{Type: event.Error, Time: t0.Add(time.Duration(h) * time.Hour), Message: "The remote server returned an error: (401) Unauthorized."})
	}
	c.Add(&event.Event{Type: event.Error, Message: "The remote server returned an error: (401) Unauthorized."})
	c.Add(&event.Event{Type: event.Error, Time: t0, Message: "The remote server returned an error: (401) Unauthorized.",
		Fields: []event.Field{{Name: event.FieldTimeZone, Value: event.ZoneUnknown}}})
	ts, _ := c.Finish()
	if len(ts) != 1 {
		t.Fatalf("templates %+v", ts)
	}
	u := ts[0]
	if u.Count != 5 || u.Undated != 2 || u.First == nil || !u.First.Equal(t0) || u.Last == nil || !u.Last.Equal(t0.Add(30*time.Hour)) {
		t.Errorf("count %d undated %d first %v last %v", u.Count, u.Undated, u.First, u.Last)
	}
}
