package inventory

import (
	"fmt"
	"strings"

	"exlog/parse/config"
	"exlog/report"
)

// Notification describes the connector's notification account for the
// environment section: what the service configuration sets and, when the
// exports hold that account's mailbox, whether its UPN equals its primary
// SMTP address, as Microsoft requires ("The account has an active mailbox
// that's hosted by your Exchange on-premises server. The account UPN
// matches the SMTP address", troubleshooting article, DocsTroubleshoot).
// origin is the configuration file's bundle path. It returns nil when the
// configuration names no account and says nothing about notifications,
// and a note when the mailbox contradicts the requirement.
func (b *Builder) Notification(n *config.Notification, origin string) (*report.NotificationAccount, string) {
	if n == nil {
		return nil, ""
	}
	na := &report.NotificationAccount{Account: n.Account, Enabled: n.Enabled}
	var parts []string
	switch {
	case n.Enabled != nil && !*n.Enabled:
		parts = append(parts, "notifications off ("+n.EnabledSetting+")")
	case n.Enabled != nil:
		parts = append(parts, "notifications on ("+n.EnabledSetting+")")
	}
	if n.Account == "" {
		parts = append(parts, "no account set in the service configuration")
		na.Origin = origin
		na.Text = strings.Join(parts, "; ")
		return na, ""
	}
	na.Origin = fmt.Sprintf("%s (%s, line %d)", origin, n.Setting, n.Line)
	parts = append([]string{fmt.Sprintf("%s (service configuration %s, line %d)", n.Account, n.Setting, n.Line)}, parts...)
	var note string
	if u := b.userWithAddress(n.Account); u == nil {
		parts = append(parts, "its mailbox is not in the exports: can't tell whether it is an on-premises mailbox whose UPN equals its primary SMTP address (collect Get-Mailbox -Identity "+n.Account+" | Format-List UserPrincipalName,PrimarySmtpAddress,EmailAddresses,RecipientTypeDetails)")
	} else if u.upn == "" || u.smtp != smtpKnown {
		parts = append(parts, "its mailbox is in the exports without both UPN and primary SMTP address: can't tell whether they match")
	} else if strings.EqualFold(u.upn, u.primary) {
		na.Mailbox = "matches"
		parts = append(parts, "mailbox in the exports, UPN equals primary SMTP address "+u.primary)
	} else {
		na.Mailbox = "mismatch"
		parts = append(parts, fmt.Sprintf("mailbox in the exports: UPN %s differs from primary SMTP address %s", u.upn, u.primary))
		note = notifyMismatch(n.Account, u)
	}
	na.Text = strings.Join(parts, "; ")
	return na, note
}

// notifyMismatch is the note on a notification account whose mailbox's
// UPN differs from its primary SMTP address.
func notifyMismatch(acct string, u *user) string {
	return fmt.Sprintf("notification account %s: UPN %s differs from its primary SMTP address %s; Microsoft requires them equal, or no notification mail is sent", acct, u.upn, u.primary)
}

// userWithAddress finds the joined user whose mailbox or CAS mailbox has
// this UPN, primary SMTP address or proxy address, or this identity
// (DOMAIN\user matches no address: only an identity or alias can).
func (b *Builder) userWithAddress(acct string) *user {
	a := strings.ToLower(strings.TrimSpace(acct))
	keys := []string{"addr:" + a, "id:" + a}
	if i := strings.LastIndexByte(a, '\\'); i >= 0 {
		keys = append(keys, "id:"+a[i+1:])
	}
	for _, u := range b.users {
		for _, ei := range u.entries {
			for _, k := range b.entries[ei].keys {
				for _, want := range keys {
					if k == want {
						return u
					}
				}
			}
		}
	}
	return nil
}
