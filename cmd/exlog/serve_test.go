package main

// Tests of exlog serve over plain HTTP (no browser): the upload limit,
// concurrent uploads, nothing left on disk. Helpers here are shared with
// browser_test.go.

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"exlog/report"
)

const samplesDir = "../../samples"

// exchangeErrorsIDs are the finding ids samples/exchange-errors/README.md
// says a correct analysis must find.
var exchangeErrorsIDs = []string{
	"exchange.remote-powershell-failed", "exchange.throttled", "notify.autodiscover-failed",
	"notify.send-failed", "sync.exchange-unhealthy", "sync.failed",
}

// xssPayload is log text that would run if the report did not escape it.
const xssPayload = `<script>alert(1)</script><img src=x onerror=window.__xss=1>`

func readSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(samplesDir, name, "bundle.zip"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// analyzeBytes runs the pipeline on a zip held in memory, as serve does.
func analyzeBytes(t *testing.T, name string, zipData []byte) *report.Report {
	t.Helper()
	h := newServeHandler(serveConfig{}).(*serveHandler)
	rep, err := h.analyzeUpload(name, bytes.NewReader(zipData))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func findingIDs(r *report.Report) []string {
	var ids []string
	for _, f := range r.Findings {
		if !slices.Contains(ids, f.ID) {
			ids = append(ids, f.ID)
		}
	}
	sort.Strings(ids)
	return ids
}

func countSyncs(r *report.Report, status report.SyncStatus) int {
	n := 0
	for _, s := range r.Syncs {
		if status == "" || s.Status == status {
			n++
		}
	}
	return n
}

func newTestServer(t *testing.T, cfg serveConfig) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(newServeHandler(cfg))
	t.Cleanup(srv.Close)
	return srv
}

// bigTrace repeats the first record of a sample trace log to n bytes.
func bigTrace(t *testing.T, n int) []byte {
	t.Helper()
	src := readSample(t, "exchange-errors")
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open("Logs/Connector0.log")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	head := make([]byte, 4096)
	m, _ := io.ReadFull(rc, head)
	end := bytes.Index(head[:m], []byte("</E2ETraceEvent>"))
	if end < 0 {
		t.Fatal("no trace record in the first 4 KiB of the sample")
	}
	rec := head[:end+len("</E2ETraceEvent>")]
	var out bytes.Buffer
	for out.Len() < n {
		out.Write(rec)
		out.WriteString("\r\n")
	}
	return out.Bytes()
}

func postBundle(client *http.Client, url, name string, body io.Reader) (int, []byte, error) {
	req, err := http.NewRequest("POST", url+"/api/analyze", body)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("X-Exlog-Request", "1")
	req.Header.Set("X-Exlog-Filename", name)
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// TestServeLimitsAndConcurrency: 413 over the limit with the server still
// answering, nothing left in the temp folder, ten uploads at once.
func TestServeLimitsAndConcurrency(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // spooled uploads land here; it must be empty afterwards
	srv := newTestServer(t, serveConfig{MaxUpload: 1 << 20, MemSpool: 8 << 10, Loopback: true})
	client := srv.Client()

	big := bytes.Repeat([]byte("x"), 2<<20)
	code, body, err := postBundle(client, srv.URL, "big.log", bytes.NewReader(big)) // Content-Length known
	if err != nil || code != http.StatusRequestEntityTooLarge {
		t.Fatalf("declared 2 MiB upload: %d %s %v, want 413", code, body, err)
	}
	// A trace log is read to its end while it streams in: the limit trips
	// inside the parser, which must still give 413, not a partial report.
	code, body, err = postBundle(client, srv.URL, "Connector0.log", io.MultiReader(bytes.NewReader(bigTrace(t, 2<<20)))) // chunked, streamed
	if err != nil || code != http.StatusRequestEntityTooLarge {
		t.Fatalf("streamed 2 MiB trace log: %d %s %v, want 413", code, body, err)
	}
	bigZip := append([]byte("PK\x03\x04"), big...)
	code, body, err = postBundle(client, srv.URL, "big.zip", io.MultiReader(bytes.NewReader(bigZip))) // spooled zip
	if err != nil || code != http.StatusRequestEntityTooLarge {
		t.Fatalf("streamed 2 MiB zip: %d %s %v, want 413", code, body, err)
	}
	resp, err := client.Get(srv.URL + "/")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("after 413s the page does not answer: %v %v", resp, err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("page CSP %q is not strict", csp)
	}

	// Ten at once, different samples (larger ones spooled to TMPDIR).
	names := []string{"exchange-errors", "restart-mid", "network-errors", "service-logon", "setup-errors",
		"sync-across-files", "sync-outage-6h", "sync-slow-full", "sync-stuck-full", "warning-level"}
	type result struct {
		name string
		code int
		rep  report.Report
		err  error
	}
	results := make([]result, len(names))
	var wg sync.WaitGroup
	for i, n := range names {
		data := readSample(t, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := result{name: n}
			var body []byte
			r.code, body, r.err = postBundle(client, srv.URL, n+".zip", bytes.NewReader(data))
			if r.err == nil && r.code == 200 {
				r.err = json.Unmarshal(body, &r.rep)
			} else if r.err == nil {
				r.err = fmt.Errorf("status %d: %s", r.code, body)
			}
			results[i] = r
		}()
	}
	wg.Wait()
	for _, r := range results {
		if r.err != nil {
			t.Errorf("%s: %v", r.name, r.err)
			continue
		}
		want := analyzeBytes(t, r.name+".zip", readSample(t, r.name))
		if got, w := findingIDs(&r.rep), findingIDs(want); !slices.Equal(got, w) {
			t.Errorf("%s: concurrent upload found %v, alone %v", r.name, got, w)
		}
		if r.rep.Summary.Records != want.Summary.Records || len(r.rep.Syncs) != len(want.Syncs) {
			t.Errorf("%s: concurrent upload %d records %d syncs, alone %d records %d syncs", r.name,
				r.rep.Summary.Records, len(r.rep.Syncs), want.Summary.Records, len(want.Syncs))
		}
		if len(r.rep.Inputs) == 0 || !strings.HasPrefix(r.rep.Inputs[0].Path, r.name+".zip!") {
			t.Errorf("%s: origins do not name the upload: %+v", r.name, r.rep.Inputs)
		}
	}
	left, _ := os.ReadDir(tmp)
	if len(left) != 0 {
		t.Errorf("files left in the temp folder after the responses: %v", left)
	}

	// A request naming another host is refused (DNS rebinding).
	req, _ := http.NewRequest("GET", srv.URL+"/", nil)
	req.Host = "attacker.example:80"
	if resp, err := client.Do(req); err != nil || resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("foreign Host header: %v %v, want 421", resp, err)
	} else {
		resp.Body.Close()
	}
}
