package report

import (
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		1500 * time.Millisecond:         "1.5s",
		7 * time.Minute:                 "7m",
		7*time.Minute + 5*time.Second:   "7m05s",
		26 * time.Hour:                  "26h",
		11*time.Hour + 27*time.Minute:   "11h27m",
		-(3*time.Hour + 59*time.Minute): "3h59m",
		74 * time.Hour:                  "3d 2h",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
