package analyze

import (
	"archive/zip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"exlog/parse/bundle"
)

// A file whose read a cap stops part-way: its warning names the cap once
// (not the path twice), the verdict is "unknown" and says which file was
// read only in part; when that was all the evidence, the run is ErrCapped.
func TestCapStopsARead(t *testing.T) {
	log, err := os.ReadFile("../samples/cut-records/bundle/Connector0.log")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	zpath := filepath.Join(dir, "b.zip")
	f, _ := os.Create(zpath)
	zw := zip.NewWriter(f)
	w, _ := zw.Create("Logs/Connector0.log")
	w.Write(log)
	w, _ = zw.Create("TracingConfiguration.xml")
	w.Write([]byte(`<?xml version="1.0"?><TracingConfiguration><TraceSourceLevel>Verbose</TraceSourceLevel></TracingConfiguration>`))
	zw.Close()
	f.Close()

	// The declared sizes fit; the head read for detection counts again,
	// so the full read of the log passes the total.
	lim := bundle.DefaultLimits()
	lim.MaxTotal = int64(len(log)) + 200
	b, err := bundle.Open([]string{zpath}, lim)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rep, err := RunBundle(b, Options{Limits: lim})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, in := range rep.Inputs {
		for _, w := range in.Warnings {
			if w.Kind == "read-error" {
				msgs = append(msgs, w.Message)
			}
		}
	}
	if len(msgs) == 0 {
		t.Fatalf("no read-error warning; inputs %+v", rep.Inputs)
	}
	for _, m := range msgs {
		if strings.Contains(m, "b.zip!") || !strings.Contains(m, "--max-total=") {
			t.Errorf("warning %q: want the cap named and no path", m)
		}
	}
	v := rep.Verdict
	if v.State != "unknown" || !strings.Contains(v.Reasons[0], "read only in part because of --max-total=") {
		t.Errorf("verdict %s %q", v.State, v.Reasons)
	}

	// Only a small log, stopped at its first read after detection:
	// nothing was read but for the cap.
	small := log[:4000]
	lim.MaxTotal = int64(len(small)) + 200
	zpath2 := filepath.Join(dir, "c.zip")
	f, _ = os.Create(zpath2)
	zw = zip.NewWriter(f)
	w, _ = zw.Create("Logs/Connector0.log")
	w.Write(small)
	zw.Close()
	f.Close()
	b2, err := bundle.Open([]string{zpath2}, lim)
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	_, err = RunBundle(b2, Options{Limits: lim})
	var ce *ErrCapped
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "nothing read: --max-total=") {
		t.Errorf("only the log, cut by the cap: err %v", err)
	}
}
