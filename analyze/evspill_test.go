package analyze

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"exlog/event"
	"exlog/patterns"
	"exlog/report"
)

// evlogCSV writes n records as Get-WinEvent | Export-Csv (the layout of
// winEventCSV), local time, newest first, one in 50 an SCM record of the
// connector service (running or stopped), the others other services.
func evlogCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\n")
	b.WriteString(`"Message","Id","Version","Qualifiers","Level","Task","Opcode","Keywords","RecordId","ProviderName","ProviderId","LogName","ProcessId","ThreadId","MachineName","UserId","TimeCreated","ActivityId","RelatedActivityId","ContainerLog","MatchedQueryIds","Bookmark","LevelDisplayName","OpcodeDisplayName","TaskDisplayName","KeywordsDisplayNames","Properties"` + "\r\n")
	t := time.Date(2023, 11, 14, 10, 22, 5, 0, time.UTC)
	for i := range n {
		msg := fmt.Sprintf("The Service %d service entered the running state.", i%37)
		id, level, name := "7036", "4", "Information"
		switch i % 50 {
		case 0:
			msg = msgRunning
		case 25:
			msg = msgStopped
		case 13:
			msg, id, level, name = msg7000, "7000", "2", "Error"
		}
		at := t.Add(-time.Duration(i) * 7 * time.Second)
		fmt.Fprintf(&b, `"%s","%s","0","16384","%s","0","0","36028797018963968","%d","Service Control Manager","555908d1-a6d7-4695-8e1e-26931d2012f4","System","768","1505","EXCONN01.contoso.com","","%s","","","System","System.Int32[]","System.Diagnostics.Eventing.Reader.EventBookmark","%s","","","System.Collections.ObjectModel.ReadOnlyCollection`+"`"+`1[System.String]","System.Collections.Generic.List`+"`"+`1[System.Diagnostics.Eventing.Reader.EventProperty]"`+"\r\n",
			strings.ReplaceAll(msg, `"`, `""`), id, level, 900000-i, at.Format("1/2/2006 3:04:05 PM"), name)
	}
	return b.Bytes()
}

// withSpillAbove runs f with the spill threshold set to n bytes.
func withSpillAbove(t testing.TB, n int) {
	old := evSpillAbove
	evSpillAbove = n
	t.Cleanup(func() { evSpillAbove = old })
}

// withHook sets afterEventLogsRead for the test.
func withHook(t testing.TB, f func([]*evlogInput)) {
	afterEventLogsRead = f
	t.Cleanup(func() { afterEventLogsRead = nil })
}

func reportJSON(t *testing.T, r *report.Report) string {
	t.Helper()
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The spilled path gives the same report as the in-memory one, on the
// sample bundles that hold event logs (UTC XML and .evtx, local-time
// text and CSV exports, TimeZone.txt, duplicates across exports) and on
// a generated CSV export; and the spill file is gone after the run.
func TestEventLogSpillSameReport(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "EXCONN01-System.csv")
	if err := os.WriteFile(csv, evlogCSV(3000), 0o644); err != nil {
		t.Fatal(err)
	}
	paths := []string{csv}
	for _, pat := range []string{"bundle.zip", "bundle"} {
		m, _ := filepath.Glob(filepath.Join("..", "samples", "*", pat))
		paths = append(paths, m...)
	}
	lib, err := patterns.Load()
	if err != nil {
		t.Fatal(err)
	}
	withEventLogs := 0
	for _, p := range paths {
		t.Run(filepath.Base(filepath.Dir(p))+"/"+filepath.Base(p), func(t *testing.T) {
			run := func(above int) (string, []string, int, []string) {
				withSpillAbove(t, above)
				spilled := 0
				var names []string
				withHook(t, func(all []*evlogInput) {
					for _, el := range all {
						if el.st.spilled() {
							spilled++
							names = append(names, el.st.file.Name())
						}
					}
				})
				var seen []string // every record the analysis observed, every field
				r, err := Run([]string{p}, Options{Library: lib, Observe: func(e *event.Event) { seen = append(seen, fmt.Sprintf("%+v", *e)) }})
				if err != nil {
					t.Fatal(err)
				}
				return reportJSON(t, r), seen, spilled, names
			}
			mem, memSeen, n, _ := run(1 << 40)
			if n != 0 {
				t.Fatalf("%d exports spilled with the threshold out of reach", n)
			}
			disk, diskSeen, n, names := run(0)
			if n > 0 {
				withEventLogs++
			}
			if mem != disk {
				t.Errorf("reports differ:\n%s", firstDiff(mem, disk))
			}
			if a, b := strings.Join(memSeen, "\n"), strings.Join(diskSeen, "\n"); a != b {
				t.Errorf("records observed differ:\n%s", firstDiff(a, b))
			}
			for _, name := range names {
				if _, err := os.Stat(name); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("spill file %s still there after the run (%v)", name, err)
				}
			}
		})
	}
	// The samples with event-log exports (UTC XML and .evtx, local-time
	// text and CSV, TimeZone.txt, duplicates across exports), and ours.
	if withEventLogs < 6 {
		t.Errorf("only %d of %d bundles had an export spilled", withEventLogs, len(paths))
	}
	t.Logf("%d of %d bundles had an export spilled", withEventLogs, len(paths))
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d lines", len(al), len(bl))
}

// Where an open file cannot be removed (Windows), the spill file stays
// until the run ends, and is removed then.
func TestEventLogSpillRemovedAtClose(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "EXCONN01-System.csv")
	if err := os.WriteFile(csv, evlogCSV(500), 0o644); err != nil {
		t.Fatal(err)
	}
	old := unlinkOpen
	unlinkOpen = false
	t.Cleanup(func() { unlinkOpen = old })
	withSpillAbove(t, 0)
	var name string
	withHook(t, func(all []*evlogInput) {
		name = all[0].st.file.Name()
		if _, err := os.Stat(name); err != nil {
			t.Errorf("spill file not there during the run: %v", err)
		}
	})
	r, err := Run([]string{csv}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if name == "" || r.Summary.Records != 500 {
		t.Fatalf("spill file %q, %d records", name, r.Summary.Records)
	}
	if _, err := os.Stat(name); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("spill file %s still there after the run (%v)", name, err)
	}
}

// A spill file cut short or damaged gives a read error on the input that
// names it, not a panic; the records before the damage are analysed.
func TestEventLogSpillDamaged(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "EXCONN01-System.csv")
	if err := os.WriteFile(csv, evlogCSV(2000), 0o644); err != nil {
		t.Fatal(err)
	}
	lib, err := patterns.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, st *evStore)
	}{
		{"cut-short", func(t *testing.T, st *evStore) {
			if err := st.file.Truncate(st.refs[len(st.refs)/2].off + 3); err != nil {
				t.Fatal(err)
			}
		}},
		{"garbage", func(t *testing.T, st *evStore) {
			i := len(st.refs) / 3
			r := st.refs[i]
			junk := bytes.Repeat([]byte{0xff}, int(st.refs[i+1].off-r.off))
			if _, err := st.file.WriteAt(junk, r.off); err != nil {
				t.Fatal(err)
			}
		}},
		{"empty", func(t *testing.T, st *evStore) {
			if err := st.file.Truncate(0); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			withSpillAbove(t, 0)
			withHook(t, func(all []*evlogInput) {
				if len(all) != 1 || !all[0].st.spilled() {
					t.Fatalf("want one spilled export, got %d", len(all))
				}
				st := all[0].st
				if err := st.w.Flush(); err != nil {
					t.Fatal(err)
				}
				tc.damage(t, st)
			})
			r, err := Run([]string{csv}, Options{Library: lib})
			if err != nil {
				t.Fatal(err)
			}
			in := r.Inputs[0]
			if !in.Partial {
				t.Error("input not marked partial")
			}
			found := 0
			for _, w := range in.Warnings {
				if strings.Contains(w.Message, "event spill file") {
					found++
					if !strings.Contains(w.Origin, "EXCONN01-System.csv") {
						t.Errorf("warning does not name the input: %+v", w)
					}
				}
			}
			if found != 1 {
				t.Errorf("%d spill warnings, want 1: %+v", found, in.Warnings)
			}
			if r.Summary.Records >= 2000 {
				t.Errorf("%d records analysed from a damaged spill of 2000", r.Summary.Records)
			}
		})
	}
}

// A zone given to a record (setOffset on its ref) is applied when it is
// read back, in memory and from the spill file alike.
func TestEvStoreAppliesZone(t *testing.T) {
	for _, above := range []int{1 << 40, 0} {
		withSpillAbove(t, above)
		st := newEvStore("b/System.csv")
		local := time.Date(2023, 11, 14, 10, 22, 5, 0, time.UTC)
		for i := range 3 {
			e := &event.Event{Time: local.Add(time.Duration(i) * time.Second), Type: event.Information, EventID: 7036,
				Fields: []event.Field{{Name: event.FieldTimeZone, Value: event.ZoneUnknown}}}
			if err := st.add(e); err != nil {
				t.Fatal(err)
			}
		}
		if st.spilled() != (above == 0) {
			t.Fatalf("threshold %d: spilled %v", above, st.spilled())
		}
		st.refs[1].setOffset(90 * time.Minute)
		for i, want := range []struct {
			t    time.Time
			off  int32
			zone string
		}{
			{local, 0, event.ZoneUnknown},
			{local.Add(time.Second - 90*time.Minute), 5400, "+01:30"},
			{local.Add(2 * time.Second), 0, event.ZoneUnknown},
		} {
			e, err := st.get(i)
			if err != nil {
				t.Fatal(err)
			}
			if !e.Time.Equal(want.t) || e.TZOffset != want.off || e.TimeZone() != want.zone || !st.refs[i].time().Equal(want.t) {
				t.Errorf("threshold %d, record %d: %v %d %q, want %v %d %q", above, i, e.Time, e.TZOffset, e.TimeZone(), want.t, want.off, want.zone)
			}
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := st.get(0); err == nil {
			t.Error("read after Close gave no error")
		}
	}
}

// decodeEvent on every cut of a record, and on flipped bytes, returns an
// error or an event: never panics.
func TestDecodeEventDamaged(t *testing.T) {
	e := &event.Event{Time: time.Date(2023, 11, 14, 10, 0, 0, 5, time.UTC), Type: event.Error, Source: "Service Control Manager",
		EventID: 7000, Host: "EXCONN01", Message: msg7000, Format: event.FormatEventlogCSV,
		Origin: event.Origin{Path: "a/System.csv", Line: 12, Offset: -1},
		Fields: []event.Field{{Name: event.FieldTimeZone, Value: event.ZoneUnknown}, {Name: "x", Value: "y"}}}
	for _, common := range []string{"a/System.csv", "other"} {
		b := encodeEvent(nil, e, common)
		got, err := decodeEvent(b, common)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(*got) != fmt.Sprint(*e) {
			t.Errorf("round trip:\n got %+v\nwant %+v", *got, *e)
		}
		for i := range len(b) {
			if _, err := decodeEvent(b[:i], common); err == nil {
				t.Errorf("record cut at %d of %d decoded without error", i, len(b))
			}
			c := bytes.Clone(b)
			c[i] ^= 0xff
			decodeEvent(c, common) // must not panic
		}
	}
}

// BenchmarkEventLogMemory analyses a Get-WinEvent | Export-Csv export of
// 20,000 and 200,000 records (about 530 bytes each) and reports the heap
// in use once the export is read ahead (after a GC: what the passes
// hold) and the peak heap sampled every millisecond during the run.
func BenchmarkEventLogMemory(b *testing.B) {
	lib, err := patterns.Load()
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{20000, 200000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			p := filepath.Join(b.TempDir(), "System.csv")
			data := evlogCSV(n)
			if err := os.WriteFile(p, data, 0o644); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			var afterRead uint64
			withHook(b, func([]*evlogInput) {
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				afterRead = max(afterRead, ms.HeapInuse)
			})
			var peak uint64
			b.ReportAllocs()
			for b.Loop() {
				runtime.GC()
				stop := samplePeakHeap(&peak)
				r, err := Run([]string{p}, Options{Library: lib})
				stop()
				if err != nil {
					b.Fatal(err)
				}
				if r.Summary.Records != n {
					b.Fatalf("%d records analysed, want %d", r.Summary.Records, n)
				}
			}
			b.ReportMetric(float64(afterRead)/(1<<20), "heap-after-read-MB")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}

// samplePeakHeap records in peak the largest heap (objects and unused
// spans) seen until stop is called.
func samplePeakHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			*peak = max(*peak, s[0].Value.Uint64()+s[1].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

func TestEvRefSize(t *testing.T) {
	if n := unsafe.Sizeof(evRef{}); n != 32 {
		t.Errorf("evRef is %d bytes, want 32 (memory per event-log record)", n)
	}
}

// Keys whose hashes collide are told apart by the record each came from.
func TestKeyIndexCollisions(t *testing.T) {
	var x keyIndex
	for _, p := range [][2]int{{5, 7}, {9, 1}, {5, 2}, {3, 0}, {5, 4}} {
		x.add(uint64(p[0]), int32(p[1]))
	}
	sort.Sort(&x)
	var asked []int32
	if !x.has(5, func(i int32) bool { asked = append(asked, i); return i == 4 }) {
		t.Error("key of record 4 not found")
	}
	if fmt.Sprint(asked) != "[2 4]" {
		t.Errorf("records checked %v, want [2 4] (hash 5 only, in order)", asked)
	}
	asked = nil
	if x.has(5, func(i int32) bool { asked = append(asked, i); return false }) || len(asked) != 3 {
		t.Errorf("a key no record has found, or not every record of its hash checked: %v", asked)
	}
	if x.has(4, func(int32) bool { return true }) || x.has(10, func(int32) bool { return true }) {
		t.Error("a hash not held found")
	}
}
