package eventlog

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"exlog/event"
)

// ZoneHeader starts the time-zone file collect-script writes next to the
// event-log exports (collect.TimeZoneFile).
const ZoneHeader = "# exlog-collect time zone"

// ZoneFile is collect-script's record of the machine's time zone:
//
//	# exlog-collect time zone ...
//	ComputerName: CMB-EXC01
//	CollectedUtc: 2023-03-20T09:15:02Z
//	TimeZoneId: W. Europe Standard Time
//	SupportsDaylightSavingTime: True
//	UtcOffset: +01:00
//	OffsetFrom: 2023-03-05T00:00:00Z +01:00
//	OffsetFrom: 2023-03-26T01:00:00Z +02:00
//
// OffsetFrom lines give the zone's UTC offset from that UTC instant on,
// for the days whose events were exported (daylight saving included).
type ZoneFile struct {
	Path      string
	Computer  string
	ZoneID    string
	Collected time.Time
	Offset    time.Duration // at collection
	HasOffset bool
	DST       bool
	Periods   []ZonePeriod // ascending by From
}

// ZonePeriod is a stretch of constant UTC offset.
type ZonePeriod struct {
	From   time.Time // UTC
	Offset time.Duration
}

// DetectZoneFile reports whether head is collect-script's time-zone file.
func DetectZoneFile(head []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n"), []byte(ZoneHeader))
}

// ReadZoneFile reads a time-zone file; unreadable lines are warnings.
func ReadZoneFile(r io.Reader, path string, warn func(event.ReadWarning)) (*ZoneFile, error) {
	w := warner{path: path, fn: warn}
	z := &ZoneFile{Path: path}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		val = strings.TrimSpace(val)
		if !ok {
			w.atLine(n, event.KindGarbage, fmt.Sprintf("line without \"Key: value\" ignored: %q", clip(line, 80)))
			continue
		}
		var err error
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "computername":
			z.Computer = val
		case "timezoneid":
			z.ZoneID = val
		case "supportsdaylightsavingtime":
			z.DST = strings.EqualFold(val, "true")
		case "collectedutc":
			z.Collected, err = time.Parse(time.RFC3339, val)
		case "utcoffset":
			z.Offset, err = ParseOffset(val)
			z.HasOffset = err == nil
		case "offsetfrom":
			from, off, _ := strings.Cut(val, " ")
			var p ZonePeriod
			if p.From, err = time.Parse(time.RFC3339, from); err == nil {
				p.Offset, err = ParseOffset(off)
			}
			if err == nil {
				z.Periods = append(z.Periods, p)
			}
		}
		if err != nil {
			w.atLine(n, event.KindBadField, fmt.Sprintf("%s: %v", strings.TrimSpace(key), err))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(z.Periods, func(i, j int) bool { return z.Periods[i].From.Before(z.Periods[j].From) })
	if !z.HasOffset && len(z.Periods) == 0 {
		w.atLine(1, event.KindMissingSetting, "no UtcOffset or OffsetFrom line: the file says nothing about the zone")
	}
	return z, nil
}

// ParseOffset reads "+01:00", "-08:00", "+0530" or "Z".
func ParseOffset(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "Z" || s == "+00:00" || s == "-00:00" {
		return 0, nil
	}
	t, err := time.Parse("-07:00", s)
	if err != nil {
		if t, err = time.Parse("-0700", s); err != nil {
			return 0, fmt.Errorf("bad UTC offset %q", s)
		}
	}
	_, off := t.Zone()
	return time.Duration(off) * time.Second, nil
}

// OffsetAt returns the UTC offset in force at a local wall-clock time
// (held UTC-naive). Without OffsetFrom lines it is the offset at
// collection, and exact is false when the zone observes daylight saving
// time (the offset may have differed then).
func (z *ZoneFile) OffsetAt(local time.Time) (off time.Duration, exact, ok bool) {
	for i := len(z.Periods) - 1; i >= 0; i-- {
		p := z.Periods[i]
		if utc := local.Add(-p.Offset); !utc.Before(p.From) {
			return p.Offset, true, true
		}
	}
	if len(z.Periods) > 0 {
		return z.Periods[0].Offset, false, true // before the first line: the earliest known
	}
	return z.Offset, !z.DST, z.HasOffset
}

// FormatOffset writes an offset as "+01:00".
func FormatOffset(d time.Duration) string {
	sign := '+'
	if d < 0 {
		sign, d = '-', -d
	}
	return fmt.Sprintf("%c%02d:%02d", sign, int(d/time.Hour), int(d%time.Hour/time.Minute))
}
