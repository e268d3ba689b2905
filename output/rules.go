package output

import (
	"sort"

	"exlog/report"
)

// ruleSet is opt.Rules plus the ids of r's findings that it lacks,
// sorted by id, each finding indexed under its rule.
type ruleSet struct {
	rules []Rule
	index map[string]int
	// byRule: the findings of each rule, in report order.
	byRule map[string][]*report.Finding
}

func rulesOf(r *report.Report, opt Options) ruleSet {
	rs := ruleSet{index: map[string]int{}, byRule: map[string][]*report.Finding{}}
	seen := map[string]bool{}
	for _, ru := range opt.Rules {
		if !seen[ru.ID] {
			seen[ru.ID] = true
			rs.rules = append(rs.rules, ru)
		}
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		rs.byRule[f.ID] = append(rs.byRule[f.ID], f)
		if !seen[f.ID] {
			seen[f.ID] = true
			title := f.Title
			if f.Key != "" || len(title) > 120 {
				title = f.ID
			}
			rs.rules = append(rs.rules, Rule{ID: f.ID, Title: title, Severity: f.Severity, Docs: f.Docs, Source: f.Source})
		}
	}
	sort.Slice(rs.rules, func(i, j int) bool { return rs.rules[i].ID < rs.rules[j].ID })
	for i, ru := range rs.rules {
		rs.index[ru.ID] = i
	}
	return rs
}

// CIFailOn is the threshold the CI formats use when --fail-on is never:
// a JUnit test case fails on a finding at warning or above. Info
// findings (facts such as a hard-coded EWS URL) never fail a test.
const CIFailOn = report.SeverityWarning

func ciThreshold(opt Options) report.Severity {
	if opt.FailOn == report.SeverityInvalid {
		return CIFailOn
	}
	return opt.FailOn
}
