package parse

import (
	"testing"

	"exlog/event"
)

// TestEveryFormatHasOneEntry: event.Format names the formats; the table
// says how each is detected and read. A format missing from the table, or
// listed twice, or without the reader its kind needs, fails here.
func TestEveryFormatHasOneEntry(t *testing.T) {
	seen := map[event.Format]int{}
	for _, e := range formats {
		seen[e.format]++
		if e.detect == nil {
			t.Errorf("%s: no detector", e.format)
		}
		switch e.kind {
		case KindEvents:
			if e.events == nil || e.records != nil {
				t.Errorf("%s: an event format needs an event reader (only)", e.format)
			}
		case KindRecords:
			if e.records == nil || e.events != nil {
				t.Errorf("%s: a record format needs a record reader (only)", e.format)
			}
		case KindSettings:
			if e.events != nil || e.records != nil {
				t.Errorf("%s: settings are read by analyze, not by a stream reader", e.format)
			}
		default:
			t.Errorf("%s: no kind", e.format)
		}
	}
	for _, f := range event.Formats() {
		if seen[f] != 1 {
			t.Errorf("%s: %d entries in the format table, want 1", f, seen[f])
		}
	}
	if KindOf(event.FormatInvalid) != KindInvalid || Detect(nil) != event.FormatInvalid {
		t.Error("the invalid format has an entry")
	}
}
