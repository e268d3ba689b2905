package output

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"exlog/report"
)

// largeReport is a report the size a months-long bundle gives: 300
// inputs with capped warnings, 2000 syncs, 100 findings with full
// evidence (stack traces with CR LF, quotes and markup to escape).
func largeReport() *report.Report {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	tp := func(d time.Duration) *time.Time { t := t0.Add(d); return &t }
	fp := func(f float64) *float64 { return &f }
	ip := func(i int) *int { return &i }
	r := &report.Report{Schema: report.Schema, Tool: report.Tool{Name: "exlog", Version: "bench"}, Skipped: []report.Skipped{}}
	for i := 0; i < 300; i++ {
		in := report.Input{Path: fmt.Sprintf("case.zip!Logs.zip!Logs/Connector%d.log", i), Format: "trace", Bytes: 10_000_000, Records: 13700,
			Types: map[string]int{"verbose": 12000, "information": 1500, "error": 200}, First: tp(time.Duration(i) * time.Hour), Last: tp(time.Duration(i+1) * time.Hour)}
		for w := 0; w < 50; w++ {
			off := int64(w * 4096)
			in.Warnings = append(in.Warnings, report.InputWarning{Origin: in.Path, Offset: &off, Kind: "truncated-record", Message: "record cut at the end of the file: <E2ETraceEvent> without </E2ETraceEvent>"})
		}
		in.WarningsTotal = 50
		r.Inputs = append(r.Inputs, in)
	}
	stack := "System.Net.WebException: The remote server returned an error: (407) Proxy Authentication Required.\r\n" +
		strings.Repeat("   at Microsoft.Management.Services.OnPremisesExchangeConnector.IntuneServiceProxy.SendRequest(HttpWebRequest request) <\"proxy\" & 'auth'>\r\n", 12)
	for i := 0; i < 2000; i++ {
		r.Syncs = append(r.Syncs, report.Sync{Kind: "quick", Start: t0.Add(time.Duration(i) * 15 * time.Minute), End: tp(time.Duration(i)*15*time.Minute + 40*time.Second),
			DurationS: fp(40), Users: ip(120), DevicesSynced: ip(180), CommandID: "5e0a1d2c-1111-4a2b-9c3d-123456789abc", ExchangeHealth: "Connected", Status: "completed",
			Origin:   fmt.Sprintf("case.zip!Logs.zip!Logs/Connector%d.log@%d", i%300, i*1000),
			Evidence: []report.Evidence{{Origin: "case.zip!Logs.zip!Logs/Connector1.log", Time: tp(0), Text: "Handling command: Getting the mobile device list with a time filter (quick sync) for 120 users"}}})
	}
	for i := 0; i < 100; i++ {
		f := report.Finding{ID: fmt.Sprintf("network.proxy-auth-%d", i), Title: "A proxy demands authentication", Severity: report.SeverityError, Category: "network",
			Count: 500, First: tp(0), Last: tp(time.Hour), Remedy: strings.Repeat("Configure the proxy to let the connector through. ", 5), Docs: "https://learn.microsoft.com/",
			Source: "pattern:library/network.exlog", Tags: []string{"network", "proxy"}}
		for e := 0; e < report.MaxEvidence; e++ {
			off := int64(e * 1000)
			f.Evidence = append(f.Evidence, report.Evidence{Origin: "case.zip!Logs.zip!Logs/Connector3.log", Offset: &off, Time: tp(time.Duration(e) * time.Minute), Text: stack})
		}
		r.Findings = append(r.Findings, f)
	}
	return r
}

// BenchmarkJSON encodes a large report; bytes are the JSON written.
func BenchmarkJSON(b *testing.B) {
	r := largeReport()
	var buf bytes.Buffer
	if err := JSON(&buf, r, Options{}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if err := JSON(io.Discard, r, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
