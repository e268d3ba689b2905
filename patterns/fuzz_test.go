package patterns

import (
	"io/fs"
	"strings"
	"testing"
	"time"

	"exlog/event"
)

// FuzzLoad: checking and compiling any text never panics, every problem
// has a position, and whatever loads can run its examples and match
// events built from the input.
func FuzzLoad(f *testing.F) {
	names, _ := fs.Glob(libraryFS, "library/*.exlog")
	for _, n := range names {
		b, _ := fs.ReadFile(libraryFS, n)
		for _, part := range strings.Split(string(b), "\npattern ") {
			f.Add("pattern " + part)
		}
	}
	f.Add(`pattern a.b { title "{x}" severity info remedy "r" match message ~ /(?P<x>a*)/ and x == "" at least 2 within 1s }`)
	f.Add(`pattern a.b { title "t" severity info remedy "r" match not message contains "x" not followed by level < warning within 1ms on data.k }`)
	f.Fuzz(func(t *testing.T, src string) {
		l, err := LoadSource("fuzz.exlog", src)
		if err != nil {
			for _, p := range err.(Problems) {
				if p.Line < 1 || p.Col < 1 {
					t.Fatalf("problem without position: %+v", p)
				}
			}
			return
		}
		for _, p := range l.Patterns() {
			RunExamples(p)
			Format(p)
		}
		m := l.NewMatcher()
		base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		for i, line := range strings.Split(src, "\n") {
			m.Observe(&event.Event{Time: base.Add(time.Duration(i) * time.Hour), Type: event.Type(i % event.NumTypes), Message: line, EventID: uint32(i)})
		}
		m.Finish(Window{Start: base, End: base.Add(48 * time.Hour)})
	})
}
