package evtx

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"exlog/event"
	"exlog/parse/eventlog"
)

// rec collects what one record's XML says, as the event-log XML reader
// collects it from an XML export, so that both give the same Event.
type rec struct {
	provider, sourceName, eventID, qualifiers string
	level, task, recordID                     string
	systemTime                                string
	sysTime                                   time.Time
	hasSysTime                                bool
	channel, computer, activity               string
	pid, tid, userID                          string
	data                                      []event.Field
	unnamed                                   int
}

// walker renders a fragment's items into a rec, keeping the element path
// (Event/System/Provider...) as the XML reader sees it.
type walker struct {
	ch       *chunk
	stack    []string
	text     []byte
	dataName string
	r        rec
	nest     int
	maxLine  int
	cut      int   // values cut at maxLine
	budget   int   // items left to walk in this record
	want     bool  // the text of the current element is used
	nestedAt []int // chunk offsets of the Binary XML values walked
	err      error
}

// maxItems bounds the items walked for one record: a template can refer
// to one Binary XML value many times, and that value to the template
// again, so that a few hundred bytes could expand exponentially.
const maxItems = 1 << 16

// maxChunkItems bounds the items walked for the records of one chunk (a
// real chunk of a few hundred records walks well under 100,000).
const maxChunkItems = 1 << 21

func (w *walker) reset() {
	w.stack = w.stack[:0]
	w.text = w.text[:0]
	w.dataName = ""
	w.r = rec{data: w.r.data[:0]} // build copies the data fields out
	w.nest = 0
	w.cut = 0
	w.budget = maxItems
	w.nestedAt = w.nestedAt[:0]
	w.err = nil
}

func (w *walker) walk(items []item, vals []value) {
	for i := range items {
		if w.err != nil {
			return
		}
		it := &items[i]
		if w.budget--; w.budget < 0 {
			w.err = &formatError{msg: fmt.Sprintf("record expands to more than %d items (a template that refers to itself?)", maxItems)}
			return
		}
		switch it.kind {
		case itemText:
			if w.want {
				w.addText(it.text)
			}
		case itemSub:
			if int(it.sub) >= len(vals) {
				continue
			}
			v := vals[it.sub]
			switch v.typ {
			case typeNull:
			case typeBinXML:
				w.nested(v)
			default:
				if w.want {
					w.addValue(v)
				}
			}
		case itemElem:
			w.element(it.elem, vals)
		}
	}
}

// addValue appends a value's rendering to the text, without allocating
// for the common types.
func (w *walker) addValue(v value) {
	start := len(w.text)
	switch v.typ {
	case typeString:
		w.text = appendUTF16(w.text, v.data)
		for len(w.text) > start && w.text[len(w.text)-1] == 0 {
			w.text = w.text[:len(w.text)-1]
		}
	case typeUint8, typeUint16, typeUint32, typeUint64:
		if len(v.data) != fixedSize(v.typ) {
			w.text = append(w.text, v.String()...)
			break
		}
		var n uint64
		for i := len(v.data) - 1; i >= 0; i-- {
			n = n<<8 | uint64(v.data[i])
		}
		w.text = strconv.AppendUint(w.text, n, 10)
	default:
		w.text = append(w.text, v.String()...)
	}
	if len(w.text) > w.maxLine {
		w.cut++
		w.text = w.text[:max(w.maxLine, start)]
	}
}

func (w *walker) addText(s string) {
	if room := w.maxLine - len(w.text); len(s) > room {
		w.cut++
		s = s[:max(room, 0)]
	}
	w.text = append(w.text, s...)
}

// nested walks a Binary XML value (type 0x21): a fragment of its own,
// usually a template instance, whose elements continue the current path.
func (w *walker) nested(v value) {
	if w.nest >= maxNesting {
		w.err = &formatError{off: v.off, msg: "Binary XML values nested too deeply"}
		return
	}
	if slices.Contains(w.nestedAt, v.off) {
		// Windows refers to each value once; walking one twice is how a
		// few bytes expand exponentially.
		w.err = &formatError{off: v.off, msg: "a Binary XML value used twice"}
		return
	}
	w.nestedAt = append(w.nestedAt, v.off)
	p := parser{ch: w.ch, c: w.ch.c, pos: v.off, end: v.off + len(v.data)}
	f, err := p.fragment()
	if err != nil {
		w.err = err
		return
	}
	w.nest++
	w.walk(f.items, f.vals)
	w.nest--
}

func (w *walker) element(e *elem, vals []value) {
	if omitted(e, vals) {
		return
	}
	if len(e.kids) == 1 && e.kids[0].kind == itemSub && int(e.kids[0].sub) < len(vals) {
		if v := vals[e.kids[0].sub]; v.typ&arrayFlag != 0 {
			// An element whose content is an array is repeated once per
			// array item, as Windows renders it (<Data>a</Data><Data>b</Data>).
			for _, s := range v.items() {
				if w.budget--; w.budget < 0 {
					w.err = &formatError{msg: fmt.Sprintf("record expands to more than %d items", maxItems)}
					return
				}
				w.elementText(e, vals, s)
			}
			return
		}
	}
	w.stack = append(w.stack, e.name)
	w.text = w.text[:0]
	if len(w.stack) == 3 {
		w.attrs(e, vals)
	}
	w.want = wanted(w.stack)
	w.walk(e.kids, vals)
	w.end()
	w.text = w.text[:0]
	w.stack = w.stack[:len(w.stack)-1]
}

// omitted reports whether an element is left out of the rendering: its
// content is optional substitutions only, all of them empty ([MS-EVEN6]
// 2.2.12: an optional substitution with a null value is not rendered;
// libyal's evtxexport then leaves out the element too).
func omitted(e *elem, vals []value) bool {
	if len(e.kids) == 0 || len(e.attrs) > 0 {
		return false
	}
	for _, it := range e.kids {
		if it.kind != itemSub || !it.opt {
			return false
		}
		if int(it.sub) < len(vals) && vals[it.sub].typ != typeNull && len(vals[it.sub].data) > 0 {
			return false
		}
	}
	return true
}

// elementText renders element e with text s as its content.
func (w *walker) elementText(e *elem, vals []value, s string) {
	w.stack = append(w.stack, e.name)
	w.text = w.text[:0]
	if len(w.stack) == 3 {
		w.attrs(e, vals)
	}
	if wanted(w.stack) {
		w.addText(s)
	}
	w.end()
	w.text = w.text[:0]
	w.stack = w.stack[:len(w.stack)-1]
}

// attrString renders an attribute value.
func attrString(val []item, vals []value) string {
	if len(val) == 1 {
		switch it := val[0]; it.kind {
		case itemText:
			return it.text
		case itemSub:
			if int(it.sub) < len(vals) && vals[it.sub].typ != typeBinXML {
				return vals[it.sub].String()
			}
			return ""
		}
	}
	var b strings.Builder
	for _, it := range val {
		switch it.kind {
		case itemText:
			b.WriteString(it.text)
		case itemSub:
			if int(it.sub) < len(vals) && vals[it.sub].typ != typeBinXML {
				b.WriteString(vals[it.sub].String())
			}
		}
	}
	return b.String()
}

func findAttr(e *elem, name string) []item {
	for i := range e.attrs {
		if e.attrs[i].name == name {
			return e.attrs[i].val
		}
	}
	return nil
}

// attrs takes what the event needs from the attributes of an element at
// depth 3 (Event/System/Provider...).
func (w *walker) attrs(e *elem, vals []value) {
	a := func(name string) string { return attrString(findAttr(e, name), vals) }
	switch w.stack[1] {
	case "System":
		switch w.stack[2] {
		case "Provider":
			w.r.provider, w.r.sourceName = a("Name"), a("EventSourceName")
		case "EventID":
			w.r.qualifiers = a("Qualifiers")
		case "TimeCreated":
			val := findAttr(e, "SystemTime")
			if len(val) == 1 && val[0].kind == itemSub && int(val[0].sub) < len(vals) {
				if v := vals[val[0].sub]; v.typ == typeFiletime && len(v.data) == 8 {
					w.r.sysTime, w.r.hasSysTime = filetime(binary.LittleEndian.Uint64(v.data)), true
					return
				}
			}
			w.r.systemTime = attrString(val, vals)
		case "Correlation":
			w.r.activity = a("ActivityID")
		case "Execution":
			w.r.pid, w.r.tid = a("ProcessID"), a("ThreadID")
		case "Security":
			w.r.userID = a("UserID")
		}
	case "EventData":
		if w.stack[2] == "Data" {
			w.dataName = a("Name")
		}
	}
}

// wanted reports whether the text of the element at the top of the path
// is used: System values, EventData and UserData.
func wanted(st []string) bool {
	if len(st) < 3 {
		return false
	}
	switch st[1] {
	case "EventData", "UserData":
		return true
	case "System":
		switch st[2] {
		case "EventID", "Level", "Task", "EventRecordID", "Channel", "Computer":
			return len(st) == 3
		}
	}
	return false
}

// end takes the text of the element closing at the top of the stack.
func (w *walker) end() {
	st := w.stack
	if len(st) < 3 {
		return
	}
	switch {
	case len(st) == 3 && st[1] == "System":
		v := strings.TrimSpace(string(w.text))
		switch st[2] {
		case "EventID":
			w.r.eventID = v
		case "Level":
			w.r.level = v
		case "Task":
			w.r.task = v
		case "EventRecordID":
			w.r.recordID = v
		case "Channel":
			w.r.channel = v
		case "Computer":
			w.r.computer = v
		}
	case len(st) == 3 && st[1] == "EventData" && st[2] == "Data":
		name := w.dataName
		if name == "" {
			name = strconv.Itoa(w.r.unnamed)
			w.r.unnamed++
		}
		w.r.data = append(w.r.data, event.Field{Name: w.ch.fieldName(name), Value: string(w.text)})
	case st[1] == "UserData" && len(st) >= 4:
		if v := strings.TrimSpace(string(w.text)); v != "" {
			w.r.data = append(w.r.data, event.Field{Name: w.ch.fieldName(st[len(st)-1]), Value: v})
		}
	}
}

// FieldQualifiers is System/EventID@Qualifiers (the high 16 bits of the
// classic 32-bit event id, "16384" for most Service Control Manager events).
const FieldQualifiers = "eventlog.qualifiers"

// FieldRecovered marks an event whose record was found by searching for
// record signatures rather than read in order from a good chunk header: after
// a damaged stretch of a chunk or in a chunk whose header is gone. Its value
// says where ("chunk 7: after 16752 unreadable bytes at chunk offset 8288").
// The evtx project stops at such damage; libyal's evtxexport lists these
// records only with -m recovered.
const FieldRecovered = "evtx.recovered"

// build turns a collected record into an Event, as the XML reader builds
// one from an unrendered XML export. hdrID and hdrTime come from the
// record header and stand in for a missing EventRecordID or TimeCreated.
func (r *Reader) build(x *rec, off int64, hdrID uint64, hdrTime time.Time) *event.Event {
	ev := &event.Event{
		Format: event.FormatEvtx,
		Source: x.provider,
		Host:   x.computer,
		Origin: event.Origin{Path: r.path, Offset: off},
	}
	if ev.Source == "" {
		ev.Source = x.sourceName
	}
	if id, err := strconv.ParseUint(x.eventID, 10, 32); err == nil {
		ev.EventID = uint32(id)
	} else {
		r.warnAt(off, event.KindBadField, fmt.Sprintf("record %d: bad or missing EventID %q; event kept with id 0", hdrID, x.eventID))
	}
	switch n, err := strconv.Atoi(x.level); {
	case x.level == "":
		ev.Type = event.Information
	case err == nil && n >= 0 && n <= 5:
		ev.Type = event.TypeFromLevel(n, true)
	case err == nil && n > 5 && n <= 255:
		ev.Type = event.Verbose
	default:
		ev.Type = event.Information
		r.warnAt(off, event.KindBadField, fmt.Sprintf("record %d: bad Level %q; event typed as information", hdrID, x.level))
	}
	if pid, err := strconv.ParseUint(x.pid, 10, 32); err == nil {
		ev.PID = uint32(pid)
	}
	if tid, err := strconv.ParseUint(x.tid, 10, 32); err == nil {
		ev.TID = uint32(tid)
	}
	if g, ok := event.ParseGUID([]byte(x.activity)); ok {
		ev.Activity = g
	}
	switch {
	case x.hasSysTime:
		ev.Time = x.sysTime
	case x.systemTime != "":
		if t, err := time.Parse(time.RFC3339Nano, x.systemTime); err == nil {
			ev.Time = t.UTC()
		} else {
			ev.Time = hdrTime
			r.warnAt(off, event.KindBadTime, fmt.Sprintf("record %d: cannot read SystemTime %q; the record's written time is used", hdrID, x.systemTime))
		}
	default:
		ev.Time = hdrTime
	}
	recordID := x.recordID
	if recordID == "" {
		recordID = strconv.FormatUint(hdrID, 10)
	}
	ev.Fields = make([]event.Field, 0, 8+len(x.data))
	ev.Fields = appendField(ev.Fields, event.FieldLogName, x.channel)
	ev.Fields = appendField(ev.Fields, event.FieldProvider, ev.Source)
	if x.task != "0" {
		ev.Fields = appendField(ev.Fields, event.FieldTaskCategory, x.task)
	}
	ev.Fields = appendField(ev.Fields, eventlog.FieldUser, x.userID)
	ev.Fields = appendField(ev.Fields, eventlog.FieldRecordID, recordID)
	ev.Fields = appendField(ev.Fields, FieldQualifiers, x.qualifiers)
	ev.Fields = appendField(ev.Fields, FieldRecovered, r.recovered)
	if len(x.data) > 0 {
		ev.Message = message(ev.Source, ev.EventID, x.data)
		ev.Fields = append(ev.Fields, event.Field{Name: eventlog.FieldMessageSource, Value: "eventdata"})
	} else {
		ev.Message = ev.Source + " " + strconv.FormatUint(uint64(ev.EventID), 10)
	}
	ev.Fields = append(ev.Fields, x.data...)
	return ev
}

// message renders the English message of the Service Control Manager
// events exlog relies on (the templates the XML reader uses for unrendered
// exports); other events read "Provider EventID: value; value".
func message(source string, id uint32, data []event.Field) string {
	if m, ok := eventlog.RenderMessage(source, id, data); ok {
		return m
	}
	var b strings.Builder
	b.WriteString(source)
	b.WriteByte(' ')
	b.WriteString(strconv.FormatUint(uint64(id), 10))
	sep := ": "
	for _, f := range data {
		v := strings.TrimSpace(eventlog.ResolveInsertion(f.Value))
		if v == "" {
			continue
		}
		b.WriteString(sep)
		b.WriteString(v)
		sep = "; "
	}
	return b.String()
}

func appendField(fs []event.Field, name, v string) []event.Field {
	if v == "" {
		return fs
	}
	return append(fs, event.Field{Name: name, Value: v})
}
