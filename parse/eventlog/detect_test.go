package eventlog

import (
	"testing"
)

// realDir holds real files written by Windows, with their source and licence
// (testdata/real/README.md at the repository root).
const realDir = "../../testdata/real/"

func head(b []byte) []byte { return b[:min(len(b), 4096)] }

func TestDetectors(t *testing.T) {
	type det struct {
		name string
		fn   func([]byte) bool
	}
	dets := []det{{"text", DetectText}, {"csv", DetectCSV}, {"xml", DetectXML}}
	for _, tc := range []struct {
		file string
		want string // detector that must say yes; "" = none
	}{
		{"testdata/system-en-US.txt", "text"},
		{"testdata/system-de-DE.txt", "text"},
		{"testdata/system-en-US.csv", "csv"},
		{"testdata/system-de-DE.csv", "csv"},
		{"testdata/system-en-GB.csv", "csv"},
		{"testdata/system-wevtutil.xml", "xml"},
		{"testdata/system-saveas.xml", "xml"},
		{"../evtx/testdata/CAPI2_Operational_EventID70.evtx", ""}, // binary: parse/evtx reads it
		{"../../samples/cut-records/bundle/Connector0.log", ""},
		{"testdata/README.md", ""},
	} {
		h := head(readFile(t, tc.file))
		for _, d := range dets {
			if got := d.fn(h); got != (d.name == tc.want) {
				t.Errorf("%s: Detect%s = %v", tc.file, d.name, got)
			}
		}
	}
}

func TestDetectCSVUnknownCulture(t *testing.T) {
	// An Italian header we do not know, recognised from the data row.
	in := "Livello,Data e ora,Origine,ID evento,Categoria attività\r\nError,24/11/2026 15:15:22,Service Control Manager,7000,Nessuna,\"x\"\r\n"
	if !DetectCSV([]byte(in)) {
		t.Errorf("not detected")
	}
	if !DetectCSV([]byte("Level\tDate and Time\tSource\tEvent ID\tTask Category\r\n")) {
		t.Errorf("tab-separated Event Viewer text export not detected")
	}
	if DetectCSV([]byte("a,b,c,d,e\r\n1,2,3,4,5\r\n")) {
		t.Errorf("generic CSV detected as an event log")
	}
}
