// Package evtx reads binary Windows event logs (.evtx: Event Viewer "Save
// All Events As", wevtutil epl) into event.Events, the same Events the
// event-log XML reader makes of an XML export of the same records.
//
// The format is described in libyal's "Windows XML Event Log (EVTX)
// format" and in [MS-EVEN6] 2.2.12 (Binary XML): a 4 KiB file header,
// then 64 KiB chunks, each with its own string and template tables and
// event records whose content is Binary XML, mostly a template instance
// (a template defined once per chunk plus the record's values).
//
// Streaming contract: the reader holds one chunk (64 KiB) and the names and
// templates decoded from it, whatever the file size. Every *event.Event
// returned is freshly allocated and owned by the caller. Readers are not
// safe for concurrent use.
//
// Damage: the file header's counts are not trusted (files not closed
// cleanly leave them stale): chunks are read until the end of input.
// Checksum mismatches are warned about and the records are still read
// (each is checked on its own). A chunk with a broken signature, a record
// that cannot be decoded, a file cut short: each is a warning with the
// chunk number and the file offset; reading goes on with the next record
// or chunk. Next returns an error only when the underlying io.Reader
// fails.
//
// Times are exact UTC (TimeCreated/@SystemTime is a FILETIME); TZOffset is
// 0. Messages: an .evtx holds no rendered text; the Service Control
// Manager events exlog relies on are rendered from their English templates
// (eventlog.RenderMessage), other events read "Provider EventID: values".
package evtx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"time"

	"exlog/event"
)

// Detect reports whether head starts with the .evtx file signature.
func Detect(head []byte) bool { return bytes.HasPrefix(head, fileMagic) }

// Reader yields the records of one .evtx file in file order.
type Reader struct {
	r     io.Reader
	path  string
	warn  func(event.ReadWarning)
	caps  event.Caps
	ch    *chunk
	w     walker
	began bool  // the file header was read
	off   int64 // file offset of the next chunk
	// current chunk
	inChunk  bool
	index    int   // chunk number, from 0
	chunkOff int64 // file offset of the current chunk
	pos, end int   // next record and end of records in the chunk
	items    int   // items walked for the chunk's records so far
	err      error
	eof      bool
	broken   int
	// recovered says why the records read from here to the end of the
	// chunk were found by searching (empty: read in order from a good
	// chunk header); it becomes their FieldRecovered.
	recovered string
}

// NewReader reads .evtx data from r; path names the file in warnings and
// origins; warn may be nil.
func NewReader(r io.Reader, path string, warn func(event.ReadWarning)) *Reader {
	return &Reader{r: r, path: path, warn: warn, ch: newChunk()}
}

// SetCaps sets the longest text value kept (MaxLine); records themselves
// are bounded by the chunk size. Call it before the first Next.
func (r *Reader) SetCaps(c event.Caps) { r.caps = c }

// Broken is the number of records (or chunks) that could not be read.
func (r *Reader) Broken() int { return r.broken }

func (r *Reader) warnAt(off int64, kind event.WarningKind, msg string) {
	if r.warn != nil {
		r.warn(event.ReadWarning{Origin: event.Origin{Path: r.path, Offset: off}, Kind: kind, Message: msg})
	}
}

// Next returns the next record, or io.EOF after the last.
func (r *Reader) Next() (*event.Event, error) {
	if !r.began {
		r.began = true
		if err := r.readHeader(); err != nil {
			return nil, err
		}
	}
	for {
		if r.err != nil {
			return nil, r.err
		}
		if !r.inChunk {
			if r.eof {
				return nil, io.EOF
			}
			r.nextChunk()
			continue
		}
		if ev := r.nextRecord(); ev != nil {
			return ev, nil
		}
	}
}

// readFull reads len(b) bytes or up to the end of input; n is what was
// read. It sets r.err on a read failure.
func (r *Reader) readFull(b []byte) int {
	n, err := io.ReadFull(r.r, b)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		r.err = fmt.Errorf("%s: %w", r.path, err)
	}
	if n < len(b) {
		r.eof = true
	}
	r.off += int64(n)
	return n
}

// readHeader reads and checks the file header block.
func (r *Reader) readHeader() error {
	h := r.ch.c[:fileHeaderSize]
	n := r.readFull(h)
	if r.err != nil {
		return r.err
	}
	switch {
	case n < 128:
		r.warnAt(0, event.KindTruncated, fmt.Sprintf("file header cut off by end of input (%d of 128 bytes)", n))
		return nil
	case !bytes.HasPrefix(h, fileMagic):
		r.warnAt(0, event.KindGarbage, "no ElfFile signature: not an .evtx file header; reading chunks anyway")
	}
	if sum := binary.LittleEndian.Uint32(h[124:]); sum != 0 && sum != crc32.ChecksumIEEE(h[:120]) {
		r.warnAt(0, event.KindBadChecksum, "file header checksum mismatch; the header is not used, chunks are read to the end of the file")
	}
	if n < fileHeaderSize {
		r.warnAt(int64(n), event.KindTruncated, fmt.Sprintf("file cut off in its header block (%d of %d bytes)", n, fileHeaderSize))
	}
	return nil
}

// nextChunk reads the next chunk and checks its header; records are read
// from it unless it is empty or unusable.
func (r *Reader) nextChunk() {
	r.inChunk = false
	r.items = 0
	r.recovered = ""
	start := r.off
	n := r.readFull(r.ch.c)
	if r.err != nil || n == 0 {
		return
	}
	r.ch.reset(n)
	c := r.ch.c
	idx := int(max(start-fileHeaderSize, 0) / chunkSize)
	r.index, r.chunkOff = idx, start
	if allZero(c[:n]) {
		// preallocated, never used (a file is extended a chunk at a time)
		return
	}
	if n < chunkHeaderSize {
		r.broken++
		r.warnAt(start, event.KindTruncated, fmt.Sprintf("chunk %d cut off by end of input (%d of %d bytes); not read", idx, n, chunkSize))
		return
	}
	if !bytes.Equal(c[:8], chunkMagic) {
		// The header is gone; records after it may still be whole.
		r.broken++
		r.pos, r.end = chunkHeaderSize, n
		if next := r.findRecord(chunkHeaderSize); next > 0 {
			r.warnAt(start, event.KindGarbage, fmt.Sprintf("chunk %d: bad chunk signature %q (want \"ElfChnk\\x00\"); its header is not used, records are looked for from chunk offset %d", idx, printable(c[:8]), next))
			r.pos, r.inChunk = next, true
			r.recovered = fmt.Sprintf("chunk %d: after a bad chunk signature, found at chunk offset %d", idx, next)
			return
		}
		r.warnAt(start, event.KindGarbage, fmt.Sprintf("chunk %d: bad chunk signature %q (want \"ElfChnk\\x00\") and no record in it; chunk skipped", idx, printable(c[:8])))
		return
	}
	if n < chunkSize {
		r.warnAt(start+int64(n), event.KindTruncated, fmt.Sprintf("chunk %d cut off by end of input (%d of %d bytes); its complete records are read", idx, n, chunkSize))
	}
	if sum := binary.LittleEndian.Uint32(c[124:]); sum != headerCRC(c) {
		r.warnAt(start, event.KindBadChecksum, fmt.Sprintf("chunk %d: header checksum mismatch; records are read and checked one by one", idx))
	}
	free := int(binary.LittleEndian.Uint32(c[48:]))
	if free < chunkHeaderSize || free > chunkSize {
		r.warnAt(start, event.KindBadChecksum, fmt.Sprintf("chunk %d: free space offset %d out of range; records are read to the end of the chunk", idx, free))
		free = chunkSize
	} else if free <= n {
		if sum := binary.LittleEndian.Uint32(c[52:]); sum != crc32.ChecksumIEEE(c[chunkHeaderSize:free]) {
			r.warnAt(start, event.KindBadChecksum, fmt.Sprintf("chunk %d: records checksum mismatch; records are read and checked one by one", idx))
		}
	}
	r.pos, r.end = chunkHeaderSize, min(free, n)
	r.inChunk = true
}

// findRecord returns the chunk offset of the next plausible record (its
// signature at an 8-byte boundary and a size that fits) at or after from,
// or -1.
func (r *Reader) findRecord(from int) int {
	c := r.ch.c
	for o := (from + 7) &^ 7; o+recordHeader <= r.end; o += 8 {
		if bytes.Equal(c[o:o+4], recordMagic) {
			if size := int(binary.LittleEndian.Uint32(c[o+4:])); size >= recordHeader+4 && o+size <= r.end {
				return o
			}
		}
	}
	return -1
}

// skipTo reports unreadable bytes at pos and goes on at the next record
// signature in the chunk, or with the next chunk.
func (r *Reader) skipTo(pos int, what string) {
	at := r.chunkOff + int64(pos)
	if next := r.findRecord(pos + 8); next > 0 {
		r.warnAt(at, event.KindBrokenRecord, fmt.Sprintf("%s; %d bytes skipped to the next record at chunk offset %d", what, next-pos, next))
		r.pos = next
		if r.recovered == "" {
			r.recovered = fmt.Sprintf("chunk %d: after %d unreadable bytes at chunk offset %d", r.index, next-pos, pos)
		}
		return
	}
	r.warnAt(at, event.KindBrokenRecord, what+"; rest of chunk skipped")
	r.inChunk = false
}

func printable(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '.'
		}
		out[i] = c
	}
	return string(out)
}

// nextRecord decodes the record at r.pos; nil when the record was
// dropped or the chunk is done (r.inChunk false).
func (r *Reader) nextRecord() *event.Event {
	c, pos := r.ch.c, r.pos
	at := r.chunkOff + int64(pos)
	if pos+recordHeader > r.end {
		if pos < r.end && !allZero(c[pos:r.end]) {
			r.broken++
			r.warnAt(at, event.KindTruncated, fmt.Sprintf("chunk %d: record cut off at offset %d; rest of chunk skipped", r.index, pos))
		}
		r.inChunk = false
		return nil
	}
	if !bytes.Equal(c[pos:pos+4], recordMagic) {
		if !allZero(c[pos:r.end]) {
			r.broken++
			r.skipTo(pos, fmt.Sprintf("chunk %d: no record signature at chunk offset %d", r.index, pos))
			return nil
		}
		r.inChunk = false
		return nil
	}
	size := int(binary.LittleEndian.Uint32(c[pos+4:]))
	id := binary.LittleEndian.Uint64(c[pos+8:])
	written := filetime(binary.LittleEndian.Uint64(c[pos+16:]))
	if size < recordHeader+4 || pos+size > r.end {
		if pos+size > r.end && size <= chunkSize && pos+size > r.ch.n && r.ch.n < chunkSize {
			r.broken++
			r.warnAt(at, event.KindTruncated, fmt.Sprintf("chunk %d: record %d cut off by end of input", r.index, id))
			r.inChunk = false
			return nil
		}
		r.broken++
		r.skipTo(pos, fmt.Sprintf("chunk %d: record %d has a bad size %d", r.index, id, size))
		return nil
	}
	r.pos = pos + size
	sizeCopy := binary.LittleEndian.Uint32(c[pos+size-4:]) == uint32(size)
	if !sizeCopy {
		// The size may be the damaged part: go on at the next record
		// signature if one comes sooner.
		if next := r.findRecord(pos + 8); next > 0 && next < r.pos {
			r.pos = next
		}
	}
	if r.items > maxChunkItems {
		r.broken++
		r.warnAt(at, event.KindBrokenRecord, fmt.Sprintf("chunk %d: its records expand to more than %d items; rest of chunk skipped", r.index, maxChunkItems))
		r.inChunk = false
		return nil
	}
	r.ch.vals = r.ch.vals[:0]
	w := &r.w
	w.reset()
	w.ch = r.ch
	w.maxLine = r.caps.Line()
	// Elements of a record's own Binary XML carry no dependency identifier
	// (only template definitions do).
	p := parser{ch: r.ch, c: c, pos: pos + recordHeader, end: pos + size - 4}
	f, err := p.fragment()
	if err == nil {
		w.walk(f.items, f.vals)
		err = w.err
	}
	r.items += maxItems - w.budget
	if err != nil {
		r.broken++
		why := ""
		if !sizeCopy {
			why = " (its size is not repeated at its end either)"
		}
		r.warnAt(at, event.KindBrokenRecord, fmt.Sprintf("chunk %d: record %d: %v%s; record skipped", r.index, id, err, why))
		return nil
	}
	if w.r.provider == "" && w.r.sourceName == "" && !sizeCopy && r.recovered == "" {
		if zero := zeroTail(c[pos+recordHeader : pos+size]); zero >= 0 {
			// An incomplete record (a file copied while Windows wrote it):
			// the header and the template reference are there, the values
			// from some byte on are zeros. Keep what its header says (record
			// id, written time) and name what is missing, as the evtx
			// project does (it returns the record); libyal skips it.
			return r.keepIncomplete(&w.r, at, id, written, size, recordHeader+zero)
		}
	}
	if w.r.provider == "" && w.r.sourceName == "" || w.r.eventID == "" {
		// Not an event: the template it refers to was overwritten (a chunk
		// whose start is gone: there a zero tail cannot be told from a lost
		// template) or the content is damaged without a zero tail.
		r.broken++
		why := "its template or values are overwritten"
		if !sizeCopy {
			why = fmt.Sprintf("size %d not repeated at its end: an incomplete record", size)
		}
		r.warnAt(at, event.KindBrokenRecord, fmt.Sprintf("chunk %d: record %d: no provider or event id in its content (%s); record skipped", r.index, id, why))
		return nil
	}
	if !sizeCopy {
		r.warnAt(at, event.KindDamagedRecord, fmt.Sprintf("chunk %d: record %d: size %d not repeated at its end; its content is complete and kept", r.index, id, size))
	}
	if w.cut > 0 {
		r.warnAt(at, event.KindLongValue, fmt.Sprintf("chunk %d: record %d: %d value(s) cut at %d bytes", r.index, id, w.cut, w.maxLine))
	}
	return r.build(&w.r, at, id, written)
}

// zeroTail returns the offset in b from which every byte up to the record's
// size copy (its last 4 bytes) is zero, or -1 when the zeros are fewer than
// 4 bytes long (not a stretch that was never written).
func zeroTail(b []byte) int {
	end := len(b) - 4
	i := end
	for i > 0 && b[i-1] == 0 {
		i--
	}
	if end-i < 4 {
		return -1
	}
	return i
}

// keepIncomplete returns the event of a record whose values are zeros from
// record offset zeroAt on: provider, event id, time, record id and user
// come out empty or zero there, so the record header's id and written
// time stand in for them, and a damaged-record warning names the values
// that were never written.
func (r *Reader) keepIncomplete(x *rec, at int64, id uint64, written time.Time, size, zeroAt int) *event.Event {
	var missing []string
	add := func(name string, gone bool) {
		if gone {
			missing = append(missing, name)
		}
	}
	add("provider", true)
	add("event id", x.eventID == "" || x.eventID == "0")
	add("channel", x.channel == "")
	add("computer", x.computer == "")
	zeroTime := x.hasSysTime && x.sysTime.Equal(filetime(0)) || !x.hasSysTime && x.systemTime == ""
	add("time", zeroTime)
	add("record id", x.recordID == "" || x.recordID == "0")
	user := x.userID
	if user == "S-0-0" {
		user = ""
	}
	add("user SID", x.userID != "" && user == "")
	x.userID = user
	if zeroTime {
		x.hasSysTime, x.systemTime = false, ""
	}
	if x.recordID == "0" {
		x.recordID = ""
	}
	if x.eventID == "" {
		x.eventID = "0"
	}
	r.warnAt(at, event.KindDamagedRecord, fmt.Sprintf("chunk %d: record %d: size %d not repeated at its end and its bytes are zero from record offset %d on (never written): %s missing; kept with the record id and written time of its header",
		r.index, id, size, zeroAt, strings.Join(missing, ", ")))
	ev := r.build(x, at, id, written)
	ev.Message = fmt.Sprintf("record %d: content never written (%s missing)", id, strings.Join(missing, ", "))
	return ev
}
