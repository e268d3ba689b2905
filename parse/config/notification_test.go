package config

import (
	"strings"
	"testing"

	"exlog/event"
)

// The notification account's element names are undocumented: several
// plausible layouts are read, and a file without one says nothing.
func TestServiceNotificationAccount(t *testing.T) {
	cases := []struct {
		xml, account, setting string
		enabled               *bool
	}{
		{`<C><ExchangeWebServiceURL/><ExchangeConnectorNotificationAccount><UserName>svc-intune-notify@contoso.com</UserName><Password>x</Password></ExchangeConnectorNotificationAccount></C>`,
			"svc-intune-notify@contoso.com", "ExchangeConnectorNotificationAccount/UserName", nil},
		{"<C>\r\n<IsCasFailoverEnabled>true</IsCasFailoverEnabled>\r\n<NotificationsEnabled>True</NotificationsEnabled>\r\n<NotificationAccountName>FABRIKAM\\intune-mail</NotificationAccountName>\r\n</C>",
			`FABRIKAM\intune-mail`, "C/NotificationAccountName", ptrBool(true)},
		{`<C><IsCasFailoverEnabled>true</IsCasFailoverEnabled><Notification><Enabled>false</Enabled><EmailAddress>noreply@fabrikam.net</EmailAddress></Notification></C>`,
			"noreply@fabrikam.net", "Notification/EmailAddress", ptrBool(false)},
	}
	for _, c := range cases {
		sv, err := ReadService(strings.NewReader(c.xml), "svc.xml", func(event.ReadWarning) {}, event.Caps{})
		if err != nil {
			t.Fatal(err)
		}
		n := sv.Notification
		if n == nil || n.Account != c.account || n.Setting != c.setting || n.Line < 1 {
			t.Errorf("%s: notification %+v", c.xml, n)
			continue
		}
		if (c.enabled == nil) != (n.Enabled == nil) || (c.enabled != nil && *c.enabled != *n.Enabled) {
			t.Errorf("%s: enabled %v", c.xml, n.Enabled)
		}
	}
	// A password or a non-account value is never taken for the account;
	// no notification element: nil.
	for _, x := range []string{
		`<C><IsCasFailoverEnabled>true</IsCasFailoverEnabled><NotificationPassword>a@b\c</NotificationPassword></C>`,
		`<C><IsCasFailoverEnabled>true</IsCasFailoverEnabled><NotificationTemplate>Hello user@x</NotificationTemplate></C>`,
		`<C><IsCasFailoverEnabled>true</IsCasFailoverEnabled><UserName>svc@contoso.com</UserName></C>`,
	} {
		sv, err := ReadService(strings.NewReader(x), "svc.xml", func(event.ReadWarning) {}, event.Caps{})
		if err != nil {
			t.Fatal(err)
		}
		if sv.Notification != nil && sv.Notification.Account != "" {
			t.Errorf("%s: account %q", x, sv.Notification.Account)
		}
	}
}

func ptrBool(b bool) *bool { return &b }
