package main

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// brokenWriter fails every write, as a full disk or a closed pipe does.
type brokenWriter struct{}

func (brokenWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// A usage error and a runtime error end differently: exit 2 and
// "exlog: …" for what the command line got wrong, exit 4 and
// "exlog: error: …" for a run that failed on its surroundings.
func TestExitCodesUsageVersusRuntime(t *testing.T) {
	missingDir := filepath.Join(t.TempDir(), "no-such-dir", "r.json")
	for _, tc := range []struct {
		name   string
		args   []string
		broken bool // standard output fails every write
		code   int
		err    string // prefix of stderr's last line
	}{
		{"bad --since", []string{"analyze", "--no-progress", "--since", "yesterday", healthy}, false, exitUsage, `exlog: --since: "yesterday" is not a time`},
		{"missing input", []string{"analyze", "--no-progress", filepath.Join(t.TempDir(), "nope.zip")}, false, exitUsage, "exlog: stat "},
		{"-o in a missing folder", []string{"analyze", "--no-progress", "-o", missingDir, healthy}, false, exitRuntime, "exlog: error: open " + missingDir},
		{"stdout fails", []string{"analyze", "--no-progress", "--format", "json", healthy}, true, exitRuntime, "exlog: error: no space left on device"},
	} {
		var out, errb bytes.Buffer
		g := globals{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader("")}
		if tc.broken {
			g.Stdout = brokenWriter{}
		}
		code := run(tc.args, g)
		lines := strings.Split(strings.TrimRight(errb.String(), "\n"), "\n")
		last := lines[len(lines)-1]
		if code != tc.code || !strings.HasPrefix(last, tc.err) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d, %q…", tc.name, code, errb.String(), tc.code, tc.err)
		}
		if tc.code == exitUsage && strings.Contains(errb.String(), "exlog: error:") {
			t.Errorf("%s: a usage error reads like a runtime error: %q", tc.name, errb.String())
		}
	}
}

// exitCode: an error that is no exitError is a runtime error; an
// exitError keeps its code, findings (exit 1) print nothing.
func TestExitCodeMapping(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code int
		msg  string
	}{
		{nil, exitOK, ""},
		{errors.New("disk full"), exitRuntime, "exlog: error: disk full"},
		{usageErr("--since: bad"), exitUsage, "exlog: --since: bad"},
		{&exitError{code: exitFindings}, exitFindings, ""},
		{&exitError{code: exitLost, err: errors.New("3 documents were not indexed")}, exitLost, "exlog: 3 documents were not indexed"},
		{runtimeErr(errors.New("bad\x1b[31m")), exitRuntime, `exlog: error: bad\x1b[31m`},
	} {
		code, msg := exitCode(tc.err)
		if code != tc.code || msg != tc.msg {
			t.Errorf("exitCode(%v) = %d, %q; want %d, %q", tc.err, code, msg, tc.code, tc.msg)
		}
	}
}

// A panic in a command is a runtime error (exit 4) with its stack, not
// Go's exit 2 that reads as a usage error.
func TestCrashIsRuntimeError(t *testing.T) {
	var b bytes.Buffer
	if code := crashed(&b, "index out of range\x1b[2J", []byte("goroutine 1 [running]:\n")); code != exitRuntime {
		t.Errorf("exit %d, want %d", code, exitRuntime)
	}
	if got := b.String(); !strings.HasPrefix(got, "exlog: error: internal error") || !strings.Contains(got, `index out of range\x1b[2J`) || !strings.Contains(got, "goroutine 1") {
		t.Errorf("stderr %q", got)
	}
}

// Through run: a command that panics (here: no standard input at all,
// which main never passes) ends with exit 4 and the stack.
func TestCrashThroughRun(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"analyze", "--no-progress", "-"}, globals{Stdout: &out, Stderr: &errb})
	if code != exitRuntime || !strings.HasPrefix(errb.String(), "exlog: error: internal error") || !strings.Contains(errb.String(), "goroutine") {
		t.Errorf("exit %d, stderr %q", code, truncate(errb.String(), 300))
	}
}
