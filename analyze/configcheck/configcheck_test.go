package configcheck

import (
	"fmt"
	"strings"
	"testing"

	"exlog/event"
	"exlog/parse/config"
	"exlog/report"
)

func ptr(b bool) *bool { return &b }

func byID(fs []report.Finding) map[string]report.Finding {
	m := map[string]report.Finding{}
	for _, f := range fs {
		m[f.ID] = f
	}
	return m
}

// readTracing parses a small tracing file through the real reader, so the
// check is tested on what the reader yields.
func readTracing(t *testing.T, xml string) *config.Tracing {
	t.Helper()
	tr, err := config.ReadTracing(strings.NewReader(xml), "t", nil, event.Caps{})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestChecksFire(t *testing.T) {
	tr := readTracing(t, "<TracingConfiguration>\r\n<TraceSourceLine Key=\"OnPremisesExchangeConnectorService\">\r\n<SourceLevel>Warning ActivityTracing</SourceLevel>\r\n</TraceSourceLine></TracingConfiguration>")
	sv := &config.Service{ExchangeWebServiceURL: "https://mail.contoso.com/EWS/Exchange.asmx", EWSURLSet: true, IsCasFailoverEnabled: ptr(false),
		Lines: map[string]int{"ExchangeWebServiceURL": 3, "IsCasFailoverEnabled": 4}}
	fs := Check(
		[]Tracing{{Tracing: tr, Path: "case.zip!TracingConfiguration.xml"}, {Tracing: tr, Path: "case.zip!old/TracingConfiguration.xml"}},
		[]Service{{Service: sv, Path: "case.zip!OnPremisesExchangeConnectorServiceConfiguration.xml"}},
	)
	if len(fs) != 3 {
		t.Fatalf("findings %+v", fs)
	}
	// sorted by severity then id
	if fs[0].ID != IDCASFailoverOff || fs[1].ID != IDEWSURLHardcoded || fs[2].ID != IDLoggingNotVerbose {
		t.Errorf("order %s %s %s", fs[0].ID, fs[1].ID, fs[2].ID)
	}
	m := byID(fs)
	for _, f := range fs {
		if f.Title == "" || f.Remedy == "" || f.Docs != Docs || f.Category != f.ID[:strings.IndexByte(f.ID, '.')] || len(f.Evidence) == 0 || f.Count != len(f.Evidence) {
			t.Errorf("incomplete finding %+v", f)
		}
		for _, e := range f.Evidence {
			if e.Origin == "" || e.Line <= 0 || e.Text == "" {
				t.Errorf("%s: evidence %+v", f.ID, e)
			}
		}
	}
	if f := m[IDEWSURLHardcoded]; f.Severity != report.SeverityInfo || f.Category != "config" || f.Evidence[0].Line != 3 ||
		!strings.Contains(f.Evidence[0].Text, "https://mail.contoso.com/EWS/Exchange.asmx") || !strings.Contains(f.Remedy, "Nothing to do if intended") || strings.Contains(strings.ToLower(f.Remedy), "clear") {
		t.Errorf("ews %+v", f)
	}
	if f := m[IDCASFailoverOff]; f.Severity != report.SeverityWarning || f.Evidence[0].Line != 4 || f.Evidence[0].Origin != "case.zip!OnPremisesExchangeConnectorServiceConfiguration.xml" {
		t.Errorf("cas %+v", f)
	}
	f := m[IDLoggingNotVerbose]
	// Microsoft's default level is no fault: info, saying what was not
	// judged, and the capture returns to the level found afterwards.
	if f.Severity != report.SeverityInfo || f.Category != "logging" || f.Count != 2 || f.Evidence[0].Line != 3 ||
		!strings.Contains(f.Evidence[0].Text, "Warning ActivityTracing") || !strings.Contains(f.Remedy, `"Verbose ActivityTracing"`) ||
		!strings.Contains(f.Remedy, "restart the WIEC service") || !strings.Contains(f.Remedy, `back to "Warning ActivityTracing"`) ||
		!strings.Contains(f.Remedy, "did not judge") || !strings.Contains(f.Title, "could not be judged") {
		t.Errorf("verbose %+v", f)
	}
	// Another wording of the level is named as found, not as our sample's.
	info := readTracing(t, "<TracingConfiguration><TraceSourceLine><Key>OnPremisesExchangeConnectorService</Key><Value><Listeners><Listener>"+
		"<SourceLevel>Information, ActivityTracing</SourceLevel></Listener></Listeners></Value></TraceSourceLine></TracingConfiguration>")
	if fs := Check([]Tracing{{Tracing: info, Path: "x.xml"}}, nil); len(fs) != 1 || !strings.Contains(fs[0].Remedy, `back to "Information, ActivityTracing"`) {
		t.Errorf("information level: %+v", fs)
	}
}

func TestChecksQuiet(t *testing.T) {
	verbose := readTracing(t, "<T><SourceLevel>Verbose ActivityTracing</SourceLevel></T>")
	unknown := readTracing(t, "<T><FileQuota>30</FileQuota></T>")
	fs := Check(
		[]Tracing{{Tracing: verbose, Path: "a"}, {Tracing: unknown, Path: "b"}, {Tracing: nil, Path: "c"}},
		[]Service{
			{Service: &config.Service{IsCasFailoverEnabled: ptr(true), Lines: map[string]int{}}, Path: "d"},
			{Service: &config.Service{ExchangeWebServiceURL: "", EWSURLSet: false}, Path: "e"},
			{Service: nil, Path: "f"},
		},
	)
	if len(fs) != 0 {
		t.Errorf("unexpected findings %+v", fs)
	}
	if fs := Check(nil, nil); len(fs) != 0 {
		t.Errorf("findings from nothing: %v", fs)
	}
}

func TestEvidenceCapped(t *testing.T) {
	tr := readTracing(t, "<T><SourceLevel>Error</SourceLevel></T>")
	var in []Tracing
	for i := 0; i < report.MaxEvidence+3; i++ {
		in = append(in, Tracing{Tracing: tr, Path: "p"})
	}
	fs := Check(in, nil)
	if len(fs) != 1 || fs[0].Count != report.MaxEvidence+3 || len(fs[0].Evidence) != report.MaxEvidence {
		t.Errorf("%+v", fs)
	}
}

// logging.not-verbose claims nothing the evidence contradicts: when the
// logs show syncs at the level found (the blind tester's after-eos and
// autodiscover-fixed bundles log every sync at Information), it does not
// say syncs are missing; it says their schedule was not judged. With no
// sync seen it says it can't tell why.
func TestNotVerboseSaysWhatTheLogsShow(t *testing.T) {
	for _, level := range []string{"Information ActivityTracing", "Warning", "Information, ActivityTracing"} {
		tr := readTracing(t, "<TracingConfiguration><TraceSourceLine><Key>OnPremisesExchangeConnectorService</Key><Value><Listeners><Listener>"+
			"<SourceLevel>"+level+"</SourceLevel></Listener></Listeners></Value></TraceSourceLine></TracingConfiguration>")
		for _, seen := range []struct{ full, quick int }{{6, 371}, {0, 214}, {0, 0}} {
			fs := Check([]Tracing{{Tracing: tr, Path: "TracingConfiguration.xml"}}, nil)
			SyncsSeen(fs, seen.full, seen.quick)
			if len(fs) != 1 || fs[0].ID != IDLoggingNotVerbose {
				t.Fatalf("%s: findings %+v", level, fs)
			}
			r := fs[0].Remedy
			if strings.Contains(r, "does not log every sync") {
				t.Errorf("%s %v: remedy claims syncs are not logged: %q", level, seen, r)
			}
			if !strings.Contains(r, "did not judge") || !strings.Contains(r, `back to "`+level+`"`) {
				t.Errorf("%s %v: remedy lost what was not judged or the level: %q", level, seen, r)
			}
			if seen.full+seen.quick > 0 {
				want := fmt.Sprintf("These logs do show syncs at this level (%d full, %d quick", seen.full, seen.quick)
				if !strings.Contains(r, want) || strings.Contains(r, "show no sync") {
					t.Errorf("%s %v: remedy %q: want %q", level, seen, r, want)
				}
			} else if !strings.Contains(r, "can't tell whether none ran or this level did not log them") {
				t.Errorf("%s: no sync seen, remedy %q", level, r)
			}
		}
	}
}
