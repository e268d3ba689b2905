package output

import (
	"bufio"
	"exlog/internal/words"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"exlog/event"
	"exlog/internal/termsafe"
	"exlog/report"
	"exlog/report/baseline"
)

// Text writes the report for a person reading a terminal: the findings
// first, then syncs, what was read, skipped and warned about.
func Text(w io.Writer, r *report.Report, opt Options) error {
	// Every byte goes through a termsafe.Writer: log text cannot drive
	// the terminal; the palette's colours are the Writer's own markers.
	sw := termsafe.NewWriter(w)
	bw := bufio.NewWriter(sw)
	t := &textWriter{w: bw, p: newPalette(opt.Color, sw)}
	t.header(r, opt)
	t.verdict(r)
	t.findings(r)
	t.resolved(r)
	t.changes(r)
	t.syncs(r)
	t.environment(r)
	t.inventory(r)
	t.collect(r)
	t.unmatched(r)
	t.notConnector(r)
	t.inputs(r)
	t.skipped(r)
	t.warnings(r)
	if err := bw.Flush(); err != nil {
		return err
	}
	return sw.Flush()
}

type textWriter struct {
	w *bufio.Writer
	p palette
}

func (t *textWriter) f(format string, a ...any) { fmt.Fprintf(t.w, format, a...) }

func (t *textWriter) section(title string) { t.f("\n%s\n", t.p.bold(title)) }

func fmtTime(tp *time.Time) string {
	if tp == nil {
		return "-"
	}
	return tp.UTC().Format("2006-01-02 15:04:05Z")
}

func (t *textWriter) header(r *report.Report, opt Options) {
	title := opt.Title
	if title == "" {
		title = "bundle"
	}
	t.f("%s %s — %s\n", t.p.bold("exlog"), r.Tool.Version, title)
	s := r.Summary
	window := "no trace records"
	if c := s.Covered; c != nil {
		window = fmt.Sprintf("%s → %s (%s)", fmtTime(&c.Start), fmtTime(&c.End), report.FormatDuration(c.End.Sub(c.Start)))
	}
	t.f("Read %s, %s; trace logs cover %s\n", words.Count(len(r.Inputs), "file", "files"), words.Count(s.Records, "record", "records"), window)
	for _, o := range r.Tool.Overrides {
		t.f("Note: %s\n", o)
	}
}

func (t *textWriter) verdict(r *report.Report) {
	v := r.Verdict
	if v == nil {
		return
	}
	t.f("\n%s %s\n", t.p.bold("VERDICT"), t.p.c(StateColor(v.State), strings.ToUpper(string(v.State))))
	for _, reason := range v.Reasons {
		t.f("  • %s\n", reason)
	}
	if v.LastFullSync != nil {
		age := ""
		if v.LastFullSyncAgeS != nil {
			age = fmt.Sprintf(", %s before the end of the logs", report.FormatDuration(time.Duration(*v.LastFullSyncAgeS*float64(time.Second))))
		}
		t.f("  Last completed full sync: %s%s\n", fmtTime(v.LastFullSync), age)
	} else if len(r.Syncs) > 0 || r.Summary.Covered != nil {
		t.f("  Last completed full sync: none in the logs\n")
	}
	var parts []string
	for _, sev := range []string{"critical", "error", "warning", "info"} {
		if n := r.Summary.Findings[sev]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, sev))
		}
	}
	if len(parts) > 0 {
		// The bullets above name at most a few findings: say so, so that
		// the counts and the bullets do not seem to disagree.
		serious, shown := 0, 0
		for _, f := range r.Findings {
			if f.Severity >= report.SeverityWarning {
				serious++
			}
		}
		for _, reason := range v.Reasons {
			for _, f := range r.Findings {
				if strings.HasPrefix(reason, f.ID+": ") {
					shown++
					break
				}
			}
		}
		more := ""
		if shown > 0 && shown < serious {
			more = fmt.Sprintf(" — %d of them above, all %d under FINDINGS", shown, serious)
		}
		over := 0
		for _, f := range r.Findings {
			if isOver(f) {
				over++
			}
		}
		if over > 0 && over == serious {
			more += " — no warning or error still happening at the end of the logs"
		}
		t.f("  Findings: %s%s\n", strings.Join(parts, ", "), more)
	}
	if len(v.NextSteps) > 0 {
		t.f("  %s\n", t.p.bold("Next steps:"))
		for i, step := range v.NextSteps {
			t.f("  %d. %s\n", i+1, step)
		}
	}
}

func (t *textWriter) changes(r *report.Report) {
	if len(r.Changes) == 0 {
		return
	}
	t.section("CHANGES")
	for i, c := range r.Changes {
		if i == 15 {
			t.f("  … %d more\n", len(r.Changes)-15)
			break
		}
		when := fmtTime(&c.Time)
		if !c.ZoneKnown() {
			when = strings.Replace(c.LocalTime, "T", " ", 1) + " " // wall clock, no zone: no Z
		}
		t.f("  %s  %-15s %s\n", when, c.Kind, c.Text)
	}
}

func (t *textWriter) environment(r *report.Report) {
	e := r.Environment
	if e == nil {
		return
	}
	t.section("ENVIRONMENT")
	if len(e.Hosts) > 0 {
		t.f("  %s: %s (%s)\n", label(len(e.Hosts), "Connector host"), strings.Join(e.Hosts, ", "), words.Count(e.Processes, "process run", "process runs"))
	}
	if len(e.CASServers) > 0 {
		t.f("  %s used: %s\n", label(len(e.CASServers), "Exchange server"), strings.Join(e.CASServers, ", "))
	}
	if e.Users != nil || e.Devices != nil {
		t.f("  Last full sync: %s users, %s devices\n", intOr(e.Users), intOr(e.Devices))
	}
	if e.ListenerLevel != "" {
		t.f("  Trace level (SourceLevel): %s", e.ListenerLevel)
		if e.ListenerLevelMeaning != "" {
			t.f(" — %s", e.ListenerLevelMeaning)
		}
		if e.FileQuota > 0 {
			t.f(" (%d files × %s)", e.FileQuota, bytesHuman(e.FileSizeQuota))
		}
		t.f("\n")
	}
	if e.EWSURL != "" {
		t.f("  EWS URL (Autodiscover bypassed): %s\n", e.EWSURL)
	}
	if e.CASFailover != nil {
		t.f("  CAS failover: %v\n", *e.CASFailover)
	}
	if e.ParallelCommands != nil {
		t.f("  Parallel commands: %v\n", *e.ParallelCommands)
	}
	if len(e.TZOffsets) > 0 {
		t.f("  Time zone offsets in the logs: %s\n", strings.Join(e.TZOffsets, ", "))
	}
	for _, x := range e.Exchange {
		t.f("  Exchange: %s\n", x)
	}
	if na := e.NotificationAccount; na != nil {
		t.f("  Notification account: %s\n", na.Text)
	}
	for _, n := range e.Notes {
		t.f("  %s %s\n", t.p.c("33", "!"), n)
	}
}

func intOr(p *int) string {
	if p == nil {
		return "?"
	}
	return words.Thousands(*p)
}

func bytesHuman(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func (t *textWriter) collect(r *report.Report) {
	if len(r.Collect) == 0 {
		return
	}
	t.section("COLLECT NEXT")
	for _, c := range r.Collect {
		t.f("  • %s — %s\n      %s\n", c.What, c.Why, t.p.c("36", c.Command))
	}
}

func (t *textWriter) findings(r *report.Report) {
	if n := r.Summary.Extra[baseline.ExtraDropped]; n != "" {
		t.section("FINDINGS (new since the baseline)")
		k, _ := strconv.Atoi(n)
		t.f("  %s already in the baseline %s not shown; %d new\n", words.Count(k, "finding", ""), r.Summary.Extra[baseline.ExtraName], len(r.Findings))
	} else if len(r.Findings) == 0 {
		return
	} else {
		t.section("FINDINGS")
	}
	for _, f := range r.Findings {
		sev := t.p.sev(f.Severity, fmt.Sprintf("%-8s", strings.ToUpper(f.Severity.String())))
		t.f("%s %s  %s\n", sev, t.p.bold(f.ID), f.Title)
		when := ""
		if f.First != nil {
			when = "first " + fmtTime(f.First)
			if f.Last != nil && !f.Last.Equal(*f.First) {
				when += ", last " + fmtTime(f.Last)
			}
		}
		if f.FirstLocal != "" {
			if when != "" {
				when += "; "
			}
			when += localSpan(f.FirstLocal, f.LastLocal)
		}
		status := ""
		if f.First != nil && f.Severity >= report.SeverityWarning {
			if f.Ongoing {
				status = ", " + t.p.c("31", "still happening")
			} else {
				status = ", no longer seen"
			}
		}
		if f.ResolvedBy != "" && !f.Ongoing {
			status = ", resolved (see RESOLVED)" // a later record shows it over, whatever the zone
		}
		t.f("         %s%s%s\n", words.Count(f.Count, "occurrence", "occurrences"), prefixIf(", ", when), status)
		if f.Remedy != "" {
			// A problem over before the end of the logs needs no action
			// now (the verdict may say HEALTHY): its steps are for when
			// it comes back, and say so.
			label := "what to do"
			if isOver(f) {
				label = "if it comes back"
			}
			t.f("         %s: %s\n", label, f.Remedy)
		}
		if f.Docs != "" {
			t.f("         docs: %s\n", t.p.dim(f.Docs))
		}
		for i, ev := range f.Evidence {
			if i == 3 {
				t.f("         %s\n", t.p.dim(fmt.Sprintf("… %d more in the JSON/HTML report", len(f.Evidence)-3)))
				break
			}
			// Long enough for a whole Windows event message (the words
			// that say why, "… because of a logon failure.", come last);
			// pattern evidence is cut around what matched (eval.TrimAround).
			t.f("         %s %s\n", t.p.dim(evidenceOrigin(ev)), oneLine(ev.Text, evidenceShown))
		}
	}
}

// isOver reports whether a warning or worse finding was over before the
// end of the logs.
func isOver(f report.Finding) bool {
	return f.Severity >= report.SeverityWarning && !f.Ongoing && (f.First != nil || f.ResolvedBy != "")
}

// localSpan shows local times of an unknown zone: never with a "Z".
func localSpan(first, last string) string {
	return "local time, zone unknown: " + span(localClock(first), localClock(last))
}

// localClock writes a local time of an unknown zone ("2023-11-14T11:41:30")
// as the reports write times: a space for the T, and no zone.
func localClock(s string) string { return strings.Replace(s, "T", " ", 1) }

func prefixIf(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

func evidenceOrigin(ev report.Evidence) string {
	o := event.Origin{Path: ev.Origin, Offset: -1, Line: ev.Line}
	if ev.Offset != nil {
		o.Offset = *ev.Offset
	}
	return o.String()
}

// evidenceShown is how many characters of an evidence text the text
// report shows.
const evidenceShown = 220

// oneLine folds whitespace and cuts s to at most n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func (t *textWriter) syncs(r *report.Report) {
	if len(r.Syncs) == 0 {
		return
	}
	t.section("SYNCS")
	if c := r.Cadence; c != nil {
		line := fmt.Sprintf("%s, %s", words.Count(c.FullSyncs, "full sync", "full syncs"), words.Count(c.QuickSyncs, "quick sync", "quick syncs"))
		if c.QuickMedianS != nil {
			line += fmt.Sprintf("; quick syncs every %s (median)", report.FormatDuration(time.Duration(*c.QuickMedianS*float64(time.Second))))
		}
		if len(c.FullTimesOfDay) > 0 {
			line += "; " + fullStarts(c.FullTimesOfDay)
		}
		t.f("%s\n", line)
	}
	if r.Verdict == nil {
		// With a verdict, its block already says when the last full
		// sync completed: once on the screen.
		t.f("Last completed full sync: none in the logs\n")
	}
	var odd []report.Sync
	for _, s := range r.Syncs {
		if s.Status != "completed" || s.Slow {
			odd = append(odd, s)
		}
	}
	if len(odd) > 0 {
		t.f("Sessions to look at:\n")
		t.f("  %-5s  %-20s  %9s  %-10s  %s\n", "KIND", "START", "DURATION", "STATUS", "WHY")
		for i, s := range odd {
			if i == 12 {
				t.f("  … %d more\n", len(odd)-12)
				break
			}
			dur := "-"
			if s.DurationS != nil {
				dur = report.FormatDuration(time.Duration(*s.DurationS * float64(time.Second)))
			}
			why := s.Reason
			if s.Slow && s.Status == report.SyncCompleted {
				why = slowWhy(r, s.Kind)
			}
			status := string(s.Status)
			if s.Status != report.SyncCompleted {
				status = t.p.c("31", fmt.Sprintf("%-10s", status))
			} else {
				status = fmt.Sprintf("%-10s", status)
			}
			t.f("  %-5s  %-20s  %9s  %s  %s\n", s.Kind, fmtTime(&s.Start), dur, status, oneLine(why, 70))
		}
	}
	t.timeline(r)
}

// slowWhy is the session table's word for a sync that exlog's bound
// calls slow: it points at the sync.slow finding only when the run has
// one for that kind (below Verbose the schedule checks, sync.slow among
// them, are not run, but the flag is still set), so that the table and
// the findings agree.
func slowWhy(r *report.Report, kind report.SyncKind) string {
	for _, f := range r.Findings {
		if f.ID == "sync.slow" && (f.Key == "" || f.Key == string(kind)) {
			return "slow (see sync.slow for the bound)"
		}
	}
	return "longer than exlog's slow bound (no sync.slow in this run)"
}

func uniqueStrings(ss []string, max int) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] && len(out) < max {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// timeline draws the covered window one line per day, one column per
// hour: F a full sync started, q a quick sync, x one that failed or never
// completed, · records and no sync start, - a gap of over an hour without
// records, blank outside the logs.
func (t *textWriter) timeline(r *report.Report) {
	c := r.Summary.Covered
	if c == nil {
		return
	}
	first := c.Start.UTC().Truncate(24 * time.Hour)
	days := int(c.End.UTC().Sub(first)/(24*time.Hour)) + 1
	if days > 45 {
		first = c.End.UTC().Truncate(24*time.Hour).AddDate(0, 0, -44)
		days = 45
	}
	cells := make([][]byte, days)
	for d := range cells {
		cells[d] = make([]byte, 24)
		for h := range cells[d] {
			at := first.Add(time.Duration(d*24+h) * time.Hour)
			cells[d][h] = ' '
			if !at.Add(time.Hour).Before(c.Start) && !at.After(c.End) {
				cells[d][h] = '.'
			}
			for _, g := range r.Summary.Gaps {
				if !at.Before(g.Start) && !at.Add(time.Hour).After(g.End) {
					cells[d][h] = '-'
				}
			}
		}
	}
	mark := func(at time.Time, ch byte) {
		off := at.UTC().Sub(first)
		if off < 0 {
			return
		}
		d, h := int(off/(24*time.Hour)), int(off%(24*time.Hour)/time.Hour)
		if d >= days {
			return
		}
		cur := cells[d][h]
		if cur == 'x' || (cur == 'F' && ch == 'q') {
			return
		}
		cells[d][h] = ch
	}
	for _, s := range r.Syncs {
		ch := byte('q')
		if s.Kind == "full" {
			ch = 'F'
		}
		if s.Status != "completed" {
			ch = 'x'
		}
		mark(s.Start, ch)
	}
	t.f("Timeline (UTC; F full, q quick, x failed/unfinished, · logged, - gap):\n")
	t.f("              00    03    06    09    12    15    18    21\n")
	for d, row := range cells {
		var b strings.Builder
		for _, ch := range row {
			s := string(ch)
			if ch == '.' {
				s = "·"
			}
			switch ch {
			case 'F':
				s = t.p.c("1;32", s)
			case 'q':
				s = t.p.c("36", s)
			case 'x':
				s = t.p.c("1;31", s)
			case '-':
				s = t.p.c("31", s)
			case '.':
				s = t.p.dim(s)
			}
			b.WriteString(s + " ")
		}
		t.f("  %s  %s\n", first.AddDate(0, 0, d).Format("2006-01-02"), strings.TrimRight(b.String(), " "))
	}
}

func (t *textWriter) inventory(r *report.Report) {
	inv := r.Inventory
	if inv == nil {
		return
	}
	t.section("INVENTORY")
	t.f("%s, %s, %s\n", words.Count(inv.Devices, "device", "devices"), words.Count(inv.Mailboxes, "mailbox", "mailboxes"), words.Count(inv.CASMailboxes, "CAS mailbox", "CAS mailboxes"))
	if inv.DefaultAccessLevel != "" {
		t.f("Default access level: %s\n", inv.DefaultAccessLevel)
	}
	if len(inv.DevicesByAccessState) > 0 {
		t.f("Devices by access state: %s\n", countsLine(inv.DevicesByAccessState))
	}
	if len(inv.DevicesByReason) > 0 {
		t.f("Devices by reason:       %s\n", countsLine(inv.DevicesByReason))
	}
	for i, u := range inv.UsersWithProblems {
		if i == 10 {
			t.f("  … %d more users with problems\n", len(inv.UsersWithProblems)-10)
			break
		}
		t.f("  %s: %s\n", u.User, strings.Join(u.Problems, ", "))
	}
}

func countsLine(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %s", k, words.Thousands(m[k])))
	}
	return strings.Join(parts, " · ")
}

// fullStarts says when the full syncs start: "at 02:15", "between 02:14
// and 02:16" when they all start within an hour, else the distinct times.
func fullStarts(times []string) string {
	lo, hi := times[0], times[0]
	for _, x := range times {
		lo, hi = min(lo, x), max(hi, x)
	}
	mins := func(hm string) int {
		var h, m int
		fmt.Sscanf(hm, "%d:%d", &h, &m)
		return h*60 + m
	}
	switch {
	case lo == hi:
		return "full syncs start at " + lo + " UTC"
	case mins(hi)-mins(lo) <= 60:
		return "full syncs start between " + lo + " and " + hi + " UTC"
	}
	return "full syncs start at " + strings.Join(uniqueStrings(times, 4), ", ") + " UTC"
}

func (t *textWriter) inputs(r *report.Report) {
	t.section("READ")
	if s := r.Summary; len(s.Types) > 0 {
		t.f("Records: %s\n", typesWords(s.Types))
	}
	for _, g := range r.Summary.Gaps {
		t.f("Gap in the logs: %s → %s (%s)\n", fmtTime(&g.Start), fmtTime(&g.End), report.FormatDuration(g.End.Sub(g.Start)))
	}
	width := 0
	for _, in := range r.Inputs {
		width = max(width, len([]rune(in.Path)))
	}
	width = min(width, 60)
	for _, in := range naturalInputs(r.Inputs) {
		line := fmt.Sprintf("  %-*s  %-14s %9s", width, in.Path, in.Format, words.Thousands(in.Records))
		if in.First != nil {
			line += fmt.Sprintf("  %s → %s", fmtTime(in.First), fmtTime(in.Last))
		}
		if in.DuplicateOf != "" {
			line += "  copy of " + in.DuplicateOf + ", not read again"
		}
		if z := in.TimeZone; z != nil {
			if z.Offset != "" {
				line += fmt.Sprintf("  (local time, UTC%s from %s)", z.Offset, z.Basis)
			} else if z.FirstLocal != "" {
				line += "  " + localSpan(z.FirstLocal, z.LastLocal)
			}
		}
		if in.WarningsTotal > 0 {
			line += "  " + t.p.c("33", words.Count(in.WarningsTotal, "warning", "warnings"))
		}
		if in.Partial {
			line += "  " + t.p.c("33", "partial")
		}
		t.f("%s\n", line)
	}
}

func typesLine(m map[string]int) string {
	var parts []string
	for _, ty := range event.Types() {
		if n := m[ty.String()]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", ty, words.Thousands(n)))
		}
	}
	return strings.Join(parts, " · ")
}

// typesWords says the record counts in an admin's words: the trace
// levels first (as SourceLevel names them), then the activity-tracing
// records, which carry no message of their own.
func typesWords(m map[string]int) string {
	var levels, acts []string
	total := 0
	for _, ty := range event.Types() {
		n := m[ty.String()]
		if n <= 0 {
			continue
		}
		if ty >= event.Start {
			acts = append(acts, fmt.Sprintf("%s %s", words.Thousands(n), ty))
			total += n
		} else {
			levels = append(levels, fmt.Sprintf("%s %s", words.Thousands(n), ty))
		}
	}
	s := strings.Join(levels, ", ")
	if len(acts) > 0 {
		if s != "" {
			s += "; plus "
		}
		s += fmt.Sprintf("%s activity-tracing markers (%s)", words.Thousands(total), strings.Join(acts, ", "))
	}
	return s
}

func (t *textWriter) skipped(r *report.Report) {
	if len(r.Skipped) == 0 {
		return
	}
	t.section(fmt.Sprintf("SKIPPED (%d)", len(r.Skipped)))
	for _, s := range r.Skipped {
		t.f("  %s: %s\n", s.Path, s.Reason)
	}
}

func (t *textWriter) warnings(r *report.Report) {
	total := 0
	for _, in := range r.Inputs {
		total += in.WarningsTotal
	}
	if total == 0 {
		return
	}
	t.section(fmt.Sprintf("WARNINGS (%d)", total))
	shown := 0
	for _, in := range r.Inputs {
		for _, w := range in.Warnings {
			if shown == 20 {
				t.f("  … %d more (see --format json)\n", total-shown)
				return
			}
			o := event.Origin{Path: w.Origin, Offset: -1, Line: w.Line}
			if w.Offset != nil {
				o.Offset = *w.Offset
			}
			t.f("  %s: %s\n", o.String(), w.Message)
			shown++
		}
	}
}

// unmatched lists the Error/Warning/Critical message templates no pattern
// explained: what the library does not know yet.
func (t *textWriter) unmatched(r *report.Report) {
	if len(r.Unmatched) == 0 {
		return
	}
	total := r.Summary.Extra["unmatched_messages"]
	title := "UNMATCHED ERRORS"
	if total != "" {
		// Say how many are errors, as the verdict counts errors only.
		errs, all := 0, 0
		for _, u := range r.Unmatched {
			all += u.Count
			if u.Type == "error" || u.Type == "critical" {
				errs += u.Count
			}
		}
		which := ""
		if strconv.Itoa(all) == total && errs != all {
			which = fmt.Sprintf(", %s of them errors,", words.Thousands(errs))
		}
		n, _ := strconv.Atoi(total)
		kinds, _ := strconv.Atoi(r.Summary.Extra["unmatched_templates"])
		title += fmt.Sprintf(" (%s%s in %s exlog does not recognise)", words.Count(n, "message", ""), which, words.Count(kinds, "kind", ""))
	}
	t.section(title)
	for _, u := range r.Unmatched {
		t.f("  %6s × %-8s %s\n", words.Thousands(u.Count), u.Type, oneLine(u.Template, 140))
		if u.First != nil {
			t.f("           %s\n", t.p.dim(span(fmtTime(u.First), fmtTime(u.Last))))
		}
		t.f("           %s %s\n", t.p.dim("e.g. "+u.Origin), t.p.dim(oneLine(u.Example, 100)))
	}
	t.f("  %s\n", t.p.dim("Turn them into patterns: exlog patterns suggest PATH > my-patterns/suggested.exlog"))
}

// label is a list's heading, singular for one item: "Connector host",
// "Connector hosts".
func label(n int, one string) string {
	if n == 1 {
		return one
	}
	return one + "s"
}
