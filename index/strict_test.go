package index

// The fake rejects what Elasticsearch rejects (each check proven able to
// fail), and exlog's documents pass it: events without a time, values
// longer than Lucene's term limit.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"exlog/event"
	"exlog/index/estest"
)

// put sends a PUT with body and returns the status and answer.
func put(t *testing.T, url, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return res.StatusCode, b.String()
}

// bulkOne sends one create and returns the item's status and error type.
func bulkOne(t *testing.T, srv *estest.Server, stream, source string) (int, string) {
	t.Helper()
	client, err := NewClient(Connection{URL: srv.ES.URL})
	if err != nil {
		t.Fatal(err)
	}
	body := `{"create":{"_index":"` + stream + `","_id":"x` + time.Now().Format("150405.000000000") + `"}}` + "\n" + source + "\n"
	res, err := client.Bulk(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var r bulkResponse
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil || len(r.Items) != 1 {
		t.Fatalf("bulk answer: %v %+v", err, r)
	}
	for _, it := range r.Items[0] {
		return it.Status, it.Error.Type + ": " + it.Error.Reason
	}
	return 0, ""
}

func TestFakeES_RejectsWhatElasticsearchRejects(t *testing.T) {
	srv := estest.New(estest.Options{})
	defer srv.Close()
	if _, err := Setup(context.Background(), SetupOptions{Connection: Connection{URL: srv.ES.URL}}); err != nil {
		t.Fatalf("exlog's own templates are refused: %v", err)
	}
	templates := []struct{ name, path, body, want string }{
		{"unknown top-level field", "/_index_template/t1", `{"index_patterns":["t1-*"],"priority":300,"allow_autocreate":true}`, "unknown field [allow_autocreate]"},
		{"unknown field in template", "/_index_template/t2", `{"index_patterns":["t2-*"],"priority":300,"template":{"lifecycle":{"retention":"7d"}}}`, "unknown field [retention]"},
		{"unknown mapping parameter", "/_component_template/c1", `{"template":{"mappings":{"properties":{"a":{"type":"match_only_text","ignore_above":10}}}}}`, "unknown parameter [ignore_above]"},
		{"unknown component field", "/_component_template/c2", `{"template":{},"lifecycle":{}}`, "unknown field [lifecycle]"},
	}
	for _, tc := range templates {
		status, body := put(t, srv.ES.URL+tc.path, tc.body)
		if status != 400 || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s", tc.name, status, body)
		}
	}
	// A template mapping a keyword without ignore_above, for the term limit.
	if status, body := put(t, srv.ES.URL+"/_index_template/strict", `{"index_patterns":["logs-strict.test-*"],"priority":300,"data_stream":{},
		"template":{"mappings":{"properties":{"@timestamp":{"type":"date_nanos"},"k":{"type":"keyword"},"f":{"type":"flattened"},
		"data_stream":{"properties":{"dataset":{"type":"constant_keyword"}}}}}}}`); status != 200 {
		t.Fatalf("strict template: %d %s", status, body)
	}
	long := strings.Repeat("é", 20000) // 40,000 bytes
	docs := []struct{ name, stream, source, want string }{
		{"year 1 in date_nanos", "logs-exlog.events-default", `{"@timestamp":"0001-01-01T00:00:00Z","message":"m"}`, "before the epoch"},
		{"1969 in date_nanos", "logs-strict.test-default", `{"@timestamp":"1969-12-31T23:59:59Z"}`, "before the epoch"},
		{"keyword over 32766 bytes", "logs-strict.test-default", `{"@timestamp":"2023-05-01T00:00:00Z","k":"` + long + `"}`, "immense term"},
		{"flattened leaf over 32766 bytes", "logs-strict.test-default", `{"@timestamp":"2023-05-01T00:00:00Z","f":{"a":{"b":"` + long + `"}}}`, "immense term"},
		{"dataset differs from the stream", "logs-exlog.events-default", `{"@timestamp":"2023-05-01T00:00:00Z","data_stream":{"type":"logs","dataset":"exlog.findings","namespace":"default"}}`, "only accepts values"},
		{"namespace differs from the stream", "logs-strict.test-default", `{"@timestamp":"2023-05-01T00:00:00Z","data_stream.namespace":"other"}`, "only accepts values"},
	}
	for _, tc := range docs {
		status, reason := bulkOne(t, srv, tc.stream, tc.source)
		if status != 400 || !strings.Contains(reason, tc.want) {
			t.Errorf("%s: %d %s", tc.name, status, reason)
		}
	}
	// And what exlog's mappings bound is accepted: the same long value in
	// keyword and flattened fields (ignore_above 1024).
	status, reason := bulkOne(t, srv, "logs-exlog.events-default", `{"@timestamp":"2023-05-01T00:00:00Z","message":"`+long+`","event":{"provider":"`+long+`"},"exlog":{"fields":{"x":"`+long+`"}}}`)
	if status != 201 {
		t.Errorf("long values under exlog's mappings: %d %s", status, reason)
	}
}

// TestFakeES_NoYearOne: events without a time get one from the evidence,
// flagged, and Elasticsearch (the fake) takes them.
func TestFakeES_NoYearOne(t *testing.T) {
	srv := estest.New(estest.Options{})
	defer srv.Close()
	if _, err := Setup(context.Background(), SetupOptions{Connection: Connection{URL: srv.ES.URL}}); err != nil {
		t.Fatal(err)
	}
	tb := newTestBundle("notime", 300)
	long := strings.Repeat("x", 40000)
	// The bundle's first two events have no time (held back until the
	// first timed one), one mid-file event has none (the previous record
	// of its file), and one carries a 40,000-byte field.
	t0 := tb.events[2].Time
	tb.events[0].Time, tb.events[1].Time = time.Time{}, time.Time{}
	tb.events[150].Time = time.Time{}
	tb.events[150].Origin = tb.events[147].Origin // same file as event 147
	tb.events[150].Origin.Offset += 99999
	prev := tb.events[147].Time
	tb.events[10].Fields = append(tb.events[10].Fields, event.Field{Name: "long", Value: long})
	tb.events[10].Source = long
	s, err := indexBundle(t, fakeConfig(t, srv), tb)
	if err != nil || s.Failed != 0 {
		t.Fatalf("%s %v %v", s, err, s.Errors)
	}
	got := map[string]string{}
	inferred := 0
	for _, raw := range srv.Docs(Stream(DatasetEvents, "default")) {
		var d struct {
			Timestamp string `json:"@timestamp"`
			Exlog     struct {
				Origin       string `json:"origin"`
				TimeInferred bool   `json:"time_inferred"`
			} `json:"exlog"`
		}
		json.Unmarshal(raw, &d)
		if strings.HasPrefix(d.Timestamp, "0001") {
			t.Errorf("year 1 stored: %s", d.Exlog.Origin)
		}
		if d.Exlog.TimeInferred {
			inferred++
			got[d.Exlog.Origin] = d.Timestamp
		}
	}
	if inferred != 3 {
		t.Errorf("%d documents flagged exlog.time_inferred, want 3", inferred)
	}
	for _, i := range []int{0, 1} {
		if got[tb.events[i].Origin.String()] != fmtTime(t0) {
			t.Errorf("event %d without a time: %q, want the first timed event's %s", i, got[tb.events[i].Origin.String()], fmtTime(t0))
		}
	}
	if g := got[tb.events[150].Origin.String()]; g != fmtTime(prev) {
		t.Errorf("mid-file event without a time: %q, want the previous record's %s", g, fmtTime(prev))
	}

	// No event has a time: the report's window dates them.
	tb2 := newTestBundle("notime2", 5)
	for _, e := range tb2.events {
		e.Time = time.Time{}
	}
	s, err = indexBundle(t, fakeConfig(t, srv), tb2)
	if err != nil || s.Failed != 0 || s.Indexed != s.Added {
		t.Fatalf("no times at all: %s %v %v", s, err, s.Errors)
	}
}

// TestFakeES_KibanaHasItsOwnCA: --ca-cert (Elasticsearch's CA) is added to
// Kibana's trust, not put in place of it, and --kibana-ca-cert names
// Kibana's own.
func TestFakeES_KibanaHasItsOwnCA(t *testing.T) {
	srv := estest.New(estest.Options{})
	defer srv.Close()
	kibana := httptest.NewTLSServer(srv.Kibana.Config.Handler)
	defer kibana.Close()
	pemOf := func(s *httptest.Server) []byte {
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
	}
	// An unrelated CA (httptest's servers all share one certificate).
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "exlog test CA"}, IsCA: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	otherPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	conn := Connection{URL: srv.ES.URL, Backoff: fastBackoff}
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		es, kib    []byte
		wantImport bool
	}{
		{"kibana's own CA", otherPEM, pemOf(kibana), true},
		{"the ES CA also signs Kibana", pemOf(kibana), nil, true},
		{"only an unrelated ES CA", otherPEM, nil, false},
	} {
		c := conn
		c.CACert = tc.es
		_, err := Setup(ctx, SetupOptions{Connection: c, KibanaURL: kibana.URL, KibanaCACert: tc.kib})
		if (err == nil) != tc.wantImport {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
