// Package event defines the one typed record that flows through exlog:
// every reader (trace logs, event-log exports) produces Events, the
// analyzer orders and joins them, and patterns match them.
//
// An Event is a plain value. Readers allocate a fresh Event (and fresh
// strings) per record, so an Event may be kept after the reader moves on.
package event

import (
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Type is the event type of a record: for trace logs the SubType Name,
// for event logs the Level. The zero value is invalid.
type Type uint8

const (
	TypeInvalid Type = iota
	Critical
	Error
	Warning
	Information
	Verbose
	Start
	Stop
	Suspend
	Resume
	Transfer
	numTypes
)

// NumTypes is the size of an array indexed by Type.
const NumTypes = int(numTypes)

var typeNames = [...]string{"invalid", "critical", "error", "warning", "information", "verbose", "start", "stop", "suspend", "resume", "transfer"}

// String returns the lower-case name used in reports ("error", "start").
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "invalid"
}

// Types lists the valid types in report order.
func Types() []Type {
	return []Type{Critical, Error, Warning, Information, Verbose, Start, Stop, Suspend, Resume, Transfer}
}

// ParseType accepts a type name in any case ("Error", "information"),
// also the event-log spelling "Informational"/"Info".
func ParseType(s string) (Type, bool) {
	s = strings.TrimSpace(s)
	for i := 1; i < len(typeNames); i++ {
		if strings.EqualFold(s, typeNames[i]) {
			return Type(i), true
		}
	}
	switch strings.ToLower(s) {
	case "informational", "info":
		return Information, true
	}
	return TypeInvalid, false
}

// TypeFromLevel maps the numeric Level of a trace record or an event log
// to a Type. eventLog selects the Windows event log numbering (1 Critical,
// 2 Error, 3 Warning, 0/4 Information, 5 Verbose); otherwise the trace
// listener's (1 Critical, 2 Error, 4 Warning, 8 Information, 16 Verbose).
func TypeFromLevel(level int, eventLog bool) Type {
	if eventLog {
		switch level {
		case 1:
			return Critical
		case 2:
			return Error
		case 3:
			return Warning
		case 0, 4:
			return Information
		case 5:
			return Verbose
		}
		return TypeInvalid
	}
	switch level {
	case 1:
		return Critical
	case 2:
		return Error
	case 4:
		return Warning
	case 8:
		return Information
	case 16:
		return Verbose
	}
	return TypeInvalid
}

// Level orders types by severity for comparisons such as "level >= warning".
// Activity types (start, stop, suspend, resume, transfer) have LevelNone,
// which compares below every real level.
type Level uint8

const (
	LevelNone Level = iota
	LevelVerbose
	LevelInformation
	LevelWarning
	LevelError
	LevelCritical
)

var levelNames = [...]string{"none", "verbose", "information", "warning", "error", "critical"}

func (l Level) String() string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return "none"
}

// ParseLevel accepts a level name in any case.
func ParseLevel(s string) (Level, bool) {
	for i := 1; i < len(levelNames); i++ {
		if strings.EqualFold(s, levelNames[i]) {
			return Level(i), true
		}
	}
	if strings.EqualFold(s, "info") {
		return LevelInformation, true
	}
	return LevelNone, false
}

// Level of a type: its severity, or LevelNone for activity records.
func (t Type) Level() Level {
	switch t {
	case Critical:
		return LevelCritical
	case Error:
		return LevelError
	case Warning:
		return LevelWarning
	case Information:
		return LevelInformation
	case Verbose:
		return LevelVerbose
	}
	return LevelNone
}

// Format is the detected format of an input file. The zero value is
// invalid; String gives the names of the JSON report contract.
type Format uint8

const (
	FormatInvalid Format = iota
	FormatTrace
	FormatCmdletList
	FormatCmdletCSV
	FormatCmdletCliXML
	FormatEventlogText
	FormatEventlogCSV
	FormatEventlogXML
	FormatConfigTracing
	FormatConfigService
	FormatEvtx // binary Windows event log (.evtx), read by parse/evtx
	// FormatTimeZone is collect-script's record of the machine's time
	// zone (eventlogs/TimeZone.txt): evidence for local event-log times.
	FormatTimeZone
	numFormats
)

var formatNames = [...]string{"invalid", "trace", "cmdlet-list", "cmdlet-csv", "cmdlet-clixml", "eventlog-text", "eventlog-csv", "eventlog-xml", "config-tracing", "config-service", "evtx", "eventlog-timezone"}

func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "invalid"
}

// ParseFormat is the inverse of Format.String.
func ParseFormat(s string) (Format, bool) {
	for i := 1; i < len(formatNames); i++ {
		if strings.EqualFold(s, formatNames[i]) {
			return Format(i), true
		}
	}
	return FormatInvalid, false
}

// Formats lists the valid formats.
func Formats() []Format {
	out := make([]Format, 0, int(numFormats)-1)
	for f := FormatTrace; f < numFormats; f++ {
		out = append(out, f)
	}
	return out
}

// Origin says where a thing came from: the bundle path of the file
// (nested archives chained with "!", "/" separators) and a byte offset
// (binary/XML formats) or a 1-based line (text formats). Line > 0 means
// the position is a line; otherwise Offset is a byte offset, -1 if unknown.
type Origin struct {
	Path   string
	Offset int64
	Line   int
}

// String renders "path@offset" or "path:line" (just "path" if neither).
func (o Origin) String() string {
	switch {
	case o.Line > 0:
		return o.Path + ":" + strconv.Itoa(o.Line)
	case o.Offset >= 0:
		return o.Path + "@" + strconv.FormatInt(o.Offset, 10)
	}
	return o.Path
}

// GUID is an activity id. The zero value means "none" (the all-zero GUID
// that trace records carry when no activity is set).
type GUID [16]byte

// IsZero reports whether g is the empty activity.
func (g GUID) IsZero() bool { return g == GUID{} }

// String returns the lower-case 8-4-4-4-12 form without braces, or "".
func (g GUID) String() string {
	if g.IsZero() {
		return ""
	}
	var b [36]byte
	hex.Encode(b[0:8], g[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], g[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], g[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], g[8:10])
	b[23] = '-'
	hex.Encode(b[24:], g[10:16])
	return string(b[:])
}

// ParseGUID accepts "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" with or
// without braces, any case, as bytes (no allocation).
func ParseGUID(s []byte) (GUID, bool) {
	var g GUID
	if len(s) == 38 && s[0] == '{' && s[37] == '}' {
		s = s[1:37]
	}
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return g, false
	}
	j := 0
	for i := 0; i < 36; i += 2 {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i-- // skip the dash: the next pair starts one further on
			continue
		}
		hi, ok1 := unhex(s[i])
		lo, ok2 := unhex(s[i+1])
		if !ok1 || !ok2 {
			return GUID{}, false
		}
		g[j] = hi<<4 | lo
		j++
	}
	return g, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Field is an extra named value extracted from a payload, such as
// "exception.type" or an event-log EventData item.
type Field struct {
	Name  string
	Value string
}

// Well-known field names set by the readers.
const (
	FieldExceptionType    = "exception.type"
	FieldExceptionMessage = "exception.message"
	FieldExceptionStack   = "exception.stack"
	FieldLogName          = "eventlog.channel"  // event logs: "System", "Application"
	FieldProvider         = "eventlog.provider" // event logs: provider / Source
	FieldTaskCategory     = "eventlog.task"
	FieldProcessName      = "process.name"
	// FieldTimeZone marks records of exports that write local time
	// without a zone: "unknown" when Time holds the wall-clock digits of
	// an unknown zone (UTC-naive), or the offset ("+01:00") that the
	// analyzer inferred and already applied to Time.
	FieldTimeZone = "time.zone"
)

// ZoneUnknown is the FieldTimeZone value of a record whose Time is local
// wall-clock time of an unknown zone.
const ZoneUnknown = "unknown"

// TimeZone returns the FieldTimeZone value ("" for records that carry
// their zone).
func (e *Event) TimeZone() string {
	v, _ := e.Field(FieldTimeZone)
	return v
}

// Event is one record from a trace log or an event-log export.
type Event struct {
	Time     time.Time // UTC
	TZOffset int32     // seconds east of UTC as written in the file (0 for "Z")
	Type     Type
	Source   string // trace source name or event-log provider
	EventID  uint32
	Host     string // Computer
	PID      uint32
	TID      uint32
	Activity GUID // Correlation ActivityID
	Related  GUID // RelatedActivityID (Transfer records)
	// Message is the human-readable text: the unescaped plain payload,
	// the text of DataItems, or for a TraceRecord its description and the
	// exception "Type: message". Raw newlines are kept as "\n".
	Message string
	Format  Format
	Origin  Origin
	Fields  []Field
}

// Field returns the value of the named field and whether it is present.
func (e *Event) Field(name string) (string, bool) {
	for i := range e.Fields {
		if e.Fields[i].Name == name {
			return e.Fields[i].Value, true
		}
	}
	return "", false
}

// Level is the severity of the event's type.
func (e *Event) Level() Level { return e.Type.Level() }

// ReadWarning is a problem met while reading input: a record that could not
// be parsed, a truncated record, a value that could not be trusted. It is
// data, not an error: the run goes on.
type ReadWarning struct {
	Origin  Origin
	Kind    WarningKind // what kind of problem (warning.go); its name is the report's "kind"
	Message string      // one line, says what was wrong
}

func (w ReadWarning) String() string { return w.Origin.String() + ": " + w.Message }
