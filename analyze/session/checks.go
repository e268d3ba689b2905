package session

import (
	"exlog/internal/words"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"exlog/analyze/check"
	"exlog/report"
)

// Docs is the Microsoft troubleshooting page every sync finding links to.
const Docs = "https://learn.microsoft.com/en-us/troubleshoot/mem/intune/device-protection/troubleshoot-exchange-connector"

// Gap rule: a gap between quick syncs is flagged when it exceeds
// max(quickGapFactor × cadence, cadence + quickGapSlack): more than one
// scheduled run missed (with 10 % jitter tolerance), and at least two hours
// late for fast cadences. minQuickIntervals is how many intervals the
// inference needs before it is trusted.
const (
	quickGapFactor    = 2.2
	quickGapSlack     = 2 * time.Hour
	minQuickIntervals = 3
	minSlowPeers      = 3
)

// Cadence is what the sessions show about the schedule.
type Cadence struct {
	// QuickMedian is the median interval between consecutive quick-sync
	// starts; 0 when there are fewer than two quick syncs.
	QuickMedian time.Duration
	// QuickIntervals is the number of intervals QuickMedian is built on.
	QuickIntervals int
	// QuickCount and FullCount count sessions of each kind, any status.
	QuickCount, FullCount int
	// FullTimeOfDay is the UTC time of day of each full-sync start, in
	// start order.
	FullTimeOfDay []time.Duration
	// LastFull is the most recent *completed* full sync, nil if none.
	LastFull *report.Sync
}

// ObservedCadence infers the schedule from the sessions (any order).
// Sessions of all hosts are pooled: report.Sync carries no host.
func ObservedCadence(syncs []report.Sync) Cadence {
	var c Cadence
	var quick []time.Time
	for i := range syncs {
		s := &syncs[i]
		switch s.Kind {
		case report.SyncQuick:
			c.QuickCount++
			quick = append(quick, s.Start)
		case report.SyncFull:
			c.FullCount++
		}
	}
	full := sortedByStart(syncs, report.SyncFull)
	for _, s := range full {
		t := s.Start.UTC()
		c.FullTimeOfDay = append(c.FullTimeOfDay, t.Sub(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)))
		if s.Status == StatusCompleted {
			cp := *s
			c.LastFull = &cp
		}
	}
	slices.SortFunc(quick, time.Time.Compare)
	var iv []time.Duration
	for i := 1; i < len(quick); i++ {
		if d := quick[i].Sub(quick[i-1]); d > 0 {
			iv = append(iv, d)
		}
	}
	c.QuickIntervals = len(iv)
	c.QuickMedian = median(iv)
	return c
}

// Rules are the ids Checks raises, each declared beside the code that
// raises it. What the sessions show of the schedule is a fact, not a
// finding: see ObservedCadence.
var Rules = []check.Rule{ruleQuickGap, ruleUnfinished, ruleFailed, ruleFullOverdue, ruleSlow, ruleCoverageShort}

// Checks computes the Go-side sync findings from the sessions (Rules).
// firstRecord and lastRecord bound the trace logs' covered window (zero =
// unknown, treated as no coverage).
//
// Honesty rules:
//   - verbose=false means the listener level hides sync messages: only
//     sync.failed for failures actually seen is reported (positive
//     evidence); nothing that depends on seeing every sync (gaps, cadence,
//     unfinished, slowness, coverage) — the analyzer reports
//     logging.not-verbose instead.
//   - When the window is shorter than FullInterval+Grace, sync.coverage-short
//     says so and nothing is called overdue.
//   - One cause, one finding: a full sync that started on schedule and
//     completed late is sync.slow, never also sync.full-overdue (see
//     fullOverdue).
//   - A session cut by the end of the logs that has run no longer than a
//     sync of its kind normally takes (the slow bound, or the longest
//     completed one of its kind, whichever is larger) is "running at the
//     end of the logs", not flagged (stillRunning).
//
// Findings are sorted by severity (highest first), then id, then key.
func Checks(syncs []report.Sync, firstRecord, lastRecord time.Time, verbose bool, opt Options) []report.Finding {
	opt = opt.withDefaults()
	var out []report.Finding
	if !verbose {
		out = append(out, failedFindings(syncs)...)
		sortFindings(out)
		return out
	}
	cad := ObservedCadence(syncs)
	var coverage time.Duration
	if !firstRecord.IsZero() && !lastRecord.IsZero() && lastRecord.After(firstRecord) {
		coverage = lastRecord.Sub(firstRecord)
	}
	if need := opt.FullInterval + opt.Grace; coverage < need {
		out = append(out, coverageFinding(coverage, need, firstRecord, lastRecord, cad))
	}
	if f, ok := quickGapFinding(syncs, firstRecord, lastRecord, cad, opt); ok {
		out = append(out, f)
	}
	out = append(out, slowFindings(syncs, opt)...)
	if f, ok := fullOverdue(syncs, firstRecord, lastRecord, opt); ok {
		out = append(out, f)
	}
	out = append(out, unfinishedFindings(syncs, lastRecord, opt)...)
	out = append(out, failedFindings(syncs)...)
	sortFindings(out)
	return out
}

// IDCoverageShort is raised by coverageFinding.
const IDCoverageShort = "sync.coverage-short"

var ruleCoverageShort = check.Rule{ID: IDCoverageShort, Title: "Logs cover too little time to judge the schedule", Severity: report.SeverityInfo}

func coverageFinding(coverage, need time.Duration, first, last time.Time, cad Cadence) report.Finding {
	title := fmt.Sprintf("Trace logs cover only %s (less than %s): too little to judge the sync schedule, so no sync is called overdue", formatDuration(coverage), formatDuration(need))
	if coverage == 0 {
		title = "The covered window of the trace logs is unknown or empty: the sync schedule cannot be judged, so no sync is called overdue"
	}
	if cad.FullCount+cad.QuickCount > 0 {
		title += fmt.Sprintf(" (%d full, %d quick syncs seen)", cad.FullCount, cad.QuickCount)
	}
	f := newFinding(IDCoverageShort, "", title, report.SeverityInfo,
		"Collect every Connector*.log / *.svclog file from the connector's Logs folder covering at least two days; if the files rotate away too fast, raise FileSizeQuotaInBytes/FileQuota in TracingConfiguration.xml.")
	f.Count = 1
	if !first.IsZero() {
		f.First = timePtr(first)
	}
	if !last.IsZero() {
		f.Last = timePtr(last)
	}
	return f
}

// IDQuickGap is raised by quickGapFinding.
const IDQuickGap = "sync.quick-gap"

var ruleQuickGap = check.Rule{ID: IDQuickGap, Title: "A gap between quick syncs far beyond the observed cadence", Severity: report.SeverityWarning}

func quickGapFinding(syncs []report.Sync, first, last time.Time, cad Cadence, opt Options) (report.Finding, bool) {
	cadence, how := opt.QuickInterval, "set by option"
	if cadence == 0 {
		if cad.QuickIntervals < minQuickIntervals {
			return report.Finding{}, false
		}
		cadence, how = cad.QuickMedian, "observed median"
	}
	limit := max(time.Duration(float64(cadence)*quickGapFactor), cadence+quickGapSlack)
	quick := sortedByStart(syncs, report.SyncQuick)
	type gap struct {
		from, to    time.Time
		after, next *report.Sync // syncs around the gap; nil at the window's edges
	}
	// A completed full sync covers every user, so the time one ran is not
	// missing quick syncs: it does not count towards a gap (blind round 2:
	// quick syncs paused for a two-hour full sync were flagged).
	full := sortedByStart(syncs, report.SyncFull)
	missed := func(from, to time.Time) time.Duration {
		d := to.Sub(from)
		for _, s := range full {
			if s.Status == StatusCompleted && s.End != nil {
				lo, hi := s.Start, *s.End
				if lo.Before(from) {
					lo = from
				}
				if hi.After(to) {
					hi = to
				}
				d -= max(0, hi.Sub(lo))
			}
		}
		return d
	}
	var gaps []gap
	prev := first
	var prevSync *report.Sync
	for _, s := range quick {
		if !prev.IsZero() && missed(prev, s.Start) > limit {
			gaps = append(gaps, gap{prev, s.Start, prevSync, s})
		}
		prev, prevSync = s.Start, s
	}
	if !prev.IsZero() && !last.IsZero() && missed(prev, last) > limit {
		gaps = append(gaps, gap{prev, last, prevSync, nil})
	}
	if len(gaps) == 0 {
		return report.Finding{}, false
	}
	longest := time.Duration(0)
	for _, g := range gaps {
		longest = max(longest, g.to.Sub(g.from))
	}
	// The title says the rule in words, with its numbers, for an
	// Exchange admin; the formula (limit = max(quickGapFactor × cadence,
	// cadence + quickGapSlack)) is in the comment on quickGapFactor.
	usual := fmt.Sprintf("quick syncs run every %s here (the median gap between them)", formatDuration(cadence))
	if how != "observed median" {
		usual = fmt.Sprintf("quick syncs should run every %s (set by option)", formatDuration(cadence))
	}
	title := fmt.Sprintf("%d gaps between quick syncs, the longest %s: %s, so each gap missed more than one run (exlog flags a gap longer than %s)",
		len(gaps), formatDuration(longest), usual, formatDuration(limit))
	if len(gaps) == 1 {
		title = fmt.Sprintf("No quick sync for %s: %s, so more than one run was missed (exlog flags a gap longer than %s)",
			formatDuration(longest), usual, formatDuration(limit))
	}
	f := newFinding(IDQuickGap, "", title, report.SeverityWarning,
		"Check whether the connector service was running and could reach Exchange (remote PowerShell to the CAS) and the Intune service during the gap: look at errors and service restarts around it, then force a quick sync from the Intune console and confirm it completes.")
	f.Count = len(gaps)
	f.First, f.Last = timePtr(gaps[0].from), timePtr(gaps[len(gaps)-1].to)
	for _, g := range gaps {
		if len(f.Evidence) == report.MaxEvidence {
			break
		}
		text := fmt.Sprintf("no quick sync from %s to %s (%s)", g.from.UTC().Format(time.RFC3339), g.to.UTC().Format(time.RFC3339), formatDuration(g.to.Sub(g.from)))
		if m := missed(g.from, g.to); m < g.to.Sub(g.from) {
			text += fmt.Sprintf("; a full sync ran for %s of it", formatDuration(g.to.Sub(g.from)-m))
		}
		ev := report.Evidence{Time: timePtr(g.from)}
		switch {
		case g.after != nil:
			ev.Origin = g.after.Origin
			text += "; the last quick sync before it started here"
		case g.next != nil:
			ev.Origin = g.next.Origin
			text += "; counted from the first trace record to the first quick sync, which started here"
		default:
			text += "; no quick sync in the whole window"
		}
		ev.Text = text
		f.Evidence = append(f.Evidence, ev)
	}
	return f, true
}

// slowRule judges the slowness of completed syncs of one kind, against
// peers and against a bound that does not move with the data.
type slowRule struct {
	relative bool          // enough peers (minSlowPeers completed syncs)
	med      time.Duration // their median
	rel      time.Duration // max(SlowFactor × median, slowMinimum)
	opt      Options
}

func newSlowRule(durations []time.Duration, opt Options) slowRule {
	r := slowRule{opt: opt}
	if len(durations) >= minSlowPeers {
		r.relative = true
		r.med = median(durations)
		r.rel = max(time.Duration(float64(r.med)*opt.SlowFactor), slowMinimum)
	}
	return r
}

// AbsoluteSlowBound is the duration above which a sync reporting users
// users is slow whatever its peers: max(DefaultSlowAbsolute,
// SlowPerUser × users), or opt.SlowAbsolute when set (0 when negative:
// no bound). Why a bound that does not move with the data: when every
// sync is slow, the median is slow too and peers flag nothing (a
// 6,400-user tenant whose full syncs all took 4–7 h). Microsoft publishes
// no expected duration; ours is that a daily sync should finish in 2 h,
// with 1 s per reported user for tenants above 7,200 users (the connector
// reads each user's devices through one remote PowerShell session to the
// CAS: a second per user is generous for a healthy CAS on the same LAN).
func AbsoluteSlowBound(users *int, opt Options) time.Duration {
	switch {
	case opt.SlowAbsolute < 0:
		return 0
	case opt.SlowAbsolute > 0:
		return opt.SlowAbsolute
	}
	b := DefaultSlowAbsolute
	if users != nil && *users > 0 {
		b = max(b, time.Duration(*users)*SlowPerUser)
	}
	return b
}

// limit is the duration above which a sync of this kind reporting users
// is slow (0: no bound applies).
func (r slowRule) limit(users *int) time.Duration {
	abs := AbsoluteSlowBound(users, r.opt)
	switch {
	case r.relative && abs > 0:
		return min(r.rel, abs)
	case r.relative:
		return r.rel
	}
	return abs
}

// absText says the absolute bound in words, with its numbers (the
// formula is on AbsoluteSlowBound).
func (r slowRule) absText() string {
	switch {
	case r.opt.SlowAbsolute < 0:
		return ""
	case r.opt.SlowAbsolute > 0:
		return "any sync over " + formatDuration(r.opt.SlowAbsolute) + " is slow too (set by option)"
	}
	users := int(DefaultSlowAbsolute / SlowPerUser)
	per := formatDuration(SlowPerUser) + " per user"
	if SlowPerUser == time.Second {
		per = "a second per user"
	}
	return fmt.Sprintf("any sync over %s is slow too, plus %s above %s users (exlog's own bound: Microsoft gives no figure)",
		formatDuration(DefaultSlowAbsolute), per, words.Thousands(users))
}

func completedDurations(syncs []report.Sync, kind report.SyncKind) []time.Duration {
	var ds []time.Duration
	for _, s := range syncs {
		if s.Kind == kind && s.Status == StatusCompleted && s.DurationS != nil {
			ds = append(ds, time.Duration(*s.DurationS*float64(time.Second)))
		}
	}
	return ds
}

// MarkSlow sets Slow on every completed sync that is slow against its
// peers of the same kind or against AbsoluteSlowBound, and clears it on
// the others. It is the one place that judges slowness: sync.slow and
// the outputs read the flag. Builder.Finish calls it; calling it again
// with the same options changes nothing.
func MarkSlow(syncs []report.Sync, opt Options) {
	opt = opt.withDefaults()
	rules := map[report.SyncKind]slowRule{}
	for _, k := range report.SyncKinds {
		rules[k] = newSlowRule(completedDurations(syncs, k), opt)
	}
	for i := range syncs {
		s := &syncs[i]
		s.Slow = false
		r, ok := rules[s.Kind]
		if !ok || s.Status != StatusCompleted || s.DurationS == nil {
			continue
		}
		if l := r.limit(s.Users); l > 0 && time.Duration(*s.DurationS*float64(time.Second)) > l {
			s.Slow = true
		}
	}
}

// IDSlow is raised by slowFindings.
const IDSlow = "sync.slow"

var ruleSlow = check.Rule{ID: IDSlow, Title: "A sync far slower than its peers or an absolute bound", Severity: report.SeverityWarning}

func slowFindings(syncs []report.Sync, opt Options) []report.Finding {
	MarkSlow(syncs, opt)
	var out []report.Finding
	for _, kind := range report.SyncKinds {
		r := newSlowRule(completedDurations(syncs, kind), opt)
		var slow []*report.Sync
		completed := 0
		shortest, longest := time.Duration(0), time.Duration(0)
		for _, s := range sortedByStart(syncs, kind) {
			if s.Status != StatusCompleted || s.DurationS == nil {
				continue
			}
			completed++
			if !s.Slow {
				continue
			}
			d := time.Duration(*s.DurationS * float64(time.Second))
			slow = append(slow, s)
			if shortest == 0 || d < shortest {
				shortest = d
			}
			longest = max(longest, d)
		}
		if len(slow) == 0 {
			continue
		}
		// The rule in words, with its numbers (the formula: slow above
		// max(SlowFactor × median, slowMinimum), or above
		// AbsoluteSlowBound, whichever is lower).
		var rules []string
		absOnly := r.relative && r.rel > longest // no sync is slow against its peers: only the absolute bound flagged them
		if r.relative && !absOnly {
			times := fmt.Sprintf(" (%s times as long)", strconv.FormatFloat(opt.SlowFactor, 'f', -1, 64))
			if r.rel == slowMinimum {
				times = "" // the floor, not the factor, set it
			}
			rules = append(rules, fmt.Sprintf("%s syncs here usually take %s and one taking over %s%s is slow",
				kind, formatDuration(r.med), formatDuration(r.rel), times))
		} else if !r.relative {
			rules = append(rules, fmt.Sprintf("too few completed %s syncs (%d) to compare them with each other", kind, completed))
		}
		if a := r.absText(); a != "" {
			if absOnly {
				a = strings.Replace(a, " is slow too,", " is slow,", 1)
			}
			rules = append(rules, a)
		}
		rule := strings.Join(rules, "; ")
		var title string
		if len(slow) == completed && completed > 1 {
			title = fmt.Sprintf("All %d %s syncs took %s–%s, longer than exlog's bound: %s", completed, kind, formatDuration(shortest), formatDuration(longest), rule)
			if r.relative && r.rel < shortest {
				title = fmt.Sprintf("All %d %s syncs took %s–%s: %s", completed, kind, formatDuration(shortest), formatDuration(longest), rule)
			}
		} else if len(slow) == 1 {
			title = fmt.Sprintf("1 %s sync far slower than expected: it took %s; %s", kind, formatDuration(longest), rule)
		} else {
			title = fmt.Sprintf("%d %s syncs far slower than expected, the longest %s; %s", len(slow), kind, formatDuration(longest), rule)
		}
		f := newFinding(IDSlow, string(kind), title, report.SeverityWarning, SlowRemedy(false))
		f.Count = len(slow)
		f.First, f.Last = timePtr(slow[0].Start), timePtr(slow[len(slow)-1].Start)
		for _, s := range slow {
			if len(f.Evidence) == report.MaxEvidence {
				break
			}
			ev := lastEvidence(s)
			ev.Text = fmt.Sprintf("%s sync took %s: %s", kind, formatDuration(time.Duration(*s.DurationS*float64(time.Second))), ev.Text)
			f.Evidence = append(f.Evidence, ev)
		}
		out = append(out, f)
	}
	return out
}

// SlowRemedy is sync.slow's advice. parallelOn: the service config
// already shows EnableParallelCommandSupport true, so it is not advised
// again (the analyzer rewrites the remedy when the bundle shows it).
func SlowRemedy(parallelOn bool) string {
	parallel := "for 5,000 devices or more set EnableParallelCommandSupport; "
	if parallelOn {
		parallel = "EnableParallelCommandSupport is already true in the service config, so parallel commands are on; "
	}
	return "Slow syncs usually come from the Exchange side: point the connector at the nearest, least loaded CAS; " + parallel +
		"look for throttling (MaxConcurrency) and timeouts in the same window."
}

// IDUnfinished is raised by unfinishedFindings.
const IDUnfinished = "sync.unfinished"

var ruleUnfinished = check.Rule{ID: IDUnfinished, Title: "A sync that started and never completed", Severity: report.SeverityError}

func unfinishedFindings(syncs []report.Sync, last time.Time, opt Options) []report.Finding {
	var out []report.Finding
	for _, kind := range report.SyncKinds {
		done := completedDurations(syncs, kind)
		rule := newSlowRule(done, opt)
		longest := time.Duration(0)
		for _, d := range done {
			longest = max(longest, d)
		}
		var list []*report.Sync
		reasons := map[string]int{}
		for _, s := range sortedByStart(syncs, kind) {
			if s.Status != StatusUnfinished {
				continue
			}
			if stillRunning(s, last, rule.limit(s.Users), longest) {
				continue // running at the end of the logs: not a fault
			}
			list = append(list, s)
			reasons[reasonHead(s.Reason)]++
		}
		if len(list) == 0 {
			continue
		}
		var rs []string
		for _, r := range []string{ReasonSuperseded, ReasonRestarted, ReasonLogsEnd} {
			if n := reasons[r]; n > 0 {
				what := r
				if r == ReasonLogsEnd {
					what = "still running when the logs end" // "1 logs end before completion" reads wrong
				}
				rs = append(rs, fmt.Sprintf("%d %s", n, what))
			}
		}
		title := fmt.Sprintf("%s started and never completed (%s)", words.Count(len(list), string(kind)+" sync", ""), strings.Join(rs, ", "))
		sev := report.SeverityWarning
		if kind == report.SyncFull {
			sev = report.SeverityError
		}
		f := newFinding(IDUnfinished, string(kind), title, sev,
			"A sync that starts and never completes usually hangs on remote PowerShell to the CAS or is cut by a service restart: read the errors after its start, check the CAS and WinRM, restart the Exchange Connector service and force a sync from the Intune console.")
		f.Count = len(list)
		f.First, f.Last = timePtr(list[0].Start), timePtr(list[len(list)-1].Start)
		for _, s := range list {
			if len(f.Evidence) == report.MaxEvidence {
				break
			}
			ev := firstEvidence(s)
			ev.Text = s.Reason + ": " + ev.Text
			f.Evidence = append(f.Evidence, ev)
		}
		out = append(out, f)
	}
	return out
}

// stillRunning reports whether s, cut by the end of the logs (last), had
// run no longer than a sync of its kind normally takes: the slow bound
// (limit, 0 = none) or the longest completed sync of its kind in the same
// logs, whichever is larger. Such a sync is "running at the end of the
// logs", neither a failure nor an error (a full sync 4h51m in, when the
// earlier ones took 4–7 h). Without a bound and without a completed peer
// nothing says it is overdue, so it counts as running too.
func stillRunning(s *report.Sync, last time.Time, limit, longest time.Duration) bool {
	if s.Status != StatusUnfinished || !strings.HasPrefix(s.Reason, ReasonLogsEnd) || last.IsZero() {
		return false
	}
	normal := max(limit, longest)
	return normal <= 0 || last.Sub(s.Start) <= normal
}

// IDFailed is raised by failedFindings.
const IDFailed = "sync.failed"

var ruleFailed = check.Rule{ID: IDFailed, Title: "A sync that ended in failure", Severity: report.SeverityError}

func failedFindings(syncs []report.Sync) []report.Finding {
	var out []report.Finding
	for _, kind := range report.SyncKinds {
		var list []*report.Sync
		for _, s := range sortedByStart(syncs, kind) {
			if s.Status == StatusFailed {
				list = append(list, s)
			}
		}
		if len(list) == 0 {
			continue
		}
		first := failureEvidence(list[0])
		title := fmt.Sprintf("%s failed (first: %s)", words.Count(len(list), string(kind)+" sync", ""), truncate(oneLine(first.Text), 160))
		f := newFinding(IDFailed, string(kind), title, report.SeverityError,
			"Read the error in the evidence: remote PowerShell/WinRM failures point at the CAS or the connector account's rights, HTTP 401/403/407 and TLS errors at the Intune service or a proxy. Fix the cause, then force a sync from the Intune console and confirm it completes.")
		f.Count = len(list)
		f.First, f.Last = timePtr(list[0].Start), timePtr(list[len(list)-1].Start)
		for _, s := range list {
			if len(f.Evidence) == report.MaxEvidence {
				break
			}
			f.Evidence = append(f.Evidence, failureEvidence(s))
		}
		out = append(out, f)
	}
	return out
}

// failureEvidence is the record that shows why s failed: its first
// evidence after the start (an error record, a Stop, the failure
// message), else its start with the reason.
func failureEvidence(s *report.Sync) report.Evidence {
	if len(s.Evidence) > 1 {
		return s.Evidence[1]
	}
	ev := firstEvidence(s)
	if s.Reason != "" {
		ev.Text = s.Reason + ": " + ev.Text
	}
	return ev
}

func firstEvidence(s *report.Sync) report.Evidence {
	if len(s.Evidence) > 0 {
		return s.Evidence[0]
	}
	return report.Evidence{Origin: s.Origin, Time: timePtr(s.Start), Text: string(s.Kind) + " sync"}
}

func lastEvidence(s *report.Sync) report.Evidence {
	if len(s.Evidence) > 0 {
		return s.Evidence[len(s.Evidence)-1]
	}
	return firstEvidence(s)
}

func reasonHead(r string) string {
	for _, p := range []string{ReasonSuperseded, ReasonRestarted, ReasonLogsEnd} {
		if strings.HasPrefix(r, p) {
			return p
		}
	}
	return r
}

func newFinding(id, key, title string, sev report.Severity, remedy string) report.Finding {
	return report.Finding{
		ID: id, Key: key, Title: title, Severity: sev, Category: "sync",
		Remedy: remedy, Docs: Docs, Source: "check", Evidence: []report.Evidence{},
	}
}

func sortFindings(fs []report.Finding) {
	slices.SortStableFunc(fs, func(a, b report.Finding) int {
		if a.Severity != b.Severity {
			return int(b.Severity) - int(a.Severity)
		}
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
}

// sortedByStart returns pointers to the sessions of one kind in start order.
func sortedByStart(syncs []report.Sync, kind report.SyncKind) []*report.Sync {
	var out []*report.Sync
	for i := range syncs {
		if syncs[i].Kind == kind {
			out = append(out, &syncs[i])
		}
	}
	slices.SortStableFunc(out, func(a, b *report.Sync) int { return a.Start.Compare(b.Start) })
	return out
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func oneLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

func timePtr(t time.Time) *time.Time { return &t }

// overdueWindow is a stretch of the covered window without a full-sync
// start (started) or without a full-sync completion (!started).
type overdueWindow struct {
	from, to time.Time
	started  bool
	after    *report.Sync // the sync that opens the window; nil at the window's start
	attempts int          // full syncs that started inside and did not complete
}

// IDFullOverdue is raised by fullOverdue.
const IDFullOverdue = "sync.full-overdue"

var ruleFullOverdue = check.Rule{ID: IDFullOverdue, Title: "No full sync started, or none completed, within a day plus grace", Severity: report.SeverityError}

// fullOverdue is sync.full-overdue: a schedule miss, judged from the
// sessions (it needs starts and the typical duration, which the pattern
// language cannot express). Two rules, each window saying which:
//
//   - not started: no full sync started within FullInterval + Grace
//     (counted from the first trace record, between starts, up to the last
//     record);
//   - not completed: no full sync completed within FullInterval + Grace +
//     the typical (median) duration of a completed full sync here. A
//     window that ends with the completion of a sync that itself started
//     on schedule is skipped: that sync was slow (sync.slow judges it), not
//     missed; likewise at the end of the logs a sync started on schedule
//     and still running (sync.unfinished judges it). A window inside a
//     not-started window is the same cause and is not repeated.
//
// Nothing is judged when the covered window is shorter than FullInterval
// + Grace (sync.coverage-short says so).
func fullOverdue(syncs []report.Sync, first, last time.Time, opt Options) (report.Finding, bool) {
	limit := opt.FullInterval + opt.Grace
	if first.IsZero() || last.IsZero() || last.Sub(first) < limit {
		return report.Finding{}, false
	}
	full := sortedByStart(syncs, report.SyncFull)
	typical := median(completedDurations(syncs, report.SyncFull))
	climit := limit + typical

	// due is when the full sync after p should start: a full interval
	// after p started, or when p ended if it ran longer than that (one full
	// sync runs at a time: blind round 4's 27–29 h full syncs, each started
	// minutes after the previous one ended, were "not started for 29h").
	due := func(p *report.Sync) time.Time {
		if p == nil {
			return first.Add(opt.FullInterval)
		}
		d := p.Start.Add(opt.FullInterval)
		if p.End != nil && p.End.After(d) {
			d = *p.End
		}
		return d
	}
	var ws []overdueWindow
	// not started
	prev, after := first, (*report.Sync)(nil)
	prevDue := due(nil)
	for _, s := range full {
		if s.Start.Sub(prevDue) > opt.Grace {
			ws = append(ws, overdueWindow{from: prev, to: s.Start, started: true, after: after})
		}
		if s.Start.After(prev) {
			prev = s.Start
		}
		if d := due(s); d.After(prevDue) {
			prevDue = d
		}
		after = s
	}
	if last.Sub(prevDue) > opt.Grace {
		ws = append(ws, overdueWindow{from: prev, to: last, started: true, after: after})
	}
	nStarted := len(ws)
	inStartWindow := func(from, to time.Time) bool {
		for _, w := range ws[:nStarted] {
			if from.Before(w.to) && to.After(w.from) {
				return true
			}
		}
		return false
	}
	// onSchedule: the full sync following p (index i in full) started
	// within limit of p's start (or of the first record when p is nil).
	onSchedule := func(i int, p *report.Sync) bool {
		if i < 0 || i >= len(full) {
			return false
		}
		return full[i].Start.Sub(due(p)) <= opt.Grace
	}
	// not completed
	prevEnd, prevIdx := first, -1
	var prevSync *report.Sync
	attempts := func(from, to time.Time) int {
		n := 0
		for _, s := range full {
			if s.Start.After(from) && s.Start.Before(to) && s.Status != StatusCompleted {
				n++
			}
		}
		return n
	}
	for i, s := range full {
		if s.Status != StatusCompleted || s.End == nil {
			continue
		}
		if s.End.Sub(prevEnd) > climit && !(i == prevIdx+1 && onSchedule(i, prevSync)) && !inStartWindow(prevEnd, *s.End) {
			ws = append(ws, overdueWindow{from: prevEnd, to: *s.End, after: prevSync, attempts: attempts(prevEnd, *s.End)})
		}
		if s.End.After(prevEnd) {
			prevEnd = *s.End
		}
		prevSync, prevIdx = s, i
	}
	if last.Sub(prevEnd) > climit {
		next := prevIdx + 1
		running := next == len(full)-1 && full[next].Status == StatusUnfinished &&
			strings.HasPrefix(full[next].Reason, ReasonLogsEnd) && onSchedule(next, prevSync)
		if !running && !inStartWindow(prevEnd, last) {
			ws = append(ws, overdueWindow{from: prevEnd, to: last, after: prevSync, attempts: attempts(prevEnd, last)})
		}
	}
	if len(ws) == 0 {
		return report.Finding{}, false
	}
	slices.SortStableFunc(ws, func(a, b overdueWindow) int { return a.from.Compare(b.from) })
	var longStart, longDone time.Duration
	nDone := 0
	for _, w := range ws {
		if w.started {
			longStart = max(longStart, w.to.Sub(w.from))
		} else {
			nDone++
			longDone = max(longDone, w.to.Sub(w.from))
		}
	}
	// In words for the admin: the rule is interval + grace for a start,
	// and the median full-sync duration on top for a completion.
	rule := fmt.Sprintf(": a full sync is due every %s and exlog allows %s of lateness", formatDuration(opt.FullInterval), formatDuration(opt.Grace))
	if nDone > 0 {
		rule += fmt.Sprintf(", plus the %s a full sync usually takes here to complete", formatDuration(typical))
	}
	var parts []string
	if nStarted > 0 {
		parts = append(parts, fmt.Sprintf("no full sync started for %s", formatDuration(longStart)))
	}
	if nDone > 0 {
		parts = append(parts, fmt.Sprintf("no full sync completed for %s", formatDuration(longDone)))
	}
	title := strings.ToUpper(parts[0][:1]) + parts[0][1:]
	if len(parts) > 1 {
		title += "; " + parts[1]
	}
	if len(ws) > 1 {
		title += fmt.Sprintf(" (%d windows, longest shown)", len(ws))
	}
	title += rule
	f := newFinding(IDFullOverdue, "", title, report.SeverityError,
		"The daily full sync did not run or did not complete: look for unfinished or failed full syncs and errors in that window (remote PowerShell to the CAS, the Intune service, proxy), check that the connector service runs, then force a full sync from the Intune console and confirm it completes.")
	f.Count = len(ws)
	f.First, f.Last = timePtr(ws[0].from), timePtr(ws[len(ws)-1].to)
	for _, w := range ws {
		if len(f.Evidence) == report.MaxEvidence {
			break
		}
		what := "started"
		if !w.started {
			what = "completed"
		}
		text := fmt.Sprintf("no full sync %s from %s to %s (%s)", what, w.from.UTC().Format(time.RFC3339), w.to.UTC().Format(time.RFC3339), formatDuration(w.to.Sub(w.from)))
		ev := report.Evidence{Time: timePtr(w.from)}
		switch {
		case w.after != nil && w.started:
			ev = firstEvidence(w.after)
			text += "; the last full sync started here"
		case w.after != nil:
			ev = lastEvidence(w.after)
			text += "; the last completed one before it"
		default:
			text += "; counted from the first trace record"
		}
		if w.attempts > 0 {
			if w.attempts == 1 {
				text += "; 1 full sync attempt inside it did not complete"
			} else {
				text += fmt.Sprintf("; %d full sync attempts inside it did not complete", w.attempts)
			}
		}
		ev.Text = text
		f.Evidence = append(f.Evidence, ev)
	}
	return f, true
}
