package eventlog

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"exlog/event"
)

// csvScanner splits RFC 4180-ish records: quoted fields may hold the
// delimiter, doubled quotes and line breaks (CRLF inside quotes becomes
// "\n"); a quote inside an unquoted field is literal.
type csvScanner struct {
	br    *bufio.Reader
	comma byte
	line  int // lines consumed so far
	field []byte
	// max caps one CSV record, a multi-line message included
	// (event.Caps.MaxRecord). A longer record, typically an unbalanced
	// quote, is dropped and reading resumes at the next line.
	max int
}

// next returns the next record and the 1-based line it starts on. Empty
// lines are skipped. overlong reports that a record exceeded
// max: it is dropped (rec nil) up to the end of the physical
// line where the limit was hit.
func (c *csvScanner) next() (rec []string, start int, overlong bool, err error) {
	for {
		rec, start, overlong, err = c.record()
		if err != nil || overlong || len(rec) > 1 || len(rec) == 1 && rec[0] != "" {
			return rec, start, overlong, err
		}
		// empty line: skip
	}
}

func (c *csvScanner) record() ([]string, int, bool, error) {
	var rec []string
	start := c.line + 1
	size := 0
	c.field = c.field[:0]
	inQuotes, quotedField, atStart := false, false, true
	endField := func() {
		rec = append(rec, string(c.field))
		c.field = c.field[:0]
		quotedField, atStart = false, true
	}
	for {
		b, err := c.br.ReadByte()
		if err == io.EOF {
			if size == 0 {
				return nil, start, false, io.EOF
			}
			c.line++
			endField()
			return rec, start, false, nil
		}
		if err != nil {
			return nil, start, false, err
		}
		size++
		if size > c.max {
			c.skipLine()
			return nil, start, true, nil
		}
		if inQuotes {
			switch b {
			case '"':
				nb, err := c.br.ReadByte()
				if err == nil && nb == '"' {
					c.field = append(c.field, '"')
					size++
					continue
				}
				if err == nil {
					_ = c.br.UnreadByte()
				}
				inQuotes = false
			case '\r':
				if nb, err := c.br.ReadByte(); err == nil && nb != '\n' {
					_ = c.br.UnreadByte()
				}
				c.field = append(c.field, '\n')
				c.line++
			case '\n':
				c.field = append(c.field, '\n')
				c.line++
			default:
				c.field = append(c.field, b)
			}
			continue
		}
		switch {
		case b == c.comma:
			endField()
		case b == '\n':
			c.line++
			endField()
			return rec, start, false, nil
		case b == '\r':
			if nb, err := c.br.ReadByte(); err == nil && nb != '\n' {
				_ = c.br.UnreadByte()
			}
			c.line++
			endField()
			return rec, start, false, nil
		case b == '"' && atStart:
			inQuotes, quotedField, atStart = true, true, false
		default:
			if quotedField && (b == ' ' || b == '\t') {
				continue // spaces after a closing quote
			}
			c.field = append(c.field, b)
			atStart = false
		}
	}
}

// skipLine discards input up to and including the next line feed.
func (c *csvScanner) skipLine() {
	for {
		b, err := c.br.ReadByte()
		if err != nil {
			return
		}
		if b == '\n' {
			c.line++
			return
		}
	}
}

// sniffComma picks the delimiter of a header line: ',' unless ';' or tab
// is more frequent outside quotes.
func sniffComma(line []byte) byte {
	counts := map[byte]int{}
	inQ := false
	for _, b := range line {
		switch {
		case b == '"':
			inQ = !inQ
		case !inQ && (b == ',' || b == ';' || b == '\t'):
			counts[b]++
		}
	}
	best := byte(',')
	for _, c := range []byte{'\t', ';'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

// Column positions of an Event Viewer CSV export; the columns after
// colMessage exist only in PowerShell exports and are found by name.
const (
	colLevel = iota
	colDate
	colSource
	colEventID
	colTask
	colMessage
	colLevelName // LevelDisplayName (Get-WinEvent) or EntryType (Get-EventLog)
	colRecordID  // RecordId (Get-WinEvent) or Index (Get-EventLog)
	colHost      // MachineName
	colLogName   // LogName (Get-WinEvent)
	numCols
)

// headerNames maps the column names of every event-log CSV shape, lower
// case with typographic apostrophes folded (normKey), to columns:
// Event Viewer "Save All Events As... CSV / Text (Tab delimited)" in
// English, German, French and Spanish, and the property names that
// Export-Csv writes for Get-WinEvent (EventLogRecord) and Get-EventLog
// (EventLogEntry) objects, which are English whatever the display
// language (domain.md §6). Get-WinEvent's Level is the numeric level;
// Event Viewer's Level is the localized word: row() reads either.
var headerNames = map[string]int{
	// Event Viewer
	"level": colLevel, "date and time": colDate, "source": colSource,
	"event id": colEventID, "task category": colTask,
	"message": colMessage, "description": colMessage, "general": colMessage,
	"ebene": colLevel, "datum und uhrzeit": colDate, "quelle": colSource, "ereignis-id": colEventID, "aufgabenkategorie": colTask,
	"niveau": colLevel, "date et heure": colDate, "id de l'événement": colEventID, "id de l'evenement": colEventID, "id de l'évènement": colEventID,
	"catégorie de la tâche": colTask, "catégorie de tâche": colTask,
	"nivel": colLevel, "fecha y hora": colDate, "origen": colSource, "id. del evento": colEventID, "categoría de la tarea": colTask,
	// Get-WinEvent | Export-Csv
	"id": colEventID, "providername": colSource, "timecreated": colDate, "leveldisplayname": colLevelName,
	"taskdisplayname": colTask, "recordid": colRecordID, "machinename": colHost, "logname": colLogName,
	// Get-EventLog | Export-Csv
	"eventid": colEventID, "timegenerated": colDate, "entrytype": colLevelName, "index": colRecordID, "category": colTask,
}

// psTypes are the #TYPE names of PowerShell event-log objects.
var psTypes = []string{"System.Diagnostics.Eventing.Reader.EventLogRecord", "System.Diagnostics.EventLogEntry"}

// IsEventLogType reports whether a "#TYPE" line of an Export-Csv file
// names an event-log record (Get-WinEvent or Get-EventLog output).
func IsEventLogType(line string) bool {
	for _, t := range psTypes {
		if strings.Contains(line, t) {
			return true
		}
	}
	return false
}

// headerColumns maps a header record to columns; ok reports that it has
// at least a date, a source and an event id column.
func headerColumns(rec []string) (cols [numCols]int, ok bool) {
	for i := range cols {
		cols[i] = -1
	}
	for i, name := range rec {
		if col, found := headerNames[normKey([]byte(name))]; found && cols[col] < 0 {
			cols[col] = i
		}
	}
	return cols, cols[colDate] >= 0 && cols[colSource] >= 0 && cols[colEventID] >= 0
}

type csvReader struct {
	sc         *csvScanner
	w          warner
	dates      dateResolver
	cols       [numCols]int // column index per field, -1 when absent
	msgLast    bool         // the message is the last column: rejoin split messages
	logName    string       // from a Get-EventLog #TYPE line
	started    bool
	headerSeen bool
	eof        bool
}

// NewCSVReader reads event-log CSV exports in the shapes Windows writes:
// Event Viewer "Save All Events As... CSV" (and the tab-separated "Text"
// variant, and ';'-separated files): a header "Level,Date and Time,
// Source,Event ID,Task Category" and rows whose sixth field is the
// message, quoted and possibly multi-line; and Export-Csv of Get-WinEvent
// or Get-EventLog output, with or without a "#TYPE" first line and with
// any delimiter. Headers are matched by name (English, German, French,
// Spanish Event Viewer headers; PowerShell property names); any other
// header (a localized export) or a missing header is read by position,
// with a warning. Origins are the 1-based line a row starts on.
func NewCSVReader(r io.Reader, path string, warn func(event.ReadWarning)) Reader {
	w := warner{path: path, fn: warn}
	return &csvReader{sc: &csvScanner{br: bufio.NewReaderSize(r, 64<<10), max: event.DefaultMaxRecord}, w: w, dates: dateResolver{w: w}, msgLast: true}
}

// SetCaps sets the largest record (MaxRecord); call it before the first
// Next.
func (c *csvReader) SetCaps(caps event.Caps) { c.sc.max = caps.Record() }

// headerLine returns the first line of head that is not a "#TYPE" line.
func headerLine(head []byte) []byte {
	for {
		line, rest, _ := bytes.Cut(head, []byte("\n"))
		if !bytes.HasPrefix(bytes.TrimLeft(line, " \t"), []byte("#TYPE")) || len(rest) == 0 {
			return line
		}
		head = rest
	}
}

func (c *csvReader) Next() (*event.Event, error) {
	if !c.started {
		c.started = true
		head, _ := c.sc.br.Peek(4096)
		c.sc.comma = sniffComma(headerLine(head))
		for i := range c.cols {
			c.cols[i] = i
			if i > colMessage {
				c.cols[i] = -1
			}
		}
	}
	for {
		if ev := c.dates.pop(); ev != nil {
			return ev, nil
		}
		if c.eof {
			c.dates.finish()
			if ev := c.dates.pop(); ev != nil {
				return ev, nil
			}
			return nil, io.EOF
		}
		rec, line, overlong, err := c.sc.next()
		if err == io.EOF {
			c.eof = true
			continue
		}
		if err != nil {
			return nil, err
		}
		if overlong {
			c.w.atLine(line, event.KindMalformedRecord, fmt.Sprintf("record longer than %d bytes (unbalanced quote? raise --max-record to read it) dropped", c.sc.max))
			continue
		}
		if !c.headerSeen {
			if len(rec) >= 1 && strings.HasPrefix(strings.TrimSpace(rec[0]), "#TYPE") {
				c.typeLine(strings.Join(rec, string(c.sc.comma)))
				continue
			}
			c.headerSeen = true
			if c.header(rec, line) {
				continue
			}
		}
		c.row(rec, line)
	}
}

// typeLine reads the log name from a Get-EventLog "#TYPE
// System.Diagnostics.EventLogEntry#System/Service Control Manager/7036"
// line.
func (c *csvReader) typeLine(s string) {
	const entry = "System.Diagnostics.EventLogEntry#"
	if i := strings.Index(s, entry); i >= 0 {
		log, _, _ := strings.Cut(s[i+len(entry):], "/")
		c.logName = strings.TrimSpace(log)
	}
}

// header inspects the first record; it reports whether it was a header.
func (c *csvReader) header(rec []string, line int) bool {
	if len(rec) >= 4 {
		if _, ok := parseEventID(rec[colEventID]); ok {
			if _, err := parseLocalDate(rec[colDate]); err == nil {
				c.w.atLine(line, event.KindNoHeader, "no header row; columns taken by position (Level, Date and Time, Source, Event ID, Task Category, message)")
				return false
			}
		}
	}
	if byName, ok := headerColumns(rec); ok {
		if byName[colMessage] < 0 {
			// Event Viewer names no message column: it follows the others.
			byName[colMessage] = max(byName[colLevel], byName[colDate], byName[colSource], byName[colEventID], byName[colTask]) + 1
		}
		c.msgLast = byName[colMessage] >= len(rec)-1
		c.cols = byName
		return true
	}
	c.w.atLine(line, event.KindLocalizedHeader, fmt.Sprintf("header %q is not an Event Viewer or PowerShell event-log header exlog knows; columns taken by position (Level, Date and Time, Source, Event ID, Task Category, message)", clip(strings.Join(rec, string(c.sc.comma)), 120)))
	return true
}

// row turns one data record into an event.
func (c *csvReader) row(rec []string, line int) {
	get := func(col int) string {
		if i := c.cols[col]; i >= 0 && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	if len(rec) < 4 {
		c.w.atLine(line, event.KindMalformedRecord, fmt.Sprintf("row with %d fields (want at least 5) dropped: %q", len(rec), clip(strings.Join(rec, string(c.sc.comma)), 80)))
		return
	}
	ev := &event.Event{
		Format: event.FormatEventlogCSV,
		Source: get(colSource),
		Host:   get(colHost),
		Origin: event.Origin{Path: c.w.path, Line: line, Offset: -1},
	}
	msg := ""
	if i := c.cols[colMessage]; i >= 0 && i < len(rec) {
		msg = rec[i]
		if c.msgLast {
			// A message with unquoted delimiters was split: join it back.
			msg = strings.Join(rec[i:], string(c.sc.comma))
		}
	}
	ev.Message = strings.TrimRight(strings.ReplaceAll(msg, "\r\n", "\n"), " \t\r\n")
	logName := get(colLogName)
	if logName == "" {
		logName = c.logName
	}
	ev.Fields = appendField(ev.Fields, event.FieldLogName, logName)
	ev.Fields = appendField(ev.Fields, event.FieldProvider, ev.Source)
	ev.Fields = appendField(ev.Fields, event.FieldTaskCategory, get(colTask))
	ev.Fields = appendField(ev.Fields, FieldRecordID, get(colRecordID))
	if id, ok := parseEventID(get(colEventID)); ok {
		ev.EventID = id
	} else {
		c.w.atLine(line, event.KindBadField, fmt.Sprintf("bad Event ID %q; event kept with id 0", get(colEventID)))
	}
	typ, ok := typeFromLevel(get(colLevel))
	if word := get(colLevelName); (!ok || get(colLevel) == "") && word != "" {
		typ, ok = typeFromLevelWord(word)
	}
	if !ok {
		c.w.atLine(line, event.KindBadField, fmt.Sprintf("unknown level %q; event typed as information", strings.TrimSpace(get(colLevel)+" "+get(colLevelName))))
	}
	ev.Type = typ
	c.dates.add(ev, get(colDate), line)
}
