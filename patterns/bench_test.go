package patterns

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"exlog/event"
	"exlog/internal/cputime"
)

// benchRecords builds a deterministic, realistic stream of connector
// trace events: mostly Verbose polls and sync chatter, about 1% errors.
// It returns the events and the bytes of the E2ETraceEvent XML records
// they would have been read from (so MB/s compares with the trace reader).
func benchRecords(n int) ([]event.Event, int64) {
	r := rand.New(rand.NewSource(42))
	verbose := []string{
		"Get next command: no pending command.",
		"Handling command: Getting the mobile device list with a time filter (quick sync) for %d users",
		"Getting the mobile device list with a time filter (quick sync) for %d users completed successfully. Details: Inventory command result - Devices synced: 17 Commmand ID: 5e0a1d2c-1111-4a2b-9c3d-123456789abc' Exchange health: 'Server health 'Name: 'PowerShellExchangeServer: <Name=cas01.contoso.com>' Status: Connected','",
		"Invoking cmdlet Get-ActiveSyncDeviceStatistics -Mailbox user%d@contoso.com",
		"Device ApplC39XK2Q%d of user%d@contoso.com: DeviceAccessState Allowed, DeviceAccessStateReason ExternalCompliance",
		"Uploading %d device records to the Intune service",
		"Heartbeat sent; next poll in 300 seconds",
		"Set-CASMailbox -Identity user%d@contoso.com -ActiveSyncAllowedDeviceIDs @{Add='ApplC39XK2Q'} completed",
		"PowerShell runspace %d opened to https://cas01.contoso.com/PowerShell",
	}
	errs := []string{
		"System.Net.WebException: The operation has timed out\r\n   at System.Net.HttpWebRequest.GetResponse()\r\n   at Microsoft.Intune.Connector.ServiceClient.Send()",
		"Exception in Get next command: System.Net.WebException: The remote server returned an error: (407) Proxy Authentication Required.",
		"The remote name could not be resolved: 'manage.microsoft.com'",
		"Connecting to remote server cas01.contoso.com failed with the following error message : Access is denied.",
		"Fail to create a runspace because you have exceeded the maximum number of connections allowed : 18 for the policy party : MaxConcurrency.",
	}
	const envelope = `<E2ETraceEvent xmlns="http://schemas.microsoft.com/2004/06/E2ETraceEvent"><System xmlns="http://schemas.microsoft.com/2004/06/windows/eventlog/system"><EventID>0</EventID><Type>3</Type><SubType Name="Verbose">0</SubType><Level>16</Level><TimeCreated SystemTime="2024-01-01T00:00:00.0000000Z"/><Source Name="OnPremisesExchangeConnectorService"/><Correlation ActivityID="{00000000-0000-0000-0000-000000000000}"/><Execution ProcessName="Microsoft.Management.Services.OnPremisesExchangeConnectorService" ProcessID="2212" ThreadID="17"/><Channel/><Computer>EXCONNECTOR01</Computer></System><ApplicationData></ApplicationData></E2ETraceEvent>`
	out := make([]event.Event, n)
	var bytes int64
	t := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		t = t.Add(time.Duration(r.Intn(2000)) * time.Millisecond)
		e := event.Event{Time: t, Type: event.Verbose, Source: "OnPremisesExchangeConnectorService", Host: "EXCONNECTOR01",
			PID: 2212, TID: 17, Format: event.FormatTrace, Origin: event.Origin{Path: "Connector3.log", Offset: bytes}}
		switch x := r.Intn(1000); {
		case x < 10: // ~1% errors
			e.Type = event.Error
			e.Message = errs[r.Intn(len(errs))]
		case x < 14: // sync starts and completions (with the Exchange health text)
			e.Type = event.Information
			e.Message = fmt.Sprintf(verbose[1+r.Intn(2)], r.Intn(500))
		case x < 100: // activity records around polls
			e.Type = []event.Type{event.Start, event.Stop}[r.Intn(2)]
			e.Message = "Get next command"
		case x < 250: // polls
			e.Message = verbose[0]
		default: // per-user and per-device chatter
			e.Message = fmt.Sprintf(verbose[3+r.Intn(len(verbose)-3)], r.Intn(500), r.Intn(500))
		}
		if j := strings.Index(e.Message, "%!"); j >= 0 {
			e.Message = e.Message[:j]
		}
		out[i] = e
		bytes += int64(len(envelope) + len(e.Message) + len(e.Message)/20) // escaping overhead
	}
	return out, bytes
}

func benchLibrary(b *testing.B) *Library {
	l, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	return l
}

// BenchmarkMatcher runs the whole library over realistic records. Bytes
// are the records' XML size, so MB/s compares with the trace reader.
func BenchmarkMatcher(b *testing.B) {
	l := benchLibrary(b)
	evs, size := benchRecords(100_000)
	per := float64(size) / float64(len(evs))
	b.SetBytes(int64(per))
	b.ReportAllocs()
	b.ResetTimer()
	m := l.NewMatcher()
	cpu0, _ := cputime.Process()
	for i := 0; i < b.N; i++ {
		m.Observe(&evs[i%len(evs)])
	}
	b.StopTimer()
	cpu1, _ := cputime.Process()
	reportRates(b, cpu1-cpu0, per)
	fs, _ := m.Finish(Window{})
	if len(fs) == 0 && b.N > 10_000 {
		b.Fatal("no findings: the benchmark records do not exercise the library")
	}
}

// BenchmarkMatcherNoPrefilter evaluates every pattern's condition on every
// record: the cost the prefilter saves.
func BenchmarkMatcherNoPrefilter(b *testing.B) {
	l := benchLibrary(b)
	evs, size := benchRecords(100_000)
	b.SetBytes(size / int64(len(evs)))
	b.ReportAllocs()
	b.ResetTimer()
	var ctx ruleCtx
	hits := 0
	for i := 0; i < b.N; i++ {
		e := &evs[i%len(evs)]
		ctx.Reset(e)
		for _, p := range l.pats {
			ctx.Caps = ctx.Caps[:0]
			if p.rule.When.Cond.Match(&ctx) {
				hits++
			}
		}
	}
	reportRates(b, 0, 0)
	_ = hits
}

// reportRates adds records/s (wall) and, because the machine may be
// shared, MB/s and records/s per CPU-second of this process.
func reportRates(b *testing.B, cpu time.Duration, perRecord float64) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	if cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "records/cpu-s")
		b.ReportMetric(float64(b.N)*perRecord/1e6/cpu.Seconds(), "MB/cpu-s")
	}
}
