package bundle

import (
	"archive/zip"
	"bytes"
	"path/filepath"
	"testing"
)

// A member with only a DOS date/time has no known zone; the writer's
// default (extended timestamp 0x5455) and a folder's file time do.
func TestModTimeUTC(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	// DOS only: 2024-03-04 09:31:00, as the blind tester's after-eos zip.
	h := &zip.FileHeader{Name: "TracingConfiguration.xml", Method: zip.Deflate,
		ModifiedDate: uint16((2024-1980)<<9 | 3<<5 | 4), ModifiedTime: uint16(9<<11 | 31<<5)}
	w, _ := zw.CreateHeader(h)
	w.Write([]byte("<x/>"))
	w, _ = zw.CreateHeader(&zip.FileHeader{Name: `Logs\Connector0.log`, Method: zip.Deflate, Modified: testTime})
	w.Write([]byte("y"))
	zw.Close()
	zipPath := filepath.Join(t.TempDir(), "bundle.zip")
	writeFile(t, zipPath, buf.Bytes())
	b, err := Open([]string{zipPath}, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got := map[string]bool{}
	for _, e := range b.Entries() {
		got[e.Path] = e.ModTimeUTC
	}
	if v, ok := got["bundle.zip!TracingConfiguration.xml"]; !ok || v {
		t.Errorf("DOS-only member: ModTimeUTC %v (present %v), want false; entries %v", v, ok, got)
	}
	if v := got["bundle.zip!Logs/Connector0.log"]; !v {
		t.Errorf("member with an extended timestamp: ModTimeUTC false; entries %v", got)
	}
	for _, tc := range []struct {
		name  string
		extra []byte
		want  bool
	}{
		{"none", nil, false},
		{"ext-mtime", []byte{0x55, 0x54, 5, 0, 1, 1, 2, 3, 4}, true},
		{"ext-no-mtime-flag", []byte{0x55, 0x54, 5, 0, 2, 1, 2, 3, 4}, false},
		{"ntfs", append([]byte{0x0a, 0, 32, 0, 0, 0, 0, 0, 1, 0, 24, 0}, make([]byte, 24)...), true},
		{"ntfs-short", []byte{0x0a, 0, 8, 0, 0, 0, 0, 0, 1, 0, 24, 0}, false},
		{"truncated", []byte{0x55, 0x54, 9, 0, 1}, false},
		{"other-then-ext", []byte{0x75, 0x70, 1, 0, 9, 0x55, 0x54, 5, 0, 1, 1, 2, 3, 4}, true},
	} {
		if got := zoneKnownTime(tc.extra); got != tc.want {
			t.Errorf("%s: zoneKnownTime %v, want %v", tc.name, got, tc.want)
		}
	}
}
