package analyze

import (
	"container/heap"
	"fmt"
	"slices"
	"time"

	"exlog/event"
	"exlog/parse/trace"
	"exlog/report"
)

// Records split by a log rotation. The connector's circular trace logs
// rotate when a file is full (domain.md §3), and a record can be cut in
// two: the file ends with its first bytes, the next file of the same
// writer begins with the rest. The trace reader skips and warns about both
// halves and keeps their bytes (each at most the record cap); when the
// merge reaches the end of a stream that ended with such a half, it looks
// for the stream that continues it, and a join that parses as one valid
// record whose time lies between the two files is merged like any other
// record (with the origin of its first half), the two warnings replaced by
// one joined-record note. Halves that do not join stay as they were.
//
// Memory: a stream keeps its head fragment only until the merge returns
// its first event, and its tail until the merge reaches its end.

// joinLook bounds how many not-yet-due streams are opened early, at the
// end of a stream with a cut record, to find the one that continues it.
const joinLook = 4

// writerAt is the time and writer (host, process name, as written: no
// allocation per record) of one record.
type writerAt struct {
	t          time.Time
	host, proc string
}

func writerAtOf(e *event.Event) writerAt {
	proc, _ := e.Field(event.FieldProcessName)
	return writerAt{e.Time, e.Host, proc}
}

func (w writerAt) writer() writer { return writerFor(w.host, w.proc) }

// splitEnds is what a trace stream knows of its two ends. run writes head
// once, before it sends the first batch; the rest until it closes the
// batches, after which the merge reads them.
type splitEnds struct {
	n       int      // records read
	head    []byte   // partial record at the start of the file, nil if none
	last    writerAt // the latest record
	lastPID uint32   // its process id
	tail    []byte   // truncated record at the end of the file, nil if none
	tailOff int64
}

// saw notes a record read from the stream.
func (s *splitEnds) saw(e *event.Event, fr fragmentReader) {
	if s.n == 0 {
		s.head = fr.HeadFragment()
		s.last, s.lastPID = writerAtOf(e), e.PID
	}
	s.n++
	if e.Time.After(s.last.t) {
		if e.PID == s.lastPID && e.Host == s.last.host {
			s.last.t = e.Time // the same process: its name is the same (no field lookup per record)
		} else {
			s.last, s.lastPID = writerAtOf(e), e.PID
		}
	}
}

// atEnd notes the end of the stream.
func (s *splitEnds) atEnd(fr fragmentReader) {
	s.tail, s.tailOff = fr.TailFragment()
}

// joinTail is called when stream a has ended: if it ended with a cut
// record, it looks for the stream that continues it (one that has not
// returned an event yet, of the same writer, beginning with a partial
// record no earlier than a's latest record; the earliest such) and merges
// the joined record.
func (m *merger) joinTail(a *stream) {
	tail := a.split.tail
	a.split.tail = nil
	if m.join == nil || len(tail) == 0 || a.split.n == 0 {
		return
	}
	var best *stream
	// b.next is b's earliest record: b has returned no event yet. Only
	// b.split.head may be read here: run goes on writing the rest.
	consider := func(b *stream) {
		if b.yielded || b.split.head == nil || b.next == nil || writerOf(b.next) != a.split.last.writer() || b.next.Time.Before(a.split.last.t) {
			return
		}
		if best == nil || b.next.Time.Before(best.next.Time) {
			best = b
		}
	}
	for _, b := range m.open {
		consider(b)
	}
	// Streams not yet due: open the next few early. The heap keeps the
	// merge in time order whenever a stream joins it.
	for i, n := 0, 0; i < len(m.pending) && n < joinLook; {
		p := m.pending[i]
		if !p.first.IsZero() && p.first.Before(a.split.last.t) {
			i++
			continue
		}
		n++
		m.pending = slices.Delete(m.pending, i, i+1)
		p.start()
		if p.advance() {
			heap.Push(&m.open, p)
			consider(p)
		}
	}
	if best == nil {
		return
	}
	ev := m.join(a, best, tail)
	if ev == nil {
		return
	}
	best.split.head = nil
	done := make(chan []*event.Event)
	close(done)
	heap.Push(&m.open, &stream{next: ev, batches: done, yielded: true})
}

// joinSplit returns the merge's join for the trace streams of ins: it
// parses the two halves as one record and, when that is a valid record of
// the same writer whose time lies between a's latest and b's earliest
// record, replaces the two cut-record warnings by one joined-record note
// on a's input and counts the record there.
func (a *run) joinSplit(ins map[*stream]*input) func(x, y *stream, tail []byte) *event.Event {
	return func(x, y *stream, tail []byte) *event.Event {
		ia, ib := ins[x], ins[y]
		if ia == nil || ib == nil {
			return nil
		}
		head := y.split.head
		ev := trace.JoinSplit(tail, head, ia.src.Entry.Path, x.split.tailOff, a.opt.Caps)
		if ev == nil || ev.Time.Before(x.split.last.t) || ev.Time.After(y.next.Time) || writerOf(ev) != x.split.last.writer() {
			return nil
		}
		ia.retract(x.split.tailOff)
		ib.retract(0)
		ia.warn(event.ReadWarning{Origin: ev.Origin, Kind: event.KindJoinedRecord,
			Message: fmt.Sprintf("record cut by the log rotation joined: its first %d bytes end this file, the other %d bytes start %s; read as one record", len(tail), len(head), ib.src.Entry.Path)})
		ia.count(ev)
		return ev
	}
}

// retract takes back the cut-record warning at offset off (its record was
// joined after all).
func (in *input) retract(off int64) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.warnings--
	in.broken--
	in.truncated--
	in.rep.Warnings = slices.DeleteFunc(in.rep.Warnings, func(w report.InputWarning) bool {
		return w.Kind == event.KindTruncated.String() && w.Offset != nil && *w.Offset == off
	})
	in.truncEv = slices.DeleteFunc(in.truncEv, func(e report.Evidence) bool {
		return e.Offset != nil && *e.Offset == off
	})
}
