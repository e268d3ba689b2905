package eventlog

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"exlog/event"
)

const (
	want7000 = "The Microsoft Intune Exchange Connector Service service failed to start due to the following error: \nThe service did not start due to a logon failure."
)

// readAll drains r, failing the test on a non-EOF error.
func readAll(t testing.TB, r Reader) []*event.Event {
	t.Helper()
	var out []*event.Event
	for i := 0; ; i++ {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if ev == nil {
			t.Fatalf("Next returned nil event without error")
		}
		out = append(out, ev)
		if i > 1_000_000 {
			t.Fatalf("reader does not end")
		}
	}
}

type warnings []event.ReadWarning

func (w *warnings) add(x event.ReadWarning) { *w = append(*w, x) }

func (w warnings) kinds() map[string]int {
	m := map[string]int{}
	for _, x := range w {
		m[x.Kind.String()]++
	}
	return m
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func field(t testing.TB, ev *event.Event, name string) string {
	t.Helper()
	v, ok := ev.Field(name)
	if !ok {
		t.Errorf("event at %v: no field %q (fields %v)", ev.Origin, name, ev.Fields)
	}
	return v
}

// linesStarting returns the 1-based numbers of lines that start with prefix.
func linesStarting(b []byte, prefix string) []int {
	var out []int
	for i, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, i+1)
		}
	}
	return out
}

// eventOffsets returns the byte offsets of "<Event " / "<Event>" tags.
func eventOffsets(b []byte) []int64 {
	var out []int64
	for off := 0; ; {
		i := indexEventTag(b[off:])
		if i < 0 {
			return out
		}
		out = append(out, int64(off+i))
		off += i + 1
	}
}

func naive(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
}

func mustContain(t testing.TB, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s %q does not contain %q", what, clip(s, 200), sub)
		}
	}
}

func countLF(b []byte) int { return bytes.Count(b, []byte("\n")) }

func timeMonth(m int) time.Month { return time.Month(m) }
