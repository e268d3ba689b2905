package eventlog

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"exlog/event"
)

func checkOffsets(t *testing.T, data []byte, evs []*event.Event) {
	t.Helper()
	offs := eventOffsets(data)
	if len(offs) != len(evs) {
		t.Fatalf("got %d events, file has %d <Event> tags", len(evs), len(offs))
	}
	for i, ev := range evs {
		if ev.Origin.Offset != offs[i] || ev.Origin.Line != 0 || ev.Format != event.FormatEventlogXML {
			t.Errorf("event %d: origin %v format %v, want offset %d", i, ev.Origin, ev.Format, offs[i])
		}
	}
}

func TestXMLWevtutil(t *testing.T) {
	data := readFile(t, "testdata/system-wevtutil.xml")
	var w warnings
	evs := readAll(t, NewXMLReader(bytes.NewReader(data), "System.xml", w.add))
	if len(w) != 0 {
		t.Errorf("warnings %v", w)
	}
	checkOffsets(t, data, evs)
	if len(evs) != 4 {
		t.FailNow()
	}
	k := evs[0]
	if k.Source != "Microsoft-Windows-Kernel-General" || k.EventID != 1 || k.Type != event.Information || k.PID != 4 || k.TID != 8 ||
		k.Activity.String() != "3f2504e0-4f89-11d3-9a0c-0305e82c3301" || field(t, k, event.FieldTaskCategory) != "5" || field(t, k, FieldUser) != "S-1-5-18" {
		t.Errorf("kernel event %+v", k)
	}
	if want := time.Date(2026, 11, 24, 10, 59, 0, 123456700, time.UTC); !k.Time.Equal(want) || k.TZOffset != 0 {
		t.Errorf("time %v offset %d", k.Time, k.TZOffset)
	}
	if field(t, k, "data.Reason") != "2" || field(t, k, FieldMessageSource) != "eventdata" {
		t.Errorf("kernel fields %v", k.Fields)
	}
	u := evs[1]
	if field(t, u, "data.0") != "" || field(t, u, "data.6") != "W. Europe Standard Time" || u.Message != "61\n60\nW. Europe Standard Time" {
		t.Errorf("unnamed data: fields %v message %q", u.Fields, u.Message)
	}
	e := evs[2]
	if e.EventID != 7041 || e.Type != event.Error || e.Source != "Service Control Manager" || e.Host != "EXCONN01.contoso.com" ||
		field(t, e, event.FieldLogName) != "System" || field(t, e, event.FieldProvider) != "Service Control Manager" ||
		field(t, e, "data.param1") != "WIEC" || field(t, e, "data.param2") != `.\WIEC_USER` || field(t, e, FieldRecordID) != "88213" {
		t.Errorf("7041 %+v", e)
	}
	if _, ok := e.Field(event.FieldTaskCategory); ok {
		t.Errorf("task 0 should not be a category")
	}
	mustContain(t, "built 7041 message", e.Message, `The WIEC service was unable to log on as .\WIEC_USER`,
		"Logon failure: the user has not been granted the requested logon type at this computer.", `"Log on as a service."`)
	e = evs[3]
	if e.EventID != 7000 || e.Message != want7000 {
		t.Errorf("7000: %d %q", e.EventID, e.Message)
	}
	if want := time.Date(2026, 11, 24, 14, 15, 22, 950000000, time.UTC); !e.Time.Equal(want) || e.TZOffset != 3600 || e.Time.Location() != time.UTC {
		t.Errorf("7000 time %v offset %d", e.Time, e.TZOffset)
	}
}

func TestXMLSaveAs(t *testing.T) {
	data := readFile(t, "testdata/system-saveas.xml")
	var w warnings
	evs := readAll(t, NewXMLReader(bytes.NewReader(data), "saved.xml", w.add))
	if len(w) != 0 {
		t.Errorf("warnings %v", w)
	}
	checkOffsets(t, data, evs)
	if len(evs) != 3 {
		t.FailNow()
	}
	e := evs[0]
	if e.EventID != 7041 || field(t, e, FieldMessageSource) != "rendering" || field(t, e, FieldKeywords) != "Classic" || field(t, e, event.FieldTaskCategory) != "None" {
		t.Errorf("7041 %+v", e)
	}
	mustContain(t, "rendered 7041", e.Message, "unable to log on as .\\WIEC_USER with the currently configured password due to the following error: \nLogon failure",
		"\n\nService: WIEC \nDomain and account: .\\WIEC_USER\n", `required user right "Log on as a service."`)
	if strings.Contains(e.Message, "\r") {
		t.Errorf("CR kept")
	}
	if evs[1].Message != want7000 {
		t.Errorf("7000 %q", evs[1].Message)
	}
}

func TestXMLBrokenInput(t *testing.T) {
	data := readFile(t, "testdata/system-wevtutil.xml")
	offs := eventOffsets(data)
	// garbage (5 bytes) inside the second event; the third cut inside a tag and
	// directly followed by the fourth; the fourth cut at a tag boundary and
	// followed by a clean copy of the first; that copy cut at the end.
	var in []byte
	in = append(in, data[:offs[1]+200]...)
	in = append(in, "<<&&>"...)
	in = append(in, data[offs[1]+200:offs[2]+300]...)
	start4 := len(in)
	cut4 := bytes.Index(data[offs[3]:], []byte("<Execution"))
	in = append(in, data[offs[3]:offs[3]+int64(cut4)]...)
	start1 := len(in)
	in = append(in, data[:offs[1]]...)
	startLast := len(in)
	in = append(in, data[offs[3]:len(data)-20]...)
	var w warnings
	evs := readAll(t, NewXMLReader(bytes.NewReader(in), "b.xml", w.add))
	if len(evs) != 2 || evs[0].EventID != 1 || evs[0].Origin.Offset != 0 || evs[1].EventID != 1 || evs[1].Origin.Offset != int64(start1) {
		t.Fatalf("events %v", evs)
	}
	want := []struct {
		kind string
		off  int64
	}{{"malformed-record", offs[1]}, {"malformed-record", offs[2] + 5}, {"truncated-record", int64(start4)}, {"truncated-record", int64(startLast)}}
	if len(w) != len(want) {
		t.Fatalf("warnings %v", w)
	}
	for i, x := range want {
		if w[i].Kind.String() != x.kind || w[i].Origin.Offset != x.off {
			t.Errorf("warning %d: %v %v, want %s at %d", i, w[i].Kind, w[i].Origin, x.kind, x.off)
		}
	}
}

func TestXMLResyncKeepsOffsets(t *testing.T) {
	data := readFile(t, "testdata/system-wevtutil.xml")
	prefix := "<?xml version='1.0'?>\n<bad attr='<Event '>\n"
	in := append([]byte(prefix), data...)
	var w warnings
	evs := readAll(t, NewXMLReader(bytes.NewReader(in), "r.xml", w.add))
	offs := eventOffsets(data)
	if len(evs) != len(offs) {
		t.Fatalf("events %d, want %d", len(evs), len(offs))
	}
	for i, ev := range evs {
		if ev.Origin.Offset != offs[i]+int64(len(prefix)) {
			t.Errorf("event %d offset %d, want %d", i, ev.Origin.Offset, offs[i]+int64(len(prefix)))
		}
	}
	if len(w) == 0 || w.kinds()["garbage"] != len(w) {
		t.Errorf("warnings %v", w)
	}
}

func TestXMLNoEntityExpansion(t *testing.T) {
	in := `<!DOCTYPE Event [<!ENTITY x SYSTEM "file:///etc/passwd"><!ENTITY y "boom">]>` +
		`<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='P'/><EventID>1</EventID><Level>3</Level>` +
		`<TimeCreated SystemTime='2026-11-24T14:15:22Z'/></System><EventData><Data>&x;&y;&amp;</Data></EventData></Event>`
	var w warnings
	evs := readAll(t, NewXMLReader(strings.NewReader(in), "e.xml", w.add))
	if len(evs) != 1 || evs[0].Type != event.Warning {
		t.Fatalf("events %v warnings %v", evs, w)
	}
	if got := field(t, evs[0], "data.0"); strings.Contains(got, "root:") || strings.Contains(got, "boom") {
		t.Errorf("entity expanded: %q", got)
	}
}

func BenchmarkXML(b *testing.B) {
	data := bytes.Repeat(readFile(b, "testdata/system-wevtutil.xml"), 200)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		readAll(b, NewXMLReader(bytes.NewReader(data), "b", nil))
	}
}

// TestXMLLongValueIsCutAndOffsetsStayTrue: a <Data> value longer than
// --max-line is cut with a warning at its file offset, the event is kept,
// and the next event's origin is still its byte offset in the file.
func TestXMLLongValueIsCutAndOffsetsStayTrue(t *testing.T) {
	ev := func(id, data string) string {
		return `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="S"/><EventID>` + id +
			`</EventID><Level>2</Level><TimeCreated SystemTime="2026-11-24T15:15:22.000Z"/><Computer>EX1</Computer></System><EventData><Data Name="p">` + data + `</Data></EventData></Event>` + "\r\n"
	}
	first := ev("1", strings.Repeat("A", 5000))
	in := first + ev("2", "short")
	var w warnings
	r := NewXMLReader(strings.NewReader(in), "e.xml", w.add)
	r.SetCaps(event.Caps{MaxLine: 1000})
	evs := readAll(t, r)
	if len(evs) != 2 || evs[1].Origin.Offset != int64(len(first)) || evs[1].EventID != 2 {
		t.Fatalf("events %v", evs)
	}
	if v, _ := evs[0].Field(FieldDataPrefix + "p"); len(v) != 1000 {
		t.Errorf("first value %d bytes, want 1000", len(v))
	}
	at := int64(strings.Index(first, "AAA") + 1000)
	if len(w) != 1 || w[0].Kind.String() != "long-value" || w[0].Origin.Offset != at || !strings.Contains(w[0].Message, "4000 bytes") {
		t.Errorf("warnings %v, want one long-value at %d", w, at)
	}
	// A tag longer than the cap ends the file with a clear warning.
	w = nil
	r = NewXMLReader(strings.NewReader(`<Event a="`+strings.Repeat("b", 3000)+`"/>`), "t.xml", w.add)
	r.SetCaps(event.Caps{MaxLine: 1000})
	if _, err := r.Next(); err == nil || !strings.Contains(err.Error(), "--max-line") {
		t.Errorf("tag too long: err %v, warnings %v", err, w)
	}
}
