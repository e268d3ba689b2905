package eventlog

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"exlog/event"
)

func TestCSVEnglish(t *testing.T) {
	data := readFile(t, "testdata/system-en-US.csv")
	var w warnings
	evs := readAll(t, NewCSVReader(bytes.NewReader(data), "x.zip!System.csv", w.add))
	if len(evs) != 5 {
		t.Fatalf("got %d events, want 5", len(evs))
	}
	// Row start lines: the record after the header starts on line 2, each
	// following one after the previous record's embedded line breaks.
	line := 2
	for i, ev := range evs {
		if ev.Origin.Line != line || ev.Format != event.FormatEventlogCSV || ev.Origin.Path != "x.zip!System.csv" {
			t.Errorf("event %d: origin %v format %v, want line %d", i, ev.Origin, ev.Format, line)
		}
		line += strings.Count(ev.Message, "\n") + 1
		if field(t, ev, FieldTimeZone) != "unknown" {
			t.Errorf("event %d: time zone not marked unknown", i)
		}
	}
	e := evs[0]
	if e.EventID != 7041 || e.Type != event.Error || e.Source != "Service Control Manager" || field(t, e, event.FieldProvider) != "Service Control Manager" || field(t, e, event.FieldTaskCategory) != "None" {
		t.Errorf("7041 row: %+v", e)
	}
	if !e.Time.Equal(naive(2026, 11, 24, 15, 15, 22)) {
		t.Errorf("time %v", e.Time)
	}
	mustContain(t, "7041 message", e.Message, `unable to log on as .\WIEC_USER`, "\nLogon failure: the user has not been granted the requested logon type", `"Log on as a service."`)
	if evs[1].EventID != 7000 || evs[1].Message != want7000 {
		t.Errorf("7000 row: %d %q", evs[1].EventID, evs[1].Message)
	}
	if evs[3].Type != event.Warning || !evs[3].Time.Equal(naive(2026, 11, 23, 23, 2, 37)) {
		t.Errorf("time-service row: %v %v", evs[3].Type, evs[3].Time)
	}
	if evs[4].Type != event.Critical || evs[4].EventID != 41 || field(t, evs[4], event.FieldTaskCategory) != "(63)" {
		t.Errorf("kernel-power row: %+v", evs[4])
	}
	if len(w) != 1 || w[0].Kind.String() != "malformed-record" || w[0].Origin.Line != line {
		t.Errorf("warnings %v, want one malformed-record at line %d", w, line)
	}
}

func TestCSVGermanHeader(t *testing.T) {
	var w warnings
	evs := readAll(t, NewCSVReader(bytes.NewReader(readFile(t, "testdata/system-de-DE.csv")), "de.csv", w.add))
	if len(evs) != 2 {
		t.Fatalf("events %d", len(evs))
	}
	if len(w) != 0 { // the German header is known by name now
		t.Errorf("warnings %v", w)
	}
	if e := evs[0]; e.Type != event.Error || e.EventID != 7000 || !e.Time.Equal(naive(2026, 11, 24, 15, 15, 22)) || !strings.Contains(e.Message, "\nDer Dienst konnte") {
		t.Errorf("row 1 %+v", e)
	}
	if e := evs[1]; e.Type != event.Information || e.EventID != 7036 || !strings.Contains(e.Message, `"Wird ausgeführt"`) {
		t.Errorf("row 2 %+v", e)
	}
}

func TestCSVUnknownHeaderReadByPosition(t *testing.T) {
	var w warnings
	it := "Livello,Data e ora,Origine,ID evento,Categoria attività\r\nErrore,24/11/2026 15:15:22,Service Control Manager,7000,Nessuna,\"Il servizio WIEC non è stato avviato.\"\r\n"
	evs := readAll(t, NewCSVReader(strings.NewReader(it), "it.csv", w.add))
	if len(evs) != 1 || evs[0].EventID != 7000 || evs[0].Source != "Service Control Manager" {
		t.Fatalf("events %+v", evs)
	}
	if len(w) != 2 || w[0].Kind.String() != "localized-header" || w[0].Origin.Line != 1 || w[1].Kind.String() != "bad-field" {
		t.Errorf("warnings %v, want localized-header and the unknown level word", w)
	}
}

func TestCSVDayFirstDecidedByLookAhead(t *testing.T) {
	var w warnings
	evs := readAll(t, NewCSVReader(bytes.NewReader(readFile(t, "testdata/system-en-GB.csv")), "gb.csv", w.add))
	if len(evs) != 3 || len(w) != 0 {
		t.Fatalf("events %d warnings %v", len(evs), w)
	}
	if !evs[0].Time.Equal(naive(2026, 11, 5, 9, 0, 0)) || !evs[1].Time.Equal(naive(2026, 11, 6, 9, 0, 0)) {
		t.Errorf("ambiguous dates resolved as %v, %v; want 5 and 6 November", evs[0].Time, evs[1].Time)
	}
	if evs[0].Origin.Line != 2 || evs[2].Origin.Line != 4 {
		t.Errorf("order or lines changed: %v %v", evs[0].Origin, evs[2].Origin)
	}
}

func TestCSVAmbiguousGuess(t *testing.T) {
	for _, tc := range []struct {
		clock string
		want  int // day of month expected for "05/11/2026"
		order string
	}{
		{"3:00:00 PM", 11, "M/d"},
		{"15:00:00", 5, "d/M"},
	} {
		in := "Level,Date and Time,Source,Event ID,Task Category\r\n"
		for i := 0; i < 3; i++ {
			in += fmt.Sprintf("Information,05/11/2026 %s,S,%d,None,msg\r\n", tc.clock, i)
		}
		var w warnings
		evs := readAll(t, NewCSVReader(strings.NewReader(in), "a.csv", w.add))
		if len(evs) != 3 || evs[0].Time.Day() != tc.want || evs[2].EventID != 2 {
			t.Fatalf("%s: events %v", tc.clock, evs)
		}
		if len(w) != 1 || w[0].Kind.String() != "ambiguous-date" || w[0].Origin.Line != 2 || !strings.Contains(w[0].Message, tc.order) {
			t.Errorf("%s: warnings %v", tc.clock, w)
		}
	}
}

func TestCSVGuessContradicted(t *testing.T) {
	in := "Level,Date and Time,Source,Event ID,Task Category\n"
	for i := 0; i < maxPendingDates+2; i++ {
		in += "Information,05/11/2026 15:00:00,S,1,None,m\n"
	}
	in += "Information,11/24/2026 15:00:00,S,2,None,m\n"
	var w warnings
	evs := readAll(t, NewCSVReader(strings.NewReader(in), "a.csv", w.add))
	if len(evs) != maxPendingDates+3 {
		t.Fatalf("events %d", len(evs))
	}
	if last := evs[len(evs)-1]; !last.Time.Equal(naive(2026, 11, 24, 15, 0, 0)) {
		t.Errorf("unambiguous date read as %v", last.Time)
	}
	if k := w.kinds(); k["ambiguous-date"] != 2 || len(w) != 2 {
		t.Errorf("want guess + contradiction warnings, got %v", w)
	}
}

func TestCSVTabSeparatedAndNoHeader(t *testing.T) {
	in := "Error\t24.11.2026 15:15:22\tService Control Manager\t7000\tNone\t\"line one\r\nline two\"\r\n"
	var w warnings
	evs := readAll(t, NewCSVReader(strings.NewReader(in), "t.txt", w.add))
	if len(evs) != 1 || evs[0].Message != "line one\nline two" || evs[0].EventID != 7000 {
		t.Fatalf("events %+v", evs)
	}
	if len(w) != 1 || w[0].Kind.String() != "no-header" {
		t.Errorf("warnings %v", w)
	}
}

func TestCSVUnbalancedQuoteIsBounded(t *testing.T) {
	const max = 1 << 20
	in := "Level,Date and Time,Source,Event ID,Task Category\n" +
		"Error,11/24/2026 3:15:22 PM,S,1,None,\"never closed " + strings.Repeat("x", max) + "\n" +
		"Error,11/24/2026 3:15:23 PM,S,2,None,ok\n"
	var w warnings
	r := NewCSVReader(strings.NewReader(in), "q.csv", w.add)
	r.SetCaps(event.Caps{MaxRecord: max})
	evs := readAll(t, r)
	if len(evs) != 1 || evs[0].EventID != 2 || evs[0].Origin.Line != 3 {
		t.Fatalf("events %v", evs)
	}
	if len(w) != 1 || w[0].Kind.String() != "malformed-record" || w[0].Origin.Line != 2 || !strings.Contains(w[0].Message, "--max-record") {
		t.Errorf("warnings %v", w)
	}
}

func BenchmarkCSV(b *testing.B) {
	data := readFile(b, "testdata/system-en-US.csv")
	i := bytes.IndexByte(data, '\n') + 1
	body := data[i:bytes.LastIndex(data, []byte("Error,bogus"))]
	data = append(data[:i:i], bytes.Repeat(body, 200)...)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		readAll(b, NewCSVReader(bytes.NewReader(data), "b", nil))
	}
}
