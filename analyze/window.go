package analyze

import (
	"fmt"

	"exlog/analyze/check"
	"exlog/event"
	"exlog/internal/words"
	"exlog/parse"
	"exlog/report"
)

// IDEventLogOutside is raised by eventLogOutside.
const IDEventLogOutside = "bundle.eventlog-outside"

var eventLogOutsideRules = []check.Rule{
	{ID: IDEventLogOutside, Title: "Event-log exports that end before the trace logs begin", Severity: report.SeverityInfo},
}

// eventLogOutside says which event-log exports (with a known zone) end
// before the trace logs begin: an admin reading "no service failure" must
// know that those logs could not have shown one (blind round 3: System
// logs of 2016–2018 beside traces of 2023 passed silently, and their
// errors read as the connector's history). Exports that begin after the
// traces end are not named: they may show why the traces stopped (a
// service that no longer starts).
func eventLogOutside(in *checkInput) []report.Finding {
	if in.first.IsZero() || in.last.IsZero() {
		return nil // no trace window to compare with
	}
	day := func(t *report.Input) string {
		return t.First.UTC().Format("2006-01-02") + " → " + t.Last.UTC().Format("2006-01-02")
	}
	f := report.Finding{ID: IDEventLogOutside, Severity: report.SeverityInfo, Category: "bundle", Source: "check",
		Remedy: "Export the connector server's own System and Application logs covering the days the trace logs cover " +
			"(on the connector server: wevtutil epl System System.evtx and wevtutil epl Application Application.evtx) and add them to the bundle, " +
			"so that service stops, start failures and .NET errors of that time can be seen.",
		Docs: docsTroubleshoot, Evidence: []report.Evidence{}}
	for _, x := range in.inputs {
		if !parse.IsEvents(x.src.Format) || x.src.Format == event.FormatTrace || x.rep.DuplicateOf != "" || x.rep.First == nil || x.rep.Last == nil {
			continue
		}
		if !x.rep.Last.Before(in.first) {
			continue
		}
		f.Count++
		if len(f.Evidence) < report.MaxEvidence {
			f.Evidence = append(f.Evidence, report.Evidence{Origin: x.rep.Path,
				Text: fmt.Sprintf("covers %s (%s); the trace logs cover %s → %s", day(&x.rep), words.Count(x.rep.Records, "record", ""),
					in.first.UTC().Format("2006-01-02"), in.last.UTC().Format("2006-01-02"))})
		}
	}
	if f.Count == 0 {
		return nil
	}
	say := "they say"
	if f.Count == 1 {
		say = "it says"
	}
	f.Title = words.Count(f.Count, "event-log export ends", "event-log exports end") +
		" before the trace logs begin, so " + say + " nothing about the connector in the time the traces cover"
	return []report.Finding{f}
}
