package analyze

import (
	"fmt"
	"regexp"
	"strings"

	"exlog/patterns"
	"exlog/report"
)

// serviceStartFailures maps the findings of a failed start of the
// connector service to the SCM event that raises them (service.exlog).
var serviceStartFailures = map[string]uint32{
	"service.logon-failure":       7000,
	"service.logon-right-missing": 7041,
}

// scmRunning matches a 7036 message saying the service entered the
// running state: English ("entered the running state") and the state
// names of the German, French and Spanish SCM messages. The service names
// are checked apart (isConnectorSCM).
var scmRunning = regexp.MustCompile(`(?i)running state|\bwird ausgeführt\b|en cours d.exécution|en ejecución`)

// serviceRanAfter marks a connector-service start failure as resolved
// when, in every event-log export that holds it, a later record of the
// same export shows the connector service entering the running state
// (SCM 7036). The two records share the export's clock, so this holds
// whatever its zone, known or not. The finding's ResolvedBy says which
// record showed it.
func (a *run) serviceRanAfter(fs []report.Finding) {
	for i := range fs {
		f := &fs[i]
		id, ok := serviceStartFailures[f.ID]
		if !ok || !f.Ongoing {
			continue
		}
		var lastRun *evRef
		var lastIn *evlogInput
		held := 0
		resolved := true
		for _, el := range a.evlogs {
			var lastFail, run *evRef
			for _, i := range el.kept { // sorted by time
				r := &el.st.refs[i]
				if r.flags&refSCM == 0 {
					continue
				}
				switch {
				case r.id == id:
					lastFail, run = r, nil
				case r.id == 7036 && lastFail != nil && lastFail.before(r) && r.flags&refRunning != 0:
					if run == nil {
						run = r
					}
				}
			}
			if lastFail == nil {
				continue
			}
			held++
			if run == nil {
				resolved = false
				break
			}
			if lastRun == nil || lastRun.before(run) {
				lastRun, lastIn = run, el
			}
		}
		if held == 0 || !resolved {
			continue
		}
		f.Ongoing = false
		when := lastRun.time().UTC().Format("2006-01-02 15:04:05Z")
		if lastRun.local() {
			when = lastRun.time().Format("2006-01-02 15:04:05") + " local, zone unknown"
		}
		p := lastIn.in.rep.Path
		f.ResolvedBy = fmt.Sprintf("%s: service entered the running state (SCM 7036, %s, same clock as the failures)", when, p[strings.LastIndexAny(p, "/!")+1:])
	}
}

// remedy7000Account is the part of service.logon-failure's remedy
// (service.exlog) that stands for the account when event 7000 names none.
const remedy7000Account = `that account (services.msc > WIEC > Log On shows it; event 7000 does not name it, Microsoft's example is .\WIEC_USER)`

// serviceAccountFrom7041 names, in the remedy of a logon failure of the
// connector service (SCM 7000, which names no account), the account that
// a 7041 finding of the same bundle read for the same service (its key),
// marked as read from the 7041.
func serviceAccountFrom7041(fs []report.Finding) {
	var accounts []string
	seen := map[string]bool{}
	for _, f := range fs {
		if f.ID != "service.logon-right-missing" || f.Key == "" || f.Key == patterns.OtherKey || seen[strings.ToLower(f.Key)] {
			continue
		}
		seen[strings.ToLower(f.Key)] = true
		accounts = append(accounts, f.Key)
	}
	if len(accounts) == 0 {
		return
	}
	named := accounts[0] + " (the account SCM event 7041 names for this service in the same bundle; services.msc > WIEC > Log On shows the one in use)"
	if len(accounts) > 1 {
		named = "the account the service runs as: SCM event 7041 in the same bundle names " + strings.Join(accounts, ", ") + " (services.msc > WIEC > Log On shows the one in use)"
	}
	for i := range fs {
		f := &fs[i]
		if f.ID != "service.logon-failure" {
			continue
		}
		if strings.Contains(f.Remedy, remedy7000Account) {
			f.Remedy = strings.Replace(f.Remedy, remedy7000Account, named, 1)
		} else {
			f.Remedy += " SCM event 7041 in the same bundle names the service account: " + strings.Join(accounts, ", ") + "."
		}
	}
}
