package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
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
	rec := `<E2ETraceEvent xmlns="http://schemas.microsoft.com/2004/06/E2ETraceEvent"><System xmlns="http://schemas.microsoft.com/2004/06/windows/eventlog/system"><EventID>0</EventID><Type>3</Type><SubType Name="Error">0</SubType><Level>2</Level><TimeCreated SystemTime="2026-10-20T09:06:00.1458083Z" /><Source Name="OnPremisesExchangeConnectorService" /><Correlation ActivityID="{00000000-0000-0000-0000-000000000000}" /><Execution ProcessName="Microsoft.Management.Services.OnPremisesExchangeConnectorService" ProcessID="3764" ThreadID="9" /><Channel/><Computer>EXCONN01</Computer></System><ApplicationData>Sign-in failed: System.Net.WebException: The remote name could not be resolved: 'login.microsoftonline.com'</ApplicationData></E2ETraceEvent>` + "\r\n"
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
	if !strings.Contains(fsec, fmt.Sprintf("%d finding(s) already in the baseline", len(baseRep.Findings))) || !strings.Contains(fsec, "login.microsoftonline.com") || strings.Contains(fsec, "network.proxy-auth") {
		t.Errorf("text output with a baseline:\n%s", text)
	}
	if code, _, _ := runCLI(t, "analyze", "--no-progress", "--baseline", filepath.Join(dir, "missing.json"), networkErrors); code != 2 {
		t.Errorf("missing baseline: exit %d, want 2", code)
	}
}
