package pscmdlet

import (
	"testing"
	"time"
)

func TestDetectCulture(t *testing.T) {
	for _, c := range []struct {
		name      string
		samples   []string
		dayFirst  bool
		ambiguous bool
	}{
		{"en-US", []string{"3/2/2026 9:41:07 AM", "11/24/2026 3:15:22 PM", "not a date", "ApplF17XK2M0JC69"}, false, false},
		{"en-GB", []string{"03/02/2026 09:41:07", "24/11/2026 15:15:22"}, true, false},
		{"fr-FR", []string{"24/11/2026 15:15:22"}, true, false},
		{"only ambiguous", []string{"3/2/2026 9:41:07 AM", "10/2/2026 8:01:44 AM"}, false, true},
		{"de-DE never ambiguous for slashes", []string{"24.11.2026 15:15:22"}, false, true},
		{"contradicting", []string{"24/11/2026 15:15:22", "11/24/2026 3:15:22 PM"}, false, true},
		{"none", nil, false, true},
	} {
		cu := DetectCulture(c.samples)
		if cu.DayFirst != c.dayFirst || cu.Ambiguous != c.ambiguous {
			t.Errorf("%s: DayFirst=%v Ambiguous=%v (%s), want %v %v", c.name, cu.DayFirst, cu.Ambiguous, cu, c.dayFirst, c.ambiguous)
		}
	}
}

func TestParseTime(t *testing.T) {
	us := DetectCulture([]string{"11/24/2026 3:15:22 PM"})
	gb := DetectCulture([]string{"24/11/2026 15:15:22"})
	amb := DetectCulture(nil)
	d := func(y, mo, dd, h, mi, s, ns int) time.Time {
		return time.Date(y, time.Month(mo), dd, h, mi, s, ns, time.UTC)
	}
	for _, c := range []struct {
		in        string
		cu        *Culture
		want      time.Time
		ambiguous bool
		ok        bool
	}{
		{"11/24/2026 3:15:22 PM", nil, d(2026, 11, 24, 15, 15, 22, 0), false, true},
		{"3/2/2026 9:41:07 AM", us, d(2026, 3, 2, 9, 41, 7, 0), false, true},
		{"3/2/2026 9:41:07 AM", gb, d(2026, 2, 3, 9, 41, 7, 0), false, true},
		{"3/2/2026 9:41:07 AM", amb, d(2026, 3, 2, 9, 41, 7, 0), true, true},
		{"3/2/2026 9:41:07 AM", nil, d(2026, 3, 2, 9, 41, 7, 0), true, true},
		{"2/2/2026 12:00:01 AM", nil, d(2026, 2, 2, 0, 0, 1, 0), false, true},
		{"2/2/2026 12:30:00 PM", nil, d(2026, 2, 2, 12, 30, 0, 0), false, true},
		{"24.11.2026 15:15:22", nil, d(2026, 11, 24, 15, 15, 22, 0), false, true},
		{"24.11.2026", nil, d(2026, 11, 24, 0, 0, 0, 0), false, true},
		{"2026-11-24T15:15:22", nil, d(2026, 11, 24, 15, 15, 22, 0), false, true},
		{"2026-11-24T15:15:22.1234567+01:00", nil, d(2026, 11, 24, 14, 15, 22, 123456700), false, true},
		{"2026-11-24T15:15:22.441Z", amb, d(2026, 11, 24, 15, 15, 22, 441000000), false, true},
		{"2026/11/24 15:15", nil, d(2026, 11, 24, 15, 15, 0, 0), false, true},
		{"1/1/0001 12:00:00 AM", nil, time.Time{}, false, true},
		{"2/30/2026 1:00:00 PM", nil, time.Time{}, false, false},
		{"13/13/2026", nil, time.Time{}, false, false},
		{"11/24/2026 25:00:00", nil, time.Time{}, false, false},
		{"11/24/2026 3:15:22 XM", nil, time.Time{}, false, false},
		{"", nil, time.Time{}, false, false},
		{"540", nil, time.Time{}, false, false},
		{"6f1b2e0c-3d44-4a8e-9d1a-2b7c5e9f0a11", nil, time.Time{}, false, false},
	} {
		got, amb, ok := ParseTime(c.in, c.cu)
		if !got.Equal(c.want) || amb != c.ambiguous || ok != c.ok || (ok && got.Location() != time.UTC) {
			t.Errorf("ParseTime(%q, %s) = %v,%v,%v want %v,%v,%v", c.in, c.cu, got, amb, ok, c.want, c.ambiguous, c.ok)
		}
	}
}

func TestCultureString(t *testing.T) {
	for want, samples := range map[string][]string{
		"M/d":             {"11/24/2026 3:15:22 PM"},
		"d/M":             {"24/11/2026 15:15:22"},
		"M/d (ambiguous)": {"3/2/2026 9:41:07 AM", "24.11.2026 15:15:22"},
		"d.M.y":           {"24.11.2026 15:15:22", "02.03.2026 09:41:07"},
		"y-M-d":           {"2026-11-24T15:15:22"},
		"unknown":         {"ApplF17XK2M0JC69"},
	} {
		if got := DetectCulture(samples).String(); got != want {
			t.Errorf("%q → %q, want %q", samples, got, want)
		}
	}
}
