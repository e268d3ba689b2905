package output_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"exlog/analyze"
	"exlog/output"
	"exlog/report"
)

// The first screen (25 lines) of three samples as an admin sees it, kept
// as goldens so that any change of wording shows up in review. Refresh
// with EXLOG_UPDATE_GOLDEN=1 and read the diff.
func TestFirstScreen(t *testing.T) {
	for _, name := range []string{"healthy-5days", "sync-outage-6h", "unknown-errors"} {
		rep, err := analyze.Run([]string{"../samples/" + name + "/bundle.zip"}, analyze.Options{Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := output.Text(&b, rep, output.Options{Title: "bundle.zip"}); err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(b.String(), "\n")
		got := strings.Join(lines[:min(25, len(lines))], "")
		golden := filepath.Join("testdata", "first-screen", name+".txt")
		if os.Getenv("EXLOG_UPDATE_GOLDEN") != "" {
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%s: the first screen changed (EXLOG_UPDATE_GOLDEN=1 to accept):\n--- got\n%s--- want\n%s", name, got, want)
		}
	}
}

func TestNaturalOrder(t *testing.T) {
	paths := []string{"b.zip!Logs/Connector10.log", "b.zip!Logs/Connector2.log", "b.zip!Logs/Connector0.log", "b.zip!Logs/Connector1.log", "b.zip!Logs/Connector11.log", "a.xml"}
	var ins []report.Input
	for _, p := range paths {
		ins = append(ins, report.Input{Path: p})
	}
	rep := &report.Report{Inputs: ins}
	var b bytes.Buffer
	if err := output.Text(&b, rep, output.Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	last := -1
	for _, want := range []string{"a.xml", "Connector0.log", "Connector1.log", "Connector2.log", "Connector10.log", "Connector11.log"} {
		i := strings.Index(out, want+" ")
		if i < last {
			t.Errorf("%s out of natural order in:\n%s", want, out)
		}
		last = i
	}
}
