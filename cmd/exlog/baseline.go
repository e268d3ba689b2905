package main

import (
	"exlog/analyze"
	"sort"

	"exlog/output"
	"exlog/patterns"
	"exlog/report"
)

// ciRules lists every pattern of lib and every Go check, sorted by id.
func ciRules(lib *patterns.Library) []output.Rule {
	var out []output.Rule
	seen := map[string]bool{}
	for _, p := range lib.Patterns() {
		seen[p.ID] = true
		out = append(out, output.Rule{ID: p.ID, Title: p.Title, Severity: p.Severity, Docs: p.Docs, Source: "pattern:" + p.File})
	}
	for _, c := range analyze.Checks() { // the one list of Go checks
		if !seen[c.ID] {
			out = append(out, output.Rule{ID: c.ID, Title: c.Title, Severity: c.Severity, Docs: checkDocs, Source: "check"})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// checkDocs is the help link of the Go checks in the CI formats.
const checkDocs = "https://learn.microsoft.com/en-us/troubleshoot/mem/intune/device-protection/troubleshoot-exchange-connector"

// parseFailOn reads a --fail-on value; ok is false for "never".
func parseFailOn(s string) (report.Severity, bool) {
	return report.ParseSeverity(s)
}
