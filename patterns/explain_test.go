package patterns

import (
	"testing"

	"exlog/event"
)

func TestExplainerMatchesConditionsOnly(t *testing.T) {
	l := mustLoad(t, `
pattern net.x { `+header+` match message contains "boom" }
pattern net.burst { `+header+` match message ~ /flood (?P<n>\d+)/ and level >= warning at least 5 within 1m }
pattern net.seq { `+header+` match message contains "begin" not followed by message contains "done" within 1m on activity }
`)
	x := l.NewExplainer()
	cases := []struct {
		typ  event.Type
		msg  string
		want bool
	}{
		{event.Error, "a BOOM happened", true}, // literal, case-folded
		{event.Error, "flood 12", true},        // count pattern: one event still matches its condition
		{event.Verbose, "flood 12", false},     // type test fails
		{event.Error, "flood x", false},        // regex fails
		{event.Error, "it is done", true},      // the then probe of a sequence
		{event.Error, "begin here", true},      // the when probe
		{event.Error, "nothing known here", false},
	}
	for _, c := range cases {
		if got := x.Explains(ev(0, c.typ, c.msg)); got != c.want {
			t.Errorf("Explains(%v %q) = %v, want %v", c.typ, c.msg, got, c.want)
		}
	}
}

func TestExplainerLibraryExamples(t *testing.T) {
	lib, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	x := lib.NewExplainer()
	if x.Explains(ev(0, event.Error, "Failed to persist the device state cache (attempt 1 of 3)")) {
		t.Error("an unknown error is explained by the library")
	}
	if !x.Explains(ev(0, event.Error, "The remote name could not be resolved: 'manage.microsoft.com'")) {
		t.Error("a DNS failure is not explained by the library")
	}
}
