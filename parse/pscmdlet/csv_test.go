package pscmdlet

import (
	"exlog/event"

	"reflect"
	"strings"
	"testing"
)

func TestCSVPS51Devices(t *testing.T) {
	recs, warns := run(t, NewCSVReader, "devices-de-ps51.csv", "")
	if len(warns) != 0 {
		t.Errorf("warnings on a clean export: %v", warns)
	}
	if len(recs) != 3 {
		t.Fatalf("%d records, want 3", len(recs))
	}
	for i, r := range recs {
		if r.Kind != KindDeviceStats {
			t.Errorf("record %d kind %v", i, r.Kind)
		}
		if r.Line != i+3 { // #TYPE, header, then one line per row
			t.Errorf("record %d at line %d, want %d", i, r.Line, i+3)
		}
		if len(r.TypeNames) != 1 || !strings.HasSuffix(r.TypeNames[0], "ActiveSyncDeviceConfiguration") {
			t.Errorf("type names %q", r.TypeNames)
		}
	}
	id := mustGet(t, recs[0], "Identity")
	if id.Raw != "contoso.com/Users/Zo? M?ller/ExchangeActiveSyncDevices/iPhone?ApplF17XK2M0JC69" || !id.Lossy {
		t.Errorf("Identity = %+v, want the ASCII-mangled text marked Lossy", id)
	}
	if v := mustGet(t, recs[1], "Identity"); !v.Lossy || !strings.Contains(v.Raw, "Android?android") {
		t.Errorf("Adele's identity lost its '§' = %+v, want Lossy", v)
	}
	if v := mustGet(t, recs[1], "DeviceModel"); v.Lossy || v.Raw != "SM-G991B" {
		t.Errorf("DeviceModel = %+v, want plain", v)
	}
	if got, _ := recs[2].Enum("devicEACCESSstate"); got != "Blocked" {
		t.Errorf("state = %q", got)
	}
	cu := &Culture{Ambiguous: true}
	for _, r := range recs {
		r.ObserveDates(cu)
	}
	if cu.Ambiguous || !cu.DayFirst {
		// de-DE dates use dots: they are never ambiguous, and they do not vote
		if !cu.Ambiguous {
			t.Errorf("dotted dates voted: %+v", cu)
		}
	}
	if tm, amb, ok := recs[0].Time("LastSuccessSync", cu); !ok || amb || tm.Format("2006-01-02 15:04:05") != "2026-11-24 15:15:22" {
		t.Errorf("LastSuccessSync = %v %v %v", tm, amb, ok)
	}
}

func TestCSVPS7CAS(t *testing.T) {
	recs, warns := run(t, NewCSVReader, "casmailbox-ps7.csv", "")
	if len(warns) != 0 || len(recs) != 3 {
		t.Fatalf("recs %d warns %v", len(recs), warns)
	}
	r := recs[0]
	if r.Kind != KindCASMailbox || len(r.TypeNames) != 0 || r.Line != 2 {
		t.Errorf("kind %v types %q line %d", r.Kind, r.TypeNames, r.Line)
	}
	for _, n := range []string{"EmailAddresses", "ActiveSyncAllowedDeviceIDs", "ActiveSyncBlockedDeviceIDs"} {
		if v := mustGet(t, r, n); !v.Unknown || v.IsList {
			t.Errorf("%s = %+v, want Unknown (a .NET type name)", n, v)
		}
	}
	if v := mustGet(t, r, "DisplayName"); v.Raw != "Zoë Müller" || v.Unknown || v.Lossy {
		t.Errorf("DisplayName = %+v", v)
	}
	if v, ok := r.Bool("ActiveSyncEnabled"); !ok || !v {
		t.Errorf("ActiveSyncEnabled %v %v", v, ok)
	}
}

func TestCSVMalformed(t *testing.T) {
	text := "\r\n#TYPE Deserialized.Microsoft.Exchange.Data.Directory.Management.CASMailbox\r\n" +
		"\"Identity\",\"ActiveSyncEnabled\",\"Notes\"\r\n" +
		"\"contoso.com/Users/A\",\"True\",\"two\r\nlines\"\r\n" +
		"\"contoso.com/Users/B\",\"False\"\r\n" +
		"\"contoso.com/Users/C\",\"True\",\"x\",\"extra\"\r\n" +
		"\"contoso.com/Users/D\",\"True\",\"say \"\"hi\"\"\"\r\n" +
		"\"contoso.com/Users/E\",\"Tr\"ue\",\"bare quote\"\r\n"
	recs, warns := run(t, NewCSVReader, "bad.csv", text)
	if len(recs) != 5 {
		t.Fatalf("%d records, want 5", len(recs))
	}
	var lines []int
	for _, r := range recs {
		lines = append(lines, r.Line)
		if r.Kind != KindCASMailbox {
			t.Errorf("kind %v from #TYPE", r.Kind)
		}
	}
	if want := []int{4, 6, 7, 8, 9}; !reflect.DeepEqual(lines, want) {
		t.Errorf("record lines %v, want %v", lines, want)
	}
	if got := mustGet(t, recs[0], "Notes").Raw; got != "two\nlines" { // encoding/csv turns CRLF inside quotes into LF
		t.Errorf("multi-line field = %q", got)
	}
	if !recs[1].Partial || !recs[2].Partial || recs[0].Partial || recs[3].Partial {
		t.Errorf("Partial flags %v %v %v %v", recs[0].Partial, recs[1].Partial, recs[2].Partial, recs[3].Partial)
	}
	if got := mustGet(t, recs[2], "Column4").Raw; got != "extra" {
		t.Errorf("extra field = %q", got)
	}
	if got := recs[3].Text("Notes"); got != `say "hi"` {
		t.Errorf("escaped quotes = %q", got)
	}
	var wl []int
	for _, w := range warns {
		wl = append(wl, w.Origin.Line)
		if w.Kind.String() != "field-count" {
			t.Errorf("warning kind %q", w.Kind)
		}
	}
	if want := []int{6, 7}; !reflect.DeepEqual(wl, want) {
		t.Errorf("warning lines %v, want %v (%v)", wl, want, warns)
	}
}

func TestCSVRunawayQuote(t *testing.T) {
	const max = 1 << 20
	text := "\"Identity\",\"Notes\"\n\"a\",\"never closed\n" + strings.Repeat("filler line\n", max/12+1000)
	recs, warns := run(t, withCaps(NewCSVReader, event.Caps{MaxRecord: max}), "runaway.csv", text)
	if len(recs) != 0 || len(warns) != 1 || warns[0].Kind.String() != "record-too-long" || warns[0].Origin.Line != 2 ||
		!strings.Contains(warns[0].Message, "1048576 bytes") || !strings.Contains(warns[0].Message, "--max-record") {
		t.Fatalf("recs %d warns %v", len(recs), warns)
	}
	// Under the default cap (16 MiB) the same record is read whole.
	recs, warns = run(t, NewCSVReader, "runaway.csv", text)
	if len(recs) != 1 || len(warns) != 0 {
		t.Fatalf("default cap: recs %d warns %v", len(recs), warns)
	}
}

func TestCSVEmptyAndHeaderOnly(t *testing.T) {
	for _, text := range []string{"\r\n\r\n", "#TYPE X.Y\r\n", "\"A\",\"B\"\r\n"} {
		recs, warns := run(t, NewCSVReader, "e.csv", text+"")
		if len(recs) != 0 || len(warns) != 0 {
			t.Errorf("%q: recs %d warns %v", text, len(recs), warns)
		}
	}
}

func TestDotNetTypeNames(t *testing.T) {
	for s, want := range map[string]bool{
		"System.Collections.Generic.List`1[System.String]":             true,
		"Microsoft.Exchange.Data.MultiValuedProperty`1[System.String]": true,
		"Microsoft.Exchange.Data.ProxyAddressCollection":               true,
		"System.Object[]":              true,
		"System.Collections.ArrayList": true,
		"Deserialized.Microsoft.Exchange.Data.Directory.ADMultiValuedProperty`1": true,
		"Microsoft.Exchange.Data.Directory.ADObjectId":                           false,
		"zoe.muller@contoso.com":                                                 false,
		"System.String with spaces[]":                                            false,
		"":                                                                       false,
	} {
		if got := isDotNetTypeName(s); got != want {
			t.Errorf("isDotNetTypeName(%q) = %v", s, got)
		}
	}
}

func TestCSVPS51TypeNameColumn(t *testing.T) {
	text := "#TYPE Deserialized.Microsoft.Exchange.Data.Directory.Management.Mailbox\r\n" +
		"\"Name\",\"UserPrincipalName\",\"EmailAddresses\",\"PrimarySmtpAddress\"\r\n" +
		"\"Zo? M?ller\",\"zoe.muller@contoso.com\",\"Microsoft.Exchange.Data.ProxyAddressCollection\",\"zoe.muller@contoso.com\"\r\n" +
		"\"Adele Vance\",\"adele.vance@contoso.com\",\"System.Collections.ArrayList\",\"adele.vance@contoso.com\"\r\n"
	recs, warns := run(t, NewCSVReader, "mbx.csv", text)
	if len(recs) != 2 || len(warns) != 0 {
		t.Fatalf("recs %d warns %v", len(recs), warns)
	}
	for _, r := range recs {
		if r.Kind != KindMailbox {
			t.Errorf("kind %v", r.Kind)
		}
		if v := mustGet(t, r, "EmailAddresses"); !v.Unknown || v.IsList || v.Lossy {
			t.Errorf("EmailAddresses %+v, want Unknown", v)
		}
	}
	if v := mustGet(t, recs[0], "Name"); !v.Lossy {
		t.Errorf("Name %+v, want Lossy", v)
	}
}

func TestKindFromTypeName(t *testing.T) {
	for tn, want := range map[string]Kind{
		"Deserialized.Microsoft.Exchange.Data.Directory.Management.CASMailbox":                 KindCASMailbox,
		"Selected.Deserialized.Microsoft.Exchange.Data.Directory.Management.Mailbox":           KindMailbox,
		"Microsoft.Exchange.Data.Directory.SystemConfiguration.ActiveSyncOrganizationSettings": KindOrgSettings,
		"Deserialized.Microsoft.Exchange.Management.Tasks.MobileDeviceConfiguration":           KindDeviceStats,
		"Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.MobileDevice":      KindDeviceStats,
		"Microsoft.Exchange.Data.Directory.Management.RemoteMailbox":                           KindInvalid,
		"System.Management.Automation.PSCustomObject":                                          KindInvalid,
		"": KindInvalid,
	} {
		if got := kindFromTypeName(tn); got != want {
			t.Errorf("kindFromTypeName(%q) = %v, want %v", tn, got, want)
		}
	}
}

// An enum value cut inside a character (a torn UTF-16 export: "Extern\uFFFD")
// names nothing; a whole one is read.
func TestEnumTornValue(t *testing.T) {
	r := &Record{Props: []Prop{{Name: "DeviceAccessStateReason", Value: Value{Raw: "Extern\uFFFD"}}, {Name: "DeviceAccessState", Value: Value{Raw: "quarantined"}}}}
	if v, ok := r.Enum("DeviceAccessStateReason"); ok {
		t.Errorf("torn enum read as %q", v)
	}
	if v, ok := r.Enum("DeviceAccessState"); !ok || v != "Quarantined" {
		t.Errorf("enum = %q %v", v, ok)
	}
}
