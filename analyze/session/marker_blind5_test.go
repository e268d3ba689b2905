package session

import "testing"

// The sync marker last among other words in the parentheses is still the
// marker; words without "sync" or outside parentheses are not.
func TestMarkerAmongOtherWords(t *testing.T) {
	for msg, want := range map[string]syncKind{
		"Handling command (delta sync / quick sync) for 420 users":         kindQuick,
		"Inventory (incremental, quick sync) completed for 420 users":      kindQuick,
		"Getting the mobile device list without a time filter (full sync)": kindFull,
		"Handling command (quick sync) for 12 users":                       kindQuick,
		"Handling command (one quick sync) for 12 users":                   kindQuick,
		"Handling command: quick sync for 12 users (done)":                 kindNone,
		"Handling command (id 42: quick sync)":                             kindNone, // digits and ':' are not words of the marker
		"(see https://x/quick sync)":                                       kindNone,
	} {
		if got, _ := findMarker(msg); got != want {
			t.Errorf("findMarker(%q) = %v, want %v", msg, got, want)
		}
	}
}
