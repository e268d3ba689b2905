// Package analyze owns time and joins: it merges the events of every
// input into one time-ordered stream, rebuilds sync sessions, runs the
// compiled patterns and the Go checks, and assembles the Report.
package analyze

import (
	"errors"
	"exlog/internal/words"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"exlog/analyze/check"
	"exlog/analyze/configcheck"
	"exlog/analyze/inventory"
	"exlog/analyze/session"
	"exlog/event"
	"exlog/parse"
	"exlog/parse/bundle"
	"exlog/parse/config"
	"exlog/parse/pscmdlet"
	"exlog/parse/textenc"
	"exlog/patterns"
	"exlog/report"
)

// Options control one analysis run.
type Options struct {
	Limits bundle.Limits
	// Caps bound what one reader holds at a time (--max-record,
	// --max-line); zero fields are the defaults.
	Caps     event.Caps
	Library  *patterns.Library // nil: the embedded library
	Since    time.Time         // zero: no lower bound
	Until    time.Time         // zero: no upper bound
	Sessions session.Options
	// Progress, if set, is called with the number of input bytes read
	// since the last call; it may be called from several goroutines.
	Progress func(n int64)
	// OnStart, if set, is told the total size of the inputs to read
	// (-1 if some sizes are unknown) once the bundle has been scanned.
	OnStart func(total int64)
	// Observe, if set, sees every event of the merged stream (in time
	// order) after analysis, e.g. to index it. It runs on the merge goroutine.
	Observe func(*event.Event)
	// ObserveRecord, if set, sees every exported object (cmdlet record)
	// as it is read, e.g. so the redactor learns user and device names.
	// It may run concurrently with Observe; rec must not be modified.
	ObserveRecord func(rec *pscmdlet.Record)
	Version       string
}

// GapThreshold is the silence between two trace records that the report
// lists as a gap in the covered window.
const GapThreshold = time.Hour

// maxWarningsPerInput caps the warnings listed per input; counts stay exact.
const maxWarningsPerInput = 50

// ErrNothingAnalysable means the bundle held no evidence exlog reads.
type ErrNothingAnalysable struct{ Found []parse.Skip }

func (e *ErrNothingAnalysable) Error() string {
	var b strings.Builder
	b.WriteString("nothing analysable: no trace log, export, event log or config file was found")
	if len(e.Found) > 0 {
		b.WriteString("; found instead:")
		for i, s := range e.Found {
			if i == 10 {
				fmt.Fprintf(&b, "\n  ... and %d more", len(e.Found)-10)
				break
			}
			fmt.Fprintf(&b, "\n  %s: %s", s.Path, s.Reason)
		}
	}
	return b.String()
}

// Run analyses the bundle at paths.
func Run(paths []string, opt Options) (*report.Report, error) {
	b, err := bundle.Open(paths, opt.Limits)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	return RunBundle(b, opt)
}

// input tracks one source while it is read. Its fields are written only
// by the goroutine reading the source, and read after that goroutine has
// finished (the merge's channel close orders the two).
type input struct {
	src      *parse.Source
	rep      report.Input
	types    [event.NumTypes]int
	first    time.Time
	last     time.Time
	warnings int
	broken   int
	// truncated counts cut records exactly; truncEv keeps the first few.
	truncated int
	truncEv   []report.Evidence
	// readErr is the error that ended the read of the input early (a zip
	// member's checksum, a broken archive), not a cap; "" if none.
	readErr string
	noZone  bool // the reader warned of times without a zone, read as UTC
	// limit is the archive cap that stopped the read, or "".
	limit bundle.Limit
	mu    sync.Mutex // guards rep.Warnings for readers that warn from other goroutines
}

func (in *input) warn(w event.ReadWarning) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.warnings++
	if w.Kind.Broken() {
		in.broken++
	}
	if w.Kind == event.KindNoZone {
		in.noZone = true
	}
	iw := toInputWarning(w)
	if w.Kind == event.KindTruncated {
		in.truncated++
		if len(in.truncEv) < report.MaxEvidence {
			in.truncEv = append(in.truncEv, report.Evidence{Origin: iw.Origin, Offset: iw.Offset, Line: iw.Line, Text: iw.Message})
		}
	}
	if len(in.rep.Warnings) < maxWarningsPerInput || w.Kind == event.KindReadError { // what ended a read is always listed
		in.rep.Warnings = append(in.rep.Warnings, iw)
	}
}

func toInputWarning(w event.ReadWarning) report.InputWarning {
	iw := report.InputWarning{Origin: w.Origin.Path, Kind: w.Kind.String(), Message: w.Message}
	if w.Origin.Line > 0 {
		iw.Line = w.Origin.Line
	} else if w.Origin.Offset >= 0 {
		off := w.Origin.Offset
		iw.Offset = &off
	}
	return iw
}

func (in *input) count(e *event.Event) { in.countAt(e.Time, e.Type) }

// countAt counts a record of the given time and type.
func (in *input) countAt(t time.Time, typ event.Type) {
	in.rep.Records++
	in.types[typ]++
	if in.first.IsZero() || t.Before(in.first) {
		in.first = t
	}
	if t.After(in.last) {
		in.last = t
	}
}

// RunBundle analyses an opened bundle.
func RunBundle(b *bundle.Bundle, opt Options) (*report.Report, error) {
	lib := opt.Library
	if lib == nil {
		var err error
		if lib, err = patterns.Load(); err != nil {
			return nil, fmt.Errorf("pattern library: %w", err)
		}
	}
	sources, skips := parse.Scan(b)
	if len(sources) == 0 {
		a := &run{opt: opt, skips: skips}
		if err := a.nothingRead(); err != nil {
			return nil, err
		}
		return nil, &ErrNothingAnalysable{Found: skips}
	}
	a := &run{opt: opt, lib: lib, attr: newAttribution(), hosts: map[string]bool{}, tzOffsets: map[int32]bool{}}
	for _, s := range sources {
		in := &input{src: s}
		in.rep.Path = s.Entry.Path
		in.rep.Format = s.Format.String()
		in.rep.Bytes = s.Entry.Size
		if s.Encoding.IsUTF16() && s.Entry.Size > 0 && s.Entry.Size%2 == 1 {
			in.warn(event.ReadWarning{Origin: event.Origin{Path: s.Entry.Path, Offset: s.Entry.Size - 1}, Kind: event.KindOddLength,
				Message: fmt.Sprintf("UTF-16 file of %d bytes (an odd number): a byte is missing or extra; where a utf16-resync warning names the place, that is it, else the last byte is half a character and was dropped (was the file cut?)", s.Entry.Size)})
		}
		a.inputs = append(a.inputs, in)
	}
	for _, s := range skips {
		a.skips = append(a.skips, s)
	}
	a.markDuplicateInputs()
	if opt.OnStart != nil {
		total := int64(0)
		for _, in := range a.inputs {
			if skipDuplicate(in) {
				continue // not read
			}
			if in.rep.Bytes < 0 {
				total = -1
				break
			}
			total += in.rep.Bytes
		}
		opt.OnStart(total)
	}
	a.readSettings()
	// Cmdlet exports and event streams are independent until assemble:
	// read the exports on the side while the merge runs.
	recordsDone := make(chan struct{})
	go func() {
		defer close(recordsDone)
		a.readRecords()
	}()
	a.prescan()
	if a.opt.ObserveRecord != nil && a.opt.Observe != nil {
		// An event observer fed by a record observer (index --redact
		// rewrites events with the names learned from the exports) needs
		// every export read first.
		<-recordsDone
	}
	a.readEvents()
	<-recordsDone
	rep := a.assemble()
	if err := a.nothingRead(); err != nil {
		return nil, err
	}
	return rep, nil
}

type run struct {
	opt    Options
	lib    *patterns.Library
	inputs []*input
	skips  []parse.Skip

	tracing []configcheck.Tracing
	service []configcheck.Service
	inv     *inventory.Builder

	attr        *attribution // which trace records are the connector's
	matcher     *patterns.Matcher
	sessions    *session.Builder
	unmatched   *unmatchedErrors // Error/Warning/Critical messages no pattern matched
	restarts    []restart
	processRuns int // distinct connector process runs (host, name, PID)

	records    int
	types      [event.NumTypes]int
	first      time.Time // of all events
	last       time.Time
	traceFirst time.Time // of trace records: the covered window
	traceLast  time.Time
	lastTrace  *event.Event
	gaps       []report.Gap
	syncs      []report.Sync

	duplicates int // event-log records found in an earlier export (localtime.go)
	// evlogs are the event-log exports, read ahead; localMatcher sees
	// their records whose local time has no known zone (localtime.go).
	evlogs       []*evlogInput
	localMatcher *patterns.Matcher

	hosts     map[string]bool
	tzOffsets map[int32]bool
	// tzChanges are the points where one host's trace records change
	// their UTC offset (a daylight-saving change written by the traces).
	tzChanges []tzChange
}

// restart is a change of the connector's process seen in the trace logs,
// detected in one place: the session builder (session.Builder.Restarts).
type restart = session.Restart

// openSource opens a source for reading, counting bytes for progress.
// Large archive members and UTF-16 files are decompressed and decoded
// ahead in a goroutine of their own (aheadReader), on the other core.
func (a *run) openSource(in *input) (io.ReadCloser, error) {
	rc, err := in.src.OpenWarn(in.warn)
	if err != nil {
		return nil, err
	}
	if a.opt.Progress != nil {
		rc = &progressReader{rc: rc, fn: a.opt.Progress}
	}
	if e := in.src.Entry; (e.Size < 0 || e.Size >= 1<<20) && (strings.Contains(e.Path, "!") || in.src.Encoding != textenc.UTF8) {
		rc = newAheadReader(rc)
	}
	return rc, nil
}

type progressReader struct {
	rc      io.ReadCloser
	fn      func(int64)
	pending atomic.Int64
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.rc.Read(b)
	if v := p.pending.Add(int64(n)); v >= 1<<20 || err != nil {
		p.fn(p.pending.Swap(0))
	}
	return n, err
}

func (p *progressReader) Close() error { return p.rc.Close() }

// fail records that an input could not be read to the end. The warning
// names the input already, so its message does not repeat the path.
func (a *run) fail(in *input, err error) {
	msg := strings.TrimPrefix(err.Error(), in.src.Entry.Path+": ")
	var le *bundle.LimitError
	if errors.As(err, &le) {
		msg, in.limit = le.Reason, le.Limit
	} else {
		in.readErr = msg
	}
	in.warn(event.ReadWarning{Origin: event.Origin{Path: in.src.Entry.Path, Offset: -1}, Kind: event.KindReadError, Message: msg})
	in.rep.Partial = true
}

func (a *run) readSettings() {
	for _, in := range a.inputs {
		switch in.src.Format {
		case event.FormatConfigTracing, event.FormatConfigService:
		default:
			continue
		}
		if skipDuplicate(in) {
			continue
		}
		rc, err := a.openSource(in)
		if err != nil {
			a.fail(in, err)
			continue
		}
		path := in.src.Entry.Path
		if in.src.Format == event.FormatConfigTracing {
			t, err := config.ReadTracing(rc, path, in.warn, a.opt.Caps)
			if err != nil {
				a.fail(in, err)
			} else {
				in.rep.Records = 1
				a.tracing = append(a.tracing, configcheck.Tracing{Tracing: t, Path: path})
			}
		} else {
			s, err := config.ReadService(rc, path, in.warn, a.opt.Caps)
			if err != nil {
				a.fail(in, err)
			} else {
				in.rep.Records = 1
				a.service = append(a.service, configcheck.Service{Service: s, Path: path})
			}
		}
		rc.Close()
	}
}

func (a *run) readRecords() {
	a.inv = inventory.NewBuilder()
	for _, in := range a.inputs {
		if !parse.IsRecords(in.src.Format) || skipDuplicate(in) {
			continue
		}
		rc, err := a.openSource(in)
		if err != nil {
			a.fail(in, err)
			continue
		}
		rr, err := parse.NewRecordReader(in.src, rc, in.warn, a.opt.Caps)
		if err != nil {
			a.fail(in, err)
			rc.Close()
			continue
		}
		for {
			rec, err := rr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				a.fail(in, err)
				break
			}
			in.rep.Records++
			if rec.Partial {
				in.rep.Partial = true
			}
			if a.opt.ObserveRecord != nil {
				a.opt.ObserveRecord(rec)
			}
			a.inv.Add(rec, in.src.Entry.Path)
		}
		rc.Close()
	}
}

// eventReadCloser joins an event reader with the file it reads.
type eventReadCloser struct {
	parse.EventReader
	io.Closer
	in *input
}

// HeadFragment and TailFragment pass on the halves of a record cut by a
// log rotation that a trace reader keeps (split.go); nil for other readers.
func (r eventReadCloser) HeadFragment() []byte {
	if fr, ok := r.EventReader.(fragmentReader); ok {
		return fr.HeadFragment()
	}
	return nil
}

func (r eventReadCloser) TailFragment() ([]byte, int64) {
	if fr, ok := r.EventReader.(fragmentReader); ok {
		return fr.TailFragment()
	}
	return nil, 0
}

func (r eventReadCloser) Next() (*event.Event, error) {
	e, err := r.EventReader.Next()
	if e != nil {
		r.in.count(e)
	}
	return e, err
}

func (a *run) readEvents() {
	var streams []*stream
	traceIns := map[*stream]*input{} // for joining records split by a rotation (split.go)
	for _, in := range a.inputs {
		if in.src.Format != event.FormatTrace || skipDuplicate(in) {
			continue
		}
		in := in
		streams = append(streams, &stream{
			first: in.src.First,
			onErr: func(err error) { a.fail(in, err) },
			open: func() (streamReader, error) {
				rc, err := a.openSource(in)
				if err != nil {
					return nil, err
				}
				er, err := parse.NewEventReader(in.src, rc, in.warn, a.opt.Caps)
				if err != nil {
					rc.Close()
					return nil, err
				}
				return eventReadCloser{er, rc, in}, nil
			},
		})
		traceIns[streams[len(streams)-1]] = in
	}
	// Event-log exports are read ahead: local times get a zone from the
	// evidence, duplicates across exports go (localtime.go).
	evlogs := a.readEventLogs()
	defer closeEventLogs(evlogs)
	held := map[*evlogInput][]int32{}
	for _, el := range evlogs {
		joined, h := splitLocal(el)
		held[el] = h
		streams = append(streams, &stream{sorted: true, onErr: func(error) { a.spillFailed(el) },
			open: func() (streamReader, error) { return &refReader{el.st, joined}, nil }})
	}
	a.matcher = a.lib.NewMatcher()
	a.unmatched = newUnmatchedErrors(a.lib)
	a.sessions = session.NewBuilder(a.opt.Sessions)
	m := newMerger(streams)
	m.join = a.joinSplit(traceIns)
	defer m.Close()
	for e := m.Next(); e != nil; e = m.Next() {
		if !a.opt.Since.IsZero() && e.Time.Before(a.opt.Since) {
			continue
		}
		if !a.opt.Until.IsZero() && e.Time.After(a.opt.Until) {
			continue
		}
		a.records++
		a.types[e.Type]++
		if a.first.IsZero() || e.Time.Before(a.first) {
			a.first = e.Time
		}
		if e.Time.After(a.last) {
			a.last = e.Time
		}
		if e.Format == event.FormatTrace && !a.attr.isConnector(e) {
			if a.opt.Observe != nil {
				a.opt.Observe(e)
			}
			continue // another program's: summarised apart (attribution.go)
		}
		if e.Format == event.FormatTrace {
			a.observeTrace(e)
		}
		a.matcher.Observe(e)
		a.unmatched.observe(e)
		a.sessions.Observe(e)
		if a.opt.Observe != nil {
			a.opt.Observe(e)
		}
	}
	// The restart alignment of local-time exports needs the trace restarts.
	a.restarts = a.sessions.Restarts()
	a.observeLate(evlogs, held)
}

func (a *run) observeTrace(e *event.Event) {
	if a.traceFirst.IsZero() {
		a.traceFirst = e.Time
	}
	if p := a.lastTrace; p != nil && e.Time.Sub(p.Time) > GapThreshold {
		a.gaps = append(a.gaps, report.Gap{
			Start: p.Time, End: e.Time, DurationS: e.Time.Sub(p.Time).Seconds(),
			AfterInput: p.Origin.String(),
		})
	}
	if e.Time.After(a.traceLast) {
		a.traceLast = e.Time
	}
	prev := a.lastTrace
	a.lastTrace = e
	if prev != nil && sameWriter(prev, e) {
		return // the maps below already hold this host and offset
	}
	if prev != nil && prev.TZOffset != e.TZOffset && prev.Host == e.Host && len(a.tzChanges) <= maxTZChanges {
		a.tzChanges = append(a.tzChanges, tzChange{at: e.Time, host: e.Host, from: prev.TZOffset, to: e.TZOffset})
	}
	if e.Host != "" {
		a.hosts[e.Host] = true
	}
	a.tzOffsets[e.TZOffset] = true
}

// sameWriter reports whether two trace records come from the same process
// run with the same UTC offset: most consecutive records do, and
// observeTrace then skips its map updates (a string key and a Sprintf per
// record were 12% of the CPU time of a 300 MB bundle).
func sameWriter(a, b *event.Event) bool {
	if a.PID != b.PID || a.TZOffset != b.TZOffset || a.Host != b.Host {
		return false
	}
	pa, _ := a.Field(event.FieldProcessName)
	pb, _ := b.Field(event.FieldProcessName)
	return pa == pb
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func (a *run) assemble() *report.Report {
	r := &report.Report{
		Schema:   report.Schema,
		Tool:     report.Tool{Name: "exlog", Version: a.opt.Version, Overrides: a.overrides()},
		Inputs:   []report.Input{},
		Skipped:  []report.Skipped{},
		Syncs:    []report.Sync{},
		Findings: []report.Finding{},
	}
	formats := map[string]int{}
	for _, in := range a.inputs {
		in.rep.First, in.rep.Last = timePtr(in.first), timePtr(in.last)
		in.rep.Broken = in.broken
		in.rep.WarningsTotal = in.warnings
		if in.rep.Warnings == nil {
			in.rep.Warnings = []report.InputWarning{}
		}
		if parse.IsEvents(in.src.Format) {
			in.rep.Types = typeCounts(&in.types)
		}
		formats[in.rep.Format]++
		r.Inputs = append(r.Inputs, in.rep)
	}
	for _, s := range a.skips {
		r.Skipped = append(r.Skipped, report.Skipped{Path: s.Path, Reason: s.Reason})
	}
	r.Summary = report.Summary{
		Records:    a.records,
		First:      timePtr(a.first),
		Last:       timePtr(a.last),
		Gaps:       a.shownGaps(),
		Types:      typeCounts(&a.types),
		Formats:    formats,
		Duplicates: a.duplicates,
	}
	if !a.traceFirst.IsZero() {
		r.Summary.Covered = &report.Window{Start: a.traceFirst.UTC(), End: a.traceLast.UTC(), DurationS: a.traceLast.Sub(a.traceFirst).Seconds()}
	}
	if r.Summary.Gaps == nil {
		r.Summary.Gaps = []report.Gap{}
	}

	verbose := a.verbose()
	a.restarts, a.processRuns = a.sessions.Restarts(), a.sessions.ProcessRuns()
	a.syncs = a.sessions.Finish(a.traceLast)
	r.Syncs = append(r.Syncs, a.syncs...)
	if len(a.syncs) > 0 {
		c := session.ObservedCadence(a.syncs)
		r.Cadence = &report.Cadence{FullSyncs: c.FullCount, QuickSyncs: c.QuickCount, FullTimesOfDay: []string{}}
		if c.QuickMedian > 0 {
			m := c.QuickMedian.Seconds()
			r.Cadence.QuickMedianS = &m
		}
		for _, d := range c.FullTimeOfDay {
			r.Cadence.FullTimesOfDay = append(r.Cadence.FullTimesOfDay, fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute)))
		}
	}

	pf, notes := a.matcher.Finish(patterns.Window{Start: a.traceFirst, End: a.traceLast})
	findings := a.shows(a.localFindings(pf), verbose)
	a.inv.NotificationAccounts(a.notificationAccounts(pf))
	inv, invFindings := a.inv.Finish()
	if inv != nil && (inv.Devices+inv.Mailboxes+inv.CASMailboxes) > 0 {
		r.Inventory = inv
	}
	r.NotConnector = a.attr.programs()
	hosts := a.connectorHosts()
	in := &checkInput{
		syncs: a.syncs, first: a.traceFirst, last: a.traceLast, end: a.evidenceEnd(),
		verbose: verbose, sessions: a.opt.Sessions, notes: notes,
		tracing: a.tracing, service: a.service, inventory: invFindings,
		inputs: a.inputs, skips: a.skips, evlogs: a.evlogs, attr: a.attr, others: r.NotConnector,
		hosts: hosts,
	}
	for _, c := range goChecks {
		in.raised = findings
		findings = append(findings, a.shows(c.run(in), verbose)...)
	}
	pointToEndOfSupport(findings, in.end)
	a.damagedGaps(findings)
	sortFindings(findings)
	markOngoing(findings, a.traceLast)
	if len(in.hosts) < 2 { // one timeline of several servers' syncs: a later sync may be another server's
		syncedAgain(findings, a.syncs)
		casFailover(findings, a.syncs, a.traceLast)
	}
	a.recurring(findings)
	a.serviceRanAfter(findings)
	serviceAccountFrom7041(findings)
	a.doneInBundle(findings)
	r.Findings = append(r.Findings, findings...)
	a.unmatched.finish(r)
	r.Changes = a.changes()
	r.Environment = a.environment(r)
	a.inv.Exchange().Environment(r.Environment) // Exchange versions from the exports (inventory)
	for _, s := range a.service {
		if s.Service == nil || r.Environment.NotificationAccount != nil {
			continue
		}
		na, note := a.inv.Notification(s.Service.Notification, s.Path)
		r.Environment.NotificationAccount = na
		if note != "" {
			r.Environment.Notes = append(r.Environment.Notes, note)
		}
	}
	for _, note := range a.inv.NotificationNotes() {
		if !slices.Contains(r.Environment.Notes, note) {
			r.Environment.Notes = append(r.Environment.Notes, note)
		}
	}
	r.Collect = a.collect(r)
	r.Verdict = verdict(r, verdictInput{logsStart: a.traceFirst, logsEnd: a.traceLast, connectorSeen: a.attr.connectorRecords > 0, connectors: len(hosts)})
	capVerdict(r.Verdict, a.capped())
	r.CountFindings()
	return r
}

// coverageNotes turns the pattern rules that could not be judged because
// the logs are too short into one sync.coverage-short finding, unless the
// session checks already said so.
func coverageNotes(notes []patterns.Note, have []report.Finding) []report.Finding {
	for _, f := range have {
		if f.ID == session.IDCoverageShort {
			return nil
		}
	}
	f := report.Finding{ID: session.IDCoverageShort, Severity: report.SeverityInfo, Category: "sync", Source: "check",
		Remedy:   "Collect the whole Logs folder (all Connector*.log files) covering at least a day and a half, so the daily full sync can be judged.",
		Docs:     docsTroubleshoot,
		Evidence: []report.Evidence{}}
	var ids []string
	for _, n := range notes {
		if n.Reason != "coverage-short" {
			continue
		}
		f.Count++
		ids = append(ids, n.ID)
		if len(f.Evidence) < report.MaxEvidence {
			f.Evidence = append(f.Evidence, report.Evidence{Text: n.Message})
		}
	}
	if f.Count == 0 {
		return nil
	}
	f.Title = "Logs cover too little time to judge: " + strings.Join(ids, ", ")
	return []report.Finding{f}
}

// shows keeps the findings the evidence can support, in a new slice:
//   - a bundle without one trace record of the connector cannot show its
//     syncs, so none is overdue, unfinished or short of coverage;
//   - with a listener below Verbose the sync messages are not logged, so
//     "overdue" or "a quick sync is missing" would be a guess.
func (a *run) shows(fs []report.Finding, verbose bool) []report.Finding {
	var out []report.Finding
	for _, f := range fs {
		if a.attr.connectorRecords == 0 && (f.Category == "sync" || strings.HasPrefix(f.ID, "sync.")) {
			continue
		}
		if !verbose && (f.ID == session.IDFullOverdue || f.ID == session.IDQuickGap) {
			continue
		}
		out = append(out, f)
	}
	return out
}

func sortFindings(fs []report.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Severity != fs[j].Severity {
			return fs[i].Severity > fs[j].Severity
		}
		if fs[i].ID != fs[j].ID {
			return fs[i].ID < fs[j].ID
		}
		return fs[i].Key < fs[j].Key
	})
}

func typeCounts(t *[event.NumTypes]int) map[string]int {
	m := map[string]int{}
	for _, ty := range event.Types() {
		if t[ty] > 0 {
			m[ty.String()] = t[ty]
		}
	}
	return m
}

const docsTroubleshoot = "https://learn.microsoft.com/en-us/troubleshoot/mem/intune/device-protection/troubleshoot-exchange-connector"

// overrides are the library's pattern overrides, for the report.
func (a *run) overrides() []report.PatternOverride {
	var out []report.PatternOverride
	for _, o := range a.lib.Overrides() {
		out = append(out, report.PatternOverride{ID: o.ID, File: o.File, Line: o.Pos.Line, Replaced: o.Replaced})
	}
	return out
}

// The ids of bundleFindings.
const (
	IDTruncatedRecord = "bundle.truncated-record"
	IDUnreadable      = "bundle.unreadable"
)

var bundleRules = []check.Rule{
	{ID: IDTruncatedRecord, Title: "A record cut at a file's start or end", Severity: report.SeverityInfo},
	{ID: IDUnreadable, Title: "Evidence that could not be read, or only in part", Severity: report.SeverityWarning},
}

// bundleFindings reports truncated records and unreadable evidence.
func bundleFindings(c *checkInput) []report.Finding {
	var out []report.Finding
	trunc := report.Finding{
		ID: IDTruncatedRecord, Title: "Records cut at the start or end of a log file",
		Severity: report.SeverityInfo, Category: "bundle", Source: "check",
		Remedy: "Usually harmless: the file was copied while the service wrote it, or the circular log reused it. " +
			"If many records are cut, stop the WIEC service (or copy the Logs folder again) before collecting.",
		Docs: docsTroubleshoot, Evidence: []report.Evidence{},
	}
	for _, in := range c.inputs {
		trunc.Count += in.truncated
		for _, ev := range in.truncEv {
			if len(trunc.Evidence) < report.MaxEvidence {
				trunc.Evidence = append(trunc.Evidence, ev)
			}
		}
	}
	if trunc.Count > 0 {
		out = append(out, trunc)
	}
	unread := report.Finding{
		ID: IDUnreadable, Title: "Evidence that could not be read, or only in part",
		Severity: report.SeverityWarning, Category: "bundle", Source: "check",
		Remedy: "Collect the named files again (or raise the limit the reason names) and re-run exlog.",
		Docs:   docsTroubleshoot, Evidence: []report.Evidence{},
	}
	add := func(path, why string) {
		unread.Count++
		if len(unread.Evidence) < report.MaxEvidence {
			unread.Evidence = append(unread.Evidence, report.Evidence{Origin: path, Text: why})
		}
	}
	for _, s := range c.skips {
		if s.Unreadable {
			add(s.Path, s.Reason)
		}
	}
	for _, in := range c.inputs {
		switch {
		case in.rep.Partial && in.rep.Records == 0:
			add(in.rep.Path, "no record could be read")
		case in.readErr != "":
			add(in.rep.Path, "read only in part, "+words.Count(in.rep.Records, "record", "")+" kept: "+in.readErr+"; what follows the damage is lost")
		}
	}
	if unread.Count > 0 {
		out = append(out, unread)
	}
	return out
}

// tzChange is a change of the UTC offset the traces of one host write.
type tzChange struct {
	at       time.Time // UTC time of the first record at the new offset
	host     string
	from, to int32 // seconds east of UTC
}

// maxTZChanges bounds the changes kept: more than a few means writers of
// several zones interleaved, not a daylight-saving change.
const maxTZChanges = 4
