package inventory

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"

	"exlog/parse/pscmdlet"
	"exlog/report"
)

// Exchange versions the exports show.
//
// Two kinds of version field are read, and only these:
//   - AdminDisplayVersion of a server object (Get-ExchangeServer):
//     "Version 14.3 (Build 123.4)" names the product and service pack.
//   - ExchangeVersion of a mailbox or CAS mailbox object: the object's
//     version, "0.10 (14.0.100.0)" for Exchange 2010 objects and
//     "0.20 (15.0.0.0)" for Exchange 2013 and later; it names no service
//     pack and no exact product after 2013.
//
// The connector needs Exchange 2010 SP3 or later ("Microsoft Exchange:
// On-premises connectors require Microsoft Exchange 2010 SP3 or later",
// https://learn.microsoft.com/en-us/mem/intune/protect/exchange-connector-install).

// exSeen is one version read from one object.
type exSeen struct {
	major, minor int    // 14.3, 15.1; minor -1 when the object version names no minor
	server       string // server name for AdminDisplayVersion, "" for mailbox objects
	text         string // as exported
	entry        int    // evidence
}

var (
	adminVersionRe  = regexp.MustCompile(`(?i)version\s+(\d+)\.(\d+)\s*\(build\s+([\d.]+)\)`)
	objectVersionRe = regexp.MustCompile(`\((\d+)\.(\d+)\.\d+\.\d+\)`)
)

// readVersions records the version fields of rec (entry index i).
func (b *Builder) readVersions(rec *pscmdlet.Record, i int) {
	if v := rec.Text("AdminDisplayVersion"); v != "" {
		if m := adminVersionRe.FindStringSubmatch(v); m != nil {
			major, _ := strconv.Atoi(m[1])
			minor, _ := strconv.Atoi(m[2])
			srv := rec.Text("Name")
			if srv == "" {
				srv = rec.Text("Fqdn")
			}
			b.versions = append(b.versions, exSeen{major: major, minor: minor, server: srv, text: v, entry: i})
		}
		return
	}
	if rec.Kind != pscmdlet.KindMailbox && rec.Kind != pscmdlet.KindCASMailbox {
		return // organisation-wide objects keep old versions after upgrades
	}
	if v := rec.Text("ExchangeVersion"); v != "" {
		if m := objectVersionRe.FindStringSubmatch(v); m != nil {
			major, _ := strconv.Atoi(m[1])
			b.versions = append(b.versions, exSeen{major: major, minor: -1, text: v, entry: i})
		}
	}
}

// product names a version: "Exchange 2010 SP3", "Exchange 2016",
// "Exchange 2013 or later" (object versions).
func (v exSeen) product() string {
	switch {
	case v.major == 14 && v.minor < 0:
		return "Exchange 2010"
	case v.major == 14 && v.minor == 0:
		return "Exchange 2010 RTM"
	case v.major == 14:
		return fmt.Sprintf("Exchange 2010 SP%d", v.minor)
	case v.major == 15 && v.minor < 0:
		return "Exchange 2013 or later"
	case v.major == 15 && v.minor == 0:
		return "Exchange 2013"
	case v.major == 15 && v.minor == 1:
		return "Exchange 2016"
	case v.major == 15 && v.minor == 2:
		return "Exchange 2019 or Subscription Edition"
	case v.major == 8:
		return "Exchange 2007"
	case v.major < 8:
		return fmt.Sprintf("Exchange before 2007 (version %d)", v.major)
	}
	return fmt.Sprintf("Exchange version %d.%d", v.major, max(v.minor, 0))
}

// supported: Exchange 2010 SP3 or later. Object versions of 2010 cannot
// tell the service pack: unknown, not unsupported.
func (v exSeen) supported() (ok, known bool) {
	switch {
	case v.major > 14:
		return true, true
	case v.major < 14:
		return false, true
	case v.minor < 0:
		return false, false
	}
	return v.minor >= 3, true
}

// ExchangeVersions is what the exports say about the Exchange version.
type ExchangeVersions struct {
	// Lines for the environment section, one per distinct version and
	// source, e.g. "Exchange 2010 SP3 on EX01 (AdminDisplayVersion
	// Version 14.3 (Build 123.4), servers.txt line 4)".
	Lines []string
	// Notes where the evidence contradicts the connector's requirement.
	Notes []string
	// Has2010 and Has2013Plus say which generations were seen.
	Has2010, Has2013Plus bool
}

// Exchange summarises the version fields read (valid after Finish).
func (b *Builder) Exchange() ExchangeVersions {
	var out ExchangeVersions
	seen := map[string]bool{}
	objects := map[int]int{} // major → mailbox objects of that version
	objFirst := map[int]int{}
	for _, v := range b.versions {
		switch {
		case v.major == 14 || v.major < 14:
			out.Has2010 = true
		case v.major >= 15:
			out.Has2013Plus = true
		}
		if v.server == "" && v.minor < 0 {
			if objects[v.major] == 0 {
				objFirst[v.major] = v.entry
			}
			objects[v.major]++
			continue
		}
		e := &b.entries[v.entry]
		line := fmt.Sprintf("%s on %s (AdminDisplayVersion %s, %s)", v.product(), nonEmptyName(v.server), v.text, where(e))
		if !seen[line] {
			seen[line] = true
			out.Lines = append(out.Lines, line)
		}
		if ok, known := v.supported(); known && !ok {
			out.Notes = append(out.Notes, fmt.Sprintf("%s runs %s: the Intune Exchange connector requires Exchange 2010 SP3 or later", nonEmptyName(v.server), v.product()))
		}
	}
	majors := make([]int, 0, len(objects))
	for m := range objects {
		majors = append(majors, m)
	}
	sort.Ints(majors)
	for _, m := range majors {
		v := exSeen{major: m, minor: -1}
		e := &b.entries[objFirst[m]]
		out.Lines = append(out.Lines, fmt.Sprintf("%s: %d mailbox object(s) with ExchangeVersion %s (first: %s); object versions name no service pack",
			v.product(), objects[m], b.versionText(m), where(e)))
	}
	return out
}

func (b *Builder) versionText(major int) string {
	for _, v := range b.versions {
		if v.major == major && v.server == "" {
			return v.text
		}
	}
	return ""
}

func nonEmptyName(s string) string {
	if s == "" {
		return "an unnamed server"
	}
	return s
}

// where names an entry's file and line (or offset).
func where(e *entry) string {
	if e.line > 0 {
		return fmt.Sprintf("%s line %d", e.origin, e.line)
	}
	if e.offset >= 0 {
		return fmt.Sprintf("%s offset %d", e.origin, e.offset)
	}
	return e.origin
}

// RemoveDeviceCmdlet names the cmdlet that removes a mobile device
// partnership on the Exchange the exports show: Remove-ActiveSyncDevice
// exists from Exchange 2010 and Remove-MobileDevice from Exchange 2013
// (Microsoft's cmdlet reference; the table and its pages are in
// cmdlets_test.go). Unknown or mixed versions name both, each with the
// versions it exists in.
func (x ExchangeVersions) RemoveDeviceCmdlet() string {
	const id = " -Identity <the device's Identity from the export>"
	switch {
	case x.Has2010 && !x.Has2013Plus:
		return "Remove-ActiveSyncDevice" + id + "; the exports show Exchange 2010"
	case x.Has2013Plus && !x.Has2010:
		return "Remove-MobileDevice" + id
	case x.Has2010:
		return "Remove-MobileDevice" + id + " from Exchange 2013 or later, Remove-ActiveSyncDevice from Exchange 2010; the exports show both"
	}
	return "Remove-MobileDevice" + id + " on Exchange 2013 or later, Remove-ActiveSyncDevice on Exchange 2010; the exports show no Exchange version"
}

// Environment adds the versions to env (Exchange field and notes).
func (x ExchangeVersions) Environment(env *report.Environment) {
	if env == nil {
		return
	}
	env.Exchange = append(env.Exchange, x.Lines...)
	env.Notes = append(env.Notes, x.Notes...)
}
