package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const healthy = "../../samples/healthy-5days/bundle.zip"

// The first five minutes: typos, missing arguments and help.
func TestCommandLineForgives(t *testing.T) {
	for _, tc := range []struct {
		args      []string
		code      int
		out, err  string // substrings of stdout and stderr ("" = anything)
		notOutErr string // in neither
	}{
		{[]string{"anlyze", "x"}, exitUsage, "", `unknown command "anlyze" — did you mean analyze?`, "no such file"},
		{[]string{"nosuch.zip"}, exitUsage, "", `unknown command "nosuch.zip", and no file or folder of that name`, ""},
		{[]string{"help"}, 0, "Usage: exlog <command>", "", "exlog drop"},
		{[]string{"help", "nosuch"}, exitUsage, "", `unknown command "nosuch"`, "exlog drop"},
		{[]string{"help", "patern"}, exitUsage, "", `did you mean patterns?`, ""},
		{[]string{"--version"}, 0, "exlog ", "", ""},
		{[]string{"analyze"}, exitUsage, "", "Usage: exlog analyze <PATH> ... [flags]\nExample: exlog analyze samples/healthy-5days/bundle.zip", ""},
		{[]string{"patterns"}, exitUsage, "", "  suggest  Write pattern skeletons", ""},
		{[]string{"patterns", "lint", "nosuch-dir"}, exitUsage, "", "nosuch-dir: no such pattern directory or file", "0 patterns"},
		{[]string{"patterns", "test", "nosuch-dir"}, exitUsage, "", "nosuch-dir: no such pattern directory or file", "0 examples"},
		{[]string{"patterns", "lint", "main.go"}, exitUsage, "", "main.go: not a pattern file", ""},
		{[]string{"patterns", "lint", "."}, exitUsage, "", "no *.exlog pattern files in this directory", ""},
		{[]string{"patterns", "lint"}, 0, "patterns, no errors, 0 warnings", "", ""},
		{[]string{"setup", "--help"}, 0, "", "", "--target"},
		{[]string{"analyze", "-o", filepath.Join(t.TempDir(), "r.pdf"), healthy}, exitUsage, "", `cannot tell the format from ".pdf": give --format`, ""},
	} {
		code, out, errOut := runCLI(t, tc.args...)
		name := strings.Join(tc.args, " ")
		if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errOut, tc.err) ||
			(tc.notOutErr != "" && strings.Contains(out+errOut, tc.notOutErr)) {
			t.Errorf("exlog %s: exit %d (want %d)\nstdout: %s\nstderr: %s", name, code, tc.code, truncate(out, 600), errOut)
		}
	}
}

// One pattern file linted: an error has "error:" and a singular count.
func TestPatternsLintOneFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.exlog")
	os.WriteFile(bad, []byte("pattern custom.x {\n  title \"t\"\n  severity eror\n  remedy \"r\"\n  match message contains \"x\"\n}\n"), 0o644)
	code, out, _ := runCLI(t, "patterns", "lint", bad)
	if code != exitFindings || !strings.Contains(out, "bad.exlog:3:12: error: unknown severity \"eror\"") || !strings.Contains(out, "\n1 error, ") {
		t.Errorf("lint bad.exlog: exit %d\n%s", code, out)
	}
}

// -o chooses the format from the extension.
func TestOutputFormatFromExtension(t *testing.T) {
	dir := t.TempDir()
	for ext, head := range map[string]string{".html": "<!DOCTYPE html>", ".json": "{\n  \"schema\": \"exlog.report/v1\"", ".xml": "<?xml", ".sarif": "{\n  \"$schema\"", ".txt": "exlog "} {
		p := filepath.Join(dir, "r"+ext)
		if code, _, errOut := runCLI(t, "analyze", "--no-progress", "-o", p, healthy); code != 0 {
			t.Fatalf("-o r%s: exit %d: %s", ext, code, errOut)
		}
		b, _ := os.ReadFile(p)
		if !strings.HasPrefix(string(b), head) {
			t.Errorf("-o r%s starts %q, want %q", ext, truncate(string(b), 40), head)
		}
	}
}

// --patterns: the override is said in words, in the text report.
func TestOverrideNoteInWords(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("../../patterns/library/network.exlog")
	if err != nil {
		t.Fatal(err)
	}
	// The library's own proxy-auth pattern, loaded again from a user dir.
	i := strings.Index(string(src), "pattern network.proxy-auth")
	j := strings.Index(string(src)[i:], "\n}\n")
	os.WriteFile(filepath.Join(dir, "mine.exlog"), []byte(string(src)[i:i+j+3]), 0o644)
	code, out, errOut := runCLI(t, "analyze", "--no-progress", "--patterns", dir, healthy)
	want := "Note: pattern network.proxy-auth from " + filepath.Join(dir, "mine.exlog") + " (line 1) replaces the one in library/network.exlog"
	if code != 0 || !strings.Contains(out, want) || strings.Contains(out+errOut, "{network.proxy-auth") {
		t.Errorf("exit %d, want %q in\n%s\nstderr %s", code, want, truncate(out, 400), errOut)
	}
}
