package parse

import (
	"fmt"
	"io"

	"exlog/event"
	"exlog/parse/config"
	"exlog/parse/eventlog"
	"exlog/parse/evtx"
	"exlog/parse/pscmdlet"
	"exlog/parse/trace"
)

// Kind says what a format yields.
type Kind uint8

const (
	KindInvalid  Kind = iota
	KindEvents        // event.Events: trace logs, event logs
	KindRecords       // cmdlet records (pscmdlet.Record)
	KindSettings      // connector configuration files, collect-script's TimeZone.txt
)

// EventReader streams the events of one trace or event-log file. Every
// reader has the one caps setter; call it before the first Next.
type EventReader interface {
	Next() (*event.Event, error)
	SetCaps(event.Caps)
}

// Warn receives a reader's warnings; it may be nil.
type Warn = func(event.ReadWarning)

// formatEntry is one input format: how it is recognised and read. A new
// reader is one entry in formats (and its name in event.Format).
type formatEntry struct {
	format event.Format
	kind   Kind
	// detect reports whether a file is in this format from its head:
	// the raw bytes for a binary format, else text decoded to UTF-8.
	detect  func(head []byte) bool
	binary  bool
	events  func(r io.Reader, path string, warn Warn) EventReader     // KindEvents
	records func(r io.Reader, path string, warn Warn) pscmdlet.Reader // KindRecords
}

// formats in detection order: the most specific test goes first.
var formats = [...]formatEntry{
	{format: event.FormatEvtx, kind: KindEvents, detect: evtx.Detect, binary: true,
		events: func(r io.Reader, p string, w Warn) EventReader { return evtx.NewReader(r, p, w) }},
	{format: event.FormatTrace, kind: KindEvents, detect: trace.Detect,
		events: func(r io.Reader, p string, w Warn) EventReader { return trace.NewReader(r, p, w) }},
	{format: event.FormatConfigTracing, kind: KindSettings, detect: config.DetectTracing},
	{format: event.FormatConfigService, kind: KindSettings, detect: config.DetectService},
	{format: event.FormatCmdletCliXML, kind: KindRecords, detect: pscmdlet.DetectCliXML, records: pscmdlet.NewCliXMLReader},
	{format: event.FormatTimeZone, kind: KindSettings, detect: eventlog.DetectZoneFile},
	{format: event.FormatEventlogXML, kind: KindEvents, detect: eventlog.DetectXML,
		events: func(r io.Reader, p string, w Warn) EventReader { return eventlog.NewXMLReader(r, p, w) }},
	{format: event.FormatEventlogText, kind: KindEvents, detect: eventlog.DetectText,
		events: func(r io.Reader, p string, w Warn) EventReader { return eventlog.NewTextReader(r, p, w) }},
	{format: event.FormatEventlogCSV, kind: KindEvents, detect: eventlog.DetectCSV,
		events: func(r io.Reader, p string, w Warn) EventReader { return eventlog.NewCSVReader(r, p, w) }},
	{format: event.FormatCmdletCSV, kind: KindRecords, detect: pscmdlet.DetectCSV, records: pscmdlet.NewCSVReader},
	{format: event.FormatCmdletList, kind: KindRecords, detect: pscmdlet.DetectList, records: pscmdlet.NewListReader},
}

func lookup(f event.Format) *formatEntry {
	for i := range formats {
		if formats[i].format == f {
			return &formats[i]
		}
	}
	return nil
}

// KindOf says what a format yields (KindInvalid for an unknown one).
func KindOf(f event.Format) Kind {
	if e := lookup(f); e != nil {
		return e.kind
	}
	return KindInvalid
}

// IsEvents reports whether the format yields events (trace, event logs).
func IsEvents(f event.Format) bool { return KindOf(f) == KindEvents }

// IsRecords reports whether the format yields cmdlet records.
func IsRecords(f event.Format) bool { return KindOf(f) == KindRecords }

// Detect names the format of a text file from its first bytes (decoded to
// UTF-8, BOM removed).
func Detect(head []byte) event.Format { return detect(head, false) }

// detectBinary names the format of a binary file from its raw first bytes.
func detectBinary(raw []byte) event.Format { return detect(raw, true) }

func detect(head []byte, binary bool) event.Format {
	for i := range formats {
		if e := &formats[i]; e.binary == binary && e.detect(head) {
			return e.format
		}
	}
	return event.FormatInvalid
}

// NewEventReader returns the reader for an event-bearing source, bounded
// by caps (zero fields: the defaults).
func NewEventReader(s *Source, r io.Reader, warn Warn, caps event.Caps) (EventReader, error) {
	e := lookup(s.Format)
	if e == nil || e.events == nil {
		return nil, fmt.Errorf("%s: %s is not an event format", s.Entry.Path, s.Format)
	}
	er := e.events(r, s.Entry.Path, warn)
	er.SetCaps(caps)
	return er, nil
}

// NewRecordReader returns the reader for a cmdlet export, bounded by caps
// (zero fields: the defaults).
func NewRecordReader(s *Source, r io.Reader, warn Warn, caps event.Caps) (pscmdlet.Reader, error) {
	e := lookup(s.Format)
	if e == nil || e.records == nil {
		return nil, fmt.Errorf("%s: %s is not a cmdlet export", s.Entry.Path, s.Format)
	}
	rr := e.records(r, s.Entry.Path, warn)
	rr.SetCaps(caps)
	return rr, nil
}
