package eventlog

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"exlog/event"
	"exlog/parse/xmlcap"
)

// histSize is how many consumed bytes byteCounter remembers, so that
// resync can rescan the bytes of a token that failed to parse.
const histSize = 1 << 14

// byteCounter is the decoder's input: an io.ByteReader (so that
// encoding/xml adds no buffering of its own) that counts consumed bytes,
// remembers the last histSize of them, and keeps the first non-EOF read
// error. It reads through an xmlcap.Reader, which drops the part of a text
// value beyond --max-line (the decoder would hold it whole): n counts the
// bytes passed, and fileOff turns such a count into a file offset.
type byteCounter struct {
	src  *xmlcap.Reader
	n    int64
	hist [histSize]byte
	err  error // read error other than io.EOF (a tag longer than the cap included)
	eof  bool
}

// fileOff turns a count of passed bytes into a file offset.
func (b *byteCounter) fileOff(p int64) int64 { return b.src.FileOffset(p) }

func (b *byteCounter) ReadByte() (byte, error) {
	c, err := b.src.ReadByte()
	if err != nil {
		b.noteErr(err)
		return 0, err
	}
	b.hist[b.n%histSize] = c
	b.n++
	return c, nil
}

func (b *byteCounter) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c, err := b.ReadByte()
	if err != nil {
		return 0, err
	}
	p[0] = c
	return 1, nil
}

func (b *byteCounter) noteErr(err error) {
	if err == io.EOF {
		b.eof = true
	} else if b.err == nil {
		b.err = err
	}
}

// prefixed replays bytes already taken from src before reading src again;
// it is what a decoder restarted after a syntax error reads.
type prefixed struct {
	prefix []byte
	src    *byteCounter
}

func (p *prefixed) ReadByte() (byte, error) {
	if len(p.prefix) > 0 {
		c := p.prefix[0]
		p.prefix = p.prefix[1:]
		return c, nil
	}
	return p.src.ReadByte()
}

func (p *prefixed) Read(b []byte) (int, error) {
	if len(p.prefix) > 0 {
		n := copy(b, p.prefix)
		p.prefix = p.prefix[n:]
		return n, nil
	}
	return p.src.Read(b)
}

type xmlReader struct {
	src  *byteCounter
	dec  *xml.Decoder
	base int64 // offset (in bytes passed by src) of the current decoder's first byte
	w    warner
	eof  bool
	// next is an <Event> start met while reading a truncated event; the
	// next call continues with it.
	next    *xml.StartElement
	nextOff int64
}

// NewXMLReader reads event-log XML: wevtutil qe /f:xml or /f:RenderedXml
// output (Event elements back to back, no root element, no declaration)
// and Event Viewer "Save As XML" (<Events><Event>...). Every Event element
// at any depth is one record; its Origin.Offset is the byte offset of
// "<Event" in the file. The decoder never expands entities other than the
// XML built-ins, ignores DTDs and fetches nothing. Unknown entities are
// left as text. After a syntax error the reader warns and resumes at the
// next "<Event" in the input; an event cut off by end of input is a
// "truncated-record" warning.
func NewXMLReader(r io.Reader, path string, warn func(event.ReadWarning)) Reader {
	x := &xmlReader{src: &byteCounter{}, w: warner{path: path, fn: warn}}
	x.src.src = xmlcap.NewReader(bufio.NewReaderSize(r, 16<<10), event.DefaultMaxLine, func(at, n int64) {
		x.w.atOffset(at, event.KindLongValue, x.src.src.CutMessage(n))
	})
	x.dec = newEventDecoder(x.src)
	return x
}

// SetCaps sets the longest text value or tag (MaxLine); call it before
// the first Next.
func (x *xmlReader) SetCaps(c event.Caps) { x.src.src.Max = c.Line() }

func newEventDecoder(r io.Reader) *xml.Decoder {
	d := xml.NewDecoder(r)
	d.Strict = false
	// Input is UTF-8 by contract whatever the declaration says.
	d.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	return d
}

// offset is the decoder's current position in bytes passed by src
// (x.src.fileOff makes it a file offset).
func (x *xmlReader) offset() int64 { return x.base + x.dec.InputOffset() }

func (x *xmlReader) Next() (*event.Event, error) {
	for !x.eof {
		var start xml.StartElement
		var off int64
		if x.next != nil {
			start, off = *x.next, x.nextOff
			x.next = nil
		} else {
			off = x.offset()
			tok, err := x.dec.RawToken()
			if err != nil {
				if err := x.fail(err, -1, off); err != nil {
					return nil, err
				}
				continue
			}
			if d, ok := tok.(xml.Directive); ok && bytes.HasPrefix(bytes.TrimSpace(d), []byte("DOCTYPE")) {
				x.w.atOffset(x.src.fileOff(off), event.KindDTDIgnored, "document type declaration ignored: entities are not expanded and nothing is fetched")
				continue
			}
			se, ok := tok.(xml.StartElement)
			if !ok || se.Name.Local != "Event" {
				continue
			}
			start = se
		}
		ev, err := x.readEvent(start, off)
		if err != nil {
			return nil, err
		}
		if ev != nil {
			return ev, nil
		}
	}
	return nil, io.EOF
}

// fail handles a decoder error met inside the event starting at evStart
// (-1 outside any event) in the token starting at tokOff. It returns an
// error only for read failures.
func (x *xmlReader) fail(err error, evStart, tokOff int64) error {
	if x.src.err != nil {
		return x.src.err
	}
	var se *xml.SyntaxError
	switch {
	case err == io.EOF || errors.As(err, &se) && x.src.eof && x.src.src.Buffered() == 0:
		if evStart >= 0 {
			x.w.atOffset(x.src.fileOff(evStart), event.KindTruncated, "event cut off by end of input")
		} else if err != io.EOF {
			x.w.atOffset(x.src.fileOff(x.offset()), event.KindGarbage, "input ends inside markup: "+err.Error())
		}
		x.eof = true
	default:
		msg := err.Error()
		if se != nil {
			msg = se.Msg
		}
		if evStart >= 0 {
			x.w.atOffset(x.src.fileOff(evStart), event.KindMalformedRecord, fmt.Sprintf("malformed XML at byte %d: %s; event dropped", x.src.fileOff(x.offset()), msg))
		} else {
			x.w.atOffset(x.src.fileOff(x.offset()), event.KindGarbage, "malformed XML: "+msg)
		}
		x.resync(tokOff)
	}
	return nil
}

// resync scans for the next "<Event" followed by a space or ">",
// starting just after from (the offset where the failed token began, so
// that an event start swallowed by that token is found again), and
// restarts the decoder there; at end of input it sets eof.
func (x *xmlReader) resync(from int64) {
	const pat = "<Event"
	pos := max(from+1, x.src.n-histSize+1)
	matched := 0
	for {
		var c byte
		if pos < x.src.n {
			c = x.src.hist[pos%histSize]
		} else {
			var err error
			if c, err = x.src.ReadByte(); err != nil {
				x.eof = true
				return
			}
		}
		pos++
		if matched == len(pat) {
			if c == ' ' || c == '>' || c == '\t' || c == '\r' || c == '\n' || c == '/' {
				x.base = pos - int64(len(pat)) - 1
				// replay the rest of the already consumed bytes too
				replay := make([]byte, 0, len(pat)+1+int(x.src.n-pos))
				for p := x.base; p < x.src.n; p++ {
					replay = append(replay, x.src.hist[p%histSize])
				}
				x.dec = newEventDecoder(&prefixed{prefix: replay, src: x.src})
				return
			}
			matched = 0
		}
		if c == pat[matched] {
			matched++
		} else if c == '<' {
			matched = 1
		} else {
			matched = 0
		}
	}
}

// xmlEvent collects one Event element.
type xmlEvent struct {
	provider, sourceName                 string
	eventID, level, task, recordID       string
	systemTime, channel, computer        string
	activity, pid, tid, userID           string
	data                                 []event.Field
	unnamed                              int
	message, renderedLevel, renderedTask string
	keywords                             []string
}

// readEvent reads the rest of an Event element whose start tag was read
// at file offset off. It returns nil, nil when the event was dropped.
func (x *xmlReader) readEvent(start xml.StartElement, off int64) (*event.Event, error) {
	var e xmlEvent
	stack := []string{start.Name.Local}
	var text strings.Builder
	dataName := ""
	for {
		tokOff := x.offset()
		tok, err := x.dec.RawToken()
		if err != nil {
			return nil, x.fail(err, off, tokOff)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "Event" {
				// An Event inside an Event: the first one was cut off.
				x.w.atOffset(x.src.fileOff(off), event.KindTruncated, "event cut off by the start of the next event")
				x.next, x.nextOff = &t, tokOff
				return nil, nil
			}
			stack = append(stack, t.Name.Local)
			text.Reset()
			e.attrs(stack, t.Attr, &dataName)
		case xml.CharData:
			if len(stack) >= 3 && text.Len() < x.src.src.Max {
				text.Write(t)
			}
		case xml.EndElement:
			e.end(stack, text.String(), dataName)
			text.Reset()
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return x.build(&e, off), nil
			}
		}
	}
}

func attr(attrs []xml.Attr, name string) string {
	for _, a := range attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// attrs takes what the event needs from a start tag; stack ends with it.
func (e *xmlEvent) attrs(stack []string, a []xml.Attr, dataName *string) {
	if len(stack) != 3 {
		return
	}
	switch stack[1] + "/" + stack[2] {
	case "System/Provider":
		e.provider, e.sourceName = attr(a, "Name"), attr(a, "EventSourceName")
	case "System/TimeCreated":
		e.systemTime = attr(a, "SystemTime")
	case "System/Correlation":
		e.activity = attr(a, "ActivityID")
	case "System/Execution":
		e.pid, e.tid = attr(a, "ProcessID"), attr(a, "ThreadID")
	case "System/Security":
		e.userID = attr(a, "UserID")
	case "EventData/Data":
		*dataName = attr(a, "Name")
	}
}

// end takes the text of the element closing at the top of stack.
func (e *xmlEvent) end(stack []string, text, dataName string) {
	if len(stack) < 3 {
		return
	}
	switch {
	case len(stack) == 3 && stack[1] == "System":
		v := strings.TrimSpace(text)
		switch stack[2] {
		case "EventID":
			e.eventID = v
		case "Level":
			e.level = v
		case "Task":
			e.task = v
		case "EventRecordID":
			e.recordID = v
		case "Channel":
			e.channel = v
		case "Computer":
			e.computer = v
		}
	case len(stack) == 3 && stack[1] == "EventData" && stack[2] == "Data":
		name := dataName
		if name == "" {
			name = strconv.Itoa(e.unnamed)
			e.unnamed++
		}
		e.data = append(e.data, event.Field{Name: FieldDataPrefix + name, Value: text})
	case stack[1] == "UserData" && len(stack) >= 4:
		if v := strings.TrimSpace(text); v != "" {
			e.data = append(e.data, event.Field{Name: FieldDataPrefix + stack[len(stack)-1], Value: v})
		}
	case len(stack) == 3 && stack[1] == "RenderingInfo":
		switch stack[2] {
		case "Message":
			e.message = strings.TrimRight(strings.ReplaceAll(text, "\r\n", "\n"), " \t\r\n")
		case "Level":
			e.renderedLevel = strings.TrimSpace(text)
		case "Task":
			e.renderedTask = strings.TrimSpace(text)
		}
	case len(stack) == 4 && stack[1] == "RenderingInfo" && stack[2] == "Keywords":
		if v := strings.TrimSpace(text); v != "" {
			e.keywords = append(e.keywords, v)
		}
	}
}

// build turns a collected event into an *event.Event, warning about
// values it cannot read.
func (x *xmlReader) build(e *xmlEvent, off int64) *event.Event {
	ev := &event.Event{
		Format: event.FormatEventlogXML,
		Source: e.provider,
		Host:   e.computer,
		Origin: event.Origin{Path: x.w.path, Offset: x.src.fileOff(off)},
	}
	if ev.Source == "" {
		ev.Source = e.sourceName
	}
	if id, ok := parseEventID(e.eventID); ok {
		ev.EventID = id
	} else {
		x.w.atOffset(x.src.fileOff(off), event.KindBadField, fmt.Sprintf("bad or missing EventID %q; event kept with id 0", e.eventID))
	}
	switch n, err := strconv.Atoi(e.level); {
	case err == nil && n >= 0 && n <= 5:
		ev.Type = event.TypeFromLevel(n, true)
	case err == nil && n > 5 && n <= 255:
		ev.Type = event.Verbose // provider-defined levels are below Verbose
	default:
		t, ok := typeFromLevelWord(e.renderedLevel)
		if !ok || e.level != "" {
			x.w.atOffset(x.src.fileOff(off), event.KindBadField, fmt.Sprintf("bad Level %q; event typed as %s", e.level, t))
		}
		ev.Type = t
	}
	if pid, err := strconv.ParseUint(e.pid, 10, 32); err == nil {
		ev.PID = uint32(pid)
	}
	if tid, err := strconv.ParseUint(e.tid, 10, 32); err == nil {
		ev.TID = uint32(tid)
	}
	if g, ok := event.ParseGUID([]byte(e.activity)); ok {
		ev.Activity = g
	}
	switch {
	case e.systemTime == "":
		x.w.atOffset(x.src.fileOff(off), event.KindBadTime, "event without TimeCreated/@SystemTime; event kept without a time")
	default:
		if t, err := time.Parse(time.RFC3339Nano, e.systemTime); err == nil {
			ev.Time = t.UTC()
			_, z := t.Zone()
			ev.TZOffset = int32(z)
		} else if d, err2 := parseISODate(e.systemTime); err2 == nil && d.kind == dateFixed {
			ev.Time, _ = d.naive(orderMD)
			ev.Fields = append(ev.Fields, event.Field{Name: FieldTimeZone, Value: "unknown"})
		} else {
			x.w.atOffset(x.src.fileOff(off), event.KindBadTime, fmt.Sprintf("cannot read SystemTime %q; event kept without a time", e.systemTime))
		}
	}
	ev.Fields = appendField(ev.Fields, event.FieldLogName, e.channel)
	ev.Fields = appendField(ev.Fields, event.FieldProvider, ev.Source)
	task := e.renderedTask
	if task == "" && e.task != "0" {
		task = e.task
	}
	ev.Fields = appendField(ev.Fields, event.FieldTaskCategory, task)
	ev.Fields = appendField(ev.Fields, FieldKeywords, strings.Join(e.keywords, ", "))
	ev.Fields = appendField(ev.Fields, FieldUser, e.userID)
	ev.Fields = appendField(ev.Fields, FieldRecordID, e.recordID)
	if e.message != "" {
		ev.Message = e.message
		ev.Fields = append(ev.Fields, event.Field{Name: FieldMessageSource, Value: "rendering"})
	} else if len(e.data) > 0 {
		ev.Message = messageFromData(ev.Source, ev.EventID, e.data)
		ev.Fields = append(ev.Fields, event.Field{Name: FieldMessageSource, Value: "eventdata"})
	}
	ev.Fields = append(ev.Fields, e.data...)
	return ev
}
