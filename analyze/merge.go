package analyze

import (
	"container/heap"
	"errors"
	"io"
	"sort"
	"time"

	"exlog/event"
)

// A stream is one file's events, read ahead in a goroutine of its own so
// that decompressing and parsing overlap with matching.
//
// Events within one trace file are in time order up to a few milliseconds
// of disorder between threads; a small reorder window per stream restores
// order. Event-log exports are often newest first: those are read ahead
// and sorted (localtime.go), and their streams yield them in time order.
//
// Concurrency: run (the stream's goroutine) owns the reader and the
// reorder window; the merge goroutine owns cur and next. They share only
// the batches channel, which run closes at the end, and stop, which close
// closes to make run give up.
type stream struct {
	first  time.Time // from the head, for lazy opening; zero if unknown
	open   func() (streamReader, error)
	sorted bool // already in time order (event-log exports): no reorder window
	onErr  func(error)

	batches chan []*event.Event
	stop    chan struct{}
	cur     []*event.Event
	next    *event.Event
	yielded bool // the merge has returned one of its events

	// The ends of a trace file, for joining a record split by a log
	// rotation (split.go).
	split splitEnds
}

// fragmentReader is a stream reader that keeps the halves of a record cut
// by a log rotation (a trace reader).
type fragmentReader interface {
	HeadFragment() []byte
	TailFragment() ([]byte, int64)
}

type streamReader interface {
	Next() (*event.Event, error)
	Close() error
}

const (
	batchSize = 256
	// batchesAhead bounds how far a stream's goroutine reads ahead of the
	// merge: 8 batches are 2048 events, about 1.5 MB of trace file and of
	// memory. Reading further ahead costs more than it saves: events parsed
	// long before they are matched have left the CPU caches (measured:
	// 64 batches with prefetching took 20-30% more CPU time).
	batchesAhead  = 8
	reorderWindow = 128 // events held back per stream to repair thread disorder
	// prefetchFiles is how many not-yet-due streams are opened ahead of
	// time, so that the next circular file's first batches are ready when
	// the merge reaches it. Memory stays bounded: at most (open +
	// prefetchFiles) × batchesAhead batches.
	prefetchFiles = 1
)

// start opens the stream and begins reading ahead; it does nothing if the
// stream has been started already.
func (s *stream) start() {
	if s.batches != nil {
		return
	}
	s.batches = make(chan []*event.Event, batchesAhead)
	s.stop = make(chan struct{})
	go s.run()
}

func (s *stream) run() {
	defer close(s.batches)
	r, err := s.open()
	if err != nil {
		s.onErr(err)
		return
	}
	defer r.Close()
	if s.sorted {
		s.runSorted(r)
		return
	}
	var win reorder
	fr, _ := r.(fragmentReader)
	batch := make([]*event.Event, 0, batchSize)
	flush := func() bool {
		if len(batch) == 0 {
			return true
		}
		select {
		case s.batches <- batch:
			batch = make([]*event.Event, 0, batchSize)
			return true
		case <-s.stop:
			return false
		}
	}
	for {
		e, err := r.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.onErr(err)
			} else if fr != nil {
				s.split.atEnd(fr)
			}
			break
		}
		if fr != nil {
			s.split.saw(e, fr)
		}
		win.push(e)
		if win.len() > reorderWindow {
			batch = append(batch, win.pop())
			if len(batch) == batchSize && !flush() {
				return
			}
		}
	}
	for win.len() > 0 {
		batch = append(batch, win.pop())
		if len(batch) == batchSize && !flush() {
			return
		}
	}
	flush()
}

func (s *stream) runSorted(r streamReader) {
	batch := make([]*event.Event, 0, batchSize)
	for {
		e, err := r.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.onErr(err)
			}
			break
		}
		batch = append(batch, e)
		if len(batch) < batchSize {
			continue
		}
		select {
		case s.batches <- batch:
			batch = make([]*event.Event, 0, batchSize)
		case <-s.stop:
			return
		}
	}
	if len(batch) > 0 {
		select {
		case s.batches <- batch:
		case <-s.stop:
		}
	}
}

// advance loads s.next; false at the end of the stream.
func (s *stream) advance() bool {
	for len(s.cur) == 0 {
		b, ok := <-s.batches
		if !ok {
			s.next = nil
			return false
		}
		s.cur = b
	}
	s.next = s.cur[0]
	s.cur[0] = nil
	s.cur = s.cur[1:]
	return true
}

func (s *stream) close() {
	if s.stop != nil {
		close(s.stop)
		for range s.batches {
		}
	}
}

// reorder holds the last events of a stream sorted by time, then origin
// offset (a total order within one file). Input is nearly sorted, so an
// insertion walks back a step or two from the end: cheaper than a heap.
// pop takes the earliest; the buffer is compacted when half is consumed.
type reorder struct {
	buf  []*event.Event
	head int
}

func eventBefore(a, b *event.Event) bool {
	if !a.Time.Equal(b.Time) {
		return a.Time.Before(b.Time)
	}
	return a.Origin.Offset < b.Origin.Offset
}

func (w *reorder) len() int { return len(w.buf) - w.head }

func (w *reorder) push(e *event.Event) {
	if w.head > 0 && w.head >= len(w.buf)/2 {
		n := copy(w.buf, w.buf[w.head:])
		clear(w.buf[n:])
		w.buf = w.buf[:n]
		w.head = 0
	}
	w.buf = append(w.buf, e)
	i := len(w.buf) - 1
	for i > w.head && eventBefore(e, w.buf[i-1]) {
		w.buf[i] = w.buf[i-1]
		i--
	}
	w.buf[i] = e
}

func (w *reorder) pop() *event.Event {
	e := w.buf[w.head]
	w.buf[w.head] = nil
	w.head++
	return e
}

// merger yields the events of many streams in time order. Streams whose
// first record time is known are merged only when the merge reaches that
// time, so circular logs keep one or two files in the merge at once
// whatever their number; the next prefetchFiles of them are opened early
// and read ahead (bounded by batchesAhead) so that parsing the next file
// overlaps with matching the current one.
type merger struct {
	pending []*stream // not yet merged, by first time (unknown first); the first few may be started
	open    streamHeap
	// join, when set, joins the two halves of a record cut by a log
	// rotation, the end of stream a (tail) and the start of stream b (split.go).
	join func(a, b *stream, tail []byte) *event.Event
}

func newMerger(streams []*stream) *merger {
	sort.SliceStable(streams, func(i, j int) bool { return streams[i].first.Before(streams[j].first) })
	return &merger{pending: streams}
}

// Next returns the next event in time order, or nil at the end.
func (m *merger) Next() *event.Event {
	if len(m.pending) > 0 && (m.open.Len() == 0 || m.pending[0].first.IsZero() || !m.pending[0].first.After(m.open[0].next.Time)) {
		m.admit()
	}
	if m.open.Len() == 0 {
		return nil
	}
	s := m.open[0]
	e := s.next
	if !s.yielded {
		s.yielded = true
		s.split.head = nil // it can continue no other stream now
	}
	if s.advance() {
		if m.open.Len() > 1 {
			heap.Fix(&m.open, 0)
		}
	} else {
		heap.Pop(&m.open)
		m.joinTail(s)
	}
	return e
}

// admit moves the streams that are due from pending into the merge and
// starts reading the next few ahead.
func (m *merger) admit() {
	for len(m.pending) > 0 {
		p := m.pending[0]
		if m.open.Len() > 0 && !p.first.IsZero() && p.first.After(m.open[0].next.Time) {
			break
		}
		m.pending = m.pending[1:]
		p.start()
		if p.advance() {
			heap.Push(&m.open, p)
		}
	}
	for _, p := range m.pending[:min(prefetchFiles, len(m.pending))] {
		p.start()
	}
}

// Close stops every stream still reading, merged or prefetched.
func (m *merger) Close() {
	for _, s := range m.open {
		s.close()
	}
	for _, s := range m.pending {
		s.close()
	}
	m.open, m.pending = nil, nil
}

type streamHeap []*stream

func (h streamHeap) Len() int { return len(h) }
func (h streamHeap) Less(i, j int) bool {
	a, b := h[i].next, h[j].next
	if !a.Time.Equal(b.Time) {
		return a.Time.Before(b.Time)
	}
	if a.Origin.Path != b.Origin.Path {
		return a.Origin.Path < b.Origin.Path
	}
	return a.Origin.Offset < b.Origin.Offset
}
func (h streamHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *streamHeap) Push(x any)   { *h = append(*h, x.(*stream)) }
func (h *streamHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	*h = old[:len(old)-1]
	return s
}
