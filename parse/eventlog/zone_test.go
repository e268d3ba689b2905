package eventlog

import (
	"strings"
	"testing"
	"time"
)

func TestZoneFile(t *testing.T) {
	src := "# exlog-collect time zone (event-log text and CSV exports of this machine carry this local time)\r\n" +
		"ComputerName: CMB-EXC01\r\nCollectedUtc: 2023-11-01T09:00:00Z\r\nTimeZoneId: W. Europe Standard Time\r\nSupportsDaylightSavingTime: True\r\n" +
		"UtcOffset: +01:00\r\nOffsetFrom: 2023-10-20T00:00:00Z +02:00\r\nOffsetFrom: 2023-10-29T01:00:00Z +01:00\r\nOffsetFrom: nonsense\r\n"
	if !DetectZoneFile([]byte(src)) || DetectZoneFile([]byte("Log Name: System")) {
		t.Fatal("DetectZoneFile")
	}
	var w warnings
	z, err := ReadZoneFile(strings.NewReader(src), "TimeZone.txt", w.add)
	if err != nil {
		t.Fatal(err)
	}
	if z.Computer != "CMB-EXC01" || z.ZoneID != "W. Europe Standard Time" || !z.DST || z.Offset != time.Hour || len(z.Periods) != 2 {
		t.Errorf("%+v", z)
	}
	if len(w) != 1 || w[0].Origin.Line != 9 {
		t.Errorf("warnings %v, want one for the bad OffsetFrom line 9", w)
	}
	for _, c := range []struct {
		local string
		off   time.Duration
		exact bool
	}{
		{"2023-10-28T12:00:00", 2 * time.Hour, true},  // CEST
		{"2023-10-29T01:30:00", 2 * time.Hour, true},  // 23:30Z, before the change at 01:00Z (02:00-03:00 local is ambiguous)
		{"2023-10-29T12:00:00", 1 * time.Hour, true},  // CET
		{"2023-10-01T12:00:00", 2 * time.Hour, false}, // before the first line: earliest known, not exact
	} {
		l, _ := time.Parse("2006-01-02T15:04:05", c.local)
		off, exact, ok := z.OffsetAt(l)
		if !ok || off != c.off || exact != c.exact {
			t.Errorf("%s: %v %v %v, want %v %v", c.local, off, exact, ok, c.off, c.exact)
		}
	}
	for s, want := range map[string]time.Duration{"+05:30": 330 * time.Minute, "-08:00": -8 * time.Hour, "Z": 0, "+0545": 345 * time.Minute} {
		if d, err := ParseOffset(s); err != nil || d != want {
			t.Errorf("ParseOffset(%q) = %v %v", s, d, err)
		}
	}
	if FormatOffset(-330*time.Minute) != "-05:30" || FormatOffset(0) != "+00:00" {
		t.Error("FormatOffset")
	}
}
