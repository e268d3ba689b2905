package config

import (
	"strings"
	"testing"

	"exlog/event"
)

// A file that sets the trace source to "All" and its listener to
// "Verbose ActivityTracing" (both let Verbose through) is shown with the
// value that binds, as written, and its meaning in words; never "All".
func TestSourceLevelShownAsWrittenWithMeaning(t *testing.T) {
	shapes := []string{
		"<TracingConfiguration><TraceSourceLines><TraceSourceLine><Key>OnPremisesExchangeConnectorService</Key><Value><SourceLevel>All</SourceLevel><Listeners><Listener><ListenerType>CircularTraceListener</ListenerType><SourceLevel>Verbose ActivityTracing</SourceLevel><FileSizeQuotaInBytes>10000000</FileSizeQuotaInBytes></Listener></Listeners></Value></TraceSourceLine></TraceSourceLines></TracingConfiguration>",
		"<TracingConfiguration><TraceSourceLines><TraceSourceLine><Key>OnPremisesExchangeConnectorService</Key><Value><Listeners><Listener><SourceLevel>Verbose ActivityTracing</SourceLevel></Listener></Listeners><SourceLevel>All</SourceLevel></Value></TraceSourceLine></TraceSourceLines></TracingConfiguration>",
		"<TracingConfiguration><TraceSourceLine Key=\"OnPremisesExchangeConnectorService\" SourceLevel=\"-1\"><Listener SourceLevel=\"Verbose, ActivityTracing\" /></TraceSourceLine></TracingConfiguration>",
	}
	for i, x := range shapes {
		tr, err := ReadTracing(strings.NewReader(x), "t.xml", nil, event.Caps{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(tr.SourceLevel, "Verbose") || !tr.Verbose {
			t.Errorf("shape %d: SourceLevel %q verbose %v, want the Verbose ActivityTracing value as written", i, tr.SourceLevel, tr.Verbose)
		}
		if m := tr.Meaning(); !strings.Contains(m, "Verbose included") || !strings.Contains(m, "with activity") {
			t.Errorf("shape %d: meaning %q", i, m)
		}
	}
	tr, _ := ReadTracing(strings.NewReader("<TracingConfiguration><SourceLevel>Warning ActivityTracing</SourceLevel></TracingConfiguration>"), "t.xml", nil, event.Caps{})
	if m := tr.Meaning(); !strings.Contains(m, "only Warning, Error and Critical") {
		t.Errorf("warning meaning %q", m)
	}
}
