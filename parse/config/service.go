package config

import (
	"fmt"
	"io"
	"strings"

	"exlog/event"
)

// Service is what OnPremisesExchangeConnectorServiceConfiguration.xml says.
type Service struct {
	// ExchangeWebServiceURL is the hard-coded EWS URL; EWSURLSet reports
	// that it is present and not empty (Autodiscover is then bypassed).
	ExchangeWebServiceURL string
	EWSURLSet             bool
	// IsCasFailoverEnabled and EnableParallelCommandSupport are nil when
	// the file does not set them (or sets an unreadable value).
	IsCasFailoverEnabled         *bool
	EnableParallelCommandSupport *bool
	// Other holds every other leaf element by local name (first
	// occurrence). Values of names that look like secrets (password,
	// secret, token, credential) are replaced by "<redacted>".
	Other map[string]string
	// Lines gives the 1-based line of each setting found, by name
	// ("ExchangeWebServiceURL", "IsCasFailoverEnabled", ... and Other's names).
	Lines map[string]int
	// Notification is the notification account as far as the file shows
	// it; nil when no element names one.
	Notification *Notification
}

// Notification is the connector's notification account in the service
// configuration. Microsoft documents the account (set in the connector's
// setup: an on-premises mailbox whose UPN equals its SMTP address) but not
// the element names it is stored under, so it is read loosely: a leaf
// whose name mentions "notification", or a leaf named like a user or
// address inside an element whose name does, holding an account
// (user@domain or DOMAIN\user); and a true/false leaf so placed whose
// name mentions "enable".
type Notification struct {
	Account        string // "" when the file names no account
	Setting        string // where it was read: "ExchangeConnectorNotificationAccount/UserName"
	Line           int
	Enabled        *bool // nil when the file does not say
	EnabledSetting string
}

var serviceNames = map[string]string{
	"exchangewebserviceurl":        "ExchangeWebServiceURL",
	"iscasfailoverenabled":         "IsCasFailoverEnabled",
	"enableparallelcommandsupport": "EnableParallelCommandSupport",
}

// DetectService reports whether head looks like the connector's service
// configuration: XML with an ExchangeWebServiceURL, IsCasFailoverEnabled
// or EnableParallelCommandSupport element (or attribute).
func DetectService(head []byte) bool {
	if !looksLikeXML(head) || containsFold(head, "schemas.microsoft.com/win/2004/08/events/event") || containsFold(head, "E2ETraceEvent") {
		return false
	}
	for _, n := range []string{"ExchangeWebServiceURL", "IsCasFailoverEnabled", "EnableParallelCommandSupport"} {
		if containsFold(head, "<"+n) || containsFold(head, n+"=") || containsFold(head, "\""+n+"\"") {
			return true
		}
	}
	return false
}

// ReadService reads the service configuration. See the package comment
// for the error contract.
func ReadService(r io.Reader, path string, warn func(event.ReadWarning), caps event.Caps) (*Service, error) {
	s := &scanner{w: warn, path: path, names: serviceNames, others: true, caps: caps}
	if err := s.run(r); err != nil {
		return nil, err
	}
	sv := &Service{Other: map[string]string{}, Lines: map[string]int{}}
	for _, st := range s.settings {
		if _, dup := sv.Lines[st.name]; dup {
			continue
		}
		sv.Lines[st.name] = st.line
		switch st.name {
		case "ExchangeWebServiceURL":
			sv.ExchangeWebServiceURL = st.value
			sv.EWSURLSet = st.value != ""
		case "IsCasFailoverEnabled", "EnableParallelCommandSupport":
			b, ok := parseBool(st.value)
			if !ok {
				s.warn(st.line, event.KindBadSetting, fmt.Sprintf("cannot read %s %q as true/false", st.name, st.value))
				continue
			}
			if st.name == "IsCasFailoverEnabled" {
				sv.IsCasFailoverEnabled = &b
			} else {
				sv.EnableParallelCommandSupport = &b
			}
		}
	}
	for _, o := range s.other {
		sv.noteNotification(o)
		if _, dup := sv.Other[o.name]; dup {
			continue
		}
		v := o.value
		if looksSecret(o.name) && v != "" {
			v = "<redacted>"
		}
		sv.Other[o.name] = v
		sv.Lines[o.name] = o.line
	}
	return sv, nil
}

func (sv *Service) noteNotification(o setting) {
	name, parent := strings.ToLower(o.name), strings.ToLower(o.parent)
	inNotif := strings.Contains(parent, "notif")
	if !strings.Contains(name, "notif") && !inNotif {
		return
	}
	path := o.name
	if o.parent != "" {
		path = o.parent + "/" + o.name
	}
	if strings.Contains(name, "enable") {
		if b, ok := parseBool(o.value); ok {
			if sv.Notification == nil {
				sv.Notification = &Notification{}
			}
			if sv.Notification.Enabled == nil {
				sv.Notification.Enabled, sv.Notification.EnabledSetting = &b, path
			}
		}
		return
	}
	v := strings.TrimSpace(o.value)
	accountLike := v != "" && !strings.ContainsAny(v, " \t") && (strings.Contains(v, "@") || strings.Contains(v, `\`))
	named := strings.Contains(name, "notif") || strings.Contains(name, "user") || strings.Contains(name, "account") ||
		strings.Contains(name, "address") || strings.Contains(name, "mail") || strings.Contains(name, "upn")
	if !accountLike || !named || looksSecret(name) {
		return
	}
	if sv.Notification == nil {
		sv.Notification = &Notification{}
	}
	if sv.Notification.Account == "" {
		sv.Notification.Account, sv.Notification.Setting, sv.Notification.Line = v, path, o.line
	}
}

func looksSecret(name string) bool {
	n := strings.ToLower(name)
	for _, s := range []string{"password", "secret", "token", "credential"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}
