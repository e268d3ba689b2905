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
// order. Event-log exports are often newest first: those are read whole
// (they are small) and sorted.
type stream struct {
	first  time.Time // from the head, for lazy opening; zero if unknown
	open   func() (streamReader, error)
	sorted bool // read whole and sort (event-log exports)
	onErr  func(error)

	batches chan []*event.Event
	stop    chan struct{}
	cur     []*event.Event
	next    *event.Event
}

type streamReader interface {
	Next() (*event.Event, error)
	Close() error
}

const (
	batchSize     = 256
	batchesAhead  = 4
	reorderWindow = 128 // events held back per stream to repair thread disorder
)

// start opens the stream and begins reading ahead.
func (s *stream) start() {
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
			}
			break
		}
		heap.Push(&win, e)
		if win.Len() > reorderWindow {
			batch = append(batch, heap.Pop(&win).(*event.Event))
			if len(batch) == batchSize && !flush() {
				return
			}
		}
	}
	for win.Len() > 0 {
		batch = append(batch, heap.Pop(&win).(*event.Event))
		if len(batch) == batchSize && !flush() {
			return
		}
	}
	flush()
}

func (s *stream) runSorted(r streamReader) {
	var all []*event.Event
	for {
		e, err := r.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.onErr(err)
			}
			break
		}
		all = append(all, e)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Time.Before(all[j].Time) })
	for len(all) > 0 {
		n := min(batchSize, len(all))
		select {
		case s.batches <- all[:n]:
		case <-s.stop:
			return
		}
		all = all[n:]
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

// reorder is a min-heap of events by time, then origin offset.
type reorder []*event.Event

func (h reorder) Len() int { return len(h) }
func (h reorder) Less(i, j int) bool {
	if !h[i].Time.Equal(h[j].Time) {
		return h[i].Time.Before(h[j].Time)
	}
	return h[i].Origin.Offset < h[j].Origin.Offset
}
func (h reorder) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *reorder) Push(x any)   { *h = append(*h, x.(*event.Event)) }
func (h *reorder) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}

// merger yields the events of many streams in time order. Streams whose
// first record time is known are opened only when the merge reaches that
// time, so circular logs keep one or two files open at once whatever
// their number.
type merger struct {
	pending []*stream // not yet opened, by first time (unknown first)
	open    streamHeap
}

func newMerger(streams []*stream) *merger {
	sort.SliceStable(streams, func(i, j int) bool { return streams[i].first.Before(streams[j].first) })
	return &merger{pending: streams}
}

// Next returns the next event in time order, or nil at the end.
func (m *merger) Next() *event.Event {
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
	if m.open.Len() == 0 {
		return nil
	}
	s := m.open[0]
	e := s.next
	if s.advance() {
		heap.Fix(&m.open, 0)
	} else {
		heap.Pop(&m.open)
	}
	return e
}

// Close stops every stream still reading.
func (m *merger) Close() {
	for _, s := range m.open {
		s.close()
	}
	m.open = nil
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
