package index

// TestFakeES_* run the indexer and Setup against estest, the
// protocol-faithful stand-in for Elasticsearch and Kibana, under each
// fault it can inject. They prove: no document is lost or duplicated,
// indexing a bundle twice changes no count, the summary adds up, and
// what cannot be stored is counted and dead-lettered.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"exlog/index/estest"
)

func fastBackoff(int) time.Duration { return time.Millisecond }

// fakeConfig is a Config for srv with small requests (so faults hit many
// of them) and fast retries.
func fakeConfig(t testing.TB, srv *estest.Server) Config {
	return Config{
		Connection:     Connection{URL: srv.ES.URL, Backoff: fastBackoff},
		Namespace:      "default",
		DeadLetterPath: filepath.Join(t.TempDir(), "dead.ndjson"),
		FlushBytes:     32 << 10,
		FlushInterval:  50 * time.Millisecond,
	}
}

// indexBundle runs one complete indexing of tb, as `exlog index` does:
// events first (as the analysis observes them), then the report.
func indexBundle(t testing.TB, cfg Config, tb *testBundle) (Summary, error) {
	t.Helper()
	ix, err := New(context.Background(), cfg, tb.bundle)
	if err != nil {
		return Summary{}, err
	}
	for _, e := range tb.events {
		ix.Event(e)
	}
	if err := ix.Report(tb.report); err != nil {
		t.Fatal(err)
	}
	return ix.Close()
}

// checkAddsUp asserts the summary's arithmetic, overall and per dataset.
func checkAddsUp(t *testing.T, s Summary, added int) {
	t.Helper()
	if s.Added != int64(added) {
		t.Errorf("added %d, want %d", s.Added, added)
	}
	if s.Indexed+s.AlreadyThere+s.Failed != s.Added {
		t.Errorf("summary does not add up: %s", s)
	}
	var sum Counts
	for _, c := range s.ByDataset {
		if c.Indexed+c.AlreadyThere+c.Failed != c.Added {
			t.Errorf("dataset counts do not add up: %+v", c)
		}
		sum.Added += c.Added
	}
	if sum.Added != s.Added {
		t.Errorf("datasets add up to %d, total %d", sum.Added, s.Added)
	}
}

// checkStored asserts that the server holds exactly the documents of
// tb (minus skip), each once, with the body that was built.
func checkStored(t *testing.T, srv *estest.Server, tb *testBundle, skip map[string]bool) {
	t.Helper()
	docs := tb.docs(t, "default")
	want := map[string]map[string]string{}
	for _, d := range docs {
		if skip[d.ID] {
			continue
		}
		if want[d.Stream] == nil {
			want[d.Stream] = map[string]string{}
		}
		want[d.Stream][d.ID] = string(d.Body)
	}
	for stream, ids := range want {
		got := srv.Docs(stream)
		if len(got) != len(ids) {
			t.Errorf("%s holds %d documents, want %d", stream, len(got), len(ids))
		}
		for id, body := range ids {
			if g, ok := got[id]; !ok {
				t.Errorf("%s: document %s lost", stream, id)
			} else if string(g) != body {
				t.Errorf("%s: document %s stored with another body", stream, id)
			}
		}
		if !srv.IsDataStream(stream) {
			t.Errorf("%s is not a data stream", stream)
		}
	}
	if got := srv.Streams(); len(got) != len(want) {
		t.Errorf("server holds streams %v, want %d", got, len(want))
	}
}

func TestFakeES_IndexesEveryDocument(t *testing.T) {
	srv := estest.New(estest.Options{})
	defer srv.Close()
	tb := newTestBundle("clean", 1500)
	cfg := fakeConfig(t, srv)
	s, err := indexBundle(t, cfg, tb)
	if err != nil {
		t.Fatal(err)
	}
	total := len(tb.docs(t, "default"))
	checkAddsUp(t, s, total)
	if s.Indexed != int64(total) || s.Lost() != 0 || s.DeadLetter != "" {
		t.Errorf("summary %s, dead letter %q", s, s.DeadLetter)
	}
	if _, err := os.Stat(cfg.DeadLetterPath); !os.IsNotExist(err) {
		t.Error("dead-letter file created without a failure")
	}
	if got := s.ByDataset[DatasetFindings].Indexed; got != 4 {
		t.Errorf("findings indexed %d, want 4", got)
	}
	if got := s.ByDataset[DatasetSyncs].Indexed; got != 4 {
		t.Errorf("syncs indexed %d, want 4", got)
	}
	checkStored(t, srv, tb, nil)
}

func TestFakeES_IndexTwiceChangesNoCount(t *testing.T) {
	srv := estest.New(estest.Options{})
	defer srv.Close()
	tb := newTestBundle("twice", 1200)
	total := len(tb.docs(t, "default"))
	first, err := indexBundle(t, fakeConfig(t, srv), tb)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, st := range srv.Streams() {
		counts[st] = srv.Count(st)
	}
	second, err := indexBundle(t, fakeConfig(t, srv), tb)
	if err != nil {
		t.Fatal(err)
	}
	checkAddsUp(t, first, total)
	checkAddsUp(t, second, total)
	if second.Indexed != 0 || second.AlreadyThere != int64(total) || second.Lost() != 0 {
		t.Errorf("second run: %s, want everything already there", second)
	}
	for st, n := range counts {
		if srv.Count(st) != n {
			t.Errorf("%s: %d documents after the second run, %d after the first", st, srv.Count(st), n)
		}
	}
	checkStored(t, srv, tb, nil)
}

// TestFakeES_NoLossUnderFaults: each fault the server can inject, alone
// and together; every document ends up stored exactly once.
func TestFakeES_NoLossUnderFaults(t *testing.T) {
	every := func(n int) func(string) bool {
		return func(id string) bool { return int(id[0]+id[1])%n == 0 }
	}
	cases := []struct {
		name   string
		faults estest.Faults
		check  func(t *testing.T, st estest.Stats, s Summary)
	}{
		{"item-429", estest.Faults{Reject429: every(3), Reject429Times: 2}, func(t *testing.T, st estest.Stats, s Summary) {
			if st.Rejected429 == 0 || s.Retried == 0 {
				t.Errorf("no 429 was given or retried: %+v, retried %d", st, s.Retried)
			}
		}},
		{"request-503", estest.Faults{FailStatus: 503, FailFirst: 2, FailEvery: 4}, func(t *testing.T, st estest.Stats, s Summary) {
			if st.FailedRequests == 0 {
				t.Error("no request failed")
			}
		}},
		{"request-429-and-502", estest.Faults{FailStatus: 429, FailEvery: 3}, nil},
		{"request-too-large", estest.Faults{MaxContentLength: 20 << 10}, func(t *testing.T, st estest.Stats, s Summary) {
			if st.TooLarge == 0 {
				t.Error("no request was too large")
			}
		}},
		{"dropped-before-store", estest.Faults{DropEvery: 3}, func(t *testing.T, st estest.Stats, s Summary) {
			if st.Dropped == 0 {
				t.Error("no connection dropped")
			}
		}},
		{"dropped-after-store", estest.Faults{DropEvery: 3, DropAfterStore: true}, func(t *testing.T, st estest.Stats, s Summary) {
			// The resend after a drop finds documents already stored.
			if st.Dropped == 0 || s.AlreadyThere == 0 {
				t.Errorf("dropped %d, already there %d: the fault did not bite", st.Dropped, s.AlreadyThere)
			}
		}},
		{"all-at-once", estest.Faults{Reject429: every(5), FailStatus: 502, FailEvery: 5, MaxContentLength: 24 << 10, DropEvery: 4, DropAfterStore: true}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := estest.New(estest.Options{Faults: c.faults})
			defer srv.Close()
			tb := newTestBundle("faults-"+c.name, 1500)
			total := len(tb.docs(t, "default"))
			s, err := indexBundle(t, fakeConfig(t, srv), tb)
			if err != nil {
				t.Fatal(err)
			}
			checkAddsUp(t, s, total)
			if s.Failed != 0 || s.Lost() != 0 {
				t.Errorf("%s; errors %v", s, s.Errors)
			}
			checkStored(t, srv, tb, nil)
			if c.check != nil {
				c.check(t, srv.Stats(), s)
			}
		})
	}
}

// readDeadLetter parses the dead-letter file.
func readDeadLetter(t *testing.T, path string) []deadLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []deadLine
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var l deadLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("dead-letter line is not JSON: %v", err)
		}
		out = append(out, l)
	}
	return out
}

func TestFakeES_MappingErrorIsDeadLettered(t *testing.T) {
	tb := newTestBundle("mapping", 800)
	docs := tb.docs(t, "default")
	bad := docs[123].ID
	srv := estest.New(estest.Options{Faults: estest.Faults{MappingError: func(id string, _ []byte) bool { return id == bad }}})
	defer srv.Close()
	cfg := fakeConfig(t, srv)
	s, err := indexBundle(t, cfg, tb)
	if err != nil {
		t.Fatal(err)
	}
	checkAddsUp(t, s, len(docs))
	if s.Failed != 1 || s.Lost() != 1 || s.DeadLetter != cfg.DeadLetterPath {
		t.Fatalf("summary %s, dead letter %q", s, s.DeadLetter)
	}
	lines := readDeadLetter(t, cfg.DeadLetterPath)
	if len(lines) != 1 || lines[0].ID != bad || lines[0].Status != 400 || lines[0].Error.Type != "document_parsing_exception" ||
		string(lines[0].Document) != string(docs[123].Body) || lines[0].Index != docs[123].Stream {
		t.Fatalf("dead letter = %+v", lines)
	}
	if srv.Stats().MappingErrors != 1 {
		t.Errorf("the document was sent %d times; a mapping error is not retried", srv.Stats().MappingErrors)
	}
	checkStored(t, srv, tb, map[string]bool{bad: true})
}

func TestFakeES_RetriesAreBounded(t *testing.T) {
	tb := newTestBundle("bounded", 600)
	docs := tb.docs(t, "default")
	stubborn := map[string]bool{docs[10].ID: true, docs[500].ID: true}
	srv := estest.New(estest.Options{Faults: estest.Faults{Reject429: func(id string) bool { return stubborn[id] }, Reject429Times: 1000}})
	defer srv.Close()
	cfg := fakeConfig(t, srv)
	cfg.MaxAttempts = 4
	s, err := indexBundle(t, cfg, tb)
	if err != nil {
		t.Fatal(err)
	}
	checkAddsUp(t, s, len(docs))
	if s.Failed != 2 {
		t.Fatalf("summary %s", s)
	}
	if got := srv.Stats().Rejected429; got != 2*cfg.MaxAttempts {
		t.Errorf("server rejected %d times, want %d (4 attempts × 2 documents)", got, 2*cfg.MaxAttempts)
	}
	lines := readDeadLetter(t, cfg.DeadLetterPath)
	var ids []string
	for _, l := range lines {
		ids = append(ids, l.ID)
		if l.Attempts != cfg.MaxAttempts || l.Error.Type != "retries-exhausted" {
			t.Errorf("dead letter %+v", l)
		}
	}
	sort.Strings(ids)
	want := []string{docs[10].ID, docs[500].ID}
	sort.Strings(want)
	if !reflect.DeepEqual(ids, want) {
		t.Errorf("dead-lettered %v, want %v", ids, want)
	}
	checkStored(t, srv, tb, stubborn)
}

func TestFakeES_DryRunWritesBulkBody(t *testing.T) {
	srv := estest.New(estest.Options{})
	defer srv.Close()
	tb := newTestBundle("dry", 300)
	out := filepath.Join(t.TempDir(), "bulk.ndjson")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	cfg := fakeConfig(t, srv)
	cfg.DryRun = f
	s, err := indexBundle(t, cfg, tb)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	docs := tb.docs(t, "default")
	if !s.DryRun || s.Added != int64(len(docs)) || s.Lost() != 0 || srv.Stats().BulkRequests != 0 {
		t.Fatalf("summary %+v, requests %d", s, srv.Stats().BulkRequests)
	}
	raw, _ := os.ReadFile(out)
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if len(lines) != 2*len(docs) {
		t.Fatalf("%d lines, want %d", len(lines), 2*len(docs))
	}
	for i, d := range docs {
		var action map[string]map[string]string
		if err := json.Unmarshal([]byte(lines[2*i]), &action); err != nil {
			t.Fatal(err)
		}
		if a := action["create"]; a["_index"] != d.Stream || a["_id"] != d.ID || lines[2*i+1] != string(d.Body) {
			t.Fatalf("line %d: %s", 2*i, lines[2*i])
		}
	}
	// The body is what the server takes: replaying it stores every document.
	cfg2 := fakeConfig(t, srv)
	client, err := NewClient(cfg2.Connection)
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.Bulk(strings.NewReader(string(raw)))
	if err != nil || res.IsError() {
		t.Fatalf("replay: %v %v", err, res)
	}
	res.Body.Close()
	checkStored(t, srv, tb, nil)
}

func TestFakeES_Auth(t *testing.T) {
	srv := estest.New(estest.Options{APIKey: "c2VjcmV0OmtleQ=="})
	defer srv.Close()
	tb := newTestBundle("auth", 50)
	cfg := fakeConfig(t, srv)
	cfg.APIKey = "d3Jvbmc6a2V5"
	_, err := indexBundle(t, cfg, tb)
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("wrong key: err = %v", err)
	}
	if strings.Contains(err.Error(), cfg.APIKey) {
		t.Error("the error echoes the API key")
	}
	cfg.APIKey = "c2VjcmV0OmtleQ=="
	s, err := indexBundle(t, cfg, tb)
	if err != nil || s.Indexed != s.Added {
		t.Fatalf("right key: %v %s", err, s)
	}
	basic := estest.New(estest.Options{User: "elastic", Password: "pa55"})
	defer basic.Close()
	cfg = fakeConfig(t, basic)
	cfg.Username, cfg.Password = "elastic", "pa55"
	if s, err := indexBundle(t, cfg, tb); err != nil || s.Indexed != s.Added {
		t.Fatalf("basic auth: %v %s", err, s)
	}
}

func TestFakeES_RefusesNonElasticsearch(t *testing.T) {
	tb := newTestBundle("product", 10)
	// Answers 200 like a cluster, but without X-Elastic-Product.
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"version":{"number":"8.19.0"},"tagline":"You Know, for Search"}`))
	}))
	defer other.Close()
	cfg := Config{Connection: Connection{URL: other.URL, Backoff: fastBackoff}, DeadLetterPath: filepath.Join(t.TempDir(), "d")}
	_, err := indexBundle(t, cfg, tb)
	if err == nil || !strings.Contains(err.Error(), "not Elasticsearch") {
		t.Fatalf("a server that is not Elasticsearch: err = %v", err)
	}
}

func TestFakeES_SetupIsIdempotentAndMappingsHold(t *testing.T) {
	srv := estest.New(estest.Options{})
	defer srv.Close()
	opt := SetupOptions{Connection: Connection{URL: srv.ES.URL, Backoff: fastBackoff}, KibanaURL: srv.Kibana.URL}
	steps, err := Setup(context.Background(), opt)
	if err != nil {
		t.Fatalf("setup: %v (steps %v)", err, steps)
	}
	templates, _ := Templates()
	if len(steps) != len(templates)+1 {
		t.Fatalf("steps %v", steps)
	}
	for _, s := range steps {
		if !s.Changed {
			t.Errorf("first setup: %s", s)
		}
	}
	for _, ds := range datasets {
		if _, ok := srv.IndexTemplate("logs-" + ds); !ok {
			t.Errorf("index template logs-%s not installed", ds)
		}
	}
	for _, o := range [][2]string{{"index-pattern", "exlog"}, {"dashboard", "exlog-overview"}, {"lens", "exlog-sync-duration"},
		{"lens", "exlog-findings-by-severity"}, {"lens", "exlog-errors-over-time"}, {"search", "exlog-latest-findings"}} {
		if _, ok := srv.SavedObject(o[0], o[1]); !ok {
			t.Errorf("kibana object %s/%s missing", o[0], o[1])
		}
	}
	again, err := Setup(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range again[:len(templates)] {
		if s.Changed {
			t.Errorf("second setup changed %s", s)
		}
	}
	// With exlog's templates (priority 200 over the built-in logs-*-*)
	// the server enforces exlog's mappings: every document must pass.
	tb := newTestBundle("mapped", 1500)
	s, err := indexBundle(t, fakeConfig(t, srv), tb)
	if err != nil {
		t.Fatal(err)
	}
	if s.Failed != 0 || srv.Stats().MappingErrors != 0 {
		t.Fatalf("documents refused by exlog's own mappings: %s %v", s, s.Errors)
	}
	checkStored(t, srv, tb, nil)
	client, _ := NewClient(opt.Connection)
	res, err := client.Indices.GetDataStream(client.Indices.GetDataStream.WithName(Stream(DatasetEvents, "default")))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var ds struct {
		DataStreams []struct {
			Template string `json:"template"`
		} `json:"data_streams"`
	}
	json.NewDecoder(res.Body).Decode(&ds)
	if len(ds.DataStreams) != 1 || ds.DataStreams[0].Template != "logs-"+DatasetEvents {
		t.Errorf("events stream uses template %+v, want exlog's", ds)
	}
}

// TestFakeES_MappingsCatchWrongTypes proves the fake's mapping check can
// fail: a document with a string where exlog maps a long is refused.
func TestFakeES_MappingsCatchWrongTypes(t *testing.T) {
	srv := estest.New(estest.Options{})
	defer srv.Close()
	if _, err := Setup(context.Background(), SetupOptions{Connection: Connection{URL: srv.ES.URL}}); err != nil {
		t.Fatal(err)
	}
	client, _ := NewClient(Connection{URL: srv.ES.URL})
	body := `{"create":{"_index":"logs-exlog.events-default","_id":"x"}}` + "\n" +
		`{"@timestamp":"2026-11-20T08:00:00Z","message":"m","process":{"pid":"not a number"}}` + "\n"
	res, err := client.Bulk(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var r struct {
		Errors bool `json:"errors"`
	}
	json.NewDecoder(res.Body).Decode(&r)
	if !r.Errors {
		t.Fatal("a long field holding text was accepted")
	}
}

func TestFakeES_SetupReportsKibanaErrors(t *testing.T) {
	srv := estest.New(estest.Options{})
	defer srv.Close()
	// A URL that is not Kibana at all answers 404: setup says so.
	_, err := Setup(context.Background(), SetupOptions{Connection: Connection{URL: srv.ES.URL, Backoff: fastBackoff}, KibanaURL: srv.ES.URL})
	if err == nil {
		t.Fatal("setup against a non-Kibana URL succeeded")
	}
	if !strings.Contains(fmt.Sprint(err), "kibana") {
		t.Errorf("error does not name Kibana: %v", err)
	}
}

// TestFakeES_InterruptedRunAccountsForEveryDocument: cancelling a run
// (Ctrl-C) stops offering documents, and every document offered still
// ends in exactly one state.
func TestFakeES_InterruptedRunAccountsForEveryDocument(t *testing.T) {
	srv := estest.New(estest.Options{Faults: estest.Faults{Reject429: func(id string) bool { return id[2]%4 == 0 }, Reject429Times: 1000}})
	defer srv.Close()
	tb := newTestBundle("interrupted", 3000)
	cfg := fakeConfig(t, srv)
	cfg.Backoff = func(int) time.Duration { return 20 * time.Millisecond }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ix, err := New(ctx, cfg, tb.bundle)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range tb.events {
		if i == 1500 {
			cancel()
		}
		ix.Event(e)
	}
	if err := ix.Report(tb.report); err == nil {
		t.Error("Report after cancellation succeeded")
	}
	s, err := ix.Close()
	if err == nil {
		t.Error("Close after cancellation returned no error")
	}
	if s.Added == 0 || s.Added > 1500 {
		t.Errorf("added %d documents, want some and at most the 1500 offered before the cancel", s.Added)
	}
	if s.Indexed+s.AlreadyThere+s.Failed != s.Added || s.Failed == 0 {
		t.Errorf("summary %s", s)
	}
	if lines := readDeadLetter(t, cfg.DeadLetterPath); int64(len(lines)) != s.Failed {
		t.Errorf("%d dead-letter lines for %d failed documents", len(lines), s.Failed)
	}
}

// TestFakeES_BulkBufferReuseLosesNothing guards privateBody: without it,
// net/http's after-the-fact read of the bulk worker's reused buffer
// swallowed whole batches (every few runs of a 409-only second pass).
func TestFakeES_BulkBufferReuseLosesNothing(t *testing.T) {
	for i := 0; i < 6; i++ {
		srv := estest.New(estest.Options{})
		tb := newTestBundle(fmt.Sprintf("reuse-%d", i), 1200)
		for pass := 0; pass < 2; pass++ {
			s, err := indexBundle(t, fakeConfig(t, srv), tb)
			if err != nil {
				t.Fatal(err)
			}
			if s.Indexed+s.AlreadyThere != s.Added || s.Failed != 0 {
				t.Fatalf("round %d pass %d: %s", i, pass, s)
			}
		}
		if srv.Stats().BulkItems != 2*len(tb.docs(t, "default")) {
			t.Fatalf("round %d: the server received %d items, want %d", i, srv.Stats().BulkItems, 2*len(tb.docs(t, "default")))
		}
		srv.Close()
	}
}
