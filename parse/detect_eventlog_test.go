package parse

import (
	"os"
	"testing"

	"exlog/event"
	"exlog/parse/pscmdlet"
	"exlog/parse/textenc"
)

// Event-log CSVs written by PowerShell (Get-WinEvent / Get-EventLog |
// Export-Csv, UTF-8 or UTF-16, with or without #TYPE) and by Event Viewer
// are event logs, not cmdlet exports: their SCM records must reach the
// service patterns.
func TestEventLogCSVShapesAreEventLogs(t *testing.T) {
	for _, name := range []string{
		"winevent-en-US.csv", "winevent-pwsh7.csv", "winevent-de-DE-utf16.csv",
		"eventlog-getev.csv", "system-fr-FR-tab.txt", "system-en-US.csv", "system-de-DE.csv",
	} {
		raw, err := os.ReadFile("eventlog/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		enc, bom := textenc.Sniff(raw)
		head := decodeHead(raw[:min(len(raw), HeadSize)], enc, bom)
		if f := Detect(head); f != event.FormatEventlogCSV {
			t.Errorf("%s: detected as %v, want %v", name, f, event.FormatEventlogCSV)
		}
		if pscmdlet.DetectCSV(head) {
			t.Errorf("%s: pscmdlet.DetectCSV claims it", name)
		}
	}
}
