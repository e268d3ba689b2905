package pscmdlet

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"

	"exlog/event"
)

// summary is what must agree whatever the export format: kind, identity
// and the properties exlog's checks use.
func summary(t *testing.T, recs []*Record) []string {
	t.Helper()
	cu := &Culture{Ambiguous: true}
	for _, r := range recs {
		r.ObserveDates(cu)
	}
	var out []string
	for _, r := range recs {
		id := r.Text("Identity")
		if v, _ := r.Get("Identity"); v.Lossy {
			id = loosen(id)
		}
		s := r.Kind.String() + "|" + loosen(id)
		switch r.Kind {
		case KindDeviceStats:
			state, _ := r.Enum("DeviceAccessState")
			reason, _ := r.Enum("DeviceAccessStateReason")
			status, _ := r.Enum("Status")
			tm, amb, ok := r.Time("LastSuccessSync", cu)
			first, _, _ := r.Time("FirstSyncTime", cu)
			s += fmt.Sprintf("|%s|%s|%s|%s|%s|%v|%v|%s", r.Text("DeviceID"), state, reason, status,
				tm.Format("2006-01-02T15:04:05"), amb, ok, first.Format("2006-01-02T15:04:05"))
		case KindCASMailbox:
			en, ok1 := r.Bool("ActiveSyncEnabled")
			pa, ok2 := r.Bool("HasActiveSyncDevicePartnership")
			s += fmt.Sprintf("|%s|%v%v|%v%v", r.Text("PrimarySmtpAddress"), en, ok1, pa, ok2)
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// loosen replaces every non-ASCII rune with '?', as a PowerShell 5.1 ASCII
// export does, so that lossy and exact identities compare.
func loosen(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 127 {
			r = '?'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestSameUsersAcrossFormats(t *testing.T) {
	read := func(newReader func(io.Reader, string, func(event.ReadWarning)) Reader, names ...string) []*Record {
		var all []*Record
		for _, n := range names {
			recs, warns := run(t, newReader, n, "")
			if len(warns) != 0 {
				t.Errorf("%s: warnings %v", n, warns)
			}
			all = append(all, recs...)
		}
		return all
	}
	list := summary(t, read(NewListReader, "users-fl.txt"))
	csv := summary(t, read(NewCSVReader, "devices-de-ps51.csv", "casmailbox-ps7.csv"))
	cli := summary(t, read(NewCliXMLReader, "users.clixml"))
	t.Logf("list summary:\n%s", strings.Join(list, "\n"))
	if len(list) != 6 {
		t.Fatalf("Format-List gave %d objects, want 6", len(list))
	}
	for i := range list {
		if i >= len(csv) || i >= len(cli) || list[i] != csv[i] || list[i] != cli[i] {
			t.Errorf("object %d differs:\n list   %s\n csv    %s\n clixml %s", i, list[i], at(csv, i), at(cli, i))
		}
	}
	if len(csv) != len(list) || len(cli) != len(list) {
		t.Errorf("counts: list %d, csv %d, clixml %d", len(list), len(csv), len(cli))
	}
	// the exact (not loosened) identities agree between the two formats
	// that keep non-ASCII characters
	l, c := read(NewListReader, "users-fl.txt"), read(NewCliXMLReader, "users.clixml")
	for i := range l {
		if l[i].Text("Identity") != c[i].Text("Identity") {
			t.Errorf("identity %d: %q vs %q", i, l[i].Text("Identity"), c[i].Text("Identity"))
		}
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(missing)"
}
