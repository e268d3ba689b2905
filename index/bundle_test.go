package index

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"exlog/event"
	"exlog/report"
)

// testBundle is a small synthetic bundle: n events of every kind the
// readers produce (trace records with byte offsets, event-log records
// with lines, exceptions, activities, local-time offsets, extra fields),
// and a report with findings and sync sessions of every status.
type testBundle struct {
	bundle Bundle
	events []*event.Event
	report *report.Report
}

var testBase = time.Date(2026, 11, 20, 8, 0, 0, 123456700, time.UTC)

func newTestBundle(id string, n int) *testBundle {
	tb := &testBundle{bundle: Bundle{ID: id, Name: "case-" + id[:min(8, len(id))] + ".zip"}}
	types := []event.Type{event.Information, event.Verbose, event.Verbose, event.Information, event.Warning,
		event.Error, event.Start, event.Stop, event.Critical, event.Transfer}
	var offsets [3]int64
	for i := 0; i < n; i++ {
		e := &event.Event{
			Time:    testBase.Add(time.Duration(i) * 1234567800 * time.Nanosecond),
			Type:    types[i%len(types)],
			Source:  "OnPremisesExchangeConnectorService",
			EventID: uint32(i % 7),
			Host:    "EXCH01",
			PID:     4242,
			TID:     uint32(10 + i%5),
			Message: fmt.Sprintf("Handling command %d for user émile%d@contoso.com <\"quoted\">", i, i%50),
			Format:  event.FormatTrace,
		}
		file := i % 3
		e.Origin = event.Origin{Path: fmt.Sprintf("case.zip!Logs/Connector%d.log", file), Offset: offsets[file]}
		offsets[file] += int64(700 + i%300)
		if i%10 == 6 || i%10 == 7 {
			e.Activity = event.GUID{byte(i), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
		}
		if i%10 == 9 {
			e.Related = event.GUID{0xab, byte(i)}
		}
		if i%10 == 5 {
			e.Fields = []event.Field{
				{Name: event.FieldExceptionType, Value: "System.Net.WebException"},
				{Name: event.FieldExceptionMessage, Value: "The remote server returned an error: (407) Proxy Authentication Required."},
				{Name: event.FieldExceptionStack, Value: "   at System.Net.HttpWebRequest.GetResponse()\n   at Connector.Poll()"},
				{Name: "http.status", Value: "407"},
			}
		}
		if i%17 == 0 {
			// An event-log record: positioned by line, local time.
			e.Format = event.FormatEventlogText
			e.Origin = event.Origin{Path: "case.zip!System.txt", Line: i + 1, Offset: -1}
			e.TZOffset = 3600
			e.PID, e.TID = 0, 0
			e.EventID = 7041
			e.Fields = []event.Field{{Name: event.FieldLogName, Value: "System"}, {Name: event.FieldProvider, Value: "Service Control Manager"}}
		}
		if i%101 == 50 {
			// No position at all: ids must still be distinct.
			e.Origin = event.Origin{Path: "case.zip!notes.log", Offset: -1}
		}
		tb.events = append(tb.events, e)
	}
	first, last := tb.events[0].Time, tb.events[len(tb.events)-1].Time
	dur := func(s float64) *float64 { return &s }
	num := func(n int) *int { return &n }
	end := func(t time.Time) *time.Time { return &t }
	tb.report = &report.Report{
		Schema:  report.Schema,
		Summary: report.Summary{Records: n, First: &first, Last: &last},
		Findings: []report.Finding{
			{ID: "network.proxy-auth", Title: "HTTP 407 from a proxy", Severity: report.SeverityError, Category: "network", Count: n / 10,
				First: &first, Last: &last, Remedy: "Allow the connector through the proxy.", Docs: "https://learn.microsoft.com/x",
				Source: "pattern:network.exlog", Tags: []string{"proxy"},
				Evidence: []report.Evidence{{Origin: "case.zip!Logs/Connector2.log", Offset: new(int64), Time: &first, Text: "(407) Proxy Authentication Required"}}},
			{ID: "discovery.smtp-upn-mismatch", Key: "émile1@contoso.com", Title: "Primary SMTP differs from UPN", Severity: report.SeverityWarning,
				Category: "discovery", Count: 1, Evidence: []report.Evidence{{Origin: "case.zip!mailboxes.txt", Line: 12, Text: "PrimarySmtpAddress"}}},
			{ID: "discovery.smtp-upn-mismatch", Key: "zoë@contoso.com", Title: "Primary SMTP differs from UPN", Severity: report.SeverityWarning,
				Category: "discovery", Count: 1, Evidence: []report.Evidence{}},
			{ID: "bundle.truncated-record", Title: "Records cut", Severity: report.SeverityInfo, Category: "bundle", Count: 2},
		},
		Syncs: []report.Sync{
			{Kind: "full", Start: first.Add(time.Minute), End: end(first.Add(31 * time.Minute)), DurationS: dur(1800.5), Users: num(500), DevicesSynced: num(1234),
				CommandID: "6f1b0c9e-0000-4000-8000-000000000001", ExchangeHealth: "Connected", Status: "completed", Origin: "case.zip!Logs/Connector0.log@700"},
			{Kind: "quick", Start: first.Add(2 * time.Hour), End: end(first.Add(2*time.Hour + 40*time.Second)), DurationS: dur(40), Users: num(3), Status: "completed", Origin: "case.zip!Logs/Connector1.log@1400"},
			{Kind: "quick", Start: first.Add(4 * time.Hour), End: end(first.Add(4*time.Hour + time.Second)), DurationS: dur(1), Status: "failed", Reason: "exception in Get next command", Origin: "case.zip!Logs/Connector1.log@9000"},
			{Kind: "full", Start: last.Add(-time.Minute), Status: "unfinished", Origin: "case.zip!Logs/Connector2.log@20000"},
		},
	}
	return tb
}

// docs builds every document of the bundle, as the indexer will.
func (tb *testBundle) docs(t testing.TB, ns string) []Doc {
	t.Helper()
	b := NewBuilder(tb.bundle, ns)
	var out []Doc
	for _, e := range tb.events {
		d, err := b.Event(e)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	for i := range tb.report.Findings {
		d, err := b.Finding(tb.report, &tb.report.Findings[i])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	for i := range tb.report.Syncs {
		d, err := b.Sync(tb.report, &tb.report.Syncs[i])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// idsByStream groups document ids by data stream.
func idsByStream(docs []Doc) map[string][]string {
	out := map[string][]string{}
	for _, d := range docs {
		out[d.Stream] = append(out[d.Stream], d.ID)
	}
	for _, ids := range out {
		sort.Strings(ids)
	}
	return out
}

// flatten turns a JSON document into dotted field names and the text of
// each scalar (arrays as JSON), the way VictoriaLogs stores it.
func flatten(t testing.TB, body []byte) map[string]string {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("document is not a JSON object: %v", err)
	}
	out := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, sub := range x {
				name := k
				if prefix != "" {
					name = prefix + "." + k
				}
				walk(name, sub)
			}
		case []any:
			b, _ := json.Marshal(x)
			out[prefix] = string(b)
		case string:
			out[prefix] = x
		default:
			b, _ := json.Marshal(x)
			out[prefix] = strings.TrimSpace(string(b))
		}
	}
	walk("", doc)
	return out
}

func TestDocs_IDsAreDeterministicAndDistinct(t *testing.T) {
	tb := newTestBundle("b1", 1500)
	a, b := tb.docs(t, "default"), tb.docs(t, "default")
	seen := map[string]bool{}
	for i := range a {
		if a[i].ID != b[i].ID || string(a[i].Body) != string(b[i].Body) {
			t.Fatalf("document %d differs between two builds", i)
		}
		if seen[a[i].ID] {
			t.Fatalf("duplicate id %s (document %d)", a[i].ID, i)
		}
		seen[a[i].ID] = true
	}
	other := newTestBundle("b2", 1500).docs(t, "default")
	if other[0].ID == a[0].ID {
		t.Fatal("two bundles share a document id")
	}
}

func TestDocs_ECSFields(t *testing.T) {
	tb := newTestBundle("b1", 100)
	docs := tb.docs(t, "ns1")
	ev := flatten(t, docs[5].Body) // i%10 == 5: an error with an exception
	want := map[string]string{
		"@timestamp": "2026-11-20T08:00:06.2962957Z", "log.level": "error", "log.file.path": "case.zip!Logs/Connector2.log",
		"event.kind": "event", "event.dataset": "exlog.events", "host.name": "exch01", "process.pid": "4242",
		"process.thread.id": "10", "exlog.bundle.id": "b1", "exlog.event_type": "error", "exlog.format": "trace",
		"error.type": "System.Net.WebException", "exlog.fields.http.status": "407", "data_stream.namespace": "ns1",
		"event.code": "5", "exlog.doc_id": docs[5].ID,
	}
	for k, v := range want {
		if ev[k] != v {
			t.Errorf("event field %s = %q, want %q", k, ev[k], v)
		}
	}
	if _, ok := ev["exlog.offset"]; !ok {
		t.Error("trace event without exlog.offset")
	}
	el := flatten(t, docs[17].Body)
	if el["exlog.line"] != "18" || el["exlog.winlog.channel"] != "System" || el["event.timezone"] != "+01:00" {
		t.Errorf("event-log record fields wrong: %v", el)
	}
	if _, ok := el["exlog.offset"]; ok {
		t.Error("line-positioned record has exlog.offset")
	}
	var finding, sync map[string]string
	for _, d := range docs {
		switch d.Stream {
		case "logs-exlog.findings-ns1":
			if finding == nil {
				finding = flatten(t, d.Body)
			}
		case "logs-exlog.syncs-ns1":
			if sync == nil {
				sync = flatten(t, d.Body)
			}
		}
	}
	if finding["rule.id"] != "network.proxy-auth" || finding["exlog.finding.severity"] != "error" || finding["event.kind"] != "alert" || finding["exlog.finding.count"] != "10" {
		t.Errorf("finding fields wrong: %v", finding)
	}
	if sync["event.duration"] != "1800500000000" || sync["exlog.sync.kind"] != "full" || sync["exlog.sync.status"] != "completed" || sync["event.outcome"] != "success" {
		t.Errorf("sync fields wrong: %v", sync)
	}
}

// TestDocs_TemplatesMapEveryField keeps the documents and the shipped
// mappings in step: every field a document can carry is mapped
// explicitly (exlog.fields is flattened on purpose).
func TestDocs_TemplatesMapEveryField(t *testing.T) {
	templates, err := Templates()
	if err != nil {
		t.Fatal(err)
	}
	mapped := map[string]string{}
	for _, tm := range templates {
		if tm.Name != "exlog-mappings" {
			continue
		}
		var c struct {
			Template struct {
				Mappings map[string]any `json:"mappings"`
			} `json:"template"`
		}
		if err := json.Unmarshal(tm.Body, &c); err != nil {
			t.Fatal(err)
		}
		var walk func(prefix string, props map[string]any)
		walk = func(prefix string, props map[string]any) {
			for k, v := range props {
				m := v.(map[string]any)
				if sub, ok := m["properties"].(map[string]any); ok {
					walk(prefix+k+".", sub)
					continue
				}
				mapped[prefix+k] = m["type"].(string)
			}
		}
		walk("", c.Template.Mappings["properties"].(map[string]any))
	}
	if len(mapped) == 0 {
		t.Fatal("no exlog-mappings component template")
	}
	for _, d := range newTestBundle("b1", 300).docs(t, "default") {
		var doc any
		if err := json.Unmarshal(d.Body, &doc); err != nil {
			t.Fatal(err)
		}
		for _, field := range leafFields("", doc) {
			if strings.HasPrefix(field, "exlog.fields.") {
				field = "exlog.fields"
			}
			if _, ok := mapped[field]; !ok {
				t.Errorf("%s: field %s is not mapped", d.Stream, field)
			}
		}
	}
}

// leafFields lists the dotted names of the scalar values in v, looking
// into arrays of objects as Elasticsearch does.
func leafFields(prefix string, v any) []string {
	switch x := v.(type) {
	case map[string]any:
		var out []string
		for k, sub := range x {
			name := k
			if prefix != "" {
				name = prefix + "." + k
			}
			out = append(out, leafFields(name, sub)...)
		}
		return out
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, leafFields(prefix, e)...)
		}
		return out
	}
	return []string{prefix}
}

func writeFile(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(content), 0o644)
}

func TestIdentifyBundle(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := writeFile(dir+"/"+name, content); err != nil {
			t.Fatal(err)
		}
	}
	write("a/Connector0.log", "<E2ETraceEvent/>")
	write("a/sub/System.txt", "Log Name: System")
	b1, err := IdentifyBundle([]string{dir + "/a"})
	if err != nil {
		t.Fatal(err)
	}
	write("copy/Connector0.log", "<E2ETraceEvent/>")
	write("copy/sub/System.txt", "Log Name: System")
	b2, _ := IdentifyBundle([]string{dir + "/copy"})
	if b1.ID != b2.ID {
		t.Error("a copied folder has a different identity")
	}
	write("copy/sub/System.txt", "Log Name: Systen")
	b3, _ := IdentifyBundle([]string{dir + "/copy"})
	if b3.ID == b1.ID {
		t.Error("changed content keeps the identity")
	}
	if b1.Name != "a" || len(b1.ID) != 64 {
		t.Errorf("bundle = %+v", b1)
	}
	if _, err := IdentifyBundle([]string{"-"}); err == nil {
		t.Error("stdin accepted")
	}
}
