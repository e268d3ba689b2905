package pscmdlet

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestCliXMLSample(t *testing.T) {
	recs, warns := run(t, NewCliXMLReader, "users.clixml", "")
	if len(warns) != 0 {
		t.Errorf("warnings on a clean export: %v", warns)
	}
	if len(recs) != 6 {
		t.Fatalf("%d records, want 6", len(recs))
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "users.clixml"))
	if err != nil {
		t.Fatal(err)
	}
	var prev int64 = -1
	for i, r := range recs {
		want := KindDeviceStats
		if i >= 3 {
			want = KindCASMailbox
		}
		if r.Kind != want {
			t.Errorf("record %d kind %v, want %v", i, r.Kind, want)
		}
		if r.Line != 0 || r.Offset <= prev || !strings.HasPrefix(string(raw[r.Offset:]), "<Obj RefId=") {
			t.Errorf("record %d: line %d offset %d does not point at a top-level <Obj>", i, r.Line, r.Offset)
		}
		prev = r.Offset
		if len(r.TypeNames) == 0 {
			t.Errorf("record %d has no type names (TNRef not resolved?)", i)
		}
	}
	zd := recs[0]
	if got := zd.Text("Identity"); got != "contoso.com/Users/Zoë Müller/ExchangeActiveSyncDevices/iPhone§ApplF17XK2M0JC69" {
		t.Errorf("Identity = %q", got)
	}
	if got, want := zd.Text("Id"), zd.Text("Identity"); got != want { // <Ref N="Id">
		t.Errorf("Ref not resolved: Id = %q, want %q", got, want)
	}
	if got, _ := zd.Enum("DeviceAccessState"); got != "Quarantined" { // enum Obj: ToString, not the I32
		t.Errorf("DeviceAccessState = %q", got)
	}
	if v := mustGet(t, zd, "DeviceWipeSentTime"); !v.Null {
		t.Errorf("Nil → %+v", v)
	}
	if v, ok := zd.Bool("IsRemoteWipeSupported"); !ok || !v {
		t.Errorf("B → %v %v", v, ok)
	}
	if got := zd.Text("NumberOfFoldersSynced"); got != "14" {
		t.Errorf("I32 = %q", got)
	}
	if tm, amb, ok := zd.Time("LastSuccessSync", nil); !ok || amb || tm.Format("2006-01-02T15:04:05Z07:00") != "2026-11-24T15:15:22Z" {
		t.Errorf("DT = %v %v %v", tm, amb, ok)
	}
	ea := mustGet(t, recs[3], "EmailAddresses")
	if !ea.IsList || ea.Truncated || len(ea.Items) != 6 || ea.Items[4] != "X500:/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=zoe.muller" {
		t.Errorf("EmailAddresses = %+v", ea)
	}
	if b := mustGet(t, recs[3], "ActiveSyncBlockedDeviceIDs"); !b.IsList || len(b.Items) != 0 {
		t.Errorf("empty LST = %+v", b)
	}
	if b := mustGet(t, recs[5], "ActiveSyncBlockedDeviceIDs"); !reflect.DeepEqual(b.Items, []string{"B1C6D4E2F3A04B5C9D8E7F6A5B4C3D2E"}) {
		t.Errorf("LST = %+v", b)
	}
}

const cliHead = `<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">`

func TestCliXMLForms(t *testing.T) {
	text := cliHead + "\r\n" +
		`<S>a top-level string</S>` +
		`<Obj RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T><T>System.Object</T></TN>` +
		`<MS><S N="Note_x005F_x">line1_x000D__x000A_line2 _xD83D__xDE00_</S><C N="Ch">65</C>` +
		`<Obj N="Tags" RefId="1"><TNRef RefId="0"/><DCT><En><S N="Key">a</S><I32 N="Value">1</I32></En></DCT></Obj>` +
		`<Ref N="Again" RefId="1"/><Ref N="Missing" RefId="99"/><Nil N="Nothing"/>` +
		`<Obj N="Deep" RefId="2"><Props><Obj N="Inner" RefId="3"><ToString>inner text</ToString></Obj></Props></Obj>` +
		`</MS></Obj></Objs>`
	recs, warns := run(t, NewCliXMLReader, "forms.xml", text)
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	r := recs[0]
	var names []string
	for _, p := range r.Props {
		names = append(names, p.Name)
	}
	if want := []string{"Note_x", "Ch", "Tags", "Again", "Missing", "Nothing", "Deep"}; !reflect.DeepEqual(names, want) {
		t.Errorf("props %q, want %q", names, want)
	}
	if got := r.Text("Note_x"); got != "line1\r\nline2 😀" {
		t.Errorf("escapes: %q", got)
	}
	if got := r.Text("Ch"); got != "A" {
		t.Errorf("char: %q", got)
	}
	if v := mustGet(t, r, "Again"); !reflect.DeepEqual(v.Items, []string{"a=1"}) {
		t.Errorf("Ref to DCT: %+v", v)
	}
	if v := mustGet(t, r, "Missing"); !v.Unknown {
		t.Errorf("unresolved Ref: %+v", v)
	}
	if r.Kind != KindGeneric || r.Partial {
		t.Errorf("kind %v partial %v", r.Kind, r.Partial)
	}
	var kinds []string
	for _, w := range warns {
		kinds = append(kinds, w.Kind.String())
		if w.Origin.Offset <= 0 || w.Origin.Line != 0 {
			t.Errorf("warning without byte offset: %+v", w)
		}
	}
	if want := []string{"not-an-object", "bad-reference"}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("warnings %v", warns)
	}
}

func TestCliXMLTruncated(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "users.clixml"))
	if err != nil {
		t.Fatal(err)
	}
	cut := string(raw)
	i := strings.Index(cut, `<S N="DeviceAccessControlRule">`)
	i = strings.Index(cut[i+1:], `<S N="DeviceAccessControlRule">`) + i + 1 // inside the second device
	recs, warns := run(t, NewCliXMLReader, "cut.clixml", cut[:i+10])
	if len(recs) != 2 || recs[0].Partial || !recs[1].Partial {
		t.Fatalf("recs %d, want 2 with the second Partial", len(recs))
	}
	if got, _ := recs[1].Enum("DeviceAccessState"); got != "Allowed" {
		t.Errorf("properties before the cut lost: %q", got)
	}
	if len(warns) != 1 || warns[0].Kind.String() != "truncated-record" {
		t.Errorf("warnings %v", warns)
	}
}

func TestCliXMLRefused(t *testing.T) {
	for name, text := range map[string]string{
		"doctype":    `<!DOCTYPE Objs [<!ENTITY x "boom">]>` + cliHead + `<Obj RefId="0"><MS><S N="A">&x;</S></MS></Obj></Objs>`,
		"not objs":   `<Root><Obj/></Root>`,
		"syntax":     cliHead + `<Obj RefId="0"><MS><S N="A">x</S></MS></Obj><Obj RefId="1"><MS><S N="B">y</T></MS></Obj></Objs>`,
		"no closing": cliHead + `<Obj RefId="0"><MS><S N="A">x</S></MS></Obj>`,
	} {
		recs, warns := run(t, NewCliXMLReader, name, text)
		if len(warns) != 1 {
			t.Errorf("%s: warnings %v", name, warns)
		}
		switch name {
		case "doctype", "not objs":
			if len(recs) != 0 {
				t.Errorf("%s: %d records", name, len(recs))
			}
		case "syntax":
			if len(recs) != 2 || !recs[1].Partial || recs[0].Text("A") != "x" {
				t.Errorf("%s: %d records", name, len(recs))
			}
		case "no closing":
			if len(recs) != 1 || recs[0].Partial {
				t.Errorf("%s: %d records", name, len(recs))
			}
		}
	}
}
