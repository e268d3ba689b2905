package analyze

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"exlog/report"
)

// traceRec is one trace record in the connector's format (domain.md §3).
func connectorRec(t time.Time, pid int, msg string) string {
	return fmt.Sprintf(`<E2ETraceEvent xmlns="http://schemas.microsoft.com/2004/06/E2ETraceEvent"><System xmlns="http://schemas.microsoft.com/2004/06/windows/eventlog/system"><EventID>0</EventID><Type>3</Type><SubType Name="Information">0</SubType><Level>8</Level><TimeCreated SystemTime="%s" /><Source Name="OnPremisesExchangeConnectorService" /><Correlation ActivityID="{00000000-0000-0000-0000-000000000000}" /><Execution ProcessName="Microsoft.Management.Services.OnPremisesExchangeConnectorService" ProcessID="%d" ThreadID="23" /><Channel/><Computer>CMB-EXC01</Computer></System><ApplicationData>%s</ApplicationData></E2ETraceEvent>`,
		t.UTC().Format("2006-01-02T15:04:05.0000000Z"), pid, msg)
}

// traces writes a trace log with one record every 10 minutes from start
// to end, and the process restarted (a new PID) at each of restarts.
func traces(start, end time.Time, restarts ...time.Time) string {
	var b strings.Builder
	pid := 2916
	for t := start; !t.After(end); t = t.Add(10 * time.Minute) {
		for len(restarts) > 0 && !t.Before(restarts[0]) {
			pid += 1184
			b.WriteString(connectorRec(restarts[0], pid, "Microsoft Intune Exchange Connector Service is starting. Version: 16.0.1.9"))
			restarts = restarts[1:]
		}
		b.WriteString(connectorRec(t, pid, "Get next command"))
	}
	return b.String()
}

// analyzeFiles writes files (name → content, CRLF where the content says
// so) into a temporary folder and analyses it, with the event-log records
// held in memory and again spilled to a file (evspill.go): the two
// reports must be the same.
func analyzeFiles(t *testing.T, files map[string]string) *report.Report {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Run([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	old := evSpillAbove
	evSpillAbove = 0
	spilled, err := Run([]string{dir}, Options{})
	evSpillAbove = old
	if err != nil {
		t.Fatal(err)
	}
	if a, b := reportJSON(t, r), reportJSON(t, spilled); a != b {
		t.Errorf("spilled event logs give another report:\n%s", firstDiff(a, b))
	}
	return r
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "localtime", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func inputOf(t *testing.T, r *report.Report, suffix string) report.Input {
	t.Helper()
	for _, in := range r.Inputs {
		if strings.HasSuffix(in.Path, suffix) {
			return in
		}
	}
	t.Fatalf("no input %s in %v", suffix, r.Inputs)
	return report.Input{}
}

func findingOf(r *report.Report, id string) *report.Finding {
	for i := range r.Findings {
		if r.Findings[i].ID == id {
			return &r.Findings[i]
		}
	}
	return nil
}

// An Event Viewer text export from a UTC+01:00 machine and the same three
// records as wevtutil XML (UTC): the offset is found from the XML, the
// records are counted once, and the findings carry the UTC time.
func TestLocalTimeOffsetFromXMLExport(t *testing.T) {
	r := analyzeFiles(t, map[string]string{
		"System.txt": fixture(t, "system-cet.txt"),
		"System.xml": fixture(t, "system-cet.xml"),
	})
	in := inputOf(t, r, "System.txt")
	if in.TimeZone == nil || in.TimeZone.Basis != "xml-export" || in.TimeZone.Offset != "+01:00" {
		t.Fatalf("time zone %+v, want +01:00 from the XML export", in.TimeZone)
	}
	if r.Summary.Duplicates != 3 || r.Summary.Records != 3 {
		t.Errorf("records %d duplicates %d, want 3 records analysed once and 3 duplicates", r.Summary.Records, r.Summary.Duplicates)
	}
	f := findingOf(r, "service.logon-failure")
	if f == nil || f.Count != 1 {
		t.Fatalf("service.logon-failure %+v, want one occurrence", f)
	}
	want := time.Date(2023, 3, 14, 8, 12, 44, 0, time.UTC)
	if f.First == nil || !f.First.Truncate(time.Second).Equal(want) || f.TimeZone != "" {
		t.Errorf("first %v zone %q, want %v UTC", f.First, f.TimeZone, want)
	}
	if in.First == nil || !in.First.Equal(time.Date(2023, 3, 14, 8, 12, 44, 0, time.UTC)) {
		t.Errorf("input first %v, want the UTC time", in.First)
	}
}

// Get-WinEvent | Export-Csv with SCM 7000/7041 and nothing to tell its
// zone: the service findings come out, with local times and the zone
// marked unknown, never a UTC time.
func TestGetWinEventCSVWithoutZoneEvidence(t *testing.T) {
	r := analyzeFiles(t, map[string]string{"System-events.csv": fixture(t, "winevent-en-US.csv")})
	in := inputOf(t, r, "System-events.csv")
	if in.Format != "eventlog-csv" {
		t.Fatalf("format %s", in.Format)
	}
	if in.TimeZone == nil || in.TimeZone.Basis != "unknown" || in.TimeZone.Offset != "" || in.First != nil || in.TimeZone.FirstLocal != "2023-03-14T09:12:44" {
		t.Errorf("input %+v %+v: want the zone unknown, no UTC first/last, first_local", in, in.TimeZone)
	}
	for _, id := range []string{"service.logon-failure", "service.logon-right-missing"} {
		f := findingOf(r, id)
		if f == nil {
			t.Fatalf("no %s finding in %v", id, r.Findings)
		}
		if f.First != nil || f.Last != nil || f.TimeZone != "unknown" || f.FirstLocal != "2023-03-14T09:12:44" {
			t.Errorf("%s: first %v last %v zone %q first_local %q", id, f.First, f.Last, f.TimeZone, f.FirstLocal)
		}
		for _, ev := range f.Evidence {
			if ev.Time != nil || ev.LocalTime != "2023-03-14T09:12:44" || ev.TimeZone != "unknown" {
				t.Errorf("%s evidence %+v", id, ev)
			}
		}
	}
	if r.Summary.First != nil {
		t.Errorf("summary first %v: a local time shown as UTC", r.Summary.First)
	}
	if f := findingOf(r, "bundle.local-time"); f == nil || !strings.Contains(f.Title, "unknown zone") {
		t.Errorf("bundle.local-time %+v", f)
	}
}

// An Event Viewer CSV export from a US-Pacific machine (PDT, UTC-07:00 in
// March 2023) whose connector-service stop/start lines up with the
// process restarts in the traces: the offset is found from them. Without
// restarts in the traces it stays unknown.
func TestLocalTimeOffsetFromServiceRestarts(t *testing.T) {
	start := time.Date(2023, 3, 14, 0, 0, 0, 0, time.UTC)
	end := time.Date(2023, 3, 15, 0, 0, 0, 0, time.UTC)
	r1 := time.Date(2023, 3, 14, 9, 10, 31, 0, time.UTC)
	r2 := time.Date(2023, 3, 14, 17, 40, 12, 0, time.UTC)
	csv := fixture(t, "system-pacific.csv")
	r := analyzeFiles(t, map[string]string{
		"Logs/Connector0.log": traces(start, end, r1, r2),
		"System-events.csv":   csv,
	})
	in := inputOf(t, r, "System-events.csv")
	if in.TimeZone == nil || in.TimeZone.Basis != "service-restarts" || in.TimeZone.Offset != "-07:00" {
		t.Fatalf("time zone %+v, want -07:00 from the restarts", in.TimeZone)
	}
	if in.First == nil || in.First.Hour() != 5 {
		t.Errorf("input first %v, want 05:00Z (22:00 PDT the day before)", in.First)
	}

	r = analyzeFiles(t, map[string]string{
		"Logs/Connector0.log": traces(start, end),
		"System-events.csv":   csv,
	})
	in = inputOf(t, r, "System-events.csv")
	if in.TimeZone == nil || in.TimeZone.Basis != "unknown" {
		t.Errorf("no restarts: time zone %+v, want unknown", in.TimeZone)
	}
}

// collect-script's TimeZone.txt gives the offset per period: records on
// both sides of the change to daylight saving time get their own.
func TestLocalTimeOffsetFromCollector(t *testing.T) {
	r := analyzeFiles(t, map[string]string{
		"eventlogs/TimeZone.txt": fixture(t, "TimeZone.txt"),
		"System.txt":             fixture(t, "system-pacific-dst.txt"),
	})
	in := inputOf(t, r, "System.txt")
	if in.TimeZone == nil || in.TimeZone.Basis != "collector" || !strings.Contains(in.TimeZone.Detail, "UTC-08:00 and UTC-07:00") {
		t.Fatalf("time zone %+v, want both Pacific offsets from the collector", in.TimeZone)
	}
	if in.First == nil || !in.First.Equal(time.Date(2023, 3, 11, 18, 0, 0, 0, time.UTC)) || in.Last == nil || !in.Last.Equal(time.Date(2023, 3, 12, 17, 0, 0, 0, time.UTC)) {
		t.Errorf("first %v last %v, want 2023-03-11T18:00Z (10:00 PST) and 2023-03-12T17:00Z (10:00 PDT)", in.First, in.Last)
	}
	if z := inputOf(t, r, "TimeZone.txt"); z.Format != "eventlog-timezone" || z.Records != 1 {
		t.Errorf("TimeZone.txt input %+v", z)
	}
}

// The same records in an Event Viewer text export and a Get-WinEvent CSV
// of the same machine, zone unknown: analysed once (the same message at
// the same local second; the CSV's record ids match nothing in the text).
func TestLocalExportsDedupedWithoutZone(t *testing.T) {
	r := analyzeFiles(t, map[string]string{
		"a-System.csv": fixture(t, "winevent-en-US.csv"),
		"b-System.txt": fixture(t, "system-local-same.txt"),
	})
	if r.Summary.Duplicates != 3 || r.Summary.Records != 3 {
		t.Errorf("records %d duplicates %d, want 3 and 3", r.Summary.Records, r.Summary.Duplicates)
	}
	if f := findingOf(r, "service.logon-failure"); f == nil || f.Count != 1 {
		t.Errorf("service.logon-failure %+v, want one occurrence", f)
	}
}

// The same Logs folder twice in a bundle, as it is and as
// "<guid>_ConnectorN.log" copies (one taken a little earlier, so it is
// the start of the file): every record is counted once, the copies are
// listed as duplicates of the originals, and evidence cites originals.
func TestCopiedLogsCountedOnce(t *testing.T) {
	start := time.Date(2023, 5, 2, 0, 0, 0, 0, time.UTC)
	c0 := traces(start, start.Add(6*time.Hour))
	c1 := traces(start.Add(6*time.Hour+time.Minute), start.Add(12*time.Hour))
	cut := strings.LastIndex(c1[:len(c1)/2], "<E2ETraceEvent")
	single := analyzeFiles(t, map[string]string{"Logs/Connector0.log": c0, "Logs/Connector1.log": c1})
	r := analyzeFiles(t, map[string]string{
		"Logs/Connector0.log": c0, "Logs/Connector1.log": c1,
		"copy/3f2504e0-4f89-11d3-9a0c-0305e82c3301_Connector0.log": c0,
		"copy/3f2504e0-4f89-11d3-9a0c-0305e82c3301_Connector1.log": c1[:cut],
	})
	if r.Summary.Records != single.Summary.Records || r.Summary.Types["information"] != single.Summary.Types["information"] {
		t.Errorf("records %d types %v, want %d %v as for one copy", r.Summary.Records, r.Summary.Types, single.Summary.Records, single.Summary.Types)
	}
	for _, n := range []string{"0", "1"} {
		in := inputOf(t, r, "_Connector"+n+".log")
		if !strings.HasSuffix(in.DuplicateOf, "Logs/Connector"+n+".log") || in.Records != 0 {
			t.Errorf("copy %s: duplicate_of %q records %d", in.Path, in.DuplicateOf, in.Records)
		}
		if orig := inputOf(t, r, "Logs/Connector"+n+".log"); orig.DuplicateOf != "" || orig.Records == 0 {
			t.Errorf("original %s: %+v", orig.Path, orig)
		}
	}
	for _, f := range r.Findings {
		for _, ev := range f.Evidence {
			if strings.Contains(ev.Origin, "copy/") {
				t.Errorf("%s cites the copy %s", f.ID, ev.Origin)
			}
		}
	}
}

// Files that only start alike are not copies.
func TestDifferentLogsAreNotDuplicates(t *testing.T) {
	start := time.Date(2023, 5, 2, 0, 0, 0, 0, time.UTC)
	a := traces(start, start.Add(6*time.Hour))
	b := a[:len(a)-200] + strings.Repeat("x", 200)
	r := analyzeFiles(t, map[string]string{"Logs/Connector0.log": a, "other/Connector0.log": b})
	for _, in := range r.Inputs {
		if in.DuplicateOf != "" {
			t.Errorf("%s marked a copy of %s", in.Path, in.DuplicateOf)
		}
	}
}
