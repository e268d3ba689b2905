package analyze

import (
	"sort"
	"strings"

	"exlog/analyze/check"
	"exlog/report"
)

// IDSeveralConnectors is raised by severalConnectors.
const IDSeveralConnectors = "bundle.several-connectors"

var severalConnectorsRules = []check.Rule{
	{ID: IDSeveralConnectors, Title: "Trace logs of more than one connector server in one bundle", Severity: report.SeverityWarning},
}

// connectorHosts are the computers the connector's trace records name,
// upper-cased, sorted (a.hosts holds only the connector's records).
func (a *run) connectorHosts() []string {
	seen := map[string]bool{}
	var out []string
	for h := range a.hosts {
		h = strings.ToUpper(strings.TrimSpace(h))
		if i := strings.IndexByte(h, '.'); i > 0 {
			h = h[:i] // EXCONN01.contoso.com and EXCONN01 are one computer
		}
		if h != "" && !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	sort.Strings(out)
	return out
}

// severalConnectors says that the connector's trace logs come from more
// than one computer. exlog reads a bundle as one connector: one timeline
// of syncs, one last full sync, one verdict. With two servers' logs a
// sync on one can hide a failure or a stop on the other (blind round 4:
// a failing second server's full sync was "resolved" by the first's, and a
// server that stopped logging three days early went unnoticed). Microsoft
// supports one connector per Exchange organization and no high
// availability of the connector ("The Exchange connector itself doesn't
// support high availability", Set up the on-premises Intune Exchange
// connector), so each server is its own case: analyse them apart.
func severalConnectors(in *checkInput) []report.Finding {
	if len(in.hosts) < 2 {
		return nil
	}
	f := report.Finding{ID: IDSeveralConnectors, Severity: report.SeverityWarning, Category: "bundle", Source: "check", Count: 1,
		Title: "Trace logs of " + strings.Join(in.hosts, " and ") + " in one bundle: exlog reads them as one connector, " +
			"so a sync on one can hide a failure or a stop on the other; can't tell each server's state from this report",
		Remedy: "Analyse each server's trace logs on their own (exlog analyze with only that server's Logs folder and config), " +
			"and keep one connector per Exchange organization: Microsoft supports only one, and the connector has no high availability " +
			"(a second one does not take over when the first fails).",
		Docs: docsConnectorSetup, Evidence: []report.Evidence{}}
	return []report.Finding{f}
}
