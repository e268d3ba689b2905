package analyze

import (
	"exlog/internal/words"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"exlog/analyze/session"
	"exlog/event"
	"exlog/report"
)

// ongoingSlack is how close to the end of the logs a finding's last
// occurrence must be for it to count as still happening.
const ongoingSlack = 2 * time.Hour

// recurringQuiet is how long a problem seen over several days may be
// quiet and still count as happening: a weekend and a night.
const recurringQuiet = 72 * time.Hour

// markOngoing sets Finding.Ongoing: the finding occurs near the end of
// the logs, or its last occurrence is within two of its usual intervals
// of the end. Findings without times, and those of exports and config
// (atCollection), describe the state when the bundle was collected, so they
// are ongoing.
func markOngoing(fs []report.Finding, end time.Time) {
	for i := range fs {
		f := &fs[i]
		if atCollection(f) {
			f.Ongoing = true
			continue
		}
		if f.Last == nil || end.IsZero() {
			f.Ongoing = f.Category != "bundle"
			continue
		}
		f.Ongoing = recent(f.First, f.Last, f.Count, end)
	}
}

// recent reports whether occurrences from first to last (count of them)
// are still happening at end: the last is within ongoingSlack of it, or
// within two of their usual intervals.
func recent(first, last *time.Time, count int, end time.Time) bool {
	since := end.Sub(*last)
	if since <= ongoingSlack {
		return true
	}
	if count >= 2 && first != nil {
		every := last.Sub(*first) / time.Duration(count-1)
		return since <= 2*every
	}
	return false
}

// syncedAgain ends sync.failed and sync.unfinished of a kind when a later
// sync of that kind completed: the documented sign that the connector
// syncs again (domain.md §4), whatever the time since the last failure.
// Two failed full syncs a day apart, then two completed ones, are
// history, not "still happening" (blind round 2, winrm-401-fixed). When
// no later sync of the kind completed, markOngoing's timing stands.
func syncedAgain(fs []report.Finding, syncs []report.Sync) {
	for i := range fs {
		f := &fs[i]
		if (f.ID != session.IDFailed && f.ID != session.IDUnfinished) || f.Last == nil {
			continue
		}
		if intermittent(f, syncs) {
			continue // syncs of its kind completed between the failures before: one more is no fix
		}
		var next *report.Sync
		for j := range syncs {
			s := &syncs[j]
			if string(s.Kind) == f.Key && s.Status == report.SyncCompleted && s.End != nil && s.Start.After(*f.Last) &&
				(next == nil || s.Start.Before(next.Start)) {
				next = s
			}
		}
		if next == nil {
			continue
		}
		f.Ongoing = false
		f.ResolvedBy = fmt.Sprintf("%s: a later %s sync completed (%s)", next.End.UTC().Format("2006-01-02 15:04Z"), next.Kind, next.Origin)
	}
}

// (a *run) recurring keeps "still happening" a problem seen over at least
// two days and quiet for less than recurringQuiet at the end of the logs
// when nothing explains its stop: no restart of the connector after it and
// no resolution found (ResolvedBy). A problem of business hours or
// weekdays is quiet at night and at the weekend, which is no fix (blind
// round 5: weekday throttling was "resolved" on a Sunday); one followed
// by a restart (a fix applied) keeps markOngoing's judgement.
func (a *run) recurring(fs []report.Finding) {
	for i := range fs {
		f := &fs[i]
		if f.Ongoing || f.ResolvedBy != "" || f.Count < 3 || f.First == nil || f.Last == nil || a.traceLast.IsZero() ||
			f.Last.Sub(*f.First) < 48*time.Hour || a.traceLast.Sub(*f.Last) > recurringQuiet || f.Category == "bundle" {
			continue
		}
		restarted := false
		for _, rs := range a.restarts {
			restarted = restarted || rs.Time.After(*f.Last)
		}
		if !restarted {
			f.Ongoing = true
		}
	}
}

// intermittent reports whether a sync.failed or sync.unfinished finding's
// failures alternated with completed syncs of the same kind: between its
// first and last failure some sync of that kind completed (blind round 5:
// quick syncs failing every weekday at business hours, completing in the
// evenings and at the weekend).
func intermittent(f *report.Finding, syncs []report.Sync) bool {
	if (f.ID != session.IDFailed && f.ID != session.IDUnfinished) || f.First == nil || f.Last == nil {
		return false
	}
	for _, s := range syncs {
		if string(s.Kind) == f.Key && s.Status == report.SyncCompleted && s.Start.After(*f.First) && s.Start.Before(*f.Last) {
			return true
		}
	}
	return false
}

// atCollection reports whether a finding describes the state when the
// bundle was collected (exports, config files) rather than events in time:
// a device's last sync in an export is a property, not an occurrence.
func atCollection(f *report.Finding) bool {
	switch f.Category {
	case "device", "discovery", "access", "config":
		return f.Source == "check"
	}
	return false
}

// besideTheSyncs reports whether a finding concerns a function beside the
// connector's job of listing Exchange ActiveSync devices and applying
// Intune's access decisions (domain.md §1): the enrolment ("Get Started")
// mail of the notification account, which Microsoft describes as a
// separate account ("This user can be dedicated to just notifications",
// Set up the on-premises Intune Exchange connector) and whose failure is
// its own symptom (domain.md §4, no notification mail). Its errors make
// the connector degraded, not broken (blind round 3: every sync completed
// and the verdict said BROKEN).
func besideTheSyncs(f report.Finding) bool { return f.Category == "notify" }

// verdictInput is what the verdict needs beyond the report.
type verdictInput struct {
	logsEnd time.Time // the connector's last trace record
	// connectors is how many computers wrote the connector's trace
	// records: with more than one, "healthy" cannot be said of each.
	connectors int
	// logsStart is the first trace record: unrecognised errors all
	// before it (an old event log's) say nothing of the connector.
	logsStart time.Time
	// connectorSeen: some trace record is the connector's; without one,
	// nothing shows its syncs, so "healthy" cannot be said.
	connectorSeen bool
}

// verdict decides the overall state from the findings and the syncs.
// Findings still happening give the state, the reasons and the next
// steps (connector.end-of-support first: it explains the rest); findings
// that stopped during the logs are history (Verdict.Resolved) and ask
// nothing; bundle findings say what the bundle lacks.
func verdict(r *report.Report, in verdictInput) *report.Verdict {
	v := &report.Verdict{State: report.StateHealthy, Reasons: []string{}, NextSteps: []string{}}
	for i := len(r.Syncs) - 1; i >= 0; i-- {
		s := r.Syncs[i]
		if s.Kind == "full" && s.Status == "completed" && s.End != nil {
			end := *s.End
			v.LastFullSync = &end
			if !in.logsEnd.IsZero() {
				age := in.logsEnd.Sub(end).Seconds()
				v.LastFullSyncAgeS = &age
			}
			break
		}
	}
	raise := func(st report.VerdictState) {
		if st.Rank() > v.State.Rank() {
			v.State = st
		}
	}
	seenStep := map[string]bool{}
	step := func(remedy string) {
		if s := firstSentence(remedy); s != "" && !seenStep[s] && len(v.NextSteps) < 5 {
			seenStep[s] = true
			v.NextSteps = append(v.NextSteps, s)
		}
	}
	eos := false
	for _, f := range r.Findings {
		eos = eos || f.ID == IDEndOfSupport
	}
	// The end of support first, then what is still happening, then by
	// severity (r.Findings is already by severity and id).
	ordered := append([]report.Finding(nil), r.Findings...)
	sort.SliceStable(ordered, func(i, j int) bool {
		if (ordered[i].ID == IDEndOfSupport) != (ordered[j].ID == IDEndOfSupport) {
			return ordered[i].ID == IDEndOfSupport
		}
		return ordered[i].Ongoing && !ordered[j].Ongoing
	})
	notConnector := false
	for _, f := range ordered {
		if f.Severity < report.SeverityWarning {
			continue
		}
		if f.Category == "bundle" {
			notConnector = notConnector || f.ID == IDNotConnector
			if len(v.Reasons) < 6 {
				v.Reasons = append(v.Reasons, fmt.Sprintf("%s: %s (%d×)", f.ID, f.Title, f.Count))
			}
			if f.ID != IDNotConnector { // collect-next gives its command
				step(f.Remedy)
			}
			continue
		}
		if !f.Ongoing {
			v.Resolved = append(v.Resolved, resolvedOf(f, r, in.logsEnd))
			continue
		}
		if f.Severity >= report.SeverityError && !besideTheSyncs(f) && !intermittent(&f, r.Syncs) {
			raise(report.StateBroken)
		} else {
			raise(report.StateDegraded)
		}
		if len(v.Reasons) >= 6 {
			continue
		}
		when := whenSeen(f)
		if f.First != nil && f.Last != nil && !in.logsEnd.IsZero() && in.logsEnd.Sub(*f.Last) > 24*time.Hour {
			// Kept current by the recurring rule: say why, or "still
			// happening" beside a last time days ago reads wrong.
			when = fmt.Sprintf("recurring: first %s, last %s, quiet for the %s before the end of the logs with no restart or fix since, so not known to be over, %d×",
				f.First.UTC().Format("2006-01-02 15:04Z"), f.Last.UTC().Format("2006-01-02 15:04Z"), report.FormatDuration(in.logsEnd.Sub(*f.Last).Round(time.Hour)), f.Count)
		}
		if f.First == nil && f.FirstLocal != "" {
			// Local time of an unknown zone: cannot be placed against the
			// end of the traces, so "still happening" is not known.
			when = fmt.Sprintf("cannot tell if still happening: since %s local time, zone unknown, %d×", strings.Replace(f.FirstLocal, "T", " ", 1), f.Count)
		}
		v.Reasons = append(v.Reasons, fmt.Sprintf("%s: %s (%s)", f.ID, f.Title, when))
		if eos && f.ID != IDEndOfSupport && strings.Contains(f.Remedy, IDEndOfSupport) {
			continue // explained by the end of support: its step says what to do
		}
		if f.ID == IDEndOfSupport && len(v.NextSteps) < 5 {
			v.NextSteps = append(v.NextSteps, f.Remedy) // whole: both dates and the way forward
			continue
		}
		step(f.Remedy)
	}
	// Unrecognised errors degrade the verdict while they happen (or when
	// their time cannot be placed). Those that stopped during the logs
	// (markOngoing's rule) and were followed by a completed full sync, the
	// documented sign of health, are history, as resolved findings are
	// (blind round 2: 401s before a fix, then days of completed syncs, kept
	// the verdict degraded). Their meaning is unknown, so both must hold.
	unknown, past := 0, 0
	var stopped time.Time
	for _, t := range r.Unmatched {
		if t.Type != "error" && t.Type != "critical" {
			continue
		}
		if t.Undated == 0 && t.Last != nil && !in.logsStart.IsZero() && t.Last.Before(in.logsStart) {
			continue // all before the trace logs (another time's event log): not the connector's history
		}
		if t.Undated == 0 && t.Last != nil && !in.logsEnd.IsZero() && !recent(t.First, t.Last, t.Count, in.logsEnd) &&
			v.LastFullSync != nil && v.LastFullSync.After(*t.Last) {
			past += t.Count
			if t.Last.After(stopped) {
				stopped = *t.Last
			}
			continue
		}
		unknown += t.Count
	}
	if unknown > 0 {
		raise(report.StateDegraded)
		v.Reasons = append(v.Reasons, fmt.Sprintf("%s that exlog does not recognise (see UNMATCHED ERRORS): read them, they may be the cause", words.Count(unknown, "error message", "")))
	}
	if past > 0 {
		v.Reasons = append(v.Reasons, fmt.Sprintf("%s that exlog does not recognise stopped by %s, and a full sync completed after them (see UNMATCHED ERRORS): history, unless they come back", words.Count(past, "error message", ""), stopped.UTC().Format("2006-01-02 15:04Z")))
	}
	switch {
	case v.State == report.StateHealthy && in.connectors > 1:
		v.State = report.StateUnknown // the reason is bundle.several-connectors'
	case v.State == report.StateHealthy && (notConnector || !in.connectorSeen):
		v.State = report.StateUnknown
		if !notConnector {
			v.Reasons = append(v.Reasons, "can't tell: the bundle holds no trace record of the connector, so its syncs cannot be judged; what the bundle does show has no problem")
		} else {
			v.Reasons = append([]string{"can't tell: the trace logs in the bundle are another program's, so they say nothing about the connector"}, v.Reasons...)
		}
	case v.State == report.StateHealthy:
		switch {
		case len(v.Resolved) > 0:
			v.Reasons = append([]string{"nothing is wrong at the end of the logs; " + words.Count(len(v.Resolved), "problem", "") + " resolved during the logs (see RESOLVED)"}, v.Reasons...)
		case len(v.Reasons) == 0:
			v.Reasons = append(v.Reasons, "no warning or error findings")
		}
		if v.LastFullSync == nil && len(r.Syncs) == 0 {
			// Nothing wrong, but nothing shows the connector doing its
			// job either: a dashboard reading only the state must not see
			// "healthy" (blind round 4, Warning-level logs).
			v.State = report.StateUnknown
			v.Reasons = append(v.Reasons, "can't tell: no sync is visible in the logs (at this trace level sync messages may not be logged, or none ran), so the connector's work cannot be judged")
		}
	}
	for i, c := range r.Collect {
		// On a healthy bundle there is no open question to settle.
		if v.State == "healthy" || len(v.NextSteps) >= 6 || i == 3 {
			break
		}
		v.NextSteps = append(v.NextSteps, "Collect "+c.What+": "+c.Command)
	}
	return v
}

// resolvedOf is a finding that stopped during the logs, with what changed
// between its last occurrence and the end of the logs, as the evidence
// shows it: restarts and config files modified (the change timeline) and,
// for Autodiscover, the EWS URL now set in the service config.
func resolvedOf(f report.Finding, r *report.Report, end time.Time) report.Resolved {
	rs := report.Resolved{ID: f.ID, Key: f.Key, Title: f.Title, Severity: f.Severity, Count: f.Count, First: f.First, Last: f.Last,
		TimeZone: f.TimeZone, FirstLocal: f.FirstLocal, LastLocal: f.LastLocal}
	if f.ResolvedBy != "" {
		rs.Changes = append(rs.Changes, f.ResolvedBy)
	}
	if f.Last == nil {
		return rs
	}
	for _, c := range r.Changes {
		if !c.ZoneKnown() {
			continue // no zone, no time join with the finding's UTC times
		}
		if c.Time.Before(*f.Last) || (!end.IsZero() && c.Time.After(end)) || len(rs.Changes) >= 3 {
			continue
		}
		switch c.Kind {
		case "restart", "config-modified":
			rs.Changes = append(rs.Changes, c.Time.UTC().Format("2006-01-02 15:04Z")+" "+c.Text)
		}
	}
	if f.ID == "notify.autodiscover-failed" && r.Environment != nil && r.Environment.EWSURL != "" {
		rs.Changes = append(rs.Changes, "ExchangeWebServiceURL is set in the service config ("+r.Environment.EWSURL+"): Autodiscover is bypassed")
	}
	return rs
}

// whenSeen says when a finding was seen, in the verdict's words: "still
// happening: first …, last …, 3×" or "first …, last …, not seen since …".
func whenSeen(f report.Finding) string {
	day := func(t *time.Time) string { return t.UTC().Format("2006-01-02 15:04Z") }
	var span string
	switch {
	case f.First != nil && f.Last != nil && !f.First.Equal(*f.Last):
		span = "first " + day(f.First) + ", last " + day(f.Last)
	case f.First != nil:
		span = "at " + day(f.First)
	}
	n := fmt.Sprintf("%d×", f.Count)
	switch {
	case f.Ongoing && span != "":
		return "still happening: " + span + ", " + n
	case f.Ongoing:
		return "state at collection, " + n // exports and config: a state, not events in time
	case f.Last != nil && strings.HasPrefix(span, "at "):
		return span + ", not seen since then, " + n
	case f.Last != nil:
		return span + ", not seen since " + day(f.Last) + ", " + n
	}
	return "no longer seen, " + n
}

// firstSentence keeps a remedy short enough for one line per next step:
// up to two sentences and about 240 characters (the first sentence often
// only names the cause; the second says what to do).
func firstSentence(s string) string {
	s = strings.TrimSpace(s)
	end := 0
	for n := 0; n < 2; n++ {
		i := strings.Index(s[end:], ". ")
		if i < 0 {
			return s
		}
		if n == 1 && end+i+1 > 240 {
			break
		}
		end += i + 1
		if end < len(s) && s[end] == ' ' {
			end++
		}
	}
	return strings.TrimSpace(s[:end])
}

// verbose reports whether the tracing config (if any) logs at Verbose.
func (a *run) verbose() bool {
	for _, t := range a.tracing {
		if t.Tracing != nil && !t.Tracing.Verbose {
			return false
		}
	}
	return !a.quietLevel()
}

// quietLevel reports whether the trace records themselves show a listener
// at Warning or above: records of the connector, none of them Information
// or Verbose. Sync messages cannot appear at that level, so their absence
// says nothing, config file or not (blind round 4: Warning-level logs
// without TracingConfiguration.xml were "no full sync for 114h", BROKEN).
func (a *run) quietLevel() bool {
	if a.attr.connectorRecords == 0 {
		return false
	}
	var chatty, other int
	for _, in := range a.inputs {
		if in.src.Format != event.FormatTrace {
			continue
		}
		chatty += in.types[event.Information] + in.types[event.Verbose]
		other += in.types[event.Warning] + in.types[event.Error] + in.types[event.Critical]
	}
	return chatty == 0 && other > 0
}

var casServerRe = regexp.MustCompile(`(?i)PowerShellExchangeServer:\s*<?\s*Name=([^>'\s,]+)`)

// casServer extracts the CAS server a sync talked to: from a message's
// "PowerShellExchangeServer: <Name=X>" or a session's "X: Status" health.
func casServer(texts ...string) string {
	for _, t := range texts {
		if m := casServerRe.FindStringSubmatch(t); m != nil && event.LooksLikeHost(m[1]) {
			return m[1]
		}
		// "server: Status" (a session's Exchange health); a message's
		// first word before a colon ("GetNextCommand: received ...") is
		// not a server: the name must look like a host (names.go).
		if name, _, ok := strings.Cut(t, ": "); ok && event.LooksLikeHost(name) {
			return name
		}
	}
	return ""
}

// changes lists what changed in the covered window.
// casFailover judges a remote PowerShell failure against one Exchange
// server while the syncs complete through another: the connector's CAS
// failover (IsCasFailoverEnabled, on by default: domain.md §2) absorbs it,
// so it costs time, not syncs. The finding stays, at warning (degraded,
// not broken), and says so (blind round 2, fr-cas-failover). It holds
// only when every sync since the first failure completed (one still
// running at the end of the logs aside), at least two did, and each
// completed one reports a connected server other than the failing one.
func casFailover(fs []report.Finding, syncs []report.Sync, end time.Time) {
	for i := range fs {
		f := &fs[i]
		if f.ID != "exchange.remote-powershell-failed" || f.Key == "" || !f.Ongoing || f.First == nil || f.Severity <= report.SeverityWarning {
			continue
		}
		failing := strings.ToLower(f.Key)
		via, completed, ok := "", 0, true
		for _, s := range syncs {
			if s.Start.Before(*f.First) {
				continue
			}
			if s.Status == report.SyncUnfinished && s.End == nil && strings.HasPrefix(s.Reason, session.ReasonLogsEnd) {
				continue // still running when the logs end
			}
			srv := strings.ToLower(casServer(s.ExchangeHealth))
			if s.Status != report.SyncCompleted || srv == "" || srv == failing || strings.Contains(strings.ToLower(s.ExchangeHealth), "disconnected") {
				ok = false
				break
			}
			completed++
			via = casServer(s.ExchangeHealth)
		}
		if !ok || completed < 2 {
			continue
		}
		f.Severity = report.SeverityWarning
		f.Title += ": syncs complete through " + via + " (CAS failover)"
		f.Remedy = f.Key + " does not answer remote PowerShell; the connector fails over to " + via + " and " +
			words.Count(completed, "sync", "") + " since the first failure completed, so this costs time, not syncs. " +
			"Bring " + f.Key + " back (Test-WSMan " + f.Key + " from the connector server; WinRM and the PowerShell virtual directory on it), " +
			"or point the connector at a Client Access Server that answers, with the lowest latency, so that each sync does not try the failed one first."
	}
}

// shownGaps are the gaps in the trace logs the report lists: all of them
// at Verbose; below it hours of silence are by design, so only those that
// follow a damaged file (blind round 5: 41 "gaps" in healthy
// Information-level logs).
func (a *run) shownGaps() []report.Gap {
	if a.verbose() {
		return a.gaps
	}
	var out []report.Gap
	for _, g := range a.gaps {
		if a.damagedAfter(g) != nil {
			out = append(out, g)
		}
	}
	return out
}

// damagedAfter returns the input a gap in the trace logs follows when
// that input's read ended early on damage (readErr): the gap is logs
// missing, not the connector idle.
func (a *run) damagedAfter(g report.Gap) *input {
	for _, in := range a.inputs {
		if in.readErr != "" && (g.AfterInput == in.rep.Path || strings.HasPrefix(g.AfterInput, in.rep.Path+"@")) {
			return in
		}
	}
	return nil
}

// damagedGaps turns a sync-schedule finding whose one occurrence spans a
// gap that follows a damaged file into "can't tell": the syncs of that
// time may be in the part of the file that was lost (blind round 2: a
// zip member with a bad checksum made a 48-hour outage look like 72).
func (a *run) damagedGaps(fs []report.Finding) {
	for i := range fs {
		f := &fs[i]
		if (f.ID != session.IDFullOverdue && f.ID != session.IDQuickGap) || f.Count != 1 || f.First == nil || f.Last == nil {
			continue
		}
		for _, g := range a.gaps {
			in := a.damagedAfter(g)
			if in == nil || !g.Start.Before(*f.Last) || !g.End.After(*f.First) {
				continue
			}
			f.Severity = report.SeverityInfo
			f.Title = "Can't tell: " + f.Title + "; the trace records from " + g.Start.UTC().Format("2006-01-02 15:04Z") +
				" to " + g.End.UTC().Format("2006-01-02 15:04Z") + " are missing because " + in.rep.Path + " is damaged"
			f.Remedy = "Collect " + in.rep.Path + " again from the connector's Logs folder (a new copy or zip) and re-run exlog: the damaged copy cannot show whether the syncs of that time ran."
			break
		}
	}
}

func (a *run) changes() []report.Change {
	var out []report.Change
	for _, rs := range a.restarts {
		out = append(out, report.Change{Time: rs.Time, Kind: "restart",
			Text:   fmt.Sprintf("connector process on %s restarted (PID %d → %d)", orUnknown(rs.Host), rs.OldPID, rs.NewPID),
			Origin: rs.Origin})
	}
	for _, g := range a.shownGaps() { // below Verbose silence is by design: only gaps after damage
		why := "service stopped, server down, or logs missing"
		if in := a.damagedAfter(g); in != nil {
			why = "logs missing: " + in.rep.Path + " is damaged from here on"
		}
		out = append(out, report.Change{Time: g.Start, Kind: "gap",
			Text:   fmt.Sprintf("no trace records for %s (%s)", report.FormatDuration(time.Duration(g.DurationS*float64(time.Second)).Round(time.Minute)), why),
			Origin: g.AfterInput})
	}
	last := ""
	several := len(a.connectorHosts()) > 1 // their syncs interleave: a change of server would be a change of connector
	for _, s := range a.syncs {
		if several {
			break
		}
		srv := casServer(s.ExchangeHealth)
		if srv == "" {
			for _, ev := range s.Evidence {
				if srv = casServer(ev.Text); srv != "" {
					break
				}
			}
		}
		if srv == "" {
			continue
		}
		if last != "" && !strings.EqualFold(srv, last) {
			out = append(out, report.Change{Time: s.Start, Kind: "cas-server",
				Text: fmt.Sprintf("sync talked to Exchange server %s instead of %s", srv, last), Origin: s.Origin})
		}
		last = srv
	}
	for _, in := range a.inputs {
		f := in.src.Format
		if f != event.FormatConfigTracing && f != event.FormatConfigService {
			continue
		}
		e := in.src.Entry
		mt := e.ModTime.UTC()
		if mt.IsZero() || a.traceFirst.IsZero() {
			continue
		}
		if !e.ModTimeUTC {
			// A zip member's DOS time: the zipping machine's wall clock,
			// zone not recorded. Listed when some zone (UTC−12…+14)
			// puts it in the window, never placed on the UTC time line.
			wall := time.Date(mt.Year(), mt.Month(), mt.Day(), mt.Hour(), mt.Minute(), mt.Second(), 0, time.UTC)
			if wall.Before(a.traceFirst.Add(-14*time.Hour)) || wall.After(a.traceLast.Add(12*time.Hour)) {
				continue
			}
			out = append(out, report.Change{Kind: "config-modified",
				LocalTime: wall.Format("2006-01-02T15:04:05"), TimeZone: "unknown",
				Text:   "config file modified: " + e.Path + " (zip entry time: local time of the zipping machine, zone not recorded; can't tell how it falls against the logs' UTC times)",
				Origin: e.Path})
			continue
		}
		if mt.Before(a.traceFirst) || mt.After(a.traceLast) {
			continue
		}
		out = append(out, report.Change{Time: mt, Kind: "config-modified",
			Text: "config file modified: " + e.Path, Origin: e.Path})
	}
	// Changes of unknown zone go last: they have no place on the UTC line.
	sort.SliceStable(out, func(i, j int) bool {
		ki, kj := out[i].ZoneKnown(), out[j].ZoneKnown()
		if ki != kj {
			return ki
		}
		return out[i].Time.Before(out[j].Time)
	})
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown host"
	}
	return s
}

// environment summarises the set-up the bundle shows.
func (a *run) environment(r *report.Report) *report.Environment {
	env := &report.Environment{Hosts: []string{}, CASServers: []string{}, TZOffsets: []string{}}
	for h := range a.hosts {
		env.Hosts = append(env.Hosts, h)
	}
	sort.Strings(env.Hosts)
	env.Processes = a.processRuns
	for off := range a.tzOffsets {
		env.TZOffsets = append(env.TZOffsets, fmtOffset(off))
	}
	sort.Strings(env.TZOffsets)
	// Times written without a zone are read as UTC; the offsets above
	// then say +00:00 where the file said nothing (blind round 2).
	noZone, traces := 0, 0
	for _, in := range a.inputs {
		if in.src.Format == event.FormatTrace && in.rep.Records > 0 {
			traces++
			if in.noZone {
				noZone++
			}
		}
	}
	if noZone > 0 && noZone == traces {
		env.TZOffsets = slices.DeleteFunc(env.TZOffsets, func(s string) bool { return s == fmtOffset(0) })
	}
	if noZone > 0 {
		env.TZOffsets = append(env.TZOffsets, "none written in "+words.Count(noZone, "trace file", "")+
			" (read as UTC: right only if the connector server's clock is UTC; times and syncs near a daylight-saving change may be off)")
	}
	cas := map[string]bool{}
	for _, s := range a.syncs {
		if srv := casServer(s.ExchangeHealth); srv != "" && !cas[strings.ToUpper(srv)] {
			cas[strings.ToUpper(srv)] = true
			env.CASServers = append(env.CASServers, srv)
		}
	}
	for i := len(a.syncs) - 1; i >= 0; i-- {
		if s := a.syncs[i]; s.Kind == "full" && s.Status == "completed" {
			env.Users, env.Devices = s.Users, s.DevicesSynced
			break
		}
	}
	for _, t := range a.tracing {
		if t.Tracing == nil {
			continue
		}
		env.ListenerLevel = t.Tracing.SourceLevel
		env.ListenerLevelMeaning = t.Tracing.Meaning()
		env.FileQuota = t.Tracing.FileQuota
		env.FileSizeQuota = t.Tracing.FileSizeQuota
	}
	for _, s := range a.service {
		if s.Service == nil {
			continue
		}
		env.EWSURL = s.Service.ExchangeWebServiceURL
		env.CASFailover = s.Service.IsCasFailoverEnabled
		env.ParallelCommands = s.Service.EnableParallelCommandSupport
	}
	if env.Devices != nil && *env.Devices >= 5000 && (env.ParallelCommands == nil || !*env.ParallelCommands) && len(a.service) > 0 {
		env.Notes = append(env.Notes, fmt.Sprintf("%d devices synced but EnableParallelCommandSupport is not on: Microsoft recommends it from 5,000 devices", *env.Devices))
	}
	if note := a.deprecationNote(); note != "" {
		env.Notes = append(env.Notes, note)
	}
	if len(env.Hosts) > 1 {
		env.Notes = append(env.Notes, fmt.Sprintf("trace records come from %d computers: only one connector per Exchange organisation is supported per Intune tenant", len(env.Hosts)))
	}
	return env
}

func fmtOffset(sec int32) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	return fmt.Sprintf("%s%02d:%02d", sign, sec/3600, sec%3600/60)
}

// collect lists the evidence the bundle lacks to settle an open question
// of this report, with the exact command that gathers it: nothing on a
// bundle that shows everything working, no user's devices during an
// outage on the Intune side, and never a forced sync past the end of
// support.
func (a *run) collect(r *report.Report) []report.CollectItem {
	has := map[event.Format]bool{}
	for _, in := range a.inputs {
		has[in.src.Format] = true
	}
	var userQ, notifyQ, syncQ, eos, problem bool
	for i := range r.Findings {
		f := &r.Findings[i]
		if f.ID == IDEndOfSupport {
			eos = true
		}
		if !f.Ongoing || f.Severity < report.SeverityWarning {
			continue
		}
		problem = problem || f.Category != "bundle"
		switch f.Category {
		case "discovery", "device", "access":
			userQ = true // a question about users' devices
		case "notify":
			notifyQ = true // a question about the notification account
		case "sync", "service":
			syncQ = true
		}
	}
	connector := a.attr.connectorRecords > 0
	var out []report.CollectItem
	if !connector {
		why := "the bundle has no trace log: the connector's syncs cannot be judged"
		if a.attr.traceRecords > 0 {
			why = "the trace logs in the bundle are another program's"
		}
		out = append(out, report.CollectItem{What: "the connector's trace logs", Why: why,
			Command: `Compress-Archive "$env:ProgramData\Microsoft\Windows Intune Exchange Connector\Logs\*" Logs.zip (on the connector server)`})
	}
	exports := has[event.FormatCmdletList] || has[event.FormatCmdletCSV] || has[event.FormatCmdletCliXML]
	if notifyQ && !exports {
		acct, example := notificationAccount(r)
		why := "the notification account needs an on-premises mailbox whose UPN equals its primary SMTP address"
		if example {
			why += " (put the notification account's address for " + acct + ")"
		}
		out = append(out,
			report.CollectItem{What: "the notification account's mailbox", Why: why,
				Command: fmt.Sprintf("Get-Mailbox -Identity %s | Select-Object UserPrincipalName,PrimarySmtpAddress,RecipientTypeDetails,EmailAddresses | Format-List | Out-File -Encoding utf8 notification-mailbox.txt", acct)},
			report.CollectItem{What: "the ActiveSync organization settings", Why: "with a default access level of Block or Quarantine no activation mail is sent, by design",
				Command: "Get-ActiveSyncOrganizationSettings | Format-List | Out-File -Encoding utf8 orgsettings.txt"})
	}
	if userQ && !exports {
		users, example := a.affectedUser(r)
		why := ""
		if example {
			why = " (put the affected user's address for " + users + ")"
		}
		out = append(out,
			report.CollectItem{What: "the user's ActiveSync devices", Why: "no cmdlet exports: device access states cannot be checked" + why,
				Command: fmt.Sprintf("Get-ActiveSyncDeviceStatistics -Mailbox %s | Format-List * | Out-File -Encoding utf8 devices.txt", users)},
			report.CollectItem{What: "the user's e-mail addresses and UPN", Why: "no cmdlet exports: primary SMTP address vs UPN cannot be compared" + why,
				Command: fmt.Sprintf("Get-Mailbox -Identity %s | Select-Object UserPrincipalName,PrimarySmtpAddress,EmailAddresses | Format-List | Out-File -Encoding utf8 mailbox.txt", users)},
			report.CollectItem{What: "the user's CAS mailbox settings", Why: "no cmdlet exports: ActiveSync enablement cannot be checked" + why,
				Command: fmt.Sprintf("Get-CASMailbox -Identity %s | Format-List | Out-File -Encoding utf8 casmailbox.txt", users)},
		)
	}
	// Why the service stopped: an open question when syncs are wrong now,
	// or when it stopped and something is still wrong; not past the end of
	// support, which explains the stop.
	stops := syncQ || (connector && len(a.syncs) == 0) || (problem && (len(a.restarts) > 0 || len(a.gaps) > 0))
	if stops && !eos && !has[event.FormatEventlogXML] && !has[event.FormatEventlogText] && !has[event.FormatEventlogCSV] && !has[event.FormatEvtx] {
		out = append(out, report.CollectItem{What: "the System event log", Why: "why the service stopped or failed to start (events 7000, 7036, 7041) is only there",
			Command: `wevtutil qe System /q:"*[System[TimeCreated[timediff(@SystemTime) <= 1209600000]]]" /f:xml > System.xml`})
	}
	if connector && !has[event.FormatConfigTracing] && (len(a.syncs) == 0 || len(a.gaps) > 0) {
		out = append(out, report.CollectItem{What: "the tracing configuration", Why: "the listener level decides whether the silence in the logs is by design",
			Command: `Copy-Item "$env:ProgramData\Microsoft\Windows Intune Exchange Connector\TracingConfiguration.xml" .`})
	}
	if connector && !a.verbose() && !eos {
		why := "the listener is below Verbose: sync messages are not logged"
		if len(a.syncs) > 0 {
			why = "the listener is below Verbose: the syncs it shows cannot be checked for missing, slow or unfinished ones"
		}
		out = append(out, report.CollectItem{What: "verbose trace logs", Why: why,
			Command: `In TracingConfiguration.xml set SourceLevel="Verbose ActivityTracing", then Restart-Service WIEC, force a full sync from the Intune console, collect the Logs folder again, and set the level back`})
	}
	if connector && !eos && a.traceLast.Sub(a.traceFirst) < 24*time.Hour {
		out = append(out, report.CollectItem{What: "more trace log history", Why: "the logs cover less than a day: the daily full sync cannot be judged",
			Command: `Compress-Archive "$env:ProgramData\Microsoft\Windows Intune Exchange Connector\Logs\*" Logs.zip (all Connector*.log files, not only the newest)`})
	}
	return out
}

const addressPat = `[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`

var (
	addressRe    = regexp.MustCompile(addressPat)
	notifyAcctRe = regexp.MustCompile(`(?i)notification account\s*[:=]?\s*<?(` + addressPat + `)`)
	recipientRe  = regexp.MustCompile(`(?i)\bto\s*[:=]?\s*<?(` + addressPat + `)`)
)

// notificationAccount names the notification account from the service
// configuration, else from the evidence ("... notification account
// intune.notify@contoso.com ..."), else a placeholder, marked so: never an
// address the bundle does not hold (blind round 3 printed a ready-to-run
// command for notify@contoso.com in a fabrikam.com bundle).
func notificationAccount(r *report.Report) (string, bool) {
	if r.Environment != nil && r.Environment.NotificationAccount != nil && r.Environment.NotificationAccount.Account != "" {
		return r.Environment.NotificationAccount.Account, false
	}
	for _, f := range r.Findings {
		if f.Category != "notify" {
			continue
		}
		for _, ev := range f.Evidence {
			if m := notifyAcctRe.FindStringSubmatch(ev.Text); m != nil {
				return m[1], false
			}
		}
	}
	return "<notification-account>", true
}

// notificationAccounts are the notification accounts the service
// configuration and the notify findings' evidence name.
func (a *run) notificationAccounts(fs []report.Finding) []string {
	var out []string
	for _, s := range a.service {
		if s.Service != nil && s.Service.Notification != nil && s.Service.Notification.Account != "" {
			out = append(out, s.Service.Notification.Account)
		}
	}
	for _, f := range fs {
		if f.Category != "notify" {
			continue
		}
		for _, ev := range f.Evidence {
			if m := notifyAcctRe.FindStringSubmatch(ev.Text); m != nil && !slices.Contains(out, m[1]) {
				out = append(out, m[1])
			}
		}
	}
	return out
}

// affectedUser names the user the evidence points at: a user with
// problems in the exports, else an address in the evidence of an ongoing
// user-level finding; else an example address, marked so.
func (a *run) affectedUser(r *report.Report) (user string, example bool) {
	if r.Inventory != nil && len(r.Inventory.UsersWithProblems) > 0 {
		return r.Inventory.UsersWithProblems[0].User, false
	}
	for _, f := range r.Findings {
		if !f.Ongoing {
			continue
		}
		switch f.Category {
		case "notify", "discovery", "device", "access":
		default:
			continue
		}
		for _, ev := range f.Evidence {
			if m := recipientRe.FindStringSubmatch(ev.Text); m != nil {
				return m[1], false
			}
			if notifyAcctRe.MatchString(ev.Text) {
				continue // the address is the notification account's
			}
			if m := addressRe.FindString(ev.Text); m != "" {
				return m, false
			}
		}
	}
	return "<user>", true
}

// doneInBundle rewrites advice that asks for what the bundle shows done:
// with ExchangeWebServiceURL set in the service config, an Autodiscover
// failure still happening cannot be fixed by setting it (issue 16.9);
// with EnableParallelCommandSupport true, slow syncs are not fixed by
// setting it.
func (a *run) doneInBundle(fs []report.Finding) {
	ews, parallel := "", false
	for _, s := range a.service {
		if s.Service != nil && s.Service.ExchangeWebServiceURL != "" {
			ews = s.Service.ExchangeWebServiceURL
		}
		if s.Service != nil && s.Service.EnableParallelCommandSupport != nil {
			parallel = *s.Service.EnableParallelCommandSupport
		}
	}
	for i := range fs {
		if fs[i].ID == session.IDSlow && parallel {
			fs[i].Remedy = session.SlowRemedy(true)
		}
		if fs[i].ID == "notify.autodiscover-failed" && fs[i].Ongoing && ews != "" {
			fs[i].Remedy = "ExchangeWebServiceURL is already set in the service config (" + ews + "), so the connector should not need Autodiscover: " +
				"if these failures continue after the URL was set, restart the WIEC service so that it reads the config, and check that the URL answers from the connector server. " +
				"The notification account needs an on-premises mailbox whose UPN equals its SMTP address."
		}
	}
}
