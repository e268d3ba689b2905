package collect_test

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"exlog/analyze"
	"exlog/collect"
)

func TestScriptHasTheRequiredCommands(t *testing.T) {
	s, err := collect.Script(collect.Options{Users: []string{"adele.vance@contoso.com", "o'brien@contoso.com"}, Days: 7, ExchangeServer: "cas01.contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Get-ActiveSyncDeviceStatistics -Mailbox $u | Format-List *",
		"Get-ActiveSyncDeviceStatistics -Mailbox $u | Export-Csv -NoTypeInformation -Encoding UTF8",
		"Get-Mailbox -Identity $u | Select-Object Identity,UserPrincipalName,PrimarySmtpAddress,EmailAddresses | Format-List",
		"Get-CASMailbox -Identity $u | Format-List",
		"Get-ActiveSyncOrganizationSettings | Format-List",
		"wevtutil qe $log \"/q:$query\" /f:xml",
		"wevtutil epl $log (Join-Path (Join-Path $root 'eventlogs') \"$log.evtx\") \"/q:$query\" /ow:true",
		"foreach ($log in 'System', 'Application')",
		"Compress-Archive",
		"-ConfigurationName Microsoft.Exchange",
		`Microsoft\Windows Intune Exchange Connector`,
		`Microsoft\Microsoft Intune Exchange Connector`,
		"$Users = @('adele.vance@contoso.com', 'o''brien@contoso.com')", // single quotes doubled
		"[int] $Days = 7",
		"$ExchangeServer = 'cas01.contoso.com'",
		"[TimeZoneInfo]::Local", "$tz.GetUtcOffset($t)", "'OffsetFrom: '", "'UtcOffset: '", "'TimeZoneId: '",
		"'" + collect.TimeZoneFile + "'",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q", want)
		}
	}
	if strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\n") {
		t.Error("script has bare LF line ends; Windows expects CRLF")
	}
	for _, bad := range []string{"Invoke-Expression", "Set-", "Remove-Mailbox", "Stop-Service"} {
		if strings.Contains(s, bad) {
			t.Errorf("script must change nothing, but contains %q", bad)
		}
	}
}

func TestScriptRefusesInjection(t *testing.T) {
	for _, u := range []string{"a@b.com'; Remove-Item C:\\ -Recurse; '", "$(evil)", "a@b.com`n"} {
		if _, err := collect.Script(collect.Options{Users: []string{u}}); err == nil {
			t.Errorf("user %q accepted", u)
		}
	}
	if _, err := collect.Script(collect.Options{ExchangeServer: "cas01; calc"}); err == nil {
		t.Error("exchange server with ';' accepted")
	}
}

// layoutZip builds a bundle exactly as the script lays it out: a zip made
// by Compress-Archive (PS 5.1 writes "\" separators), Out-File -Encoding
// utf8 text (UTF-8 with BOM, CRLF), Export-Csv -Encoding UTF8, wevtutil
// XML without a root element, logs and config copied as they are.
// Content comes from the samples corpus.
func layoutZip(t *testing.T) []byte {
	t.Helper()
	files := map[string][]byte{}
	src := "../samples/healthy-csv-clixml/bundle"
	for _, f := range []string{"Connector0.log", "Connector1.log", "Connector2.log"} {
		files[collect.DirLogs+`\`+f] = mustRead(t, filepath.Join(src, "Logs", f))
	}
	files[collect.DirConfig+`\TracingConfiguration.xml`] = mustRead(t, filepath.Join(src, "TracingConfiguration.xml"))
	files[collect.DirConfig+`\OnPremisesExchangeConnectorServiceConfiguration.xml`] = mustRead(t, filepath.Join(src, "OnPremisesExchangeConnectorServiceConfiguration.xml"))
	files[collect.DirExports+`\adele.vance@contoso.com-ActiveSyncDeviceStatistics.csv`] = mustRead(t, filepath.Join(src, "exports", "devices.csv"))
	// Format-List exports: the UTF-16 ones of another sample, rewritten as Out-File -Encoding utf8 does.
	other := readZip(t, "../samples/healthy-5days/bundle.zip")
	for name, out := range map[string]string{
		"exports/Get-ActiveSyncDeviceStatistics.txt":     `adele.vance@contoso.com-ActiveSyncDeviceStatistics.txt`,
		"exports/Get-Mailbox.txt":                        `adele.vance@contoso.com-Mailbox.txt`,
		"exports/Get-CASMailbox.txt":                     `adele.vance@contoso.com-CASMailbox.txt`,
		"exports/Get-ActiveSyncOrganizationSettings.txt": `ActiveSyncOrganizationSettings.txt`,
	} {
		b, ok := other[name]
		if !ok {
			t.Fatalf("healthy-5days lacks %s", name)
		}
		files[collect.DirExports+`\`+out] = append([]byte("\xef\xbb\xbf"), utf16leToUTF8(t, b)...)
	}
	files[collect.DirEventLogs+`\System.xml`] = append([]byte("\xef\xbb\xbf"), other["eventlogs/System.xml"]...)
	files[collect.DirEventLogs+`\Application.xml`] = []byte("\xef\xbb\xbf\r\n") // wevtutil found nothing
	// What step 4 writes on a UTC+01:00 machine (Out-File -Encoding utf8: BOM, CRLF).
	files[collect.DirEventLogs+`\`+collect.TimeZoneFile] = []byte("\xef\xbb\xbf# exlog-collect time zone (event-log text and CSV exports of this machine carry this local time)\r\n" +
		"ComputerName: EXCONN01\r\nCollectedUtc: 2023-11-24T09:00:00Z\r\nTimeZoneId: W. Europe Standard Time\r\nSupportsDaylightSavingTime: True\r\n" +
		"UtcOffset: +01:00\r\nOffsetFrom: 2023-11-09T00:00:00Z +01:00\r\n")

	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate, Modified: time.Date(2023, 11, 24, 9, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[n])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestExlogReadsTheScriptLayout: every file the script writes is read in
// the right format, and nothing but the empty Application log is skipped.
func TestExlogReadsTheScriptLayout(t *testing.T) {
	data := layoutZip(t)
	sample := "../samples/collect-layout/bundle.zip"
	if os.Getenv("EXLOG_UPDATE_GOLDEN") != "" {
		os.MkdirAll(filepath.Dir(sample), 0o755)
		if err := os.WriteFile(sample, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	committed, err := os.ReadFile(sample)
	if err != nil || !bytes.Equal(committed, data) {
		t.Fatalf("%s is missing or stale (refresh: EXLOG_UPDATE_GOLDEN=1 go test ./collect ./samples)", sample)
	}
	rep, err := analyze.Run([]string{sample}, analyze.Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	formats := map[string]string{}
	for _, in := range rep.Inputs {
		formats[path.Base(in.Path)] = in.Format
		if !strings.HasPrefix(in.Path, "bundle.zip!") || strings.Contains(in.Path, `\`) {
			t.Errorf("origin %q: want bundle.zip!<dir>/<file> with / separators", in.Path)
		}
		if in.WarningsTotal > 0 {
			t.Errorf("%s: %d warnings: %v", in.Path, in.WarningsTotal, in.Warnings)
		}
	}
	want := map[string]string{
		"Connector0.log": "trace", "Connector1.log": "trace", "Connector2.log": "trace",
		"TracingConfiguration.xml":                               "config-tracing",
		"OnPremisesExchangeConnectorServiceConfiguration.xml":    "config-service",
		"adele.vance@contoso.com-ActiveSyncDeviceStatistics.csv": "cmdlet-csv",
		"adele.vance@contoso.com-ActiveSyncDeviceStatistics.txt": "cmdlet-list",
		"adele.vance@contoso.com-Mailbox.txt":                    "cmdlet-list",
		"adele.vance@contoso.com-CASMailbox.txt":                 "cmdlet-list",
		"ActiveSyncOrganizationSettings.txt":                     "cmdlet-list",
		"System.xml":                                             "eventlog-xml",
		collect.TimeZoneFile:                                     "eventlog-timezone",
	}
	for f, fm := range want {
		if formats[f] != fm {
			t.Errorf("%s read as %q, want %q", f, formats[f], fm)
		}
	}
	if len(rep.Skipped) != 1 || !strings.HasSuffix(rep.Skipped[0].Path, "Application.xml") {
		t.Errorf("skipped = %+v, want only the empty Application.xml", rep.Skipped)
	}
	if rep.Inventory == nil || rep.Inventory.Devices == 0 {
		t.Errorf("no inventory from the exports: %+v", rep.Inventory)
	}
	if len(rep.Syncs) == 0 {
		t.Error("no sync sessions from the copied logs")
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readZip returns every file of a zip, nested zips expanded in place.
func readZip(t *testing.T, p string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(p)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		out[strings.ReplaceAll(f.Name, `\`, "/")] = b
	}
	return out
}

func utf16leToUTF8(t *testing.T, b []byte) []byte {
	t.Helper()
	if len(b) >= 2 && b[0] == 0xff && b[1] == 0xfe {
		b = b[2:]
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	return []byte(string(utf16.Decode(u)))
}
