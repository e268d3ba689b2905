package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// buildUnknownErrors is a healthy connector that also logs three kinds of
// error no library pattern knows, each with variable parts (display
// names, GUIDs, e-mail addresses, host names, IP addresses, numbers), so
// that the unmatched-message templates and `exlog patterns suggest` can
// be checked against known counts.
func buildUnknownErrors() Output {
	from := time.Date(2023, 11, 23, 0, 0, 0, 0, time.UTC)
	org := problemOrg(15, from)
	sim := newSim(1501, org, "b")
	sim.startup(from, 4410)
	logs := sim.run(Plan{From: from.Add(time.Minute), To: from.Add(2 * 24 * time.Hour), PollEvery: 5 * time.Minute,
		FullAt: 2*time.Hour + 30*time.Minute, QuickEvery: 4 * time.Hour, QuickPhase: 20 * time.Minute})
	rng := rand.New(rand.NewPCG(1502, 1))
	guid := func() string {
		var b [16]byte
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	}
	user := func() *User { return org.Users[rng.IntN(len(org.Users))] }
	cas := strings.ToLower(org.CAS) + "." + org.Domain
	type tmpl struct {
		typ, template string
		n             int
		msg           func() string
	}
	tmpls := []tmpl{
		{Error, `Could not refresh the mailbox cache for "<name>" (<guid>): the cache file is locked by process <n>`, 7, func() string {
			u := user()
			return fmt.Sprintf(`Could not refresh the mailbox cache for "%s" (%s): the cache file is locked by process %d`, u.Display, guid(), 1000+rng.IntN(9000))
		}},
		{Warning, "Policy evaluation for <email> on <host> took <n> ms (budget <n> ms)", 5, func() string {
			return fmt.Sprintf("Policy evaluation for %s on %s took %d ms (budget 2000 ms)", user().PrimarySMTP, cas, 2001+rng.IntN(5000))
		}},
		{Error, "Checkpoint store at <ip> rejected checkpoint <n>; retrying in <n> s", 3, func() string {
			return fmt.Sprintf("Checkpoint store at 10.20.30.%d:8443 rejected checkpoint %d; retrying in %d s", 10+rng.IntN(5), 100000+rng.IntN(900000), 5+rng.IntN(55))
		}},
	}
	var find []string
	for ti, tm := range tmpls {
		for i := 0; i < tm.n; i++ {
			t := from.Add(time.Duration(3+ti*7+i*5) * time.Hour).Add(time.Duration(rng.IntN(3000)) * time.Second)
			sim.emit(t, tm.typ, "", 0, PayloadText, tm.msg())
		}
		find = append(find, fmt.Sprintf("  - %s ×%d: `%s`", strings.ToLower(tm.typ), tm.n, tm.template))
	}
	const quota = 200000
	lf, kept, _ := logsOf(sim.records(), quota)
	files := append(lf, configFiles("Verbose ActivityTracing", quota)...)
	facts := traceFacts(kept) + fmt.Sprintf("- %d sync sessions, all completed\n- three invented messages no library pattern knows: %d, %d and %d records\n",
		len(logs), tmpls[0].n, tmpls[1].n, tmpls[2].n)
	return Output{Zip: files, README: readme("unknown-errors",
		"Two healthy days (daily full sync, quick syncs every 4 h) of a connector that also logs three kinds of error no pattern in the library knows. Each kind varies in its details — display names (some with apostrophes and accents), GUIDs, e-mail addresses, the CAS host name, IP addresses with ports, numbers — so that grouping them into templates can be checked, and `exlog patterns suggest` turned into patterns that match them.",
		files, nil, facts,
		"- no finding at warning or above: all syncs completed\n- unmatched messages: exactly 3 templates with these counts\n"+strings.Join(find, "\n"),
		"- any library finding (the three messages are unknown to it); any other unmatched template",
		"- all three messages are invented; quick-sync wording (variant \"b\")"),
	}
}
