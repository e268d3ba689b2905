package eventlog

import (
	"bytes"
	"io"
	"testing"

	"exlog/event"
	"exlog/parse/textenc"
)

// decoded returns a fixture as the parse layer hands it to this package:
// UTF-8 without a BOM.
func decoded(t *testing.T, name string) []byte {
	t.Helper()
	raw := readFile(t, name)
	enc, bom := textenc.Sniff(raw)
	out, err := io.ReadAll(textenc.NewReader(bytes.NewReader(raw), enc, bom))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The CSV shapes PowerShell and Event Viewer write (domain.md §6), written
// by hand (see testdata/README.md): each must be recognised as an event-log
// CSV and yield the SCM records with id, provider, level, record id and a
// local time marked as such.
func TestPowerShellAndEventViewerCSVShapes(t *testing.T) {
	type want struct {
		id     uint32
		typ    event.Type
		record string
		local  [6]int // y m d h mi s of the wall clock
	}
	scm := []want{
		{7036, event.Information, "48220", [6]int{2023, 3, 14, 9, 14, 2}},
		{7041, event.Error, "48214", [6]int{2023, 3, 14, 9, 12, 44}},
		{7000, event.Error, "48213", [6]int{2023, 3, 14, 9, 12, 44}},
	}
	cases := []struct {
		file string
		want []want
		msg  string // in the 7000 message
		host string
	}{
		{"testdata/winevent-en-US.csv", scm, "did not start due to a logon failure", "CMB-EXC01.contoso.com"},
		{"testdata/winevent-pwsh7.csv", scm, "did not start due to a logon failure", "CMB-EXC01.contoso.com"},
		{"testdata/winevent-de-DE-utf16.csv", scm, "fehlerhaften Anmeldung", "CMB-EXC01.contoso.com"},
		{"testdata/eventlog-getev.csv", scm, "did not start due to a logon failure", "CMB-EXC01.contoso.com"},
		{"testdata/system-fr-FR-tab.txt", []want{
			{7036, event.Information, "", [6]int{2023, 3, 14, 9, 14, 2}},
			{7000, event.Error, "", [6]int{2023, 3, 14, 9, 12, 44}},
		}, "échec d’ouverture de session", ""},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			data := decoded(t, c.file)
			head := data[:min(len(data), 8<<10)]
			if !DetectCSV(head) {
				t.Fatalf("DetectCSV false")
			}
			var w warnings
			evs := readAll(t, NewCSVReader(bytes.NewReader(data), c.file, w.add))
			if len(w) != 0 {
				t.Errorf("warnings: %v", w)
			}
			if len(evs) != len(c.want) {
				t.Fatalf("%d events, want %d", len(evs), len(c.want))
			}
			for i, wa := range c.want {
				e := evs[i]
				if e.EventID != wa.id || e.Type != wa.typ || e.Source != "Service Control Manager" {
					t.Errorf("event %d: id %d type %v source %q, want %d %v", i, e.EventID, e.Type, e.Source, wa.id, wa.typ)
				}
				l := wa.local
				if !e.Time.Equal(naive(l[0], timeMonth(l[1]), l[2], l[3], l[4], l[5])) {
					t.Errorf("event %d: time %v", i, e.Time)
				}
				if field(t, e, FieldTimeZone) != "unknown" {
					t.Errorf("event %d: local time not marked", i)
				}
				if wa.record != "" && field(t, e, FieldRecordID) != wa.record {
					t.Errorf("event %d: record id", i)
				}
				if e.Host != c.host {
					t.Errorf("event %d: host %q, want %q", i, e.Host, c.host)
				}
				if wa.id == 7000 {
					mustContain(t, "7000 message", e.Message, c.msg)
				}
			}
		})
	}
}
