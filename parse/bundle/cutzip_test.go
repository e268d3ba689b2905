package bundle

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
)

// A zip cut short (its central directory lost) is named as such, with its
// size; other unreadable data keeps the plain message.
func TestZipCutShortMessage(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range []string{"Logs/Connector0.log", "Logs/Connector1.log"} {
		w, _ := zw.Create(n)
		w.Write(bytes.Repeat([]byte("<E2ETraceEvent>x</E2ETraceEvent>\r\n"), 2000))
	}
	zw.Close()
	cut := buf.Bytes()[:buf.Len()/2]
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"cut.zip", cut, "a zip archive cut short"},
		{"noise.zip", append([]byte("PK\x05\x06"), bytes.Repeat([]byte{0}, 10)...), "not a readable zip archive"},
	} {
		b, err := OpenReader(c.name, bytes.NewReader(c.data), DefaultLimits())
		if err == nil {
			defer b.Close()
		}
		var why string
		if b != nil {
			for _, s := range b.Skipped() {
				why += s.Reason
			}
		}
		if err != nil {
			why += err.Error()
		}
		if !strings.Contains(why, c.want) {
			t.Errorf("%s: %q, want %q", c.name, why, c.want)
		}
	}
}
