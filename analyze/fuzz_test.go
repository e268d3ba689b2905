package analyze

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"exlog/event"
	"exlog/parse/bundle"
	"exlog/patterns"
)

// fuzzHang is how long one input may take before it counts as a hang.
const fuzzHang = 20 * time.Second

// FuzzAnalyzeFile runs the whole pipeline on one file of arbitrary bytes,
// as `exlog analyze -` does with standard input: the bundle reader (a zip
// is opened as a zip), format sniffing by content (the .evtx wrapper
// included), whichever reader the sniffing picks (trace, Format-List, CSV,
// CliXML, event-log text/CSV/XML, config) with small caps, then patterns,
// sessions and inventory. It must not panic or hang, and what it reports
// must be a well-formed report.
func FuzzAnalyzeFile(f *testing.F) {
	seeds := []string{
		"../parse/eventlog/testdata/system-en-US.txt",
		"../parse/eventlog/testdata/system-de-DE.csv",
		"../parse/eventlog/testdata/system-wevtutil.xml",
		"../parse/pscmdlet/testdata/users-fl.txt",
		"../parse/pscmdlet/testdata/devices-de-ps51.csv",
		"../parse/pscmdlet/testdata/users.clixml",
		"../parse/config/testdata/TracingConfiguration-elements.xml",
		"../parse/config/testdata/ServiceConfiguration-set.xml",
		"../samples/cut-records/bundle/Connector0.log",
		"../parse/evtx/testdata/CAPI2_Operational_EventID70.evtx",
		"../parse/evtx/testdata/system.evtx",
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatalf("fuzz seed: %v", err)
		}
		f.Add(b[:min(len(b), 6<<10)])
	}
	if zips, _ := filepath.Glob("../samples/*/bundle.zip"); len(zips) > 0 {
		if b, err := os.ReadFile(zips[0]); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	f.Add([]byte("ElfFile\x00"))
	lib, err := patterns.Load()
	if err != nil {
		f.Fatal(err)
	}
	lim := bundle.DefaultLimits()
	lim.MaxNestedInMemory = 1 << 20
	lim.MaxTotal = 8 << 20
	lim.MaxEntry = 4 << 20
	opt := Options{Limits: lim, Caps: event.Caps{MaxRecord: 4 << 10, MaxLine: 512}, Library: lib, Version: "fuzz"}
	f.Fuzz(func(t *testing.T, data []byte) {
		// A hang is a failure too: the fuzzer has no time limit per
		// input, so a watchdog panics with every goroutine's stack.
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(fuzzHang):
				buf := make([]byte, 1<<20)
				panic(fmt.Sprintf("analysis of %d bytes still running after %v:\n%s", len(data), fuzzHang, buf[:runtime.Stack(buf, true)]))
			}
		}()
		b, err := bundle.OpenReader("fuzz.bin", bytes.NewReader(data), lim)
		if err != nil {
			return // refused with a message: fine
		}
		defer b.Close()
		rep, err := RunBundle(b, opt)
		if err != nil {
			var none *ErrNothingAnalysable
			if !errors.As(err, &none) {
				t.Fatalf("analysis failed: %v", err)
			}
			if none.Error() == "" {
				t.Fatal("nothing analysable, and no word on what was found")
			}
			return
		}
		if _, err := rep.MarshalIndent(); err != nil {
			t.Fatalf("report does not marshal: %v", err)
		}
		// The merged events are a subset of what the inputs yielded
		// (duplicates are dropped, nothing is invented).
		total := 0
		for _, in := range rep.Inputs {
			total += in.Records
		}
		if len(rep.Inputs) == 0 || rep.Summary.Records > total {
			t.Fatalf("inputs %d yielded %d records, summary counts %d", len(rep.Inputs), total, rep.Summary.Records)
		}
	})
}
