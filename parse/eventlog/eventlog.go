// Package eventlog reads Windows event-log exports into event.Events:
// Event Viewer "copy details" text, Event Viewer CSV (or tab-separated
// "Text") exports, and XML (wevtutil qe /f:xml or /f:RenderedXml output,
// Event Viewer "Save As XML"). Binary .evtx files are read by parse/evtx,
// which renders messages with RenderMessage.
//
// Input contract: every reader takes UTF-8 text without a BOM; UTF-16
// exports are transcoded before they reach this package.
//
// Streaming contract: readers hold one record (plus, for text and CSV, a
// bounded look-ahead of at most maxPendingDates records while the file's
// date order is undecided) and never the whole file. Every *event.Event
// returned is freshly allocated and owned by the caller. Readers are not
// safe for concurrent use.
//
// Errors: Next returns io.EOF at the end of input and a non-nil other
// error only when the underlying io.Reader fails. Malformed input is never
// an error: it is reported through the warn callback (with the file path
// and a line or byte offset) and reading goes on. warn may be nil.
//
// Times: XML exports carry TimeCreated/@SystemTime with a zone, so their
// Event.Time is exact UTC and Event.TZOffset is the written offset. Text
// and CSV exports write the exporting machine's local time in its culture
// without any zone; those times are kept "UTC-naive" (the wall-clock
// digits stored as if they were UTC, TZOffset 0) and the event carries the
// field FieldTimeZone = "unknown" so that consumers can tell. A text
// export whose block includes the "Event Xml:" section takes the exact
// SystemTime from there instead. An unparseable date leaves Time zero and
// is reported as a "bad-time" warning; the event is still returned.
package eventlog

import (
	"exlog/event"
)

// Reader yields one event per call and io.EOF at the end of input.
// SetCaps, called before the first Next, bounds what it holds at a time.
type Reader interface {
	Next() (*event.Event, error)
	SetCaps(event.Caps)
}

// Extra field names set by this package (besides event.FieldLogName,
// event.FieldProvider and event.FieldTaskCategory).
const (
	// FieldTimeZone is "unknown" when Time holds local wall-clock time of
	// an unknown zone (text and CSV exports).
	FieldTimeZone = event.FieldTimeZone
	// FieldKeywords is the Keywords value ("Classic", "Audit Failure").
	FieldKeywords = "eventlog.keywords"
	// FieldUser is the User value of text exports or System/Security@UserID.
	FieldUser = "eventlog.user"
	// FieldRecordID is System/EventRecordID of XML exports.
	FieldRecordID = "eventlog.record_id"
	// FieldMessageSource says where Message came from in XML exports:
	// "rendering" (RenderingInfo/Message) or "eventdata" (built by exlog
	// from the EventData values because the export was not rendered).
	FieldMessageSource = "eventlog.message_source"
	// FieldDataPrefix prefixes EventData items: "data.<Name>", or
	// "data.0", "data.1"... for unnamed Data elements in order.
	FieldDataPrefix = "data."
)

// warner reports problems with the file path attached; the zero warn func
// discards them.
type warner struct {
	path string
	fn   func(event.ReadWarning)
}

func (w warner) atLine(line int, kind event.WarningKind, msg string) {
	if w.fn != nil {
		w.fn(event.ReadWarning{Origin: event.Origin{Path: w.path, Line: line, Offset: -1}, Kind: kind, Message: msg})
	}
}

func (w warner) atOffset(off int64, kind event.WarningKind, msg string) {
	if w.fn != nil {
		w.fn(event.ReadWarning{Origin: event.Origin{Path: w.path, Offset: off}, Kind: kind, Message: msg})
	}
}
