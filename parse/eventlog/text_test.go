package eventlog

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"exlog/event"
)

func TestTextEnglish(t *testing.T) {
	const path = "bundle.zip!System.txt"
	data := readFile(t, "testdata/system-en-US.txt")
	var w warnings
	evs := readAll(t, NewTextReader(bytes.NewReader(data), path, w.add))
	starts := linesStarting(data, "Log Name:")
	if len(evs) != len(starts) {
		t.Fatalf("got %d events, want one per Log Name block (%d)", len(evs), len(starts))
	}
	for i, ev := range evs {
		if ev.Format != event.FormatEventlogText || ev.Origin.Path != path || ev.Origin.Line != starts[i] {
			t.Errorf("event %d: format %v origin %v, want line %d", i, ev.Format, ev.Origin, starts[i])
		}
		if strings.Contains(ev.Message, "\r") {
			t.Errorf("event %d: CR left in message", i)
		}
	}
	e := evs[0]
	if e.EventID != 7041 || e.Type != event.Error || e.Source != "Service Control Manager" || e.Host != "EXCONN01.contoso.com" {
		t.Errorf("7041: got id %d type %v source %q host %q", e.EventID, e.Type, e.Source, e.Host)
	}
	if got := field(t, e, event.FieldLogName); got != "System" {
		t.Errorf("log name %q", got)
	}
	if got := field(t, e, event.FieldProvider); got != "Service Control Manager" {
		t.Errorf("provider %q", got)
	}
	if got := field(t, e, event.FieldTaskCategory); got != "None" {
		t.Errorf("task %q", got)
	}
	if got := field(t, e, FieldTimeZone); got != "unknown" {
		t.Errorf("time.zone %q", got)
	}
	if !e.Time.Equal(naive(2026, 11, 24, 15, 15, 22)) {
		t.Errorf("7041 time %v", e.Time)
	}
	mustContain(t, "7041 message", e.Message, `The WIEC service was unable to log on as .\WIEC_USER`,
		"\nLogon failure: the user has not been granted the requested logon type at this computer.",
		`does not have the required user right "Log on as a service."`)
	if strings.HasSuffix(e.Message, "\n") {
		t.Errorf("trailing newline kept")
	}
	e = evs[1]
	if e.EventID != 7000 || e.Message != want7000 {
		t.Errorf("7000: id %d message %q", e.EventID, e.Message)
	}
	e = evs[2]
	if e.Type != event.Warning || field(t, e, event.FieldLogName) != "Application" || e.Source != "MSExchange ActiveSync" || field(t, e, event.FieldTaskCategory) != "Requests" {
		t.Errorf("ActiveSync event: %+v", e)
	}
	// 11/3/2026 is ambiguous alone; the file's other dates make it 3 November.
	// Its Event Xml section gives the exact UTC time, which wins.
	e = evs[3]
	if want := time.Date(2026, 11, 3, 7, 1, 44, 587123400, time.UTC); !e.Time.Equal(want) {
		t.Errorf("6005 time %v, want %v from Event Xml", e.Time, want)
	}
	if _, ok := e.Field(FieldTimeZone); ok {
		t.Errorf("exact time marked as unknown zone")
	}
	if e.Message != "The Event log service was started." {
		t.Errorf("6005 message %q (Event Xml must not leak in)", e.Message)
	}
	// The broken block: kept, with one warning per broken field at its line.
	e = evs[4]
	if e.EventID != 0 || !e.Time.IsZero() || e.Type != event.Information {
		t.Errorf("broken block: %+v", e)
	}
	k := w.kinds()
	if k["bad-field"] != 2 || k["bad-time"] != 1 || len(w) != 3 {
		t.Errorf("warnings %v", w)
	}
	for _, x := range w {
		if x.Origin.Path != path || x.Origin.Line <= starts[4] {
			t.Errorf("warning origin %v, want a line in the last block (after %d)", x.Origin, starts[4])
		}
	}
}

func TestTextGerman(t *testing.T) {
	var w warnings
	evs := readAll(t, NewTextReader(bytes.NewReader(readFile(t, "testdata/system-de-DE.txt")), "de.txt", w.add))
	if len(evs) != 1 || len(w) != 0 {
		t.Fatalf("events %d warnings %v", len(evs), w)
	}
	e := evs[0]
	if e.Type != event.Error || e.EventID != 7000 || !e.Time.Equal(naive(2026, 11, 24, 15, 15, 22)) || field(t, e, event.FieldLogName) != "System" || field(t, e, event.FieldTaskCategory) != "Keine" {
		t.Errorf("german event %+v", e)
	}
	mustContain(t, "message", e.Message, "Microsoft Intune Exchange Connector Service", "\nDer Dienst")
}

func TestTextFrenchAndGarbage(t *testing.T) {
	in := "junk before\r\nmore junk\r\n\r\nNom du journal :System\r\nSource :        Service Control Manager\r\nDate :          24/11/2026 15:15:22\r\nID de l’événement :7000\r\nNiveau :        Erreur\r\nOrdinateur :    SRV01\r\nDescription :\r\nLe service n'a pas pu démarrer.\r\n"
	var w warnings
	evs := readAll(t, NewTextReader(strings.NewReader(in), "fr.txt", w.add))
	if len(evs) != 1 {
		t.Fatalf("events %d", len(evs))
	}
	e := evs[0]
	if e.Type != event.Error || e.EventID != 7000 || e.Host != "SRV01" || !e.Time.Equal(naive(2026, 11, 24, 15, 15, 22)) {
		t.Errorf("french event %+v", e)
	}
	// one warning for the run of junk lines, at its first line
	if len(w) != 1 || w[0].Kind.String() != "garbage" || w[0].Origin.Line != 1 {
		t.Errorf("warnings %v", w)
	}
}

func TestTextBlockWithoutDateAndID(t *testing.T) {
	in := "Log Name: System\nSource: X\nDescription:\nhello\n"
	var w warnings
	evs := readAll(t, NewTextReader(strings.NewReader(in), "p", w.add))
	if len(evs) != 0 || len(w) != 1 || w[0].Kind.String() != "malformed-record" || w[0].Origin.Line != 1 {
		t.Errorf("events %v warnings %v", evs, w)
	}
}

func BenchmarkText(b *testing.B) {
	data := readFile(b, "testdata/system-en-US.txt")
	data = bytes.Repeat(data[:bytes.LastIndex(data, []byte("Log Name:"))], 200)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		readAll(b, NewTextReader(bytes.NewReader(data), "b", nil))
	}
}

func TestTextLongDescriptionIsBounded(t *testing.T) {
	line := strings.Repeat("x", 1000) + "\r\n"
	const maxMessageBytes = 1 << 20
	in := "Log Name: System\r\nDate: 2026-11-24T15:15:22\r\nEvent ID: 1\r\nDescription:\r\n" + strings.Repeat(line, 2*maxMessageBytes/len(line))
	var w warnings
	r := NewTextReader(strings.NewReader(in), "l.txt", w.add)
	r.SetCaps(event.Caps{MaxRecord: maxMessageBytes})
	evs := readAll(t, r)
	if len(evs) != 1 || len(evs[0].Message) > maxMessageBytes || len(evs[0].Message) < maxMessageBytes/2 {
		t.Fatalf("events %d, message %d bytes", len(evs), len(evs[0].Message))
	}
	if len(w) != 1 || w[0].Kind.String() != "long-record" || w[0].Origin.Line != 1 {
		t.Errorf("warnings %v", w)
	}
}

// Japanese "Copy details as text" (labels as a ja-JP Event Viewer writes
// them, yyyy/MM/dd dates, 警告/エラー levels), one warning and one error.
func TestTextJapanese(t *testing.T) {
	text := "ログの名前:         System\r\nソース:           Service Control Manager\r\n日付:            2023/09/14 10:02:07\r\nイベント ID:       7041\r\n" +
		"タスクのカテゴリ:      なし\r\nレベル:           エラー\r\nキーワード:         クラシック\r\nユーザー:          N/A\r\nコンピューター:       TKYEXCCON01.contoso.co.jp\r\n説明:\r\n" +
		"WIEC サービスは、次のエラーが原因で、.\\WIEC_USER としてログオンできませんでした\r\n" +
		"ログの名前:         Application\r\nソース:           VSS\r\n日付:            2023/09/15 08:00:00\r\nイベント ID:       8229\r\n" +
		"タスクのカテゴリ:      なし\r\nレベル:           警告\r\nキーワード:         クラシック\r\nユーザー:          N/A\r\nコンピューター:       TKYEXCCON01\r\n説明:\r\nエラー 0x00000000\r\n"
	if !DetectText([]byte(text)) {
		t.Fatal("a Japanese Event Viewer text export is not detected")
	}
	var w warnings
	evs := readAll(t, NewTextReader(strings.NewReader(text), "ja.txt", w.add))
	if len(evs) != 2 || len(w) != 0 {
		t.Fatalf("events %d warnings %v", len(evs), w)
	}
	if e := evs[0]; e.Type != event.Error || e.EventID != 7041 || !e.Time.Equal(naive(2023, 9, 14, 10, 2, 7)) || e.Host != "TKYEXCCON01.contoso.co.jp" || !strings.Contains(e.Message, "としてログオン") {
		t.Errorf("7041: %+v", e)
	}
	if e := evs[1]; e.Type != event.Warning || e.EventID != 8229 {
		t.Errorf("8229: %+v", e)
	}
}
