package inventory

import (
	"exlog/internal/words"
	"fmt"
	"sort"
	"strings"
	"time"

	"exlog/analyze/check"
	"exlog/parse/pscmdlet"
	"exlog/report"
)

// Rules are the ids Finish raises, each declared beside the check that
// raises it.
var Rules = []check.Rule{ruleSMTPUPNMismatch, ruleActiveSyncOff, ruleDeviceQuarantined, ruleDeviceStale, ruleDefaultNotAllow}

// devRef is one (deduplicated) device and its owner, if known.
type devRef struct {
	entry    int
	user     *user
	problems []string
}

func (d *devRef) flag(id string) {
	if d.user != nil {
		d.user.problems = append(d.user.problems, id)
	} else {
		d.problems = append(d.problems, id)
	}
}

// IDSMTPUPNMismatch is raised by checkSMTP.
const IDSMTPUPNMismatch = "discovery.smtp-upn-mismatch"

var ruleSMTPUPNMismatch = check.Rule{ID: IDSMTPUPNMismatch, Title: "Primary SMTP address differs from the UPN", Severity: report.SeverityWarning}

// checkSMTP: the connector discovers a user's devices by the primary SMTP
// address, which must equal the Azure AD UPN. A user whose address list
// was cut ("{a, b, c, d...}") without showing the SMTP: entry cannot be
// judged: counted as unknown, not flagged.
func (b *Builder) checkSMTP(users []*user, inv *report.Inventory) []report.Finding {
	f := newFinding(IDSMTPUPNMismatch, "", report.SeverityWarning, "discovery",
		"The connector finds a user's devices through the primary SMTP address, which must be the same as the user's UPN in Azure AD / Entra ID. Change the primary SMTP address (Set-Mailbox -PrimarySmtpAddress, or the e-mail address policy) or the UPN so that they match, then wait for the next full sync. "+LicenceCantTell,
		DocsTroubleshoot)
	var who []string
	checked, unknown := 0, 0
	notify := map[*user]string{}
	for _, acct := range b.notify {
		if u := b.userWithAddress(acct); u != nil {
			notify[u] = acct
		}
	}
	for _, u := range users {
		if u.upn == "" {
			continue
		}
		if acct, ok := notify[u]; ok {
			if u.smtp == smtpKnown && !strings.EqualFold(strings.TrimSpace(u.primary), strings.TrimSpace(u.upn)) {
				b.notifyNotes = append(b.notifyNotes, notifyMismatch(acct, u))
			}
			continue
		}
		switch u.smtp {
		case smtpKnown:
			checked++
			if !strings.EqualFold(strings.TrimSpace(u.primary), strings.TrimSpace(u.upn)) {
				who = append(who, u.name)
				u.problems = append(u.problems, IDSMTPUPNMismatch)
				at := u.primaryFrom
				addEvidence(&f, b.evidence(at, nil, fmt.Sprintf("primary SMTP %s (from %s) differs from UPN %s", u.primary, b.entries[at].primaryFromName(), u.upn)))
			}
		case smtpUnknown:
			unknown++
		}
	}
	inv.Extra["smtp_upn_checked"] = fmt.Sprint(checked)
	if unknown > 0 {
		inv.Extra["smtp_upn_unknown"] = fmt.Sprint(unknown)
	}
	if f.Count == 0 {
		return nil
	}
	f.Title = fmt.Sprintf("%s whose primary SMTP address differs from the UPN: devices not discovered (%s)", words.Count(f.Count, "user", ""), names(who, 5))
	if unknown > 0 {
		f.Title += fmt.Sprintf("; %d more could not be checked (address list truncated)", unknown)
	}
	return []report.Finding{f}
}

func (e *entry) primaryFromName() string {
	if e.primaryFrom == "" {
		return "export"
	}
	return e.primaryFrom
}

// LicenceCantTell is said wherever devices may not be discovered: a user
// without an Intune licence is Microsoft's first cause of undiscovered
// devices (troubleshooting article, DocsTroubleshoot: "Make sure users
// have an Intune license. If not, the Exchange connector won't discover
// their devices"), and nothing in a bundle shows licences.
const LicenceCantTell = "A missing Intune licence also keeps a user's devices undiscovered, and a bundle cannot show licences: check each affected user in the Microsoft 365 admin center (Users > Active users > the user > Licenses and apps)."

// IDActiveSyncOff is raised by checkActiveSync.
const IDActiveSyncOff = "discovery.activesync-disabled"

var ruleActiveSyncOff = check.Rule{ID: IDActiveSyncOff, Title: "ActiveSync disabled for a user with devices", Severity: report.SeverityWarning}

// checkActiveSync: ActiveSync disabled on the mailbox, or no device
// partnership although the exports show devices for the user.
func (b *Builder) checkActiveSync(users []*user) []report.Finding {
	f := newFinding(IDActiveSyncOff, "", report.SeverityWarning, "discovery",
		"Exchange ActiveSync must be enabled on the mailbox for the connector to see and manage its devices: Set-CASMailbox <user> -ActiveSyncEnabled $true. A user with devices but HasActiveSyncDevicePartnership False has no working partnership: have the user remove and re-add the mail account, then wait for a sync.",
		DocsTroubleshoot)
	var who []string
	for _, u := range users {
		switch {
		case u.enabled == boolFalse:
			who = append(who, u.name)
			u.problems = append(u.problems, IDActiveSyncOff)
			addEvidence(&f, b.evidence(u.enabledAt, nil, "ActiveSyncEnabled False for "+u.name))
		case u.partner == boolFalse && len(u.devices) > 0:
			who = append(who, u.name)
			u.problems = append(u.problems, IDActiveSyncOff)
			addEvidence(&f, b.evidence(u.partnerAt, nil, fmt.Sprintf("HasActiveSyncDevicePartnership False for %s, who has %s in the exports", u.name, words.Count(len(u.devices), "device", ""))))
		}
	}
	if f.Count == 0 {
		return nil
	}
	f.Title = fmt.Sprintf("ActiveSync disabled or without device partnership for %s (%s)", words.Count(f.Count, "user", ""), names(who, 5))
	return []report.Finding{f}
}

// connectorReasons are the DeviceAccessStateReason values the connector
// sets on behalf of Intune.
var connectorReasons = map[string]string{
	"ExternallyManaged":  "Intune manages the device's access",
	"ExternalCompliance": "the device is enrolled but not compliant",
	"ExternalEnrollment": "the device is not enrolled in Intune",
}

// quarantineAdvice is what to do per reason. Non-Knox Android devices must
// enrol from the "Get Started" mail's link, or conditional access keeps
// blocking them (troubleshooting article, DocsTroubleshoot: "Use of the Get
// Started link to enroll is a requirement for Android non-Knox devices").
var quarantineAdvice = map[string]string{
	"ExternalEnrollment": "Have the user enrol the device in Intune. Android devices without Samsung Knox must enrol from the link in the connector's \"Get Started\" mail " +
		"(enrolled any other way they stay blocked); iOS and Knox devices can also enrol with the Company Portal. The connector allows an enrolled, compliant device at its next sync.",
	"ExternalCompliance": "The device is enrolled: check its compliance state in Intune (Devices > the device > Device compliance) and fix what the policy reports; " +
		"the connector allows it at the next sync after it is compliant.",
	"ExternallyManaged": "Intune decides this device's access: check the device's record and conditional access assignment in Intune.",
}

// IDDeviceQuarantined is raised by checkQuarantined.
const IDDeviceQuarantined = "device.quarantined"

var ruleDeviceQuarantined = check.Rule{ID: IDDeviceQuarantined, Title: "Devices quarantined or blocked by the connector", Severity: report.SeverityInfo}

// checkQuarantined counts devices quarantined or blocked by the connector,
// one finding per reason (Key = reason). Info, not a warning: these states
// are the connector doing its job for Intune compliance and enrolment
// (domain.md §4-5), a task for the device's user, and say nothing against
// the connector's health (blind round 2: they made a bundle without
// trace logs "degraded" instead of "can't tell").
func (b *Builder) checkQuarantined(devs []devRef) []report.Finding {
	byReason := map[string]*report.Finding{}
	who := map[string][]string{}
	for i := range devs {
		d := &devs[i]
		e := &b.entries[d.entry]
		if e.state != "Quarantined" && e.state != "Blocked" {
			continue
		}
		meaning, ok := connectorReasons[e.reason]
		if !ok {
			continue
		}
		f := byReason[e.reason]
		if f == nil {
			nf := newFinding(IDDeviceQuarantined, "", report.SeverityInfo, "device",
				"These access states are set by Intune through the connector: "+meaning+". "+quarantineAdvice[e.reason]+
					" If enrolled, compliant devices stay blocked, check that the connector's syncs complete.",
				DocsTroubleshoot)
			nf.Key = e.reason
			f = &nf
			byReason[e.reason] = f
		}
		name := "unknown user"
		if d.user != nil {
			name = d.user.name
		} else if o, ok := deviceOwner(e.identity); ok {
			name = o
		}
		who[e.reason] = append(who[e.reason], name)
		d.flag(IDDeviceQuarantined)
		addEvidence(f, b.evidence(d.entry, nil, fmt.Sprintf("%s %s %s (%s) of %s", e.state, strings.TrimSpace(e.deviceType), e.deviceID, e.reason, name)))
	}
	reasons := make([]string, 0, len(byReason))
	for r := range byReason {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	var out []report.Finding
	for _, r := range reasons {
		f := byReason[r]
		users := uniq(who[r])
		f.Title = fmt.Sprintf("%s quarantined or blocked by the connector (%s) for %s: %s", words.Count(f.Count, "device", ""), r, words.Count(len(users), "user", ""), names(users, 5))
		out = append(out, *f)
	}
	return out
}

func uniq(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// IDDeviceStale is raised by checkStale.
const IDDeviceStale = "device.stale"

var ruleDeviceStale = check.Rule{ID: IDDeviceStale, Title: "Devices without a successful sync for a long time", Severity: report.SeverityInfo}

// checkStale flags devices whose last successful sync is more than
// StaleAfter before the newest sync time in the exports (LastSuccessSync
// or LastSyncAttemptTime of any device: the export time is unknown, so the
// newest sync stands for "now"; attempts count so that an estate where
// every device fails is still judged), or that never synced. Dates are read with the culture learnt from their file; dates
// that culture cannot disambiguate are read month-first and counted.
func (b *Builder) checkStale(devs []devRef, inv *report.Inventory) []report.Finding {
	type parsed struct {
		t         time.Time
		ok, never bool
	}
	ps := make([]parsed, len(devs))
	var newest time.Time
	ambiguous, unreadable := 0, 0
	for i, d := range devs {
		e := &b.entries[d.entry]
		if !e.lastSyncPresent {
			continue
		}
		if e.lastSync == "" {
			ps[i] = parsed{never: true}
			continue
		}
		t, amb, ok := pscmdlet.ParseTime(e.lastSync, b.cultures[e.origin])
		if !ok {
			unreadable++
			continue
		}
		if amb {
			ambiguous++
		}
		if t.IsZero() || t.Year() <= 1 {
			ps[i] = parsed{never: true}
			continue
		}
		ps[i] = parsed{t: t, ok: true}
		if t.After(newest) {
			newest = t
		}
	}
	for _, d := range devs {
		e := &b.entries[d.entry]
		if e.lastAttempt == "" {
			continue
		}
		if t, _, ok := pscmdlet.ParseTime(e.lastAttempt, b.cultures[e.origin]); ok && t.After(newest) {
			newest = t
		}
	}
	if unreadable > 0 {
		inv.Extra["last_sync_unreadable"] = fmt.Sprint(unreadable)
	}
	if ambiguous > 0 {
		inv.Extra["last_sync_ambiguous"] = fmt.Sprint(ambiguous)
	}
	if newest.IsZero() {
		return nil
	}
	f := newFinding(IDDeviceStale, "", report.SeverityInfo, "device",
		"Devices that have not synced for a month are usually retired or reset phones. Remove their partnerships ("+b.Exchange().RemoveDeviceCmdlet()+") so that they no longer count against the user or appear in Intune; if many current devices are stale, check Exchange ActiveSync itself.",
		DocsTroubleshoot)
	limit := newest.Add(-StaleAfter)
	// A device that never synced successfully is stale only when it is
	// not new (its first sync older than the limit, or unknown) and not
	// held by an access rule: a quarantined or blocked device cannot sync
	// successfully, by design (blind round 5: eleven devices that first
	// synced two days before the export, quarantined by Exchange's default
	// rule, were "retired or reset phones" to be removed).
	neverButExpected := func(e *entry) bool {
		if e.state == "Quarantined" || e.state == "Blocked" {
			return true
		}
		if e.firstSync == "" {
			return false
		}
		t, _, ok := pscmdlet.ParseTime(e.firstSync, b.cultures[e.origin])
		return ok && t.Year() > 1 && !t.Before(limit)
	}
	var oldest, latest time.Time // of the stale devices' own last syncs
	zoned := true                // every one of them written with a zone (CliXML), not a display time
	for i := range devs {
		d := &devs[i]
		p := ps[i]
		if !p.never && (!p.ok || !p.t.Before(limit)) {
			continue
		}
		e := &b.entries[d.entry]
		if p.never && neverButExpected(e) {
			continue
		}
		d.flag(IDDeviceStale)
		text := fmt.Sprintf("%s %s never synced successfully", e.deviceType, e.deviceID)
		var tp *time.Time
		if p.ok {
			t := p.t
			if hasZone(e.lastSync) {
				tp = &t
			} else {
				zoned = false // a display time of no stated zone: kept only in the text
			}
			if oldest.IsZero() || t.Before(oldest) {
				oldest = t
			}
			if t.After(latest) {
				latest = t
			}
			text = fmt.Sprintf("%s %s last synced %s, %d days before the newest sync", e.deviceType, e.deviceID, e.lastSync, int(newest.Sub(t).Hours()/24))
		}
		addEvidence(&f, b.evidence(d.entry, tp, text))
	}
	if f.Count == 0 {
		return nil
	}
	// First and Last are the stale devices' own last syncs (the newest
	// sync time is only the yardstick, named in the title); a device that
	// never synced has none. Format-List and CSV exports write display
	// times without a zone: those are local times of an unknown zone, not
	// UTC (blind round 4 printed them with "Z"). The day counts compare
	// times of the same export and hold either way.
	switch {
	case oldest.IsZero():
	case zoned:
		f.First, f.Last = &oldest, &latest
	default:
		f.TimeZone = report.ZoneUnknown
		f.FirstLocal, f.LastLocal = oldest.Format(report.LocalLayout), latest.Format(report.LocalLayout)
	}
	f.Title = fmt.Sprintf("%s without a successful sync in the %d days before the newest sync time in the exports (%s)", words.Count(f.Count, "device", ""), int(StaleAfter.Hours()/24), newest.Format("2006-01-02"))
	if ambiguous > 0 {
		f.Title += fmt.Sprintf("; %s ambiguous (M/d assumed)", words.Count(ambiguous, "date was", "dates were"))
	}
	return []report.Finding{f}
}

// IDDefaultNotAllow is raised by checkDefaultAccess.
const IDDefaultNotAllow = "access.default-not-allow"

var ruleDefaultNotAllow = check.Rule{ID: IDDefaultNotAllow, Title: "DefaultAccessLevel is Block or Quarantine", Severity: report.SeverityWarning}

// checkDefaultAccess: with DefaultAccessLevel Block or Quarantine, Exchange
// holds new devices itself and no activation mail reaches them.
func (b *Builder) checkDefaultAccess(orgs []int, inv *report.Inventory) []report.Finding {
	var out []report.Finding
	for _, i := range orgs {
		e := &b.entries[i]
		if e.defaultAccess == "" {
			continue
		}
		if inv.DefaultAccessLevel == "" {
			inv.DefaultAccessLevel = e.defaultAccess
		}
		if e.defaultAccess != "Block" && e.defaultAccess != "Quarantine" {
			continue
		}
		dup := false
		for k := range out {
			if out[k].Key == e.defaultAccess {
				addEvidence(&out[k], b.evidence(i, nil, "DefaultAccessLevel "+e.defaultAccess))
				dup = true
			}
		}
		if dup {
			continue
		}
		// Where the level is set: Intune's "Unmanaged device access"
		// (Allow / Block / Quarantine), which the connector applies to
		// Exchange; non-Knox Android devices are always blocked under Block
		// or Quarantine ("Configure Exchange on-premises access",
		// DocsAccess) and must enrol from the "Get Started" mail's link
		// (troubleshooting article, DocsTroubleshoot).
		f := newFinding(IDDefaultNotAllow, "Exchange ActiveSync default access level is "+e.defaultAccess+": new devices are held by Exchange and the activation mail does not reach them", report.SeverityWarning, "access",
			"With a default rule that blocks or quarantines, Exchange stops new devices before Intune can act and the connector's \"Get Started\" notification mail is not delivered to them, by design. "+
				"Change it where Intune sets it, not in Exchange: Intune admin center > Tenant administration > Exchange access > Exchange ActiveSync on-premises connector > (this organization) > "+
				"Advanced Exchange ActiveSync access settings > Unmanaged device access (Allow access lets Intune conditional access decide per device). "+
				"The connector applies Intune's settings to Exchange, so a direct Set-ActiveSyncOrganizationSettings change can be undone at the next full sync. "+
				"Until then: iOS and Samsung Knox devices can enrol with the Company Portal; Android devices without Knox are always blocked under Block or Quarantine and must enrol from the link in the \"Get Started\" mail, so they need the mail to arrive.",
			DocsAccess)
		f.Key = e.defaultAccess
		addEvidence(&f, b.evidence(i, nil, "DefaultAccessLevel "+e.defaultAccess))
		out = append(out, f)
	}
	return out
}

// hasZone reports whether an exported time states its zone: "Z" or an
// offset after an ISO time (CliXML's <DT>), as display times of Format-List
// and CSV exports do not.
func hasZone(raw string) bool {
	raw = strings.TrimSpace(raw)
	if len(raw) < 20 || raw[4] != '-' {
		return false
	}
	if strings.HasSuffix(raw, "Z") {
		return true
	}
	if n := len(raw); n >= 6 && (raw[n-6] == '+' || raw[n-6] == '-') && raw[n-3] == ':' {
		return true
	}
	return false
}
