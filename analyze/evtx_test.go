package analyze

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"strings"
	"testing"

	"exlog/event"
	"exlog/output"
	"exlog/parse/bundle"
)

// zipOf builds a zip archive of name -> content.
func zipOf(t *testing.T, files map[string][]byte, order []string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range order {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[name])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sampleFile reads one file of a sample bundle.
func sampleFile(t *testing.T, bundlePath, name string) []byte {
	t.Helper()
	zr, err := zip.OpenReader(bundlePath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatalf("%s: no %s", bundlePath, name)
	return nil
}

// TestEvtxInNestedZip: a binary System log (parse/evtx/testdata/scm-wiec.evtx:
// real SCM templates, the connector's values; see writer_test.go there)
// inside a zip inside the bundle is found by its content, read, joined
// with the trace logs in time order, and its SCM 7000 for the connector
// raises service.logon-failure; the 7000 for another service does not.
func TestEvtxInNestedZip(t *testing.T) {
	sys, err := os.ReadFile("../parse/evtx/testdata/scm-wiec.evtx")
	if err != nil {
		t.Fatal(err)
	}
	inner := zipOf(t, map[string][]byte{"System.evtx": sys}, []string{"System.evtx"})
	trace := sampleFile(t, "../samples/service-logon/bundle.zip", "Logs/Connector2.log")
	outer := zipOf(t, map[string][]byte{"Logs/Connector2.log": trace, "eventlogs/exported.zip": inner},
		[]string{"Logs/Connector2.log", "eventlogs/exported.zip"})
	b, err := bundle.OpenReader("bundle.zip", bytes.NewReader(outer), bundle.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var stream []*event.Event
	rep, err := RunBundle(b, Options{Version: "test", Observe: func(e *event.Event) { stream = append(stream, e) }})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Skipped {
		if strings.Contains(s.Path, "evtx") {
			t.Errorf("skipped: %+v", s)
		}
	}
	var evtxIn bool
	for _, in := range rep.Inputs {
		if strings.HasSuffix(in.Path, "System.evtx") {
			evtxIn = true
			if in.Format != "evtx" || in.Records != 5 || in.Broken != 0 || in.Types["error"] != 4 || in.Types["information"] != 1 {
				t.Errorf("evtx input: %+v", in)
			}
			if !strings.Contains(in.Path, "exported.zip") {
				t.Errorf("evtx input path %q does not name the nested zip", in.Path)
			}
		}
	}
	if !evtxIn {
		t.Fatalf("no .evtx input: %+v", rep.Inputs)
	}
	var found bool
	for _, f := range rep.Findings {
		if f.ID != "service.logon-failure" {
			continue
		}
		found = true
		if f.Count != 2 {
			t.Errorf("service.logon-failure count %d, want 2 (the Print Spooler 7000 must not count)", f.Count)
		}
		for _, ev := range f.Evidence {
			if !strings.HasSuffix(ev.Origin, "System.evtx") || ev.Offset == nil || !strings.Contains(ev.Text, "Microsoft Intune Exchange Connector Service") {
				t.Errorf("evidence %+v", ev)
			}
		}
	}
	if !found {
		t.Errorf("no service.logon-failure; findings %v", ids(rep))
	}
	// The merged stream: the SCM events in time order among the traces.
	var scm int
	for i, e := range stream {
		if i > 0 && e.Time.Before(stream[i-1].Time) {
			t.Fatalf("stream out of order at %d: %v after %v", i, e.Time, stream[i-1].Time)
		}
		if e.Format == event.FormatEvtx && e.Source == "Service Control Manager" {
			scm++
		}
	}
	if scm != 5 {
		t.Errorf("%d SCM events from the .evtx in the merged stream, want 5", scm)
	}
	var text bytes.Buffer
	if err := output.Text(&text, rep, output.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"service.logon-failure", "System.evtx", "evtx"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q", want)
		}
	}
}

// TestEvtxAndXMLCountedOnce: the same System log as .evtx (wevtutil epl)
// and as XML (here libyal's evtxexport -f xml of that file, committed
// beside it) is analysed once: the second copy of each record is a
// duplicate, the finding counts each failure once.
func TestEvtxAndXMLCountedOnce(t *testing.T) {
	sys, err := os.ReadFile("../parse/evtx/testdata/scm-wiec.evtx")
	if err != nil {
		t.Fatal(err)
	}
	xml, err := os.ReadFile("../parse/evtx/testdata/scm-wiec.xml")
	if err != nil {
		t.Fatal(err)
	}
	data := zipOf(t, map[string][]byte{`eventlogs\System.evtx`: sys, `eventlogs\System.xml`: xml}, []string{`eventlogs\System.evtx`, `eventlogs\System.xml`})
	b, err := bundle.OpenReader("bundle.zip", bytes.NewReader(data), bundle.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rep, err := RunBundle(b, Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	formats := map[string]int{}
	for _, in := range rep.Inputs {
		formats[in.Format] = in.Records
	}
	if formats["evtx"] != 5 || formats["eventlog-xml"] != 5 {
		t.Errorf("inputs %v", formats)
	}
	if rep.Summary.Duplicates != 5 {
		t.Errorf("duplicates %d, want 5", rep.Summary.Duplicates)
	}
	for _, f := range rep.Findings {
		if f.ID == "service.logon-failure" && f.Count != 2 {
			t.Errorf("service.logon-failure counted %d times, want 2", f.Count)
		}
	}
}
