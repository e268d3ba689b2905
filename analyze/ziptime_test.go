package analyze

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"exlog/report"
)

// dosOnlyHeader is a zip header with only the DOS date/time, as many
// zip tools write it (no extended-timestamp or NTFS field): the local
// wall clock of the zipping machine, zone not recorded.
func dosOnlyHeader(name string, wall time.Time) *zip.FileHeader {
	return &zip.FileHeader{Name: name, Method: zip.Deflate,
		ModifiedDate: uint16((wall.Year()-1980)<<9 | int(wall.Month())<<5 | wall.Day()),
		ModifiedTime: uint16(wall.Hour()<<11 | wall.Minute()<<5 | wall.Second()/2)}
}

// ntfsHeader carries the NTFS extra field (0x000a, tag 1: mtime, atime,
// ctime as FILETIME), which holds UTC.
func ntfsHeader(name string, t time.Time) *zip.FileHeader {
	h := dosOnlyHeader(name, t)
	ft := uint64(t.Unix()+11644473600) * 1e7 // 100 ns since 1601
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	le(uint16(0x000a))
	le(uint16(32))
	le(uint32(0))
	le(uint16(1))
	le(uint16(24))
	le(ft)
	le(ft)
	le(ft)
	h.Extra = b.Bytes()
	return h
}

func zipBundle(t *testing.T, files map[string]string, header func(name string) *zip.FileHeader) *report.Report {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		w, err := zw.CreateHeader(header(name))
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "bundle.zip")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Run([]string{p}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Zip entry times: a DOS-only time (the blind tester's after-eos bundle,
// zipped by a tool that writes no extended timestamp) is the zipping
// machine's local time; it is listed without a Z and never joined with
// the resolved findings. With an extended-timestamp or NTFS field the
// time is UTC and takes part in the joins.
func TestZipEntryTimeZone(t *testing.T) {
	start := time.Date(2024, 2, 14, 0, 0, 0, 0, time.UTC)
	end := time.Date(2024, 2, 20, 0, 0, 0, 0, time.UTC)
	logs := traces(start, end)
	// An error early in the logs that stops: a resolved finding.
	early := ""
	for i := 0; i < 3; i++ {
		early += connectorRec(start.Add(time.Duration(i)*time.Hour+5*time.Minute), 2916,
			"System.Net.WebException: The remote name could not be resolved: 'autodiscover.contoso.com'")
	}
	files := map[string]string{
		`Logs\Connector0.log`:      early + logs,
		"TracingConfiguration.xml": `<?xml version="1.0"?><TracingConfiguration><TraceSourceLevel>Information</TraceSourceLevel></TracingConfiguration>`,
	}
	cfgTime := time.Date(2024, 2, 17, 9, 31, 0, 0, time.UTC) // inside the logs' window, whatever the zone
	cases := []struct {
		name   string
		header func(string) *zip.FileHeader
		known  bool
	}{
		{"dos-only", func(n string) *zip.FileHeader { return dosOnlyHeader(n, cfgTime) }, false},
		{"dos-only-odd-seconds", func(n string) *zip.FileHeader { return dosOnlyHeader(n, cfgTime.Add(7*time.Second)) }, false},
		{"extended-timestamp", func(n string) *zip.FileHeader {
			return &zip.FileHeader{Name: n, Method: zip.Deflate, Modified: cfgTime}
		}, true},
		{"ntfs", func(n string) *zip.FileHeader { return ntfsHeader(n, cfgTime) }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := zipBundle(t, files, tc.header)
			var cm *report.Change
			for i := range r.Changes {
				if r.Changes[i].Kind == "config-modified" {
					cm = &r.Changes[i]
				}
			}
			if cm == nil {
				t.Fatalf("no config-modified change in %+v", r.Changes)
			}
			if cm.ZoneKnown() != tc.known {
				t.Fatalf("change %+v: zone known %v, want %v", cm, cm.ZoneKnown(), tc.known)
			}
			joined := false
			if r.Verdict != nil {
				for _, rs := range r.Verdict.Resolved {
					for _, c := range rs.Changes {
						if strings.Contains(c, "config file modified") {
							joined = true
						}
					}
				}
			}
			if tc.known {
				if !cm.Time.Equal(cfgTime) {
					t.Errorf("time %v, want %v", cm.Time, cfgTime)
				}
				if !joined {
					t.Errorf("a UTC config change after the last failure is not joined: %+v", r.Verdict.Resolved)
				}
				return
			}
			if !cm.Time.IsZero() || cm.TimeZone != "unknown" || !strings.HasPrefix(cm.LocalTime, "2024-02-17T09:31:0") {
				t.Errorf("unzoned change %+v: want no time, local_time 2024-02-17T09:31:0x, zone unknown", cm)
			}
			if !strings.Contains(cm.Text, "local time of the zipping machine") {
				t.Errorf("text %q does not say whose clock", cm.Text)
			}
			if joined {
				t.Errorf("an unzoned zip time is joined to a resolved finding: %+v", r.Verdict.Resolved)
			}
		})
	}
}
