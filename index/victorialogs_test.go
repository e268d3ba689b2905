package index

// TestVictoriaLogs_* index through the official client into a real
// VictoriaLogs server (EXLOG_TEST_VL_URL, started by .ci/victorialogs.sh)
// and check by querying it that every document arrived with its fields.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func victoriaLogsURL(t testing.TB) string {
	u := os.Getenv("EXLOG_TEST_VL_URL")
	if u == "" {
		t.Skip("EXLOG_TEST_VL_URL is not set: run VictoriaLogs (see .ci/victorialogs.sh, which .ci/run sources) to run the VictoriaLogs layer")
	}
	return u
}

func randomID(t testing.TB) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

func TestVictoriaLogs_EveryDocumentArrivesWithItsFields(t *testing.T) {
	conn := Connection{URL: victoriaLogsURL(t), Target: TargetVictoriaLogs, Backoff: fastBackoff}
	tb := newTestBundle(randomID(t), 1500)
	docs := tb.docs(t, "default")
	cfg := Config{Connection: conn, DeadLetterPath: filepath.Join(t.TempDir(), "dead.ndjson")}
	s, err := indexBundle(t, cfg, tb)
	if err != nil {
		t.Fatal(err)
	}
	if s.Indexed != int64(len(docs)) || s.Lost() != 0 {
		t.Fatalf("summary %s %v", s, s.Errors)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	n, err := waitStore(t, ctx, conn, tb.bundle.ID, int64(len(docs)), 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(docs)) {
		t.Fatalf("VictoriaLogs holds %d documents of the bundle, want %d", n, len(docs))
	}
	// A stats query may count documents a moment before a plain query
	// returns them: poll.
	stored := map[string]map[string]string{}
	for try := 0; try < 80; try++ {
		rows := 0
		err = QueryVictoriaLogs(ctx, conn, "exlog.bundle.id:="+quoteLogsQL(tb.bundle.ID), func(line []byte) error {
			var row map[string]string
			if err := json.Unmarshal(line, &row); err != nil {
				return err
			}
			rows++
			stored[row["exlog.doc_id"]] = row
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if rows >= len(docs) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if len(stored) != len(docs) {
		t.Fatalf("query returned %d distinct documents, want %d", len(stored), len(docs))
	}
	for _, d := range docs {
		got, ok := stored[d.ID]
		if !ok {
			t.Errorf("document %s (%s) missing", d.ID, d.Stream)
			continue
		}
		for field, want := range flatten(t, d.Body) {
			switch field {
			case "message":
				if got["_msg"] != want {
					t.Errorf("%s: _msg = %q, want %q", d.ID, got["_msg"], want)
				}
			case "@timestamp":
				gt, err1 := time.Parse(time.RFC3339Nano, got["_time"])
				wt, err2 := time.Parse(time.RFC3339Nano, want)
				if err1 != nil || err2 != nil || !gt.Equal(wt) {
					t.Errorf("%s: _time = %q, want %q", d.ID, got["_time"], want)
				}
			default:
				if got[field] == want {
					continue
				}
				// Arrays are kept as JSON text; compare as JSON.
				var g, w any
				if json.Unmarshal([]byte(got[field]), &g) == nil && json.Unmarshal([]byte(want), &w) == nil && reflect.DeepEqual(g, w) {
					continue
				}
				t.Errorf("%s: %s = %q, want %q", d.ID, field, got[field], want)
			}
		}
	}
}

func TestVictoriaLogs_CountsTheBundle(t *testing.T) {
	conn := Connection{URL: victoriaLogsURL(t), Target: TargetVictoriaLogs, Backoff: fastBackoff}
	tb := newTestBundle(randomID(t), 200)
	ctx := context.Background()
	if n, err := CountVictoriaLogs(ctx, conn, tb.bundle.ID); err != nil || n != 0 {
		t.Fatalf("new bundle: count %d, err %v", n, err)
	}
	cfg := Config{Connection: conn, DeadLetterPath: filepath.Join(t.TempDir(), "dead.ndjson")}
	s, err := indexBundle(t, cfg, tb)
	if err != nil {
		t.Fatal(err)
	}
	n, err := waitStore(t, ctx, conn, tb.bundle.ID, s.Added, 20*time.Second)
	if err != nil || n != s.Added {
		t.Fatalf("count %d, want %d (err %v)", n, s.Added, err)
	}
}

func waitStore(t testing.TB, ctx context.Context, conn Connection, bundleID string, want int64, settle time.Duration) (int64, error) {
	t.Helper()
	st, err := NewStore(conn, "")
	if err != nil {
		t.Fatal(err)
	}
	return st.WaitCount(ctx, bundleID, want, settle)
}
