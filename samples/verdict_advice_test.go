package samples_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"exlog/patterns"
	"exlog/report"
)

// doNot drops the sentences that forbid something ("Do not reinstall…"),
// so that what is left is what the advice asks for.
func doNot(s string) string {
	var keep []string
	for _, sent := range regexp.MustCompile(`[.:;]\s+`).Split(s, -1) {
		l := strings.ToLower(sent)
		if strings.Contains(l, "do not") || strings.Contains(l, "don't") || strings.Contains(l, "never") || strings.Contains(l, "cannot") {
			continue
		}
		keep = append(keep, sent)
	}
	return strings.Join(keep, ". ")
}

var forcesSync = regexp.MustCompile(`(?i)\b(force (a|the|another) (full |quick )?sync|reinstall|re-?register)`)

// Issue 16.1: past the end of support the report says so first, quotes
// both dates, gives Microsoft's way forward and never asks to force a sync
// that can no longer happen.
func TestEndOfSupportSample(t *testing.T) {
	r := loadExpected(t)["end-of-support"]
	if r.Verdict == nil || len(r.Verdict.Reasons) == 0 || !strings.HasPrefix(r.Verdict.Reasons[0], "connector.end-of-support:") {
		t.Fatalf("end-of-support is not first in the verdict: %+v", r.Verdict)
	}
	var eos *report.Finding
	for i := range r.Findings {
		if r.Findings[i].ID == "connector.end-of-support" {
			eos = &r.Findings[i]
		}
	}
	if eos == nil || eos.Severity != report.SeverityCritical || !eos.Ongoing ||
		eos.Docs != "https://learn.microsoft.com/en-us/mem/intune/protect/exchange-connector-install" {
		t.Fatalf("connector.end-of-support %+v", eos)
	}
	for _, want := range []string{"15 January 2024", "19 February 2024", "will no longer sync with Exchange", "will no longer sync with Intune", "hybrid modern authentication", "Exchange Online"} {
		if !strings.Contains(eos.Remedy, want) {
			t.Errorf("remedy lacks %q: %s", want, eos.Remedy)
		}
	}
	if s := r.Verdict.NextSteps; len(s) == 0 || !strings.Contains(s[0], "15 January 2024") || !strings.Contains(s[0], "19 February 2024") || !strings.Contains(s[0], "hybrid modern authentication") {
		t.Errorf("first next step is not the end of support: %q", s)
	}
	for _, s := range r.Verdict.NextSteps {
		if m := forcesSync.FindString(doNot(s)); m != "" {
			t.Errorf("next step asks for %q past the end of support: %s", m, s)
		}
	}
	for _, f := range r.Findings {
		if m := forcesSync.FindString(doNot(f.Remedy)); f.Ongoing && m != "" {
			t.Errorf("%s asks for %q past the end of support: %s", f.ID, m, f.Remedy)
		}
	}
	for _, c := range r.Collect {
		if m := forcesSync.FindString(c.Command); m != "" {
			t.Errorf("collect-next asks for %q past the end of support: %s", m, c.Command)
		}
	}
	// Every other sample is dated before the end of support: no finding,
	// and a note of the deprecation wherever the connector's evidence shows.
	for name, r := range loadExpected(t) {
		if name == "end-of-support" {
			continue
		}
		for _, f := range r.Findings {
			if f.ID == "connector.end-of-support" {
				t.Errorf("%s: connector.end-of-support before the end of support", name)
			}
		}
		if r.Summary.Covered != nil && (r.Environment == nil || !strings.Contains(strings.Join(r.Environment.Notes, "\n"), "deprecated")) {
			t.Errorf("%s: the environment does not note the deprecation", name)
		}
	}
}

// Issue 16.2: a real WCF log of another program is named for what it is.
func TestNotConnectorSample(t *testing.T) {
	r := loadExpected(t)["not-connector"]
	if r.Verdict.State != report.StateUnknown {
		t.Errorf("verdict %s, want unknown", r.Verdict.State)
	}
	found := false
	for _, f := range r.Findings {
		if strings.HasPrefix(f.ID, "sync.") || f.Category != "bundle" {
			t.Errorf("a claim from another program's log: %s %s", f.ID, f.Title)
		}
		if f.ID == "bundle.not-connector" {
			found = true
			for _, w := range []string{"w3wp", "LAOLU-PC", "System.ServiceModel", "62 records"} {
				if !strings.Contains(f.Title, w) {
					t.Errorf("title %q lacks %q", f.Title, w)
				}
			}
		}
	}
	if !found {
		t.Error("no bundle.not-connector")
	}
	if len(r.NotConnector) != 1 || r.NotConnector[0].Records != 62 || r.NotConnector[0].Types["error"] != 6 || r.Summary.Covered != nil || len(r.Syncs) != 0 {
		t.Errorf("not_connector %+v covered %+v syncs %d", r.NotConnector, r.Summary.Covered, len(r.Syncs))
	}
}

// Issues 16.2 and 15.10: in a mixed bundle the other service's errors stay
// its own, and the end of the logs is the connector's.
func TestMixedOtherServiceSample(t *testing.T) {
	r := loadExpected(t)["mixed-other-service"]
	for _, f := range r.Findings {
		if f.Category == "network" || f.ID == "sync.full-overdue" || f.ID == "sync.quick-gap" {
			t.Errorf("%s fired on the other service's records", f.ID)
		}
	}
	if len(r.NotConnector) != 1 {
		t.Fatalf("not_connector %+v", r.NotConnector)
	}
	o := r.NotConnector[0]
	errs := 0
	for _, e := range o.Errors {
		errs += e.Count
	}
	if o.Process != "Contoso.Billing.Host" || o.Sources[0] != "System.ServiceModel" || errs != 30 || o.Types["error"] != 30 {
		t.Errorf("other program %+v", o)
	}
	if r.Summary.Covered == nil || o.Last == nil || o.Last.Sub(r.Summary.Covered.End) < 4*time.Hour+30*time.Minute {
		t.Errorf("covered window %+v should end at the connector's last record, 4h37m before the other service's %v", r.Summary.Covered, o.Last)
	}
	if r.Environment.Processes != 1 {
		t.Errorf("%d connector process runs, want 1", r.Environment.Processes)
	}
}

// Issue 16.9: a problem fixed during the logs is history: resolved with
// what changed, no step asks for what the bundle shows done, and no advice
// undoes the fix.
func TestAutodiscoverFixedSample(t *testing.T) {
	r := loadExpected(t)["autodiscover-fixed"]
	var res *report.Resolved
	for i := range r.Verdict.Resolved {
		if r.Verdict.Resolved[i].ID == "notify.autodiscover-failed" {
			res = &r.Verdict.Resolved[i]
		}
	}
	if res == nil {
		t.Fatalf("notify.autodiscover-failed not resolved: %+v", r.Verdict)
	}
	all := strings.Join(res.Changes, "\n")
	if !strings.Contains(all, "restarted") || !strings.Contains(all, "ExchangeWebServiceURL") {
		t.Errorf("what changed: %q", res.Changes)
	}
	for _, s := range append(append([]string{}, r.Verdict.NextSteps...), r.Verdict.Reasons...) {
		if strings.Contains(s, "ExchangeWebServiceURL") || strings.Contains(s, "autodiscover") {
			t.Errorf("the verdict still asks about the fixed problem: %s", s)
		}
	}
}

// settingAdvice finds what a remedy asks to do with a named setting:
// +1 set / enable / hard-code, -1 clear / remove / disable.
var settingAdvice = regexp.MustCompile(`(?i)\b(set|enable|hard-?code|clear|remove|disable|unset|delete|empty)\b(?:\s+(?:the|a|an|its|it|to))*\s+(ExchangeWebServiceURL|IsCasFailoverEnabled|EnableParallelCommandSupport|SourceLevel|DefaultAccessLevel)\b`)

func advice(remedy string) map[string]int {
	out := map[string]int{}
	for _, m := range settingAdvice.FindAllStringSubmatch(doNot(remedy), -1) {
		sign := 1
		switch strings.ToLower(m[1]) {
		case "clear", "remove", "disable", "unset", "delete", "empty":
			sign = -1
		}
		out[strings.ToLower(m[2])] |= map[int]int{1: 1, -1: 2}[sign]
	}
	return out
}

func contradict(a, b string) string {
	x, y := advice(a), advice(b)
	for k, v := range x {
		if w := y[k]; v|w == 3 {
			return k
		}
	}
	return ""
}

// Issue 16.9: two findings' advice may not contradict each other: every
// pair of library patterns (any of them can fire together), and every
// pair of findings in every sample report (Go checks included), and the
// verdict's next steps with each other.
func TestAdviceNeverContradicts(t *testing.T) {
	if k := contradict("set ExchangeWebServiceURL in the config", "clear ExchangeWebServiceURL so that Autodiscover is used"); k == "" {
		t.Fatal("the detector misses a known contradiction")
	}
	lib, err := patterns.Load()
	if err != nil {
		t.Fatal(err)
	}
	pats := lib.Patterns()
	for i := range pats {
		for j := i + 1; j < len(pats); j++ {
			if k := contradict(pats[i].Remedy, pats[j].Remedy); k != "" {
				t.Errorf("patterns %s and %s give opposite advice on %s", pats[i].ID, pats[j].ID, k)
			}
		}
	}
	for name, r := range loadExpected(t) {
		var texts, from []string
		for _, f := range r.Findings {
			texts, from = append(texts, f.Remedy), append(from, f.ID)
		}
		for _, p := range pats { // a pattern can fire beside any check
			texts, from = append(texts, p.Remedy), append(from, p.ID)
		}
		for i, s := range r.Verdict.NextSteps {
			texts, from = append(texts, s), append(from, "next step "+string(rune('1'+i)))
		}
		for i := range texts {
			for j := i + 1; j < len(texts); j++ {
				if k := contradict(texts[i], texts[j]); k != "" {
					t.Errorf("%s: %s and %s give opposite advice on %s", name, from[i], from[j], k)
				}
			}
		}
		// next steps never ask for what the bundle shows done
		for _, rs := range r.Verdict.Resolved {
			for _, f := range r.Findings {
				if f.ID != rs.ID || f.Key != rs.Key {
					continue
				}
				for _, s := range r.Verdict.NextSteps {
					if len(f.Remedy) > 20 && strings.HasPrefix(f.Remedy, s) {
						t.Errorf("%s: resolved %s is still a next step: %s", name, f.ID, s)
					}
				}
			}
		}
	}
}
