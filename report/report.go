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
}

// Verdict is the one-screen answer: how the connector is doing and what
// to do next.
type Verdict struct {
	State     string   `json:"state"` // healthy | degraded | broken
	Reasons   []string `json:"reasons"`
	NextSteps []string `json:"next_steps"`
	// LastFullSync is the end of the last completed full sync; its age is
	// measured to the end of the logs (not to now: bundles are often old).
	LastFullSync     *time.Time `json:"last_full_sync"`
	LastFullSyncAgeS *float64   `json:"last_full_sync_age_s"`
}

// Environment is what the bundle says about the set-up.
type Environment struct {
	Hosts            []string `json:"hosts"`
	Processes        int      `json:"processes"` // distinct connector process runs seen
	CASServers       []string `json:"cas_servers"`
	ListenerLevel    string   `json:"listener_level,omitempty"`
	FileQuota        int      `json:"file_quota,omitempty"`
	FileSizeQuota    int64    `json:"file_size_quota,omitempty"`
	EWSURL           string   `json:"ews_url,omitempty"`
	CASFailover      *bool    `json:"cas_failover,omitempty"`
	ParallelCommands *bool    `json:"parallel_commands,omitempty"`
	Users            *int     `json:"users,omitempty"`   // users in the last full sync
	Devices          *int     `json:"devices,omitempty"` // devices synced in the last full sync
	TZOffsets        []string `json:"tz_offsets"`
	Notes            []string `json:"notes,omitempty"` // where the evidence contradicts Microsoft's requirements
}

// Change is something that changed in the covered window: a restart, a
// gap in the logs, another CAS server, a config file modified.
type Change struct {
	Time   time.Time `json:"time"`
	Kind   string    `json:"kind"` // restart | gap | cas-server | config-modified | host
	Text   string    `json:"text"`
	Origin string    `json:"origin,omitempty"`
}

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
type Sync struct {
	Kind           string     `json:"kind"` // "full" | "quick"
	Start          time.Time  `json:"start"`
	End            *time.Time `json:"end"`
	DurationS      *float64   `json:"duration_s"`
	Users          *int       `json:"users"`
	DevicesSynced  *int       `json:"devices_synced"`
	CommandID      string     `json:"command_id,omitempty"`
	ExchangeHealth string     `json:"exchange_health,omitempty"`
	Status         string     `json:"status"` // completed | failed | unfinished
	Reason         string     `json:"reason,omitempty"`
	Origin         string     `json:"origin"`
	Evidence       []Evidence `json:"evidence,omitempty"`
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
}

// Evidence is one record that proves a finding.
type Evidence struct {
	Origin string     `json:"origin"`
	Offset *int64     `json:"offset,omitempty"`
	Line   int        `json:"line,omitempty"`
	Time   *time.Time `json:"time"`
	Text   string     `json:"text"`
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

// Encode writes r as indented JSON.
func (r *Report) MarshalIndent() ([]byte, error) { return json.MarshalIndent(r, "", "  ") }
