package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// problemOrg is the smaller estate the problem samples use.
func problemOrg(seed uint64, at time.Time) *Org { return newOrg(seed, 420, at) }

// logsOf writes recs into a non-wrapping (unless quota is small) ring and
// returns the bundle files under Logs/, the kept records and the rotation.
func logsOf(recs []TraceRecord, quota int) ([]File, []TraceRecord, RotationResult) {
	return logsNamed(recs, quota, connectorName)
}

// logsNamed is logsOf with another file naming (e.g. Connector3.svclog).
func logsNamed(recs []TraceRecord, quota int, name func(int) string) ([]File, []TraceRecord, RotationResult) {
	rot := rotate(recs, 30, quota, name)
	var files []File
	for _, f := range rot.Files {
		files = append(files, File{"Logs/" + f.Name, f.Data})
	}
	return files, keptRecords(recs, rot.Kept), rot
}

func configFiles(level string, quota int) []File {
	return []File{
		{"TracingConfiguration.xml", tracingConfig(level, quota, 30)},
		{"OnPremisesExchangeConnectorServiceConfiguration.xml", serviceConfig("", true, false, "cas01.contoso.com")},
	}
}

func window0(k []TraceRecord) (time.Time, time.Time) { return k[0].Time, k[len(k)-1].Time }

func buildSyncStuckFull() Output {
	from := time.Date(2023, 11, 2, 0, 30, 0, 0, time.UTC)
	org := problemOrg(9, from)
	sim := newSim(901, org, "a")
	sim.startup(from, 5204)
	logs := sim.run(Plan{From: from.Add(time.Minute), To: from.Add(4*24*time.Hour - 30*time.Minute), PollEvery: 5 * time.Minute,
		FullAt: 2*time.Hour + 5*time.Minute, QuickEvery: 4 * time.Hour, QuickPhase: 40 * time.Minute,
		FullHook: func(day int, sp *SyncSpec) {
			if day == 1 {
				sp.Outcome = NeverEnds
				sp.Progress = 12
			}
		}})
	const quota = 150000
	lf, kept, _ := logsOf(sim.records(), quota)
	files := append(lf, configFiles("Verbose ActivityTracing", quota)...)
	a, b := window0(kept)
	var stuck, lastBefore, firstAfter SyncLog
	for i, l := range logs {
		if l.Kind == FullSync && l.Outcome == NeverEnds {
			stuck = l
			for j := i - 1; j >= 0; j-- {
				if logs[j].Kind == FullSync {
					lastBefore = logs[j]
					break
				}
			}
			for j := i + 1; j < len(logs); j++ {
				if logs[j].Kind == FullSync {
					firstAfter = logs[j]
					break
				}
			}
		}
	}
	gap := firstAfter.End.Sub(lastBefore.End)
	facts := traceFacts(kept) + "- " + countUsersDevices(org) + "\n\n" + syncTable(logs, a, b)
	return Output{Zip: files, README: readme("sync-stuck-full",
		"Four days of Verbose logs. The full sync of 2023-11-03 starts, logs half of its progress messages and its Start record, and never completes (no completion, no Stop). The next day's full sync supersedes it and completes. Quick syncs carry on every 4 h (we assume the connector runs them beside a stuck full sync; the real behaviour is unknown).",
		files, nil, facts,
		fmt.Sprintf("- `sync.unfinished`: the full sync started %s (superseded by the start at %s)\n- `sync.full-overdue`: no completed full sync between %s and %s (%.1f h > 26 h)\n- all other sessions completed (%d full, %d quick in total as in the table)",
			stuck.Start.Format(time.RFC3339), firstAfter.Start.Format(time.RFC3339), lastBefore.End.Format(time.RFC3339), firstAfter.End.Format(time.RFC3339), gap.Hours(), countKind(logs, FullSync)-1, countKind(logs, QuickSync)),
		"- `sync.quick-gap` (quick syncs are regular), `sync.slow`, `sync.failed`, any network/exchange finding",
		"- quick-sync and progress wording (variant \"a\"); that a stuck full sync does not block quick syncs"),
	}
}

func countKind(logs []SyncLog, k SyncKind) int {
	n := 0
	for _, l := range logs {
		if l.Kind == k {
			n++
		}
	}
	return n
}

func buildSyncOutage() Output {
	from := time.Date(2023, 11, 9, 0, 0, 0, 0, time.UTC)
	org := problemOrg(10, from)
	sim := newSim(1001, org, "b")
	sim.startup(from, 3120)
	down := [2]time.Time{time.Date(2023, 11, 10, 9, 5, 0, 0, time.UTC), time.Date(2023, 11, 10, 15, 5, 0, 0, time.UTC)}
	sim.shutdown(down[0])
	sim.startup(down[1], 6872)
	logs := sim.run(Plan{From: from.Add(time.Minute), To: from.Add(3 * 24 * time.Hour), PollEvery: 5 * time.Minute,
		FullAt: time.Hour + 50*time.Minute, QuickEvery: 2 * time.Hour, QuickPhase: 30 * time.Minute, Down: [][2]time.Time{down}})
	const quota = 200000
	lf, kept, _ := logsOf(sim.records(), quota)
	files := append(lf, configFiles("Verbose ActivityTracing", quota)...)
	var before, after SyncLog
	for _, l := range logs {
		if l.Kind == QuickSync && l.Start.Before(down[0]) {
			before = l
		}
		if l.Kind == QuickSync && l.Start.After(down[1]) && after.Start.IsZero() {
			after = l
		}
	}
	a, b := window0(kept)
	facts := traceFacts(kept) + fmt.Sprintf("- service stopped (stop message) at %s, restarted at %s with a new process ID (3120 → 6872); no records in between\n", down[0].Format(time.RFC3339), down[1].Format(time.RFC3339)) +
		"- " + countUsersDevices(org) + "\n\n" + syncTable(logs, a, b)
	return Output{Zip: files, README: readme("sync-outage-6h",
		"Three healthy days with quick syncs every 2 h (a different cadence from the other samples: infer it, don't assume it), except that the service is stopped for six hours on 2023-11-10 09:05–15:05 UTC: no records, no polls, no syncs.",
		files, nil, facts,
		fmt.Sprintf("- `sync.quick-gap`: quick syncs at %s and then %s (%.1f h, against a median cadence of about 2 h)\n- the covered window lists a gap of 6 h (longer than an hour)\n- all %d sessions completed; the daily full syncs are on time",
			before.Start.Format(time.RFC3339), after.Start.Format(time.RFC3339), after.Start.Sub(before.Start).Hours(), len(logs)),
		"- `sync.full-overdue`, `sync.unfinished` (no sync was running at the stop), `sync.slow`",
		"- stop and start-up messages, quick-sync wording (variant \"b\")"),
	}
}

func buildSyncSlowFull() Output {
	from := time.Date(2023, 11, 16, 0, 0, 0, 0, time.UTC)
	org := problemOrg(11, from)
	sim := newSim(1101, org, "c")
	sim.startup(from, 4020)
	logs := sim.run(Plan{From: from.Add(time.Minute), To: from.Add(4 * 24 * time.Hour), PollEvery: 5 * time.Minute,
		FullAt: 2*time.Hour + 30*time.Minute, QuickEvery: 4 * time.Hour, QuickPhase: 55 * time.Minute,
		FullHook: func(day int, sp *SyncSpec) {
			if day == 2 {
				sp.Dur = time.Hour + 35*time.Minute
				sp.Progress = 30
			}
		}})
	const quota = 150000
	lf, kept, _ := logsNamed(sim.records(), quota, func(i int) string { return fmt.Sprintf("Connector%d.svclog", i) })
	files := append(lf, configFiles("Verbose ActivityTracing", quota)...)
	a, b := window0(kept)
	var slow SyncLog
	var others []string
	var prevEnd time.Time
	var gap time.Duration
	for _, l := range logs {
		if l.Kind != FullSync {
			continue
		}
		if l.End.Sub(l.Start) > time.Hour {
			gap = l.End.Sub(prevEnd)
			slow = l
		} else {
			others = append(others, l.End.Sub(l.Start).Round(time.Second).String())
		}
		prevEnd = l.End
	}
	if gap >= 26*time.Hour {
		panic("sync-slow-full: the slow sync makes the full sync overdue")
	}
	facts := traceFacts(kept) + "- " + countUsersDevices(org) + "\n\n" + syncTable(logs, a, b)
	return Output{Zip: files, README: readme("sync-slow-full",
		"Four healthy days (Verbose) in which one full sync takes over an hour and a half while its peers take 7–9 minutes. It completes successfully; quick syncs that would have overlapped it run after it. The trace files are named `Connector<n>.svclog`, after the FileName in TracingConfiguration.xml (domain.md §2: expect both namings).",
		files, nil, facts,
		fmt.Sprintf("- `sync.slow`: the full sync started %s took %s (other full syncs: %s)\n- every session completed", slow.Start.Format(time.RFC3339), slow.End.Sub(slow.Start).Round(time.Second), strings.Join(others, ", ")),
		fmt.Sprintf("- `sync.full-overdue`: the slow sync completed %s after the previous full sync completed (under 24 h + 2 h grace)\n- `sync.unfinished`, `sync.quick-gap` at warning or above", gap.Round(time.Minute)),
		"- progress and quick-sync wording (variant \"c\"); how long real full syncs take"),
	}
}

func buildWarningLevel() Output {
	from := time.Date(2023, 10, 12, 0, 0, 0, 0, time.UTC)
	org := problemOrg(12, from)
	sim := newSim(1201, org, "a")
	sim.minLevel = 4
	sim.startStop = false
	sim.startup(from, 2764)
	sim.run(Plan{From: from.Add(time.Minute), To: from.Add(3 * 24 * time.Hour), PollEvery: 5 * time.Minute,
		FullAt: 2 * time.Hour, QuickEvery: 4 * time.Hour, QuickPhase: 40 * time.Minute})
	rng := rand.New(rand.NewPCG(1202, 1))
	var warn, errs int
	for i := 0; i < 6; i++ {
		t := from.Add(time.Duration(5+i*11) * time.Hour).Add(time.Duration(rng.IntN(3000)) * time.Second)
		sim.emit(t, Warning, "", 0, PayloadText, fmt.Sprintf("Remote PowerShell session to cas01.contoso.com was idle for %d minutes and was recycled.", 15+rng.IntN(50)))
		warn++
	}
	for i, attempt := range []int{1, 2, 3, 1} {
		t := from.Add(time.Duration(30+i/3*20) * time.Hour).Add(time.Duration(i*41) * time.Second)
		sim.emit(t, Error, "", 0, PayloadText, fmt.Sprintf(`Failed to persist the device state cache to C:\ProgramData\Microsoft\Windows Intune Exchange Connector\DeviceStateCache.xml (attempt %d of 3): The process cannot access the file because it is being used by another process.`, attempt))
		errs++
	}
	const quota = 150000
	lf, kept, _ := logsOf(sim.records(), quota)
	files := append(lf, configFiles("Warning ActivityTracing", quota)...)
	facts := traceFacts(kept) + fmt.Sprintf("- TracingConfiguration.xml SourceLevel `Warning ActivityTracing`; the connector ran its usual schedule (3 days, daily full, quick every 4 h) but the listener dropped every Information/Verbose record; no Start/Stop records are emitted in this sample\n- %d Warning records of one template, %d Error records of one other template\n", warn, errs)
	return Output{Zip: files, README: readme("warning-level",
		"Three days of a connector whose listener level is `Warning ActivityTracing`: the trace holds only warnings and errors, so nothing about syncs is visible. exlog must say that it cannot judge the sync schedule, not claim that syncs are missing.",
		files, nil, facts,
		"- `logging.not-verbose` (from TracingConfiguration.xml and/or from the absence of Information/Verbose records)\n- unmatched messages: 2 templates — the Warning `Remote PowerShell session to <host> was idle for <n> minutes and was recycled.` (6) and the Error `Failed to persist the device state cache to <path> (attempt <n> of <n>): The process cannot access the file because it is being used by another process.` (4)",
		"- `sync.full-overdue`, `sync.quick-gap`, `sync.unfinished`, `sync.coverage-short` claims about missing syncs (the logs cannot show syncs)",
		"- both message texts are invented (they stand for errors no pattern knows); whether a real connector at Warning level writes Start/Stop activity records is unknown (ActivityTracing would let them through)"),
	}
}

func buildSyncAcrossFiles() Output {
	from := time.Date(2023, 11, 19, 6, 0, 0, 0, time.UTC)
	org := problemOrg(13, from)
	sim := newSim(1301, org, "b")
	sim.startup(from, 3388)
	logs := sim.run(Plan{From: from.Add(time.Minute), To: from.Add(36 * time.Hour), PollEvery: 3 * time.Minute,
		FullAt: 2*time.Hour + 20*time.Minute, QuickEvery: 4 * time.Hour, QuickPhase: 10 * time.Minute,
		FullHook: func(day int, sp *SyncSpec) { sp.Progress = 6 }})
	recs := sim.records()
	var si, ei int
	for i, r := range recs {
		if strings.HasPrefix(r.Text, "Handling command:") && strings.Contains(r.Text, "(full sync)") {
			si = i
		}
		if strings.Contains(r.Text, "(full sync)") && strings.Contains(r.Text, "completed successfully") {
			ei = i
		}
	}
	// the smallest quota with which the full sync starts in the last slot,
	// Connector29.log, and completes in Connector0.log after the ring
	// wrapped. Coarse 50-byte steps from 8 KB; where the start's slot jumps
	// over 29 between two steps, every byte in between is tried.
	var rot RotationResult
	quota := 0
	enc := encodeAll(recs)
	ok := func(q int) bool {
		rot = planRotation(enc, 30, q)
		return rot.SlotOf[si] == 29 && rot.SlotOf[ei] == 0
	}
	prev := -1
	for q := 8000; q < 200000 && quota == 0; q += 50 {
		if ok(q) {
			quota = q
			break
		}
		cur := rot.SlotOf[si]
		if prev >= 0 && prev < 29 && cur < 29 && cur != prev {
			for f := q - 49; f < q; f++ {
				if ok(f) {
					quota = f
					break
				}
			}
		}
		prev = cur
	}
	if quota == 0 {
		quota = 200000
	}
	if quota >= 200000 || !ok(quota) {
		panic("sync-across-files: no quota puts the wrap inside the full sync")
	}
	rot = rotateEncoded(enc, 30, quota, connectorName)
	var files []File
	for _, f := range rot.Files {
		files = append(files, File{"Logs/" + f.Name, f.Data})
	}
	kept := keptRecords(recs, rot.Kept)
	files = append(files, configFiles("Verbose ActivityTracing", quota)...)
	a, b := window0(kept)
	facts := traceFacts(kept) + fmt.Sprintf("- %d files, quota %d bytes; the ring wraps during the full sync: it starts in `Connector%d.log` (%s) and completes in `Connector%d.log` (%s)\n", len(rot.Files), quota, rot.SlotOf[si], recs[si].Time.Format(time.RFC3339), rot.SlotOf[ei], recs[ei].Time.Format(time.RFC3339)) +
		"- " + countUsersDevices(org) + "\n\n" + syncTable(logs, a, b)
	return Output{Zip: files, README: readme("sync-across-files",
		"Thirty-six hours of healthy Verbose logs (the oldest part overwritten) with small files, arranged so that the one full sync in the window starts in the last circular file, Connector29.log, and completes in the next one, which is Connector0.log after the wrap-around: ordering by file number would split the session and put its end before its start.",
		files, nil, facts,
		"- the full sync is ONE completed session spanning two files (start origin in Connector29.log, end origin in Connector0.log)\n- all quick sessions completed\n- `sync.coverage-short` (info) is right: the surviving files cover under 26 h",
		"- `sync.unfinished` or an orphan completion; any finding at warning or above",
		"- quick-sync wording (variant \"b\"), progress messages"),
	}
}

func buildRestartMid() Output {
	from := time.Date(2023, 11, 23, 0, 0, 0, 0, time.UTC)
	org := problemOrg(14, from)
	sim := newSim(1401, org, "a")
	sim.startup(from, 2916)
	logs, cut := runInterrupted(sim, from, 8, 4)
	stop := cut.Add(21 * time.Second)
	sim.shutdown(stop)
	start := cut.Add(74 * time.Second)
	sim.startup(start, 7408)
	const quota = 150000
	lf, kept, _ := logsOf(sim.records(), quota)
	host := org.Connector + ".contoso.com"
	evs := []WinEvent{
		scm7036(from.Add(5*time.Hour), 51001, host, "Windows Modules Installer", "running"),
		scm7036(from.Add(5*time.Hour+6*time.Minute), 51002, host, "Windows Modules Installer", "stopped"),
		scm7036(stop.Add(2*time.Second), 51003, host, connectorDisplay, "stopped"),
		scm7036(start.Add(-time.Second), 51004, host, connectorDisplay, "running"),
		scm7036(from.Add(30*time.Hour), 51005, host, "Background Intelligent Transfer Service", "running"),
	}
	files := append(lf, configFiles("Verbose ActivityTracing", quota)...)
	files = append(files, File{"System-events.csv", eventViewerCSV(evs)})
	a, b := window0(kept)
	facts := traceFacts(kept) + fmt.Sprintf("- the quick sync started %s is interrupted: stop message at %s (process 2916), start-up messages at %s (process 7408); it never completes\n", cut.Format(time.RFC3339), stop.Format(time.RFC3339), start.Format(time.RFC3339)) +
		"- `System-events.csv`: Event Viewer CSV (US dates in the server's time zone, UTC; newest first; quoted message) with 7036 stopped/running for the connector service at the restart, and routine 7036 events\n- " + countUsersDevices(org) + "\n\n" + syncTable(logs, a, b)
	return Output{Zip: files, README: readme("restart-mid",
		"Two healthy days except that the service is restarted in the middle of a quick sync: the process ID changes, start-up messages follow, and the interrupted quick sync never completes. The next scheduled quick sync is normal.",
		files, nil, facts,
		fmt.Sprintf("- `sync.unfinished`: the quick sync started %s, ended by the service restart (process 2916 → 7408)\n- every other session completed", cut.Format(time.RFC3339)),
		"- `sync.quick-gap` (the next quick sync is on schedule), `service.*` findings (7036 is routine)",
		"- stop and start-up messages; that a restart abandons the running sync"),
	}
}

func buildServiceCrash() Output {
	from := time.Date(2023, 11, 27, 0, 0, 0, 0, time.UTC)
	org := problemOrg(15, from)
	sim := newSim(1501, org, "a")
	sim.startup(from, 3320)
	logs, cut := runInterrupted(sim, from, 6, 3)
	crash := cut.Add(25 * time.Second) // no stop message: the process died
	start := crash.Add(61 * time.Second)
	sim.startup(start, 5164)
	const quota = 150000
	lf, kept, _ := logsOf(sim.records(), quota)
	host := org.Connector + ".contoso.com"
	evs := []WinEvent{
		scm7036(from.Add(6*time.Hour), 52001, host, "Windows Modules Installer", "running"),
		scm7031(crash.Add(time.Second), 52002, host, connectorDisplay, 1),
		scm7036(start.Add(-time.Second), 52003, host, connectorDisplay, "running"),
		scm7036(from.Add(31*time.Hour), 52004, host, "Background Intelligent Transfer Service", "running"),
	}
	var x strings.Builder
	x.WriteString("<Events>\r\n")
	for _, e := range evs {
		x.WriteString(eventXML(e) + "\r\n")
	}
	x.WriteString("</Events>\r\n")
	files := append(lf, configFiles("Verbose ActivityTracing", quota)...)
	files = append(files, File{"eventlogs/System.xml", []byte(x.String())})
	a, b := window0(kept)
	facts := traceFacts(kept) + fmt.Sprintf("- the quick sync started %s is cut by a crash: no stop message, the last record of process 3320 before %s, SCM 7031 at %s, start-up messages of process 5164 at %s; it never completes\n", cut.Format(time.RFC3339), crash.Format(time.RFC3339), crash.Add(time.Second).Format(time.RFC3339), start.Format(time.RFC3339)) +
		"- `eventlogs/System.xml`: wevtutil XML (UTC) with the 7031 and the 7036 running of the connector service, and routine 7036 events\n- " + countUsersDevices(org) + "\n\n" + syncTable(logs, a, b)
	return Output{Zip: files, README: readme("service-crash",
		"Two healthy days except that the connector service crashes in the middle of a quick sync: no stop message, SCM logs 7031 (terminated unexpectedly, restart in 60 s) and the service runs again a minute later under a new process ID. The interrupted quick sync never completes; the next ones are normal.",
		files, nil, facts,
		fmt.Sprintf("- `service.crashed` (warning): SCM 7031 at %s, resolved during the logs (the service ran on)\n- `sync.unfinished`: the quick sync started %s, ended by the restart (process 3320 → 5164), resolved\n- every other session completed; the verdict healthy, with both under resolved", crash.Add(time.Second).Format(time.RFC3339), cut.Format(time.RFC3339)),
		"- `service.logon-failure`, `service.logon-right-missing` (no 7000/7041); a broken or degraded verdict (one crash a day before the end, the syncs after it complete)",
		"- start-up messages; that a crash abandons the running sync"),
	}
}

// runInterrupted runs two healthy days (a full sync at 02:10, quick syncs
// every 4 h from 00:35) in which quick sync number quick never ends after
// progress messages (the service goes away under it: restart-mid,
// service-crash), with no polls around it. It returns the logs and the
// interrupted sync's start.
func runInterrupted(sim *Sim, from time.Time, quick, progress int) ([]SyncLog, time.Time) {
	var cut time.Time
	var hold [2]time.Time
	logs := sim.run(Plan{From: from.Add(time.Minute), To: from.Add(2 * 24 * time.Hour), PollEvery: 5 * time.Minute,
		FullAt: 2*time.Hour + 10*time.Minute, QuickEvery: 4 * time.Hour, QuickPhase: 35 * time.Minute,
		QuickHook: func(i int, t time.Time, sp *SyncSpec) bool {
			if i == quick {
				sp.Outcome = NeverEnds
				sp.Dur = 40 * time.Second
				sp.Progress = progress
				cut = t
				hold = [2]time.Time{t.Add(-time.Minute), t.Add(3 * time.Minute)}
			}
			return true
		},
		PollHook: func(t time.Time) bool { return !t.Before(hold[0]) && t.Before(hold[1]) && !hold[0].IsZero() }})
	return logs, cut
}
