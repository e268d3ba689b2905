package words

import "testing"

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n         int
		one, many string
		want      string
	}{
		{0, "file", "", "0 files"},
		{1, "file", "", "1 file"},
		{2, "mailbox", "mailboxes", "2 mailboxes"},
		{7564, "record", "", "7,564 records"},
		{1234567, "record", "", "1,234,567 records"},
		{999, "full sync", "", "999 full syncs"},
		{-1200, "second", "", "-1,200 seconds"},
	} {
		if got := Count(c.n, c.one, c.many); got != c.want {
			t.Errorf("Count(%d, %q, %q) = %q, want %q", c.n, c.one, c.many, got, c.want)
		}
	}
	if got := Thousands(100); got != "100" {
		t.Errorf("Thousands(100) = %q", got)
	}
}
