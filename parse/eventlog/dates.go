package eventlog

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"exlog/event"
)

// dateKind says how the day/month order of a parsed date is known.
type dateKind uint8

const (
	dateZoned     dateKind = iota + 1 // ISO 8601 with Z or an offset: exact
	dateFixed                         // y-M-d, d.M.y, d-M-y: order known from the form
	dateSlashMD                       // a/b/yyyy with b > 12: month first
	dateSlashDM                       // a/b/yyyy with a > 12: day first
	dateSlashAny                      // a/b/yyyy with a, b <= 12, a != b: order needed
	dateSlashSame                     // a/a/yyyy: either order gives the same date
)

// localDate is a parsed date string of a text or CSV export. For slash
// dates a and b are the first two components as written; for the other
// kinds a is the month and b the day.
type localDate struct {
	kind       dateKind
	y, a, b    int
	h, mi, s   int
	nsec       int
	pm, hasAMP bool
	exact      time.Time // dateZoned only
}

// dateOrder is a file's decision for ambiguous slash dates.
type dateOrder uint8

const (
	orderUnknown dateOrder = iota
	orderMD
	orderDM
)

func (o dateOrder) String() string {
	if o == orderMD {
		return "M/d/yyyy (month first)"
	}
	return "d/M/yyyy (day first)"
}

// dateCleaner removes the bidi marks Event Viewer puts around dates in some
// cultures and turns the no-break spaces newer ICU puts before AM/PM into
// plain spaces.
var dateCleaner = strings.NewReplacer("\u200e", "", "\u200f", "", "\u202a", "", "\u202b", "", "\u202c", "", "\u202d", "", "\u202e", "", "\u00a0", " ", "\u202f", " ")

// parseLocalDate parses the date formats Event Viewer writes in the common
// cultures: en-US "11/24/2026 3:15:22 PM", de-DE "24.11.2026 15:15:22",
// en-GB/fr-FR "24/11/2026 15:15:22", ja/zh "2026/11/24 15:15:22", nl
// "24-11-2026 15:15:22" and ISO "2026-11-24T15:15:22.123" (with or
// without a zone).
func parseLocalDate(raw string) (localDate, error) {
	var d localDate
	s := strings.TrimSpace(dateCleaner.Replace(raw))
	if s == "" {
		return d, fmt.Errorf("empty date")
	}
	if len(s) >= 10 && s[4] == '-' && s[7] == '-' && isDigits(s[:4]) {
		return parseISODate(s)
	}
	datePart, timePart, _ := strings.Cut(s, " ")
	datePart = strings.TrimSuffix(datePart, ".")
	sep := byte(0)
	for i := 0; i < len(datePart); i++ {
		if c := datePart[i]; c == '/' || c == '.' || c == '-' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return d, fmt.Errorf("no date separator in %q", raw)
	}
	parts := strings.Split(datePart, string(sep))
	if len(parts) != 3 {
		return d, fmt.Errorf("date %q does not have three parts", raw)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || len(p) > 4 {
			return d, fmt.Errorf("date %q: bad number %q", raw, p)
		}
		n[i] = v
	}
	switch {
	case len(parts[0]) == 4: // yyyy/M/d
		d.kind, d.y, d.a, d.b = dateFixed, n[0], n[1], n[2]
	case len(parts[2]) == 4 || len(parts[2]) == 2:
		d.y = n[2]
		if len(parts[2]) == 2 {
			d.y += 2000
		}
		switch {
		case sep != '/': // d.M.yyyy, d-M-yyyy
			d.kind, d.a, d.b = dateFixed, n[1], n[0]
		case n[0] > 12:
			d.kind, d.a, d.b = dateSlashDM, n[0], n[1]
		case n[1] > 12:
			d.kind, d.a, d.b = dateSlashMD, n[0], n[1]
		case n[0] == n[1]:
			d.kind, d.a, d.b = dateSlashSame, n[0], n[1]
		default:
			d.kind, d.a, d.b = dateSlashAny, n[0], n[1]
		}
	default:
		return d, fmt.Errorf("date %q: no four-digit year", raw)
	}
	if err := parseClock(&d, strings.TrimSpace(timePart)); err != nil {
		return d, fmt.Errorf("date %q: %v", raw, err)
	}
	// Validate both possible orders now so that a later decision cannot fail.
	if _, err := d.naive(orderMD); err != nil && d.kind != dateSlashDM {
		return d, err
	}
	if d.kind == dateSlashDM || d.kind == dateSlashAny {
		if _, err := d.naive(orderDM); err != nil {
			return d, err
		}
	}
	return d, nil
}

func parseISODate(s string) (localDate, error) {
	var d localDate
	if t, err := time.Parse(time.RFC3339Nano, strings.Replace(s, " ", "T", 1)); err == nil {
		d.kind, d.exact = dateZoned, t
		return d, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			d.kind, d.y, d.a, d.b = dateFixed, t.Year(), int(t.Month()), t.Day()
			d.h, d.mi, d.s, d.nsec = t.Hour(), t.Minute(), t.Second(), t.Nanosecond()
			return d, nil
		}
	}
	return d, fmt.Errorf("bad ISO date %q", s)
}

// parseClock parses "h:mm[:ss[.fff]] [AM|PM]" into d.
func parseClock(d *localDate, s string) error {
	if s == "" {
		return nil // date only
	}
	clock, ampm, _ := strings.Cut(s, " ")
	switch strings.ToLower(strings.TrimSpace(ampm)) {
	case "":
	case "am", "a.m.", "vorm.":
		d.hasAMP = true
	case "pm", "p.m.", "nachm.":
		d.hasAMP, d.pm = true, true
	default:
		return fmt.Errorf("unknown text %q after the time", ampm)
	}
	parts := strings.Split(clock, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return fmt.Errorf("bad time %q", clock)
	}
	frac := ""
	if len(parts) == 3 {
		parts[2], frac, _ = strings.Cut(parts[2], ".")
		if frac == "" {
			parts[2], frac, _ = strings.Cut(parts[2], ",")
		}
	}
	var v [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || len(p) > 2 {
			return fmt.Errorf("bad time %q", clock)
		}
		v[i] = n
	}
	d.h, d.mi, d.s = v[0], v[1], v[2]
	if frac != "" {
		if !isDigits(frac) || len(frac) > 9 {
			return fmt.Errorf("bad fraction in %q", clock)
		}
		n, _ := strconv.Atoi(frac)
		for i := len(frac); i < 9; i++ {
			n *= 10
		}
		d.nsec = n
	}
	if d.hasAMP {
		if d.h < 1 || d.h > 12 {
			return fmt.Errorf("hour %d with AM/PM", d.h)
		}
		d.h %= 12
		if d.pm {
			d.h += 12
		}
	}
	if d.h > 23 || d.mi > 59 || d.s > 60 {
		return fmt.Errorf("bad time %q", clock)
	}
	return nil
}

// naive returns the wall-clock time as a UTC-naive time.Time, reading an
// ambiguous slash date in the given order.
func (d localDate) naive(o dateOrder) (time.Time, error) {
	month, day := d.a, d.b
	switch d.kind {
	case dateSlashDM:
		month, day = d.b, d.a
	case dateSlashAny:
		if o == orderDM {
			month, day = d.b, d.a
		}
	}
	if month < 1 || month > 12 || day < 1 || day > 31 || d.y < 1 {
		return time.Time{}, fmt.Errorf("no such date: year %d month %d day %d", d.y, month, day)
	}
	t := time.Date(d.y, time.Month(month), day, d.h, d.mi, d.s, d.nsec, time.UTC)
	if t.Day() != day {
		return time.Time{}, fmt.Errorf("no such date: year %d month %d day %d", d.y, month, day)
	}
	return t, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// maxPendingDates bounds the look-ahead of a dateResolver: after this many
// events with an undecided date order the order is guessed.
const maxPendingDates = 256

// pendingEvent is an event whose time is set once the file's date order
// is known.
type pendingEvent struct {
	ev   *event.Event
	d    localDate
	ok   bool // d parsed; false: the time stays zero
	line int
}

// dateResolver sets event times in file order while deciding, per file,
// whether ambiguous slash dates are month-first or day-first. It holds
// events back (at most maxPendingDates) only while every date seen so far
// was ambiguous; the first unambiguous date decides. When the look-ahead
// fills or input ends undecided, it guesses (a 12-hour clock suggests
// en-US month-first, otherwise day-first) and warns once.
type dateResolver struct {
	w          warner
	order      dateOrder
	guessed    bool
	warnedMix  bool
	pending    []pendingEvent // only while order is unknown, oldest first
	ready      []*event.Event
	readyHead  int
	ambiguousN int
}

// add queues ev with its raw date string from the given line.
func (r *dateResolver) add(ev *event.Event, raw string, line int) {
	d, err := parseLocalDate(raw)
	p := pendingEvent{ev: ev, d: d, ok: err == nil, line: line}
	if err != nil {
		r.w.atLine(line, event.KindBadTime, fmt.Sprintf("cannot read date %q: %v; event kept without a time", raw, err))
	}
	if p.ok {
		switch d.kind {
		case dateSlashMD, dateSlashDM:
			r.learn(d, raw, line)
		case dateSlashAny:
			if r.order == orderUnknown {
				r.ambiguousN++
				r.pending = append(r.pending, p)
				if len(r.pending) >= maxPendingDates {
					r.guess()
				}
				return
			}
		}
	}
	if len(r.pending) > 0 {
		r.pending = append(r.pending, p)
		return
	}
	r.push(p)
}

// learn records what an unambiguous slash date says about the order.
func (r *dateResolver) learn(d localDate, raw string, line int) {
	o := orderMD
	if d.kind == dateSlashDM {
		o = orderDM
	}
	switch {
	case r.order == orderUnknown:
		r.order = o
		r.release()
	case r.order != o && r.guessed:
		r.w.atLine(line, event.KindAmbiguousDate, fmt.Sprintf("date %q shows the file uses %s, not the %s assumed earlier: times of the earlier ambiguous events may be wrong", raw, o, r.order))
		r.order, r.guessed = o, false
	case r.order != o && !r.warnedMix:
		r.warnedMix = true
		r.w.atLine(line, event.KindAmbiguousDate, fmt.Sprintf("date %q is %s but earlier dates were %s: the file mixes cultures; ambiguous dates are read as %s", raw, o, r.order, r.order))
	}
}

// guess decides the order without evidence and warns once.
func (r *dateResolver) guess() {
	r.order, r.guessed = orderDM, true
	first := r.pending[0]
	for _, p := range r.pending {
		if p.ok && p.d.kind == dateSlashAny {
			first = p
			break
		}
	}
	if first.d.hasAMP {
		r.order = orderMD
	}
	why := "24-hour clock suggests a day-first culture"
	if r.order == orderMD {
		why = "12-hour clock suggests en-US"
	}
	r.w.atLine(first.line, event.KindAmbiguousDate, fmt.Sprintf("cannot tell month/day order: all %d dates so far have day and month <= 12; assumed %s (%s)", r.ambiguousN, r.order, why))
	r.release()
}

// release moves all pending events to ready in order.
func (r *dateResolver) release() {
	for _, p := range r.pending {
		r.push(p)
	}
	clear(r.pending)
	r.pending = r.pending[:0]
}

func (r *dateResolver) push(p pendingEvent) {
	if p.ok {
		if p.d.kind == dateZoned {
			p.ev.Time = p.d.exact.UTC()
			_, off := p.d.exact.Zone()
			p.ev.TZOffset = int32(off)
		} else if t, err := p.d.naive(r.order); err == nil {
			p.ev.Time = t
			p.ev.Fields = append(p.ev.Fields, event.Field{Name: FieldTimeZone, Value: event.ZoneUnknown})
		} else {
			r.w.atLine(p.line, event.KindBadTime, err.Error())
		}
	}
	r.ready = append(r.ready, p.ev)
}

// finish decides the order at end of input.
func (r *dateResolver) finish() {
	if len(r.pending) > 0 {
		r.guess()
	}
}

// pop returns the next ready event, or nil.
func (r *dateResolver) pop() *event.Event {
	if r.readyHead >= len(r.ready) {
		return nil
	}
	ev := r.ready[r.readyHead]
	r.ready[r.readyHead] = nil
	r.readyHead++
	if r.readyHead == len(r.ready) {
		r.ready, r.readyHead = r.ready[:0], 0
	}
	return ev
}

// pushExact queues an event whose time is already set (or absent).
func (r *dateResolver) pushExact(ev *event.Event) {
	if len(r.pending) > 0 {
		r.pending = append(r.pending, pendingEvent{ev: ev, ok: false})
		return
	}
	r.ready = append(r.ready, ev)
}
