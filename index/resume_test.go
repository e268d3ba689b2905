package index

// Re-indexing across a rollover, and a store that loses what it
// acknowledged (a crash between acknowledgement and durability): the
// pre-check (Config.Resume) and the check after the run (Verify).

import (
	"context"
	"strings"
	"testing"
	"time"

	"exlog/index/estest"
)

func resumeConfig(t testing.TB, srv *estest.Server) Config {
	cfg := fakeConfig(t, srv)
	cfg.Resume = true
	return cfg
}

// indexAndVerify is indexBundle followed by Verify, as `exlog index` runs.
func indexAndVerify(t *testing.T, cfg Config, tb *testBundle) (Summary, Verification) {
	t.Helper()
	ix, err := New(context.Background(), cfg, tb.bundle)
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
	v, err := ix.Verify(context.Background(), &s, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

func TestFakeES_ReindexAfterRolloverAddsNothing(t *testing.T) {
	tb := newTestBundle("rollover", 900)
	total := len(tb.docs(t, "default"))
	streams := []string{Stream(DatasetEvents, "default"), Stream(DatasetFindings, "default"), Stream(DatasetSyncs, "default")}
	stored := func(srv *estest.Server) int {
		n := 0
		for _, st := range streams {
			n += srv.Count(st)
		}
		return n
	}
	for _, resume := range []bool{false, true} {
		srv := estest.New(estest.Options{})
		cfg := fakeConfig(t, srv)
		cfg.Resume = resume
		if _, err := indexBundle(t, cfg, tb); err != nil {
			t.Fatal(err)
		}
		for _, st := range streams {
			srv.Rollover(st)
		}
		before := srv.Stats().BulkItems
		s, err := indexBundle(t, cfg, tb)
		if err != nil {
			t.Fatal(err)
		}
		checkAddsUp(t, s, total)
		if !resume {
			// The fake models the problem: a 409 no longer catches the
			// duplicate once the stream has rolled over.
			if stored(srv) != 2*total {
				t.Errorf("without the pre-check: %d stored after the rollover, want the duplicates (%d)", stored(srv), 2*total)
			}
		} else {
			if stored(srv) != total || s.Indexed != 0 || s.AlreadyThere != int64(total) || s.Held != int64(total) {
				t.Errorf("with the pre-check: %d stored (want %d), summary %s held %d", stored(srv), total, s, s.Held)
			}
			if sent := srv.Stats().BulkItems - before; sent != 0 {
				t.Errorf("with the pre-check the second run sent %d documents, want 0", sent)
			}
		}
		srv.Close()
	}
}

func TestFakeES_AcknowledgedButLostIsCountedAndResumed(t *testing.T) {
	srv := estest.New(estest.Options{})
	defer srv.Close()
	tb := newTestBundle("crash", 1500)
	total := len(tb.docs(t, "default"))
	cfg := resumeConfig(t, srv)
	s, v := indexAndVerify(t, cfg, tb)
	if v.NotStored != 0 || s.Lost() != 0 || v.Stored != int64(total) {
		t.Fatalf("clean run: %s, %+v", s, v)
	}

	// The store acknowledges every document, then loses some (a crash
	// before they were durable).
	srv2 := estest.New(estest.Options{})
	defer srv2.Close()
	ix, err := New(context.Background(), resumeConfig(t, srv2), tb.bundle)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range tb.events {
		ix.Event(e)
	}
	ix.Report(tb.report)
	s, err = ix.Close()
	if err != nil {
		t.Fatal(err)
	}
	lostIDs := map[string]bool{}
	n := srv2.Lose(func(stream, id string) bool {
		if id[0]%5 == 0 {
			lostIDs[id] = true
			return true
		}
		return false
	})
	if n == 0 {
		t.Fatal("the fake lost nothing")
	}
	v, err = ix.Verify(context.Background(), &s, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if v.NotStored != int64(n) || s.NotStored != int64(n) || s.Lost() != int64(n) {
		t.Fatalf("lost %d, verification says %+v, summary %s (lost %d)", n, v, s, s.Lost())
	}
	if s.String() == "" || !strings.Contains(s.String(), "acknowledged but not stored") {
		t.Errorf("summary does not say it: %s", s)
	}
	lines := readDeadLetter(t, s.DeadLetter)
	if len(lines) != n {
		t.Fatalf("%d dead-letter lines for %d lost documents", len(lines), n)
	}
	for _, l := range lines {
		if !lostIDs[l.ID] || l.Error.Type != "acknowledged-not-stored" || l.Index == "" {
			t.Errorf("dead-letter line %+v", l)
		}
	}
	msg := v.LostMessage(TargetVictoriaLogs, s.DeadLetter)
	if i, j := strings.Index(msg, "restarted or crashed"), strings.Index(msg, "retentionPeriod"); i < 0 || j < 0 || i > j {
		t.Errorf("the message must name a restart or crash first, then retention: %s", msg)
	}

	// The rerun sends only what the store lacks.
	before := srv2.Stats().BulkItems
	s, v = indexAndVerify(t, resumeConfig(t, srv2), tb)
	if sent := srv2.Stats().BulkItems - before; sent != n {
		t.Errorf("the rerun sent %d documents, want the %d lost", sent, n)
	}
	if s.Indexed != int64(n) || s.Held != int64(total-n) || v.NotStored != 0 || s.Lost() != 0 {
		t.Errorf("rerun: %s held %d, %+v", s, s.Held, v)
	}
	checkStored(t, srv2, tb, nil)
}
