package trace

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"exlog/event"
)

// FuzzReader checks, for any input: no panic, no hang, the accounting
// (every start marker is a Record or Broken; each Broken has one warning),
// offsets inside the file at a start marker, and that a tiny buffer fed a
// byte at a time, and the general header parser instead of the fast path,
// give exactly the same result as the default reader.
func FuzzReader(f *testing.F) {
	// The corpus in testdata/fuzz holds the seeds; the real WCF trace log
	// adds two where EXLOG_REAL_TESTDATA names its folder (reader_test.go).
	if dir := os.Getenv("EXLOG_REAL_TESTDATA"); dir != "" {
		data, err := os.ReadFile(filepath.Join(dir, "finservice-Web_tracelog.svclog"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[1000:20000])
	}
	r1, r2 := info("one &amp; &#xD;&#xA;two").String(), info("<TraceData><DataItem>a</DataItem></TraceData>").String()
	local := info("local")
	local.time = "2024-03-01T10:00:00.1234567+01:00"
	for _, s := range []string{
		"",
		r1 + r2,
		r1[100:] + r2 + local.String(),
		r1 + r2[:200],
		r1 + "garbage" + r2,
		r1 + "\r\n" + r2 + "\r\n",
		r1[:300] + r2,
		info(strings.Repeat("x", 5000)).String() + r1,
		`<E2ETraceEvent><ApplicationData</E2ETraceEvent>`,
		`<E2ETraceEvent><System><TimeCreated SystemTime="2024-03-01T10:00:00Z"/><SubType Name="Error"/></System><ApplicationData><TraceRecord><Exception><InnerException><InnerException></Exception></ApplicationData></E2ETraceEvent>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		watchdog := time.AfterFunc(5*time.Second, func() { panic("FuzzReader: input takes more than 5 s") })
		defer watchdog.Stop()
		res := readAll(t, data, 0, 4096, false)
		if res.err != nil {
			t.Fatal(res.err)
		}
		starts := bytes.Count(data, []byte(startTag))
		partial, brokenWarnings := 0, 0
		for _, w := range res.warnings {
			if w.Origin.Offset < 0 || w.Origin.Offset > int64(len(data)) {
				t.Fatalf("warning offset out of file: %v", w)
			}
			switch w.Kind {
			case event.KindTruncated, event.KindOversize, event.KindBadRecord:
				brokenWarnings++
				if strings.HasPrefix(w.Message, "partial record at start of file") {
					partial++
				}
			}
		}
		s := res.stats
		if s.Records != len(res.events) || s.Records+s.Broken != starts+partial || s.Broken != brokenWarnings || partial > 1 {
			t.Fatalf("accounting: %d starts, %d partial, %d broken warnings, stats %+v", starts, partial, brokenWarnings, s)
		}
		if s.Bytes != int64(len(data)) || s.SkippedBytes < 0 || s.SkippedBytes > s.Bytes {
			t.Fatalf("bytes: stats %+v for %d bytes", s, len(data))
		}
		for _, ev := range res.events {
			o := ev.Origin.Offset
			if o < 0 || o >= int64(len(data)) || !bytes.HasPrefix(data[o:], []byte(startTag)) {
				t.Fatalf("event offset %d does not point at a record start", o)
			}
		}
		general := readWith(t, data, 0, 4096, false, true)
		if !reflect.DeepEqual(general.events, res.events) || !reflect.DeepEqual(general.warnings, res.warnings) || general.stats != res.stats {
			t.Fatalf("general parser differs from the fast path:\n%+v\n%+v\n%v\n%v", general.stats, res.stats, general.warnings, res.warnings)
		}
		small := readAll(t, data, 64, 4096, true)
		if !reflect.DeepEqual(small.events, res.events) || !reflect.DeepEqual(small.warnings, res.warnings) || small.stats != res.stats {
			t.Fatalf("chunked read differs:\n%+v\n%+v\n%v\n%v", small.stats, res.stats, small.warnings, res.warnings)
		}
	})
}
