package analyze

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"exlog/internal/synth"
	"exlog/patterns"
)

// benchBundle writes a bundle of about 6 MB of trace XML (six circular
// files in a nested Logs.zip: polls, syncs with per-device records, Get
// next command failures) and Format-List exports of 200 users, and returns
// its path and uncompressed size. bench/gen builds the full 300 MB one.
func benchBundle(b *testing.B) (string, int64) {
	b.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	org := synth.NewOrg(5, 200, time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	t := org.Exported.Add(-48 * time.Hour)
	rec := func(t time.Time, sub, act string, text string) synth.TraceRecord {
		return synth.TraceRecord{Sub: sub, Time: t.Add(time.Duration(rng.IntN(10000)) * 100), Source: "OnPremisesExchangeConnectorService",
			Activity: act, Process: "Microsoft.Management.Services.OnPremisesExchangeConnectorService", PID: 4412, TID: 9,
			Computer: org.Connector, Kind: synth.PayloadText, Text: text}
	}
	var size int64
	var logs []synth.File
	for f := 0; f < 6; f++ {
		var data []byte
		for len(data) < 1<<20 {
			poll := rec(t, synth.Verbose, "", "Get next command: no pending command for this connector.")
			data = poll.Append(data)
			if rng.IntN(50) == 0 {
				r := rec(t.Add(time.Second), synth.Error, "", "Exception in Get next command: System.Net.WebException: The operation has timed out\r\n   at System.Net.HttpWebRequest.GetResponse()")
				data = r.Append(data)
			}
			if rng.IntN(90) == 0 { // a quick sync over a few users' devices
				act := synth.NewGUID(rng)
				at := t.Add(2 * time.Second)
				r := rec(at, synth.Information, act, "Handling command: Getting the mobile device list with a time filter (quick sync) for 20 users")
				data = r.Append(data)
				for i := 0; i < 20; i++ {
					u := org.Users[rng.IntN(len(org.Users))]
					at = at.Add(50 * time.Millisecond)
					r := rec(at, synth.Verbose, act, fmt.Sprintf("Processing mobile devices of %s", u.UPN))
					data = r.Append(data)
				}
				r = rec(at.Add(time.Second), synth.Information, act, "Getting the mobile device list with a time filter (quick sync) for 20 users completed successfully. Details: Inventory command result - Devices synced: 31 Commmand ID: "+synth.NewGUID(rng)+"' Exchange health: 'Server health 'Name: 'PowerShellExchangeServer: <Name=CAS01>' Status: Connected','")
				data = r.Append(data)
			}
			t = t.Add(10 * time.Second)
		}
		size += int64(len(data))
		logs = append(logs, synth.File{Name: fmt.Sprintf("Logs/Connector%d.log", f), Data: data})
	}
	sess := &synth.ExportSession{Runspace: synth.NewGUID(rng), Org: org}
	var dev []synth.PSObject
	for _, u := range org.Users {
		for _, d := range u.Devices {
			dev = append(dev, sess.DeviceStats(d))
		}
	}
	devices := synth.UTF16LE(synth.CRLF(synth.FormatList(dev, 80)))
	size += int64(len(devices))
	zip := synth.ZipBytes([]synth.File{
		{Name: "Logs.zip", Data: synth.ZipBytes(logs, true)},
		{Name: "exports/Get-ActiveSyncDeviceStatistics.txt", Data: devices},
	}, false)
	p := filepath.Join(b.TempDir(), "bundle.zip")
	if err := os.WriteFile(p, zip, 0o644); err != nil {
		b.Fatal(err)
	}
	return p, size
}

// BenchmarkAnalyze is the whole pipeline (open, sniff, decompress, parse,
// merge, match, sessions, inventory, assemble) on a generated bundle,
// the pattern library compiled once; bytes are the uncompressed evidence.
func BenchmarkAnalyze(b *testing.B) {
	path, size := benchBundle(b)
	lib, err := patterns.Load()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		r, err := Run([]string{path}, Options{Library: lib})
		if err != nil {
			b.Fatal(err)
		}
		if r.Summary.Records == 0 || len(r.Syncs) == 0 {
			b.Fatalf("nothing analysed: %d records, %d syncs", r.Summary.Records, len(r.Syncs))
		}
	}
}
