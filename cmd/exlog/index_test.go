package main

// TestFakeES_CLI* run `exlog index` and `exlog setup` end to end (bundle
// on disk → parse → analyze → indexer) against estest, the
// protocol-faithful Elasticsearch/Kibana stand-in, and check the exit
// codes and the printed summary. TestVictoriaLogs_CLI does the same
// against the real VictoriaLogs server of EXLOG_TEST_VL_URL.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"exlog/index/estest"
)

// writeTraceLog writes n connector trace records in the exact layout of
// domain.md §3 (XML fragments, no root, no newlines, UTF-8 without BOM),
// with a full sync, quick syncs and proxy errors among them.
func writeTraceLog(t *testing.T, path string, n int) {
	t.Helper()
	var b bytes.Buffer
	base := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		typ, level, msg := "Information", 8, fmt.Sprintf("Processing mailbox user%d@contoso.com &lt;ok&gt;", i%40)
		switch {
		case i == 10:
			msg = "Handling command: Getting the mobile device list without a time filter (full sync) for 120 users"
		case i == 400:
			msg = "Getting the mobile device list without a time filter (full sync) for 120 users completed successfully. Details: Inventory command result - Devices synced: 300 Commmand ID: 6f1b0c9e-0000-4000-8000-000000000001' Exchange health: 'Server health 'Name: 'PowerShellExchangeServer: &lt;Name=cas01.contoso.com&gt;' Status: Connected','"
		case i%250 == 100:
			msg = "Handling command: Getting the mobile device list with a time filter (quick sync) for 3 users"
		case i%97 == 5:
			typ, level, msg = "Error", 2, "Exception in Get next command: The remote server returned an error: (407) Proxy Authentication Required."
		case i%50 == 7:
			typ, level = "Verbose", 16
		}
		ts := base.Add(time.Duration(i) * 3 * time.Second).Add(1234567 * 100)
		fmt.Fprintf(&b, `<E2ETraceEvent xmlns="http://schemas.microsoft.com/2004/06/E2ETraceEvent"><System xmlns="http://schemas.microsoft.com/2004/06/windows/eventlog/system"><EventID>0</EventID><Type>3</Type><SubType Name="%s">0</SubType><Level>%d</Level><TimeCreated SystemTime="%s"/><Source Name="OnPremisesExchangeConnectorService"/><Correlation ActivityID="{00000000-0000-0000-0000-000000000000}"/><Execution ProcessName="Microsoft.Management.Services.OnPremisesExchangeConnectorService" ProcessID="4242" ThreadID="%d"/><Channel/><Computer>EXCH01</Computer></System><ApplicationData>%s</ApplicationData></E2ETraceEvent>`,
			typ, level, ts.Format("2006-01-02T15:04:05.0000000Z"), 10+i%4, msg)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, globals{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader("")})
	return code, out.String(), errb.String()
}

var summaryRE = regexp.MustCompile(`(\d+) documents added = (\d+) indexed \+ (\d+) already there \+ (\d+) failed`)

// parseSummary reads the summary line and checks it adds up.
func parseSummary(t *testing.T, out string) (added, indexed, already, failed int) {
	t.Helper()
	m := summaryRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no summary in output:\n%s", out)
	}
	v := make([]int, 4)
	for i := range v {
		v[i], _ = strconv.Atoi(m[i+1])
	}
	if v[0] != v[1]+v[2]+v[3] {
		t.Errorf("summary does not add up: %s", m[0])
	}
	return v[0], v[1], v[2], v[3]
}

func TestFakeES_CLIIndexTwiceThenSetup(t *testing.T) {
	srv := estest.New(estest.Options{})
	defer srv.Close()
	dir := t.TempDir()
	bundle := filepath.Join(dir, "bundle")
	writeTraceLog(t, filepath.Join(bundle, "Logs", "Connector0.log"), 1500)
	dead := filepath.Join(dir, "dead.ndjson")

	code, _, stderr := runCLI(t, "setup", "--es", srv.ES.URL, "--kibana", srv.Kibana.URL)
	if code != 0 {
		t.Fatalf("setup exit %d: %s", code, stderr)
	}
	code, out, stderr := runCLI(t, "index", "--es", srv.ES.URL, "--dead-letter", dead, "--no-progress", bundle)
	if code != 0 {
		t.Fatalf("index exit %d: %s\n%s", code, stderr, out)
	}
	added, indexed, _, _ := parseSummary(t, out)
	if added != indexed || srv.Count("logs-exlog.events-default") != 1500 {
		t.Fatalf("first run: %s; events stored %d", out, srv.Count("logs-exlog.events-default"))
	}
	if srv.Count("logs-exlog.syncs-default") == 0 {
		t.Error("no sync session was indexed")
	}
	counts := map[string]int{}
	for _, s := range srv.Streams() {
		counts[s] = srv.Count(s)
	}
	code, out, stderr = runCLI(t, "index", "--es", srv.ES.URL, "--dead-letter", dead, "--no-progress", bundle)
	if code != 0 {
		t.Fatalf("second index exit %d: %s", code, stderr)
	}
	added2, indexed2, already2, _ := parseSummary(t, out)
	if added2 != added || indexed2 != 0 || already2 != added {
		t.Errorf("second run: %s", out)
	}
	for s, n := range counts {
		if srv.Count(s) != n {
			t.Errorf("%s: %d after the second run, %d after the first", s, srv.Count(s), n)
		}
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Error("dead-letter file written without a failure")
	}
}

func TestFakeES_CLIExitsThreeWhenDocumentsAreLost(t *testing.T) {
	srv := estest.New(estest.Options{Faults: estest.Faults{
		MappingError: func(_ string, src []byte) bool { return bytes.Contains(src, []byte("Proxy Authentication Required")) },
	}})
	defer srv.Close()
	dir := t.TempDir()
	log := filepath.Join(dir, "Connector0.log")
	writeTraceLog(t, log, 600)
	dead := filepath.Join(dir, "dead.ndjson")
	code, out, stderr := runCLI(t, "index", "--es", srv.ES.URL, "--dead-letter", dead, "--no-progress", log)
	if code != exitLost {
		t.Fatalf("exit %d, want %d: %s\n%s", code, exitLost, stderr, out)
	}
	_, _, _, failed := parseSummary(t, out)
	raw, err := os.ReadFile(dead)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if failed == 0 || len(lines) != failed {
		t.Fatalf("%d failed, %d dead-letter lines", failed, len(lines))
	}
	var l struct {
		ID    string `json:"_id"`
		Error struct {
			Type string `json:"type"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &l); err != nil || l.ID == "" || l.Error.Type != "document_parsing_exception" {
		t.Errorf("dead-letter line %s", lines[0])
	}
	if !strings.Contains(stderr, dead) {
		t.Errorf("the error does not name the dead-letter file: %s", stderr)
	}
}

func TestFakeES_CLIUsageErrors(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "Connector0.log")
	writeTraceLog(t, log, 20)
	if code, _, _ := runCLI(t, "index", log); code != exitUsage {
		t.Errorf("no --es: exit %d", code)
	}
	if code, _, _ := runCLI(t, "index", "--es", "http://127.0.0.1:1", "--namespace", "Bad-NS", log); code != exitUsage {
		t.Errorf("bad namespace: exit %d", code)
	}
	// A cluster that refuses the key: nothing is sent, nothing lost, and
	// the key is not echoed.
	srv := estest.New(estest.Options{APIKey: "cmlnaHQ6a2V5"})
	defer srv.Close()
	code, out, stderr := runCLI(t, "index", "--es", srv.ES.URL, "--api-key", "c2VjcmV0", log)
	if code != exitUsage || !strings.Contains(stderr, "401") || strings.Contains(stderr+out, "c2VjcmV0") {
		t.Errorf("refused key: exit %d, stderr %s", code, stderr)
	}
	t.Setenv("EXLOG_ES_API_KEY", "cmlnaHQ6a2V5")
	if code, _, stderr := runCLI(t, "index", "--es", srv.ES.URL, "--no-progress", log); code != 0 {
		t.Errorf("key from EXLOG_ES_API_KEY: exit %d, %s", code, stderr)
	}
}

func TestFakeES_CLIDryRun(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "Connector0.log")
	writeTraceLog(t, log, 300)
	body := filepath.Join(dir, "bulk.ndjson")
	code, out, stderr := runCLI(t, "index", "--dry-run", body, log)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	raw, _ := os.ReadFile(body)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) < 600 || !strings.HasPrefix(lines[0], `{"create":{"_index":"logs-exlog.events-default","_id":`) {
		t.Fatalf("%d lines; first %q; output %s", len(lines), lines[0], out)
	}
}

func TestVictoriaLogs_CLIRerunSendsOnlyWhatIsMissing(t *testing.T) {
	vl := os.Getenv("EXLOG_TEST_VL_URL")
	if vl == "" {
		t.Skip("EXLOG_TEST_VL_URL is not set: run VictoriaLogs (see .ci/victorialogs.sh, which .ci/run sources)")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "Connector0.log")
	writeTraceLog(t, log, 700)
	// A unique bundle: the server may hold earlier runs' documents.
	os.WriteFile(filepath.Join(dir, "nonce.txt"), []byte(time.Now().String()), 0o644)
	code, out, stderr := runCLI(t, "index", "--target", "victorialogs", "--es", vl, "--no-progress", log, filepath.Join(dir, "nonce.txt"))
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, stderr, out)
	}
	added, indexed, _, _ := parseSummary(t, out)
	if added != indexed || added < 700 || !strings.Contains(out, fmt.Sprintf("the store holds all %d documents", added)) {
		t.Fatalf("%s", out)
	}
	// The second run sends nothing: VictoriaLogs would keep duplicates.
	code, out, stderr = runCLI(t, "index", "--target", "victorialogs", "--es", vl, "--no-progress", log, filepath.Join(dir, "nonce.txt"))
	if code != 0 {
		t.Fatalf("second run: exit %d, %s\n%s", code, stderr, out)
	}
	added2, indexed2, already2, _ := parseSummary(t, out)
	if added2 != added || indexed2 != 0 || already2 != added || !strings.Contains(out, fmt.Sprintf("already held %d documents", added)) {
		t.Errorf("second run:\n%s", out)
	}
}

// TestFakeES_CLINeverPrintsACredential: URLs with credentials, with and
// without a scheme, for Elasticsearch and Kibana, are refused without
// repeating the secret.
func TestFakeES_CLINeverPrintsACredential(t *testing.T) {
	srv := estest.New(estest.Options{})
	defer srv.Close()
	dir := t.TempDir()
	log := filepath.Join(dir, "Connector0.log")
	writeTraceLog(t, log, 20)
	host := strings.TrimPrefix(srv.ES.URL, "http://")
	cases := [][]string{
		{"index", "--es", "elastic:s3cr3tpw@" + host, "--no-progress", log},
		{"index", "--es", "http://elastic:s3cr3tpw@" + host, "--no-progress", log},
		{"index", "--es", "elastic:s3cr3tpw@" + host + "/x?y", "--target", "victorialogs", "--no-progress", log},
		{"setup", "--es", "elastic:s3cr3tpw@" + host},
		{"setup", "--es", srv.ES.URL, "--kibana", "https://elastic:s3cr3tpw@kibana.example:5601"},
		{"setup", "--es", srv.ES.URL, "--kibana", "elastic:s3cr3tpw@kibana.example:5601"},
	}
	for _, args := range cases {
		code, out, stderr := runCLI(t, args...)
		if code == 0 {
			t.Errorf("%v: accepted", args)
		}
		if strings.Contains(out+stderr, "s3cr3tpw") {
			t.Errorf("%v printed the password:\n%s%s", args, out, stderr)
		}
	}
	if _, ok := srv.IndexTemplate("logs-exlog.events"); ok {
		t.Error("setup changed the cluster although the Kibana URL was refused")
	}
}

// TestFakeES_CLIAcknowledgedButNotStored: the cluster acknowledges some
// documents it then does not hold; the summary says so, the error names
// a crash first, the dead-letter file has their ids, and the rerun sends
// only those.
func TestFakeES_CLIAcknowledgedButNotStored(t *testing.T) {
	srv := estest.New(estest.Options{Faults: estest.Faults{LoseAcknowledged: func(id string) bool { return id[0] == 'A' || id[0] == 'B' }}})
	defer srv.Close()
	dir := t.TempDir()
	log := filepath.Join(dir, "Connector0.log")
	writeTraceLog(t, log, 600)
	dead := filepath.Join(dir, "dead.ndjson")
	code, out, stderr := runCLI(t, "index", "--es", srv.ES.URL, "--dead-letter", dead, "--no-progress", log)
	if code != exitLost {
		t.Fatalf("exit %d, want %d: %s\n%s", code, exitLost, stderr, out)
	}
	m := regexp.MustCompile(`; (\d+) of them acknowledged but not stored`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("the summary does not count what was lost:\n%s", out)
	}
	lost, _ := strconv.Atoi(m[1])
	if !strings.Contains(stderr, "restarted or crashed") || strings.Index(stderr, "crashed") > strings.Index(stderr, "retention") {
		t.Errorf("the error must name a restart or crash first, then retention: %s", stderr)
	}
	raw, _ := os.ReadFile(dead)
	if n := strings.Count(string(raw), `"acknowledged-not-stored"`); lost == 0 || n != lost {
		t.Errorf("%d lost, %d dead-letter lines", lost, n)
	}
	srv.SetFaults(estest.Faults{})
	before := srv.Stats().BulkItems
	code, out, stderr = runCLI(t, "index", "--es", srv.ES.URL, "--dead-letter", dead, "--no-progress", log)
	if code != 0 || srv.Stats().BulkItems-before != lost || !strings.Contains(out, "verified: the store holds all") {
		t.Errorf("rerun: exit %d, sent %d (want %d)\n%s%s", code, srv.Stats().BulkItems-before, lost, out, stderr)
	}
}
