package session

import (
	"strings"
	"testing"

	"exlog/event"
)

func TestFindMarker(t *testing.T) {
	cases := []struct {
		msg  string
		kind syncKind
	}{
		{"Handling command: Getting the mobile device list without a time filter (full sync) for 5 users", kindFull},
		{"... (FULL SYNC) ...", kindFull},
		{"(quick sync)", kindQuick},
		{"x (Quick Sync) of 3 users", kindQuick},
		{"x (delta sync) y", kindQuick},
		{"x ( full sync ) y", kindFull},
		{"x (quick-sync) y", kindQuick},
		{"f(x) and (g) then (full sync)", kindFull},
		{"full sync without parentheses", kindNone},
		{"(full synchronization)", kindNone},
		{"(fullsync", kindNone},
		{"(sync)", kindNone},
		{"(async)", kindNone},
		{"(resync)", kindNone},
		{"sync)", kindNone},
		{")", kindNone},
		{"", kindNone},
		{"(full sync", kindNone},
		{"careful sync)", kindNone},
	}
	for _, c := range cases {
		if k, _ := findMarker(c.msg); k != c.kind {
			t.Errorf("findMarker(%q) = %v, want %v", c.msg, k, c.kind)
		}
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		msg  string
		typ  event.Type
		want verdict
	}{
		{fullStartText(5), event.Information, startExplicit},
		{fullEndText(5, 1, "x", "cas", "Connected"), event.Information, endCompleted},
		{fullEndText(5, 1, "x", "cas", "Error"), event.Information, endCompleted}, // health is in the details
		{"x (full sync) for 5 users failed: timeout", event.Information, endFailed},
		{"Exception while running (quick sync)", event.Warning, endFailed},
		{"(quick sync) of 3 users", event.Error, endFailed},
		{"(quick sync) of 3 users completed successfully", event.Error, endCompleted},
		{"(quick sync) of 3 users finished", event.Verbose, endCompleted},
		{"Getting the mobile device list with a time filter (quick sync) for 5 users", event.Verbose, startImplicit},
		{"handling COMMAND: (quick sync)", event.Start, startExplicit},
		{"(full sync) was aborted", event.Information, endFailed},
		{"Getting the mobile device list (full sync) for 5 users. Details: System.InvalidOperationException: x", event.Information, endFailed},
		{"Getting the mobile device list (full sync) for 5 users. Details: Errors: 0, batches 3", event.Information, startImplicit},
		// Undocumented quick-sync ends (domain.md §4): tolerate the verbs.
		{"Delta inventory (quick sync) for 12 users done - 1 device partnership(s) reported to Intune, command 7c9e6679-7425-40de-944b-e07fc1f90ae7, elapsed 0:00:19", event.Information, endCompleted},
		{"Quick inventory (quick sync) complete: 3 devices", event.Information, endCompleted},
		{"(delta sync) ended after 40 s", event.Verbose, endCompleted},
		{"Mobile device list (quick sync) success for 12 users", event.Information, endCompleted},
		{"(quick sync) Done.", event.Information, endCompleted},
		{"(quick sync) successful", event.Information, endCompleted},
		// Not ends: failure words win, whole words only, progress lines.
		{"(quick sync) done with errors", event.Information, endFailed},
		{"(quick sync) incomplete: 3 of 12 users", event.Information, endFailed},
		{"(full sync) unsuccessful", event.Information, endFailed},
		{"(quick sync) for 12 users: extended attributes", event.Information, startImplicit},
		{"(full sync) progress: 3200/6400 users inventoried", event.Information, startImplicit},
		{"(full sync) progress: 3,200 of 6,400 users done", event.Information, startImplicit},
		{"Handling command: (quick sync) for abandoned users", event.Information, startExplicit},
	}
	for _, c := range cases {
		if got := classify(c.msg, c.typ); got != c.want {
			t.Errorf("classify(%q, %v) = %v, want %v", c.msg, c.typ, got, c.want)
		}
	}
}

func TestParseDetails(t *testing.T) {
	ip := func(n int) *int { return &n }
	cases := []struct {
		msg           string
		users, dev    *int
		cmd, health   string
		unhealthyFlag bool
	}{
		{msg: fullEndText(512, 1204, "9F3C2B1E-6A4D-4C1B-8E2F-1A2B3C4D5E6F", "cas01.contoso.com", "Connected"), users: ip(512), dev: ip(1204), cmd: "9f3c2b1e-6a4d-4c1b-8e2f-1a2b3c4d5e6f", health: "cas01.contoso.com: Connected"},
		{msg: "(full sync) for 1,234 users completed successfully. Details: Devices synced: 12,345", users: ip(1234), dev: ip(12345)},
		{msg: "(full sync) for 1.234 users", users: ip(1234)},
		{msg: "(full sync) for 1\u00a0234 users", users: ip(1234)},
		{msg: "(full sync) for 1\u202f234 users", users: ip(1234)},
		{msg: "Quick sync (quick sync) of 3 users", users: ip(3)},
		{msg: "(quick sync) for 1 user", users: ip(1)},
		{msg: "(quick sync) for superusers 3"},
		{msg: "(quick sync) for 12345678901 users"},
		{msg: "Details: Inventory command result - Devices synced: 7 Command ID: abc' Exchange health: 'Server health 'Name: 'PowerShellExchangeServer: <Name=cas01>' Status: Disconnected',' 'Server health 'Name: 'PowerShellExchangeServer: <Name=cas02>' Status: Connected','",
			dev: ip(7), cmd: "abc", health: "cas01: Disconnected; cas02: Connected", unhealthyFlag: true},
		{msg: "Details: blah 7c9e6679-7425-40de-944b-e07fc1f90ae7 end", cmd: "7c9e6679-7425-40de-944b-e07fc1f90ae7"},
		{msg: "Exchange health: Status: Connected", health: "Connected"},
		{msg: "Exchange health: Status:"},
	}
	for _, c := range cases {
		d := parseDetails(c.msg)
		if !eqIntPtr(d.users, c.users) || !eqIntPtr(d.devices, c.dev) || d.commandID != c.cmd || d.health != c.health || d.healthBad != c.unhealthyFlag {
			t.Errorf("parseDetails(%q) = users %v dev %v cmd %q health %q bad %v", c.msg, ptrStr(d.users), ptrStr(d.devices), d.commandID, d.health, d.healthBad)
		}
	}
}

func eqIntPtr(a, b *int) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func ptrStr(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestFoldHelpers(t *testing.T) {
	if indexFoldASCII("abc HANDLING Command:", "handling command") != 4 {
		t.Fatal("indexFoldASCII")
	}
	if indexFoldASCII("ab", "abc") != -1 || indexFoldASCII("", "a") != -1 {
		t.Fatal("indexFoldASCII short")
	}
	if got := truncate("héllo", 2); got != "h…" {
		t.Fatalf("truncate = %q", got)
	}
}

// TestExchangeHealthTrimmedStatus: a status preceded by white space that
// tokenUntil trims (a tab, a line break) or longer than the token bound
// must not move the scan past the end (FuzzObserve found
// "Exchange health Status000…" sliced out of range).
func TestExchangeHealthTrimmedStatus(t *testing.T) {
	for _, c := range []struct{ msg, want string }{
		{"Exchange health: Status:\tDisconnected, Name: EX2 Status: Connected", "Disconnected; EX2: Connected"},
		{"Exchange health Status" + strings.Repeat("0", 140), strings.Repeat("0", 128) + "…"},
	} {
		got, bad := exchangeHealth(c.msg)
		if !bad || got != c.want {
			t.Errorf("%.40q: got %q (bad %v), want %q", c.msg, got, bad, c.want)
		}
	}
}
