package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// The archive caps: nothing read because of a cap is a usage error naming
// the flag; a bundle read in part is never called healthy and the verdict
// says what was not read; 0 is refused, not taken as unlimited.
func TestCapsNeverGiveHealthy(t *testing.T) {
	const sample = "../../samples/healthy-5days/bundle.zip"
	code, out, errOut := runCLI(t, "analyze", "--no-progress", "--max-total", "1KiB", sample)
	if code != exitUsage || out != "" || !strings.Contains(errOut, "nothing read: --max-total=1KiB") || !strings.Contains(errOut, "raise --max-total") {
		t.Errorf("--max-total 1KiB: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	for _, tc := range []struct{ flag, value, want string }{
		{"--max-depth", "1", "1 file not read because of --max-depth=1 (bundle.zip!Logs.zip)"},
		{"--max-entry", "100KiB", "2 files not read because of --max-entry=100KiB"},
		{"--max-files", "3", "some files not read because of --max-files=3"},
	} {
		code, out, errOut := runCLI(t, "analyze", "--no-progress", "-f", "json", tc.flag, tc.value, sample)
		if code != 0 {
			t.Fatalf("%s %s: exit %d: %s", tc.flag, tc.value, code, errOut)
		}
		var rep struct {
			Verdict struct {
				State     string   `json:"state"`
				Reasons   []string `json:"reasons"`
				NextSteps []string `json:"next_steps"`
			} `json:"verdict"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		v := rep.Verdict
		if v.State != "unknown" || len(v.Reasons) == 0 || !strings.HasPrefix(v.Reasons[0], "can't tell: "+tc.want) {
			t.Errorf("%s %s: verdict %s %q", tc.flag, tc.value, v.State, v.Reasons)
		}
		if len(v.NextSteps) == 0 || !strings.Contains(v.NextSteps[0], "higher "+tc.flag) {
			t.Errorf("%s %s: next steps %q", tc.flag, tc.value, v.NextSteps)
		}
	}
	code, out, _ = runCLI(t, "analyze", "--no-progress", "--max-depth", "1", sample)
	if code != 0 || !strings.Contains(out, "VERDICT UNKNOWN") || strings.Contains(out, "HEALTHY") {
		t.Errorf("--max-depth 1, text: exit %d\n%s", code, out)
	}
	for _, flag := range []string{"--max-depth", "--max-total", "--max-files", "--max-record"} {
		code, _, errOut := runCLI(t, "analyze", "--no-progress", flag, "0", sample)
		if code != exitUsage || !strings.Contains(errOut, flag+" must be above 0") {
			t.Errorf("%s 0: exit %d, stderr %q", flag, code, errOut)
		}
	}
}
