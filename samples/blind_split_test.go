package samples

import (
	"path/filepath"
	"testing"

	"exlog/analyze"
)

// The outside tester's hostile bundle (testdata/blind/hostile-split): the
// full sync whose completion record the log rotation cut in two completed
// on 2023-10-18, and the two halves are read as one record.
func TestBlindSplitRecordJoined(t *testing.T) {
	r, err := analyze.Run([]string{filepath.Join("..", "testdata", "blind", "hostile-split", "bundle.zip")}, analyze.Options{Version: "blind"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Findings {
		if f.ID == "sync.unfinished" {
			t.Errorf("sync.unfinished: %s", f.Title)
		}
	}
	if r.Verdict == nil || r.Verdict.LastFullSync == nil || r.Verdict.LastFullSync.Format("2006-01-02") != "2023-10-18" {
		t.Errorf("last full sync %v, want 2023-10-18", r.Verdict.LastFullSync)
	}
	joined := 0
	for _, in := range r.Inputs {
		for _, w := range in.Warnings {
			switch w.Kind {
			case "joined-record":
				joined++
			case "truncated-record":
				t.Errorf("%s: %s", w.Origin, w.Message)
			}
		}
	}
	if joined != 1 {
		t.Errorf("%d joined-record notes, want 1", joined)
	}
}
