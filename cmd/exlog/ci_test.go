package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"exlog/report"
)

const networkErrors = "../../samples/network-errors/bundle.zip"

// oneMoreError copies the zip at src to dir/name and adds one trace file
// holding a single Error record: a DNS failure for a host the bundle does
// not mention yet (network.dns with a new key).
func oneMoreError(t *testing.T, src, dir, name string) string {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		w, err := zw.CreateHeader(&f.FileHeader)
		if err != nil {
			t.Fatal(err)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
	}
	w, err := zw.Create("Logs/Connector9.log")
	if err != nil {
		t.Fatal(err)
	}
	rec := `<E2ETraceEvent xmlns="http://schemas.microsoft.com/2004/06/E2ETraceEvent"><System xmlns="http://schemas.microsoft.com/2004/06/windows/eventlog/system"><EventID>0</EventID><Type>3</Type><SubType Name="Error">0</SubType><Level>2</Level><TimeCreated SystemTime="2023-10-20T09:06:00.1458083Z" /><Source Name="OnPremisesExchangeConnectorService" /><Correlation ActivityID="{00000000-0000-0000-0000-000000000000}" /><Execution ProcessName="Microsoft.Management.Services.OnPremisesExchangeConnectorService" ProcessID="3764" ThreadID="9" /><Channel/><Computer>EXCONN01</Computer></System><ApplicationData>Sign-in failed: System.Net.WebException: The remote name could not be resolved: 'login.microsoftonline.com'</ApplicationData></E2ETraceEvent>` + "\r\n"
	if _, err := io.WriteString(w, rec); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readJSONReport(t *testing.T, s string) *report.Report {
	t.Helper()
	var r report.Report
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	return &r
}

// TestBaseline: on the bundle that produced r.json, --baseline r.json
// --fail-on info exits 0 and lists nothing new; with one more error in
// the bundle it exits 1 and reports only that finding.
func TestBaseline(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "r.json")
	if code, _, stderr := runCLI(t, "analyze", "--no-progress", "-f", "json", "-o", base, networkErrors); code != 0 {
		t.Fatalf("baseline run: exit %d: %s", code, stderr)
	}
	if code, _, _ := runCLI(t, "analyze", "--no-progress", "-q", "--fail-on", "info", networkErrors); code != 1 {
		t.Fatalf("without a baseline the bundle has findings: exit %d, want 1", code)
	}
	code, out, stderr := runCLI(t, "analyze", "--no-progress", "--baseline", base, "--fail-on", "info", "-f", "json", networkErrors)
	if code != 0 {
		t.Fatalf("same bundle with its baseline: exit %d, want 0: %s", code, stderr)
	}
	r := readJSONReport(t, out)
	if len(r.Findings) != 0 || r.Summary.Extra["baselined_findings"] == "" || r.Summary.Extra["baselined_findings"] == "0" {
		t.Fatalf("same bundle: findings %v, extra %v", r.Findings, r.Summary.Extra)
	}

	more := oneMoreError(t, networkErrors, dir, "more.zip")
	code, out, stderr = runCLI(t, "analyze", "--no-progress", "--baseline", base, "--fail-on", "info", "-f", "json", more)
	if code != 1 {
		t.Fatalf("one more error: exit %d, want 1: %s", code, stderr)
	}
	r = readJSONReport(t, out)
	if len(r.Findings) != 1 || r.Findings[0].ID != "network.dns" || r.Findings[0].Key != "login.microsoftonline.com" || r.Findings[0].Count != 1 {
		t.Fatalf("one more error: want only network.dns [login.microsoftonline.com] ×1, got %+v", r.Findings)
	}
	// The verdict still describes the whole bundle; the FINDINGS section
	// lists only what is new.
	_, text, _ := runCLI(t, "analyze", "--no-progress", "--baseline", base, more)
	_, fsec, _ := strings.Cut(text, "\nFINDINGS")
	fsec, _, _ = strings.Cut(fsec, "\n\n")
	baseRep, err := readReportJSON(base)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fsec, fmt.Sprintf("%d findings already in the baseline", len(baseRep.Findings))) || !strings.Contains(fsec, "login.microsoftonline.com") || strings.Contains(fsec, "network.proxy-auth") {
		t.Errorf("text output with a baseline:\n%s", text)
	}
	if code, _, _ := runCLI(t, "analyze", "--no-progress", "--baseline", filepath.Join(dir, "missing.json"), networkErrors); code != 2 {
		t.Errorf("missing baseline: exit %d, want 2", code)
	}
}

// TestDiff: a bundle with one more DNS failure against the same bundle
// fixed (and against its saved JSON report): the finding appears in one
// direction and disappears in the other; --fail-on makes a new error exit 1.
func TestDiff(t *testing.T) {
	dir := t.TempDir()
	broken := oneMoreError(t, networkErrors, dir, "broken.zip")
	fixedJSON := filepath.Join(dir, "fixed.json")
	if code, _, stderr := runCLI(t, "analyze", "--no-progress", "-f", "json", "-o", fixedJSON, networkErrors); code != 0 {
		t.Fatal(stderr)
	}
	code, out, stderr := runCLI(t, "diff", "-f", "json", broken, networkErrors)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Schema      string `json:"schema"`
		Appeared    []struct{ ID, Key string }
		Disappeared []struct {
			ID, Key  string
			OldCount int `json:"old_count"`
		}
		Changed   []struct{ ID string }
		Unchanged int
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Schema != "exlog.diff/v1" || len(res.Appeared) != 0 || len(res.Changed) != 0 || len(res.Disappeared) != 1 ||
		res.Disappeared[0].ID != "network.dns" || res.Disappeared[0].Key != "login.microsoftonline.com" || res.Disappeared[0].OldCount != 1 || res.Unchanged == 0 {
		t.Fatalf("broken → fixed: %+v", res)
	}
	// a saved report against a bundle, detected per argument
	code, text, stderr := runCLI(t, "diff", fixedJSON, broken)
	if code != 0 || !strings.Contains(text, "1 appeared, 0 disappeared, 0 changed") || !strings.Contains(text, "+ error network.dns [login.microsoftonline.com] appeared: 1×") {
		t.Fatalf("fixed.json → broken: exit %d\n%s%s", code, text, stderr)
	}
	if code, _, _ := runCLI(t, "diff", "--fail-on", "error", fixedJSON, broken); code != 1 {
		t.Errorf("a new error with --fail-on error: exit %d, want 1", code)
	}
	if code, _, _ := runCLI(t, "diff", "--fail-on", "error", broken, fixedJSON); code != 0 {
		t.Errorf("only a disappeared finding with --fail-on error: exit %d, want 0", code)
	}
	if code, _, _ := runCLI(t, "diff", "--fail-on-change", broken, fixedJSON); code != 1 {
		t.Errorf("--fail-on-change with a disappeared finding: exit %d, want 1", code)
	}
	if code, _, _ := runCLI(t, "diff", "--fail-on-change", fixedJSON, networkErrors); code != 0 {
		t.Errorf("--fail-on-change, report against its own bundle: exit %d, want 0", code)
	}
	if code, _, _ := runCLI(t, "diff", fixedJSON, filepath.Join(dir, "nope.zip")); code != 2 {
		t.Errorf("missing NEW: exit %d, want 2", code)
	}
}

// TestPatternsSuggestCLI: suggest writes a file that, given to analyze
// with --patterns, leaves no unmatched template in the unknown-errors sample.
func TestPatternsSuggestCLI(t *testing.T) {
	const sample = "../../samples/unknown-errors/bundle.zip"
	dir := t.TempDir()
	file := filepath.Join(dir, "mine", "suggested.exlog")
	if code, _, stderr := runCLI(t, "patterns", "suggest", "-o", file, sample); code != 0 {
		t.Fatalf("suggest: exit %d: %s", code, stderr)
	}
	if code, out, _ := runCLI(t, "patterns", "lint", filepath.Dir(file)); code != 0 || !strings.Contains(out, "3 patterns, no errors, 0 warnings") {
		t.Errorf("lint: exit %d: %s", code, out)
	}
	_, out, _ := runCLI(t, "analyze", "--no-progress", "-f", "json", sample)
	before := readJSONReport(t, out)
	_, out, _ = runCLI(t, "analyze", "--no-progress", "-f", "json", "--patterns", filepath.Dir(file), sample)
	after := readJSONReport(t, out)
	if len(before.Unmatched) != 3 || len(after.Unmatched) != 0 {
		t.Errorf("unmatched templates: %d before, %d after the suggested patterns (want 3, 0)", len(before.Unmatched), len(after.Unmatched))
	}
	custom := 0
	for _, f := range after.Findings {
		if strings.HasPrefix(f.ID, "custom.") {
			custom += f.Count
		}
	}
	want := 0
	for _, u := range before.Unmatched {
		want += u.Count
	}
	if custom != want {
		t.Errorf("custom findings count %d, want %d (the unmatched messages)", custom, want)
	}
}

// TestPatternsTestJUnitShape: `exlog patterns test --format junit` keeps
// to junit-10.xsd where Jenkins is strict: name, tests, failures and
// errors on every testsuite, no attribute but name, classname, time and
// group on a testcase.
func TestPatternsTestJUnitShape(t *testing.T) {
	code, out, stderr := runCLI(t, "patterns", "test", "--format", "junit")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	d := xml.NewDecoder(strings.NewReader(out))
	suites, cases := 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		attrs := map[string]bool{}
		for _, a := range se.Attr {
			attrs[a.Name.Local] = true
		}
		switch se.Name.Local {
		case "testsuite":
			suites++
			for _, a := range []string{"name", "tests", "failures", "errors"} {
				if !attrs[a] {
					t.Errorf("testsuite without %s", a)
				}
			}
		case "testcase":
			cases++
			for a := range attrs {
				if a != "name" && a != "classname" && a != "time" && a != "group" {
					t.Errorf("testcase attribute %s is not in junit-10.xsd", a)
				}
			}
		}
	}
	if suites == 0 || cases < suites {
		t.Errorf("%d suites, %d cases", suites, cases)
	}
}
