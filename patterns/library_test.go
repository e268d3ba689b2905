package patterns

import (
	"strings"
	"testing"

	"exlog/event"
)

// Ids the design requires the library to provide as text patterns.
var requiredIDs = []string{
	"setup.exchange-unreachable", "setup.not-global-admin", "setup.intune-unreachable", "setup.bad-request",
	"setup.version-not-supported", "service.logon-failure", "service.logon-right-missing",
	"command.get-next-exception", "notify.autodiscover-failed", "notify.send-failed",
	"exchange.remote-powershell-failed", "exchange.access-denied", "exchange.throttled",
	"network.proxy-auth", "network.tls", "network.dns", "network.unreachable", "intune.unauthorized",
	"sync.exchange-unhealthy",
}

var allowedDocs = map[string]bool{
	"https://learn.microsoft.com/en-us/troubleshoot/mem/intune/device-protection/troubleshoot-exchange-connector": true,
	"https://learn.microsoft.com/en-us/mem/intune/protect/exchange-connector-install":                             true,
	// "Resolve common errors for the Intune Exchange Connector" (0x… codes, SCM 7000/7041)
	"https://learn.microsoft.com/en-us/troubleshoot/mem/intune/device-protection/troubleshoot-exchange-connector-common-errors": true,
	// KB4342995: "The Exchange Connector version is not supported" with the original connector installed
	"https://support.microsoft.com/help/4342995": true,
	// "Network endpoints for Microsoft Intune": unauthenticated proxy access to manage.microsoft.com
	"https://learn.microsoft.com/en-us/mem/intune/fundamentals/intune-endpoints": true,
}

func TestLibrary(t *testing.T) {
	l, err := Load()
	if err != nil {
		t.Fatalf("library does not load:\n%v", err)
	}
	for _, w := range l.Warnings() {
		t.Errorf("library lint: %s", w.Long())
	}
	for _, id := range requiredIDs {
		if l.Pattern(id) == nil {
			t.Errorf("library lacks %s", id)
		}
	}
	results := l.Test()
	byID := map[string][2]int{}
	for _, r := range results {
		if !r.Passed() {
			t.Errorf("%s", r)
		}
		c := byID[r.PatternID]
		if r.Want {
			c[0]++
		} else {
			c[1]++
		}
		byID[r.PatternID] = c
	}
	for _, p := range l.Patterns() {
		if !p.Builtin || !strings.HasPrefix(p.File, "library/") {
			t.Errorf("%s: not marked as library pattern (%s)", p.ID, p.File)
		}
		if c := byID[p.ID]; c[0] < 1 || c[1] < 1 {
			t.Errorf("%s: needs at least one match and one nomatch example, has %d and %d", p.ID, c[0], c[1])
		}
		if !allowedDocs[p.Docs] {
			t.Errorf("%s: docs %q is not one of the Microsoft pages we cite", p.ID, p.Docs)
		}
		if p.Title == "" || p.Remedy == "" || p.Severity == 0 || len(p.Tags) == 0 {
			t.Errorf("%s: title, remedy, severity and tags are required", p.ID)
		}
		if cat := strings.SplitN(p.ID, ".", 2)[0]; p.Category != cat {
			t.Errorf("%s: category %q", p.ID, p.Category)
		}
	}
}

// A Verbose "no pending command" poll must never count as a Get next
// command exception, whatever else it says.
func TestGetNextCommandVerbosePollNeverMatches(t *testing.T) {
	l, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	m := l.NewMatcher()
	for _, msg := range []string{
		"Get next command: no pending command.",
		"Get next command",
		"GetNextCommand: no command",
		"Get next command: No pending commands (exception count 0)",
		"Get next command returned no new command",
	} {
		m.Observe(ev(0, event.Verbose, msg))
	}
	fs, _ := m.Finish(win(0, 0))
	for _, f := range fs {
		t.Errorf("verbose poll produced %s: %s", f.ID, f.Evidence[0].Text)
	}
}
