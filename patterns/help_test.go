package patterns

import (
	"strings"
	"testing"

	"exlog/event"
)

// TestHelpListsEveryFormat: the format names in Help are event.Formats(),
// in that order, so that a new reader cannot be left out of the reference.
func TestHelpListsEveryFormat(t *testing.T) {
	i := strings.Index(Help, "format == eventlog-xml")
	j := strings.Index(Help, "\nFields:")
	if i < 0 || j < i {
		t.Fatal("Help has no format list")
	}
	got := strings.Fields(Help[i+len("format == eventlog-xml") : j])
	var want []string
	for _, f := range event.Formats() {
		want = append(want, f.String())
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Help lists formats\n %v\nevent.Formats():\n %v", got, want)
	}
}
