package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"exlog/output"
	"exlog/report"
)

// TestDropWritesReportBeside: `exlog PATH` prints the verdict and writes
// PATH.exlog.html beside the bundle; in CI it opens no browser.
func TestDropWritesReportBeside(t *testing.T) {
	t.Setenv("CI", "true")
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "exchange-errors.zip")
	if err := os.WriteFile(zipPath, readSample(t, "exchange-errors"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run([]string{zipPath}, globals{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader("")})
	if code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, errb.String())
	}
	if !strings.HasPrefix(out.String(), "DEGRADED") || !strings.Contains(out.String(), "Last completed full sync:") { // only the notification mail fails at the end
		t.Errorf("the output does not open with the verdict:\n%s", out.String())
	}
	html, err := os.ReadFile(zipPath + ".exlog.html")
	if err != nil {
		t.Fatalf("no report beside the bundle: %v", err)
	}
	if !strings.Contains(out.String(), zipPath+".exlog.html") {
		t.Errorf("the output does not say where the report is:\n%s", out.String())
	}
	for _, id := range exchangeErrorsIDs {
		if !bytes.Contains(html, []byte(`data-finding-id="`+id+`"`)) {
			t.Errorf("the HTML report lacks finding %s", id)
		}
	}
}

// TestDropFallsBackToTempDir: when the report cannot be written beside
// the bundle (here the name is taken by a folder, which fails even for
// root, unlike a read-only folder), it goes to the temp folder.
func TestDropFallsBackToTempDir(t *testing.T) {
	t.Setenv("CI", "true")
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "b.zip")
	if err := os.WriteFile(zipPath, readSample(t, "warning-level"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(zipPath+".exlog.html", 0o755); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{zipPath}, globals{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader("")}); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, errb.String())
	}
	alt := filepath.Join(tmp, "b.zip.exlog.html")
	if _, err := os.Stat(alt); err != nil {
		t.Errorf("no report in the temp folder: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), alt) {
		t.Errorf("the output does not name %s:\n%s", alt, out.String())
	}
}

// The drag-and-drop summary says what every verdict state means, in the
// reports' words (one rule, in analyze; one set of words, in output):
// "unknown" once printed "1 findings".
func TestDropSummaryWordsEveryState(t *testing.T) {
	for _, st := range []report.VerdictState{report.StateHealthy, report.StateDegraded, report.StateBroken, report.StateUnknown} {
		var out strings.Builder
		printVerdict(&out, &report.Report{Verdict: &report.Verdict{State: st}}, false)
		want := strings.ToUpper(string(st)) + "  " + output.Headline(st)
		if !strings.HasPrefix(out.String(), want) || strings.Contains(out.String(), "0 findings") {
			t.Errorf("%s: %q, want it to start %q", st, out.String(), want)
		}
	}
}
