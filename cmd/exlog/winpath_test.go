package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestBaseNameWindowsForms: the redacted title is built from base names;
// Windows forms of a path are split on "\" on every system.
func TestBaseNameWindowsForms(t *testing.T) {
	for in, want := range map[string]string{
		`C:\bundle.zip`:                   "bundle.zip",
		`C:\Users\jsmith\Downloads\b.zip`: "b.zip",
		`\\server\share\b.zip`:            "b.zip",
		`\\server\share\case 42\`:         "case 42",
		`D:/mixed\forms/bundle.zip`:       "bundle.zip",
		"/home/jsmith/bundle.zip":         "bundle.zip",
		"bundle.zip":                      "bundle.zip",
		"-":                               "-",
	} {
		if got := baseName(in); got != want {
			t.Errorf("baseName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestColourGating: colours only on a terminal, never into a file or a
// buffer, never with NO_COLOR or TERM=dumb. (On Windows a terminal must
// also accept virtual-terminal processing: ansi_windows.go, exercised
// only by cross-compiling here.)
func TestColourGating(t *testing.T) {
	if colorOK(&bytes.Buffer{}, "") {
		t.Error("colour into a buffer")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "out.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if colorOK(f, "") {
		t.Error("colour into a regular file")
	}
	if colorOK(os.Stdout, "report.txt") {
		t.Error("colour with -o FILE")
	}
	t.Setenv("NO_COLOR", "1")
	if colorOK(os.Stdout, "") {
		t.Error("colour with NO_COLOR")
	}
	t.Setenv("NO_COLOR", "")
	t.Setenv("TERM", "dumb")
	if colorOK(os.Stdout, "") {
		t.Error("colour with TERM=dumb")
	}
}
