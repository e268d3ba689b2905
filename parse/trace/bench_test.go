package trace

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"exlog/internal/cputime"
)

// connectorLog generates a deterministic connector-like trace log of about
// size bytes: plain-text payloads as domain.md §3 and §4 describe, activity
// records (runs of records sharing an ActivityID, transfers to new ones),
// and some multi-line (escaped CR LF) messages.
func connectorLog(size int) (data []byte, records int) {
	rng := rand.New(rand.NewPCG(1, 2))
	messages := []string{
		"Handling command: Getting the mobile device list without a time filter (full sync) for %d users",
		"Getting the mobile device list without a time filter (full sync) for %d users completed successfully. Details: Inventory command result - Devices synced: %d Commmand ID: 3f2c1a9e-77b1-4c2d-9e0a-5b6c7d8e9f01' Exchange health: 'Server health 'Name: 'PowerShellExchangeServer: &lt;Name=cas01.contoso.com&gt;' Status: Connected','",
		"Handling command: Getting the mobile device list with a time filter (quick sync) for %d users",
		"Get next command: polling https://manage.microsoft.com/ for work (attempt %d of %d)",
		"SendEmail from notification account to user%d@contoso.com",
		"Exception in Get next command: System.Net.WebException: The remote server returned an error: (407) Proxy Authentication Required.&#xD;&#xA;   at System.Net.HttpWebRequest.GetResponse()&#xD;&#xA;   at Connector.Poll(Int32 n = %d, Int32 m = %d)",
	}
	subTypes := []struct {
		name  string
		level int
	}{{"Information", 8}, {"Information", 8}, {"Verbose", 16}, {"Verbose", 16}, {"Warning", 4}, {"Error", 2}, {"Start", 255}, {"Stop", 255}, {"Transfer", 255}}
	t := time.Date(2024, 3, 1, 2, 0, 0, 0, time.UTC)
	newActivity := func() string {
		return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<16), rng.IntN(1<<16), rng.Uint64()&(1<<48-1))
	}
	activity := newActivity()
	var b bytes.Buffer
	for b.Len() < size {
		st := subTypes[rng.IntN(len(subTypes))]
		// Records of one activity (a command, a sync) come in runs; a
		// quarter of the records carry no activity.
		if rng.IntN(20) == 0 {
			activity = newActivity()
		}
		act := activity
		if rng.IntN(4) == 0 {
			act = zeroGUID
		}
		s := recordSpec{
			eventID: uint32(rng.IntN(100)), subType: st.name, level: st.level,
			time:     t.Format("2006-01-02T15:04:05.0000000Z"),
			source:   "OnPremisesExchangeConnectorService",
			activity: act,
			process:  "Microsoft.Management.Powershell.ExchangeConnector.Service", pid: 4242, tid: 1 + rng.IntN(40),
			computer: "EXCONN01",
		}
		switch st.name {
		case "Transfer":
			activity = newActivity()
			s.related = activity
		case "Start", "Stop":
		default:
			s.payload = fmt.Sprintf(messages[rng.IntN(len(messages))], 100+rng.IntN(900), rng.IntN(5000), rng.IntN(10))
		}
		b.WriteString(s.String())
		records++
		t = t.Add(time.Duration(rng.IntN(2000)) * time.Millisecond)
	}
	return b.Bytes(), records
}

// BenchmarkReader measures throughput over a generated 10 MB connector log;
// allocs/op divided by the records metric gives allocations per record.
func BenchmarkReader(b *testing.B) {
	data, records := connectorLog(10 << 20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu0, cpuOK := cputime.Process()
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), "Connector0.log", nil)
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != records {
			b.Fatalf("%d records, want %d", n, records)
		}
	}
	b.ReportMetric(float64(records), "records/op")
	if cpu1, ok := cputime.Process(); ok && cpuOK && cpu1 > cpu0 {
		// Throughput per CPU-second (GC included): stable when the
		// machine is shared; wall-clock MB/s is not.
		b.ReportMetric(float64(len(data))*float64(b.N)/1e6/(cpu1-cpu0).Seconds(), "cpu-MB/s")
	}
}
