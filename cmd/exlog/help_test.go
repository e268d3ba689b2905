package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The help of every command, as a golden: flags shared through embedded
// structs (flags.go) must keep their names and their place. Refresh with
// EXLOG_UPDATE_GOLDEN=1 and read the diff.
func TestHelpGolden(t *testing.T) {
	t.Setenv("COLUMNS", "80") // kong wraps help at $COLUMNS
	for _, v := range []string{"EXLOG_ES_URL", "EXLOG_ES_API_KEY", "EXLOG_ES_USER", "EXLOG_ES_PASSWORD", "EXLOG_KIBANA_URL"} {
		t.Setenv(v, "") // an environment default would show in the help
	}
	var b strings.Builder
	for _, c := range []string{"analyze", "index", "serve", "setup", "diff", "drop", "patterns list", "patterns show", "patterns test", "patterns suggest", "patterns lint", "collect-script"} {
		code, out, errOut := runCLI(t, append(strings.Fields(c), "--help")...)
		if code != exitOK || errOut != "" {
			t.Errorf("%s --help: exit %d, stderr %q", c, code, errOut)
		}
		b.WriteString("=== exlog " + c + " --help\n" + out)
	}
	golden := filepath.Join("testdata", "help.golden")
	if os.Getenv("EXLOG_UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("help differs from %s (refresh: EXLOG_UPDATE_GOLDEN=1 go test ./cmd/exlog -run TestHelpGolden, and read the diff):\n%s", golden, b.String())
	}
}
