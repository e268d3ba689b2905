package analyze

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
	"time"

	"exlog/event"
)

type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }

func TestAheadReaderCopiesEveryByte(t *testing.T) {
	for _, n := range []int{0, 1, chunkSize - 1, chunkSize, chunkSize + 1, 5*chunkSize + 17} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(i * 7)
		}
		src := &closeCounter{Reader: iotest.HalfReader(bytes.NewReader(data))}
		r := newAheadReader(src)
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("n=%d: got %d bytes, err %v; want %d bytes", n, len(got), err, n)
		}
		if err := r.Close(); err != nil || src.closed != 1 {
			t.Fatalf("n=%d: Close err %v, source closed %d times", n, err, src.closed)
		}
	}
}

func TestAheadReaderPassesErrorsAfterData(t *testing.T) {
	boom := errors.New("member checksum mismatch")
	data := bytes.Repeat([]byte("x"), chunkSize+10)
	r := newAheadReader(&closeCounter{Reader: io.MultiReader(bytes.NewReader(data), iotest.ErrReader(boom))})
	defer r.Close()
	got, err := io.ReadAll(r)
	if !errors.Is(err, boom) || len(got) != len(data) {
		t.Fatalf("got %d bytes, err %v; want %d bytes then %v", len(got), err, len(data), boom)
	}
}

func TestAheadReaderCloseEarlyDoesNotHang(t *testing.T) {
	src := &closeCounter{Reader: io.LimitReader(zeros{}, 100*chunkSize)}
	r := newAheadReader(src)
	buf := make([]byte, 10)
	if _, err := r.Read(buf); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { r.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return while the read-ahead was blocked")
	}
	if src.closed != 1 {
		t.Fatalf("source closed %d times", src.closed)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestReorderEmitsInTimeThenOffsetOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	var in []*event.Event
	for i := 0; i < 5000; i++ {
		// nearly sorted: up to 40 ms of disorder, many equal times
		ms := i*5 - rng.IntN(40)
		in = append(in, &event.Event{Time: base.Add(time.Duration(ms) * time.Millisecond), Origin: event.Origin{Offset: int64(i)}})
	}
	var w reorder
	var out []*event.Event
	for _, e := range in {
		w.push(e)
		if w.len() > reorderWindow {
			out = append(out, w.pop())
		}
	}
	for w.len() > 0 {
		out = append(out, w.pop())
	}
	if len(out) != len(in) {
		t.Fatalf("got %d events, want %d", len(out), len(in))
	}
	for i := 1; i < len(out); i++ {
		if eventBefore(out[i], out[i-1]) {
			t.Fatalf("event %d (%v @%d) before event %d (%v @%d)", i, out[i].Time, out[i].Origin.Offset, i-1, out[i-1].Time, out[i-1].Origin.Offset)
		}
	}
}
