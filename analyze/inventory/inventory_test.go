package inventory

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"exlog/event"
	"exlog/parse/pscmdlet"
	"exlog/report"
)

type newReader func(io.Reader, string, func(event.ReadWarning)) pscmdlet.Reader

// feed parses text (or the file at path when text is "") and adds every
// record to b under the name origin.
func feed(t *testing.T, b *Builder, nr newReader, origin, text string) {
	t.Helper()
	var r io.Reader = strings.NewReader(text)
	if text == "" {
		f, err := os.Open(origin)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r = f
	}
	rd := nr(r, origin, func(w event.ReadWarning) { t.Errorf("warning: %v", w) })
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		b.Add(rec, origin)
	}
}

func byID(fs []report.Finding, id string) []report.Finding {
	var out []report.Finding
	for _, f := range fs {
		if f.ID == id {
			out = append(out, f)
		}
	}
	return out
}

func checkFinding(t *testing.T, f report.Finding) {
	t.Helper()
	if f.Title == "" || f.Remedy == "" || !strings.HasPrefix(f.Docs, "https://learn.microsoft.com/") || f.Category == "" ||
		f.Severity == report.SeverityInvalid || f.Source != "check" || f.Count < 1 || len(f.Evidence) == 0 || len(f.Evidence) > report.MaxEvidence {
		t.Errorf("incomplete finding %+v", f)
	}
	for _, e := range f.Evidence {
		if e.Origin == "" || (e.Line < 1 && e.Offset == nil) || e.Text == "" {
			t.Errorf("evidence without origin: %+v", e)
		}
	}
}

const mailboxes = "\r\n\r\n" +
	"UserPrincipalName : zoe.mueller@contoso.com\r\n" +
	"EmailAddresses    : {SMTP:zoe.muller@contoso.com, smtp:zoe.mueller@contoso.com}\r\n" +
	"Identity          : contoso.com/Users/Zoë Müller\r\n" +
	"\r\n" +
	"UserPrincipalName : Adele.Vance@contoso.com\r\n" +
	"EmailAddresses    : {smtp:adele@contoso.com, SMTP:adele.vance@contoso.com}\r\n" +
	"Identity          : contoso.com/Users/Adele Vance\r\n" +
	"\r\n" +
	"UserPrincipalName : megan.bowen@contoso.com\r\n" +
	"EmailAddresses    : {smtp:a@contoso.com, smtp:b@contoso.com, smtp:c@contoso.com, smtp:d@contoso.com...}\r\n" +
	"Identity          : contoso.com/Users/Megan Bowen\r\n" +
	"\r\n" +
	"UserPrincipalName : lee.gu@contoso.com\r\n" +
	"PrimarySmtpAddress : lee.gu@fabrikam.com\r\n" +
	"Identity          : contoso.com/Users/Lee Gu\r\n"

func TestSMTPUPNMismatch(t *testing.T) {
	b := NewBuilder()
	feed(t, b, pscmdlet.NewListReader, "mbx.txt", mailboxes)
	inv, fs := b.Finish()
	got := byID(fs, IDSMTPUPNMismatch)
	if len(got) != 1 {
		t.Fatalf("findings %v", fs)
	}
	f := got[0]
	checkFinding(t, f)
	if f.Count != 2 || !strings.Contains(f.Title, "zoe.muller@contoso.com") || !strings.Contains(f.Title, "lee.gu@fabrikam.com") ||
		strings.Contains(f.Title, "adele") || !strings.Contains(f.Title, "1 more could not be checked") {
		t.Errorf("finding %q count %d", f.Title, f.Count)
	}
	if f.Evidence[0].Origin != "mbx.txt" || f.Evidence[0].Line != 3 {
		t.Errorf("evidence origin %+v", f.Evidence[0])
	}
	if inv.Extra["smtp_upn_unknown"] != "1" || inv.Extra["smtp_upn_checked"] != "3" || inv.Mailboxes != 4 || inv.Users != 4 {
		t.Errorf("inventory %+v", inv)
	}
	if !reflect.DeepEqual(inv.UsersWithProblems, []report.UserProblem{
		{User: "lee.gu@fabrikam.com", Problems: []string{IDSMTPUPNMismatch}},
		{User: "zoe.muller@contoso.com", Problems: []string{IDSMTPUPNMismatch}},
	}) {
		t.Errorf("users with problems %+v", inv.UsersWithProblems)
	}

	// all matching: no finding
	b = NewBuilder()
	feed(t, b, pscmdlet.NewListReader, "ok.txt", "UserPrincipalName : a@contoso.com\nEmailAddresses : {SMTP:A@Contoso.com}\n")
	if _, fs := b.Finish(); len(byID(fs, IDSMTPUPNMismatch)) != 0 {
		t.Errorf("case-only difference flagged: %v", fs)
	}
}

const cas = "" +
	"Identity                       : contoso.com/Users/Zoë Müller\r\n" +
	"PrimarySmtpAddress             : zoe.muller@contoso.com\r\n" +
	"ActiveSyncEnabled              : True\r\n" +
	"HasActiveSyncDevicePartnership : False\r\n" +
	"\r\n" +
	"Identity                       : contoso.com/Users/Adele Vance\r\n" +
	"PrimarySmtpAddress             : adele.vance@contoso.com\r\n" +
	"ActiveSyncEnabled              : False\r\n" +
	"HasActiveSyncDevicePartnership : False\r\n" +
	"\r\n" +
	"Identity                       : contoso.com/Users/Lee Gu\r\n" +
	"PrimarySmtpAddress             : lee.gu@contoso.com\r\n" +
	"ActiveSyncEnabled              : True\r\n" +
	"HasActiveSyncDevicePartnership : False\r\n" +
	"\r\n" +
	"Identity                       : contoso.com/Users/Megan Bowen\r\n" +
	"PrimarySmtpAddress             : megan.bowen@contoso.com\r\n" +
	"ActiveSyncEnabled              : True\r\n" +
	"HasActiveSyncDevicePartnership : True\r\n"

// device returns one Format-List device object.
func device(owner, id, state, reason, lastSync string) string {
	return "DeviceID                : " + id + "\r\n" +
		"DeviceType              : iPhone\r\n" +
		"LastSuccessSync         : " + lastSync + "\r\n" +
		"Identity                : contoso.com/Users/" + owner + "/ExchangeActiveSyncDevices/iPhone§" + id + "\r\n" +
		"DeviceAccessState       : " + state + "\r\n" +
		"DeviceAccessStateReason : " + reason + "\r\n\r\n"
}

func TestActiveSyncDisabled(t *testing.T) {
	b := NewBuilder()
	feed(t, b, pscmdlet.NewListReader, "cas.txt", cas)
	// Zoë has a device (partnership False → flagged); Lee has none (not flagged);
	// Adele has ActiveSync off (flagged); Megan is fine.
	feed(t, b, pscmdlet.NewListReader, "dev.txt", device("Zoë Müller", "ApplA1", "Allowed", "Global", "11/24/2026 3:15:22 PM"))
	inv, fs := b.Finish()
	got := byID(fs, IDActiveSyncOff)
	if len(got) != 1 {
		t.Fatalf("findings %v", fs)
	}
	checkFinding(t, got[0])
	if got[0].Count != 2 || !strings.Contains(got[0].Title, "zoe.muller@contoso.com") || !strings.Contains(got[0].Title, "adele.vance@contoso.com") || strings.Contains(got[0].Title, "lee.gu") {
		t.Errorf("title %q count %d", got[0].Title, got[0].Count)
	}
	if inv.Users != 4 || inv.CASMailboxes != 4 || inv.Devices != 1 {
		t.Errorf("inventory %+v", inv)
	}

	b = NewBuilder()
	feed(t, b, pscmdlet.NewListReader, "cas.txt", cas[strings.Index(cas, "Identity                       : contoso.com/Users/Megan"):])
	if _, fs := b.Finish(); len(byID(fs, IDActiveSyncOff)) != 0 {
		t.Errorf("fired for an enabled user: %v", fs)
	}
}

func TestDeviceQuarantinedAndStale(t *testing.T) {
	b := NewBuilder()
	feed(t, b, pscmdlet.NewListReader, "dev.txt", ""+
		device("Zoë Müller", "ApplA1", "Quarantined", "ExternalEnrollment", "11/24/2026 3:15:22 PM")+
		device("Adele Vance", "ApplB2", "quarantined", "externalenrollment", "11/1/2026 9:00:00 AM")+
		device("Adele Vance", "ApplB3", "Blocked", "ExternalCompliance", "10/2/2026 8:01:44 AM")+
		device("Lee Gu", "ApplC4", "Quarantined", "DeviceRule", "")+
		device("Megan Bowen", "ApplD5", "Allowed", "ExternallyManaged", "1/1/0001 12:00:00 AM"))
	inv, fs := b.Finish()
	q := byID(fs, IDDeviceQuarantined)
	if len(q) != 2 {
		t.Fatalf("quarantine findings %v", q)
	}
	for _, f := range q {
		checkFinding(t, f)
	}
	if q[0].Key != "ExternalCompliance" || q[0].Count != 1 || q[1].Key != "ExternalEnrollment" || q[1].Count != 2 ||
		!strings.Contains(q[1].Title, "contoso.com/Users/Zoë Müller") || !strings.Contains(q[1].Title, "for 2 users") {
		t.Errorf("quarantine %q/%d %q/%d: %s", q[0].Key, q[0].Count, q[1].Key, q[1].Count, q[1].Title)
	}
	if inv.Devices != 5 || inv.DevicesByAccessState["Quarantined"] != 3 || inv.DevicesByReason["ExternalEnrollment"] != 2 || inv.Users != 4 {
		t.Errorf("inventory %+v", inv)
	}
	s := byID(fs, IDDeviceStale)
	if len(s) != 1 {
		t.Fatalf("stale findings %v", s)
	}
	checkFinding(t, s[0])
	// newest 11/24: 10/2 is 53 days older (stale), 11/1 is 23 (not);
	// DateTime.MinValue means never synced (stale), but an empty last
	// sync of a quarantined device is its access rule at work (not
	// stale); Last is the stale device's own last sync (10/2), not the
	// newest (11/24) (a Format-List display time: local of an unknown
	// zone, never "Z")
	if s[0].Count != 2 || strings.Contains(s[0].Title, "ambiguous") || s[0].Last != nil || !strings.HasPrefix(s[0].LastLocal, "2026-10-02") || s[0].TimeZone != report.ZoneUnknown {
		t.Errorf("stale %q count %d", s[0].Title, s[0].Count)
	}
	var texts []string
	for _, e := range s[0].Evidence {
		texts = append(texts, e.Text)
	}
	all := strings.Join(texts, "|")
	if !strings.Contains(all, "ApplB3 last synced 10/2/2026") || strings.Contains(all, "ApplC4") || !strings.Contains(all, "ApplD5 never") || strings.Contains(all, "ApplB2") {
		t.Errorf("stale evidence %q", all)
	}
}

func TestStaleAmbiguousAndNotFiring(t *testing.T) {
	b := NewBuilder()
	feed(t, b, pscmdlet.NewListReader, "dev.txt", device("Zoë Müller", "ApplA1", "Allowed", "Global", "10/11/2026 3:15:22 PM")+
		device("Adele Vance", "ApplB2", "Allowed", "Global", "3/2/2026 9:00:00 AM"))
	inv, fs := b.Finish()
	s := byID(fs, IDDeviceStale)
	if len(s) != 1 || !strings.Contains(s[0].Title, "2 dates were ambiguous") || inv.Extra["last_sync_ambiguous"] != "2" {
		t.Errorf("ambiguous dates not noted: %v %v", s, inv.Extra)
	}
	b = NewBuilder()
	feed(t, b, pscmdlet.NewListReader, "dev.txt", device("Zoë Müller", "ApplA1", "Allowed", "Global", "11/24/2026 3:15:22 PM")+
		device("Adele Vance", "ApplB2", "Allowed", "Global", "11/13/2026 9:00:00 AM"))
	if _, fs := b.Finish(); len(byID(fs, IDDeviceStale)) != 0 || len(byID(fs, IDDeviceQuarantined)) != 0 {
		t.Errorf("fired on fresh allowed devices: %v", fs)
	}
}

func TestDefaultAccess(t *testing.T) {
	for level, fires := range map[string]bool{"Quarantine": true, "block": true, "Allow": false} {
		b := NewBuilder()
		feed(t, b, pscmdlet.NewListReader, "org.txt", "RunspaceId         : 5f6e7a8b-1c2d-4e3f-9a0b-1c2d3e4f5a6b\r\nDefaultAccessLevel : "+level+"\r\nUserMailInsert     :\r\nIdentity           : Mobile Mailbox Settings\r\n")
		inv, fs := b.Finish()
		got := byID(fs, IDDefaultNotAllow)
		if (len(got) == 1) != fires || !strings.EqualFold(inv.DefaultAccessLevel, level) {
			t.Errorf("%s: findings %v, level %q", level, got, inv.DefaultAccessLevel)
		}
		if fires {
			checkFinding(t, got[0])
			if got[0].Evidence[0].Line != 1 { // the object's first line
				t.Errorf("evidence %+v", got[0].Evidence[0])
			}
		}
	}
}

// The pscmdlet samples hold the same three users in three formats: joined,
// they must make three users with one device each, whatever the format.
func TestSamplesAcrossFormats(t *testing.T) {
	dir := filepath.Join("..", "..", "parse", "pscmdlet", "testdata")
	b := NewBuilder()
	feed(t, b, pscmdlet.NewListReader, filepath.Join(dir, "users-fl.txt"), "")
	feed(t, b, pscmdlet.NewCSVReader, filepath.Join(dir, "devices-de-ps51.csv"), "")
	feed(t, b, pscmdlet.NewCSVReader, filepath.Join(dir, "casmailbox-ps7.csv"), "")
	feed(t, b, pscmdlet.NewCliXMLReader, filepath.Join(dir, "users.clixml"), "")
	inv, fs := b.Finish()
	if inv.Users != 3 || inv.Devices != 3 || inv.CASMailboxes != 3 || inv.Records["device"] != 9 || inv.Records["cas-mailbox"] != 9 {
		t.Fatalf("inventory %+v", inv)
	}
	var ids []string
	for _, f := range fs {
		checkFinding(t, f)
		ids = append(ids, f.ID+"/"+f.Key)
	}
	// Zoë quarantined (ExternallyManaged), Jörg blocked (ExternalCompliance)
	// and ActiveSync off; Adele (10/2) and Jörg (9/30) more than 30 days
	// before Zoë's 11/24 sync.
	want := []string{IDActiveSyncOff + "/", IDDeviceQuarantined + "/ExternalCompliance", IDDeviceQuarantined + "/ExternallyManaged", IDDeviceStale + "/"}
	if !reflect.DeepEqual(ids, want) {
		t.Errorf("findings %v, want %v", ids, want)
	}
	if f := byID(fs, IDDeviceStale); len(f) == 1 && f[0].Count != 2 {
		t.Errorf("stale count %d", f[0].Count)
	}
	var users []string
	for _, u := range inv.UsersWithProblems {
		users = append(users, u.User+":"+strings.Join(u.Problems, ","))
	}
	wantUsers := []string{
		"adele.vance@contoso.com:" + IDDeviceStale,
		"joerg.weiss@contoso.com:" + IDDeviceQuarantined + "," + IDDeviceStale + "," + IDActiveSyncOff, // sorted
		"zoe.muller@contoso.com:" + IDDeviceQuarantined,
	}
	if !reflect.DeepEqual(users, wantUsers) {
		t.Errorf("users %q, want %q", users, wantUsers)
	}
}

func TestJoinedAddressesAndCSVJoin(t *testing.T) {
	b := NewBuilder()
	// PS 5.1 CSV from an ASCII export, addresses joined by the admin
	feed(t, b, pscmdlet.NewCSVReader, "mbx.csv", "#TYPE Selected.Microsoft.Exchange.Data.Directory.Management.Mailbox\r\n"+
		"\"Identity\",\"UserPrincipalName\",\"EmailAddresses\"\r\n"+
		"\"contoso.com/Users/Zo? M?ller\",\"zoe.mueller@contoso.com\",\"smtp:zm@contoso.com;SMTP:zoe.muller@contoso.com\"\r\n")
	// the same user's device from a UTF-8 Format-List export
	feed(t, b, pscmdlet.NewListReader, "dev.txt", device("Zoë Müller", "ApplA1", "Quarantined", "ExternalEnrollment", "11/24/2026 3:15:22 PM"))
	inv, fs := b.Finish()
	if inv.Users != 1 || inv.Devices != 1 || inv.Mailboxes != 1 {
		t.Errorf("lossy identity not joined: %+v", inv)
	}
	if m := byID(fs, IDSMTPUPNMismatch); len(m) != 1 || !strings.Contains(m[0].Evidence[0].Text, "primary SMTP zoe.muller@contoso.com") {
		t.Errorf("joined address list not read: %v", m)
	}
	if q := byID(fs, IDDeviceQuarantined); len(q) != 1 || !strings.Contains(q[0].Title, "zoe.muller@contoso.com") {
		t.Errorf("device not named after the joined user: %v", q)
	}
}

// Every device fails since September: their attempts set "now", so all are stale.
func TestStaleByAttempts(t *testing.T) {
	dev := func(owner, id, success, attempt string) string {
		return "DeviceID            : " + id + "\r\nDeviceType          : iPhone\r\nLastSyncAttemptTime : " + attempt +
			"\r\nLastSuccessSync     : " + success + "\r\nIdentity            : contoso.com/Users/" + owner + "/ExchangeActiveSyncDevices/iPhone§" + id + "\r\n\r\n"
	}
	b := NewBuilder()
	feed(t, b, pscmdlet.NewListReader, "dev.txt", dev("Zoë Müller", "ApplA1", "9/14/2026 3:15:22 PM", "11/24/2026 3:15:22 PM")+
		dev("Adele Vance", "ApplB2", "9/13/2026 9:00:00 AM", "11/24/2026 3:16:00 PM"))
	_, fs := b.Finish()
	// Last is the stale devices' own newest last sync, not the newest
	// attempt the comparison is made against.
	if s := byID(fs, IDDeviceStale); len(s) != 1 || s[0].Count != 2 || !strings.HasPrefix(s[0].LastLocal, "2026-09-14") || !strings.HasPrefix(s[0].FirstLocal, "2026-09-13") {
		t.Errorf("stale %v", s)
	}
}

// Exported times state their zone only as ISO times with "Z" or an offset
// (CliXML); Format-List and CSV display times do not.
func TestHasZone(t *testing.T) {
	for raw, want := range map[string]bool{
		"2020-06-14T15:12:55.123Z":          true,
		"2020-06-14T15:12:55.1234567+02:00": true,
		"2020-06-14T15:12:55-05:00":         true,
		"6/14/2020 3:12:55 PM":              false,
		"14.06.2020 15:12:55":               false,
		"2020-06-14 15:12:55":               false,
		"":                                  false,
	} {
		if got := hasZone(raw); got != want {
			t.Errorf("hasZone(%q) = %v, want %v", raw, got, want)
		}
	}
}

// A device that never synced successfully but first synced within the
// stale limit is new, not stale; one that first synced long ago is stale.
func TestNewDeviceIsNotStale(t *testing.T) {
	dev := func(id, first string) string {
		return "DeviceID                : " + id + "\r\nDeviceType              : iPhone\r\nFirstSyncTime           : " + first +
			"\r\nLastSuccessSync         : \r\nLastSyncAttemptTime     : 11/24/2026 3:15:22 PM\r\nIdentity                : contoso.com/Users/Lee Gu/ExchangeActiveSyncDevices/iPhone§" + id +
			"\r\nDeviceAccessState       : Allowed\r\nDeviceAccessStateReason : Global\r\n\r\n"
	}
	b := NewBuilder()
	feed(t, b, pscmdlet.NewListReader, "dev.txt", dev("ApplN1", "11/22/2026 9:00:00 AM")+dev("ApplO2", "3/1/2026 9:00:00 AM"))
	_, fs := b.Finish()
	s := byID(fs, IDDeviceStale)
	if len(s) != 1 || s[0].Count != 1 || len(s[0].Evidence) != 1 || !strings.Contains(s[0].Evidence[0].Text, "ApplO2") {
		t.Errorf("stale %+v", s)
	}
}
