package samples_test

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"exlog/analyze"
	"exlog/report"
)

// TestSameUsersSameInventory: the same organisation exported as UTF-16
// Format-List text (healthy-5days: wrapped values, truncated address
// lists), as PS 5.1 CSV with #TYPE and as CliXML (healthy-csv-clixml)
// gives the same inventory, read format by format.
func TestSameUsersSameInventory(t *testing.T) {
	dir := t.TempDir()
	zr, err := zip.OpenReader("healthy-5days/bundle.zip")
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var list []string
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "exports/") {
			continue
		}
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		p := filepath.Join(dir, filepath.Base(f.Name))
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		list = append(list, p)
	}
	csv, _ := filepath.Glob("healthy-csv-clixml/bundle/exports/*.csv")
	xml, _ := filepath.Glob("healthy-csv-clixml/bundle/exports/*.xml")
	invs := map[string]*report.Inventory{}
	for name, paths := range map[string][]string{"format-list": list, "csv": csv, "clixml": xml} {
		if len(paths) < 3 {
			t.Fatalf("%s: only %d export files", name, len(paths))
		}
		rep, err := analyze.Run(paths, analyze.Options{Version: "test"})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := map[string]string{"format-list": "cmdlet-list", "csv": "cmdlet-csv", "clixml": "cmdlet-clixml"}[name]
		for _, in := range rep.Inputs {
			if in.Format != want {
				t.Errorf("%s: %s read as %s", name, in.Path, in.Format)
			}
		}
		inv := rep.Inventory
		if inv == nil {
			t.Fatalf("%s: no inventory", name)
		}
		invs[name] = &report.Inventory{Devices: inv.Devices, Mailboxes: inv.Mailboxes, CASMailboxes: inv.CASMailboxes, Users: inv.Users,
			DevicesByAccessState: inv.DevicesByAccessState, DevicesByReason: inv.DevicesByReason, DefaultAccessLevel: inv.DefaultAccessLevel}
	}
	fl := invs["format-list"]
	if fl.Devices == 0 || fl.Mailboxes == 0 {
		t.Fatalf("format-list inventory empty: %+v", fl)
	}
	for _, other := range []string{"csv", "clixml"} {
		o := *invs[other]
		if other == "csv" && o.DefaultAccessLevel == "" {
			o.DefaultAccessLevel = fl.DefaultAccessLevel // the CSV set has no organization-settings export
		}
		if !reflect.DeepEqual(*fl, o) {
			t.Errorf("inventory from %s differs from Format-List:\n  list: %+v\n  %s: %+v", other, fl, other, invs[other])
		}
	}
}
