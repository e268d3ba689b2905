package trace

import (
	"exlog/event"
)

// The header as XmlWriterTraceListener writes it, byte for byte
// (domain.md §3). Records in this layout take the fast path; any other
// layout takes the general tag-by-tag parser, with the same result.
const (
	fastPrefix = startTag + ` xmlns="http://schemas.microsoft.com/2004/06/E2ETraceEvent">` +
		`<System xmlns="http://schemas.microsoft.com/2004/06/windows/eventlog/system"><EventID>`
	fastSubType     = `</Type><SubType Name="`
	fastLevel       = `</SubType><Level>`
	fastTime        = `</Level><TimeCreated SystemTime="`
	fastSource      = `" /><Source Name="`
	fastCorrelation = `" /><Correlation ActivityID="`
	fastRelated     = `" RelatedActivityID="`
	fastExecution   = `" /><Execution ProcessName="`
	fastPID         = `" ProcessID="`
	fastTID         = `" ThreadID="`
	fastComputer    = `" /><Channel/><Computer>`
	fastEnd         = `</Computer></System>`
)

// cursor matches a fixed layout over b; after the first mismatch (or the
// end of b) ok is false and every further step is a no-op.
type cursor struct {
	b     []byte
	i     int
	ok    bool
	short bool // the mismatch was the end of b: more data might match
}

func (c *cursor) lit(s string) {
	if !c.ok {
		return
	}
	if len(c.b)-c.i >= len(s) && string(c.b[c.i:c.i+len(s)]) == s {
		c.i += len(s)
		return
	}
	c.ok = false
	c.short = len(c.b)-c.i < len(s) && string(c.b[c.i:]) == s[:len(c.b)-c.i]
}

func (c *cursor) has(s string) bool {
	return c.ok && len(c.b)-c.i >= len(s) && string(c.b[c.i:c.i+len(s)]) == s
}

// until returns the bytes up to stop (not consumed). A '<' before stop is
// a mismatch, so a value never hides a tag.
func (c *cursor) until(stop byte) []byte {
	if !c.ok {
		return nil
	}
	for j := c.i; j < len(c.b); j++ {
		ch := c.b[j]
		if ch == stop {
			v := c.b[c.i:j]
			c.i = j
			return v
		}
		if ch == '<' {
			c.ok = false
			return nil
		}
	}
	c.ok = false
	c.short = true
	return nil
}

// fastHeader reads the header of the record at the start of b (which may
// hold only part of the record) when it is in the standard layout and
// every value in it is valid. It fills ev and returns where the payload
// part begins; ok is false, with ev untouched, otherwise, and short tells
// whether b ended before the header did (so more data might still match).
// It never warns: whatever it rejects goes to the general parser, which
// does.
func (r *Reader) fastHeader(b []byte, ev *event.Event) (payloadFrom int, ok, short bool) {
	c := cursor{b: b, ok: true}
	c.lit(fastPrefix)
	id := c.until('<')
	c.lit("</EventID><Type>")
	c.until('<')
	c.lit(fastSubType)
	sub := c.until('"')
	c.lit(`">`)
	c.until('<')
	c.lit(fastLevel)
	lvl := c.until('<')
	c.lit(fastTime)
	tm := c.until('"')
	c.lit(fastSource)
	src := c.until('"')
	c.lit(fastCorrelation)
	act := c.until('"')
	var rel []byte
	if c.has(fastRelated) {
		c.lit(fastRelated)
		rel = c.until('"')
	}
	c.lit(fastExecution)
	proc := c.until('"')
	c.lit(fastPID)
	pid := c.until('"')
	c.lit(fastTID)
	tid := c.until('"')
	c.lit(fastComputer)
	host := c.until('<')
	c.lit(fastEnd)
	if !c.ok {
		return 0, false, c.short
	}

	// Validate everything before touching ev.
	eventID, ok1 := parseUint32(id)
	pidN, ok2 := parseUint32(pid)
	tidN, ok3 := parseUint32(tid)
	if !ok1 || !ok2 || !ok3 {
		return 0, false, false
	}
	typ := typeFromName(sub)
	if typ == event.TypeInvalid {
		if n, ok := parseUint32(lvl); ok && n < 256 {
			typ = event.TypeFromLevel(int(n), false)
		}
		if typ == event.TypeInvalid {
			return 0, false, false
		}
	}
	t, zone, hasZone, ok := parseTime(trimSpace(tm))
	if !ok || !hasZone {
		return 0, false, false
	}
	activity, ok := r.guid(act)
	if !ok {
		return 0, false, false
	}
	var related event.GUID
	if rel != nil {
		if related, ok = r.guid(rel); !ok {
			return 0, false, false
		}
	}

	ev.EventID = eventID
	ev.Type = typ
	ev.Time = t
	ev.TZOffset = zone
	ev.Source = r.intern(&r.lastSource, src)
	ev.Activity = activity
	ev.Related = related
	if len(proc) > 0 {
		ev.Fields = append(ev.Fields, event.Field{Name: event.FieldProcessName, Value: r.intern(&r.lastProc, proc)})
	}
	ev.PID = pidN
	ev.TID = tidN
	ev.Host = r.intern(&r.lastHost, trimSpace(host))
	return c.i, true, false
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// guid parses an ActivityID attribute value; the all-zero id and a repeat
// of the previous id (records of one activity follow each other) are
// answered without parsing.
func (r *Reader) guid(v []byte) (event.GUID, bool) {
	if string(v) == zeroGUIDBraced {
		return event.GUID{}, true
	}
	if r.lastGUIDSet && len(v) == len(r.lastGUIDText) && string(v) == string(r.lastGUIDText[:]) {
		return r.lastGUID, true
	}
	g, ok := event.ParseGUID(trimSpace(v))
	if ok && len(v) == len(r.lastGUIDText) {
		copy(r.lastGUIDText[:], v)
		r.lastGUID, r.lastGUIDSet = g, true
	}
	return g, ok
}
