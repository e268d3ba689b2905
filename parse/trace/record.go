package trace

import (
	"bytes"
	"strconv"
	"time"

	"exlog/event"
)

// zeroGUIDBraced is the "no activity" id, most records' ActivityID.
const zeroGUIDBraced = "{00000000-0000-0000-0000-000000000000}"

// eventAlloc puts an Event and room for its usual field in one allocation.
type eventAlloc struct {
	ev     event.Event
	fields [1]event.Field
}

// parseRecord turns one complete record (from "<E2ETraceEvent" to
// "</E2ETraceEvent>" inclusive) into an Event, finishing the pending
// event whose header the fast path already read, if any. It returns nil
// and the reason when the record has no usable time or type. rec is only
// read during the call.
func (r *Reader) parseRecord(rec []byte, off int64) (*event.Event, string) {
	a, from := r.pend, r.pendFrom
	r.pend = nil
	if a == nil {
		if a = r.spare; a == nil {
			a = new(eventAlloc)
			a.ev.Fields = a.fields[:0:1]
		}
		r.spare = nil
		var problem string
		if from, problem = r.parseHeader(rec, off, &a.ev); problem != "" {
			return nil, problem
		}
	}
	ev := &a.ev
	ev.Format = event.FormatTrace
	ev.Origin = event.Origin{Path: r.path, Offset: off}
	end := len(rec) - len(endTag)
	r.payload(ev, rec[min(from, end):end])
	return ev, ""
}

// parseHeader reads the System part of a record in any layout: one pass
// over its tags up to </System> or <ApplicationData, in any order. It
// returns where the payload part begins, or the reason the record is
// unusable.
func (r *Reader) parseHeader(rec []byte, off int64, ev *event.Event) (payloadFrom int, problem string) {
	var (
		subType, level, timeVal []byte
		haveTime, haveLevel     bool
	)
	i := len(startTag)
	payloadFrom = len(rec)
header:
	for {
		tagAt := indexLT(rec, i)
		if tagAt < 0 {
			break
		}
		i = tagAt + 1
		k := i
		if k < len(rec) && rec[k] == '/' {
			k++
		}
		for k < len(rec) && isNameByte(rec[k]) {
			k++
		}
		name := rec[i:k]
		if c := bytes.IndexByte(name, ':'); c >= 0 && (len(name) == 0 || name[0] != '/') {
			name = name[c+1:] // tolerate a namespace prefix
		}
		i = k
		switch string(name) {
		case "/System":
			payloadFrom = k
			break header
		case "ApplicationData":
			payloadFrom = tagAt
			break header
		case "EventID":
			v, ok := parseUint32(elementText(rec, i))
			if !ok {
				r.warnAt(off, event.KindBadField, "bad EventID "+quoteShort(elementText(rec, i)))
			}
			ev.EventID = v
		case "SubType":
			subType = attr(rec, i, "Name")
		case "Level":
			level = elementText(rec, i)
			haveLevel = true
		case "TimeCreated":
			timeVal = attr(rec, i, "SystemTime")
			haveTime = timeVal != nil
		case "Source":
			if v := attr(rec, i, "Name"); v != nil {
				ev.Source = r.intern(&r.lastSource, v)
			}
		case "Correlation":
			for j := i; ; {
				n, v, next, ok := nextAttr(rec, j)
				if !ok {
					i = next
					break
				}
				j = next
				var dst *event.GUID
				switch string(n) {
				case "ActivityID":
					dst = &ev.Activity
				case "RelatedActivityID":
					dst = &ev.Related
				default:
					continue
				}
				g, ok := r.guid(v)
				if !ok {
					r.warnAt(off, event.KindBadField, "bad "+string(n)+" "+quoteShort(v))
				}
				*dst = g
			}
		case "Execution":
			for j := i; ; {
				n, v, next, ok := nextAttr(rec, j)
				if !ok {
					i = next
					break
				}
				j = next
				var dst *uint32
				switch string(n) {
				case "ProcessName":
					if len(v) > 0 {
						ev.Fields = append(ev.Fields, event.Field{Name: event.FieldProcessName, Value: r.intern(&r.lastProc, v)})
					}
					continue
				case "ProcessID":
					dst = &ev.PID
				case "ThreadID":
					dst = &ev.TID
				default:
					continue
				}
				num, ok := parseUint32(v)
				if !ok {
					r.warnAt(off, event.KindBadField, "bad "+string(n)+" "+quoteShort(v))
				}
				*dst = num
			}
		case "Computer":
			ev.Host = r.intern(&r.lastHost, trimSpace(elementText(rec, i)))
		}
	}

	// Type: SubType Name; Level only when SubType is missing or unknown.
	ev.Type = typeFromName(subType)
	if ev.Type == event.TypeInvalid && haveLevel {
		if n, ok := parseUint32(level); ok && n < 256 {
			ev.Type = event.TypeFromLevel(int(n), false)
		}
	}
	if ev.Type == event.TypeInvalid {
		if subType != nil {
			return 0, "record skipped: unknown SubType Name " + quoteShort(subType)
		}
		return 0, "record skipped: no SubType Name or Level giving its type"
	}
	if !haveTime {
		return 0, "record skipped: no TimeCreated SystemTime"
	}
	t, zone, hasZone, ok := parseTime(trimSpace(timeVal))
	if !ok {
		return 0, "record skipped: bad TimeCreated SystemTime " + quoteShort(timeVal)
	}
	if !hasZone && !r.noZoneSeen {
		r.noZoneSeen = true
		r.warnAt(off, event.KindNoZone, "TimeCreated without a zone ("+quoteShort(timeVal)+"): times read as UTC")
	}
	ev.Time = t
	ev.TZOffset = zone
	return payloadFrom, ""
}

// payload fills Message (and exception/callstack fields) from the part of
// the record after the header, without the record's end tag.
func (r *Reader) payload(ev *event.Event, p []byte) {
	a := bytes.Index(p, []byte("<ApplicationData"))
	if a < 0 {
		return
	}
	p = p[a+len("<ApplicationData"):]
	gt := bytes.IndexByte(p, '>')
	if gt < 0 || (gt > 0 && p[gt-1] == '/') {
		return // <ApplicationData/>
	}
	p = p[gt+1:]
	p = bytes.TrimRight(p, " \t\r\n")
	if bytes.HasSuffix(p, []byte("</ApplicationData>")) {
		p = p[:len(p)-len("</ApplicationData>")]
	}
	if f := bytes.Index(p, []byte("<System.Diagnostics")); f >= 0 && f+19 < len(p) && (p[f+19] == '>' || isSpace(p[f+19])) {
		if cs, ok := element(p[f:], "<Callstack>", "</Callstack>"); ok {
			if s := r.fieldString(cs); s != "" {
				ev.Fields = append(ev.Fields, event.Field{Name: FieldCallstack, Value: s})
			}
		}
		p = p[:f]
	}
	body := trimLeftSpace(p)
	if len(body) == 0 {
		return
	}
	if body[0] != '<' {
		ev.Message = r.textString(p)
		return
	}
	msg := r.scratch[:0]
	switch {
	case bytes.HasPrefix(body, []byte("<TraceData")):
		rest := body
		for {
			d := bytes.Index(rest, []byte("<DataItem"))
			if d < 0 {
				break
			}
			rest = rest[d+len("<DataItem"):]
			gt := bytes.IndexByte(rest, '>')
			if gt < 0 {
				break
			}
			if gt > 0 && rest[gt-1] == '/' {
				rest = rest[gt+1:]
				continue // <DataItem/>
			}
			rest = rest[gt+1:]
			item := rest
			if e := bytes.Index(rest, []byte("</DataItem>")); e >= 0 {
				item = rest[:e]
				rest = rest[e+len("</DataItem>"):]
			} else {
				rest = nil
			}
			before := len(msg)
			if len(msg) > 0 {
				msg = append(msg, '\n')
			}
			mark := len(msg)
			msg = r.appendItem(ev, msg, item)
			if len(msg) == mark {
				msg = msg[:before] // empty item: no blank line
			}
		}
	case bytes.HasPrefix(body, []byte("<TraceRecord")):
		msg = r.appendTraceRecord(ev, msg, body)
	default:
		msg = appendTextContent(msg, body)
	}
	r.scratch = msg
	ev.Message = string(msg)
}

// appendItem appends the readable text of one DataItem.
func (r *Reader) appendItem(ev *event.Event, dst, item []byte) []byte {
	body := trimLeftSpace(item)
	if len(body) == 0 {
		return dst
	}
	if body[0] != '<' {
		return appendUnescaped(dst, bytes.TrimRight(body, " \t\r\n"))
	}
	if bytes.HasPrefix(body, []byte("<TraceRecord")) {
		return r.appendTraceRecord(ev, dst, body)
	}
	return appendTextContent(dst, body)
}

// appendTraceRecord appends Description and "ExceptionType: message" (and
// "---> InnerType: message" per inner exception) of a WCF TraceRecord; the
// first exception in a record also sets the exception fields.
func (r *Reader) appendTraceRecord(ev *event.Event, dst, tr []byte) []byte {
	start := len(dst)
	whole := tr
	x := tr
	xAt := bytes.Index(tr, []byte("<Exception>"))
	if xAt >= 0 {
		x = tr[xAt:]
		if e := bytes.Index(x, []byte("</Exception>")); e >= 0 {
			x = x[:e]
		}
		tr = tr[:xAt]
	} else {
		x = nil
	}
	if d, ok := element(tr, "<Description>", "</Description>"); ok {
		dst = appendUnescaped(dst, trimSpace(d))
	}
	if x != nil {
		dst = r.appendException(ev, dst, start, x)
	}
	// ExtendedData often holds the real detail (e.g. the text written to
	// the event log): its text content follows, one value per line.
	if e := bytes.Index(whole, []byte("<ExtendedData")); e >= 0 {
		ed := whole[e+len("<ExtendedData"):]
		if gt := bytes.IndexByte(ed, '>'); gt >= 0 && (gt == 0 || ed[gt-1] != '/') {
			ed = ed[gt+1:]
			if c := bytes.Index(ed, []byte("</ExtendedData>")); c >= 0 {
				ed = ed[:c]
			}
			before := len(dst)
			if before > start {
				dst = append(dst, '\n')
			}
			mark := len(dst)
			if dst = appendTextContent(dst, ed); len(dst) == mark {
				dst = dst[:before] // empty: no trailing newline
			}
		}
	}
	return dst
}

// appendException appends "Type: message" of the Exception element at the
// start of x and "---> Type: message" per inner exception; the first
// exception of a record also sets the exception fields.
func (r *Reader) appendException(ev *event.Event, dst []byte, start int, x []byte) []byte {
	outer := x
	innerAt := bytes.Index(x, []byte("<InnerException>"))
	if innerAt >= 0 {
		outer = x[:innerAt]
	}
	typ, _ := element(outer, "<ExceptionType>", "</ExceptionType>")
	msg, _ := element(outer, "<Message>", "</Message>")
	typ = shortTypeName(typ)
	msg = trimSpace(msg)
	if len(typ) > 0 || len(msg) > 0 {
		if len(dst) > start {
			dst = append(dst, '\n')
		}
		dst = appendTypeMessage(dst, typ, msg)
	}
	if _, seen := ev.Field(event.FieldExceptionType); !seen {
		if len(typ) > 0 {
			ev.Fields = append(ev.Fields, event.Field{Name: event.FieldExceptionType, Value: r.fieldString(typ)})
		}
		if len(msg) > 0 {
			ev.Fields = append(ev.Fields, event.Field{Name: event.FieldExceptionMessage, Value: r.fieldString(msg)})
		}
		if st, ok := element(outer, "<StackTrace>", "</StackTrace>"); ok {
			if s := r.fieldString(bytes.TrimRight(st, " \t\r\n")); s != "" {
				ev.Fields = append(ev.Fields, event.Field{Name: event.FieldExceptionStack, Value: s})
			}
		}
	}
	for innerAt >= 0 {
		x = x[innerAt+len("<InnerException>"):]
		innerAt = bytes.Index(x, []byte("<InnerException>"))
		in := x
		if innerAt >= 0 {
			in = x[:innerAt]
		}
		typ, _ := element(in, "<ExceptionType>", "</ExceptionType>")
		msg, _ := element(in, "<Message>", "</Message>")
		typ = shortTypeName(typ)
		msg = trimSpace(msg)
		if len(typ) > 0 || len(msg) > 0 {
			dst = append(dst, "\n---> "...)
			dst = appendTypeMessage(dst, typ, msg)
		}
	}
	return dst
}

func appendTypeMessage(dst, typ, msg []byte) []byte {
	dst = appendUnescaped(dst, typ)
	if len(msg) > 0 {
		if len(typ) > 0 {
			dst = append(dst, ": "...)
		}
		dst = appendUnescaped(dst, msg)
	}
	return dst
}

// shortTypeName drops the assembly part of an assembly-qualified type
// name ("System.X, mscorlib, Version=..." -> "System.X").
func shortTypeName(t []byte) []byte {
	t = trimSpace(t)
	if c := bytes.IndexByte(t, ','); c >= 0 {
		t = trimSpace(t[:c])
	}
	return t
}

// element returns the content between the first open tag and the next
// close tag after it; a missing close tag takes the rest of b.
func element(b []byte, open, close string) ([]byte, bool) {
	o := bytes.Index(b, []byte(open))
	if o < 0 {
		return nil, false
	}
	b = b[o+len(open):]
	if c := bytes.Index(b, []byte(close)); c >= 0 {
		return b[:c], true
	}
	return b, true
}

// elementText returns the text after the start tag whose name ends at
// rec[i] up to the next '<' (nil for an empty element).
func elementText(rec []byte, i int) []byte {
	gt := bytes.IndexByte(rec[i:], '>')
	if gt < 0 {
		return nil
	}
	i += gt
	if rec[i-1] == '/' {
		return nil
	}
	i++
	lt := bytes.IndexByte(rec[i:], '<')
	if lt < 0 {
		return nil
	}
	return rec[i : i+lt]
}

// attr returns the raw value of attribute name in the start tag whose
// element name ends at rec[i], or nil when it is absent.
func attr(rec []byte, i int, name string) []byte {
	for {
		n, v, next, ok := nextAttr(rec, i)
		if !ok {
			return nil
		}
		if string(n) == name {
			return v
		}
		i = next
	}
}

// nextAttr reads the attribute at rec[i:] of a start tag: its name, raw
// value (without quotes) and the position after it. ok is false at the
// end of the tag ('>', "/>", '<' or the end of rec); next is then where
// the attributes stopped. Malformed attributes (no value, no quotes) are
// passed over.
func nextAttr(rec []byte, i int) (name, val []byte, next int, ok bool) {
	for i < len(rec) {
		for i < len(rec) && isSpace(rec[i]) {
			i++
		}
		if i >= len(rec) || rec[i] == '>' || rec[i] == '/' || rec[i] == '<' {
			return nil, nil, i, false
		}
		n0 := i
		for i < len(rec) && rec[i] != '=' && rec[i] != '>' && rec[i] != '<' && !isSpace(rec[i]) {
			i++
		}
		name = rec[n0:i]
		for i < len(rec) && isSpace(rec[i]) {
			i++
		}
		if i >= len(rec) || rec[i] != '=' {
			continue // attribute without value: tolerate
		}
		i++
		for i < len(rec) && isSpace(rec[i]) {
			i++
		}
		if i >= len(rec) {
			break
		}
		q := rec[i]
		if q != '"' && q != '\'' {
			continue
		}
		i++
		e := bytes.IndexByte(rec[i:], q)
		if e < 0 {
			break
		}
		return name, rec[i : i+e], i + e + 1, true
	}
	return nil, nil, len(rec), false
}

func isNameByte(c byte) bool {
	return c == ':' || c == '.' || c == '_' || c == '-' ||
		'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func typeFromName(b []byte) event.Type {
	switch string(b) {
	case "Critical":
		return event.Critical
	case "Error":
		return event.Error
	case "Warning":
		return event.Warning
	case "Information":
		return event.Information
	case "Verbose":
		return event.Verbose
	case "Start":
		return event.Start
	case "Stop":
		return event.Stop
	case "Suspend":
		return event.Suspend
	case "Resume":
		return event.Resume
	case "Transfer":
		return event.Transfer
	}
	if len(b) == 0 || len(b) > 32 {
		return event.TypeInvalid
	}
	t, _ := event.ParseType(string(b))
	return t
}

func parseUint32(b []byte) (uint32, bool) {
	b = trimSpace(b)
	if len(b) == 0 || len(b) > 10 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if n > 1<<32-1 {
		return 0, false
	}
	return uint32(n), true
}

// parseTime reads an ISO 8601 time "YYYY-MM-DDTHH:MM:SS[.fffffff][Z|±HH:MM]"
// (any number of fraction digits, fraction and zone optional). It returns
// the instant in UTC and the zone offset in seconds east as written.
func parseTime(b []byte) (t time.Time, zone int32, hasZone, ok bool) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != 't' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return
	}
	year, ok1 := digits(b[0:4])
	month, ok2 := digits(b[5:7])
	day, ok3 := digits(b[8:10])
	hour, ok4 := digits(b[11:13])
	minute, ok5 := digits(b[14:16])
	sec, ok6 := digits(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || year < 1 || month < 1 || month > 12 || day < 1 ||
		day > daysIn(year, month) || hour > 23 || minute > 59 || sec > 60 {
		return
	}
	i := 19
	ns := 0
	if i < len(b) && (b[i] == '.' || b[i] == ',') {
		i++
		n0 := i
		scale := 100000000
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			ns += int(b[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == n0 {
			return
		}
	}
	rest := b[i:]
	switch {
	case len(rest) == 0:
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
		hasZone = true
	case rest[0] == '+' || rest[0] == '-':
		var zh, zm int
		var okh, okm bool
		switch {
		case len(rest) == 6 && rest[3] == ':':
			zh, okh = digits(rest[1:3])
			zm, okm = digits(rest[4:6])
		case len(rest) == 5:
			zh, okh = digits(rest[1:3])
			zm, okm = digits(rest[3:5])
		case len(rest) == 3:
			zh, okh = digits(rest[1:3])
			okm = true
		}
		if !okh || !okm || zh > 14 || zm > 59 {
			return
		}
		zone = int32(zh*3600 + zm*60)
		if rest[0] == '-' {
			zone = -zone
		}
		hasZone = true
	default:
		return
	}
	t = time.Date(year, time.Month(month), day, hour, minute, sec, ns, time.UTC)
	if zone != 0 {
		t = t.Add(-time.Duration(zone) * time.Second)
	}
	return t, zone, hasZone, true
}

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// intern returns the unescaped string of b, reusing *last when equal.
func (r *Reader) intern(last *string, b []byte) string {
	if bytes.IndexByte(b, '&') >= 0 {
		return r.fieldString(b)
	}
	if string(b) != *last {
		*last = string(b)
	}
	return *last
}

// fieldString unescapes b into a new string with CRLF normalised to "\n".
func (r *Reader) fieldString(b []byte) string {
	if bytes.IndexByte(b, '&') < 0 && bytes.IndexByte(b, '\r') < 0 {
		return string(b)
	}
	r.fieldBuf = appendUnescaped(r.fieldBuf[:0], b)
	return string(r.fieldBuf)
}

// textString is fieldString for a message payload.
func (r *Reader) textString(b []byte) string { return r.fieldString(b) }

// quoteShort quotes a value for a warning, cut to 64 bytes.
func quoteShort(b []byte) string {
	if len(b) > 64 {
		return strconv.Quote(string(b[:64])) + "..."
	}
	return strconv.Quote(string(b))
}

func trimLeftSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	return b
}
