package analyze

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"exlog/event"
	"exlog/report"
)

// ongoingSlack is how close to the end of the logs a finding's last
// occurrence must be for it to count as still happening.
const ongoingSlack = 2 * time.Hour

// markOngoing sets Finding.Ongoing: the finding occurs near the end of
// the logs, or its last occurrence is within two of its usual intervals
// of the end. Findings without times (exports, config) describe the state
// when the bundle was collected, so they are ongoing.
func markOngoing(fs []report.Finding, end time.Time) {
	for i := range fs {
		f := &fs[i]
		if f.Last == nil || end.IsZero() {
			f.Ongoing = f.Category != "bundle"
			continue
		}
		since := end.Sub(*f.Last)
		if since <= ongoingSlack {
			f.Ongoing = true
			continue
		}
		if f.Count >= 2 && f.First != nil {
			every := f.Last.Sub(*f.First) / time.Duration(f.Count-1)
			f.Ongoing = since <= 2*every
		}
	}
}

// verdict decides the overall state from the findings and the syncs.
func verdict(r *report.Report, logsEnd time.Time) *report.Verdict {
	v := &report.Verdict{State: "healthy", Reasons: []string{}, NextSteps: []string{}}
	for i := len(r.Syncs) - 1; i >= 0; i-- {
		s := r.Syncs[i]
		if s.Kind == "full" && s.Status == "completed" && s.End != nil {
			end := *s.End
			v.LastFullSync = &end
			if !logsEnd.IsZero() {
				age := logsEnd.Sub(end).Seconds()
				v.LastFullSyncAgeS = &age
			}
			break
		}
	}
	rank := func(st string) int {
		return map[string]int{"healthy": 0, "degraded": 1, "broken": 2}[st]
	}
	raise := func(st string) {
		if rank(st) > rank(v.State) {
			v.State = st
		}
	}
	seenStep := map[string]bool{}
	// What is still happening comes first, then by severity (r.Findings
	// is already by severity and id).
	ordered := append([]report.Finding(nil), r.Findings...)
	sort.SliceStable(ordered, func(i, j int) bool { return ordered[i].Ongoing && !ordered[j].Ongoing })
	for _, f := range ordered {
		switch {
		case f.Severity >= report.SeverityError && f.Ongoing:
			raise("broken")
		case f.Severity >= report.SeverityError, f.Severity == report.SeverityWarning && f.Ongoing:
			raise("degraded")
		}
		if f.Severity < report.SeverityWarning || len(v.Reasons) >= 5 {
			continue
		}
		v.Reasons = append(v.Reasons, fmt.Sprintf("%s: %s (%s)", f.ID, f.Title, whenSeen(f)))
		if step := firstSentence(f.Remedy); step != "" && !seenStep[step] && len(v.NextSteps) < 5 {
			seenStep[step] = true
			v.NextSteps = append(v.NextSteps, step)
		}
	}
	unknown := 0
	for _, t := range r.Unmatched {
		if t.Type == "error" || t.Type == "critical" {
			unknown += t.Count
		}
	}
	if unknown > 0 {
		raise("degraded")
		v.Reasons = append(v.Reasons, fmt.Sprintf("%s that exlog does not recognise (see UNEXPLAINED ERRORS): read them, they may be the cause", plural(unknown, "error message")))
	}
	if v.State == "healthy" {
		if len(v.Reasons) == 0 {
			v.Reasons = append(v.Reasons, "no warning or error findings")
		} else {
			v.Reasons = append([]string{"the problems found are no longer happening at the end of the logs"}, v.Reasons...)
		}
		if v.LastFullSync == nil && len(r.Syncs) == 0 {
			v.Reasons = append(v.Reasons, "but no sync was seen in the logs, so the schedule could not be judged")
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
		return "still happening, " + n
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
	return true
}

var casServerRe = regexp.MustCompile(`(?i)PowerShellExchangeServer:\s*<?\s*Name=([^>'\s,]+)`)

// casServer extracts the CAS server a sync talked to: from a message's
// "PowerShellExchangeServer: <Name=X>" or a session's "X: Status" health.
func casServer(texts ...string) string {
	for _, t := range texts {
		if m := casServerRe.FindStringSubmatch(t); m != nil {
			return m[1]
		}
		if name, _, ok := strings.Cut(t, ": "); ok && name != "" && !strings.ContainsAny(name, " '<>") {
			return name
		}
	}
	return ""
}

// changes lists what changed in the covered window.
func (a *run) changes() []report.Change {
	var out []report.Change
	for _, rs := range a.restarts {
		out = append(out, report.Change{Time: rs.Time, Kind: "restart",
			Text:   fmt.Sprintf("connector process on %s restarted (PID %d → %d)", orUnknown(rs.Host), rs.OldPID, rs.NewPID),
			Origin: rs.Origin})
	}
	for _, g := range a.gaps {
		if !a.verbose() {
			break // below Verbose the connector is silent for hours by design
		}
		out = append(out, report.Change{Time: g.Start, Kind: "gap",
			Text:   fmt.Sprintf("no trace records for %s (service stopped, server down, or logs missing)", report.FormatDuration(time.Duration(g.DurationS*float64(time.Second)).Round(time.Minute))),
			Origin: g.AfterInput})
	}
	last := ""
	for _, s := range a.syncs {
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
		mt := in.src.Entry.ModTime.UTC()
		if mt.IsZero() || a.traceFirst.IsZero() || mt.Before(a.traceFirst) || mt.After(a.traceLast) {
			continue
		}
		out = append(out, report.Change{Time: mt, Kind: "config-modified",
			Text: "config file modified: " + in.src.Entry.Path, Origin: in.src.Entry.Path})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
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
	env.Processes = len(a.pids)
	for off := range a.tzOffsets {
		env.TZOffsets = append(env.TZOffsets, fmtOffset(off))
	}
	sort.Strings(env.TZOffsets)
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

// collect lists the evidence the bundle lacks for the findings at hand,
// with the exact command that gathers it.
func (a *run) collect(r *report.Report) []report.CollectItem {
	has := map[event.Format]bool{}
	for _, in := range a.inputs {
		has[in.src.Format] = true
	}
	var out []report.CollectItem
	users := "user@contoso.com"
	if r.Inventory != nil && len(r.Inventory.UsersWithProblems) > 0 {
		users = r.Inventory.UsersWithProblems[0].User
	}
	if !has[event.FormatCmdletList] && !has[event.FormatCmdletCSV] && !has[event.FormatCmdletCliXML] {
		out = append(out,
			report.CollectItem{What: "the user's ActiveSync devices", Why: "no cmdlet exports: device access states cannot be checked",
				Command: fmt.Sprintf("Get-ActiveSyncDeviceStatistics -Mailbox %s | Format-List * | Out-File -Encoding utf8 devices.txt", users)},
			report.CollectItem{What: "the user's e-mail addresses and UPN", Why: "no cmdlet exports: primary SMTP address vs UPN cannot be compared",
				Command: fmt.Sprintf("Get-Mailbox -Identity %s | Select-Object UserPrincipalName,PrimarySmtpAddress,EmailAddresses | Format-List | Out-File -Encoding utf8 mailbox.txt", users)},
			report.CollectItem{What: "the user's CAS mailbox settings", Why: "no cmdlet exports: ActiveSync enablement cannot be checked",
				Command: fmt.Sprintf("Get-CASMailbox -Identity %s | Format-List | Out-File -Encoding utf8 casmailbox.txt", users)},
			report.CollectItem{What: "the ActiveSync organization settings", Why: "the default access level decides whether activation mail is sent",
				Command: "Get-ActiveSyncOrganizationSettings | Format-List | Out-File -Encoding utf8 orgsettings.txt"},
		)
	}
	if !has[event.FormatEventlogXML] && !has[event.FormatEventlogText] && !has[event.FormatEventlogCSV] {
		out = append(out, report.CollectItem{What: "the System event log", Why: "service start and logon failures (events 7000, 7041) are only there",
			Command: `wevtutil qe System /q:"*[System[TimeCreated[timediff(@SystemTime) <= 1209600000]]]" /f:xml > System.xml`})
	}
	if !has[event.FormatConfigTracing] {
		out = append(out, report.CollectItem{What: "the tracing configuration", Why: "the listener level decides which messages were logged",
			Command: `Copy-Item "$env:ProgramData\Microsoft\Windows Intune Exchange Connector\TracingConfiguration.xml" .`})
	}
	if !a.verbose() {
		out = append(out, report.CollectItem{What: "verbose trace logs", Why: "the listener is below Verbose: sync messages are not logged",
			Command: `In TracingConfiguration.xml set SourceLevel="Verbose ActivityTracing", then Restart-Service WIEC, force a full sync from the Intune console, and collect the Logs folder again`})
	}
	if !a.traceFirst.IsZero() && a.traceLast.Sub(a.traceFirst) < 24*time.Hour {
		out = append(out, report.CollectItem{What: "more trace log history", Why: "the logs cover less than a day: the daily full sync cannot be judged",
			Command: `Compress-Archive "$env:ProgramData\Microsoft\Windows Intune Exchange Connector\Logs\*" Logs.zip (all Connector*.log files, not only the newest)`})
	}
	for _, s := range a.skips {
		if strings.Contains(s.Reason, ".evtx") {
			out = append(out, report.CollectItem{What: "event logs as XML", Why: s.Path + " is a binary .evtx file",
				Command: `wevtutil qe System /f:xml > System.xml  (and: wevtutil qe Application /f:xml > Application.xml)`})
			break
		}
	}
	return out
}
