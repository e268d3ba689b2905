package eventlog

import (
	"testing"
	"time"
)

func TestParseLocalDate(t *testing.T) {
	for _, tc := range []struct {
		in    string
		order dateOrder
		want  time.Time
		kind  dateKind
	}{
		{"11/24/2026 3:15:22 PM", orderUnknown, naive(2026, 11, 24, 15, 15, 22), dateSlashMD},
		{"11/24/2026 12:05:00 AM", orderUnknown, naive(2026, 11, 24, 0, 5, 0), dateSlashMD},
		{"24.11.2026 15:15:22", orderUnknown, naive(2026, 11, 24, 15, 15, 22), dateFixed},
		{"24/11/2026 15:15:22", orderUnknown, naive(2026, 11, 24, 15, 15, 22), dateSlashDM},
		{"05/11/2026 15:15:22", orderDM, naive(2026, 11, 5, 15, 15, 22), dateSlashAny},
		{"05/11/2026 15:15:22", orderMD, naive(2026, 5, 11, 15, 15, 22), dateSlashAny},
		{"07/07/2026 01:00", orderUnknown, naive(2026, 7, 7, 1, 0, 0), dateSlashSame},
		{"2026/11/24 15:15:22", orderUnknown, naive(2026, 11, 24, 15, 15, 22), dateFixed},
		{"24-11-2026 15:15:22", orderUnknown, naive(2026, 11, 24, 15, 15, 22), dateFixed},
		{"2026-11-24T15:15:22.123", orderUnknown, time.Date(2026, 11, 24, 15, 15, 22, 123000000, time.UTC), dateFixed},
		{"2026-11-24 15:15:22", orderUnknown, naive(2026, 11, 24, 15, 15, 22), dateFixed},
		// Event Viewer's bidi marks and ICU's narrow no-break space before PM
		{"\u200e11/\u200e24/\u200e2026 3:15:22\u202fPM", orderUnknown, naive(2026, 11, 24, 15, 15, 22), dateSlashMD},
		{"24.11.2026 15:15:22,5", orderUnknown, time.Date(2026, 11, 24, 15, 15, 22, 500000000, time.UTC), dateFixed},
	} {
		d, err := parseLocalDate(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		got, err := d.naive(tc.order)
		if err != nil || !got.Equal(tc.want) || d.kind != tc.kind {
			t.Errorf("%q (%v): got %v kind %d err %v, want %v kind %d", tc.in, tc.order, got, d.kind, err, tc.want, tc.kind)
		}
	}
	d, err := parseLocalDate("2026-11-24T15:15:22.1234567+01:00")
	if err != nil || d.kind != dateZoned || !d.exact.Equal(time.Date(2026, 11, 24, 14, 15, 22, 123456700, time.UTC)) {
		t.Errorf("zoned ISO: %+v %v", d, err)
	}
	for _, bad := range []string{"", "yesterday", "31/02/2026 10:00:00", "02/31/2026 10:00:00", "13/13/2026 1:00:00", "11/24/2026 13:00:00 PM", "11/24/2026 3:15:22 XM", "1/2/3", "24.11.2026 25:00:00", "11/24/2026 3:61:00"} {
		if _, err := parseLocalDate(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
