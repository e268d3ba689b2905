// Package report holds the exlog.report/v1 document: the contract that
// the JSON output, the HTML report, CI formats and the Elasticsearch
// indexer read. Field names and meanings here are a published contract
// (design.md "JSON report"): extend compatibly, never rename.
package report

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Schema is the value of the "schema" member.
const Schema = "exlog.report/v1"

// Severity of a finding. The zero value is invalid.
type Severity uint8

const (
	SeverityInvalid Severity = iota
	SeverityInfo
	SeverityWarning
	SeverityError
	SeverityCritical
)

var severityNames = [...]string{"invalid", "info", "warning", "error", "critical"}

func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return "invalid"
}

// Severities lists the valid severities, lowest first.
func Severities() []Severity {
	return []Severity{SeverityInfo, SeverityWarning, SeverityError, SeverityCritical}
}

// ParseSeverity accepts a severity name in any case.
func ParseSeverity(s string) (Severity, bool) {
	for i := 1; i < len(severityNames); i++ {
		if strings.EqualFold(s, severityNames[i]) {
			return Severity(i), true
		}
	}
	return SeverityInvalid, false
}

func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Severity) UnmarshalText(b []byte) error {
	v, ok := ParseSeverity(string(b))
	if !ok {
		return fmt.Errorf("unknown severity %q (want info, warning, error or critical)", b)
	}
	*s = v
	return nil
}

// Report is the whole analysis result.
type Report struct {
	Schema    string     `json:"schema"`
	Tool      Tool       `json:"tool"`
	Inputs    []Input    `json:"inputs"`
	Skipped   []Skipped  `json:"skipped"`
	Summary   Summary    `json:"summary"`
	Syncs     []Sync     `json:"syncs"`
	Cadence   *Cadence   `json:"cadence,omitempty"`
	Findings  []Finding  `json:"findings"`
	Inventory *Inventory `json:"inventory,omitempty"`

	// Added compatibly in exlog.report/v1 (triage): all optional.
	Verdict     *Verdict      `json:"verdict,omitempty"`
	Environment *Environment  `json:"environment,omitempty"`
	Changes     []Change      `json:"changes,omitempty"`
	Collect     []CollectItem `json:"collect,omitempty"`
	Unmatched   []Template    `json:"unmatched,omitempty"`
	// NotConnector lists the programs whose trace records are in the
	// bundle but which are not the connector (another .NET service's
	// svclog): what they are, how many records, their own errors. Their
	// records raise no connector finding and are outside Summary.Covered.
	NotConnector []OtherProgram `json:"not_connector,omitempty"`
}

// VerdictState is the overall state of a verdict. The values are the
// published JSON strings; use the constants.
type VerdictState string

const (
	StateHealthy  VerdictState = "healthy"
	StateDegraded VerdictState = "degraded"
	StateBroken   VerdictState = "broken"
	// StateUnknown is "can't tell": the bundle holds no evidence of the
	// connector's work (trace logs of another program only, or no trace
	// logs and nothing wrong in what there is).
	StateUnknown VerdictState = "unknown"
)

// States lists the verdict states from least to most severe ("unknown"
// first: it claims nothing).
var States = [...]VerdictState{StateUnknown, StateHealthy, StateDegraded, StateBroken}

// Rank orders states for "raise to at least": unknown < healthy <
// degraded < broken; -1 for a value that is not a state.
func (s VerdictState) Rank() int {
	for i, v := range States {
		if v == s {
			return i
		}
	}
	return -1
}

func (s *VerdictState) UnmarshalText(b []byte) error {
	v := VerdictState(b)
	if v.Rank() < 0 {
		return fmt.Errorf("unknown verdict state %q (want healthy, degraded, broken or unknown)", b)
	}
	*s = v
	return nil
}

// OtherProgram is one program (host and process name) whose trace records
// show no connector activity.
type OtherProgram struct {
	Host      string         `json:"host"`
	Process   string         `json:"process"`
	Sources   []string       `json:"sources"`   // trace source names, e.g. System.ServiceModel
	Processes int            `json:"processes"` // distinct process IDs
	Files     []string       `json:"files"`
	Records   int            `json:"records"`
	Types     map[string]int `json:"types,omitempty"`
	First     *time.Time     `json:"first"`
	Last      *time.Time     `json:"last"`
	// Errors are its own Error/Warning/Critical messages as templates,
	// summarised apart from the connector's.
	Errors []Template `json:"errors,omitempty"`
}

// Verdict is the one-screen answer: how the connector is doing and what
// to do next.
type Verdict struct {
	State     VerdictState `json:"state"` // healthy | degraded | broken | unknown
	Reasons   []string     `json:"reasons"`
	NextSteps []string     `json:"next_steps"`
	// Resolved are the problems that stopped during the logs: history,
	// not tasks (they are not among Reasons or NextSteps).
	Resolved []Resolved `json:"resolved,omitempty"`
	// LastFullSync is the end of the last completed full sync; its age is
	// measured to the end of the logs (not to now: bundles are often old).
	LastFullSync     *time.Time `json:"last_full_sync"`
	LastFullSyncAgeS *float64   `json:"last_full_sync_age_s"`
}

// Resolved is a finding that stopped before the end of the logs, with
// what the evidence shows changed around then.
type Resolved struct {
	ID       string     `json:"id"`
	Key      string     `json:"key,omitempty"`
	Title    string     `json:"title"`
	Severity Severity   `json:"severity"`
	Count    int        `json:"count"`
	First    *time.Time `json:"first"`
	Last     *time.Time `json:"last"` // last occurrence: resolved after this
	// TimeZone, FirstLocal, LastLocal: as in Finding, for occurrences
	// in local time of an unknown zone.
	TimeZone   string `json:"time_zone,omitempty"`
	FirstLocal string `json:"first_local,omitempty"`
	LastLocal  string `json:"last_local,omitempty"`
	// Changes are what changed between the last occurrence and the end of
	// the logs (a restart, a config file modified, a setting now set), as
	// the evidence shows them; empty when it shows none.
	Changes []string `json:"changes,omitempty"`
}

// Environment is what the bundle says about the set-up.
type Environment struct {
	Hosts         []string `json:"hosts"`
	Processes     int      `json:"processes"` // distinct connector process runs seen
	CASServers    []string `json:"cas_servers"`
	ListenerLevel string   `json:"listener_level,omitempty"` // SourceLevel as written in TracingConfiguration.xml
	// ListenerLevelMeaning says in words what ListenerLevel lets through.
	ListenerLevelMeaning string   `json:"listener_level_meaning,omitempty"`
	FileQuota            int      `json:"file_quota,omitempty"`
	FileSizeQuota        int64    `json:"file_size_quota,omitempty"`
	EWSURL               string   `json:"ews_url,omitempty"`
	CASFailover          *bool    `json:"cas_failover,omitempty"`
	ParallelCommands     *bool    `json:"parallel_commands,omitempty"`
	Users                *int     `json:"users,omitempty"`   // users in the last full sync
	Devices              *int     `json:"devices,omitempty"` // devices synced in the last full sync
	TZOffsets            []string `json:"tz_offsets"`
	// Exchange lists the Exchange versions the cmdlet exports show, each
	// with the field and object it was read from (connector requirement:
	// Exchange 2010 SP3 or later).
	Exchange []string `json:"exchange,omitempty"`
	// NotificationAccount is what the bundle shows about the account the
	// connector sends its "Get Started" mail from.
	NotificationAccount *NotificationAccount `json:"notification_account,omitempty"`
	Notes               []string             `json:"notes,omitempty"` // where the evidence contradicts Microsoft's requirements
}

// NotificationAccount is the connector's notification account as far as
// the bundle shows it.
type NotificationAccount struct {
	Account string `json:"account,omitempty"` // as set in the service configuration
	Enabled *bool  `json:"enabled,omitempty"` // notifications on, when the configuration says
	Origin  string `json:"origin,omitempty"`  // the configuration file (and setting) it was read from
	// Mailbox: what the Get-Mailbox export says about it: "matches"
	// (UPN equals primary SMTP address), "mismatch", or "" when the
	// bundle holds no export of that mailbox.
	Mailbox string `json:"mailbox,omitempty"`
	Text    string `json:"text"` // one line for people
}

// Change is something that changed in the covered window: a restart, a
// gap in the logs, another CAS server, a config file modified.
type Change struct {
	// Time is the instant of the change; absent (zero) when its zone is
	// unknown, LocalTime then holds the wall clock.
	Time   time.Time `json:"time,omitzero"`
	Kind   string    `json:"kind"` // restart | gap | cas-server | config-modified | host
	Text   string    `json:"text"`
	Origin string    `json:"origin,omitempty"`
	// LocalTime is the wall-clock time (RFC 3339 without offset) of a
	// change whose zone the evidence does not record, such as a zip
	// member's DOS time (local time of the zipping machine); TimeZone
	// is then "unknown". Such a change is listed but never joined in
	// time with UTC events (resolved findings, timelines).
	LocalTime string `json:"local_time,omitempty"`
	TimeZone  string `json:"time_zone,omitempty"`
}

// ZoneKnown reports whether the change's time is a known instant.
func (c Change) ZoneKnown() bool { return c.LocalTime == "" && !c.Time.IsZero() }

// CollectItem is evidence the bundle lacks for the findings at hand.
type CollectItem struct {
	What    string `json:"what"`
	Why     string `json:"why"`
	Command string `json:"command"`
}

// Template is a group of Error/Warning/Critical messages no pattern
// explained: numbers, GUIDs, addresses and quoted names replaced by
// placeholders.
type Template struct {
	Template string `json:"template"`
	Count    int    `json:"count"`
	Type     string `json:"type"`
	Example  string `json:"example"`
	Origin   string `json:"origin"`
	// First and Last bound the occurrences with a known time (UTC);
	// Undated counts those without one (no time, or local time of an
	// unknown zone), which cannot be placed against the end of the logs.
	First   *time.Time `json:"first,omitempty"`
	Last    *time.Time `json:"last,omitempty"`
	Undated int        `json:"undated,omitempty"`
}

type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Overrides are the patterns given with --patterns that replaced a
	// library pattern (or an earlier --patterns one) of the same id.
	Overrides []PatternOverride `json:"overrides,omitempty"`
}

// PatternOverride says which pattern file replaced which for one id.
type PatternOverride struct {
	ID       string `json:"id"`
	File     string `json:"file"` // the file of the pattern in force
	Line     int    `json:"line"`
	Replaced string `json:"replaced"` // the file of the pattern it replaced
}

// String says it in words.
func (o PatternOverride) String() string {
	return fmt.Sprintf("pattern %s from %s (line %d) replaces the one in %s", o.ID, o.File, o.Line, o.Replaced)
}

// Input is one file that was read.
type Input struct {
	Path     string         `json:"path"`
	Format   string         `json:"format"`
	Bytes    int64          `json:"bytes"`
	Records  int            `json:"records"`
	Types    map[string]int `json:"types,omitempty"` // records by event type, lower case
	First    *time.Time     `json:"first"`
	Last     *time.Time     `json:"last"`
	Broken   int            `json:"broken"` // records that could not be parsed (counted in warnings)
	Partial  bool           `json:"partial,omitempty"`
	Warnings []InputWarning `json:"warnings"`
	// WarningsTotal is the exact number of warnings; Warnings is capped.
	WarningsTotal int `json:"warnings_total"`
	// TimeZone says, for an export that writes local time without a zone
	// (Event Viewer text/CSV, Get-WinEvent/Get-EventLog | Export-Csv),
	// which UTC offset exlog found and from what evidence, or that it is
	// unknown. Absent for inputs that carry their zone.
	TimeZone *InputTimeZone `json:"time_zone,omitempty"`
	// DuplicateOf names the input this one is a byte-for-byte copy of
	// (same size and hash, e.g. the same Logs folder zipped twice): it is
	// listed but not read again, and Records stays 0.
	DuplicateOf string `json:"duplicate_of,omitempty"`
}

// InputTimeZone is the zone exlog gave an input's local times.
type InputTimeZone struct {
	// Basis: "xml-export" (the same records in an XML export or .evtx,
	// which carry UTC), "collector" (collect-script's TimeZone.txt),
	// "service-restarts" (SCM service events aligned with the process
	// restarts in the trace logs) or "unknown".
	Basis string `json:"basis"`
	// Offset is the UTC offset found ("+01:00"); empty when unknown.
	Offset string `json:"offset,omitempty"`
	// Detail says what matched, in words.
	Detail string `json:"detail"`
	// FirstLocal and LastLocal are the input's first and last local
	// times (RFC 3339 without offset) when the zone is unknown; First and
	// Last are then null.
	FirstLocal string `json:"first_local,omitempty"`
	LastLocal  string `json:"last_local,omitempty"`
}

// InputWarning is a problem met reading an input.
type InputWarning struct {
	Origin  string `json:"origin"`
	Offset  *int64 `json:"offset,omitempty"`
	Line    int    `json:"line,omitempty"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// Skipped is a file that was not analysed, and why.
type Skipped struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Summary covers the whole bundle.
type Summary struct {
	Records  int            `json:"records"`
	First    *time.Time     `json:"first"`
	Last     *time.Time     `json:"last"`
	Findings map[string]int `json:"findings"` // by severity: critical, error, warning, info
	// Covered is the window of the trace logs (first and last trace
	// record): what the sync schedule is judged on. Event-log exports often
	// reach further back; First/Last above span every record.
	Covered *Window        `json:"covered"`
	Gaps    []Gap          `json:"gaps"` // stretches longer than an hour without any trace record
	Types   map[string]int `json:"types,omitempty"`
	Formats map[string]int `json:"formats,omitempty"` // inputs by format
	// Duplicates counts event-log records found in more than one export
	// (e.g. the same System log saved as XML and as text): read, counted
	// here, analysed once.
	Duplicates int               `json:"duplicates,omitempty"`
	Extra      map[string]string `json:"extra,omitempty"`
}

// Window is a span of time.
type Window struct {
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	DurationS float64   `json:"duration_s"`
}

// Gap is a stretch of the covered window without records.
type Gap struct {
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	DurationS  float64   `json:"duration_s"`
	AfterInput string    `json:"after"` // origin of the last record before the gap
}

// Sync is one reconstructed sync session.
// SyncKind is the kind of a sync session. The zero value is invalid.
type SyncKind string

const (
	SyncFull  SyncKind = "full"
	SyncQuick SyncKind = "quick"
)

// SyncKinds lists the valid kinds, full first.
var SyncKinds = [...]SyncKind{SyncFull, SyncQuick}

// SyncStatus is how a sync session ended. The zero value is invalid.
type SyncStatus string

const (
	// SyncCompleted: the connector's own success message ended it.
	SyncCompleted SyncStatus = "completed"
	// SyncFailed: a failure message ended it, or it ended without a
	// success message after errors or a Stop of its activity.
	SyncFailed SyncStatus = "failed"
	// SyncUnfinished: no completion (superseded, restarted, logs end).
	SyncUnfinished SyncStatus = "unfinished"
)

type Sync struct {
	Kind           SyncKind   `json:"kind"`
	Start          time.Time  `json:"start"`
	End            *time.Time `json:"end"`
	DurationS      *float64   `json:"duration_s"`
	Users          *int       `json:"users"`
	DevicesSynced  *int       `json:"devices_synced"`
	CommandID      string     `json:"command_id,omitempty"`
	ExchangeHealth string     `json:"exchange_health,omitempty"`
	Status         SyncStatus `json:"status"`
	Reason         string     `json:"reason,omitempty"`
	// Retries counts the retries announced inside the sync (a Warning or
	// Error that says it retries, followed by the sync's own completion or
	// failure); a completed sync with retries is still completed.
	Retries int `json:"retries,omitempty"`
	// Slow is set on a completed sync that sync.slow reports (the one
	// place that judges slowness; outputs read this flag).
	Slow     bool       `json:"slow,omitempty"`
	Origin   string     `json:"origin"`
	Evidence []Evidence `json:"evidence,omitempty"`
}

// Cadence is the sync schedule observed in the logs (not assumed).
type Cadence struct {
	FullSyncs      int      `json:"full_syncs"`
	QuickSyncs     int      `json:"quick_syncs"`
	QuickMedianS   *float64 `json:"quick_median_interval_s"` // null with fewer than two quick syncs
	FullTimesOfDay []string `json:"full_times_of_day"`       // "02:15" UTC, in start order
}

// Finding is one detected problem (or informational fact).
type Finding struct {
	ID       string     `json:"id"`
	Key      string     `json:"key,omitempty"` // distinguishes instances of one id (a user, a device...)
	Title    string     `json:"title"`
	Severity Severity   `json:"severity"`
	Category string     `json:"category"`
	Count    int        `json:"count"`
	First    *time.Time `json:"first"`
	Last     *time.Time `json:"last"`
	Remedy   string     `json:"remedy"`
	Docs     string     `json:"docs"`
	Source   string     `json:"source,omitempty"` // "pattern:FILE" or "check"
	Tags     []string   `json:"tags,omitempty"`
	Evidence []Evidence `json:"evidence"`
	// Ongoing: the finding still occurs near the end of the logs.
	Ongoing bool `json:"ongoing"`
	// TimeZone is "unknown" when some occurrences come from an event-log
	// export whose local time could not be given a zone: those are not
	// in First/Last (which stay null if all are) but in FirstLocal and
	// LastLocal (RFC 3339 without offset), and their evidence carries
	// local_time.
	TimeZone   string `json:"time_zone,omitempty"`
	FirstLocal string `json:"first_local,omitempty"`
	LastLocal  string `json:"last_local,omitempty"`
	// ResolvedBy says what record showed the finding over when that is
	// not its absence near the end of the logs, e.g. the connector
	// service entering the running state after its start failures in
	// the same event-log export; Ongoing is then false.
	ResolvedBy string `json:"resolved_by,omitempty"`
}

// Evidence is one record that proves a finding.
type Evidence struct {
	Origin string     `json:"origin"`
	Offset *int64     `json:"offset,omitempty"`
	Line   int        `json:"line,omitempty"`
	Time   *time.Time `json:"time"`
	Text   string     `json:"text"`
	// LocalTime is the wall-clock time of a record whose zone is unknown
	// (RFC 3339 without offset, "2023-03-14T09:12:44"); Time is then null
	// and TimeZone "unknown".
	LocalTime string `json:"local_time,omitempty"`
	// TimeZone is "unknown" for LocalTime, or the inferred offset of a
	// local-time record whose Time was converted to UTC ("+01:00").
	TimeZone string `json:"time_zone,omitempty"`
}

// NewEvidence is the one constructor of evidence for a record: Origin is
// the file (path inside the bundle) and the position goes in Line (text
// formats, 1-based) or else Offset (byte offset, when >= 0), never in
// Origin too. A zero t leaves Time nil.
func NewEvidence(path string, offset int64, line int, t time.Time, text string) Evidence {
	ev := Evidence{Origin: path, Text: text}
	if line > 0 {
		ev.Line = line
	} else if offset >= 0 {
		off := offset
		ev.Offset = &off
	}
	if !t.IsZero() {
		ev.Time = &t
	}
	return ev
}

// MaxEvidence caps the evidence list of a finding; Count stays exact.
const MaxEvidence = 5

// Inventory is what the cmdlet exports say about Exchange.
type Inventory struct {
	Devices              int               `json:"devices"`
	Mailboxes            int               `json:"mailboxes"`
	CASMailboxes         int               `json:"cas_mailboxes"`
	Users                int               `json:"users"`
	DevicesByAccessState map[string]int    `json:"devices_by_access_state"`
	DevicesByReason      map[string]int    `json:"devices_by_reason"`
	DefaultAccessLevel   string            `json:"default_access_level,omitempty"`
	UsersWithProblems    []UserProblem     `json:"users_with_problems"`
	Records              map[string]int    `json:"records,omitempty"` // export objects by kind
	Extra                map[string]string `json:"extra,omitempty"`
}

// UserProblem names a user and the finding ids that concern them.
type UserProblem struct {
	User     string   `json:"user"`
	Problems []string `json:"problems"`
}

// MarshalIndent returns r as indented JSON.
func (r *Report) MarshalIndent() ([]byte, error) { return json.MarshalIndent(r, "", "  ") }

// CountFindings sets Summary.Findings to the number of findings of each
// severity, every severity named (0 included).
func (r *Report) CountFindings() {
	r.Summary.Findings = map[string]int{}
	for _, s := range Severities() {
		r.Summary.Findings[s.String()] = 0
	}
	for _, f := range r.Findings {
		r.Summary.Findings[f.Severity.String()]++
	}
}

// ZoneUnknown is Evidence.TimeZone for a local time of an unknown zone.
const ZoneUnknown = "unknown"

// LocalLayout writes a local time without offset (RFC 3339 less the zone).
const LocalLayout = "2006-01-02T15:04:05"

// SetTime sets the evidence time of a record. zone is the record's
// event.FieldTimeZone value: "" (the time is UTC), "unknown" (t holds
// local wall-clock digits: shown as LocalTime, never as UTC) or an
// inferred offset already applied to t.
func (ev *Evidence) SetTime(t time.Time, zone string) {
	ev.Time, ev.LocalTime, ev.TimeZone = nil, "", ""
	if t.IsZero() {
		return
	}
	if zone == ZoneUnknown {
		ev.LocalTime = t.Format(LocalLayout)
		ev.TimeZone = ZoneUnknown
		return
	}
	t = t.UTC()
	ev.Time = &t
	ev.TimeZone = zone
}
