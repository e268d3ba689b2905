package index

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"exlog/index/estest"
)

const benchEvents = 20000

// benchIndex indexes a fresh bundle (new id: every document is new) of
// benchEvents events per iteration and reports documents per second.
func benchIndex(b *testing.B, conn Connection, wait func(tb *testBundle, want int64)) {
	tbs := make([]*testBundle, b.N)
	for i := range tbs {
		tbs[i] = newTestBundle(fmt.Sprintf("%s-%d-%d", b.Name(), time.Now().UnixNano(), i), benchEvents)
	}
	var docs, bytes int64
	for _, d := range tbs[0].docs(b, "default") {
		bytes += int64(len(d.Body))
		docs++
	}
	b.SetBytes(bytes)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		cfg := Config{Connection: conn, DeadLetterPath: filepath.Join(b.TempDir(), "dead.ndjson")}
		ix, err := New(context.Background(), cfg, tbs[i].bundle)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range tbs[i].events {
			ix.Event(e)
		}
		ix.Report(tbs[i].report)
		s, err := ix.Close()
		if err != nil || s.Indexed != s.Added {
			b.Fatalf("%v %s %v", err, s, s.Errors)
		}
		if wait != nil {
			wait(tbs[i], s.Added)
		}
	}
	b.ReportMetric(float64(docs)*float64(b.N)/time.Since(start).Seconds(), "docs/s")
}

func BenchmarkIndex_FakeES(b *testing.B) {
	srv := estest.New(estest.Options{})
	defer srv.Close()
	benchIndex(b, Connection{URL: srv.ES.URL}, nil)
}

// BenchmarkIndex_VictoriaLogs counts a document as done once VictoriaLogs
// has acknowledged it (not when it becomes searchable).
func BenchmarkIndex_VictoriaLogs(b *testing.B) {
	benchIndex(b, Connection{URL: victoriaLogsURL(b), Target: TargetVictoriaLogs}, nil)
}

func BenchmarkDocs_Event(b *testing.B) {
	tb := newTestBundle("bench", 1000)
	bld := NewBuilder(tb.bundle, "default")
	b.ReportAllocs()
	var n int64
	for i := 0; i < b.N; i++ {
		d, err := bld.Event(tb.events[i%len(tb.events)])
		if err != nil {
			b.Fatal(err)
		}
		n += int64(len(d.Body))
	}
	b.SetBytes(n / int64(b.N))
}
