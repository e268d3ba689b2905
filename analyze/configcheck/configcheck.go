// Package configcheck turns the connector's configuration files into
// findings: a hard-coded EWS URL, disabled CAS failover and a trace
// listener below Verbose. It is pure: Check reads its arguments only.
package configcheck

import (
	"fmt"
	"sort"
	"strings"

	"exlog/analyze/check"
	"exlog/parse/config"
	"exlog/report"
)

// Docs is the Microsoft troubleshooting page for the connector.
const Docs = "https://learn.microsoft.com/en-us/troubleshoot/mem/intune/device-protection/troubleshoot-exchange-connector"

// Finding ids produced by Check.
const (
	IDEWSURLHardcoded    = "config.ews-url-hardcoded"
	IDCASFailoverOff     = "config.cas-failover-disabled"
	IDLoggingNotVerbose  = "logging.not-verbose"
	tracingConfigName    = "TracingConfiguration.xml"
	serviceConfigName    = "OnPremisesExchangeConnectorServiceConfiguration.xml"
	restartServiceAdvice = "restart the WIEC service (Microsoft Intune Exchange Connector Service)"
)

// Tracing is a read TracingConfiguration.xml with the bundle path it came
// from ("case.zip!TracingConfiguration.xml"). A nil Tracing is skipped.
type Tracing struct {
	Tracing *config.Tracing
	Path    string
}

// Service is a read service configuration with its bundle path. A nil
// Service is skipped.
type Service struct {
	Service *config.Service
	Path    string
}

// Rules are the ids Check raises.
var Rules = []check.Rule{
	{ID: IDEWSURLHardcoded, Title: "ExchangeWebServiceURL set: Autodiscover bypassed", Severity: report.SeverityInfo},
	{ID: IDCASFailoverOff, Title: "CAS failover disabled", Severity: report.SeverityWarning},
	{ID: IDLoggingNotVerbose, Title: "Listener level below Verbose", Severity: report.SeverityInfo},
}

// Check returns one finding per id that fires, with one evidence item per
// file (capped at report.MaxEvidence; Count is the exact number of
// files). Findings come sorted by severity (highest first), then id.
// Settings a file does not contain never fire: an unknown trace level is
// not reported as "not verbose".
func Check(tr []Tracing, sv []Service) []report.Finding {
	var out []report.Finding
	add := func(f *report.Finding, ev report.Evidence) *report.Finding {
		if f == nil {
			f = newFinding()
		}
		f.Count++
		if len(f.Evidence) < report.MaxEvidence {
			f.Evidence = append(f.Evidence, ev)
		}
		return f
	}
	var ews, cas, verbose *report.Finding
	for _, s := range sv {
		if s.Service == nil {
			continue
		}
		if s.Service.EWSURLSet {
			ews = add(ews, evidence(s.Path, s.Service.Lines["ExchangeWebServiceURL"], "ExchangeWebServiceURL = "+s.Service.ExchangeWebServiceURL))
		}
		if v := s.Service.IsCasFailoverEnabled; v != nil && !*v {
			cas = add(cas, evidence(s.Path, s.Service.Lines["IsCasFailoverEnabled"], "IsCasFailoverEnabled = false"))
		}
	}
	for _, t := range tr {
		if t.Tracing == nil || t.Tracing.SourceLevel == "" || t.Tracing.Verbose {
			continue
		}
		text := "SourceLevel = " + t.Tracing.SourceLevel
		if t.Tracing.Key != "" {
			text += " (TraceSourceLine " + t.Tracing.Key + ")"
		}
		verbose = add(verbose, evidence(t.Path, t.Tracing.Line, text))
	}
	if ews != nil {
		ews.ID, ews.Severity = IDEWSURLHardcoded, report.SeverityInfo
		ews.Title = "ExchangeWebServiceURL is hard-coded: Autodiscover is bypassed"
		// Hard-coding the URL is Microsoft's documented way around a
		// failing Autodiscover (troubleshooting article, "no notification
		// mail"): never advise clearing it, which would undo that fix
		// (issue 16.9; the autodiscover-fixed sample).
		ews.Remedy = "Nothing to do if intended: the notification account uses this EWS URL instead of Autodiscover, Microsoft's documented way around a failing Autodiscover. " +
			"Keep it pointing at a working EWS endpoint: if EWS moves, update ExchangeWebServiceURL in " + serviceConfigName + " and " + restartServiceAdvice + "."
		out = append(out, *ews)
	}
	if cas != nil {
		cas.ID, cas.Severity = IDCASFailoverOff, report.SeverityWarning
		cas.Title = "CAS failover is disabled (IsCasFailoverEnabled = false)"
		cas.Remedy = "Unless the connector must stay on one Client Access Server, set IsCasFailoverEnabled to true (the default) in " +
			serviceConfigName + " and " + restartServiceAdvice + "; with failover off, one unavailable CAS stops every sync."
		out = append(out, *cas)
	}
	if verbose != nil {
		level := strings.TrimPrefix(verbose.Evidence[0].Text, "SourceLevel = ")
		if i := strings.Index(level, " (TraceSourceLine"); i >= 0 {
			level = level[:i]
		}
		// Microsoft's level is not a fault: the finding says what this
		// report could not judge because of it, and how to capture a
		// verbose trace and return to the level afterwards. The capture
		// steps (Verbose ActivityTracing, restart, full sync until it
		// completes, set it back to the previous level and restart) are
		// Microsoft's "enable verbose logging for the Exchange connector"
		// (Intune Exchange on-premise connector support article); the
		// troubleshooting article asks for these sync logs:
		// https://learn.microsoft.com/en-us/troubleshoot/mem/intune/device-protection/troubleshoot-exchange-connector
		verbose.ID, verbose.Severity = IDLoggingNotVerbose, report.SeverityInfo
		verbose.Title = fmt.Sprintf("Trace listener at %q (below Verbose): the sync schedule could not be judged from these logs", level)
		// Which sync records each level writes is not documented, so
		// the text claims nothing about them; SyncsSeen adds what these
		// logs do show.
		verbose.Remedy = fmt.Sprintf("Not a fault in itself: which sync records the connector writes below Verbose is not documented, so this report did not judge "+
			"quick-sync gaps, slow or unfinished syncs or the daily cadence (sync failures that were logged are still reported). "+
			"To capture them: set SourceLevel to \"Verbose ActivityTracing\" in %s, %s, force a full sync from the Intune admin center "+
			"and let it complete, collect the Logs folder, then set SourceLevel back to %q and %s again "+
			"(verbose tracing fills the 30 circular files quickly).", tracingConfigName, restartServiceAdvice, level, restartServiceAdvice)
		out = append(out, *verbose)
	}
	for i := range out {
		out[i].Category, _, _ = strings.Cut(out[i].ID, ".")
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Severity != out[j].Severity {
			return out[i].Severity > out[j].Severity
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// SyncsSeen says in the logging.not-verbose finding what the logs show
// of the syncs (full and quick counted from them): syncs that were seen
// are not called missing; what stays unjudged is their schedule.
func SyncsSeen(fs []report.Finding, full, quick int) {
	for i := range fs {
		f := &fs[i]
		if f.ID != IDLoggingNotVerbose {
			continue
		}
		var seen string
		if full+quick > 0 {
			seen = fmt.Sprintf("These logs do show syncs at this level (%d full, %d quick, under SYNCS); what was not judged is their schedule: "+
				"whether any sync is missing between them, too slow or unfinished. ", full, quick)
		} else {
			seen = "These logs show no sync: can't tell whether none ran or this level did not log them. "
		}
		f.Remedy = strings.Replace(f.Remedy, "To capture them:", seen+"To capture what was not judged:", 1)
	}
}

func newFinding() *report.Finding {
	return &report.Finding{Docs: Docs, Source: "check", Tags: []string{"config"}}
}

// evidence names a file and line; line 0 (unknown) is left out.
func evidence(path string, line int, text string) report.Evidence {
	return report.Evidence{Origin: path, Line: line, Text: text}
}
