package trace

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"exlog/event"
)

// result is everything a Reader produced for one input.
type result struct {
	events   []*event.Event
	warnings []event.ReadWarning
	stats    Stats
	err      error
}

// readAll reads data to the end with the given initial buffer size and
// max-record cap (0: defaults); oneByte feeds the data a byte at a time.
func readAll(t testing.TB, data []byte, bufSize, maxRecord int, oneByte bool) result {
	return readWith(t, data, bufSize, maxRecord, oneByte, false)
}

// readWith is readAll; noFast turns the fast header path off.
func readWith(t testing.TB, data []byte, bufSize, maxRecord int, oneByte, noFast bool) result {
	var res result
	var src io.Reader = bytes.NewReader(data)
	if oneByte {
		src = iotest.OneByteReader(src)
	}
	if bufSize == 0 {
		bufSize = defaultBufSize
	}
	r := newReaderSize(src, "bundle.zip!Logs/Connector0.log", func(w event.ReadWarning) { res.warnings = append(res.warnings, w) }, bufSize)
	if maxRecord > 0 {
		r.SetCaps(event.Caps{MaxRecord: maxRecord})
	}
	r.noFast = noFast
	for n := 0; ; n++ {
		if n > len(data)+10 {
			t.Fatalf("reader does not stop: %d events from %d bytes", n, len(data))
		}
		ev, err := r.Next()
		if err != nil {
			if err != io.EOF {
				res.err = err
			}
			break
		}
		res.events = append(res.events, ev)
	}
	res.stats = r.Stats()
	return res
}

// recordSpec is one synthetic record as the connector writes it (domain.md §3).
type recordSpec struct {
	eventID  uint32
	subType  string
	level    int
	time     string
	source   string
	activity string
	related  string
	process  string
	pid, tid int
	computer string
	payload  string // raw ApplicationData content
}

func (s recordSpec) String() string {
	var b strings.Builder
	b.WriteString(`<E2ETraceEvent xmlns="http://schemas.microsoft.com/2004/06/E2ETraceEvent"><System xmlns="http://schemas.microsoft.com/2004/06/windows/eventlog/system">`)
	fmt.Fprintf(&b, `<EventID>%d</EventID><Type>3</Type><SubType Name="%s">0</SubType><Level>%d</Level>`, s.eventID, s.subType, s.level)
	fmt.Fprintf(&b, `<TimeCreated SystemTime="%s" /><Source Name="%s" />`, s.time, s.source)
	if s.related != "" {
		fmt.Fprintf(&b, `<Correlation ActivityID="{%s}" RelatedActivityID="{%s}" />`, s.activity, s.related)
	} else {
		fmt.Fprintf(&b, `<Correlation ActivityID="{%s}" />`, s.activity)
	}
	fmt.Fprintf(&b, `<Execution ProcessName="%s" ProcessID="%d" ThreadID="%d" /><Channel/><Computer>%s</Computer></System>`, s.process, s.pid, s.tid, s.computer)
	b.WriteString("<ApplicationData>" + s.payload + "</ApplicationData></E2ETraceEvent>")
	return b.String()
}

const zeroGUID = "00000000-0000-0000-0000-000000000000"

func info(msg string) recordSpec {
	return recordSpec{
		eventID: 0, subType: "Information", level: 8,
		time:   "2024-03-01T02:00:00.1234567Z",
		source: "OnPremisesExchangeConnectorService", activity: zeroGUID,
		process: "Microsoft.Management.Powershell.ExchangeConnector.Service", pid: 4242, tid: 17,
		computer: "EXCONN01", payload: msg,
	}
}

func TestRealFile(t *testing.T) {
	// The real WCF trace log's repository states no licence, so it is not
	// copied into this one (testdata/real/README.md): the test reads it only
	// where EXLOG_REAL_TESTDATA names a folder that holds it.
	realDir := os.Getenv("EXLOG_REAL_TESTDATA")
	if realDir == "" {
		t.Skip("EXLOG_REAL_TESTDATA is not set: no folder with finservice-Web_tracelog.svclog")
	}
	data, err := os.ReadFile(filepath.Join(realDir, "finservice-Web_tracelog.svclog"))
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, data, 0, 0, false)
	if res.err != nil {
		t.Fatal(res.err)
	}
	if len(res.warnings) != 0 {
		t.Errorf("warnings on a clean real file: %v", res.warnings)
	}
	want := map[event.Type]int{event.Error: 6, event.Start: 13, event.Stop: 13, event.Transfer: 26, event.Suspend: 2, event.Resume: 2}
	got := map[event.Type]int{}
	stacks := 0
	for _, ev := range res.events {
		got[ev.Type]++
		if !bytes.HasPrefix(data[ev.Origin.Offset:], []byte("<E2ETraceEvent ")) {
			t.Errorf("offset %d does not point at <E2ETraceEvent", ev.Origin.Offset)
		}
		if ev.Format != event.FormatTrace || ev.Source != "System.ServiceModel" || ev.Host != "LAOLU-PC" || ev.PID != 11976 {
			t.Errorf("record @%d: format %v source %q host %q pid %d", ev.Origin.Offset, ev.Format, ev.Source, ev.Host, ev.PID)
		}
		if p, _ := ev.Field(event.FieldProcessName); p != "w3wp" {
			t.Errorf("record @%d: process.name %q", ev.Origin.Offset, p)
		}
		if ev.Time.Year() != 2012 || ev.Time.Location() != time.UTC {
			t.Errorf("record @%d: time %v", ev.Origin.Offset, ev.Time)
		}
		if st, ok := ev.Field(event.FieldExceptionStack); ok {
			if strings.Count(st, "\n") < 5 || !strings.HasPrefix(st, "   at System.ServiceModel.") {
				t.Errorf("record @%d: stack not multi-line: %q", ev.Origin.Offset, st)
			}
			if ty, _ := ev.Field(event.FieldExceptionType); ty != "System.InvalidOperationException" {
				t.Errorf("exception.type %q", ty)
			}
			if !strings.HasPrefix(ev.Message, "Throwing an exception.\nSystem.InvalidOperationException: Could not find a base address") {
				t.Errorf("exception message %q", ev.Message)
			}
			stacks++
		}
		if ev.Type == event.Transfer && ev.Related.IsZero() && ev.Activity.IsZero() {
			t.Errorf("transfer @%d between no activities", ev.Origin.Offset)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("types %v, want %v", got, want)
	}
	if len(res.events) != 62 || stacks != 2 {
		t.Errorf("%d records, %d with stacks; want 62 and 2", len(res.events), stacks)
	}
	if s := res.stats; s.Records != 62 || s.Broken != 0 || s.Bytes != int64(len(data)) || s.SkippedBytes != 0 {
		t.Errorf("stats %+v", s)
	}
	first := res.events[0]
	if first.Time != time.Date(2012, 1, 18, 13, 9, 19, 95155300, time.UTC) || first.Related.String() != "1e741849-9dc0-49cd-82c5-cbb0ee8bb9ca" || first.TID != 16 {
		t.Errorf("first record %+v", first)
	}
	// The same file fed a byte at a time through a tiny buffer must give
	// the same events.
	small := readAll(t, data, 64, 0, true)
	if !reflect.DeepEqual(small.events, res.events) || small.stats != res.stats {
		t.Errorf("chunked read differs: %d events, stats %+v", len(small.events), small.stats)
	}
	// The general header parser gives the same events as the fast path.
	general := readWith(t, data, 0, 0, false, true)
	if !reflect.DeepEqual(general.events, res.events) || general.stats != res.stats {
		t.Errorf("general parser differs: %d events, stats %+v", len(general.events), general.stats)
	}
}

func TestFieldsExact(t *testing.T) {
	s := info("Handling command: Getting the mobile device list without a time filter (full sync) for 250 users")
	s.eventID = 4711
	s.activity = "5A1F0E33-8B2C-4D6E-9F01-23456789ABCD"
	data := []byte("\n" + s.String())
	res := readAll(t, data, 0, 0, false)
	want := &event.Event{
		Time:     time.Date(2024, 3, 1, 2, 0, 0, 123456700, time.UTC),
		Type:     event.Information,
		Source:   "OnPremisesExchangeConnectorService",
		EventID:  4711,
		Host:     "EXCONN01",
		PID:      4242,
		TID:      17,
		Activity: event.GUID{0x5a, 0x1f, 0x0e, 0x33, 0x8b, 0x2c, 0x4d, 0x6e, 0x9f, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd},
		Message:  "Handling command: Getting the mobile device list without a time filter (full sync) for 250 users",
		Format:   event.FormatTrace,
		Origin:   event.Origin{Path: "bundle.zip!Logs/Connector0.log", Offset: 1},
		Fields:   []event.Field{{Name: event.FieldProcessName, Value: "Microsoft.Management.Powershell.ExchangeConnector.Service"}},
	}
	if len(res.events) != 1 || len(res.warnings) != 0 {
		t.Fatalf("events %d warnings %v", len(res.events), res.warnings)
	}
	if got := res.events[0]; !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestPlainEscapedMessage(t *testing.T) {
	payload := `Line one &amp; &lt;two&gt; &quot;q&quot; &apos;a&apos;&#xD;&#xA;Line two&#13;&#10;caf&#xE9; &#x1F600; &bogus; a&amp;b`
	res := readAll(t, []byte(info(payload).String()), 0, 0, false)
	if len(res.events) != 1 {
		t.Fatalf("%d events", len(res.events))
	}
	want := "Line one & <two> \"q\" 'a'\nLine two\ncafé 😀 &bogus; a&b"
	if got := res.events[0].Message; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}

func TestTimes(t *testing.T) {
	cases := []struct {
		in     string
		want   time.Time
		offset int32
	}{
		{"2024-03-01T10:00:00.1234567+01:00", time.Date(2024, 3, 1, 9, 0, 0, 123456700, time.UTC), 3600},
		{"2024-03-01T10:00:00.1234567-05:30", time.Date(2024, 3, 1, 15, 30, 0, 123456700, time.UTC), -19800},
		{"2024-03-01T10:00:00.5Z", time.Date(2024, 3, 1, 10, 0, 0, 500000000, time.UTC), 0},
		{"2024-03-01T10:00:00Z", time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC), 0},
		{"2024-02-29T23:59:59.123456789123Z", time.Date(2024, 2, 29, 23, 59, 59, 123456789, time.UTC), 0},
	}
	for _, c := range cases {
		s := info("x")
		s.time = c.in
		res := readAll(t, []byte(s.String()), 0, 0, false)
		if len(res.events) != 1 || len(res.warnings) != 0 {
			t.Errorf("%s: %d events, warnings %v", c.in, len(res.events), res.warnings)
			continue
		}
		ev := res.events[0]
		if !ev.Time.Equal(c.want) || ev.Time.Location() != time.UTC || ev.TZOffset != c.offset {
			t.Errorf("%s: got %v offset %d, want %v offset %d", c.in, ev.Time, ev.TZOffset, c.want, c.offset)
		}
	}
	// No zone: read as UTC, one warning per file; a bad time skips the record.
	a, b := info("a"), info("b")
	a.time, b.time = "2024-03-01T10:00:00.1234567", "2024-03-01T11:00:00"
	bad := info("c")
	bad.time = "2024-13-01T10:00:00Z"
	res := readAll(t, []byte(a.String()+b.String()+bad.String()), 0, 0, false)
	if len(res.events) != 2 || res.events[1].Time != time.Date(2024, 3, 1, 11, 0, 0, 0, time.UTC) {
		t.Fatalf("no-zone events: %v", res.events)
	}
	if len(res.warnings) != 2 || res.warnings[0].Kind != event.KindNoZone || res.warnings[1].Kind != event.KindBadRecord || res.stats.Broken != 1 {
		t.Errorf("warnings %v stats %+v", res.warnings, res.stats)
	}
}

func TestCutFirstRecord(t *testing.T) {
	r1, r2, r3 := info("one").String(), info("two").String(), info("three").String()
	cut := r1[100:]
	data := []byte(cut + r2 + r3)
	for _, bufSize := range []int{0, 64} {
		res := readAll(t, data, bufSize, 0, bufSize != 0)
		if len(res.events) != 2 || res.events[0].Message != "two" || res.events[0].Origin.Offset != int64(len(cut)) {
			t.Fatalf("events %v", res.events)
		}
		if res.stats.Broken != 1 || res.stats.Records != 2 || res.stats.SkippedBytes != int64(len(cut)) {
			t.Errorf("stats %+v", res.stats)
		}
		want := fmt.Sprintf("partial record at start of file (%d bytes) skipped", len(cut))
		if len(res.warnings) != 1 || res.warnings[0].Kind != event.KindTruncated || res.warnings[0].Message != want || res.warnings[0].Origin.Offset != 0 {
			t.Errorf("warnings %v", res.warnings)
		}
	}
}

func TestCutInsideEndTag(t *testing.T) {
	r2 := info("two").String()
	for _, head := range []string{"ceEvent>", " >\r\n", "\n</E2ETraceEvent>"} {
		res := readAll(t, []byte(head+r2), 0, 0, false)
		if len(res.events) != 1 || res.stats.Broken != 1 || len(res.warnings) != 1 || res.warnings[0].Kind != event.KindTruncated {
			t.Errorf("%q: events %d stats %+v warnings %v", head, len(res.events), res.stats, res.warnings)
		}
	}
	// Anything else before the first record is garbage, not a record.
	res := readAll(t, []byte("Event>x"+r2), 0, 0, false)
	if len(res.events) != 1 || res.stats.Broken != 0 || len(res.warnings) != 1 || res.warnings[0].Kind != event.KindGarbage {
		t.Errorf("events %d stats %+v warnings %v", len(res.events), res.stats, res.warnings)
	}
}

func TestCutLastRecord(t *testing.T) {
	r1, r2 := info("one").String(), info("two").String()
	data := []byte(r1 + r2[:len(r2)/2])
	res := readAll(t, data, 0, 0, false)
	if len(res.events) != 1 || res.stats.Broken != 1 || res.stats.SkippedBytes != int64(len(r2)/2) {
		t.Fatalf("events %d stats %+v", len(res.events), res.stats)
	}
	w := res.warnings
	if len(w) != 1 || w[0].Kind != event.KindTruncated || !strings.HasPrefix(w[0].Message, "truncated record at end of file") || w[0].Origin.Offset != int64(len(r1)) {
		t.Errorf("warnings %v", w)
	}
	// The warning names the file and the offset.
	if got := w[0].String(); !strings.HasPrefix(got, fmt.Sprintf("bundle.zip!Logs/Connector0.log@%d: truncated record", len(r1))) {
		t.Errorf("warning text %q", got)
	}
}

func TestCutByNextRecord(t *testing.T) {
	// A circular file's wrap point: a record cut off by the next one.
	r1, r2 := info("one").String(), info("two").String()
	data := []byte(r1[:300] + r2)
	res := readAll(t, data, 0, 0, false)
	if len(res.events) != 1 || res.events[0].Message != "two" || res.events[0].Origin.Offset != 300 || res.stats.Broken != 1 {
		t.Fatalf("events %v stats %+v", res.events, res.stats)
	}
	if len(res.warnings) != 1 || res.warnings[0].Kind != event.KindTruncated || res.warnings[0].Origin.Offset != 0 {
		t.Errorf("warnings %v", res.warnings)
	}
}

func TestGarbageBetweenRecords(t *testing.T) {
	r1, r2 := info("one").String(), info("two").String()
	garbage := "\r\nthis is not XML at all\x00\x00\r\n"
	data := []byte(r1 + garbage + r2 + " trailing junk")
	for _, bufSize := range []int{0, 64} {
		res := readAll(t, data, bufSize, 0, bufSize != 0)
		if len(res.events) != 2 || res.stats.Broken != 0 || res.stats.SkippedBytes != int64(len(garbage)+len(" trailing junk")) {
			t.Fatalf("events %d stats %+v", len(res.events), res.stats)
		}
		w := res.warnings
		if len(w) != 2 || w[0].Kind != event.KindGarbage || w[0].Message != "garbage between records (26 bytes) skipped" || w[0].Origin.Offset != int64(len(r1)+2) ||
			w[1].Kind != event.KindGarbage || w[1].Origin.Offset != int64(len(r1)+len(garbage)+len(r2)+1) {
			t.Errorf("warnings %v", w)
		}
	}
}

func TestWhitespaceBetweenRecords(t *testing.T) {
	r1, r2 := info("one").String(), info("two").String()
	data := []byte("\r\n" + r1 + "\r\n" + r2 + "\r\n\t \n")
	res := readAll(t, data, 0, 0, false)
	if len(res.events) != 2 || len(res.warnings) != 0 || res.stats.SkippedBytes != 0 {
		t.Fatalf("events %d warnings %v stats %+v", len(res.events), res.warnings, res.stats)
	}
	if res.events[0].Origin.Offset != 2 || res.events[1].Origin.Offset != int64(4+len(r1)) {
		t.Errorf("offsets %d %d", res.events[0].Origin.Offset, res.events[1].Origin.Offset)
	}
}

func TestHugeRecord(t *testing.T) {
	r1, r3 := info("one").String(), info("three").String()
	big := info(strings.Repeat("0123456789", 1000)).String()
	data := []byte(r1 + big + r3)
	for _, bufSize := range []int{0, 64} { // complete in the buffer, and not
		res := readAll(t, data, bufSize, 4096, false)
		if len(res.events) != 2 || res.events[1].Message != "three" || res.stats.Broken != 1 || res.stats.SkippedBytes != int64(len(big)) {
			t.Fatalf("buf %d: events %d stats %+v", bufSize, len(res.events), res.stats)
		}
		if len(res.warnings) != 1 || res.warnings[0].Kind != event.KindOversize || res.warnings[0].Origin.Offset != int64(len(r1)) {
			t.Errorf("warnings %v", res.warnings)
		}
	}
	// Within the cap it parses, however small the initial buffer.
	res := readAll(t, data, 64, 0, true)
	if len(res.events) != 3 || len(res.events[1].Message) != 10000 {
		t.Errorf("events %d", len(res.events))
	}
}

func TestMemoryBounded(t *testing.T) {
	// An endless record never ends: the buffer stays near the cap.
	src := io.MultiReader(strings.NewReader(startTag+" >"), io.LimitReader(repeatReader('x'), 3<<20))
	r := NewReader(src, "x", nil)
	r.SetCaps(event.Caps{MaxRecord: 1 << 20})
	var warned int
	r.warn = func(event.ReadWarning) { warned++ }
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("err %v", err)
	}
	if cap(r.buf) > 2<<20 || warned != 1 || r.Stats().Broken != 1 || r.Stats().SkippedBytes != r.Stats().Bytes {
		t.Errorf("buffer %d, warnings %d, stats %+v", cap(r.buf), warned, r.Stats())
	}
}

type repeatReader byte

func (c repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(c)
	}
	return len(p), nil
}

func TestEmptyFile(t *testing.T) {
	for _, in := range []string{"", " \r\n\t"} {
		res := readAll(t, []byte(in), 0, 0, false)
		if len(res.events) != 0 || len(res.warnings) != 0 || res.stats != (Stats{Bytes: int64(len(in))}) || res.err != nil {
			t.Errorf("%q: %+v", in, res)
		}
	}
	// Not a trace log at all: one garbage warning, nothing broken.
	res := readAll(t, []byte("hello world"), 0, 0, false)
	if len(res.events) != 0 || len(res.warnings) != 1 || res.warnings[0].Kind != event.KindGarbage || res.stats.Broken != 0 {
		t.Errorf("%+v", res)
	}
}

func TestTraceData(t *testing.T) {
	payload := "<TraceData><DataItem>first &amp; item</DataItem><DataItem/><DataItem>\r\n</DataItem>" +
		"<DataItem><Obj><Name>Contoso &lt;HQ&gt;</Name><Val><![CDATA[raw <b>&amp;</b>]]></Val></Obj></DataItem></TraceData>"
	res := readAll(t, []byte(info(payload).String()), 0, 0, false)
	if len(res.events) != 1 {
		t.Fatalf("%d events %v", len(res.events), res.warnings)
	}
	want := "first & item\nContoso <HQ>\nraw <b>&amp;</b>"
	if got := res.events[0].Message; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}

func TestTraceRecordException(t *testing.T) {
	payload := `<TraceData><DataItem><TraceRecord xmlns="http://schemas.microsoft.com/2004/10/E2ETraceEvent/TraceRecord" Severity="Error">` +
		`<TraceIdentifier>http://msdn.microsoft.com/x.aspx</TraceIdentifier><Description>Handling an exception.</Description><AppDomain>svc.exe</AppDomain>` +
		`<Exception><ExceptionType>System.ServiceModel.CommunicationException, System.ServiceModel, Version=4.0.0.0</ExceptionType>` +
		`<Message>An error occurred while making the HTTP request to https://manage.microsoft.com/.</Message>` +
		"<StackTrace>   at A.B()\r\n   at C.D(String s)\r\n</StackTrace><ExceptionString>System.ServiceModel.CommunicationException: ...</ExceptionString>" +
		`<InnerException><ExceptionType>System.Net.WebException, System</ExceptionType><Message>The remote server returned an error: (407) Proxy Authentication Required.</Message>` +
		"<StackTrace>   at E.F()</StackTrace></InnerException></Exception>" +
		`<ExtendedData xmlns="x"><Value0>v &amp; 0</Value0></ExtendedData></TraceRecord></DataItem></TraceData>` +
		`<System.Diagnostics xmlns="http://schemas.microsoft.com/2004/08/System.Diagnostics"><LogicalOperationStack></LogicalOperationStack>` +
		"<Timestamp>123456789</Timestamp><Callstack>   at X.Y()\r\n   at Z.W()</Callstack></System.Diagnostics>"
	s := info(payload)
	s.subType, s.level = "Error", 2
	res := readAll(t, []byte(s.String()), 0, 0, false)
	if len(res.events) != 1 || len(res.warnings) != 0 {
		t.Fatalf("%d events %v", len(res.events), res.warnings)
	}
	ev := res.events[0]
	want := "Handling an exception.\nSystem.ServiceModel.CommunicationException: An error occurred while making the HTTP request to https://manage.microsoft.com/." +
		"\n---> System.Net.WebException: The remote server returned an error: (407) Proxy Authentication Required.\nv & 0"
	if ev.Message != want {
		t.Errorf("message %q\nwant    %q", ev.Message, want)
	}
	wantFields := []event.Field{
		{Name: event.FieldProcessName, Value: "Microsoft.Management.Powershell.ExchangeConnector.Service"},
		{Name: FieldCallstack, Value: "   at X.Y()\n   at Z.W()"},
		{Name: event.FieldExceptionType, Value: "System.ServiceModel.CommunicationException"},
		{Name: event.FieldExceptionMessage, Value: "An error occurred while making the HTTP request to https://manage.microsoft.com/."},
		{Name: event.FieldExceptionStack, Value: "   at A.B()\n   at C.D(String s)"},
	}
	if !reflect.DeepEqual(ev.Fields, wantFields) {
		t.Errorf("fields %q", ev.Fields)
	}
	if ev.Type != event.Error {
		t.Errorf("type %v", ev.Type)
	}
}

func TestTypeFromSubTypeNotLevel(t *testing.T) {
	s := info("x")
	s.subType, s.level = "Start", 255
	u := info("y")
	u.subType, u.level = "", 4 // no usable SubType: fall back to Level
	res := readAll(t, []byte(s.String()+u.String()), 0, 0, false)
	if len(res.events) != 2 || res.events[0].Type != event.Start || res.events[1].Type != event.Warning {
		t.Errorf("events %v warnings %v", res.events, res.warnings)
	}
}

type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestIOError(t *testing.T) {
	r1, r2 := info("one").String(), info("two").String()
	boom := errors.New("disk on fire")
	r := NewReader(&failingReader{data: []byte(r1 + r2[:50]), err: boom}, "x", nil)
	if ev, err := r.Next(); err != nil || ev.Message != "one" {
		t.Fatalf("first: %v %v", ev, err)
	}
	for range 2 {
		if _, err := r.Next(); err != boom {
			t.Fatalf("err %v, want %v", err, boom)
		}
	}
	if s := r.Stats(); s.Records != 1 || s.Bytes != int64(len(r1)+50) {
		t.Errorf("stats %+v", s)
	}
	// A source that never makes progress does not hang the reader.
	r = NewReader(&failingReader{}, "x", nil)
	if _, err := r.Next(); err != io.ErrNoProgress {
		t.Errorf("err %v", err)
	}
}

func TestDetect(t *testing.T) {
	r1 := info("one").String()
	yes := []string{
		r1,
		"\r\n" + r1,
		r1[200:] + r1,       // cut first record
		r1[200:],            // only a tail (first record longer than the head)
		"ceEvent>\r\n" + r1, // cut inside the end tag
		">" + r1,
		"<E2ETraceEvent xmlns=\"http:", // head cut inside the first record
	}
	no := []string{
		"",
		"<?xml version=\"1.0\"?><Events><Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">",
		"Log Name: System\r\nSource: Service Control Manager",
		"garbage" + r1,
		"<E2ETraceEventX>",
		`<Configuration><TraceSourceLine Key="OnPremisesExchangeConnectorService"/></Configuration>`,
	}
	for _, s := range yes {
		if !Detect([]byte(s)) {
			t.Errorf("Detect(%.60q) = false", s)
		}
	}
	for _, s := range no {
		if Detect([]byte(s)) {
			t.Errorf("Detect(%.60q) = true", s)
		}
	}
}

func TestOtherLayout(t *testing.T) {
	// Pretty-printed with CRLF, attributes reordered and single-quoted, a
	// namespace prefix, entities in names: the general parser reads it.
	rec := "<E2ETraceEvent xmlns=\"http://schemas.microsoft.com/2004/06/E2ETraceEvent\">\r\n" +
		"  <System xmlns=\"http://schemas.microsoft.com/2004/06/windows/eventlog/system\">\r\n" +
		"    <EventID> 7 </EventID>\r\n    <Type>3</Type>\r\n" +
		"    <Level>2</Level>\r\n    <SubType Name='Warning'>0</SubType>\r\n" +
		"    <TimeCreated SystemTime = '2024-03-01T10:00:00.1234567+02:00' />\r\n" +
		"    <Source Name=\"Fabrikam &amp; Co\" />\r\n" +
		"    <Correlation RelatedActivityID=\"{00000000-0000-0000-0000-000000000001}\" ActivityID=\"{00000000-0000-0000-0000-000000000002}\" />\r\n" +
		"    <Execution ThreadID=\"9\" ProcessID=\"8\" ProcessName=\"svc\" />\r\n" +
		"    <Channel />\r\n    <Computer>\r\n      SRV-ÄÖ\r\n    </Computer>\r\n" +
		"  </System>\r\n  <ApplicationData>Hello\r\nworld</ApplicationData>\r\n</E2ETraceEvent>\r\n"
	res := readAll(t, []byte(rec+rec), 0, 0, false)
	if len(res.events) != 2 || len(res.warnings) != 0 {
		t.Fatalf("events %d warnings %v", len(res.events), res.warnings)
	}
	ev := res.events[1]
	if ev.Type != event.Warning || ev.EventID != 7 || ev.Source != "Fabrikam & Co" || ev.Host != "SRV-ÄÖ" || ev.PID != 8 || ev.TID != 9 ||
		ev.Activity.String() != "00000000-0000-0000-0000-000000000002" || ev.Related.String() != "00000000-0000-0000-0000-000000000001" ||
		ev.TZOffset != 7200 || ev.Time != time.Date(2024, 3, 1, 8, 0, 0, 123456700, time.UTC) || ev.Message != "Hello\nworld" ||
		ev.Origin.Offset != int64(len(rec)) {
		t.Errorf("event %+v", ev)
	}
}

func TestBadValues(t *testing.T) {
	s := info("x")
	s.activity = "not-a-guid"
	s.pid = -1
	res := readAll(t, []byte(s.String()), 0, 0, false)
	if len(res.events) != 1 || len(res.warnings) != 2 || res.warnings[0].Kind != event.KindBadField || res.warnings[1].Kind != event.KindBadField {
		t.Fatalf("events %d warnings %v", len(res.events), res.warnings)
	}
	if ev := res.events[0]; !ev.Activity.IsZero() || ev.PID != 0 || ev.TID != 17 {
		t.Errorf("event %+v", ev)
	}
	if !strings.Contains(res.warnings[0].Message, "ActivityID") || !strings.Contains(res.warnings[1].Message, "ProcessID") {
		t.Errorf("warnings %v", res.warnings)
	}
}
