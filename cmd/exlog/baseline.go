package main

import (
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

// checkIDs are the finding ids produced by Go checks rather than pattern
// files (design.md "Finding IDs"); with the library they make the rule
// list of the JUnit and SARIF outputs.
var checkIDs = map[string]string{
	"sync.full-overdue":             "No completed full sync for more than 24 h",
	"sync.quick-gap":                "A gap between quick syncs far beyond the observed cadence",
	"sync.unfinished":               "A sync that started and never completed",
	"sync.failed":                   "A sync that ended in failure",
	"sync.slow":                     "A sync far slower than its peers",
	"sync.coverage-short":           "Logs cover too little time to judge the schedule",
	"discovery.smtp-upn-mismatch":   "Primary SMTP address differs from the UPN",
	"discovery.activesync-disabled": "ActiveSync disabled for a user with devices",
	"device.quarantined":            "Devices quarantined or blocked by the connector",
	"device.stale":                  "Devices without a successful sync for a long time",
	"access.default-not-allow":      "DefaultAccessLevel is Block or Quarantine",
	"config.ews-url-hardcoded":      "ExchangeWebServiceURL set: Autodiscover bypassed",
	"config.cas-failover-disabled":  "CAS failover disabled",
	"logging.not-verbose":           "Listener level below Verbose",
	"bundle.truncated-record":       "A record cut at a file's start or end",
	"bundle.unreadable":             "Evidence that could not be read",
}

// ciRules lists every pattern of lib and every Go check, sorted by id.
func ciRules(lib *patterns.Library) []output.Rule {
	var out []output.Rule
	seen := map[string]bool{}
	for _, p := range lib.Patterns() {
		seen[p.ID] = true
		out = append(out, output.Rule{ID: p.ID, Title: p.Title, Severity: p.Severity, Docs: p.Docs, Source: "pattern:" + p.File})
	}
	for id, title := range checkIDs {
		if !seen[id] {
			out = append(out, output.Rule{ID: id, Title: title, Severity: report.SeverityWarning, Docs: checkDocs, Source: "check"})
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
