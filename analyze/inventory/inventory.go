// Package inventory joins what the Exchange cmdlet exports say — ActiveSync
// devices, mailboxes, CAS mailboxes, organisation settings — into one view
// per user, and runs the checks that only the exports can answer: primary
// SMTP address versus UPN, ActiveSync disabled, devices quarantined by the
// connector, stale devices, a default access level that blocks activation.
//
// A Builder is fed every record of every export (any format, any order)
// and produces the report's Inventory and its findings once, at the end.
// It keeps a small summary per object, not the records themselves. A
// Builder is not safe for concurrent use.
package inventory

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"exlog/parse/pscmdlet"
	"exlog/report"
)

// Docs links.
const (
	DocsTroubleshoot = "https://learn.microsoft.com/en-us/troubleshoot/mem/intune/device-protection/troubleshoot-exchange-connector"
	DocsInstall      = "https://learn.microsoft.com/en-us/mem/intune/protect/exchange-connector-install"
	// DocsAccess is "Configure Exchange on-premises access for Intune"
	// (where the default access level for unmanaged devices is set).
	DocsAccess = "https://learn.microsoft.com/en-us/mem/intune/protect/conditional-access-exchange-create"
)

// StaleAfter is how long before the newest successful sync in the exports
// a device's last successful sync must be for the device to count as stale.
const StaleAfter = 30 * 24 * time.Hour

// optBool is a boolean property that may be absent.
type optBool uint8

const (
	boolUnknown optBool = iota
	boolFalse
	boolTrue
)

func readBool(r *pscmdlet.Record, name string) optBool {
	v, ok := r.Bool(name)
	switch {
	case !ok:
		return boolUnknown
	case v:
		return boolTrue
	}
	return boolFalse
}

// smtpState says what is known about a user's primary SMTP address.
type smtpState uint8

const (
	smtpAbsent  smtpState = iota // no address property in the export
	smtpKnown                    // primary found
	smtpUnknown                  // only a truncated (or lost) address list, without the SMTP: entry
)

// entry is the summary of one exported object that the joins and checks need.
type entry struct {
	kind   pscmdlet.Kind
	origin string
	line   int
	offset int64
	keys   []string // identity keys for the join (see identityKeys)

	identity    string
	displayName string
	upn         string
	primary     string
	primaryFrom string // property that gave primary
	smtp        smtpState
	enabled     optBool // ActiveSyncEnabled
	partnership optBool // HasActiveSyncDevicePartnership
	deviceIDs   []string

	deviceID, deviceType string
	state, reason        string
	lastSync             string // LastSuccessSync as exported
	lastSyncPresent      bool   // the property exists (empty/null: never synced)
	lastAttempt          string // LastSyncAttemptTime as exported
	firstSync            string // FirstSyncTime as exported

	defaultAccess string
}

// Builder accumulates export records.
type Builder struct {
	entries  []entry
	versions []exSeen                     // Exchange version fields read (exchange.go)
	users    []*user                      // joined users, set by Finish
	cultures map[string]*pscmdlet.Culture // by origin file
	records  map[string]int
	// notify are the notification accounts named by the service
	// configuration or the traces; notes say what their mailboxes show.
	notify      []string
	notifyNotes []string
}

// NotificationAccounts names the connector's notification accounts (from
// the service configuration or the traces) before Finish: their mailboxes
// send the enrolment mail and are not users whose devices the connector
// discovers, so a UPN that differs from the primary SMTP address is a
// notification problem (domain.md §4, no notification mail), noted in
// NotificationNotes, not discovery.smtp-upn-mismatch (blind round 3).
func (b *Builder) NotificationAccounts(accts []string) { b.notify = accts }

// NotificationNotes says, after Finish, which notification accounts'
// mailboxes break Microsoft's requirement that UPN equal primary SMTP.
func (b *Builder) NotificationNotes() []string { return b.notifyNotes }

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder {
	return &Builder{cultures: map[string]*pscmdlet.Culture{}, records: map[string]int{}}
}

// Add records one exported object read from the file at origin (the
// bundle path used in evidence). rec is not kept.
func (b *Builder) Add(rec *pscmdlet.Record, origin string) {
	if rec == nil {
		return
	}
	b.records[rec.Kind.String()]++
	cu := b.cultures[origin]
	if cu == nil {
		cu = &pscmdlet.Culture{Ambiguous: true}
		b.cultures[origin] = cu
	}
	rec.ObserveDates(cu)

	e := entry{kind: rec.Kind, origin: origin, line: rec.Line, offset: rec.Offset}
	idv, _ := rec.Get("Identity")
	e.identity = strings.TrimSpace(idv.Raw)
	switch rec.Kind {
	case pscmdlet.KindDeviceStats:
		e.deviceID = rec.Text("DeviceID")
		e.deviceType = rec.Text("DeviceType")
		e.state, _ = rec.Enum("DeviceAccessState")
		e.reason, _ = rec.Enum("DeviceAccessStateReason")
		if v, ok := rec.Get("LastSuccessSync"); ok && !v.Unknown {
			e.lastSync, e.lastSyncPresent = strings.TrimSpace(v.Raw), true
		}
		if v, ok := rec.Get("LastSyncAttemptTime"); ok && !v.Unknown && !v.Null {
			e.lastAttempt = strings.TrimSpace(v.Raw)
		}
		if v, ok := rec.Get("FirstSyncTime"); ok && !v.Unknown && !v.Null {
			e.firstSync = strings.TrimSpace(v.Raw)
		}
		if u, ok := deviceOwner(e.identity); ok {
			e.keys = identityKeys(nil, "id", u, idv.Lossy)
		}
	case pscmdlet.KindMailbox, pscmdlet.KindCASMailbox:
		e.displayName = rec.Text("DisplayName")
		e.upn = rec.Text("UserPrincipalName")
		e.enabled = readBool(rec, "ActiveSyncEnabled")
		e.partnership = readBool(rec, "HasActiveSyncDevicePartnership")
		e.readAddresses(rec)
		for _, n := range []string{"ActiveSyncAllowedDeviceIDs", "ActiveSyncBlockedDeviceIDs"} {
			if v, ok := rec.Get(n); ok && v.IsList {
				e.deviceIDs = append(e.deviceIDs, v.Items...)
			}
		}
		e.keys = identityKeys(e.keys, "id", e.identity, idv.Lossy)
		for _, n := range []string{"Alias", "SamAccountName", "Name"} {
			if v, ok := rec.Get(n); ok && !v.Null && !v.Unknown {
				e.keys = identityKeys(e.keys, "id", v.Raw, v.Lossy)
			}
		}
		for _, n := range []string{"UserPrincipalName", "PrimarySmtpAddress", "WindowsEmailAddress"} {
			if v, ok := rec.Get(n); ok && !v.Null && !v.Unknown {
				e.keys = identityKeys(e.keys, "addr", v.Raw, v.Lossy)
			}
		}
		if v, ok := rec.Get("EmailAddresses"); ok && !v.Unknown && !v.Null {
			items := v.Items
			if !v.IsList {
				items = strings.FieldsFunc(v.Raw, func(r rune) bool { return r == ' ' || r == ';' || r == ',' || r == '\t' })
			}
			for _, it := range items {
				if p, a, ok := strings.Cut(it, ":"); ok && strings.EqualFold(p, "smtp") {
					e.keys = identityKeys(e.keys, "addr", a, v.Lossy)
				}
			}
		}
	case pscmdlet.KindOrgSettings:
		e.defaultAccess, _ = rec.Enum("DefaultAccessLevel")
	default:
		if !rec.Has("AdminDisplayVersion") {
			return // counted in records; nothing to join
		}
		// a server object (Get-ExchangeServer): kept for its version only
	}
	b.entries = append(b.entries, e)
	b.readVersions(rec, len(b.entries)-1)
}

// readAddresses finds the primary SMTP address: the uppercase "SMTP:"
// entry of EmailAddresses, else PrimarySmtpAddress (or
// WindowsEmailAddress). A truncated or lost list without the SMTP: entry
// leaves it unknown.
func (e *entry) readAddresses(rec *pscmdlet.Record) {
	if v, ok := rec.Get("EmailAddresses"); ok && !v.Null {
		switch {
		case v.IsList:
			for _, it := range v.Items {
				if strings.HasPrefix(it, "SMTP:") {
					e.primary, e.primaryFrom, e.smtp = strings.TrimSpace(it[5:]), "EmailAddresses", smtpKnown
					return
				}
			}
			if v.Truncated {
				e.smtp = smtpUnknown
			}
		case v.Unknown:
			e.smtp = smtpUnknown
		case strings.TrimSpace(v.Raw) != "":
			// joined by the admin (-join ';') or a collection's ToString:
			// "SMTP:a@x smtp:b@x"
			for _, it := range strings.FieldsFunc(v.Raw, func(r rune) bool { return r == ' ' || r == ';' || r == ',' || r == '\t' }) {
				if strings.HasPrefix(it, "SMTP:") {
					e.primary, e.primaryFrom, e.smtp = it[5:], "EmailAddresses", smtpKnown
					return
				}
			}
		}
	}
	for _, n := range []string{"PrimarySmtpAddress", "WindowsEmailAddress"} {
		if s := rec.Text(n); s != "" {
			e.primary, e.primaryFrom, e.smtp = s, n, smtpKnown
			return
		}
	}
}

// deviceOwner returns the mailbox part of a device identity:
// "contoso.com/Users/Zoë Müller/ExchangeActiveSyncDevices/iPhone§ID" →
// "contoso.com/Users/Zoë Müller" (also with "\" separators).
func deviceOwner(identity string) (string, bool) {
	l := strings.ToLower(identity)
	for _, marker := range []string{"exchangeactivesyncdevices", "mobiledevices"} {
		if i := strings.Index(l, marker); i > 0 {
			u := strings.TrimRight(identity[:i], `/\`)
			return u, u != ""
		}
	}
	return "", false
}

// identityKeys appends the join keys of one identifying value: the value
// lower-cased in its namespace ("ns:v"); for a value with non-ASCII
// characters also its loosened shadow ("≈ns:l", every non-ASCII rune
// '?'); for a lossy value from an ASCII export, where '?' stands for a
// lost character, only "~ns:v". Exact keys join exact keys; a lossy key
// joins other lossy ones and, when exactly one exact value loosens to it,
// that one (see Finish). Two different exact values never join through
// their shadows ("jürgen" and "järgen" are two people).
func identityKeys(keys []string, ns, v string, lossy bool) []string {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "" {
		return keys
	}
	if lossy && strings.Contains(v, "?") {
		return append(keys, "~"+ns+":"+v)
	}
	keys = append(keys, ns+":"+v)
	if l := loosen(v); l != v {
		keys = append(keys, "≈"+ns+":"+l)
	}
	return keys
}

func loosen(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 127 {
			r = '?'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// user is one joined mailbox owner.
type user struct {
	name        string
	entries     []int // indexes into Builder.entries (mailbox and CAS records)
	devices     []int // device entries
	upn         string
	upnFrom     int
	primary     string
	primaryFrom int
	smtp        smtpState
	enabled     optBool
	enabledAt   int
	partner     optBool
	partnerAt   int
	problems    []string
}

// unionFind groups entry indexes.
type unionFind []int

func (u unionFind) find(i int) int {
	for u[i] != i {
		u[i] = u[u[i]]
		i = u[i]
	}
	return i
}

func (u unionFind) union(a, b int) {
	if ra, rb := u.find(a), u.find(b); ra != rb {
		if ra < rb {
			u[rb] = ra
		} else {
			u[ra] = rb
		}
	}
}

// Finish joins the records and runs the checks. The Inventory is never
// nil; findings are in no particular order (the caller sorts).
func (b *Builder) Finish() (*report.Inventory, []report.Finding) {
	inv := &report.Inventory{
		DevicesByAccessState: map[string]int{},
		DevicesByReason:      map[string]int{},
		UsersWithProblems:    []report.UserProblem{},
		Records:              map[string]int{},
		Extra:                map[string]string{},
	}
	for k, n := range b.records {
		inv.Records[k] = n
	}

	// join: entries sharing any key belong to one user
	uf := make(unionFind, len(b.entries))
	owner := map[string]int{}
	shadow := map[string]map[string]int{} // loosened key → exact key → an entry holding it
	for i := range b.entries {
		uf[i] = i
		keys := b.entries[i].keys
		for ki, k := range keys {
			if strings.HasPrefix(k, "≈") {
				lk := "~" + strings.TrimPrefix(k, "≈")
				if shadow[lk] == nil {
					shadow[lk] = map[string]int{}
				}
				if _, ok := shadow[lk][keys[ki-1]]; !ok { // the exact key precedes its shadow
					shadow[lk][keys[ki-1]] = i
				}
				continue
			}
			if j, ok := owner[k]; ok {
				uf.union(i, j)
			} else {
				owner[k] = i
			}
		}
	}
	for lk, exact := range shadow {
		j, ok := owner[lk] // a lossy entry with this key
		if !ok || len(exact) != 1 {
			continue // no lossy value, or ambiguous: several people loosen alike
		}
		for _, i := range exact {
			uf.union(i, j)
		}
	}
	users := map[int]*user{}
	getUser := func(root int) *user {
		u := users[root]
		if u == nil {
			u = &user{upnFrom: -1, primaryFrom: -1, enabledAt: -1, partnerAt: -1}
			users[root] = u
		}
		return u
	}
	byDeviceID := map[string][]int{} // device id → user roots listing it (allowed/blocked lists)
	seenDevice := map[string]bool{}
	mailboxes, cas := map[string]bool{}, map[string]bool{}
	var orgs []int
	for i := range b.entries {
		e := &b.entries[i]
		switch e.kind {
		case pscmdlet.KindMailbox, pscmdlet.KindCASMailbox:
			id := mailboxKey(e)
			if e.kind == pscmdlet.KindMailbox {
				mailboxes[id] = true
			} else {
				cas[id] = true
			}
			u := getUser(uf.find(i))
			u.entries = append(u.entries, i)
			for _, d := range e.deviceIDs {
				byDeviceID[strings.ToLower(d)] = append(byDeviceID[strings.ToLower(d)], uf.find(i))
			}
		case pscmdlet.KindOrgSettings:
			orgs = append(orgs, i)
		}
	}
	var orphans []int // devices whose owner is in no mailbox export
	for i := range b.entries {
		e := &b.entries[i]
		if e.kind != pscmdlet.KindDeviceStats {
			continue
		}
		dk := dedupeKey(e)
		if seenDevice[dk] {
			continue // the same device in another export
		}
		seenDevice[dk] = true
		root := uf.find(i)
		if _, ok := users[root]; !ok && len(e.keys) == 0 {
			// no owner in the identity: use the allowed/blocked lists
			if rs := byDeviceID[strings.ToLower(e.deviceID)]; len(rs) > 0 {
				root = rs[0]
			}
		}
		if _, ok := users[root]; ok || len(e.keys) > 0 {
			getUser(root).devices = append(getUser(root).devices, i)
		} else {
			orphans = append(orphans, i)
		}
	}
	inv.Mailboxes, inv.CASMailboxes = countObjects(mailboxes), countObjects(cas)
	roots := make([]int, 0, len(users))
	for r := range users {
		roots = append(roots, r)
	}
	sort.Ints(roots)
	ulist := make([]*user, 0, len(roots))
	for _, r := range roots {
		u := users[r]
		b.summarise(u)
		ulist = append(ulist, u)
	}
	inv.Users = len(ulist)
	b.users = ulist

	var findings []report.Finding
	findings = append(findings, b.checkSMTP(ulist, inv)...)
	findings = append(findings, b.checkActiveSync(ulist)...)
	devs := make([]devRef, 0)
	for _, u := range ulist {
		for _, d := range u.devices {
			devs = append(devs, devRef{entry: d, user: u})
		}
	}
	for _, d := range orphans {
		devs = append(devs, devRef{entry: d})
	}
	inv.Devices = len(devs)
	for _, d := range devs {
		e := &b.entries[d.entry]
		inv.DevicesByAccessState[nonEmpty(e.state)]++
		inv.DevicesByReason[nonEmpty(e.reason)]++
	}
	findings = append(findings, b.checkQuarantined(devs)...)
	findings = append(findings, b.checkStale(devs, inv)...)
	findings = append(findings, b.checkDefaultAccess(orgs, inv)...)

	for _, u := range ulist {
		if len(u.problems) > 0 {
			slices.Sort(u.problems)
			inv.UsersWithProblems = append(inv.UsersWithProblems, report.UserProblem{User: u.name, Problems: slices.Compact(u.problems)})
		}
	}
	for _, d := range devs {
		if d.user == nil && len(d.problems) > 0 {
			e := &b.entries[d.entry]
			inv.UsersWithProblems = append(inv.UsersWithProblems, report.UserProblem{User: nonEmpty(e.identity), Problems: slices.Compact(d.problems)})
		}
	}
	sort.Slice(inv.UsersWithProblems, func(i, j int) bool { return inv.UsersWithProblems[i].User < inv.UsersWithProblems[j].User })
	origins := make([]string, 0, len(b.cultures))
	for o := range b.cultures {
		origins = append(origins, o)
	}
	sort.Strings(origins)
	for _, o := range origins {
		if c := b.cultures[o]; c.Dates > 0 {
			inv.Extra["date_order:"+o] = c.String()
		}
	}
	if len(orphans) > 0 {
		inv.Extra["devices_without_mailbox"] = fmt.Sprint(len(orphans))
	}
	return inv, findings
}

func nonEmpty(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// mailboxKey identifies a mailbox object across exports: its exact
// identity, or "~" and the identity as read when it is lossy ('?' for
// lost characters).
func mailboxKey(e *entry) string {
	id := strings.ToLower(e.identity)
	if id == "" {
		return dedupeKey(e)
	}
	for _, k := range e.keys {
		if k == "~id:"+id {
			return "~" + id
		}
	}
	return "=" + id
}

// countObjects counts distinct objects: exact identities, plus lossy ones
// that stand for no exact identity of the set (a lossy identity that
// loosens like exactly one exact one is that object; like several, it is
// counted once more rather than guessed).
func countObjects(keys map[string]bool) int {
	loose := map[string]int{}
	n := 0
	for k := range keys {
		if strings.HasPrefix(k, "=") {
			n++
			loose[loosen(k[1:])]++
		}
	}
	for k := range keys {
		if strings.HasPrefix(k, "~") {
			if loose[k[1:]] != 1 {
				n++
			}
		} else if !strings.HasPrefix(k, "=") {
			n++
		}
	}
	return n
}

// dedupeKey identifies an object across exports of the same estate.
func dedupeKey(e *entry) string {
	if e.identity != "" {
		return e.kind.String() + "|" + loosen(strings.ToLower(e.identity))
	}
	if e.deviceID != "" {
		return e.kind.String() + "|dev|" + strings.ToLower(e.deviceID)
	}
	return fmt.Sprintf("%s|%s|%d|%d", e.kind, e.origin, e.line, e.offset)
}

// summarise fills a user's name and joined facts from its entries (the
// first export that states a fact wins).
func (b *Builder) summarise(u *user) {
	for _, i := range u.entries {
		e := &b.entries[i]
		if u.upn == "" && e.upn != "" {
			u.upn, u.upnFrom = e.upn, i
		}
		if e.smtp == smtpKnown && u.smtp != smtpKnown {
			u.primary, u.primaryFrom, u.smtp = e.primary, i, smtpKnown
		} else if e.smtp == smtpUnknown && u.smtp == smtpAbsent {
			u.smtp, u.primaryFrom = smtpUnknown, i
		}
		if u.enabled == boolUnknown && e.enabled != boolUnknown {
			u.enabled, u.enabledAt = e.enabled, i
		}
		if u.partner == boolUnknown && e.partnership != boolUnknown {
			u.partner, u.partnerAt = e.partnership, i
		}
	}
	switch {
	case u.primary != "":
		u.name = u.primary
	case u.upn != "":
		u.name = u.upn
	}
	for _, i := range u.entries {
		if u.name == "" {
			u.name = b.entries[i].identity
		}
	}
	for _, i := range u.devices {
		if u.name == "" {
			u.name, _ = deviceOwner(b.entries[i].identity)
		}
	}
	if u.name == "" {
		u.name = "unknown user"
	}
}

// evidence points at the object of entry i.
func (b *Builder) evidence(i int, t *time.Time, text string) report.Evidence {
	e := &b.entries[i]
	ev := report.Evidence{Origin: e.origin, Line: e.line, Time: t, Text: text}
	if e.line == 0 && e.offset >= 0 {
		off := e.offset
		ev.Offset = &off
	}
	return ev
}

func addEvidence(f *report.Finding, ev report.Evidence) {
	f.Count++
	if len(f.Evidence) < report.MaxEvidence {
		f.Evidence = append(f.Evidence, ev)
	}
}

func newFinding(id, title string, sev report.Severity, category, remedy, docs string) report.Finding {
	return report.Finding{ID: id, Title: title, Severity: sev, Category: category, Remedy: remedy, Docs: docs, Source: "check", Evidence: []report.Evidence{}}
}

// names lists up to max names and how many more there are.
func names(ns []string, max int) string {
	if len(ns) <= max {
		return strings.Join(ns, ", ")
	}
	return strings.Join(ns[:max], ", ") + fmt.Sprintf(" and %d more", len(ns)-max)
}
