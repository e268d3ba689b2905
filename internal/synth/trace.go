package synth

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
)

// SubType names as XmlWriterTraceListener writes them in <SubType Name="…">.
const (
	Critical    = "Critical"
	Error       = "Error"
	Warning     = "Warning"
	Information = "Information"
	Verbose     = "Verbose"
	Start       = "Start"
	Stop        = "Stop"
	Suspend     = "Suspend"
	Resume      = "Resume"
	Transfer    = "Transfer"
)

// LevelOf maps an event type to the <Level> value .NET writes: the
// TraceEventType value for the severities, 255 for every activity type.
func LevelOf(sub string) int {
	switch sub {
	case Critical:
		return 1
	case Error:
		return 2
	case Warning:
		return 4
	case Information:
		return 8
	case Verbose:
		return 16
	}
	return 255
}

// PayloadKind says how ApplicationData is written (domain.md §3 variants a–d).
type PayloadKind int

const (
	PayloadText     PayloadKind = iota // escaped message text, CR/LF as &#xD;&#xA;
	PayloadDataItem                    // <TraceData><DataItem>escaped</DataItem></TraceData>
	PayloadRawXML                      // raw XML (TraceRecord with Exception), written verbatim
	PayloadEmpty                       // nothing
)

// Footer is the optional <System.Diagnostics> block written when the
// listener has LogicalOperationStack or Callstack output options.
type Footer struct {
	LogicalOps []string
	Timestamp  int64
	Callstack  string // empty: no <Callstack>
}

// TraceRecord is one E2ETraceEvent as the connector's listener writes it.
// Written is when the listener wrote it: records are emitted in Written
// order, so TimeCreated may be a few milliseconds out of order across threads.
type TraceRecord struct {
	EventID  uint32
	Sub      string
	Time     time.Time // UTC, or a fixed zone to write a local offset
	Written  time.Time
	Source   string
	Activity string // GUID without braces; "" = all zeros
	Related  string // RelatedActivityID (Transfer records only)
	Process  string
	PID, TID int
	Computer string
	Kind     PayloadKind
	Text     string // PayloadText / PayloadDataItem / PayloadRawXML
	Footer   *Footer
}

const ZeroGUID = "00000000-0000-0000-0000-000000000000"

// traceTimeLayout is DateTime.ToString("o"): 7 fractional digits, Z or offset.
const traceTimeLayout = "2006-01-02T15:04:05.0000000Z07:00"

// Append encodes the record exactly as domain.md §3 describes and appends it to b.
func (r *TraceRecord) Append(b []byte) []byte {
	b = append(b, `<E2ETraceEvent xmlns="http://schemas.microsoft.com/2004/06/E2ETraceEvent"><System xmlns="http://schemas.microsoft.com/2004/06/windows/eventlog/system"><EventID>`...)
	b = strconv.AppendUint(b, uint64(r.EventID), 10)
	b = append(b, `</EventID><Type>3</Type><SubType Name="`...)
	b = append(b, r.Sub...)
	b = append(b, `">0</SubType><Level>`...)
	b = strconv.AppendInt(b, int64(LevelOf(r.Sub)), 10)
	b = append(b, `</Level><TimeCreated SystemTime="`...)
	b = r.Time.AppendFormat(b, traceTimeLayout)
	b = append(b, `" /><Source Name="`...)
	b = AppendEscaped(b, r.Source)
	b = append(b, `" /><Correlation ActivityID="{`...)
	act := r.Activity
	if act == "" {
		act = ZeroGUID
	}
	b = append(b, act...)
	b = append(b, '}', '"')
	if r.Related != "" {
		b = append(b, ` RelatedActivityID="{`...)
		b = append(b, r.Related...)
		b = append(b, '}', '"')
	}
	b = append(b, ` /><Execution ProcessName="`...)
	b = append(b, r.Process...)
	b = append(b, `" ProcessID="`...)
	b = strconv.AppendInt(b, int64(r.PID), 10)
	b = append(b, `" ThreadID="`...)
	b = strconv.AppendInt(b, int64(r.TID), 10)
	b = append(b, `" /><Channel/><Computer>`...)
	b = append(b, r.Computer...)
	b = append(b, `</Computer></System><ApplicationData>`...)
	switch r.Kind {
	case PayloadText:
		b = AppendEscaped(b, r.Text)
	case PayloadDataItem:
		b = append(b, `<TraceData><DataItem>`...)
		b = AppendEscaped(b, r.Text)
		b = append(b, `</DataItem></TraceData>`...)
	case PayloadRawXML:
		b = append(b, r.Text...)
	}
	if f := r.Footer; f != nil {
		b = append(b, `<System.Diagnostics xmlns="http://schemas.microsoft.com/2004/08/System.Diagnostics"><LogicalOperationStack>`...)
		for _, op := range f.LogicalOps {
			b = append(b, `<LogicalOperation>`...)
			b = AppendEscaped(b, op)
			b = append(b, `</LogicalOperation>`...)
		}
		b = append(b, `</LogicalOperationStack><Timestamp>`...)
		b = strconv.AppendInt(b, f.Timestamp, 10)
		b = append(b, `</Timestamp>`...)
		if f.Callstack != "" {
			b = append(b, `<Callstack>`...)
			b = AppendEscaped(b, f.Callstack)
			b = append(b, `</Callstack>`...)
		}
		b = append(b, `</System.Diagnostics>`...)
	}
	return append(b, `</ApplicationData></E2ETraceEvent>`...)
}

// AppendEscaped is XmlWriterTraceListener.WriteEscaped: the five XML
// specials as entities and CR/LF as character references.
func AppendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '"':
			b = append(b, "&quot;"...)
		case '\'':
			b = append(b, "&apos;"...)
		case '\r':
			b = append(b, "&#xD;"...)
		case '\n':
			b = append(b, "&#xA;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// XMLText escapes text for element content of ordinary XML files
// (& < > only), leaving newlines raw.
func XMLText(s string) string {
	var b bytes.Buffer
	for _, c := range s {
		switch c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// ExceptionInfo describes a .NET exception for a TraceRecord payload.
type ExceptionInfo struct {
	Type    string // assembly-qualified type name
	Message string
	Stack   []string // frames, "   at …" added
	Inner   *ExceptionInfo
}

// TraceRecordXML renders a WCF-style <TraceRecord> with an <Exception>; the
// stack trace keeps raw line breaks (nl is "\r\n" or "\n").
func TraceRecordXML(severity, identifier, description, appDomain string, ex *ExceptionInfo, nl string) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<TraceData><DataItem><TraceRecord xmlns="http://schemas.microsoft.com/2004/10/E2ETraceEvent/TraceRecord" Severity="%s"><TraceIdentifier>%s</TraceIdentifier><Description>%s</Description><AppDomain>%s</AppDomain>`,
		severity, identifier, XMLText(description), XMLText(appDomain))
	writeException(&b, ex, nl, "Exception")
	b.WriteString(`</TraceRecord></DataItem></TraceData>`)
	return b.String()
}

func writeException(b *bytes.Buffer, ex *ExceptionInfo, nl, tag string) {
	fmt.Fprintf(b, "<%s><ExceptionType>%s</ExceptionType><Message>%s</Message><StackTrace>", tag, XMLText(ex.Type), XMLText(ex.Message))
	for i, f := range ex.Stack {
		if i > 0 {
			b.WriteString(nl)
		}
		b.WriteString("   at ")
		b.WriteString(XMLText(f))
	}
	b.WriteString("</StackTrace><ExceptionString>")
	b.WriteString(XMLText(ExceptionString(ex, nl)))
	b.WriteString("</ExceptionString>")
	if ex.Inner != nil {
		writeException(b, ex.Inner, nl, "InnerException")
	}
	fmt.Fprintf(b, "</%s>", tag)
}

// ExceptionString is Exception.ToString(): "Type: Message ---> inner" plus the stack.
func ExceptionString(ex *ExceptionInfo, nl string) string {
	var b bytes.Buffer
	b.WriteString(shortType(ex.Type))
	b.WriteString(": ")
	b.WriteString(ex.Message)
	if ex.Inner != nil {
		b.WriteString(" ---> ")
		b.WriteString(ExceptionString(ex.Inner, nl))
		b.WriteString(nl)
		b.WriteString("   --- End of inner exception stack trace ---")
	}
	for _, f := range ex.Stack {
		b.WriteString(nl)
		b.WriteString("   at ")
		b.WriteString(f)
	}
	return b.String()
}

func shortType(aqn string) string {
	for i := 0; i < len(aqn); i++ {
		if aqn[i] == ',' {
			return aqn[:i]
		}
	}
	return aqn
}
