package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeRedact: with --redact the served report names no user, host
// or domain of the upload.
func TestServeRedact(t *testing.T) {
	zip, err := os.ReadFile(filepath.Join("..", "..", "samples", "discovery-problems", "bundle.zip"))
	if err != nil {
		t.Fatal(err)
	}
	for _, redact := range []bool{false, true} {
		srv := httptest.NewServer(newServeHandler(serveConfig{Redact: redact, Loopback: true}))
		req, err := http.NewRequest("POST", srv.URL+"/api/analyze", bytes.NewReader(zip))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Exlog-Request", "1")
		req.Header.Set("X-Exlog-Filename", "bundle.zip")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		srv.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("redact=%v: %d %s", redact, resp.StatusCode, body)
		}
		leaked := strings.Contains(string(body), "contoso") || strings.Contains(string(body), "EXCONN01")
		if leaked == redact {
			t.Errorf("redact=%v: identifiers present=%v", redact, leaked)
		}
		if redact && !strings.Contains(string(body), "domain-01.example") {
			t.Error("no pseudonyms in the redacted report")
		}
	}
}
