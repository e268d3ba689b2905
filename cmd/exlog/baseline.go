package main

import (
	"exlog/analyze"
	"sort"
	"strconv"

	"exlog/output"
	"exlog/patterns"
	"exlog/report"
)

// applyBaseline drops from rep the findings (id + key) that the baseline
// report at path already has, recounts rep.Summary.Findings, and records
// how many were dropped in rep.Summary.Extra["baselined_findings"]. The
// baseline is an exlog.report/v1 JSON file (exlog analyze --format json).
// A finding whose severity rose since the baseline counts as new.
func applyBaseline(rep *report.Report, path string) error {
	if path == "" {
		return nil
	}
	base, err := readReportJSON(path)
	if err != nil {
		return usageErr("--baseline: %v", err)
	}
	known := map[[2]string]report.Severity{}
	for _, f := range base.Findings {
		k := [2]string{f.ID, f.Key}
		known[k] = max(known[k], f.Severity)
	}
	kept := rep.Findings[:0]
	dropped := 0
	for _, f := range rep.Findings {
		if sev, ok := known[[2]string{f.ID, f.Key}]; ok && f.Severity <= sev {
			dropped++
			continue
		}
		kept = append(kept, f)
	}
	rep.Findings = kept
	rep.Summary.Findings = map[string]int{"critical": 0, "error": 0, "warning": 0, "info": 0}
	for _, f := range rep.Findings {
		rep.Summary.Findings[f.Severity.String()]++
	}
	if rep.Summary.Extra == nil {
		rep.Summary.Extra = map[string]string{}
	}
	rep.Summary.Extra["baselined_findings"] = strconv.Itoa(dropped)
	rep.Summary.Extra["baseline"] = displayName(path)
	return nil
}

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
