package configcheck

import (
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
