package eventlog

import (
	"bytes"
	"io"
	"strings"
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

// Other plausible shapes: a Select-Object subset without #TYPE and with
// French level names (no numeric Level), and the 5.1 "#TYPE Selected..."
// line; Get-EventLog with -UseCulture (';') and audit entry types.
func TestEventLogCSVSubsetsAndLevels(t *testing.T) {
	cases := []struct {
		name, data string
		types      []event.Type
	}{
		{"subset-fr", "\"TimeCreated\",\"Id\",\"LevelDisplayName\",\"ProviderName\",\"Message\"\r\n" +
			"\"14/03/2023 09:12:44\",\"7000\",\"Erreur\",\"Service Control Manager\",\"Le service WIEC n'a pas pu démarrer.\"\r\n" +
			"\"14/03/2023 09:14:02\",\"7036\",\"Avertissement\",\"Service Control Manager\",\"x\"\r\n" +
			"\"14/03/2023 09:15:00\",\"7036\",\"Information\",\"Service Control Manager\",\"y\"\r\n",
			[]event.Type{event.Error, event.Warning, event.Information}},
		{"selected-type", "#TYPE Selected.System.Diagnostics.Eventing.Reader.EventLogRecord\r\n\"TimeCreated\",\"Id\",\"Level\",\"ProviderName\",\"Message\"\r\n" +
			"\"3/14/2023 9:12:44 AM\",\"7000\",\"1\",\"Service Control Manager\",\"m\"\r\n\"3/14/2023 9:12:45 AM\",\"7000\",\"5\",\"Service Control Manager\",\"m\"\r\n",
			[]event.Type{event.Critical, event.Verbose}},
		{"getev-semicolon", "#TYPE System.Diagnostics.EventLogEntry#Security/Microsoft-Windows-Security-Auditing/4625\r\n\"EventID\";\"MachineName\";\"Index\";\"EntryType\";\"Message\";\"Source\";\"TimeGenerated\"\r\n" +
			"\"4625\";\"CMB-EXC01\";\"9\";\"FailureAudit\";\"An account failed to log on.\";\"Microsoft-Windows-Security-Auditing\";\"14.03.2023 09:12:44\"\r\n" +
			"\"4624\";\"CMB-EXC01\";\"10\";\"SuccessAudit\";\"An account was successfully logged on.\";\"Microsoft-Windows-Security-Auditing\";\"14.03.2023 09:13:44\"\r\n",
			[]event.Type{event.Error, event.Information}},
	}
	for _, c := range cases {
		if !DetectCSV([]byte(c.data)) {
			t.Errorf("%s: DetectCSV false", c.name)
			continue
		}
		var w warnings
		evs := readAll(t, NewCSVReader(strings.NewReader(c.data), c.name, w.add))
		if len(w) != 0 || len(evs) != len(c.types) {
			t.Errorf("%s: %d events, warnings %v", c.name, len(evs), w)
			continue
		}
		for i, e := range evs {
			if e.Type != c.types[i] || e.Time.IsZero() || e.EventID == 0 || e.Source == "" {
				t.Errorf("%s event %d: %+v", c.name, i, e)
			}
		}
	}
	if evs := readAll(t, NewCSVReader(strings.NewReader(cases[2].data), "x", nil)); len(evs) > 0 {
		if v, _ := evs[0].Field(event.FieldLogName); v != "Security" {
			t.Errorf("log name from #TYPE: %q", v)
		}
	}
}
