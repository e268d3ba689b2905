package inventory

import (
	"strings"
	"testing"

	"exlog/parse/config"
	"exlog/parse/pscmdlet"
	"exlog/report"
)

const servers2010 = "\r\nName                : EX2010-01\r\nServerRole          : Mailbox, ClientAccess, HubTransport\r\nEdition             : Standard\r\n" +
	"AdminDisplayVersion : Version 14.3 (Build 123.4)\r\nExchangeVersion     : 0.1 (8.0.535.0)\r\n\r\n"

func staleDevices() string {
	return device("Zoë Müller", "ApplOld", "Allowed", "Global", "1/2/2023 3:15:22 PM") +
		device("Zoë Müller", "ApplNew", "Allowed", "Global", "11/24/2023 3:15:22 PM")
}

// The stale-device remedy names the cmdlet that exists on the Exchange the
// exports show; both, each with its versions, when they show none or both.
func TestRemoveCmdletFollowsExchangeVersion(t *testing.T) {
	cases := []struct {
		name, extra   string
		want, notWant string
	}{
		{"2010 server", servers2010, "Remove-ActiveSyncDevice -Identity", "Remove-MobileDevice"},
		{"2016 server (CSV)", "", "Remove-MobileDevice -Identity", "Remove-ActiveSyncDevice"},
		{"2013+ mailbox object", "\r\nUserPrincipalName : a@contoso.com\r\nExchangeVersion   : 0.20 (15.0.0.0)\r\nIdentity          : contoso.com/Users/A\r\n", "Remove-MobileDevice -Identity", "Remove-ActiveSyncDevice"},
		{"unknown", "", "on Exchange 2013 or later, Remove-ActiveSyncDevice on Exchange 2010; the exports show no Exchange version", ""},
		{"mixed", servers2010 + "Name                : EX2016-01\r\nAdminDisplayVersion : Version 15.1 (Build 2507.6)\r\n", "from Exchange 2013 or later, Remove-ActiveSyncDevice from Exchange 2010; the exports show both", ""},
	}
	for _, c := range cases {
		b := NewBuilder()
		feed(t, b, pscmdlet.NewListReader, "dev.txt", staleDevices())
		switch {
		case c.name == "2016 server (CSV)":
			feed(t, b, pscmdlet.NewCSVReader, "servers.csv", "\"Name\",\"AdminDisplayVersion\",\"ServerRole\"\r\n\"EX16\",\"Version 15.1 (Build 2507.6)\",\"Mailbox\"\r\n")
		case c.extra != "":
			feed(t, b, pscmdlet.NewListReader, "more.txt", c.extra)
		}
		_, fs := b.Finish()
		st := byID(fs, IDDeviceStale)
		if len(st) != 1 {
			t.Errorf("%s: stale findings %v", c.name, fs)
			continue
		}
		if !strings.Contains(st[0].Remedy, c.want) || (c.notWant != "" && strings.Contains(st[0].Remedy, c.notWant)) {
			t.Errorf("%s: remedy %q", c.name, st[0].Remedy)
		}
	}
}

// The environment names each version with the field and object it came
// from, and notes a server below Exchange 2010 SP3.
func TestExchangeVersionsInEnvironment(t *testing.T) {
	b := NewBuilder()
	feed(t, b, pscmdlet.NewListReader, "servers.txt", servers2010+
		"Name                : EX2010-OLD\r\nAdminDisplayVersion : Version 14.2 (Build 247.5)\r\n\r\n"+
		"Name                : EX2019\r\nAdminDisplayVersion : Version 15.2 (Build 1118.7)\r\n")
	feed(t, b, pscmdlet.NewListReader, "mbx.txt", "UserPrincipalName : a@contoso.com\r\nExchangeVersion   : 0.10 (14.0.100.0)\r\nIdentity          : contoso.com/Users/A\r\n\r\n"+
		"UserPrincipalName : b@contoso.com\r\nExchangeVersion   : 0.10 (14.0.100.0)\r\nIdentity          : contoso.com/Users/B\r\n")
	b.Finish()
	env := &report.Environment{}
	b.Exchange().Environment(env)
	all := strings.Join(env.Exchange, "\n")
	for _, want := range []string{
		"Exchange 2010 SP3 on EX2010-01 (AdminDisplayVersion Version 14.3 (Build 123.4), servers.txt line 2)",
		"Exchange 2010 SP2 on EX2010-OLD",
		"Exchange 2019 or Subscription Edition on EX2019",
		"Exchange 2010: 2 mailbox object(s) with ExchangeVersion 0.10 (14.0.100.0) (first: mbx.txt line 1); object versions name no service pack",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("environment lacks %q:\n%s", want, all)
		}
	}
	if len(env.Notes) != 1 || !strings.Contains(env.Notes[0], "EX2010-OLD runs Exchange 2010 SP2: the Intune Exchange connector requires Exchange 2010 SP3 or later") {
		t.Errorf("notes %v", env.Notes)
	}
	// No version fields: nothing claimed.
	b = NewBuilder()
	feed(t, b, pscmdlet.NewListReader, "dev.txt", staleDevices())
	b.Finish()
	env = &report.Environment{}
	b.Exchange().Environment(env)
	if len(env.Exchange) != 0 || len(env.Notes) != 0 {
		t.Errorf("versions from nothing: %+v", env)
	}
}

// The notification account: from the configuration, judged against its
// mailbox when the exports hold it, "can't tell" when they do not.
func TestNotificationAccount(t *testing.T) {
	on := true
	n := &config.Notification{Account: "Intune-Notify@contoso.com", Setting: "X/UserName", Line: 7, Enabled: &on, EnabledSetting: "X/Enabled"}
	for _, c := range []struct {
		mbx, mailbox, text, note string
	}{
		{"UserPrincipalName : intune-notify@contoso.com\r\nEmailAddresses : {SMTP:Intune-Notify@contoso.com}\r\nIdentity : contoso.com/Users/Intune Notify\r\n", "matches", "UPN equals primary SMTP address", ""},
		{"UserPrincipalName : intune-notify@contoso.local\r\nEmailAddresses : {smtp:intune-notify@contoso.com, SMTP:notify@contoso.com}\r\nIdentity : contoso.com/Users/Intune Notify\r\n", "mismatch", "UPN intune-notify@contoso.local differs from primary SMTP address notify@contoso.com", "Microsoft requires them equal"},
		{"UserPrincipalName : someone@contoso.com\r\nEmailAddresses : {SMTP:someone@contoso.com}\r\n", "", "can't tell", ""},
	} {
		b := NewBuilder()
		feed(t, b, pscmdlet.NewListReader, "mbx.txt", c.mbx)
		b.Finish()
		na, note := b.Notification(n, "case.zip!svc.xml")
		if na == nil || na.Mailbox != c.mailbox || !strings.Contains(na.Text, c.text) || !strings.Contains(na.Text, "notifications on (X/Enabled)") ||
			!strings.Contains(na.Origin, "case.zip!svc.xml (X/UserName, line 7)") || (c.note == "") != (note == "") || !strings.Contains(note, c.note) {
			t.Errorf("%q: %+v note %q", c.mbx, na, note)
		}
	}
	if na, _ := NewBuilder().Notification(nil, "x"); na != nil {
		t.Errorf("nothing configured: %+v", na)
	}
}
