package index

// TestRealES_* run the same end-to-end checks against a real cluster,
// opt-in: EXLOG_TEST_ES_URL (and EXLOG_TEST_KIBANA_URL for the Kibana
// import), credentials in EXLOG_TEST_ES_API_KEY or EXLOG_TEST_ES_USER /
// EXLOG_TEST_ES_PASSWORD, EXLOG_TEST_ES_CA_CERT (a PEM file) or
// EXLOG_TEST_ES_INSECURE=1. They write to a namespace of their own and
// delete its data streams afterwards. See README.md for a local cluster.

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func realESConnection(t *testing.T) Connection {
	u := os.Getenv("EXLOG_TEST_ES_URL")
	if u == "" {
		t.Skip("EXLOG_TEST_ES_URL is not set: the real-cluster layer is opt-in (see index/README.md)")
	}
	c := Connection{URL: u, APIKey: os.Getenv("EXLOG_TEST_ES_API_KEY"), Username: os.Getenv("EXLOG_TEST_ES_USER"),
		Password: os.Getenv("EXLOG_TEST_ES_PASSWORD"), Insecure: os.Getenv("EXLOG_TEST_ES_INSECURE") == "1"}
	if p := os.Getenv("EXLOG_TEST_ES_CA_CERT"); p != "" {
		pem, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		c.CACert = pem
	}
	return c
}

// countStream asks the cluster how many documents a data stream holds
// (after a refresh) and how many carry the bundle id.
func countStream(t *testing.T, conn Connection, stream, bundleID string) int {
	t.Helper()
	client, err := NewClient(conn)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := client.Indices.Refresh(client.Indices.Refresh.WithIndex(stream)); err == nil {
		res.Body.Close()
	}
	q := `{"query":{"term":{"exlog.bundle.id":` + jsonString(bundleID) + `}}}`
	res, err := client.Count(client.Count.WithIndex(stream), client.Count.WithBody(strings.NewReader(q)))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.IsError() {
		t.Fatalf("count %s: %s", stream, res)
	}
	var r struct {
		Count int `json:"count"`
	}
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r.Count
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestRealES_SetupIndexTwiceAndCount(t *testing.T) {
	conn := realESConnection(t)
	ctx := context.Background()
	steps, err := Setup(ctx, SetupOptions{Connection: conn, KibanaURL: os.Getenv("EXLOG_TEST_KIBANA_URL")})
	for _, s := range steps {
		t.Log(s)
	}
	if err != nil {
		t.Fatal(err)
	}
	again, err := Setup(ctx, SetupOptions{Connection: conn})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range again {
		if s.Changed {
			t.Errorf("second setup changed %s", s)
		}
	}
	ns := "exlogtest" + randomID(t)[:8]
	client, _ := NewClient(conn)
	defer func() {
		res, err := client.Indices.DeleteDataStream([]string{"logs-exlog.*-" + ns})
		if err == nil {
			res.Body.Close()
		}
	}()
	tb := newTestBundle(randomID(t), 1500)
	want := idsByStream(tb.docs(t, ns))
	for run := 1; run <= 2; run++ {
		cfg := Config{Connection: conn, Namespace: ns, DeadLetterPath: filepath.Join(t.TempDir(), "dead.ndjson")}
		ix, err := New(ctx, cfg, tb.bundle)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range tb.events {
			ix.Event(e)
		}
		if err := ix.Report(tb.report); err != nil {
			t.Fatal(err)
		}
		s, err := ix.Close()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("run %d: %s", run, s)
		if s.Failed != 0 || s.Indexed+s.AlreadyThere != s.Added {
			t.Fatalf("run %d: %s %v", run, s, s.Errors)
		}
		if run == 2 && s.Indexed != 0 {
			t.Errorf("second run indexed %d new documents", s.Indexed)
		}
		for stream, ids := range want {
			if got := countStream(t, conn, stream, tb.bundle.ID); got != len(ids) {
				t.Errorf("run %d: %s holds %d documents, want %d", run, stream, got, len(ids))
			}
		}
	}
}
