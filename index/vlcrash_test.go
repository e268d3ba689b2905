package index

// TestVictoriaLogs_KilledMidRun* run a VictoriaLogs of their own
// (EXLOG_TEST_VL_BIN, exported by .ci/victorialogs.sh), on a free
// loopback port with its own storage, and stop it in the middle of an
// indexing run: kill -9 (SIGKILL: what it acknowledged but had not
// flushed is lost) or a graceful SIGTERM (nothing is lost), then start it
// again on the same port and storage while the run goes on.

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// vlServer is a VictoriaLogs process the test owns.
type vlServer struct {
	t    *testing.T
	bin  string
	dir  string
	addr string
	cmd  *exec.Cmd
}

func startOwnVictoriaLogs(t *testing.T) *vlServer {
	bin := os.Getenv("EXLOG_TEST_VL_BIN")
	if bin == "" {
		t.Skip("EXLOG_TEST_VL_BIN is not set: .ci/victorialogs.sh exports the victoria-logs binary for the crash tests")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	v := &vlServer{t: t, bin: bin, dir: t.TempDir(), addr: addr}
	v.start()
	t.Cleanup(func() {
		if v.cmd != nil {
			v.cmd.Process.Kill()
			v.cmd.Wait()
		}
	})
	return v
}

func (v *vlServer) url() string { return "http://" + v.addr }

func (v *vlServer) start() {
	v.t.Helper()
	cmd := exec.Command(v.bin, "-storageDataPath="+filepath.Join(v.dir, "data"), "-httpListenAddr="+v.addr,
		"-retentionPeriod=100y", "-futureRetention=1y", "-loggerLevel=WARN")
	logf, err := os.OpenFile(filepath.Join(v.dir, "log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		v.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		v.t.Fatal(err)
	}
	v.cmd = cmd
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(v.url() + "/health")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(v.dir, "log"))
	v.t.Fatalf("victoria-logs did not start on %s:\n%s", v.addr, log)
}

// stop stops the process with sig and waits for it to end.
func (v *vlServer) stop(sig syscall.Signal) {
	v.t.Helper()
	if err := v.cmd.Process.Signal(sig); err != nil {
		v.t.Fatal(err)
	}
	v.cmd.Wait()
	v.cmd = nil
}

func TestVictoriaLogs_KilledMidRunIsCountedAndResumed(t *testing.T) {
	testVictoriaLogsStoppedMidRun(t, syscall.SIGKILL)
}

func TestVictoriaLogs_GracefulStopMidRunLosesNothing(t *testing.T) {
	testVictoriaLogsStoppedMidRun(t, syscall.SIGTERM)
}

func testVictoriaLogsStoppedMidRun(t *testing.T, sig syscall.Signal) {
	vl := startOwnVictoriaLogs(t)
	const events = 20000
	tb := newTestBundle(randomID(t), events)
	total := int64(len(tb.docs(t, "default")))
	conn := Connection{URL: vl.url(), Target: TargetVictoriaLogs,
		// Retries that outlast a restart: 5 transport retries and 6
		// sends per document, 300 ms apart.
		Backoff: func(int) time.Duration { return 300 * time.Millisecond }}
	dead := filepath.Join(t.TempDir(), "dead.ndjson")
	var done atomic.Int64
	cfg := Config{Connection: conn, DeadLetterPath: dead, Resume: true, FlushBytes: 256 << 10,
		Progress: func(n int64) { done.Add(n) }}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	ix, err := New(ctx, cfg, tb.bundle)
	if err != nil {
		t.Fatal(err)
	}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for done.Load() < total/3 && ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond)
		}
		vl.stop(sig)
		time.Sleep(300 * time.Millisecond)
		vl.start()
	}()
	for _, e := range tb.events {
		ix.Event(e)
	}
	if err := ix.Report(tb.report); err != nil {
		t.Fatal(err)
	}
	s, err := ix.Close()
	<-stopped
	if err != nil {
		t.Fatal(err)
	}
	checkAddsUp(t, s, int(total))
	v, err := ix.Verify(ctx, &s, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	store, _ := NewStore(conn, "")
	held, err := store.IDs(ctx, tb.bundle.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%v mid-run: %s; verification %+v; VictoriaLogs holds %d distinct documents", sig, s, v, len(held))
	// Honest counts: what the run says is stored is what the store holds.
	if v.Stored != int64(len(held)) || v.Expected != s.Indexed+s.AlreadyThere || v.NotStored != v.Expected-v.Stored {
		t.Errorf("the run says %d of %d stored (%d not stored); VictoriaLogs holds %d distinct", v.Stored, v.Expected, v.NotStored, len(held))
	}
	if s.Lost() != s.Failed+s.NotStored {
		t.Errorf("lost %d, want failed %d + not stored %d", s.Lost(), s.Failed, s.NotStored)
	}
	if s.Lost() > 0 {
		if lines := readDeadLetter(t, dead); int64(len(lines)) != s.Lost() {
			t.Errorf("%d dead-letter lines for %d lost documents", len(lines), s.Lost())
		}
	}
	if sig == syscall.SIGTERM && v.NotStored != 0 {
		t.Errorf("a graceful stop lost %d acknowledged documents", v.NotStored)
	}

	// The rerun sends only what the store lacks, and then it holds all.
	os.Remove(dead)
	ix2, err := New(ctx, cfg, tb.bundle)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range tb.events {
		ix2.Event(e)
	}
	ix2.Report(tb.report)
	s2, err := ix2.Close()
	if err != nil {
		t.Fatal(err)
	}
	v2, err := ix2.Verify(ctx, &s2, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("rerun: %s; held before %d; verification %+v", s2, s2.Held, v2)
	if s2.Held != int64(len(held)) || s2.Indexed != total-s2.Held || s2.Lost() != 0 || v2.NotStored != 0 {
		t.Errorf("rerun: %s held %d (store held %d), %+v", s2, s2.Held, len(held), v2)
	}
	final, err := store.IDs(ctx, tb.bundle.ID)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := store.Count(ctx, tb.bundle.ID)
	if int64(len(final)) != total {
		t.Errorf("after the rerun VictoriaLogs holds %d distinct documents, want %d", len(final), total)
	}
	// Copies beyond one: a request the store took but whose answer the
	// crash cut off is resent (VictoriaLogs ignores _id); exlog.doc_id
	// tells them apart.
	t.Logf("after the rerun: %d documents, %d distinct", n, len(final))
}
