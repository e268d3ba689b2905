package trace_test

import (
	"fmt"
	"io"
	"strings"

	"exlog/event"
	"exlog/parse/trace"
)

func ExampleReader() {
	log := `ceEvent>` + // the tail of a record cut by the circular file
		`<E2ETraceEvent xmlns="http://schemas.microsoft.com/2004/06/E2ETraceEvent"><System xmlns="http://schemas.microsoft.com/2004/06/windows/eventlog/system">` +
		`<EventID>0</EventID><Type>3</Type><SubType Name="Information">0</SubType><Level>8</Level>` +
		`<TimeCreated SystemTime="2024-03-01T02:00:00.1234567Z" /><Source Name="OnPremisesExchangeConnectorService" />` +
		`<Correlation ActivityID="{00000000-0000-0000-0000-000000000000}" /><Execution ProcessName="svc" ProcessID="42" ThreadID="7" />` +
		`<Channel/><Computer>EXCONN01</Computer></System><ApplicationData>Handling command: Getting the mobile device list ` +
		`without a time filter (full sync) for 250 users</ApplicationData></E2ETraceEvent>`
	r := trace.NewReader(strings.NewReader(log), "Connector0.log", func(w event.ReadWarning) {
		fmt.Println("warning:", w)
	})
	for {
		ev, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println("read error:", err)
			break
		}
		fmt.Println(ev.Time.Format("2006-01-02 15:04:05"), ev.Type, ev.Origin, ev.Message)
	}
	fmt.Printf("%+v\n", r.Stats())
	// Output:
	// warning: Connector0.log@0: partial record at start of file (8 bytes) skipped
	// 2024-03-01 02:00:00 information Connector0.log@8 Handling command: Getting the mobile device list without a time filter (full sync) for 250 users
	// {Records:1 Broken:1 Bytes:678 SkippedBytes:8}
}
