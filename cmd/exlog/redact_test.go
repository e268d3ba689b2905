package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAnalyzeRedactMap: --redact-map writes a private mapping with a
// warning, and a second run with it gives the same pseudonyms.
func TestAnalyzeRedactMap(t *testing.T) {
	bundle := filepath.Join("..", "..", "samples", "discovery-problems", "bundle.zip")
	mapPath := filepath.Join(t.TempDir(), "customer.map.json")
	runJSON := func(extra ...string) (string, string) {
		var out, errb bytes.Buffer
		args := append([]string{"analyze", "--no-progress", "-f", "json"}, extra...)
		code := run(append(args, bundle), globals{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader("")})
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		return out.String(), errb.String()
	}
	plain, _ := runJSON()
	first, warn := runJSON("--redact-map", mapPath)
	if !strings.Contains(warn, "never share") || !strings.Contains(warn, mapPath) {
		t.Errorf("no privacy warning on stderr: %q", warn)
	}
	fi, err := os.Stat(mapPath)
	if err != nil {
		t.Fatal(err)
	}
	if os.PathSeparator == '/' && fi.Mode().Perm() != 0o600 {
		t.Errorf("map mode %v, want 0600", fi.Mode().Perm())
	}
	second, _ := runJSON("--redact-map", mapPath)
	if first != second {
		t.Error("the reloaded map gave other pseudonyms")
	}
	for _, orig := range []string{"contoso", "fabrikam", "EXCONN01", "jose.nunez"} {
		if !strings.Contains(plain, orig) {
			t.Fatalf("sample changed: %q not in the plain report", orig)
		}
		if strings.Contains(first, orig) {
			t.Errorf("%q survived --redact-map", orig)
		}
	}
	redacted, warn := runJSON("--redact")
	if strings.Contains(redacted, "contoso") || warn != "" {
		t.Errorf("--redact: leak or unexpected stderr %q", warn)
	}
}
