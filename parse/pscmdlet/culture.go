package pscmdlet

import (
	"strconv"
	"strings"
	"time"
)

// Culture is what can be learnt about the date format of one export.
// Format-List and CSV write dates in the exporting machine's culture:
// en-US "11/24/2026 3:15:22 PM", de-DE "24.11.2026 15:15:22", fr-FR/en-GB
// "24/11/2026 15:15:22", ISO "2026-11-24T15:15:22". Only the slash (and
// dash with year last) forms are ambiguous between month-first and
// day-first; a Culture decides that from dates where one component is
// greater than 12.
//
// Build one per file with DetectCulture or by calling Observe for every
// date value, then parse with ParseTime or Record.Time. A Culture is not
// safe for concurrent Observe calls.
type Culture struct {
	// DayFirst: ambiguous slash dates are d/M (en-GB, fr-FR) rather than
	// M/d (en-US). Meaningful only when Ambiguous is false.
	DayFirst bool
	// Ambiguous: no observed date decided the order (or the dates
	// disagreed). DayFirst is then false (the en-US default) and every
	// ambiguous date parsed with this Culture is reported as ambiguous.
	Ambiguous bool
	// DayFirstVotes and MonthFirstVotes count the dates that proved one
	// order (a first resp. second component greater than 12).
	DayFirstVotes, MonthFirstVotes int
	// Dates counts the observed values that parsed as dates; SlashDates,
	// DottedDates and YearFirstDates count them by form ("11/24/2026" or
	// "24-11-2026", "24.11.2026", "2026-11-24").
	Dates, SlashDates, DottedDates, YearFirstDates int
}

// DetectCulture decides the date order from sample values; values that
// are not dates are ignored.
func DetectCulture(samples []string) *Culture {
	c := &Culture{Ambiguous: true}
	for _, s := range samples {
		c.Observe(s)
	}
	return c
}

// Observe feeds one value (anything; non-dates are ignored) and updates
// the decision.
func (c *Culture) Observe(s string) {
	d, ok := scanDate(s)
	if !ok {
		return
	}
	c.Dates++
	switch d.order {
	case orderYMD:
		c.YearFirstDates++
	case orderDMY:
		c.DottedDates++
	case orderSlash:
		c.SlashDates++
	}
	if d.order == orderSlash {
		switch {
		case d.a > 12 && d.b <= 12:
			c.DayFirstVotes++
		case d.b > 12 && d.a <= 12:
			c.MonthFirstVotes++
		}
	}
	c.DayFirst = c.DayFirstVotes > c.MonthFirstVotes
	c.Ambiguous = c.DayFirstVotes == c.MonthFirstVotes || (c.DayFirstVotes > 0 && c.MonthFirstVotes > 0)
}

// String describes the decision for reports: "d/M", "M/d", "M/d
// (ambiguous)" when slash dates were seen; otherwise "d.M.y" or "y-M-d"
// (unambiguous forms), or "unknown" when no date was seen.
func (c *Culture) String() string {
	if c == nil {
		return "unknown"
	}
	if c.SlashDates == 0 {
		switch {
		case c.DottedDates > 0:
			return "d.M.y"
		case c.YearFirstDates > 0:
			return "y-M-d"
		}
		return "unknown"
	}
	o := "M/d"
	if c.DayFirst {
		o = "d/M"
	}
	if c.Ambiguous {
		o += " (ambiguous)"
	}
	return o
}

// Time parses the named property as a date (see ParseTime).
func (r *Record) Time(name string, c *Culture) (t time.Time, ambiguous bool, ok bool) {
	v, found := r.Get(name)
	if !found || v.Null || v.Unknown || v.IsList {
		return time.Time{}, false, false
	}
	return ParseTime(v.Raw, c)
}

// ParseTime parses an exported date.
//
// Dates with a zone (CliXML DT "2026-11-24T15:15:22.1234567+01:00", or
// "…Z") are returned in UTC. Dates without a zone are the local time of
// the exporting machine, whose zone is unknown: they are returned with
// their wall-clock fields unchanged in the time.UTC location ("UTC-naive").
// DateTime.MinValue ("1/1/0001 12:00:00 AM", meaning never) comes back as
// the zero time.Time with ok true.
//
// ambiguous is true when the value could be read both as M/d and d/M
// (both components ≤ 12 and different) and c does not decide (c nil or
// c.Ambiguous); the value is then read month-first. ok is false when s is
// not a date.
func ParseTime(s string, c *Culture) (t time.Time, ambiguous bool, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false, false
	}
	if len(s) >= 20 && s[4] == '-' && (s[10] == 'T' || s[10] == ' ') {
		if t, err := time.Parse(time.RFC3339Nano, strings.Replace(s, " ", "T", 1)); err == nil {
			return t.UTC(), false, true
		}
	}
	d, ok := scanDate(s)
	if !ok {
		return time.Time{}, false, false
	}
	var year, month, day int
	switch d.order {
	case orderYMD:
		year, month, day = d.a, d.b, d.c
	case orderDMY:
		year, month, day = d.c, d.b, d.a
	case orderSlash:
		year = d.c
		switch {
		case d.a > 12:
			day, month = d.a, d.b
		case d.b > 12:
			month, day = d.a, d.b
		default:
			dayFirst := c != nil && !c.Ambiguous && c.DayFirst
			if dayFirst {
				day, month = d.a, d.b
			} else {
				month, day = d.a, d.b
			}
			ambiguous = d.a != d.b && (c == nil || c.Ambiguous)
		}
	}
	if year < 100 && d.shortYear {
		year += 2000
	}
	t = time.Date(year, time.Month(month), day, d.hour, d.min, d.sec, d.nsec, time.UTC)
	if t.Year() != year || int(t.Month()) != month || t.Day() != day {
		return time.Time{}, false, false
	}
	return t, ambiguous, true
}

type dateOrder uint8

const (
	orderYMD   dateOrder = iota + 1 // 2026-11-24, 2026/11/24
	orderDMY                        // 24.11.2026
	orderSlash                      // 11/24/2026 or 24/11/2026, also 24-11-2026
)

type scannedDate struct {
	order                dateOrder
	a, b, c              int // the three date components in written order
	shortYear            bool
	hour, min, sec, nsec int
}

// scanDate reads "<n><sep><n><sep><n>[ <h>:<mm>[:<ss>[.<frac>]][ AM|PM]]"
// with sep one of / . - and an optional "T" before the time. It does not
// validate calendar ranges (ParseTime does).
func scanDate(s string) (scannedDate, bool) {
	var d scannedDate
	s = strings.TrimSpace(s)
	num := func() (int, int, bool) { // value, digits
		i := 0
		for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 {
			return 0, 0, false
		}
		n, _ := strconv.Atoi(s[:i])
		s = s[i:]
		return n, i, true
	}
	a, da, ok := num()
	if !ok || len(s) == 0 {
		return d, false
	}
	sep := s[0]
	if sep != '/' && sep != '.' && sep != '-' {
		return d, false
	}
	s = s[1:]
	b, db, ok := num()
	if !ok || len(s) == 0 || s[0] != sep || db > 2 {
		return d, false
	}
	s = s[1:]
	c, dc, ok := num()
	if !ok {
		return d, false
	}
	switch {
	case da == 4 && dc <= 2:
		d.order = orderYMD
	case da <= 2 && (dc == 4 || dc == 2):
		d.shortYear = dc == 2
		if sep == '.' {
			d.order = orderDMY
		} else {
			d.order = orderSlash
		}
	default:
		return d, false
	}
	d.a, d.b, d.c = a, b, c
	if sep == '.' && len(s) > 0 && s[0] == '.' { // "24.11.2026." (some cultures)
		s = s[1:]
	}
	if len(s) == 0 {
		return d, true
	}
	if s[0] != ' ' && s[0] != 'T' {
		return d, false
	}
	s = strings.TrimLeft(s[1:], " ")
	h, dh, ok := num()
	if !ok || dh > 2 || len(s) == 0 || s[0] != ':' {
		return d, false
	}
	s = s[1:]
	m, dm, ok := num()
	if !ok || dm != 2 {
		return d, false
	}
	sec := 0
	if len(s) > 0 && s[0] == ':' {
		s = s[1:]
		var ds int
		sec, ds, ok = num()
		if !ok || ds != 2 {
			return d, false
		}
		if len(s) > 0 && (s[0] == '.' || s[0] == ',') {
			s = s[1:]
			f, df, ok := num()
			if !ok {
				return d, false
			}
			for ; df < 9; df++ {
				f *= 10
			}
			d.nsec = f
		}
	}
	rest := strings.ToUpper(strings.TrimSpace(s))
	rest = strings.ReplaceAll(rest, ".", "")
	switch rest {
	case "":
	case "AM":
		if h == 12 {
			h = 0
		}
	case "PM":
		if h < 12 {
			h += 12
		}
	default:
		return d, false
	}
	if h > 23 || m > 59 || sec > 60 {
		return d, false
	}
	if sec == 60 {
		sec = 59
	}
	d.hour, d.min, d.sec = h, m, sec
	return d, true
}

// ObserveDates feeds every scalar value of r to c.Observe (values that are
// not dates are ignored), so a Culture can be learnt from whole records.
func (r *Record) ObserveDates(c *Culture) {
	for i := range r.Props {
		v := &r.Props[i].Value
		if v.IsList || v.Null || v.Unknown || len(v.Raw) < 6 || v.Raw[0] < '0' || v.Raw[0] > '9' {
			continue
		}
		c.Observe(v.Raw)
	}
}
