package redact

import (
	"strings"
	"testing"
)

// TestShapes: identifiers the exports never taught are redacted by their
// shape; what must stay readable stays.
func TestShapes(t *testing.T) {
	r := New()
	r.LearnEmail("adele@fabrikam.local")
	gone := []struct{ in, secret string }{
		{"Device ApplF17XK2LMN0DT synced", "ApplF17XK2LMN0DT"},
		{"DeviceId=androidc1234567890 blocked", "androidc1234567890"},
		{"device 3C5E2A9B7D1F4E6A8B0C2D4E6F8A0B1C quarantined", "3C5E2A9B7D1F4E6A8B0C2D4E6F8A0B1C"},
		{"IMEI 356938035643809 reported", "356938035643809"},
		{"call +1 425 555 0134 now", "425 555 0134"},
		{"or +44 (0)20 7946 0018.", "7946 0018"},
		{"owner S-1-5-21-3623811015-3361044348-30300820-1013 denied", "3623811015"},
		{"connecting to MBX-FAB-03 failed", "MBX-FAB-03"},
		{`copy to \\FILESRV07\exlog$\out`, "FILESRV07"},
		{`run as FABRIKAM\svc_exconn failed`, "svc_exconn"},
		{`run as FABRIKAM\svc_exconn failed`, "FABRIKAM"},
		{`user CN=Tom Hanks,OU=Sales,DC=fabrikam,DC=local not found`, "Tom Hanks"},
		{`user CN=Tom Hanks,OU=Sales,DC=fabrikam,DC=local not found`, "fabrikam"},
		{"GET /owa/?mbx=mark.twain%40fabrikam.local&x=1", "mark.twain"},
		{"GET /owa/?mbx=mark.twain%40contoso.com", "contoso"},
	}
	for _, g := range gone {
		out := r.String(g.in)
		if strings.Contains(strings.ToLower(out), strings.ToLower(g.secret)) {
			t.Errorf("%q → %q: %q survives", g.in, out, g.secret)
		}
	}
	// The same ID gets the same pseudonym wherever it appears.
	if a, b := r.String("ApplF17XK2LMN0DT"), r.String("id ApplF17XK2LMN0DT."); !strings.Contains(b, a) {
		t.Errorf("inconsistent: %q vs %q", a, b)
	}
	if a, b := r.String(`FABRIKAM\svc_exconn`), r.String(`svc_exconn`); !strings.HasSuffix(a, b) {
		t.Errorf("the user half %q and the bare name %q differ", a, b)
	}
	if out := r.String("Tom Hanks logged on"); strings.Contains(out, "Tom") {
		t.Errorf("a name learned from a DN survives elsewhere: %q", out)
	}
	kept := []string{
		"Event 7000 at 2023-10-26 error 0x80070002 (HRESULT 0x80004005)",
		"activity {6F9619FF-8B86-D011-B42D-00C04FC964FF} and 6f9619ff-8b86-d011-b42d-00c04fc964ff",
		"encoding UTF-16, ISO-8859-1, SHA-256, TLS-1, KB-5001234",
		`C:\ProgramData\Microsoft\Windows Intune Exchange Connector\Logs\Connector0.log`,
		`NT AUTHORITY\SYSTEM and BUILTIN\Administrators, HKLM\SOFTWARE\Microsoft`,
		"CN=Users,CN=Microsoft Exchange,OU=Sales",
		"Application started, ticks 638340000000000000, count 123456789012345",
		"S-1-5-18 and S-1-5-32-544",
		"Version: 16.0.1.9, the sync took 34 s; quick sync 12 users",
		"+ 3 more",
	}
	for _, k := range kept {
		if out := r.String(k); out != k {
			t.Errorf("changed text that identifies no one:\n  %q\n→ %q", k, out)
		}
	}
}

// TestDomainNumbers: a NetBIOS/DC label seen before its DNS name shares
// the name's pseudonym; two DNS names with one first label stay apart.
func TestDomainNumbers(t *testing.T) {
	r := New()
	a := r.String(`FABRIKAM\svc_exconn`)
	b := r.String("adele@fabrikam.local")
	if pa, pb := strings.Split(a, `\`)[0], strings.TrimSuffix(strings.Split(b, "@")[1], ".example"); pa != pb {
		t.Errorf("FABRIKAM → %q but fabrikam.local → %q", pa, pb)
	}
	r.LearnEmail("x@contoso.com")
	r.LearnEmail("y@contoso.mail.onmicrosoft.com")
	if c1, c2 := r.String("contoso.com"), r.String("contoso.mail.onmicrosoft.com"); c1 == c2 {
		t.Errorf("two domains share the pseudonym %q", c1)
	}
}

// Time offsets written like host names (UTC-07, GMT-08) are not hosts.
func TestOffsetsAreNotHosts(t *testing.T) {
	for _, tok := range []string{"UTC-07", "UTC-0700", "GMT-08"} {
		if netbiosShape(tok) {
			t.Errorf("%s taken for a NetBIOS host", tok)
		}
	}
	if !netbiosShape("MBX-FAB-03") {
		t.Error("MBX-FAB-03 no longer a host")
	}
}

// A dotted name cut by an evidence trim keeps its fragment: "Au" in
// "System.Management.Au…" is not Australia's top-level domain.
func TestCutDottedNameIsNoDomain(t *testing.T) {
	r := New()
	out := r.String("System.Management.Automation.RemoteException at System.Management.Au…")
	if strings.Contains(out, "domain-") || strings.Contains(out, "host-") {
		t.Errorf("a cut .NET name taken for a host: %q", out)
	}
}
