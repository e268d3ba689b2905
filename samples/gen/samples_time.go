package main

// Samples whose event-log exports carry local time (issue 15 points 5, 6
// and 8): a text export of a UTC+01:00 machine with the same records as
// XML; a US-Pacific tab-delimited export whose service stop/start line up
// with the traces' restarts; and a Get-WinEvent | Export-Csv with SCM
// 7000/7041 and nothing to tell its zone.

import (
	"fmt"
	"strings"
	"time"
)

func init() {
	sampleList = append(sampleList,
		Sample{Name: "eventlog-local-cet", Build: buildEventlogLocalCET,
			Models:  "SCM 7041/7000 after a restart on a UTC+01:00 server: Event Viewer text in local time plus wevtutil XML of the same records",
			Find:    "`service.logon-right-missing`, `service.logon-failure`; text export at UTC+01:00 inferred from the XML; each record once",
			Guessed: "EventData layout of 7041; en-GB date layout"},
		Sample{Name: "eventlog-pacific-restarts", Build: buildEventlogPacific,
			Models:  "US-Pacific server (PDT): Event Viewer tab-delimited text (UTF-16) whose connector stop/start line up with two restarts in the traces",
			Find:    "export at UTC-07:00 inferred from the service restarts; no service finding (7036 is routine)",
			Guessed: "stop/start messages; Event Viewer tab-delimited quoting"},
		Sample{Name: "eventlog-winevent-csv", Build: buildEventlogWinEventCSV,
			Models:  "`Get-WinEvent` piped to `Export-Csv` (Windows PowerShell 5.1, UTF-16, #TYPE) with SCM 7041/7000 and no evidence of its zone",
			Find:    "`service.logon-right-missing`, `service.logon-failure` with local times, zone unknown",
			Guessed: "EventLogRecord property values (Keywords, Qualifiers) as Export-Csv writes them"},
	)
}

// localDates writes a record's time as a machine in loc shows it.
type localDates struct {
	loc    *time.Location
	layout string
}

var (
	gbCET   = localDates{time.FixedZone("CET", 3600), "02/01/2006 15:04:05"}
	usPDT   = localDates{time.FixedZone("PDT", -7*3600), "1/2/2006 3:04:05 PM"}
	usPSTCS = localDates{time.FixedZone("PST", -8*3600), "1/2/2006 3:04:05 PM"}
)

func (l localDates) format(t time.Time) string { return t.In(l.loc).Format(l.layout) }

// eventViewerTextLocal is "Copy details as text" with the machine's dates.
func eventViewerTextLocal(evs []WinEvent, l localDates) []byte {
	var b strings.Builder
	for i, e := range evs {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "Log Name:      %s\nSource:        %s\nDate:          %s\nEvent ID:      %d\nTask Category: None\nLevel:         %s\nKeywords:      %s\nUser:          %s\nComputer:      %s\nDescription:\n%s\n",
			e.Channel, e.Provider, l.format(e.Time), e.ID, levelNames[e.Level], e.KeywordTxt, e.User, e.Computer, e.Message)
	}
	return []byte(crlf(b.String()))
}

// eventViewerTabText is "Save All Events As... Text (Tab delimited)":
// UTF-16LE, the CSV header with tabs, newest first, the message quoted.
func eventViewerTabText(evs []WinEvent, l localDates) []byte {
	var b strings.Builder
	b.WriteString("Level\tDate and Time\tSource\tEvent ID\tTask Category\n")
	for i := len(evs) - 1; i >= 0; i-- {
		e := evs[i]
		fmt.Fprintf(&b, "%s\t%s\t%s\t%d\tNone\t%s\n", levelNames[e.Level], l.format(e.Time), e.Provider, e.ID, csvQuote(e.Message))
	}
	return utf16LE(crlf(b.String()))
}

// winEventCSV51 is `Get-WinEvent -LogName System | Export-Csv -Encoding
// Unicode` in Windows PowerShell 5.1: UTF-16LE, "#TYPE", every
// EventLogRecord property quoted, newest first, TimeCreated in the
// machine's culture and zone.
func winEventCSV51(evs []WinEvent, l localDates) []byte {
	var b strings.Builder
	b.WriteString("#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\n")
	b.WriteString(`"Message","Id","Version","Qualifiers","Level","Task","Opcode","Keywords","RecordId","ProviderName","ProviderId","LogName","ProcessId","ThreadId","MachineName","UserId","TimeCreated","ActivityId","RelatedActivityId","ContainerLog","MatchedQueryIds","Bookmark","LevelDisplayName","OpcodeDisplayName","TaskDisplayName","KeywordsDisplayNames","Properties"` + "\n")
	for i := len(evs) - 1; i >= 0; i-- {
		e := evs[i]
		f := []string{e.Message, fmt.Sprint(e.ID), "0", fmt.Sprint(e.Qualifiers), fmt.Sprint(e.Level), "0", "0", "-9187343239835811840", fmt.Sprint(e.RecordID),
			e.Provider, e.ProviderID, e.Channel, "720", fmt.Sprint(760 + e.RecordID%40), e.Computer, "", l.format(e.Time), "", "", e.Channel,
			"System.UInt32[]", "System.Diagnostics.Eventing.Reader.EventBookmark", levelNames[e.Level], "", "",
			"System.Collections.ObjectModel.ReadOnlyCollection`1[System.String]",
			"System.Collections.Generic.List`1[System.Diagnostics.Eventing.Reader.EventProperty]"}
		for j, v := range f {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString(csvQuote(v))
		}
		b.WriteString("\n")
	}
	return utf16LE(crlf(b.String()))
}

// logonFailureRun is a connector that runs healthy for two days, stops
// for a reboot and cannot log on afterwards (7041 + 7000 at boot and at
// two manual start attempts).
func logonFailureRun(seed uint64, from time.Time, pid int) ([]File, []TraceRecord, []WinEvent, *Org, time.Time) {
	org := problemOrg(seed, from)
	sim := newSim(seed*100+1, org, "c")
	sim.startup(from, pid)
	end := from.Add(48 * time.Hour)
	sim.run(Plan{From: from.Add(time.Minute), To: end, PollEvery: 5 * time.Minute,
		FullAt: 2*time.Hour + 40*time.Minute, QuickEvery: 4 * time.Hour, QuickPhase: 55 * time.Minute})
	sim.shutdown(end.Add(30 * time.Second))
	const quota = 200000
	lf, kept, _ := logsOf(sim.records(), quota)
	host := org.Connector + ".contoso.com"
	boot := end.Add(5 * time.Minute)
	evs := []WinEvent{
		scm7036(end.Add(31*time.Second), 70410, host, connectorDisplay, "stopped"),
		scm7036(boot.Add(25*time.Second), 70455, host, "Windows Update", "running"),
		scm7041(boot.Add(44*time.Second), 70471, host),
		scm7000(boot.Add(44*time.Second+130*time.Millisecond), 70472, host),
		scm7036(boot.Add(3*time.Minute), 70480, host, "Background Intelligent Transfer Service", "running"),
		scm7041(boot.Add(8*time.Hour+2*time.Minute), 70611, host),
		scm7000(boot.Add(8*time.Hour+2*time.Minute+80*time.Millisecond), 70612, host),
		scm7041(boot.Add(8*time.Hour+20*time.Minute), 70640, host),
		scm7000(boot.Add(8*time.Hour+20*time.Minute+60*time.Millisecond), 70641, host),
	}
	return append(lf, configFiles("Verbose ActivityTracing", quota)...), kept, evs, org, boot
}

func buildEventlogLocalCET() Output {
	from := time.Date(2023, 11, 14, 21, 0, 0, 0, time.UTC)
	files, kept, evs, org, boot := logonFailureRun(71, from, 3312)
	files = append(files, File{"eventlogs/System-details.txt", eventViewerTextLocal(evs, gbCET)}, File{"eventlogs/System.xml", wevtutilXML(evs)})
	facts := traceFacts(kept) + fmt.Sprintf("- System log: %d events, of which 3× 7041 and 3× 7000 for the connector service (first at %s UTC, %s on the server's clock), the same records in both exports\n- the server's clock is UTC+01:00 (CET, no daylight saving in November): the text export's `Date:` lines are one hour ahead of the XML's SystemTime\n- %s\n",
		len(evs), boot.Add(44*time.Second).Format(time.RFC3339), gbCET.format(boot.Add(44*time.Second)), countUsersDevices(org))
	return Output{Zip: files, README: readme("eventlog-local-cet",
		"Two healthy days of traces that end when a server in Central Europe reboots; after the reboot the connector service cannot log on (7041, 7000). The System log is exported twice: as Event Viewer \"copy details\" text on the server (en-GB dates, local time UTC+01:00, no zone written) and as `wevtutil qe System /f:RenderedXml` (UTC).",
		files, map[string]string{"eventlogs/System-details.txt": "Event Viewer text, en-GB dates in the server's local time (UTC+01:00)", "eventlogs/System.xml": "wevtutil RenderedXml of the same records (UTC)"}, facts,
		"- the text export's zone: UTC+01:00, inferred from the same records in System.xml (`inputs[].time_zone`, `bundle.local-time`)\n- `service.logon-right-missing`: 3 events; `service.logon-failure`: 3 events — each record counted once (9 duplicates across the two exports)\n- the findings' times in UTC (first 7041 at "+boot.Add(44*time.Second).Format(time.RFC3339)+")",
		"- times of the text export printed as UTC; 6 occurrences of either finding (the same records twice)",
		"- EventData layout of 7041; en-GB `dd/MM/yyyy HH:mm:ss` dates"),
	}
}

func buildEventlogPacific() Output {
	from := time.Date(2023, 9, 12, 7, 0, 0, 0, time.UTC)
	org := problemOrg(72, from)
	sim := newSim(7201, org, "a")
	sim.startup(from, 4410)
	r1 := from.Add(14*time.Hour + 7*time.Minute + 13*time.Second)
	r2 := from.Add(33*time.Hour + 41*time.Minute + 5*time.Second)
	d1 := [2]time.Time{r1.Add(-70 * time.Second), r1}
	d2 := [2]time.Time{r2.Add(-50 * time.Second), r2}
	sim.shutdown(d1[0])
	sim.startup(r1, 6120)
	sim.shutdown(d2[0])
	sim.startup(r2, 2876)
	sim.run(Plan{From: from.Add(time.Minute), To: from.Add(48 * time.Hour), PollEvery: 5 * time.Minute,
		FullAt: 3*time.Hour + 5*time.Minute, QuickEvery: 4 * time.Hour, QuickPhase: 20 * time.Minute, Down: [][2]time.Time{d1, d2}})
	const quota = 200000
	lf, kept, _ := logsOf(sim.records(), quota)
	host := org.Connector + ".fabrikam.com"
	evs := []WinEvent{
		scm7036(from.Add(2*time.Hour), 81001, host, "Windows Modules Installer", "running"),
		scm7036(from.Add(2*time.Hour+9*time.Minute), 81002, host, "Windows Modules Installer", "stopped"),
		scm7036(r1.Add(-68*time.Second), 81040, host, connectorDisplay, "stopped"),
		scm7036(r1.Add(-2*time.Second), 81041, host, connectorDisplay, "running"),
		scm7036(from.Add(26*time.Hour), 81077, host, "Background Intelligent Transfer Service", "running"),
		scm7036(r2.Add(-48*time.Second), 81102, host, connectorDisplay, "stopped"),
		scm7036(r2.Add(-1*time.Second), 81103, host, connectorDisplay, "running"),
	}
	files := append(lf, configFiles("Verbose ActivityTracing", quota)...)
	files = append(files, File{"System-events.txt", eventViewerTabText(evs, usPDT)})
	facts := traceFacts(kept) + fmt.Sprintf("- the connector restarts twice: process 4410 → 6120 at %s and 6120 → 2876 at %s (UTC, from the traces)\n- `System-events.txt`: Event Viewer tab-delimited text (UTF-16LE, newest first) in the server's local time, US-Pacific daylight time (UTC-07:00); the connector service's 7036 stopped/running precede each restart by seconds\n- %s\n",
		r1.Format(time.RFC3339), r2.Format(time.RFC3339), countUsersDevices(org))
	return Output{Zip: files, README: readme("eventlog-pacific-restarts",
		"Two days of a connector on a server in US-Pacific time whose service is restarted twice (patching). The System log was saved from Event Viewer as tab-delimited text: local time (PDT, UTC-07:00) and no zone. Nothing else in the bundle gives the zone; the service's stop/start events line up with the process restarts in the traces at one offset only.",
		files, map[string]string{"System-events.txt": "Event Viewer \"Text (Tab delimited)\", UTF-16LE, US dates in PDT"}, facts,
		"- the export's zone: UTC-07:00, inferred from the connector service's SCM events lining up with the 2 restarts (`inputs[].time_zone.basis` `service-restarts`)\n- the export's records in UTC (first "+from.Add(2*time.Hour).Format(time.RFC3339)+")",
		"- the export's times printed as UTC (7 h off); `service.*` findings (7036 is routine)",
		"- stop/start messages; the quoting of Event Viewer's tab-delimited export"),
	}
}

func buildEventlogWinEventCSV() Output {
	from := time.Date(2023, 12, 5, 18, 0, 0, 0, time.UTC)
	files, kept, evs, org, boot := logonFailureRun(73, from, 5064)
	files = append(files, File{"System-WinEvent.csv", winEventCSV51(evs, usPSTCS)})
	facts := traceFacts(kept) + fmt.Sprintf("- `System-WinEvent.csv`: `Get-WinEvent -LogName System | Export-Csv -Encoding Unicode` (Windows PowerShell 5.1: UTF-16LE, `#TYPE`, every property quoted, newest first), %d records, TimeCreated in the server's local time (US-Pacific, PST, UTC-08:00) without a zone\n- 3× 7041 and 3× 7000 for the connector service, the first at %s local (%s UTC)\n- nothing in the bundle gives the zone: no XML export, no collect-script TimeZone.txt, and the connector service never comes back, so no restart in the traces to line up with\n- %s\n",
		len(evs), usPSTCS.format(boot.Add(44*time.Second)), boot.Add(44*time.Second).Format(time.RFC3339), countUsersDevices(org))
	return Output{Zip: files, README: readme("eventlog-winevent-csv",
		"Two healthy days of traces that end at a reboot; after it the connector service cannot log on. The System log was exported with `Get-WinEvent | Export-Csv`, which writes local time with no zone; nothing else in the bundle tells the zone.",
		files, map[string]string{"System-WinEvent.csv": "Get-WinEvent | Export-Csv, Windows PowerShell 5.1, UTF-16LE"}, facts,
		"- the CSV read as an event log (not a cmdlet export)\n- `service.logon-right-missing` and `service.logon-failure` (3 each), their times shown as local time with the zone unknown (`first_local` "+boot.Add(44*time.Second).In(usPSTCS.loc).Format("2006-01-02T15:04:05")+"), never as UTC\n- `bundle.local-time`: the export's zone is unknown; add an XML export or run collect-script",
		"- any UTC time for the CSV's records; a time join of them with the traces",
		"- EventLogRecord property values as Export-Csv writes them (Keywords, Qualifiers, collections as type names)"),
	}
}
