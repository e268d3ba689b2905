// Command gen writes the deterministic benchmark bundle of bench/run.sh: a
// connector at Verbose over several days, its circular trace log (30 files
// of about 10 MB per scale unit, wrapped, in a nested Logs.zip with "\"
// separators) and the cmdlet exports of a few thousand devices.
//
//	go run ./bench/gen -out /tmp/bench/bundle.zip [-scale 2]
//
// The same flags write the same bytes: every choice comes from a seeded
// generator and fixed base times (internal/synth writes the formats). The
// archive is streamed (one trace file in memory at a time), so -scale 4
// (1.2 GB of XML) needs no more memory than -scale 1.
//
// Volume model (guessed; the real connector's Verbose output is unknown):
// a poll cycle every 10 s writes 3 records, a quick sync every 15 min
// writes 2 records per changed device (20–400), a daily full sync 2 per
// device, and a realistic mix of errors the pattern library knows (Get
// next command exceptions in bursts — timeouts, proxy 407, DNS, TLS, 401 —
// throttling, Autodiscover and SendEmail failures, a failed quick sync).
// That is about 50 MB of XML per day, so one scale unit covers ~6 days.
package main

import (
	"archive/zip"
	"bufio"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"exlog/internal/synth"
)

const (
	filesPerScale = 30
	quota         = 10_000_000 // FileSizeQuotaInBytes: a file is closed once it holds this much
	users         = 2000       // ≈ 3000 devices
	process       = "Microsoft.Management.Services.OnPremisesExchangeConnectorService"
	source        = "OnPremisesExchangeConnectorService"
)

// exported is when the admin ran the cmdlets; the trace log ends just before.
var exported = time.Date(2023, 11, 21, 8, 55, 12, 0, time.UTC)

func main() {
	out := flag.String("out", "bundle.zip", "archive to write")
	scale := flag.Int("scale", 1, "size multiplier: 30×scale trace files of ~10 MB (more days of logs)")
	flag.Parse()
	if *scale < 1 {
		fmt.Fprintln(os.Stderr, "gen: -scale must be at least 1")
		os.Exit(2)
	}
	f, err := os.Create(*out)
	if err == nil {
		w := bufio.NewWriterSize(f, 1<<20)
		var info string
		info, err = writeBundle(w, *scale)
		if err == nil {
			fmt.Fprintln(os.Stderr, "gen:", info)
		}
		if err == nil {
			err = w.Flush()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func create(zw *zip.Writer, name string, method uint16) (io.Writer, error) {
	h := &zip.FileHeader{Name: name, Method: method}
	h.SetModTime(synth.ZipModTime)
	return zw.CreateHeader(h)
}

// writeBundle writes the archive to w and returns a one-line summary.
func writeBundle(w io.Writer, scale int) (string, error) {
	org := synth.NewOrg(7, users, exported)
	outer := zip.NewWriter(w)
	lw, err := create(outer, "Logs.zip", zip.Deflate)
	if err != nil {
		return "", err
	}
	inner := zip.NewWriter(lw)
	nfiles := filesPerScale * scale
	sim := &sim{rng: rand.New(rand.NewPCG(uint64(scale), 10)), org: org}
	// The ring wrapped: the oldest kept file is slot 12, the newest slot 11.
	const firstSlot = 12
	days := 6 * time.Duration(scale) * 24 * time.Hour
	sim.t = exported.Add(-days)
	for i := 0; i < nfiles; i++ {
		sim.buf = sim.buf[:0]
		for len(sim.buf) < quota {
			sim.step()
		}
		fw, err := create(inner, fmt.Sprintf(`Logs\Connector%d.log`, (firstSlot+i)%nfiles), zip.Deflate)
		if err != nil {
			return "", err
		}
		if _, err := fw.Write(sim.buf); err != nil {
			return "", err
		}
	}
	if err := inner.Close(); err != nil {
		return "", err
	}
	sess := &synth.ExportSession{Runspace: synth.NewGUID(rand.New(rand.NewPCG(1, 1))), Org: org}
	var cas, mbx, dev []synth.PSObject
	for i, u := range org.Users {
		cas = append(cas, sess.CASMailbox(u, i))
		mbx = append(mbx, sess.Mailbox(u, i))
		for _, d := range u.Devices {
			dev = append(dev, sess.DeviceStats(d))
		}
	}
	formatList := func(objs []synth.PSObject) []byte { return synth.UTF16LE(synth.CRLF(synth.FormatList(objs, 80))) }
	rest := []synth.File{
		{Name: "TracingConfiguration.xml", Data: synth.TracingConfig("Verbose ActivityTracing", quota, nfiles)},
		{Name: "OnPremisesExchangeConnectorServiceConfiguration.xml", Data: synth.ServiceConfig("", true, false, "cas01.contoso.com")},
		{Name: "exports/Get-CASMailbox.txt", Data: formatList(cas)},
		{Name: "exports/Get-Mailbox.txt", Data: formatList(mbx)},
		{Name: "exports/Get-ActiveSyncDeviceStatistics.txt", Data: formatList(dev)},
		{Name: "exports/Get-ActiveSyncOrganizationSettings.txt", Data: formatList([]synth.PSObject{sess.OrgSettings("Allow", time.Date(2019, 3, 14, 10, 2, 51, 0, time.UTC))})},
	}
	for _, f := range rest {
		fw, err := create(outer, f.Name, zip.Deflate)
		if err != nil {
			return "", err
		}
		if _, err := fw.Write(f.Data); err != nil {
			return "", err
		}
	}
	info := fmt.Sprintf("%d trace files from %s to %s, %d users, %d devices", nfiles,
		exported.Add(-days).Format(time.RFC3339), sim.t.Format(time.RFC3339), len(org.Users), org.Devices)
	return info, outer.Close()
}

// sim writes the connector's trace in write order into buf, one 10 s
// poll cycle at a time: a cycle's records are sorted by time, then a few
// get a time some milliseconds early (threads racing for the listener).
type sim struct {
	rng      *rand.Rand
	org      *synth.Org
	t        time.Time // the clock: the next poll cycle
	buf      []byte
	cycle    []synth.TraceRecord
	lastFull time.Time
	lastQ    time.Time
	n        int
	burst    int // remaining failed polls of a network outage
	cause    int
	run      *syncRun // the sync in progress, if any
}

func (s *sim) rec(t time.Time, sub, act string, tid int, kind synth.PayloadKind, text string) {
	t = t.Add(time.Duration(s.rng.IntN(10000)) * 100) // .NET ticks are 100 ns
	s.cycle = append(s.cycle, synth.TraceRecord{Sub: sub, Time: t, Source: source, Activity: act, Process: process, PID: 4412, TID: tid,
		Computer: s.org.Connector, Kind: kind, Text: text})
}

var netCauses = []struct{ ex, msg string }{
	{"System.Net.WebException", "The operation has timed out"},
	{"System.Net.WebException", "The remote server returned an error: (407) Proxy Authentication Required."},
	{"System.Net.WebException", "The remote name could not be resolved: 'manage.microsoft.com'"},
	{"System.Net.WebException", "The underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel."},
	{"System.Net.WebException", "The remote server returned an error: (401) Unauthorized."},
	{"System.Net.WebException", "Unable to connect to the remote server"},
}

const pollStack = "\r\n   at System.Net.HttpWebRequest.GetResponse()\r\n   at Microsoft.Management.Services.OnPremisesExchangeConnector.IntuneServiceProxy.SendRequest(HttpWebRequest request)\r\n   at Microsoft.Management.Services.OnPremisesExchangeConnector.IntuneServiceProxy.GetNextCommand(Guid connectorId)\r\n   at Microsoft.Management.Services.OnPremisesExchangeConnector.CommandPoller.Poll()"

const cycle = 10 * time.Second

// step writes one poll cycle and whatever else is due in it.
func (s *sim) step() {
	t := s.t
	s.n++
	const pollTID = 9
	if s.burst == 0 && s.rng.IntN(1500) == 0 { // ~6 outages a day
		s.burst = 1 + s.rng.IntN(30)
		s.cause = s.rng.IntN(len(netCauses))
	}
	s.rec(t, synth.Verbose, "", pollTID, synth.PayloadText, "Get next command: sending request to https://manage.microsoft.com/StatelessOnPremisesConnectorService/")
	if s.burst > 0 {
		s.burst--
		c := netCauses[s.cause]
		if s.n%3 == 0 {
			ex := &synth.ExceptionInfo{Type: c.ex + ", System, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089", Message: c.msg,
				Stack: []string{"System.Net.HttpWebRequest.GetResponse()", "Microsoft.Management.Services.OnPremisesExchangeConnector.CommandPoller.Poll()"}}
			s.rec(t.Add(30*time.Millisecond), synth.Error, "", pollTID, synth.PayloadRawXML, synth.TraceRecordXML("Error",
				"Microsoft.Management.Services.OnPremisesExchangeConnector.GetNextCommandFailed", "Get next command failed.", process+".exe", ex, "\r\n"))
		} else {
			s.rec(t.Add(30*time.Millisecond), synth.Error, "", pollTID, synth.PayloadText, "Exception in Get next command: "+c.ex+": "+c.msg+pollStack)
		}
	} else {
		ms := 80 + s.rng.IntN(400)
		s.rec(t.Add(time.Duration(ms)*time.Millisecond), synth.Verbose, "", pollTID, synth.PayloadText, fmt.Sprintf("Get next command: response 200 (OK) in %d ms", ms))
		s.rec(t.Add(600*time.Millisecond), synth.Verbose, "", pollTID, synth.PayloadText, "Get next command: no pending command for this connector.")
	}
	if s.run == nil {
		if full := t.Truncate(24 * time.Hour).Add(2*time.Hour + 13*time.Minute); !t.Before(full) && s.lastFull.Before(full) {
			s.lastFull = t
			s.start(t, true, len(s.org.Users))
		} else if t.Sub(s.lastQ) >= 15*time.Minute {
			s.lastQ = t
			s.start(t, false, 10+s.rng.IntN(200))
		}
	}
	if s.run != nil {
		s.continueSync(t.Add(cycle))
	}
	switch s.rng.IntN(8640) { // about once a day each
	case 0:
		s.rec(t.Add(2*time.Second), synth.Error, "", 17, synth.PayloadText, "Fail to create a runspace because you have exceeded the maximum number of connections allowed : 18 for the policy party : MaxConcurrency. Please close existing runspace and try again.")
	case 1:
		s.rec(t.Add(2*time.Second), synth.Warning, "", 21, synth.PayloadText, "Microsoft.Exchange.WebServices.Data.AutodiscoverLocalException: The Autodiscover service could not be located.\r\n   at Microsoft.Exchange.WebServices.Data.AutodiscoverService.InternalGetLegacyUserSettings()")
	case 2:
		u := s.org.Users[s.rng.IntN(len(s.org.Users))]
		s.rec(t.Add(2*time.Second), synth.Error, "", 21, synth.PayloadText, "SendEmail from notification account to "+u.PrimarySMTP+" failed: The request failed. The remote server returned an error: (401) Unauthorized.")
	case 3:
		s.rec(t.Add(2*time.Second), synth.Error, "", 17, synth.PayloadText, "Connecting to remote server cas01.contoso.com failed with the following error message : WinRM cannot complete the operation. For more information, see the about_Remote_Troubleshooting Help topic.")
	}
	slices.SortStableFunc(s.cycle, func(a, b synth.TraceRecord) int { return a.Time.Compare(b.Time) })
	for i := range s.cycle {
		if s.rng.IntN(8) == 0 {
			s.cycle[i].Time = s.cycle[i].Time.Add(-time.Duration(1+s.rng.IntN(4)) * time.Millisecond)
		}
		s.buf = s.cycle[i].Append(s.buf)
	}
	s.cycle = s.cycle[:0]
	s.t = t.Add(cycle)
}

// syncRun is a full or quick sync session in progress: two records per
// device it touches, spread over as many poll cycles as it takes.
type syncRun struct {
	act, cmd, kind, what string
	tid                  int
	full                 bool
	next, left           int // next user index, users still to do
	at                   time.Time
	devices              int
}

func (s *sim) start(t time.Time, full bool, nusers int) {
	r := &syncRun{act: synth.NewGUID(s.rng), cmd: synth.NewGUID(s.rng), tid: []int{12, 14, 17, 21, 23}[s.rng.IntN(5)], full: full,
		next: s.rng.IntN(len(s.org.Users)), left: nusers, at: t.Add(2 * time.Second)}
	r.kind, r.what = "Quick", fmt.Sprintf("Getting the mobile device list with a time filter (quick sync) for %d users", nusers)
	if full {
		r.kind, r.what = "Full", fmt.Sprintf("Getting the mobile device list without a time filter (full sync) for %d users", nusers)
	}
	s.rec(t.Add(time.Second), synth.Transfer, "", r.tid, synth.PayloadEmpty, "")
	s.rec(t.Add(time.Second+time.Millisecond), synth.Start, r.act, r.tid, synth.PayloadText, r.kind+" inventory command "+r.cmd)
	s.rec(t.Add(time.Second+2*time.Millisecond), synth.Information, r.act, r.tid, synth.PayloadText, "Handling command: "+r.what)
	s.run = r
}

// continueSync writes the running sync's records due before until.
func (s *sim) continueSync(until time.Time) {
	r := s.run
	for r.left > 0 && r.at.Before(until) {
		u := s.org.Users[r.next%len(s.org.Users)]
		r.next++
		r.left--
		for _, d := range u.Devices {
			r.at = r.at.Add(time.Duration(20+s.rng.IntN(60)) * time.Millisecond)
			r.devices++
			s.rec(r.at, synth.Verbose, r.act, r.tid, synth.PayloadText, fmt.Sprintf("Processing mobile device %s (%s, %s) of %s", d.ID, d.Model, d.OS, u.UPN))
			s.rec(r.at.Add(3*time.Millisecond), synth.Verbose, r.act, r.tid, synth.PayloadText, fmt.Sprintf("Device %s: access state %s (%s), last successful sync %s", d.ID, d.AccessState, d.AccessReason, d.LastSuccess.Format(time.RFC3339)))
		}
	}
	if r.left > 0 {
		return
	}
	if !r.full && s.rng.IntN(60) == 0 { // a failed quick sync every few days
		s.rec(r.at, synth.Error, r.act, r.tid, synth.PayloadText, "Processing data from remote server failed: you have exceeded the maximum number of connections allowed: 3 for the policy party")
		s.rec(r.at.Add(time.Millisecond), synth.Error, r.act, r.tid, synth.PayloadText, r.what+" failed. The inventory command will be retried.")
	} else {
		s.rec(r.at, synth.Information, r.act, r.tid, synth.PayloadText, fmt.Sprintf("%s completed successfully. Details: Inventory command result - Devices synced: %d Commmand ID: %s' Exchange health: 'Server health 'Name: 'PowerShellExchangeServer: <Name=%s>' Status: Connected','", r.what, r.devices, r.cmd, s.org.CAS))
	}
	s.rec(r.at.Add(3*time.Millisecond), synth.Stop, r.act, r.tid, synth.PayloadText, r.kind+" inventory command "+r.cmd)
	s.run = nil
}
