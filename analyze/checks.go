package analyze

import (
	"exlog/analyze/configcheck"
	"exlog/analyze/inventory"
	"exlog/analyze/session"
	"exlog/report"
)

// Check names a finding id raised by Go code rather than by a pattern
// file (design.md "Finding IDs"). Checks is the one list of them: the
// baseline's and the CI formats' rule lists and `exlog patterns list` read
// it, and a test holds every "check" finding of the sample corpus to it.
type Check struct {
	ID    string
	Title string // what it detects, for rule lists
	// Severity is the most severe level the check raises.
	Severity report.Severity
	// Where is the package that raises it.
	Where string
}

var checks = []Check{
	{session.IDQuickGap, "A gap between quick syncs far beyond the observed cadence", report.SeverityWarning, "analyze/session"},
	{session.IDUnfinished, "A sync that started and never completed", report.SeverityError, "analyze/session"},
	{session.IDFailed, "A sync that ended in failure", report.SeverityError, "analyze/session"},
	{session.IDFullOverdue, "No full sync started, or none completed, within a day plus grace", report.SeverityError, "analyze/session"},
	{session.IDSlow, "A sync far slower than its peers or an absolute bound", report.SeverityWarning, "analyze/session"},
	{session.IDCoverageShort, "Logs cover too little time to judge the schedule", report.SeverityInfo, "analyze/session"},
	{inventory.IDSMTPUPNMismatch, "Primary SMTP address differs from the UPN", report.SeverityWarning, "analyze/inventory"},
	{inventory.IDActiveSyncOff, "ActiveSync disabled for a user with devices", report.SeverityWarning, "analyze/inventory"},
	{inventory.IDDeviceQuarantined, "Devices quarantined or blocked by the connector", report.SeverityWarning, "analyze/inventory"},
	{inventory.IDDeviceStale, "Devices without a successful sync for a long time", report.SeverityInfo, "analyze/inventory"},
	{inventory.IDDefaultNotAllow, "DefaultAccessLevel is Block or Quarantine", report.SeverityWarning, "analyze/inventory"},
	{configcheck.IDEWSURLHardcoded, "ExchangeWebServiceURL set: Autodiscover bypassed", report.SeverityInfo, "analyze/configcheck"},
	{configcheck.IDCASFailoverOff, "CAS failover disabled", report.SeverityWarning, "analyze/configcheck"},
	{configcheck.IDLoggingNotVerbose, "Listener level below Verbose", report.SeverityInfo, "analyze/configcheck"},
	{IDTruncatedRecord, "A record cut at a file's start or end", report.SeverityInfo, "analyze"},
	{IDUnreadable, "Evidence that could not be read", report.SeverityWarning, "analyze"},
	{IDLocalTime, "Event-log exports in local time: the zone found, or that it is unknown", report.SeverityInfo, "analyze"},
	{IDNotConnector, "Trace logs with no connector activity: not the connector's", report.SeverityWarning, "analyze"},
	{IDEndOfSupport, "Evidence past the connector's end of support (15 January 2024)", report.SeverityCritical, "analyze"},
}

// Finding ids raised in this package.
const (
	IDTruncatedRecord = "bundle.truncated-record"
	IDUnreadable      = "bundle.unreadable"
	IDNotConnector    = "bundle.not-connector"
	IDLocalTime       = "bundle.local-time"
)

// Checks returns the Go checks, in a fixed order. The slice is a copy.
func Checks() []Check { return append([]Check(nil), checks...) }
