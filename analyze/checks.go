package analyze

import (
	"time"

	"exlog/analyze/check"
	"exlog/analyze/configcheck"
	"exlog/analyze/inventory"
	"exlog/analyze/session"
	"exlog/parse"
	"exlog/patterns"
	"exlog/report"
)

// Check names a finding id raised by Go code rather than by a pattern
// file (design.md "Finding IDs"), for the baseline's and the CI formats'
// rule lists and `exlog patterns list`.
type Check struct {
	check.Rule
	// Where is the package that raises it.
	Where string
}

// goCheck is one Go check: the rules it declares beside the code that
// raises them, and its run over the run's evidence. A check raises only
// the ids of its rules (TestChecksRaiseWhatTheyDeclare holds it to that
// over the sample corpus).
type goCheck struct {
	where string
	rules []check.Rule
	// run returns the check's findings in any order (assemble sorts
	// them). It reads in and must not modify it.
	run func(in *checkInput) []report.Finding
}

// goChecks is the one list of the Go checks: analyze.Checks and the run
// (assemble) read it, in this order. Adding a check is one entry here,
// with its rules declared beside its code. A check reads the findings
// raised before it (checkInput.raised): connector.end-of-support sums them
// up, so it stays last.
var goChecks = []goCheck{
	{"analyze/session", session.Rules, syncChecks},
	{"analyze/inventory", inventory.Rules, inventoryChecks},
	{"analyze/configcheck", configcheck.Rules, configChecks},
	{"analyze", bundleRules, bundleFindings},
	{"analyze", localTimeRules, localTimeFinding},
	{"analyze", notConnectorRules, notConnectorFinding},
	{"analyze", eventLogOutsideRules, eventLogOutside},
	{"analyze", severalConnectorsRules, severalConnectors},
	{"analyze", endOfSupportRules, endOfSupportFinding},
}

// Checks returns the Go checks' rules, in a fixed order. The slice is
// a copy.
func Checks() []Check {
	var out []Check
	for _, c := range goChecks {
		for _, r := range c.rules {
			out = append(out, Check{Rule: r, Where: c.where})
		}
	}
	return out
}

// checkInput is what the Go checks read, filled by assemble once every
// input has been read. No check modifies it.
type checkInput struct {
	syncs []report.Sync
	// first and last bound the trace logs' covered window (zero: no
	// connector trace record).
	first, last time.Time
	// end is the last time the connector's own evidence shows (evidenceEnd).
	end      time.Time
	verbose  bool // the listener logs sync messages (run.verbose)
	sessions session.Options
	// notes are the pattern rules the matcher could not judge, and why.
	notes   []patterns.Note
	tracing []configcheck.Tracing
	service []configcheck.Service
	// inventory is what inventory.Builder.Finish raised: its checks run
	// with the join of the exports, which also fills the report's
	// inventory (users with problems, counts), so Finish runs them.
	inventory []report.Finding
	inputs    []*input
	skips     []parse.Skip
	evlogs    []*evlogInput
	attr      *attribution
	others    []report.OtherProgram // trace-log writers that are not the connector
	hosts     []string              // the computers the connector's trace records name (connectorHosts)
	// raised are the findings of the patterns and of the checks before
	// this one in goChecks, less those the evidence cannot support
	// (assemble's shows).
	raised []report.Finding
}

// syncChecks are the session checks, and sync.coverage-short for the
// pattern rules the logs are too short to judge when the sessions did
// not say so already.
func syncChecks(in *checkInput) []report.Finding {
	out := session.Checks(in.syncs, in.first, in.last, in.verbose, in.sessions)
	return append(out, coverageNotes(in.notes, out)...)
}

func inventoryChecks(in *checkInput) []report.Finding { return in.inventory }

// configChecks are the configuration checks, told how many syncs the
// logs show.
func configChecks(in *checkInput) []report.Finding {
	cfg := configcheck.Check(in.tracing, in.service)
	full, quick := 0, 0
	for _, s := range in.syncs {
		switch s.Kind {
		case report.SyncFull:
			full++
		case report.SyncQuick:
			quick++
		}
	}
	configcheck.SyncsSeen(cfg, full, quick)
	return cfg
}
