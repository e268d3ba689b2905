package trace

import (
	"bytes"
	"io"

	"exlog/event"
)

// A circular trace log rotates to the next file when the current one is
// full, and a record can be split across the two files: the first file
// ends with the record's first bytes (a truncated record at the end of the
// file) and the next begins with the rest (a partial record at the start
// of the file). The Reader skips and reports both halves, and keeps their
// bytes (each at most the record cap) so that the caller, who knows which
// file follows which, can try to join them with JoinSplit.

// HeadFragment returns the bytes before the first record when they were
// skipped as a partial record at the start of the file (the rest of a
// record cut by a rotation), from the file's first byte; nil otherwise or
// when they are longer than the record cap. It is final once Next has
// returned a record or io.EOF. The caller must not modify the bytes.
func (r *Reader) HeadFragment() []byte {
	if !r.headCut {
		return nil
	}
	return r.head
}

// TailFragment returns the bytes of a record cut by the end of the file
// (skipped as a truncated record) and their file offset; nil when the file
// did not end inside a record. It is final once Next has returned io.EOF.
// The caller must not modify the bytes.
func (r *Reader) TailFragment() ([]byte, int64) { return r.tail, r.tailOff }

// JoinSplit parses tail+head, the two halves of a record cut by a file
// rotation (TailFragment of one file, HeadFragment of the next), and
// returns the record when together they are exactly one complete, valid
// record (start and end tags, a usable time, its System header and its
// ApplicationData at most once; nothing but whitespace after it) of at
// most the record cap; otherwise nil. The record's
// Origin is path at offset off (where its first half begins); the caller
// checks that its time fits between the two files. It never panics on
// hostile fragments.
func JoinSplit(tail, head []byte, path string, off int64, caps event.Caps) *event.Event {
	if len(tail) == 0 || len(head) == 0 || !bytes.HasPrefix(tail, []byte(startTag)) {
		return nil
	}
	// The halves of two different records can still parse (a message
	// running into the other record's header): a joined record holds
	// its header and its data once.
	for _, part := range [][]byte{[]byte("</System>"), []byte("</ApplicationData>")} {
		if bytes.Count(tail, part)+bytes.Count(head, part) > 1 {
			return nil
		}
	}
	problems := 0
	r := NewReader(io.MultiReader(bytes.NewReader(tail), bytes.NewReader(head)), path, func(w event.ReadWarning) {
		if w.Kind != event.KindNoZone { // read as UTC, as in the files themselves
			problems++
		}
	})
	r.SetCaps(caps)
	ev, err := r.Next()
	if err != nil || ev == nil {
		return nil
	}
	if _, err := r.Next(); err != io.EOF || problems > 0 || r.stats.Records != 1 || r.stats.Broken != 0 {
		return nil
	}
	ev.Origin.Offset = off
	return ev
}
