package pscmdlet

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"exlog/event"
)

// readAll drains a reader, collecting warnings; it fails the test on a
// non-EOF error or when the reader does not stop.
func readAll(t testing.TB, rd Reader) ([]*Record, []event.ReadWarning) {
	t.Helper()
	var recs []*Record
	for i := 0; ; i++ {
		if i > 1_000_000 {
			t.Fatal("reader does not stop")
		}
		r, err := rd.Next()
		if errors.Is(err, io.EOF) {
			if r != nil {
				t.Fatal("record returned with io.EOF")
			}
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		recs = append(recs, r)
	}
	return recs, nil
}

// open runs newReader over a testdata file or string and returns records and warnings.
// withCaps wraps a reader constructor so that its readers use caps.
func withCaps(newReader func(io.Reader, string, func(event.ReadWarning)) Reader, caps event.Caps) func(io.Reader, string, func(event.ReadWarning)) Reader {
	return func(r io.Reader, path string, warn func(event.ReadWarning)) Reader {
		rd := newReader(r, path, warn)
		rd.SetCaps(caps)
		return rd
	}
}

func run(t testing.TB, newReader func(io.Reader, string, func(event.ReadWarning)) Reader, name, text string) ([]*Record, []event.ReadWarning) {
	t.Helper()
	var warns []event.ReadWarning
	var r io.Reader = strings.NewReader(text)
	if text == "" {
		f, err := os.Open(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r = f
	}
	recs, _ := readAll(t, newReader(r, name, func(w event.ReadWarning) { warns = append(warns, w) }))
	return recs, warns
}

func mustGet(t *testing.T, r *Record, name string) Value {
	t.Helper()
	v, ok := r.Get(name)
	if !ok {
		t.Fatalf("record at line %d offset %d has no %s", r.Line, r.Offset, name)
	}
	return v
}

func TestListSample(t *testing.T) {
	recs, warns := run(t, NewListReader, "users-fl.txt", "")
	if len(warns) != 0 {
		t.Errorf("warnings on a clean export: %v", warns)
	}
	kinds := make([]Kind, len(recs))
	for i, r := range recs {
		kinds[i] = r.Kind
	}
	want := []Kind{KindDeviceStats, KindDeviceStats, KindDeviceStats, KindCASMailbox, KindCASMailbox, KindCASMailbox}
	if !reflect.DeepEqual(kinds, want) {
		t.Fatalf("kinds = %v, want %v", kinds, want)
	}
	if recs[0].Line != 3 || recs[0].Offset != -1 {
		t.Errorf("first record at line %d offset %d, want line 3 (after two blank lines), offset -1", recs[0].Line, recs[0].Offset)
	}
	if recs[1].Line <= recs[0].Line+len(recs[0].Props) {
		t.Errorf("second record line %d not after the first (%d + %d props)", recs[1].Line, recs[0].Line, len(recs[0].Props))
	}
	// wrapped value rejoined exactly, non-ASCII kept
	if got, want := mustGet(t, recs[0], "identity").Raw, "contoso.com/Users/Zoë Müller/ExchangeActiveSyncDevices/iPhone§ApplF17XK2M0JC69"; got != want {
		t.Errorf("Identity = %q, want %q", got, want)
	}
	if got := mustGet(t, recs[0], "DeviceFriendlyName").Raw; got != "Zoë’s iPhone" {
		t.Errorf("DeviceFriendlyName = %q", got)
	}
	if got, _ := recs[0].Enum("DeviceAccessStateReason"); got != "ExternallyManaged" {
		t.Errorf("reason = %q", got)
	}
	// empty value
	if v := mustGet(t, recs[0], "DeviceImei"); v.Raw != "" || v.IsList {
		t.Errorf("DeviceImei = %+v, want empty", v)
	}
	// truncated, wrapped collection
	ea := mustGet(t, recs[3], "EmailAddresses")
	if !ea.IsList || !ea.Truncated {
		t.Errorf("Zoë's EmailAddresses IsList=%v Truncated=%v, want both", ea.IsList, ea.Truncated)
	}
	wantItems := []string{"SMTP:zoe.muller@contoso.com", "smtp:zoe.mueller@contoso.com", "smtp:zm@contoso.com", "smtp:zoe.muller@contoso.mail.onmicrosoft.com"}
	if !reflect.DeepEqual(ea.Items, wantItems) {
		t.Errorf("items = %q, want %q", ea.Items, wantItems)
	}
	ea = mustGet(t, recs[4], "EmailAddresses")
	if ea.Truncated || len(ea.Items) != 2 || ea.Items[1] != "smtp:adele@contoso.com" {
		t.Errorf("Adele's EmailAddresses = %+v", ea)
	}
	if b := mustGet(t, recs[3], "ActiveSyncBlockedDeviceIDs"); !b.IsList || len(b.Items) != 0 || b.Truncated {
		t.Errorf("empty collection = %+v", b)
	}
	if got := mustGet(t, recs[5], "LegacyExchangeDN").Raw; got != "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=joerg.weiss" {
		t.Errorf("LegacyExchangeDN = %q", got)
	}
	if v, ok := recs[5].Bool("ActiveSyncEnabled"); !ok || v {
		t.Errorf("Jörg ActiveSyncEnabled = %v,%v, want false,true", v, ok)
	}
	if v, ok := recs[4].Bool("HasActiveSyncDevicePartnership"); !ok || !v {
		t.Errorf("Adele partnership = %v,%v", v, ok)
	}
}

func TestListLayout(t *testing.T) {
	// LF line ends, leading blank lines, trailing whitespace, a value with
	// " : " in it, a wrap landing on a space (kept), a label column that
	// differs between objects, an empty value with the trailing space trimmed.
	text := "\n\n\n" +
		"StatusNote   : Error : sync failed : 0x80004005   \n" +
		"DeviceID     : ABC123\n" +
		"Comment      : first part and\n" +
		"                second part\n" +
		"Empty        :\n" +
		"DeviceModel  : iPhone  \n" +
		"\n  \t\n" +
		"DefaultAccessLevel : Quarantine\n" +
		"Name               : Default\n"
	recs, warns := run(t, NewListReader, "x.txt", text)
	if len(warns) != 0 {
		t.Fatalf("warnings: %v", warns)
	}
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2", len(recs))
	}
	r := recs[0]
	if r.Line != 4 {
		t.Errorf("line = %d, want 4", r.Line)
	}
	if got := mustGet(t, r, "StatusNote").Raw; got != "Error : sync failed : 0x80004005" {
		t.Errorf("StatusNote = %q", got)
	}
	if got := mustGet(t, r, "comment").Raw; got != "first part and second part" {
		t.Errorf("Comment = %q (continuation must keep its leading space beyond the indent)", got)
	}
	if got := mustGet(t, r, "Empty").Raw; got != "" {
		t.Errorf("Empty = %q", got)
	}
	if got := mustGet(t, r, "DeviceModel").Raw; got != "iPhone" {
		t.Errorf("DeviceModel = %q", got)
	}
	if r.Kind != KindDeviceStats { // DeviceID + DeviceModel
		t.Errorf("kind = %v", r.Kind)
	}
	if recs[1].Kind != KindOrgSettings || recs[1].Line != 12 {
		t.Errorf("second: kind %v line %d, want org-settings at 12", recs[1].Kind, recs[1].Line)
	}
	if got, _ := recs[1].Enum("DefaultAccessLevel"); got != "Quarantine" {
		t.Errorf("DefaultAccessLevel = %q", got)
	}
}

func TestListKinds(t *testing.T) {
	text := "\r\n" +
		"EmailAddresses : {SMTP:megan.bowen@contoso.com, smtp:megan@contoso.com}\r\n" +
		"\r\n" +
		"UserPrincipalName  : megan.bowen@contoso.com\r\n" +
		"ActiveSyncEnabled  : True\r\n" +
		"\r\n" +
		"Name : something\r\n" +
		"Size : 3\r\n"
	recs, _ := run(t, NewListReader, "k.txt", text)
	var got []string
	for _, r := range recs {
		got = append(got, r.Kind.String())
	}
	if want := []string{"mailbox", "cas-mailbox", "generic"}; !reflect.DeepEqual(got, want) {
		t.Errorf("kinds = %v, want %v", got, want)
	}
}

func TestListMalformed(t *testing.T) {
	text := "   orphan continuation\r\n" +
		"DeviceID          : ABC\r\n" +
		"DeviceAccessState : Blocked\r\n" +
		"this line is not a property\r\n" +
		"   nor is this continuation\r\n" +
		"DeviceType        : iPhone\r\n" +
		"\r\n" +
		"DeviceID          : DEF\r\n" +
		"DeviceAccessState : Allowed\r\n"
	recs, warns := run(t, NewListReader, "bad.txt", text)
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2", len(recs))
	}
	if !recs[0].Partial || recs[1].Partial {
		t.Errorf("Partial = %v,%v, want true,false", recs[0].Partial, recs[1].Partial)
	}
	if got := recs[0].Text("DeviceType"); got != "iPhone" {
		t.Errorf("property after garbage lost: DeviceType = %q", got)
	}
	if got := recs[0].Text("DeviceAccessState"); got != "Blocked" {
		t.Errorf("garbage glued onto the previous value: %q", got)
	}
	var lines []int
	for _, w := range warns {
		lines = append(lines, w.Origin.Line)
		if w.Origin.Path != "bad.txt" || w.Message == "" || w.Kind.String() == "" {
			t.Errorf("incomplete warning %+v", w)
		}
	}
	if want := []int{1, 4, 5}; !reflect.DeepEqual(lines, want) {
		t.Errorf("warning lines = %v, want %v (%v)", lines, want, warns)
	}
}

func TestListLongLine(t *testing.T) {
	text := "DeviceID : " + strings.Repeat("x", event.DefaultMaxLine+100) + "\nDeviceType : y\n"
	recs, warns := run(t, NewListReader, "long.txt", text)
	if len(recs) != 1 || !recs[0].Partial || len(warns) != 1 || warns[0].Kind.String() != "long-line" {
		t.Fatalf("recs=%d warns=%v", len(recs), warns)
	}
	if got := recs[0].Text("DeviceType"); got != "y" {
		t.Errorf("line after the long one: %q", got)
	}
	// --max-line 200: a 300-byte line is cut at 200 bytes.
	text = "DeviceID : " + strings.Repeat("x", 300) + "\nDeviceType : y\n"
	recs, warns = run(t, withCaps(NewListReader, event.Caps{MaxLine: 200}), "long.txt", text)
	if len(recs) != 1 || len(warns) != 1 || !strings.Contains(warns[0].Message, "200 bytes") || len(recs[0].Text("DeviceID")) != 200-len("DeviceID : ") {
		t.Fatalf("MaxLine 200: recs=%d warns=%v", len(recs), warns)
	}
}

func TestCollections(t *testing.T) {
	for _, c := range []struct {
		raw       string
		list      bool
		truncated bool
		items     []string
	}{
		{"{}", true, false, []string{}},
		{"{a}", true, false, []string{"a"}},
		{"{a, b, c, d...}", true, true, []string{"a", "b", "c", "d"}},
		{"{a, b, c, d…}", true, true, []string{"a", "b", "c", "d"}},
		{"{...}", true, true, []string{}},
		{"plain", false, false, nil},
		{"{unclosed", false, false, nil},
	} {
		v := Value{Raw: c.raw}
		parseCollection(&v)
		if v.IsList != c.list || v.Truncated != c.truncated || !reflect.DeepEqual(v.Items, c.items) {
			t.Errorf("%q → list=%v trunc=%v items=%q", c.raw, v.IsList, v.Truncated, v.Items)
		}
	}
}

func TestDetect(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 8<<10 {
			b = b[:8<<10]
		}
		return b
	}
	eventText := []byte("Log Name:      System\r\nSource:        Service Control Manager\r\nDate:          11/24/2026 3:15:22 PM\r\nEvent ID:      7000\r\n")
	eventCSV := []byte("Level,Date and Time,Source,Event ID,Task Category\r\nError,11/24/2026 3:15:22 PM,Service Control Manager,7000,None,\"The service did not start\"\r\n")
	trace := []byte(`<E2ETraceEvent xmlns="http://schemas.microsoft.com/2004/06/E2ETraceEvent"><System xmlns="http://schemas.microsoft.com/2004/06/windows/eventlog/system">`)
	prose := []byte("Hello,\r\nplease find attached the logs : thanks\r\nAdele\r\n")
	for _, c := range []struct {
		name              string
		head              []byte
		list, csv, clixml bool
	}{
		{"users-fl.txt", read("users-fl.txt"), true, false, false},
		{"devices-de-ps51.csv", read("devices-de-ps51.csv"), false, true, false},
		{"casmailbox-ps7.csv", read("casmailbox-ps7.csv"), false, true, false},
		{"users.clixml", read("users.clixml"), false, false, true},
		{"event-text", eventText, false, false, false},
		{"event-csv", eventCSV, false, false, false},
		{"trace", trace, false, false, false},
		{"prose", prose, false, false, false},
		{"empty", nil, false, false, false},
	} {
		if got := DetectList(c.head); got != c.list {
			t.Errorf("DetectList(%s) = %v", c.name, got)
		}
		if got := DetectCSV(c.head); got != c.csv {
			t.Errorf("DetectCSV(%s) = %v", c.name, got)
		}
		if got := DetectCliXML(c.head); got != c.clixml {
			t.Errorf("DetectCliXML(%s) = %v", c.name, got)
		}
	}
}

func TestListPowerShellNoise(t *testing.T) {
	text := "WARNING: The Get-ActiveSyncDeviceStatistics cmdlet will be removed in a future version of Exchange. Use the Get-MobileDeviceStatistics cmdlet instead.\r\n" +
		"\r\n" +
		"DeviceID          : ApplA1\r\n" +
		"DeviceAccessState : Allowed\r\n" +
		"\r\n" +
		"Get-ActiveSyncDeviceStatistics : The operation couldn't be performed because object 'megan.bowen' couldn't be found on 'DC01.contoso.com'.\r\n" +
		"At line:1 char:1\r\n" +
		"+ Get-ActiveSyncDeviceStatistics -Mailbox megan.bowen\r\n" +
		"+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\r\n" +
		"    + CategoryInfo          : NotSpecified: (:) [Get-ActiveSyncDeviceStatistics], ManagementObjectNotFoundException\r\n" +
		"    + FullyQualifiedErrorId : 8D5B5D5E,Microsoft.Exchange.Management.Tasks.GetMobileDeviceStatistics\r\n" +
		"\r\n" +
		"DeviceID          : ApplB2\r\n" +
		"DeviceAccessState : Quarantined\r\n"
	if !DetectList([]byte(text)) {
		t.Error("not detected with a leading WARNING line")
	}
	recs, warns := run(t, NewListReader, "noise.txt", text)
	if len(recs) != 2 || recs[0].Text("DeviceID") != "ApplA1" || recs[1].Text("DeviceID") != "ApplB2" || recs[0].Partial || recs[1].Partial {
		t.Fatalf("records %d", len(recs))
	}
	if len(warns) != 2 || warns[0].Kind.String() != "powershell-message" || warns[0].Origin.Line != 1 ||
		warns[1].Kind.String() != "powershell-error" || warns[1].Origin.Line != 6 || !strings.Contains(warns[1].Message, "couldn't be found") {
		t.Errorf("warnings %v", warns)
	}
}
