// Package trace reads System.Diagnostics trace logs: runs of
// E2ETraceEvent XML fragments as written by XmlWriterTraceListener and the
// Exchange Connector's circular variant (domain.md §3).
//
// The reader is a hand-written streaming byte scanner over a sliding
// buffer: no encoding/xml, no DOM, memory bounded by the max-record cap
// whatever the input. Damaged input (a record cut at the start or end of
// the file, a record cut off by the next one, garbage between records, a
// record too large or without a usable time/type) is skipped, counted in
// Stats and reported through the warn callback with its byte offset; the
// rest of the file still parses.
package trace

import (
	"bytes"
	"errors"
	"io"
	"strconv"

	"exlog/event"
)

const (
	startTag = "<E2ETraceEvent"
	endTag   = "</E2ETraceEvent>"

	defaultBufSize = 256 << 10
	minBufSize     = 64
	// tailKeep bytes are kept unconsumed while scanning for markers, so a
	// marker split across two reads is still found.
	tailKeep = len(endTag) - 1
)

// FieldCallstack holds the Callstack of the optional System.Diagnostics
// footer of a record.
const FieldCallstack = "callstack"

// Stats counts what a Reader has met so far. It stays valid after an I/O
// error. Every "<E2ETraceEvent" start met is counted once, either in
// Records or in Broken; a partial first record (a tail without its start)
// is also counted in Broken, and every record counted in Broken has
// exactly one warning, of kind event.KindTruncated, KindOversize or
// KindBadRecord.
type Stats struct {
	Records int // records returned by Next
	Broken  int // records skipped: cut, oversize or unusable
	// Bytes read from the source so far (the file size once Next returned io.EOF).
	Bytes int64
	// SkippedBytes: bytes of broken records and of gaps between records
	// that hold garbage (a gap of whitespace only is not counted).
	SkippedBytes int64
}

// Reader streams E2ETraceEvent records from an io.Reader. It is not safe
// for concurrent use. Events returned by Next are freshly allocated and
// owned by the caller; the Reader keeps no reference to them.
type Reader struct {
	src       io.Reader
	path      string
	warn      func(event.ReadWarning)
	maxRecord int

	buf      []byte
	pos, end int   // unconsumed data is buf[pos:end]
	base     int64 // file offset of buf[0]
	eof      bool  // src returned io.EOF; buf[pos:end] is all that is left
	err      error // sticky I/O error
	done     bool

	// The gap: bytes after the last record (or from the file start) not
	// yet known to belong to a record.
	seenStart  bool        // a start marker was met: a gap is between records, not a partial first record
	gapStart   int64       // file offset where the current gap began
	gapNonWS   int64       // file offset of the gap's first non-whitespace byte, -1 if none
	gapEndTag  bool        // the gap holds an end tag (a partial record)
	gapHead    [32]byte    // the first bytes of the gap from its first non-whitespace byte
	gapHeadN   int         // bytes in gapHead; len(gapHead)+1 when the gap is longer
	inRecord   bool        // buf[pos:] begins with startTag
	scan       int         // the record's tag scan resumes at buf[pos+scan:]
	pend       *eventAlloc // header of the record at pos, read by the fast path
	pendFrom   int         // where that record's payload part begins
	spare      *eventAlloc // unused allocation kept from a failed fast path
	noFast     bool        // tests: always use the general header parser
	fastNext   int         // try the fast path when len(buf[pos:end]) >= fastNext; -1: not for this record
	skipping   bool        // inside an oversized record, resyncing at the next start
	noZoneSeen bool

	// Fragments of a record cut in two by a file rotation (JoinSplit):
	// the gap before the first record while it may be the rest of such a
	// record, and the truncated record at the end of the file. Each is at
	// most maxRecord bytes; a longer one is dropped (it could not join).
	head     []byte
	headOver bool // the gap before the first record outgrew maxRecord
	headCut  bool // that gap was a partial record
	tail     []byte
	tailOff  int64

	stats    Stats
	scratch  []byte // builds messages
	fieldBuf []byte // builds field strings (used while scratch is in use)

	// last strings seen for fields that repeat record after record; reused
	// to save allocations (strings are immutable, so sharing is safe).
	lastSource, lastHost, lastProc string
	lastGUIDText                   [len(zeroGUIDBraced)]byte // braced text of lastGUID
	lastGUID                       event.GUID
	lastGUIDSet                    bool
}

// NewReader reads E2ETraceEvent records from r (UTF-8, BOM removed). path
// is the origin path used in Origins and warnings. warn receives every
// skipped or broken thing, synchronously from Next (it may be nil).
func NewReader(r io.Reader, path string, warn func(event.ReadWarning)) *Reader {
	return newReaderSize(r, path, warn, defaultBufSize)
}

func newReaderSize(r io.Reader, path string, warn func(event.ReadWarning), size int) *Reader {
	if size < minBufSize {
		size = minBufSize
	}
	return &Reader{
		src:       r,
		path:      path,
		warn:      warn,
		maxRecord: event.DefaultMaxRecord,
		buf:       make([]byte, size),
		gapNonWS:  -1,
	}
}

// SetCaps sets the cap on the size of a single record (c.MaxRecord,
// default event.DefaultMaxRecord). A larger record is skipped with a
// event.KindOversize warning and the reader resyncs at the next
// "<E2ETraceEvent". Memory use is bounded by about max(cap, 256 KiB). Call
// it before the first Next.
func (r *Reader) SetCaps(c event.Caps) {
	n := c.Record()
	if n < len(startTag)+len(endTag) {
		n = len(startTag) + len(endTag)
	}
	r.maxRecord = n
}

// Stats returns the counts so far.
func (r *Reader) Stats() Stats { return r.stats }

// Next returns the next record as a fresh *event.Event (the caller may keep
// it), io.EOF at the end, or another error for an I/O failure of the
// source (the file is then abandoned: Next keeps returning that error;
// Stats stay valid).
func (r *Reader) Next() (*event.Event, error) {
	for {
		if r.err != nil {
			return nil, r.err
		}
		if r.done {
			return nil, io.EOF
		}
		if r.skipping {
			r.skip()
			continue
		}
		if !r.inRecord {
			r.findStart()
			continue
		}
		if ev := r.record(); ev != nil {
			return ev, nil
		}
	}
}

// findStart consumes the gap up to the next start marker, or to the end of
// the file, reading more when needed.
func (r *Reader) findStart() {
	data := r.buf[r.pos:r.end]
	i := bytes.Index(data, []byte(startTag))
	switch {
	case i >= 0:
		r.scanGap(r.pos+i, r.pos+i)
		r.closeGap(false)
		r.inRecord = true
		r.seenStart = true
		r.scan, r.fastNext = len(startTag), 0
	case r.eof:
		r.scanGap(r.end, r.end)
		r.closeGap(true)
		r.done = true
	default:
		if keep := r.end - tailKeep; keep > r.pos {
			r.scanGap(keep, r.end)
		}
		r.fill()
	}
}

// scanGap consumes buf[pos:upto] as gap bytes; look (>= upto) bounds the
// search for an end tag, which may look ahead into bytes that stay in the
// gap.
func (r *Reader) scanGap(upto, look int) {
	if upto <= r.pos {
		return
	}
	from := r.pos
	if r.gapNonWS < 0 {
		for from < upto && isSpace(r.buf[from]) {
			from++
		}
		if from < upto {
			r.gapNonWS = r.base + int64(from)
		}
	}
	if !r.seenStart && !r.headOver {
		if len(r.head)+upto-r.pos > r.maxRecord {
			r.head, r.headOver = nil, true
		} else {
			r.head = append(r.head, r.buf[r.pos:upto]...)
		}
	}
	if r.gapNonWS >= 0 && !r.seenStart && r.gapHeadN <= len(r.gapHead) {
		// Keep the start of a gap before the first record: a short one may
		// be the last bytes of a cut record ("ceEvent>").
		n := copy(r.gapHead[r.gapHeadN:], r.buf[from:upto])
		r.gapHeadN += n
		if n < upto-from {
			r.gapHeadN = len(r.gapHead) + 1 // too long to be only a tail
		}
	}
	if r.gapNonWS >= 0 && !r.gapEndTag && bytes.Contains(r.buf[r.pos:look], []byte(endTag)) {
		r.gapEndTag = true
	}
	r.pos = upto
}

// closeGap classifies the gap that ends at pos and starts a new one.
func (r *Reader) closeGap(atEOF bool) {
	gapEnd := r.base + int64(r.pos)
	if r.gapNonWS >= 0 {
		n := gapEnd - r.gapStart
		r.stats.SkippedBytes += n
		switch {
		case !r.seenStart && (r.gapEndTag || r.gapIsTail()):
			r.headCut = true
			r.stats.Broken++
			r.warnAt(r.gapStart, event.KindTruncated, "partial record at start of file ("+strconv.FormatInt(n, 10)+" bytes) skipped")
		case atEOF:
			r.warnAt(r.gapNonWS, event.KindGarbage, "garbage at end of file ("+strconv.FormatInt(gapEnd-r.gapNonWS, 10)+" bytes) skipped: not an E2ETraceEvent record")
		case !r.seenStart:
			r.warnAt(r.gapNonWS, event.KindGarbage, "garbage before the first record ("+strconv.FormatInt(gapEnd-r.gapNonWS, 10)+" bytes) skipped: not an E2ETraceEvent record")
		default:
			r.warnAt(r.gapNonWS, event.KindGarbage, "garbage between records ("+strconv.FormatInt(gapEnd-r.gapNonWS, 10)+" bytes) skipped")
		}
	}
	if !r.headCut {
		r.head = nil
	}
	r.gapStart = gapEnd
	r.gapNonWS = -1
	r.gapEndTag = false
	r.gapHeadN = 0
}

// gapIsTail reports whether the gap before the first record is, apart
// from whitespace, the end of an end tag (a record cut inside its end tag).
func (r *Reader) gapIsTail() bool {
	if r.gapHeadN > len(r.gapHead) {
		return false
	}
	return isEndTagTail(r.gapHead[:r.gapHeadN])
}

// isEndTagTail reports whether b, without surrounding whitespace, is a
// non-empty suffix of "</E2ETraceEvent>".
func isEndTagTail(b []byte) bool {
	b = trimSpace(b)
	return len(b) > 0 && len(b) <= len(endTag) && string(b) == endTag[len(endTag)-len(b):]
}

// record handles the record starting at buf[pos]. It returns the parsed
// event, or nil when the record was skipped or more input is needed.
//
// The outcome depends only on the file's bytes, never on how they were
// buffered: with E the first end tag and S the first next start after the
// start marker, the record is cut at S if S comes before E, complete at E
// otherwise, oversize if the part up to E or S does not fit in maxRecord
// bytes, and truncated at the end of the file if neither exists.
func (r *Reader) record() *event.Event {
	b := r.buf[r.pos:r.end]
	off := r.base + int64(r.pos)
	if r.pend == nil && r.fastNext >= 0 && len(b) >= r.fastNext && !r.noFast {
		// A header in the standard layout holds no start or end tag: read
		// it now and scan for the record's end after it. A header cut by
		// the end of the buffer is tried again once the data has doubled
		// (linear work however the source delivers its bytes).
		a := r.spare
		if a == nil {
			a = new(eventAlloc)
			a.ev.Fields = a.fields[:0:1]
		}
		r.spare = nil
		from, ok, short := r.fastHeader(b, &a.ev)
		switch {
		case ok:
			r.pend, r.pendFrom, r.scan = a, from, max(r.scan, from)
			r.fastNext = -1
		case short:
			r.spare = a // untouched by a failed fastHeader
			r.fastNext = 2 * len(b)
		default:
			r.spare = a
			r.fastNext = -1
		}
	}
	if tagAt, isEnd, found := r.scanRecord(b); found {
		if !isEnd {
			r.cutByNext(tagAt)
			return nil
		}
		n := tagAt + len(endTag)
		if n > r.maxRecord {
			r.oversize()
			return nil
		}
		rec := b[:n]
		r.pos += n
		r.inRecord = false
		r.gapStart = r.base + int64(r.pos)
		ev, problem := r.parseRecord(rec, off)
		if ev == nil {
			r.stats.Broken++
			r.stats.SkippedBytes += int64(n)
			r.warnAt(off, event.KindBadRecord, problem)
			return nil
		}
		r.stats.Records++
		return ev
	}
	switch {
	case len(b) >= r.maxRecord:
		r.oversize()
	case r.eof:
		r.stats.Broken++
		r.stats.SkippedBytes += int64(len(b))
		r.warnAt(off, event.KindTruncated, "truncated record at end of file ("+strconv.Itoa(len(b))+" bytes) skipped")
		r.tail, r.tailOff = append([]byte(nil), b...), off
		r.pend = nil
		r.pos = r.end
		r.inRecord = false
		r.gapStart = r.base + int64(r.pos)
	default:
		r.fill()
	}
	return nil
}

// scanRecord hops over the tags of the record b (which begins with its
// start marker) from the saved scan position, looking for the record's end
// tag or the next start marker, whichever comes first. It returns the
// position of that tag; found is false when neither is in b yet (the scan
// position is saved; a tag cut at the end of b is looked at again once
// more data is in, unless the file has ended).
func (r *Reader) scanRecord(b []byte) (at int, isEnd, found bool) {
	i := r.scan
	for {
		j := indexLT(b, i)
		if j < 0 {
			r.scan = len(b)
			return 0, false, false
		}
		rest := b[j:]
		tag := startTag
		if len(rest) > 1 && rest[1] == '/' {
			tag = endTag
		}
		if len(rest) >= len(tag) {
			if string(rest[:len(tag)]) == tag {
				return j, tag == endTag, true
			}
		} else if !r.eof && string(rest) == tag[:len(rest)] {
			r.scan = j
			return 0, false, false
		}
		i = j + 1
	}
}

// indexLT returns the index of the first '<' in b at or after i, or -1.
// Tags are close together, so a short plain loop comes before IndexByte.
func indexLT(b []byte, i int) int {
	for n := min(len(b), i+16); i < n; i++ {
		if b[i] == '<' {
			return i
		}
	}
	if i >= len(b) {
		return -1
	}
	if j := bytes.IndexByte(b[i:], '<'); j >= 0 {
		return i + j
	}
	return -1
}

// oversize skips the record at pos, larger than maxRecord, resyncing at
// the next start marker.
func (r *Reader) oversize() {
	r.pend = nil
	r.stats.Broken++
	r.warnAt(r.base+int64(r.pos), event.KindOversize, "record larger than the "+strconv.Itoa(r.maxRecord)+"-byte cap (--max-record) skipped; resyncing at the next <E2ETraceEvent")
	r.stats.SkippedBytes += int64(len(startTag))
	r.pos += len(startTag)
	r.inRecord = false
	r.skipping = true
}

// cutByNext skips the record at pos, which is cut off by the start of the
// next record at pos+at.
func (r *Reader) cutByNext(at int) {
	if at+len(startTag) > r.maxRecord {
		r.oversize()
		return
	}
	r.pend = nil
	r.stats.Broken++
	r.stats.SkippedBytes += int64(at)
	r.warnAt(r.base+int64(r.pos), event.KindTruncated, "truncated record ("+strconv.Itoa(at)+" bytes) skipped: cut off by the next <E2ETraceEvent>")
	r.pos += at
	r.gapStart = r.base + int64(r.pos)
	r.scan, r.fastNext = len(startTag), 0
}

// skip discards the rest of an oversized record up to the next start.
func (r *Reader) skip() {
	data := r.buf[r.pos:r.end]
	if i := bytes.Index(data, []byte(startTag)); i >= 0 {
		r.stats.SkippedBytes += int64(i)
		r.pos += i
		r.skipping = false
		r.gapStart = r.base + int64(r.pos)
		return
	}
	if r.eof {
		r.stats.SkippedBytes += int64(len(data))
		r.pos = r.end
		r.skipping = false
		r.gapStart = r.base + int64(r.pos)
		return
	}
	if keep := r.end - (len(startTag) - 1); keep > r.pos {
		r.stats.SkippedBytes += int64(keep - r.pos)
		r.pos = keep
	}
	r.fill()
}

var errBadRead = errors.New("trace: source reader returned an invalid count")

// fill reads more input after buf[end], compacting or growing the buffer
// as needed. It sets eof or err.
func (r *Reader) fill() {
	if r.end == len(r.buf) {
		if r.pos > 0 {
			n := copy(r.buf, r.buf[r.pos:r.end])
			r.base += int64(r.pos)
			r.end = n
			r.pos = 0
		} else {
			// Only a record being assembled fills the whole buffer, and
			// it is cut at maxRecord; so growth stops near the cap.
			size := min(2*len(r.buf), max(r.maxRecord, defaultBufSize)+minBufSize)
			if size <= len(r.buf) {
				size = len(r.buf) + minBufSize
			}
			nb := make([]byte, size)
			copy(nb, r.buf[:r.end])
			r.buf = nb
		}
	}
	for range 100 {
		n, err := r.src.Read(r.buf[r.end:])
		if n < 0 || n > len(r.buf)-r.end {
			r.err = errBadRead
			return
		}
		r.end += n
		r.stats.Bytes += int64(n)
		if err == io.EOF {
			r.eof = true
			return
		}
		if err != nil {
			r.err = err
			return
		}
		if n > 0 {
			return
		}
	}
	r.err = io.ErrNoProgress
}

func (r *Reader) warnAt(off int64, kind event.WarningKind, msg string) {
	if r.warn != nil {
		r.warn(event.ReadWarning{Origin: event.Origin{Path: r.path, Offset: off}, Kind: kind, Message: msg})
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }
