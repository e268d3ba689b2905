package trace

import (
	"bytes"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"exlog/event"
)

// readFragments reads data to the end and returns the reader's fragments.
func readFragments(t testing.TB, data []byte, bufSize, maxRecord int, oneByte bool) (head, tail []byte, tailOff int64) {
	t.Helper()
	var src io.Reader = bytes.NewReader(data)
	if oneByte {
		src = iotest.OneByteReader(src)
	}
	r := newReaderSize(src, "Connector1.log", nil, bufSize)
	r.SetCaps(event.Caps{MaxRecord: maxRecord})
	for n := 0; ; n++ {
		if n > len(data)+10 {
			t.Fatalf("reader does not stop")
		}
		if _, err := r.Next(); err != nil {
			break
		}
	}
	tail, tailOff = r.TailFragment()
	return r.HeadFragment(), tail, tailOff
}

// A record cut at any byte by a rotation joins back into the record it
// was, whatever the buffer size; the cut files' other records are
// untouched.
func TestJoinSplitEveryByte(t *testing.T) {
	prev := info("before the cut").String()
	cut := info("Getting the mobile device list without a time filter (full sync) for 342 users completed successfully. &lt;x&gt;")
	cut.time = "2024-03-01T02:10:00.0000007Z"
	rec := cut.String()
	next := info("after the cut").String()
	whole := readAll(t, []byte(rec), 0, 0, false)
	if len(whole.events) != 1 {
		t.Fatalf("the record alone: %+v", whole)
	}
	want := whole.events[0]
	for i := len(startTag) + 1; i < len(strings.TrimRight(rec, "\r\n")); i++ {
		a, b := []byte(prev+rec[:i]), []byte(rec[i:]+next)
		for _, bufSize := range []int{0, 64} {
			_, tail, off := readFragments(t, a, bufSize, 0, bufSize > 0)
			head, _, _ := readFragments(t, b, bufSize, 0, bufSize > 0)
			if off != int64(len(prev)) || string(tail) != rec[:i] || string(head) != rec[i:] {
				t.Fatalf("cut at %d, buffer %d: tail %q at %d, head %q", i, bufSize, tail, off, head)
			}
			ev := JoinSplit(tail, head, "Connector1.log", off, event.Caps{})
			if ev == nil {
				t.Fatalf("cut at %d: not joined", i)
			}
			w := *want
			w.Origin.Path, w.Origin.Offset = "Connector1.log", off
			if !reflect.DeepEqual(*ev, w) {
				t.Fatalf("cut at %d: joined %+v, want %+v", i, *ev, w)
			}
		}
	}
}

// Halves that are not one record do not join.
func TestJoinSplitRejects(t *testing.T) {
	rec := info("one record").String()
	other := info("another record").String()
	msg := strings.Index(rec, "one record")
	hdr := strings.Index(rec, "<Level>")
	noTime := strings.Replace(rec, "2024-03-01T02:00:00.1234567Z", "not a time", 1)
	cases := map[string][2]string{
		"message into another header": {rec[:msg], other[strings.Index(other, "<Level>"):]},
		"header into another message": {rec[:hdr], other[strings.Index(other, "another"):]},
		"no end":                      {rec[:msg], "more text"},
		"garbage after":               {rec[:msg], rec[msg:] + "garbage"},
		"two records":                 {rec[:msg], rec[msg:] + other},
		"no start":                    {"<E2ETrace", rec[9:]},
		"no time":                     {noTime[:msg], noTime[msg:]},
		"empty head":                  {rec[:msg], ""},
		"empty tail":                  {"", rec},
	}
	for name, c := range cases {
		if ev := JoinSplit([]byte(c[0]), []byte(c[1]), "Connector1.log", 0, event.Caps{}); ev != nil {
			t.Errorf("%s: joined %+v", name, ev)
		}
	}
	if ev := JoinSplit([]byte(rec[:msg]), []byte(rec[msg:]), "Connector1.log", 0, event.Caps{MaxRecord: len(rec) - 10}); ev != nil {
		t.Errorf("joined over the record cap")
	}
	if ev := JoinSplit([]byte(rec[:msg]), []byte(rec[msg:]+" \r\n"), "Connector1.log", 7, event.Caps{}); ev == nil || ev.Origin.Offset != 7 {
		t.Errorf("not joined, or origin wrong: %+v", ev)
	}
}

// A fragment longer than the record cap is not kept; nor is a gap before
// the first record that is garbage rather than a record's end.
func TestFragmentsBounded(t *testing.T) {
	rec := info("x").String()
	long := info(strings.Repeat("y", 5000)).String()
	if head, _, _ := readFragments(t, []byte(long[500:]+rec), 0, 4096, false); head != nil {
		t.Errorf("head of %d bytes kept over a 4096-byte cap", len(head))
	}
	if _, tail, _ := readFragments(t, []byte(rec+long[:3000]), 0, 4096, false); len(tail) != 3000 {
		t.Errorf("tail %d bytes, want 3000", len(tail))
	}
	if head, _, _ := readFragments(t, []byte("garbage\r\n"+rec), 0, 0, false); head != nil {
		t.Errorf("garbage kept as a head: %q", head)
	}
	if head, tail, _ := readFragments(t, []byte(rec+rec), 0, 0, false); head != nil || tail != nil {
		t.Errorf("fragments of whole records: %q %q", head, tail)
	}
}

// FuzzJoinSplit: for any two files, the fragments are what the reader
// skipped (a tail at its offset, a head from the file's first byte, each
// within the cap), and joining them, or any two byte strings, never
// panics; a joined record has the tail's origin.
func FuzzJoinSplit(f *testing.F) {
	rec := info("the record cut by the rotation").String()
	for _, i := range []int{20, 200, len(rec) / 2, len(rec) - 10} {
		f.Add([]byte(info("a").String()+rec[:i]), []byte(rec[i:]+info("b").String()))
	}
	f.Add([]byte(rec[:100]), []byte("ceEvent>"))
	f.Add([]byte("<E2ETraceEvent>"), []byte("</System></System></E2ETraceEvent>"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		watchdog := time.AfterFunc(5*time.Second, func() { panic("FuzzJoinSplit: input takes more than 5 s") })
		defer watchdog.Stop()
		const limit = 4096
		_, tail, off := readFragments(t, a, 0, limit, false)
		head, _, _ := readFragments(t, b, 0, limit, false)
		if len(tail) > limit || len(head) > limit {
			t.Fatalf("fragments over the cap: %d %d", len(tail), len(head))
		}
		if tail != nil && (off < 0 || !bytes.Equal(a[off:], tail)) {
			t.Fatalf("tail %q at %d is not the end of the file", tail, off)
		}
		if head != nil && !bytes.HasPrefix(b, head) {
			t.Fatalf("head %q is not the start of the file", head)
		}
		if ev := JoinSplit(tail, head, "Connector1.log", off, event.Caps{MaxRecord: limit}); ev != nil && ev.Origin.Offset != off {
			t.Fatalf("joined record at %d, tail at %d", ev.Origin.Offset, off)
		}
		JoinSplit(a, b, "Connector1.log", 0, event.Caps{MaxRecord: limit})
	})
}
