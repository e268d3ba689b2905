package unmatched

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"exlog/event"
)

func TestTemplatePlaceholders(t *testing.T) {
	cases := []struct{ msg, want string }{
		{"Remote PowerShell session to cas01.contoso.com was idle for 17 minutes and was recycled.",
			"Remote PowerShell session to <host> was idle for <n> minutes and was recycled."},
		{`Failed to persist the device state cache to C:\ProgramData\Microsoft\Windows Intune Exchange Connector\DeviceStateCache.xml (attempt 2 of 3): busy`,
			"Failed to persist the device state cache to <path> (attempt <n> of <n>): busy"},
		{"Device 3f2504e0-4f89-11d3-9a0c-0305e82c3301 of zoë.müller@contoso.com rejected by 10.0.4.17:443",
			"Device <guid> of <email> rejected by <ip>"},
		{"Mailbox 'Adele Vance' not found; the connector's cache can't be used",
			"Mailbox '<name>' not found; the connector's cache can't be used"},
		{`Policy "Default Policy" at https://mail.contoso.com/EWS/Exchange.asmx failed at 2026-11-20T04:47:00Z`,
			`Policy "<name>" at <url> failed at <time>`},
		{"CertEnroll failed: 0x80070002 (WIN32: 2)", "CertEnroll failed: 0x80070002 (WIN32: <n>)"},
		{"System.Net.WebException: boom\r\n   at System.Net.HttpWebRequest.GetResponse()", "System.Net.WebException: boom"},
		{"\r\n  thumbprint 9F3A1C44B5D6E7F8A9B0C1D2E3F4A5B6C7D8E9F0   ok", "thumbprint <hex> ok"},
	}
	for _, c := range cases {
		if got := Template(c.msg); got != c.want {
			t.Errorf("Template(%q)\n got %q\nwant %q", c.msg, got, c.want)
		}
	}
}

func TestRegexMatchesItsMessages(t *testing.T) {
	msgs := []string{
		"Remote PowerShell session to cas01.contoso.com was idle for 17 minutes and was recycled.",
		`Failed to persist the device state cache to C:\ProgramData\Microsoft\Windows Intune Exchange Connector\DeviceStateCache.xml (attempt 2 of 3): busy`,
		"Device 3f2504e0-4f89-11d3-9a0c-0305e82c3301 of zoë.müller@contoso.com rejected by 10.0.4.17:443",
		"Mailbox 'Adele Vance' not found (1.5 s)",
		`Policy "Default Policy" at https://mail.contoso.com/EWS/Exchange.asmx failed at 2026-11-20T04:47:00Z`,
		"A (strange) [message] with $ and ^ and * 42",
		`Cache for "Gabriela O'Brien" (fd261d00-1026-a6fb-b6e4-fd2b06f415b1) locked`,
		"Cache for 'Liam O'Brien' locked by 12",
	}
	for _, m := range msgs {
		re, err := regexp.Compile("(?i)" + Regex(Template(m)))
		if err != nil {
			t.Fatalf("%q: %v", m, err)
		}
		if !re.MatchString(m) {
			t.Errorf("regex %s does not match its own message %q", re, m)
		}
	}
	// and it does not match another template
	re := regexp.MustCompile("(?i)" + Regex(Template("Mailbox 'Adele Vance' not found")))
	if re.MatchString("Mailbox 'Adele Vance' was found") {
		t.Errorf("%s matches a different message", re)
	}
}

func TestCollectorCountsAndBounds(t *testing.T) {
	c := NewCollector()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	add := func(typ event.Type, msg string, off int64) {
		c.Add(&event.Event{Time: t0, Type: typ, Message: msg, Origin: event.Origin{Path: "b.zip!Connector0.log", Offset: off}})
	}
	for i := 0; i < 5; i++ {
		add(event.Error, fmt.Sprintf("Job %d failed for user%d@contoso.com", i, i), int64(100+i))
	}
	for i := 0; i < 3; i++ {
		add(event.Warning, fmt.Sprintf("Job %d failed for user%d@contoso.com", i, i), int64(200+i))
	}
	add(event.Information, "Job 1 failed for a@b.com", 300) // not wanted
	ts, sum := c.Finish()
	if len(ts) != 2 || sum.Events != 8 || sum.Templates != 2 || sum.Overflow != 0 {
		t.Fatalf("got %+v %+v", ts, sum)
	}
	if ts[0].Count != 5 || ts[0].Type != "error" || ts[0].Template != "Job <n> failed for <email>" ||
		ts[0].Example != "Job 0 failed for user0@contoso.com" || ts[0].Origin != "b.zip!Connector0.log@100" {
		t.Errorf("first template %+v", ts[0])
	}
	if ts[1].Count != 3 || ts[1].Type != "warning" {
		t.Errorf("second template %+v", ts[1])
	}

	c = NewCollector()
	for i := 0; i < MaxDistinct+50; i++ {
		add(event.Error, "distinct message "+strings.Repeat("x", i%200)+strings.Repeat("y", i/200), 0)
	}
	ts, sum = c.Finish()
	if len(ts) != MaxListed || sum.Templates != MaxDistinct || sum.Overflow != 50 || sum.Events != MaxDistinct+50 {
		t.Errorf("caps: listed %d, %+v", len(ts), sum)
	}
}

func BenchmarkTemplate(b *testing.B) {
	msg := `Failed to persist the device state cache to C:\ProgramData\Microsoft\Windows Intune Exchange Connector\DeviceStateCache.xml (attempt 2 of 3) for 3f2504e0-4f89-11d3-9a0c-0305e82c3301 on cas01.contoso.com`
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		Template(msg)
	}
}
