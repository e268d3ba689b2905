package eventlog

import (
	"bufio"
	"bytes"
	"strings"

	"exlog/event"
)

// DetectText reports whether head (the first KiB of a file) looks like an
// Event Viewer "copy details" text export: a "Log Name:" line and at least
// two other header lines (English, German or French labels).
func DetectText(head []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(head))
	sc.Buffer(make([]byte, 0, min(4096, len(head)+1)), len(head)+1)
	logName, others := false, 0
	for sc.Scan() {
		switch k, _ := splitKey(sc.Bytes()); k {
		case keyLogName:
			logName = true
		case keySource, keyDate, keyEventID, keyLevel, keyTask, keyComputer:
			if logName {
				others++
			}
		}
		if logName && others >= 2 {
			return true
		}
	}
	return false
}

// csvHeaders are header prefixes of Event Viewer CSV/Text exports in the
// cultures we know, lower case with "," as the delimiter.
var csvHeaders = []string{
	"level,date and time,source,event id",
	"ebene,datum und uhrzeit,quelle,ereignis-id",
	"niveau,date et heure,source,id de l",
	"nivel,fecha y hora,origen,id. del evento",
}

// DetectCSV reports whether head looks like an event-log CSV (or tab-
// or ';'-separated) export: Export-Csv of Get-WinEvent or Get-EventLog
// output (a "#TYPE" line naming an event-log record, or a header with
// their property names), an Event Viewer export with a known header, or,
// for other cultures, a first row of at least five fields followed by a
// row whose first field is a known level word and whose fourth is a
// number.
func DetectCSV(head []byte) bool {
	if t := bytes.TrimLeft(head, " \t\r\n"); bytes.HasPrefix(t, []byte("#TYPE")) {
		line, _, _ := bytes.Cut(t, []byte("\n"))
		if IsEventLogType(string(line)) {
			return true
		}
	}
	first := headerLine(head)
	rest := head[min(len(head), int(bytesOffset(head, first))+len(first)+1):]
	comma := sniffComma(first)
	sc := &csvScanner{br: smallReader(first), comma: comma, max: event.DefaultMaxRecord}
	if hdr, _, _, err := sc.next(); err == nil {
		if _, ok := headerColumns(hdr); ok {
			return true
		}
	}
	h := strings.ToLower(strings.TrimSpace(string(first)))
	h = strings.ReplaceAll(h, string(comma), ",")
	h = strings.ReplaceAll(h, "\"", "")
	for _, p := range csvHeaders {
		if strings.HasPrefix(h, p) {
			return true
		}
	}
	if strings.Count(h, ",") < 4 {
		return false
	}
	sc = &csvScanner{br: smallReader(rest), comma: comma, max: event.DefaultMaxRecord}
	rec, _, _, err := sc.next()
	if err != nil || len(rec) < 5 {
		return false
	}
	if _, ok := levelWords[strings.ToLower(strings.TrimSpace(rec[colLevel]))]; !ok {
		return false
	}
	_, ok := parseEventID(rec[colEventID])
	return ok
}

// smallReader reads b through a buffer no larger than b needs (up to
// bufio's default): detection runs on every file of a bundle.
func smallReader(b []byte) *bufio.Reader {
	return bufio.NewReaderSize(bytes.NewReader(b), min(4096, len(b)+16))
}

// bytesOffset returns where sub (a subslice of b) starts in b.
func bytesOffset(b, sub []byte) int {
	if len(sub) == 0 {
		return len(b)
	}
	return cap(b) - cap(sub)
}

// eventNS is the namespace of Windows event XML.
var eventNS = []byte("http://schemas.microsoft.com/win/2004/08/events/event")

// DetectXML reports whether head looks like event-log XML: markup from
// the first byte on, and an <Event> element with the Windows event
// namespace or <Events> holding <Event>. (A text export's "Event Xml:"
// section therefore does not count.)
func DetectXML(head []byte) bool {
	if t := bytes.TrimLeft(head, " \t\r\n"); len(t) == 0 || t[0] != '<' {
		return false
	}
	i := indexEventTag(head)
	if i < 0 {
		return false
	}
	return bytes.Contains(head, eventNS) || bytes.Contains(head[:i], []byte("<Events>"))
}

// indexEventTag finds "<Event" followed by a space or ">".
func indexEventTag(b []byte) int {
	off := 0
	for {
		i := bytes.Index(b[off:], []byte("<Event"))
		if i < 0 {
			return -1
		}
		j := off + i + len("<Event")
		if j < len(b) {
			switch b[j] {
			case ' ', '>', '\t', '\r', '\n':
				return off + i
			}
		}
		off = j
	}
}
