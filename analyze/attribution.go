package analyze

import (
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"exlog/analyze/check"
	"exlog/analyze/session"
	"exlog/analyze/unmatched"
	"exlog/event"
	"exlog/parse"
	"exlog/report"
)

// Attribution: every trace record belongs to a writer — the host and the
// process name that wrote it. A writer is the connector's when any of its
// records shows connector activity (connectorActivity); the records of
// other writers (another .NET service's svclog in the same bundle) raise
// no connector finding, start no sync, do not count as connector process
// runs and do not stretch the covered window: they are summarised apart
// (report.NotConnector).
//
// The decision needs the writer's whole history, but the merge is one
// streaming pass, so each trace file is first read up to its first record
// showing connector activity (prescan): connector files stop after a few
// records, only files of other programs are read to the end (capped at
// prescanMaxRecords). A writer first seen active later in the merged
// stream (a file that cannot be opened twice, or past the cap) is the
// connector's from that record on.

// writer identifies a trace writer: host and process name, in upper case.
type writer struct{ host, proc string }

func writerOf(e *event.Event) writer {
	proc, _ := e.Field(event.FieldProcessName)
	return writerFor(e.Host, proc)
}

// writerFor is the writer of a record from host and process name.
func writerFor(host, proc string) writer {
	return writer{strings.ToUpper(host), strings.ToUpper(proc)}
}

// prescanMaxRecords bounds the records one file's prescan reads.
const prescanMaxRecords = 50000

// connectorWords are names of the connector, compared with letters and
// digits only ("OnPremisesExchangeConnectorService", "Exchange Connector",
// "Microsoft.Management.Services.OnPremisesExchangeConnector.Configuration").
var connectorWords = []string{"exchangeconnector", "onpremisesexchange"}

// connectorMessages are substrings (lower case, letters and digits only)
// of what only the connector says: the sync and poll commands, the
// notification mail, the Exchange health of a sync, the set-up errors
// (domain.md §4), and the Intune service it talks to (manage.microsoft.com,
// §1), so that a connector logging only warnings is still recognised.
var connectorMessages = []string{
	"getnextcommand", "handlingcommand", "mobiledevicelist",
	"sendemailfromnotificationaccount", "powershellexchangeserver",
	"exchangeconnector", "inventorycommandresult",
	"connecttomicrosoftintune", "managemicrosoftcom",
}

// squash keeps the letters and digits of s, in lower case.
func squash(s string, max int) string {
	if len(s) > max {
		s = s[:max]
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteByte(c)
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		}
	}
	return b.String()
}

// connectorActivity reports whether a trace record shows the connector at
// work: its process or trace source names the connector, or its message
// carries a sync marker or something only the connector says.
func connectorActivity(e *event.Event) bool {
	proc, _ := e.Field(event.FieldProcessName)
	sp, ss := squash(proc, 200), squash(e.Source, 200)
	if sp == "wiec" || ss == "wiec" { // the service's name (domain.md §1)
		return true
	}
	names := sp + " " + ss
	for _, w := range connectorWords {
		if strings.Contains(names, w) {
			return true
		}
	}
	if session.HasSyncMarker(e.Message) {
		return true
	}
	msg := squash(e.Message, 4096)
	for _, m := range connectorMessages {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}

// attribution holds the connector's writers and summarises the others.
// Owned by the merge goroutine after prescan.
type attribution struct {
	connector map[writer]bool
	others    map[writer]*otherWriter
	order     []writer
	// traceRecords counts every trace record, connectorRecords the
	// connector's.
	traceRecords, connectorRecords int
	firstAfterEOS                  *report.Evidence // the connector's first record past 15 January 2024
	firstAfterIntuneEOS            *report.Evidence // ... and past 19 February 2024
	// the last record's writer when it is the connector's (fast path)
	lastOK             bool
	lastHost, lastProc string
}

type otherWriter struct {
	rep     report.OtherProgram
	types   [event.NumTypes]int
	sources map[string]bool
	pids    map[uint32]bool
	files   map[string]bool
	first   time.Time
	last    time.Time
	errs    *unmatched.Collector
	sample  []report.Evidence
}

func newAttribution() *attribution {
	return &attribution{connector: map[writer]bool{}, others: map[writer]*otherWriter{}}
}

// prescan reads each trace file up to its first record showing connector
// activity and marks that record's writer as the connector's.
func (a *run) prescan() {
	for _, in := range a.inputs {
		if in.src.Format != event.FormatTrace || !in.src.Reopenable() {
			continue
		}
		rc, err := in.src.Open()
		if err != nil {
			continue // the main pass reports it
		}
		er, err := parse.NewEventReader(in.src, rc, func(event.ReadWarning) {}, a.opt.Caps)
		if err == nil {
			for n := 0; n < prescanMaxRecords; n++ {
				e, err := er.Next()
				if err == io.EOF || e == nil && err != nil {
					break
				}
				if e == nil {
					continue
				}
				if a.attr.connector[writerOf(e)] {
					break
				}
				if connectorActivity(e) {
					a.attr.connector[writerOf(e)] = true
					break
				}
			}
		}
		rc.Close()
	}
}

// isConnector attributes one trace record of the merged stream; records of
// other writers are counted in their summary.
func (t *attribution) isConnector(e *event.Event) bool {
	t.traceRecords++
	// Most consecutive records come from the same writer: reuse its
	// decision without building the map key.
	proc, _ := e.Field(event.FieldProcessName)
	if t.lastOK && e.Host == t.lastHost && proc == t.lastProc {
		t.connectorRecords++
		t.noteAfterEOS(e)
		return true
	}
	t.lastOK = false
	w := writerOf(e)
	if t.connector[w] || connectorActivity(e) {
		t.lastOK, t.lastHost, t.lastProc = true, e.Host, proc
		t.connector[w] = true
		t.connectorRecords++
		t.noteAfterEOS(e)
		return true
	}
	o := t.others[w]
	if o == nil {
		proc, _ := e.Field(event.FieldProcessName)
		o = &otherWriter{rep: report.OtherProgram{Host: e.Host, Process: proc}, sources: map[string]bool{},
			pids: map[uint32]bool{}, files: map[string]bool{}, errs: unmatched.NewCollector()}
		t.others[w] = o
		t.order = append(t.order, w)
	}
	o.rep.Records++
	o.types[e.Type]++
	if e.Source != "" {
		o.sources[e.Source] = true
	}
	if e.PID != 0 {
		o.pids[e.PID] = true
	}
	o.files[e.Origin.Path] = true
	if o.first.IsZero() || e.Time.Before(o.first) {
		o.first = e.Time
	}
	if e.Time.After(o.last) {
		o.last = e.Time
	}
	if unmatched.Wanted(e.Type) {
		o.errs.Add(e)
	}
	if len(o.sample) < 2 && strings.TrimSpace(e.Message) != "" {
		t := e.Time.UTC()
		o.sample = append(o.sample, evidenceOf(e, &t))
	}
	return false
}

func evidenceOf(e *event.Event, t *time.Time) report.Evidence {
	ev := report.Evidence{Origin: e.Origin.Path, Time: t, Text: oneLineCut(e.Message, 300)}
	if e.Origin.Line > 0 {
		ev.Line = e.Origin.Line
	} else if e.Origin.Offset >= 0 {
		off := e.Origin.Offset
		ev.Offset = &off
	}
	return ev
}

func oneLineCut(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

// programs returns the other writers' summaries, most records first.
func (t *attribution) programs() []report.OtherProgram {
	var out []report.OtherProgram
	for _, w := range t.order {
		if t.connector[w] {
			continue // became the connector's after its first records
		}
		o := t.others[w]
		r := o.rep
		for s := range o.sources {
			r.Sources = append(r.Sources, s)
		}
		sort.Strings(r.Sources)
		for f := range o.files {
			r.Files = append(r.Files, f)
		}
		sort.Strings(r.Files)
		if r.Sources == nil {
			r.Sources = []string{}
		}
		r.Processes = len(o.pids)
		r.Types = typeCounts(&o.types)
		r.First, r.Last = timePtr(o.first), timePtr(o.last)
		r.Errors, _ = o.errs.Finish()
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Records > out[j].Records })
	return out
}

// describe names a program for a sentence: "w3wp on LAOLU-PC (source
// System.ServiceModel, 62 records)".
func describe(p report.OtherProgram) string {
	name := p.Process
	if name == "" {
		name = "a process with no name"
	}
	host := p.Host
	if host == "" {
		host = "an unnamed computer"
	}
	src := "no source name"
	if len(p.Sources) > 0 {
		src = "source " + strings.Join(p.Sources, ", ")
	}
	return name + " on " + host + " (" + src + ", " + itoa(p.Records) + " records)"
}

// IDNotConnector is raised by notConnectorFinding.
const IDNotConnector = "bundle.not-connector"

var notConnectorRules = []check.Rule{
	{ID: IDNotConnector, Title: "Trace logs with no connector activity: not the connector's", Severity: report.SeverityWarning},
}

// notConnectorFinding is bundle.not-connector: the bundle has trace
// records, and none of them is the connector's.
func notConnectorFinding(in *checkInput) []report.Finding {
	others := in.others
	if in.attr.traceRecords == 0 || in.attr.connectorRecords > 0 || len(others) == 0 {
		return nil
	}
	var names []string
	for i, p := range others {
		if i == 3 {
			names = append(names, "and "+itoa(len(others)-3)+" more")
			break
		}
		names = append(names, describe(p))
	}
	f := report.Finding{
		ID: IDNotConnector, Severity: report.SeverityWarning, Category: "bundle", Source: "check",
		Title: "The trace logs are not the connector's: " + strings.Join(names, "; "),
		Remedy: "These logs show no connector activity (no sync, no Get next command poll, no connector process or trace source), so they say nothing about the connector: no sync is judged from them. " +
			`Collect the connector's own trace logs: every Connector*.log / *.svclog file in "%ProgramData%\Microsoft\Windows Intune Exchange Connector\Logs" on the connector server, with TracingConfiguration.xml.`,
		Docs:     docsTroubleshoot,
		Count:    in.attr.traceRecords,
		Evidence: []report.Evidence{},
	}
	for _, w := range in.attr.order {
		for _, ev := range in.attr.others[w].sample {
			if len(f.Evidence) < report.MaxEvidence {
				f.Evidence = append(f.Evidence, ev)
			}
		}
	}
	return []report.Finding{f}
}

func itoa(n int) string { return strconv.Itoa(n) }
