package analyze

import (
	"fmt"
	"strings"
	"time"

	"exlog/analyze/check"
	"exlog/event"
	"exlog/report"
)

// The connector's end of support (domain.md §1). Microsoft deprecated it
// with Intune service release 2007 (July 2020) and ended its support in
// early 2024, on two pages with two dates:
//   - "Set up the on-premises Intune Exchange connector"
//     (docsConnectorSetup): after 15 January 2024 "the Exchange connector
//     will no longer sync with Exchange";
//   - "Configure Exchange on-premises access" (docsExchangeAccess): after
//     19 February 2024 it "will no longer sync with Intune".
//
// Microsoft's way forward is Exchange hybrid modern authentication with
// Intune (Microsoft Entra conditional access), or the mailboxes in
// Exchange Online. A connector past these dates cannot be made to sync
// again, so no advice may ask to force, reinstall or re-register it.
var (
	endOfSupport      = time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)
	endOfIntuneSync   = time.Date(2024, 2, 19, 0, 0, 0, 0, time.UTC)
	deprecationNotice = "July 2020"
)

const (
	IDEndOfSupport     = "connector.end-of-support"
	docsConnectorSetup = "https://learn.microsoft.com/en-us/mem/intune/protect/exchange-connector-install"
	docsExchangeAccess = "https://learn.microsoft.com/en-us/mem/intune/protect/conditional-access-exchange-create"
)

// endOfSupportAdvice is the one remedy for everything the end of support
// explains; other findings past the date point to it.
const endOfSupportAdvice = "Microsoft ended support for the on-premises Intune Exchange connector: after 15 January 2024 it " +
	"\"will no longer sync with Exchange\" (Set up the on-premises Intune Exchange connector) and after 19 February 2024 it " +
	"\"will no longer sync with Intune\" (Configure Exchange on-premises access). Do not reinstall, re-register or force a sync: " +
	"the connector cannot sync again. Move to Exchange hybrid modern authentication with Intune and Microsoft Entra conditional access, " +
	"or move the mailboxes to Exchange Online, then uninstall the connector."

// evidenceEnd is the last time the connector's own evidence shows: its
// trace records; without them, the event logs of its server (another
// program's trace log says nothing about the connector, and an event log
// exported long after the traces says nothing about the connector then).
func (a *run) evidenceEnd() time.Time {
	end := a.traceLast
	if !end.IsZero() {
		return end
	}
	for _, in := range a.inputs {
		switch in.src.Format {
		case event.FormatEventlogXML, event.FormatEventlogText, event.FormatEventlogCSV:
			if in.last.After(end) {
				end = in.last
			}
		}
	}
	return end
}

var endOfSupportRules = []check.Rule{
	{ID: IDEndOfSupport, Title: "Evidence past the connector's end of support (15 January 2024)", Severity: report.SeverityCritical},
}

// endOfSupportFinding is connector.end-of-support when the evidence reaches
// past 15 January 2024: critical when syncs fail or stop after it (a sync
// failed or never finished, polls failed, or no sync completed in the last
// day of the logs), warning otherwise. Nothing before the date: the
// environment notes the deprecation instead (deprecationNote).
func endOfSupportFinding(in *checkInput) []report.Finding {
	end := in.end
	if !pastEndOfSupport(end) {
		return nil
	}
	past := "past 15 January 2024 (no sync with Exchange; no sync with Intune from 19 February 2024)"
	if !end.Before(endOfIntuneSync) {
		past = "past 15 January 2024 (no sync with Exchange) and 19 February 2024 (no sync with Intune)"
	}
	f := report.Finding{
		ID: IDEndOfSupport, Category: "connector", Source: "check", Severity: report.SeverityWarning,
		Title:  fmt.Sprintf("Connector past its end of support: the evidence runs to %s, %s", end.UTC().Format("2006-01-02"), past),
		Remedy: endOfSupportAdvice, Docs: docsConnectorSetup, Count: 1, Evidence: []report.Evidence{},
	}
	e := end.UTC()
	f.First, f.Last = &e, &e
	for _, ev := range []*report.Evidence{in.attr.firstAfterEOS, in.attr.firstAfterIntuneEOS} {
		if ev != nil {
			f.Evidence = append(f.Evidence, *ev)
		}
	}
	if len(f.Evidence) > 0 {
		f.First = f.Evidence[0].Time
	}
	var why []string
	var lastDone time.Time
	for i := range in.syncs {
		s := &in.syncs[i]
		if s.Status == "completed" && s.End != nil && s.End.After(lastDone) {
			lastDone = *s.End
		}
		if !s.Start.Before(endOfSupport) && s.Status != "completed" {
			why = append(why, fmt.Sprintf("%s sync of %s %s", s.Kind, s.Start.UTC().Format("2006-01-02 15:04Z"), s.Status))
			if len(f.Evidence) < report.MaxEvidence && len(s.Evidence) > 0 {
				f.Evidence = append(f.Evidence, s.Evidence[0])
			}
		}
	}
	if len(in.syncs) > 0 && end.Sub(lastDone) > 26*time.Hour && !in.last.Before(endOfSupport) {
		if lastDone.IsZero() {
			why = append(why, "no sync completed in the logs")
		} else {
			why = append(why, "no sync completed after "+lastDone.UTC().Format("2006-01-02 15:04Z"))
		}
	}
	for i := range in.raised {
		g := &in.raised[i]
		if !explainedByEndOfSupport(g) || g.Severity < report.SeverityError {
			continue
		}
		if g.First != nil && !recent(g.First, g.Last, g.Count, in.last) {
			continue // over before the end of the logs (markOngoing's rule): syncs ran again
		}
		why = append(why, fmt.Sprintf("%s ×%d after the end of support", g.ID, g.Count))
		if len(f.Evidence) < report.MaxEvidence && len(g.Evidence) > 0 {
			f.Evidence = append(f.Evidence, g.Evidence[len(g.Evidence)-1])
		}
	}
	if len(why) > 0 {
		f.Severity = report.SeverityCritical
		f.Title += "; syncs fail or stopped: " + joinMax(why, 2)
	}
	return []report.Finding{f}
}

func pastEndOfSupport(end time.Time) bool { return !end.IsZero() && !end.Before(endOfSupport) }

// explainedByEndOfSupport reports whether a finding is what the end of
// support looks like: a sync, poll or Intune finding last seen after it.
func explainedByEndOfSupport(g *report.Finding) bool {
	if g.Last == nil || g.Last.Before(endOfSupport) {
		return false
	}
	switch g.Category {
	case "sync", "command", "intune":
		return true
	}
	return false
}

// pointToEndOfSupport points the remedies of the sync, poll and Intune
// findings past the end of support (the evidence reaches to end) to
// connector.end-of-support: their own advice (force a sync, re-register)
// cannot help.
func pointToEndOfSupport(fs []report.Finding, end time.Time) {
	if !pastEndOfSupport(end) {
		return
	}
	for i := range fs {
		if g := &fs[i]; explainedByEndOfSupport(g) {
			g.Remedy = "Expected of a connector past its end of support (see " + IDEndOfSupport + "): it cannot sync again, so do not force a sync, reinstall or re-register it."
			g.Docs = docsConnectorSetup
		}
	}
	// No finding may advise forcing a sync that can no longer happen (a
	// verbose capture's "force a full sync", a schedule finding's); the
	// end of support's own advice says not to.
	for i := range fs {
		if g := &fs[i]; g.ID != IDEndOfSupport && forcesSync(g.Remedy) && !strings.Contains(g.Remedy, IDEndOfSupport) {
			g.Remedy = "Past the connector's end of support (see " + IDEndOfSupport + ") this no longer applies: the connector cannot sync again, so do not force a sync, reinstall or re-register it."
			g.Docs = docsConnectorSetup
		}
	}
}

// deprecationNote is the environment's note for evidence before the end
// of support.
func (a *run) deprecationNote() string {
	end := a.evidenceEnd()
	if end.IsZero() || !end.Before(endOfSupport) {
		return ""
	}
	return "Microsoft deprecated the on-premises Exchange connector in " + deprecationNotice +
		" (Intune service release 2007); its support ends on 15 January 2024 (no sync with Exchange) and 19 February 2024 (no sync with Intune). " +
		"Plan the move to Exchange hybrid modern authentication with Intune, or to Exchange Online: " + docsConnectorSetup
}

func joinMax(s []string, n int) string {
	out := ""
	for i, x := range s {
		if i == n {
			out += fmt.Sprintf("; and %d more", len(s)-n)
			break
		}
		if i > 0 {
			out += "; "
		}
		out += x
	}
	return out
}

// noteAfterEOS remembers the first connector record past the end of
// support, as evidence.
func (t *attribution) noteAfterEOS(e *event.Event) {
	if t.firstAfterIntuneEOS != nil || e.Time.Before(endOfSupport) {
		return
	}
	tm := e.Time.UTC()
	ev := evidenceOf(e, &tm)
	if t.firstAfterEOS == nil {
		t.firstAfterEOS = &ev
	}
	if !e.Time.Before(endOfIntuneSync) {
		t.firstAfterIntuneEOS = &ev
	}
}

// forcesSync reports whether a remedy asks to force a sync.
func forcesSync(remedy string) bool {
	r := strings.ToLower(remedy)
	return strings.Contains(r, "force a full sync") || strings.Contains(r, "force a quick sync") ||
		strings.Contains(r, "force a sync") || strings.Contains(r, "force the sync")
}
