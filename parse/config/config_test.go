package config

// The real schemas of TracingConfiguration.xml and the service
// configuration are NOT published: the files under testdata/ are guesses
// in several shapes (see testdata/README.md). These tests pin tolerance,
// not a schema.

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"exlog/event"
)

type warnings []event.ReadWarning

func (w *warnings) add(x event.ReadWarning) { *w = append(*w, x) }

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// lineOf returns the 1-based line of the first line containing sub.
func lineOf(b []byte, sub string) int {
	for i, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, sub) {
			return i + 1
		}
	}
	return -1
}

func TestTracingShapes(t *testing.T) {
	for _, tc := range []struct {
		file     string
		level    string
		verbose  bool
		levels   []string
		lineOf   string
		key      string
		fileName bool
	}{
		// The connector's line, not SomeOtherComponent's; the listener's
		// Warning is stricter than the source's All, so it is effective.
		{"TracingConfiguration-elements.xml", "Warning ActivityTracing", false, []string{"Warning", "ActivityTracing"}, "<SourceLevel>Warning", ConnectorTraceSource, true},
		{"TracingConfiguration-attributes.xml", "Verbose, ActivityTracing", true, []string{"Verbose", "ActivityTracing"}, "sourceLevel=", ConnectorTraceSource, true},
		{"TracingConfiguration-addkey.xml", "Information ActivityTracing", false, []string{"Information", "ActivityTracing"}, `"SourceLevel"`, "", false},
	} {
		data := read(t, "testdata/"+tc.file)
		if !DetectTracing(data) || DetectService(data) {
			t.Errorf("%s: detection", tc.file)
		}
		var w warnings
		tr, err := ReadTracing(bytes.NewReader(data), tc.file, w.add, event.Caps{})
		if err != nil || len(w) != 0 {
			t.Fatalf("%s: err %v warnings %v", tc.file, err, w)
		}
		if tr.SourceLevel != tc.level || tr.Verbose != tc.verbose || strings.Join(tr.Levels, "|") != strings.Join(tc.levels, "|") || tr.Key != tc.key {
			t.Errorf("%s: %+v", tc.file, tr)
		}
		if want := lineOf(data, tc.lineOf); tr.Line != want {
			t.Errorf("%s: line %d, want %d", tc.file, tr.Line, want)
		}
		if tr.FileSizeQuota != 10000000 || tr.FileQuota != 30 {
			t.Errorf("%s: quotas %d %d", tc.file, tr.FileSizeQuota, tr.FileQuota)
		}
		if tc.fileName != strings.HasSuffix(tr.FileName, `Logs\Connector.svclog`) {
			t.Errorf("%s: file name %q", tc.file, tr.FileName)
		}
	}
}

func TestTracingLevelsAndProblems(t *testing.T) {
	for _, tc := range []struct {
		in      string
		verbose bool
		warn    string
	}{
		{`<T><SourceLevel>All</SourceLevel></T>`, true, ""},
		{`<T><sourcelevel>verbose|activitytracing</sourcelevel></T>`, true, ""},
		{`<T><SourceLevel>31</SourceLevel></T>`, true, ""},
		{`<T><SourceLevel>0xFF07</SourceLevel></T>`, false, ""},
		{`<T><SourceLevel>Loud</SourceLevel></T>`, false, "bad-setting"},
		{`<T><FileQuota>30</FileQuota></T>`, false, "missing-setting"},
		{"<T>\n<SourceLevel>Verbose</SourceLevel>\n<Broken", true, "garbage"},
	} {
		var w warnings
		tr, err := ReadTracing(strings.NewReader(tc.in), "t.xml", w.add, event.Caps{})
		if err != nil || tr.Verbose != tc.verbose {
			t.Errorf("%q: %+v %v", tc.in, tr, err)
		}
		if tc.warn == "" && len(w) != 0 || tc.warn != "" && (len(w) == 0 || w[0].Kind.String() != tc.warn || w[0].Origin.Path != "t.xml" || w[0].Origin.Line < 1) {
			t.Errorf("%q: warnings %v, want %q", tc.in, w, tc.warn)
		}
	}
}

func TestServiceSet(t *testing.T) {
	data := read(t, "testdata/ServiceConfiguration-set.xml")
	if !DetectService(data) || DetectTracing(data) {
		t.Errorf("detection")
	}
	var w warnings
	sv, err := ReadService(bytes.NewReader(data), "svc.xml", w.add, event.Caps{})
	if err != nil || len(w) != 0 {
		t.Fatalf("err %v warnings %v", err, w)
	}
	if !sv.EWSURLSet || sv.ExchangeWebServiceURL != "https://mail.contoso.com/EWS/Exchange.asmx" {
		t.Errorf("EWS %+v", sv)
	}
	if sv.IsCasFailoverEnabled == nil || *sv.IsCasFailoverEnabled || sv.EnableParallelCommandSupport == nil || !*sv.EnableParallelCommandSupport {
		t.Errorf("booleans %v %v", sv.IsCasFailoverEnabled, sv.EnableParallelCommandSupport)
	}
	if sv.Lines["IsCasFailoverEnabled"] != lineOf(data, "<IsCasFailoverEnabled>") || sv.Lines["ExchangeWebServiceURL"] != lineOf(data, "<ExchangeWebServiceURL>") {
		t.Errorf("lines %v", sv.Lines)
	}
	if sv.Other["CasServerFqdn"] != "cas01.contoso.com" || sv.Other["UserName"] != "svc-intune-notify@contoso.com" || sv.Other["Password"] != "<redacted>" {
		t.Errorf("other %v", sv.Other)
	}
	if _, ok := sv.Other["ExchangeConnectorNotificationAccount"]; ok {
		t.Errorf("non-leaf element in Other")
	}
}

func TestServiceDefaults(t *testing.T) {
	data := read(t, "testdata/ServiceConfiguration-default.xml")
	var w warnings
	sv, err := ReadService(bytes.NewReader(data), "svc.xml", w.add, event.Caps{})
	if err != nil || len(w) != 0 {
		t.Fatalf("err %v warnings %v", err, w)
	}
	if sv.EWSURLSet || sv.IsCasFailoverEnabled == nil || !*sv.IsCasFailoverEnabled || sv.EnableParallelCommandSupport != nil {
		t.Errorf("%+v", sv)
	}
	var w2 warnings
	sv, _ = ReadService(strings.NewReader(`<c isCasFailoverEnabled="maybe"/>`), "a.xml", w2.add, event.Caps{})
	if sv.IsCasFailoverEnabled != nil || len(w2) != 1 || w2[0].Kind.String() != "bad-setting" {
		t.Errorf("unreadable boolean: %v %v", sv.IsCasFailoverEnabled, w2)
	}
}

func TestReadErrorIsReturned(t *testing.T) {
	boom := errors.New("disk gone")
	if _, err := ReadService(iotest.ErrReader(boom), "x", nil, event.Caps{}); !errors.Is(err, boom) {
		t.Errorf("service: %v", err)
	}
	if _, err := ReadTracing(iotest.ErrReader(boom), "x", nil, event.Caps{}); !errors.Is(err, boom) {
		t.Errorf("tracing: %v", err)
	}
}

func TestDetectNegatives(t *testing.T) {
	for _, in := range []string{
		"Log Name: System\nSource: x\n",
		`<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><EventData><Data>IsCasFailoverEnabled=false</Data></EventData></Event>`,
		`<E2ETraceEvent xmlns="http://schemas.microsoft.com/2004/06/E2ETraceEvent"><ApplicationData>&lt;IsCasFailoverEnabled</ApplicationData></E2ETraceEvent>`,
		"SourceLevel FileSizeQuotaInBytes in prose",
		`<Events><Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><RenderingInfo><Message>SourceLevel FileSizeQuotaInBytes</Message></RenderingInfo></Event></Events>`,
	} {
		if DetectTracing([]byte(in)) || DetectService([]byte(in)) {
			t.Errorf("detected %q", in)
		}
	}
}

func FuzzConfig(f *testing.F) {
	for _, n := range []string{"TracingConfiguration-elements.xml", "TracingConfiguration-attributes.xml", "ServiceConfiguration-set.xml"} {
		f.Add(read(f, "testdata/"+n))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		lines := bytes.Count(in, []byte("\n")) + 1
		warn := func(w event.ReadWarning) {
			if w.Origin.Line < 1 || w.Origin.Line > lines {
				t.Fatalf("warning line %d outside 1..%d", w.Origin.Line, lines)
			}
		}
		if tr, err := ReadTracing(bytes.NewReader(in), "f", warn, event.Caps{}); err != nil || tr == nil {
			t.Fatal(err)
		}
		if sv, err := ReadService(bytes.NewReader(in), "f", warn, event.Caps{}); err != nil || sv == nil {
			t.Fatal(err)
		}
	})
}
