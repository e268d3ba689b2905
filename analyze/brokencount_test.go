package analyze

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"exlog/event"
	"exlog/report"
)

// Input.Broken counts every record lost: one oversize record and one
// record without a usable time are two broken records (the count used to
// look for a kind no reader emits and gave 0).
func TestBrokenCountsOversizeAndBadRecords(t *testing.T) {
	log := svcTraceRec("2023-11-19T08:52:12.0006100Z", "Microsoft Intune Exchange Connector Service is starting.") +
		svcTraceRec("2023-11-19T08:53:12.0006100Z", strings.Repeat("x", 20000)) + // over --max-record
		svcTraceRec("not a time", "a record without a usable time") +
		svcTraceRec("2023-11-19T08:54:12.0006100Z", "Loading service configuration")
	in, kinds := readOne(t, "Connector0.log", log, Options{Caps: event.Caps{MaxRecord: 8 << 10}})
	if in.Broken != 2 || kinds["oversize-record"] != 1 || kinds["bad-record"] != 1 || in.Records != 2 {
		t.Errorf("broken %d, records %d, warnings %v", in.Broken, in.Records, kinds)
	}
}

// A record an event-log reader drops is a broken record too; one it keeps
// with a field missing is not. Event Viewer's "Copy details as text":
// two whole events, a block without "Date:" and "Event ID:" (dropped)
// and one without "Description:" (kept, message empty).
func TestBrokenCountsDroppedEventLogRecords(t *testing.T) {
	text := eventViewerText(
		[3]string{"14/11/2023 10:22:05", "7036", "The Microsoft Intune Exchange Connector service entered the running state."},
		[3]string{"14/11/2023 10:25:00", "7036", "The Microsoft Intune Exchange Connector service entered the stopped state."},
	) + "Log Name:      System\r\nSource:        Service Control Manager\r\nLevel:         Error\r\nDescription:\r\nno date, no id\r\n" +
		"Log Name:      System\r\nSource:        Service Control Manager\r\nDate:          14/11/2023 10:26:00\r\nEvent ID:      7036\r\nLevel:         Information\r\n"
	in, kinds := readOne(t, "System.txt", text, Options{})
	if in.Broken != 1 || kinds["malformed-record"] != 1 || in.Records != 3 {
		t.Errorf("broken %d, records %d, warnings %v; want 1 broken (the dropped block), 3 records", in.Broken, in.Records, kinds)
	}
}

// readOne analyzes one file of the given name and text and returns its
// input's report and its warnings counted by kind.
func readOne(t *testing.T, name, text string, opt Options) (report.Input, map[string]int) {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Run([]string{p}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Inputs) != 1 {
		t.Fatalf("inputs %+v", rep.Inputs)
	}
	kinds := map[string]int{}
	for _, w := range rep.Inputs[0].Warnings {
		kinds[w.Kind]++
	}
	return rep.Inputs[0], kinds
}

// svcTraceRec is one connector trace record at time (as written) with msg.
func svcTraceRec(time, msg string) string {
	return `<E2ETraceEvent xmlns="http://schemas.microsoft.com/2004/06/E2ETraceEvent"><System xmlns="http://schemas.microsoft.com/2004/06/windows/eventlog/system"><EventID>0</EventID><Type>3</Type><SubType Name="Information">0</SubType><Level>8</Level><TimeCreated SystemTime="` +
		time + `" /><Source Name="OnPremisesExchangeConnectorService" /><Correlation ActivityID="{00000000-0000-0000-0000-000000000000}" /><Execution ProcessName="Microsoft.Management.Services.OnPremisesExchangeConnectorService" ProcessID="2260" ThreadID="12" /><Channel/><Computer>EXCONN01</Computer></System><ApplicationData>` +
		msg + `</ApplicationData></E2ETraceEvent>` + "\r\n"
}
