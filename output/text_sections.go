package output

import (
	"exlog/internal/words"
	"strings"

	"exlog/report"
)

// resolved prints the problems that stopped during the logs: history, not
// tasks.
func (t *textWriter) resolved(r *report.Report) {
	if r.Verdict == nil || len(r.Verdict.Resolved) == 0 {
		return
	}
	t.section("RESOLVED DURING THE LOGS")
	for _, rs := range r.Verdict.Resolved {
		t.f("  %-8s %s  %s\n", strings.ToUpper(rs.Severity.String()), rs.ID, oneLine(rs.Title, 120))
		times := words.Thousands(rs.Count) + "×"
		if rs.Count == 1 {
			times = "once"
		}
		if rs.First == nil && rs.FirstLocal != "" {
			// Local time of an unknown zone: no Z.
			t.f("           %s, %s; not seen after that\n", times, localSpan(rs.FirstLocal, rs.LastLocal))
		} else {
			t.f("           %s, %s; not seen after that\n", times, span(fmtTime(rs.First), fmtTime(rs.Last)))
		}
		for _, c := range rs.Changes {
			t.f("           then: %s\n", oneLine(c, 140))
		}
	}
}

// notConnector prints the programs whose trace records are in the bundle
// but are not the connector's, with their own errors apart.
func (t *textWriter) notConnector(r *report.Report) {
	if len(r.NotConnector) == 0 {
		return
	}
	t.section("NOT THE CONNECTOR'S (trace records of other programs: no connector finding, not in the covered window)")
	for _, p := range r.NotConnector {
		name, host := p.Process, p.Host
		if name == "" {
			name = "(no process name)"
		}
		if host == "" {
			host = "(no computer name)"
		}
		src := strings.Join(p.Sources, ", ")
		if src == "" {
			src = "no source name"
		}
		t.f("  %s on %s — source %s, %s records in %s, %s → %s\n", name, host, src, words.Thousands(p.Records), words.Count(p.Processes, "process run", ""), fmtTime(p.First), fmtTime(p.Last))
		t.f("    %s %s\n", t.p.dim("types:"), typesLine(p.Types))
		t.f("    %s %s\n", t.p.dim("files:"), strings.Join(uniqueStrings(p.Files, 5), ", "))
		for i, e := range p.Errors {
			if i == 5 {
				t.f("    … %d more templates\n", len(p.Errors)-5)
				break
			}
			t.f("    its own %s × %s: %s\n", e.Type, words.Thousands(e.Count), oneLine(e.Template, 120))
			t.f("      %s %s\n", t.p.dim("e.g."), t.p.dim(oneLine(e.Example, 140)))
		}
	}
}

// span writes "first → last", or one time when they are the same.
func span(first, last string) string {
	if last == "" || last == first {
		return first
	}
	return first + " → " + last
}
