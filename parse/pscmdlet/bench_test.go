package pscmdlet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"exlog/event"
)

// writeFormatList writes one object as Format-List does at 80 columns:
// labels padded to the longest, values hard-wrapped, CRLF.
func writeFormatList(w *bytes.Buffer, props [][2]string) {
	width := 0
	for _, p := range props {
		width = max(width, len(p[0]))
	}
	room := 80 - width - 4
	for _, p := range props {
		w.WriteString(p[0])
		w.WriteString(strings.Repeat(" ", width-len(p[0])))
		w.WriteString(" : ")
		v := []rune(p[1])
		for i := 0; ; i += room {
			if i > 0 {
				w.WriteString(strings.Repeat(" ", width+3))
			}
			w.WriteString(string(v[i:min(i+room, len(v))]))
			w.WriteString("\r\n")
			if i+room >= len(v) {
				break
			}
		}
	}
	w.WriteString("\r\n")
}

var (
	benchOnce sync.Once
	benchList []byte
)

// generatedDevices is a deterministic Get-ActiveSyncDeviceStatistics | fl
// export of n devices for n/2 users.
func generatedDevices(n int) []byte {
	var w bytes.Buffer
	w.WriteString("\r\n\r\n")
	states := []string{"Allowed", "Allowed", "Allowed", "Quarantined", "Blocked"}
	reasons := []string{"Global", "ExternallyManaged", "ExternalCompliance", "ExternalEnrollment", "Individual"}
	for i := 0; i < n; i++ {
		user := fmt.Sprintf("User%04d Müller", i/2)
		id := fmt.Sprintf("Appl%012X", i*7919)
		date := fmt.Sprintf("%d/%d/2026 %d:%02d:%02d PM", 1+i%12, 1+i%28, 1+i%12, i%60, (i*7)%60)
		writeFormatList(&w, [][2]string{
			{"RunspaceId", "5f6e7a8b-1c2d-4e3f-9a0b-1c2d3e4f5a6b"},
			{"FirstSyncTime", date}, {"LastPolicyUpdateTime", date}, {"LastSyncAttemptTime", date}, {"LastSuccessSync", date},
			{"DeviceType", "iPhone"}, {"DeviceID", id}, {"DeviceUserAgent", "Apple-iPhone13C2/2001.101"},
			{"DeviceWipeSentTime", ""}, {"DeviceWipeRequestTime", ""}, {"DeviceWipeAckTime", ""},
			{"LastPingHeartbeat", "540"}, {"RecoveryPassword", "********"}, {"DeviceModel", "iPhone13C2"},
			{"DeviceImei", ""}, {"DeviceFriendlyName", "iPhone"}, {"DeviceOS", "iOS 17.1.2 21B101"},
			{"DeviceOSLanguage", "en-US"}, {"DevicePhoneNumber", ""}, {"MailboxLogReport", ""},
			{"DeviceEnableOutboundSMS", "False"}, {"DeviceMobileOperator", ""},
			{"Identity", "contoso.com/Users/" + user + "/ExchangeActiveSyncDevices/iPhone§" + id},
			{"Guid", fmt.Sprintf("6f1b2e0c-3d44-4a8e-9d1a-%012x", i)}, {"IsRemoteWipeSupported", "True"},
			{"Status", "DeviceOk"}, {"StatusNote", ""}, {"DeviceAccessState", states[i%len(states)]},
			{"DeviceAccessStateReason", reasons[i%len(reasons)]}, {"DeviceAccessControlRule", ""},
			{"DevicePolicyApplied", "Default"}, {"DevicePolicyApplicationStatus", "AppliedInFull"},
			{"LastDeviceWipeRequestor", ""}, {"ClientVersion", "16.1"}, {"NumberOfFoldersSynced", "14"},
			{"SyncStateUpgradeTime", ""}, {"ClientType", "EAS"}, {"IsValid", "True"}, {"ObjectState", "Unchanged"},
		})
	}
	return w.Bytes()
}

func TestGeneratedDevices(t *testing.T) {
	data := generatedDevices(50)
	if !utf8.Valid(data) || !DetectList(data[:min(len(data), 8<<10)]) {
		t.Fatal("generated export not detected as Format-List")
	}
	recs, warns := run(t, NewListReader, "gen.txt", string(data))
	if len(recs) != 50 || len(warns) != 0 {
		t.Fatalf("%d records, warnings %v", len(recs), warns)
	}
	for i, r := range recs {
		if r.Kind != KindDeviceStats || len(r.Props) != 39 || !strings.HasSuffix(r.Text("Identity"), "§"+r.Text("DeviceID")) {
			t.Fatalf("record %d: kind %v, %d props, identity %q", i, r.Kind, len(r.Props), r.Text("Identity"))
		}
	}
}

// BenchmarkListReader reads a generated ~5 MB Format-List export of 3,000
// devices.
func BenchmarkListReader(b *testing.B) {
	benchOnce.Do(func() { benchList = generatedDevices(3000) })
	b.SetBytes(int64(len(benchList)))
	b.ReportAllocs()
	for b.Loop() {
		rd := NewListReader(bytes.NewReader(benchList), "bench.txt", nil)
		n := 0
		for {
			_, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 3000 {
			b.Fatalf("%d records", n)
		}
	}
}

// repeatBody builds a large export from a sample: the lines before the
// first data row once, then the data rows n times.
func repeatBody(b *testing.B, name string, headEnd, tailStart func(string) int, n int) []byte {
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		b.Fatal(err)
	}
	s := string(raw)
	h, t := headEnd(s), tailStart(s)
	var w bytes.Buffer
	w.WriteString(s[:h])
	for i := 0; i < n; i++ {
		w.WriteString(s[h:t])
	}
	w.WriteString(s[t:])
	return w.Bytes()
}

func benchReader(b *testing.B, data []byte, newReader func(io.Reader, string, func(event.ReadWarning)) Reader, want int) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rd := newReader(bytes.NewReader(data), "bench", nil)
		n := 0
		for {
			_, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != want {
			b.Fatalf("%d records, want %d", n, want)
		}
	}
}

// BenchmarkCSVReader reads 3,000 rows of the PS 5.1 device export.
func BenchmarkCSVReader(b *testing.B) {
	data := repeatBody(b, "devices-de-ps51.csv",
		func(s string) int { return strings.Index(s, "\"5f6e") },
		func(s string) int { return len(s) }, 1000)
	benchReader(b, data, NewCSVReader, 3000)
}

// BenchmarkCliXMLReader reads 3,000 deserialized objects (Refs do not
// resolve across copies, so warnings are produced and ignored).
func BenchmarkCliXMLReader(b *testing.B) {
	data := repeatBody(b, "users.clixml",
		func(s string) int { return strings.Index(s, "  <Obj RefId=\"0\">") },
		func(s string) int { return strings.LastIndex(s, "</Objs>") }, 500)
	benchReader(b, data, NewCliXMLReader, 3000)
}
