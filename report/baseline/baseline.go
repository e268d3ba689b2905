// Package baseline keeps of a report only what an earlier report of the
// same bundles did not have: what `exlog analyze --baseline` reports and
// fails on. It reads finished reports only.
package baseline

import (
	"strconv"

	"exlog/report"
)

// Extra keys Apply sets in the report's Summary.Extra (report contract:
// docs/report.md).
const (
	ExtraDropped = "baselined_findings" // how many findings the baseline held
	ExtraName    = "baseline"           // what the baseline is called in headings
)

// Apply drops from rep the findings (id + key) that base already has,
// recounts rep.Summary.Findings, and records in rep.Summary.Extra how
// many were dropped and the baseline's name. A finding whose severity
// rose since the baseline counts as new; one whose count changed does
// not. It returns how many findings were dropped.
func Apply(rep, base *report.Report, name string) int {
	type instance struct{ id, key string }
	known := map[instance]report.Severity{}
	for _, f := range base.Findings {
		k := instance{f.ID, f.Key}
		known[k] = max(known[k], f.Severity)
	}
	kept := rep.Findings[:0]
	dropped := 0
	for _, f := range rep.Findings {
		if sev, ok := known[instance{f.ID, f.Key}]; ok && f.Severity <= sev {
			dropped++
			continue
		}
		kept = append(kept, f)
	}
	rep.Findings = kept
	rep.CountFindings()
	if rep.Summary.Extra == nil {
		rep.Summary.Extra = map[string]string{}
	}
	rep.Summary.Extra[ExtraDropped] = strconv.Itoa(dropped)
	rep.Summary.Extra[ExtraName] = name
	return dropped
}
