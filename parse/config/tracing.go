package config

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"exlog/event"
)

// ConnectorTraceSource is the TraceSourceLine Key of the connector.
const ConnectorTraceSource = "OnPremisesExchangeConnectorService"

// Tracing is what TracingConfiguration.xml says about the connector's
// trace listener.
type Tracing struct {
	// SourceLevel is the effective level as written, e.g.
	// "Warning ActivityTracing"; "" when the file has none. When the file
	// sets several (trace source and listener), records must pass all of
	// them, so the least detailed one is the effective one.
	SourceLevel string
	// Verbose reports whether SourceLevel lets Verbose records through
	// ("Verbose" or "All"). It is false when SourceLevel is "" (unknown):
	// callers that must not guess check SourceLevel first.
	Verbose bool
	// Levels is SourceLevel split into its flags: ["Warning", "ActivityTracing"].
	Levels        []string
	FileSizeQuota int64 // FileSizeQuotaInBytes; 0 when absent
	FileQuota     int   // number of files in the rotation; 0 when absent
	FileName      string
	// Line is the 1-based line of the effective SourceLevel setting, 0 if none.
	Line int
	// Key is the TraceSourceLine Key the settings were taken from: the
	// connector's when the file has it, otherwise "" (settings of the
	// whole file).
	Key string
}

var tracingNames = map[string]string{
	"sourcelevel":          "SourceLevel",
	"filesizequotainbytes": "FileSizeQuotaInBytes",
	"filequota":            "FileQuota",
	"filename":             "FileName",
}

// DetectTracing reports whether head looks like TracingConfiguration.xml:
// XML naming TracingConfiguration, or a TraceSourceLine with the
// connector's key, or both SourceLevel and FileSizeQuotaInBytes.
func DetectTracing(head []byte) bool {
	if !looksLikeXML(head) || containsFold(head, "schemas.microsoft.com/win/2004/08/events/event") || containsFold(head, "E2ETraceEvent") {
		return false
	}
	return containsFold(head, "<TracingConfiguration") ||
		containsFold(head, "TraceSourceLine") && containsFold(head, ConnectorTraceSource) ||
		containsFold(head, "SourceLevel") && containsFold(head, "FileSizeQuotaInBytes")
}

// ReadTracing reads a TracingConfiguration.xml. See the package comment
// for the error contract; a file without any SourceLevel gives a warning
// and a Tracing with SourceLevel "".
func ReadTracing(r io.Reader, path string, warn func(event.ReadWarning), caps event.Caps) (*Tracing, error) {
	s := &scanner{w: warn, path: path, names: tracingNames, caps: caps}
	if err := s.run(r); err != nil {
		return nil, err
	}
	t := &Tracing{}
	// Prefer the connector's TraceSourceLine when the file has one.
	inScope := func(int) bool { return true }
	for i, k := range s.keys {
		if i > 0 && strings.EqualFold(strings.TrimSpace(k), ConnectorTraceSource) {
			t.Key = strings.TrimSpace(k)
			inScope = func(sc int) bool { return sc == i }
			break
		}
	}
	best := -1
	for _, st := range s.settings {
		if !inScope(st.scope) {
			continue
		}
		switch st.name {
		case "SourceLevel":
			rank, levels, ok := parseSourceLevel(st.value)
			if !ok {
				s.warn(st.line, event.KindBadSetting, fmt.Sprintf("cannot read SourceLevel %q", st.value))
				continue
			}
			// On a tie keep the narrower value as written: "All" lets
			// through what "Verbose ActivityTracing" does and more, so a
			// file that sets both is shown with the one that binds.
			if best < 0 || rank < best || rank == best && isAll(t.SourceLevel) && !isAll(st.value) {
				best = rank
				t.SourceLevel, t.Levels, t.Line = st.value, levels, st.line
				t.Verbose = rank >= rankVerbose
			}
		case "FileSizeQuotaInBytes":
			if t.FileSizeQuota != 0 {
				continue
			}
			if v, err := parseInt(st.value); err == nil && v >= 0 {
				t.FileSizeQuota = v
			} else {
				s.warn(st.line, event.KindBadSetting, fmt.Sprintf("cannot read FileSizeQuotaInBytes %q", st.value))
			}
		case "FileQuota":
			if t.FileQuota != 0 {
				continue
			}
			if v, err := parseInt(st.value); err == nil && v >= 0 && v <= 1<<31-1 {
				t.FileQuota = int(v)
			} else {
				s.warn(st.line, event.KindBadSetting, fmt.Sprintf("cannot read FileQuota %q", st.value))
			}
		case "FileName":
			if t.FileName == "" {
				t.FileName = st.value
			}
		}
	}
	if t.SourceLevel == "" {
		s.warn(1, event.KindMissingSetting, "no SourceLevel found: the trace level is unknown")
	}
	return t, nil
}

// Ranks of System.Diagnostics.SourceLevels: the most detailed event type
// a level lets through.
const (
	rankOff = iota
	rankCritical
	rankError
	rankWarning
	rankInformation
	rankVerbose
)

var levelRanks = map[string]int{
	"off": rankOff, "critical": rankCritical, "error": rankError, "warning": rankWarning,
	"information": rankInformation, "verbose": rankVerbose, "all": rankVerbose,
}

// parseSourceLevel reads "Warning ActivityTracing", "Verbose, ActivityTracing",
// "Information|ActivityTracing" or the numeric SourceLevels value. rank is
// the most detailed type let through; ActivityTracing alone is rankOff.
func parseSourceLevel(s string) (rank int, levels []string, ok bool) {
	if n, err := strconv.ParseInt(strings.TrimSpace(s), 0, 64); err == nil {
		// SourceLevels flags: Critical 1, Error 3, Warning 7, Information 15, Verbose 31, All -1.
		switch {
		case n == -1 || n&0x10 != 0:
			rank = rankVerbose
		case n&0x08 != 0:
			rank = rankInformation
		case n&0x04 != 0:
			rank = rankWarning
		case n&0x02 != 0:
			rank = rankError
		case n&0x01 != 0:
			rank = rankCritical
		}
		return rank, []string{strings.TrimSpace(s)}, true
	}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '|' || r == '\t' || r == ';' }) {
		l := strings.ToLower(f)
		if r, known := levelRanks[l]; known {
			rank = max(rank, r)
		} else if l != "activitytracing" {
			return 0, nil, false
		}
		levels = append(levels, f)
	}
	return rank, levels, len(levels) > 0
}

// isAll reports whether a SourceLevel value is "All" (or -1): every flag.
func isAll(v string) bool {
	v = strings.TrimSpace(v)
	return strings.EqualFold(v, "All") || v == "-1" || strings.EqualFold(v, "0xFFFFFFFF")
}

// Meaning says in words what SourceLevel lets through, to show beside the
// value as written (System.Diagnostics.SourceLevels:
// https://learn.microsoft.com/en-us/dotnet/api/system.diagnostics.sourcelevels).
func (t *Tracing) Meaning() string {
	if t == nil || t.SourceLevel == "" {
		return ""
	}
	rank, _, ok := parseSourceLevel(t.SourceLevel)
	if !ok {
		return ""
	}
	activity := isAll(t.SourceLevel)
	for _, l := range t.Levels {
		if strings.EqualFold(l, "ActivityTracing") {
			activity = true
		}
	}
	var m string
	switch rank {
	case rankVerbose:
		m = "every record type is logged, Verbose included (sync detail visible)"
	case rankInformation:
		m = "Information and above are logged; Verbose sync detail is not"
	case rankWarning:
		m = "only Warning, Error and Critical records are logged; sync progress is not"
	case rankError:
		m = "only Error and Critical records are logged"
	case rankCritical:
		m = "only Critical records are logged"
	default:
		m = "no event records are logged"
	}
	if activity {
		m += ", with activity start/stop/transfer records"
	} else {
		m += ", without activity start/stop records"
	}
	return m
}
