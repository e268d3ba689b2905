package redact_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"exlog/event"
	"exlog/parse/pscmdlet"
	"exlog/redact"
)

func record(kind pscmdlet.Kind, kv ...string) *pscmdlet.Record {
	rec := &pscmdlet.Record{Kind: kind}
	for i := 0; i+1 < len(kv); i += 2 {
		rec.Props = append(rec.Props, pscmdlet.Prop{Name: kv[i], Value: pscmdlet.Value{Raw: kv[i+1]}})
	}
	return rec
}

func TestConsistentPseudonyms(t *testing.T) {
	r := redact.New()
	r.LearnRecord(record(pscmdlet.KindMailbox,
		"UserPrincipalName", "jose.nunez@contoso.com", "Alias", "jnunez",
		"DisplayName", "José Núñez", "Identity", "contoso.com/Corp/Users/José Núñez"))
	r.LearnRecord(record(pscmdlet.KindDeviceStats,
		"DeviceID", "androidc3012066577", "DeviceImei", "348898216863406", "DevicePhoneNumber", "+1 425 555 0100",
		"Identity", "contoso.com/Users/José Núñez/ExchangeActiveSyncDevices/Android§androidc3012066577"))
	r.LearnEvent(&event.Event{Host: "EXCONN01"})

	in := "José Núñez (JOSE.NUNEZ@contoso.com, alias jnunez) on EXCONN01 / exconn01.contoso.com " +
		"from 10.1.2.3 and fe80::1:2 device androidc3012066577 IMEI 348898216863406 phone +1 425 555 0100; " +
		"see https://learn.microsoft.com/x and mail to l.zolc@fabrikam.com at 10.1.2.3."
	out := r.String(in)
	for _, orig := range []string{"José", "Núñez", "jose.nunez", "jnunez", "EXCONN01", "exconn01", "contoso", "10.1.2.3",
		"fe80::1:2", "androidc3012066577", "348898216863406", "425 555 0100", "zolc", "fabrikam"} {
		if strings.Contains(strings.ToLower(out), strings.ToLower(orig)) {
			t.Errorf("%q survived: %s", orig, out)
		}
	}
	for _, want := range []string{"learn.microsoft.com", "User 0001", "user-0001@domain-01.example", "alias user-0001",
		"on host-01 / host-01.domain-01.example", "from 192.0.2.1 ", "at 192.0.2.1.", "2001:db8::1", "device-0001", "device-0002", "phone-0001"} {
		if !strings.Contains(out, want) {
			t.Errorf("want %q in %s", want, out)
		}
	}
	// Same input, same output; pseudonyms are not redacted again.
	if again := r.String(in); again != out {
		t.Errorf("not stable:\n%s\n%s", out, again)
	}
	if twice := r.String(out); twice != out {
		t.Errorf("pseudonyms rewritten:\n%s\n%s", out, twice)
	}
}

func TestFileNamesAndWords(t *testing.T) {
	r := redact.New()
	r.LearnEmail("adele.vance@contoso.com")
	r.LearnHost("CAS01")
	got := r.String("bundle.zip!adele.vance@contoso.com-ActiveSyncDeviceStatistics.csv@1234 CAS01_trace.log Connector.log@77 the activation mail; mail.contoso.com")
	want := "bundle.zip!user-0001@domain-01.example-ActiveSyncDeviceStatistics.csv@1234 host-01_trace.log Connector.log@77 the activation mail; host-02.domain-01.example"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := r.String("Connector Version: 19.22.3.1 from 10.1.1.1 (build 15.2.1118.7)"); got != "Connector Version: 19.22.3.1 from 192.0.2.1 (build 15.2.1118.7)" {
		t.Errorf("versions: %q", got)
	}
	// A reserved word used as a host label stays a word elsewhere.
	if got := r.String("activation mail"); got != "activation mail" {
		t.Errorf("got %q", got)
	}
}

func TestMapRoundTrip(t *testing.T) {
	r := redact.New()
	r.LearnRecord(record(pscmdlet.KindMailbox, "UserPrincipalName", "a.b@contoso.com", "DisplayName", "Ann Bee"))
	r.LearnHost("SRV1")
	first := r.String("Ann Bee a.b@contoso.com SRV1 10.0.0.9")
	path := filepath.Join(t.TempDir(), "map.json")
	if err := r.WriteMapFile(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && os.PathSeparator == '/' {
		t.Errorf("map mode %v, want private", perm)
	}
	r2, err := redact.ReadMapFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r2.LearnHost("SRV2") // a new host continues the numbering
	if got := r2.String("Ann Bee a.b@contoso.com SRV1 10.0.0.9"); got != first {
		t.Errorf("reloaded map: %q, want %q", got, first)
	}
	if got := r2.String("SRV2"); got != "host-02" {
		t.Errorf("new host after reload: %q", got)
	}
	var buf bytes.Buffer
	if err := r2.WriteMap(&buf); err != nil || !strings.Contains(buf.String(), redact.MapSchema) {
		t.Errorf("WriteMap: %v %s", err, buf.String())
	}
	if _, err := redact.ReadMap(strings.NewReader(`{"schema":"other"}`)); err == nil {
		t.Error("wrong schema accepted")
	}
	if r3, err := redact.ReadMapFile(filepath.Join(t.TempDir(), "missing.json")); err != nil || r3 == nil {
		t.Errorf("missing map: %v", err)
	}
}

func FuzzString(f *testing.F) {
	f.Add("José Núñez jose@contoso.com 10.0.0.1 ::1 fe80::2 EXCONN01.contoso.com")
	f.Add("a@b.c@d.e-f_g.h")
	f.Add("\xff\xfe::::1.2.3.4")
	f.Add(`FABRIKAM\svc_exconn \\FILESRV07\x CN=Tom Hanks,OU=S,DC=fabrikam,DC=local +1 425 555 0134 mark.twain%40fabrikam.local MBX-FAB-<n> S-1-5-21-1-2-3-4 ApplF17XK2LMN0DT`)
	f.Fuzz(func(t *testing.T, s string) {
		r := redact.New()
		r.LearnName("José Núñez")
		r.LearnHost("EXCONN01")
		out := r.String(s)
		if again := r.String(s); again != out {
			t.Fatalf("not deterministic: %q vs %q", out, again)
		}
		if strings.Contains(out, "EXCONN01") && !strings.Contains(s, "EXCONN01") {
			t.Fatalf("invented an identifier")
		}
	})
}
