package analyze

// Event-log records read ahead (localtime.go) without holding them in
// memory: "memory must not grow with the bundle". Each record of an
// event-log export is kept in memory as an evRef (its time, zone state,
// type, event id, a few flags and where the record is: 32 bytes); the
// record itself stays in the memory of an evStore while the export is
// small, and goes to a private temporary file (the spill) once the
// records held exceed evSpillAbove. The passes that need a record's
// text (zone inference, dedupe across exports, the merge) read it back
// by offset; the others work on the refs alone.
//
// The spill file is created with mode 0600 in os.TempDir and unlinked at
// once where the system allows it; elsewhere (Windows) it is removed when
// the store is closed. Where no temporary file can be made, the records
// stay in memory.

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"sync"
	"time"

	"exlog/event"
	"exlog/parse/eventlog"
)

// evSpillAbove is the estimated size of the records held in memory above
// which an export's records go to a spill file (a variable so that tests
// can force the spilled path).
var evSpillAbove = 4 << 20

// unlinkOpen: the system lets a file be removed while it is open (not
// Windows); a variable so that tests can take the other way.
var unlinkOpen = runtime.GOOS != "windows"

// refZone is a record's time-zone state: its FieldTimeZone as read, or
// the offset the analyzer gave it.
type refZone uint8

const (
	zoneCarried refZone = iota // no FieldTimeZone: the record carries UTC
	zoneLocal                  // FieldTimeZone "unknown": local digits, zone unknown
	zoneGiven                  // the analyzer applied tzoff (setOffset)
	zoneOther                  // another FieldTimeZone value as read
)

// ref flags, computed when the record is read.
const (
	refSCM     uint8 = 1 << iota // isConnectorSCM
	refRunning                   // an SCM 7036 saying the service entered the running state
)

// evRef is what stays in memory of one record: 32 bytes.
type evRef struct {
	sec   int64 // Time (UTC, or local digits while zone is zoneLocal)
	off   int64 // byte offset in the spill file (the record ends where the next begins), or index in the store's memory
	nsec  int32
	tzoff int32  // seconds east of UTC, when zone is zoneGiven
	id    uint32 // EventID
	typ   event.Type
	zone  refZone
	flags uint8
}

var zeroSec = time.Time{}.Unix()

func (r *evRef) time() time.Time {
	if r.sec == zeroSec && r.nsec == 0 {
		return time.Time{}
	}
	return time.Unix(r.sec, int64(r.nsec)).UTC()
}

func (r *evRef) isZero() bool { return r.sec == zeroSec && r.nsec == 0 }

func (r *evRef) before(o *evRef) bool {
	return r.sec < o.sec || r.sec == o.sec && r.nsec < o.nsec
}

// local reports whether the record is in local time of an unknown zone
// (e.TimeZone() == event.ZoneUnknown).
func (r *evRef) local() bool { return r.zone == zoneLocal }

// setOffset converts a local-time record to UTC with the given offset
// (applied to the record itself when it is read back).
func (r *evRef) setOffset(off time.Duration) {
	r.sec -= int64(off / time.Second)
	r.tzoff = int32(off / time.Second)
	r.zone = zoneGiven
}

// evStore holds the records of one event-log export.
type evStore struct {
	path string // the input's bundle path, for errors
	refs []evRef

	mem      []*event.Event // records while in memory
	memBytes int
	noSpill  bool // a temporary file could not be made

	file   *os.File
	w      *bufio.Writer
	size   int64
	remove string // the temporary file's name where it could not be unlinked at once
	common string // Origin.Path of the first record (most records share it)

	mu       sync.Mutex
	buf      []byte
	err      error // the first read-back error
	reported bool
}

func newEvStore(path string) *evStore { return &evStore{path: path} }

// spilled reports whether the records are in a spill file.
func (s *evStore) spilled() bool { return s.file != nil }

// add keeps e (its index is the number of records added before it).
func (s *evStore) add(e *event.Event) error {
	if len(s.refs) == math.MaxInt32 {
		return fmt.Errorf("%s: more than %d records in one event-log export; the rest not read", s.path, math.MaxInt32)
	}
	r := evRef{sec: e.Time.Unix(), nsec: int32(e.Time.Nanosecond()), id: e.EventID, typ: e.Type}
	switch v, ok := e.Field(event.FieldTimeZone); {
	case !ok || v == "":
		r.zone = zoneCarried
	case v == event.ZoneUnknown:
		r.zone = zoneLocal
	default:
		r.zone = zoneOther
	}
	if isConnectorSCM(e) {
		r.flags |= refSCM
		if e.EventID == 7036 && scmRunning.MatchString(e.Message) {
			r.flags |= refRunning
		}
	}
	if s.common == "" {
		s.common = e.Origin.Path
	}
	if s.file == nil {
		r.off = int64(len(s.mem))
		s.mem = append(s.mem, e)
		s.refs = append(s.refs, r)
		s.memBytes += approxSize(e)
		if s.memBytes > evSpillAbove && !s.noSpill {
			return s.spill()
		}
		return nil
	}
	if err := s.write(&r, e); err != nil {
		return err
	}
	s.refs = append(s.refs, r)
	return nil
}

// approxSize estimates the heap bytes of a record.
func approxSize(e *event.Event) int {
	n := 200 + len(e.Message) + len(e.Source) + len(e.Host) + len(e.Origin.Path)
	for _, f := range e.Fields {
		n += 32 + len(f.Name) + len(f.Value)
	}
	return n
}

// spill moves the records held in memory to a new temporary file.
func (s *evStore) spill() error {
	f, err := os.CreateTemp("", "exlog-evlog-*.bin")
	if err != nil {
		s.noSpill = true // stay in memory
		return nil
	}
	s.file, s.w = f, bufio.NewWriterSize(f, 64<<10)
	if !unlinkOpen || os.Remove(f.Name()) != nil {
		s.remove = f.Name()
	}
	for i, e := range s.mem {
		if err := s.write(&s.refs[i], e); err != nil {
			return err
		}
	}
	s.mem, s.memBytes = nil, 0
	return nil
}

func (s *evStore) write(r *evRef, e *event.Event) error {
	s.buf = encodeEvent(s.buf[:0], e, s.common)
	if _, err := s.w.Write(s.buf); err != nil {
		return fmt.Errorf("%s: writing the event spill file: %w", s.path, err)
	}
	r.off = s.size
	s.size += int64(len(s.buf))
	return nil
}

// get returns record i as it stands now (the zone the analyzer gave it
// applied). In memory the same *event.Event is returned each time;
// from the spill file a fresh one.
func (s *evStore) get(i int) (*event.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	r := &s.refs[i]
	var e *event.Event
	if s.file == nil {
		e = s.mem[r.off]
	} else {
		var err error
		if e, err = s.readAt(i); err != nil {
			s.err = fmt.Errorf("%s: event spill file, record %d at byte %d: %w", s.path, i+1, r.off, err)
			return nil, s.err
		}
	}
	if r.zone == zoneGiven {
		off := time.Duration(r.tzoff) * time.Second
		e.Time = r.time()
		e.TZOffset = r.tzoff
		for j := range e.Fields {
			if e.Fields[j].Name == event.FieldTimeZone {
				e.Fields[j].Value = eventlog.FormatOffset(off)
			}
		}
	}
	return e, nil
}

func (s *evStore) readAt(i int) (*event.Event, error) {
	if s.w.Buffered() > 0 {
		if err := s.w.Flush(); err != nil {
			return nil, err
		}
	}
	off, end := s.refs[i].off, s.size
	if i+1 < len(s.refs) {
		end = s.refs[i+1].off
	}
	if cap(s.buf) < int(end-off) {
		s.buf = make([]byte, end-off)
	}
	b := s.buf[:end-off]
	if n, err := s.file.ReadAt(b, off); n < len(b) {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return decodeEvent(b, s.common)
}

// takeErr returns the first read-back error once (nil after that).
func (s *evStore) takeErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil || s.reported {
		return nil
	}
	s.reported = true
	return s.err
}

// Close releases the spill file, if any.
func (s *evStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mem = nil
	if s.err == nil {
		s.err = errors.New("event spill file closed")
		s.reported = true
	}
	if s.file == nil {
		return nil
	}
	err := s.file.Close()
	if s.remove != "" {
		if rerr := os.Remove(s.remove); rerr != nil && err == nil && !errors.Is(rerr, os.ErrNotExist) {
			err = rerr
		}
	}
	s.file, s.w = nil, nil
	return err
}

// The spill encoding of one record: varints and length-prefixed strings
// in a fixed order. Origin.Path is written once per store (common) when
// the record shares it.

func encodeEvent(b []byte, e *event.Event, common string) []byte {
	b = binary.AppendVarint(b, e.Time.Unix())
	b = binary.AppendUvarint(b, uint64(e.Time.Nanosecond()))
	b = binary.AppendVarint(b, int64(e.TZOffset))
	b = append(b, byte(e.Type), byte(e.Format))
	b = binary.AppendUvarint(b, uint64(e.EventID))
	b = binary.AppendUvarint(b, uint64(e.PID))
	b = binary.AppendUvarint(b, uint64(e.TID))
	b = append(b, e.Activity[:]...)
	b = append(b, e.Related[:]...)
	b = appendString(b, e.Source)
	b = appendString(b, e.Host)
	b = appendString(b, e.Message)
	if e.Origin.Path == common {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		b = appendString(b, e.Origin.Path)
	}
	b = binary.AppendVarint(b, e.Origin.Offset)
	b = binary.AppendVarint(b, int64(e.Origin.Line))
	b = binary.AppendUvarint(b, uint64(len(e.Fields)))
	for _, f := range e.Fields {
		b = appendString(b, f.Name)
		b = appendString(b, f.Value)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// errBadRecord is the error of a spill record that does not decode.
var errBadRecord = errors.New("record does not decode (file damaged)")

// decoder reads a record; bad is set (and nothing more read) at the
// first value that does not fit.
type decoder struct {
	b   []byte
	bad bool
}

// skip moves past a value of n bytes (n <= 0: a varint that did not
// decode).
func (d *decoder) skip(n int) bool {
	if n <= 0 {
		d.bad, d.b = true, nil
		return false
	}
	d.b = d.b[n:]
	return true
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if !d.skip(n) {
		return 0
	}
	return v
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if !d.skip(n) {
		return 0
	}
	return v
}

func (d *decoder) bytes(n uint64) []byte {
	if d.bad || n > uint64(len(d.b)) {
		d.bad, d.b = true, nil
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte1() byte {
	v := d.bytes(1)
	if v == nil {
		return 0
	}
	return v[0]
}

func (d *decoder) string() string { return string(d.bytes(d.uvarint())) }

func decodeEvent(b []byte, common string) (*event.Event, error) {
	d := &decoder{b: b}
	e := &event.Event{}
	sec := d.varint()
	nsec := d.uvarint()
	if nsec >= 1e9 {
		return nil, errBadRecord
	}
	if sec != zeroSec || nsec != 0 {
		e.Time = time.Unix(sec, int64(nsec)).UTC()
	}
	e.TZOffset = int32(d.varint())
	e.Type = event.Type(d.byte1())
	e.Format = event.Format(d.byte1())
	e.EventID = uint32(d.uvarint())
	e.PID = uint32(d.uvarint())
	e.TID = uint32(d.uvarint())
	copy(e.Activity[:], d.bytes(16))
	copy(e.Related[:], d.bytes(16))
	e.Source = d.string()
	e.Host = d.string()
	e.Message = d.string()
	switch d.byte1() {
	case 0:
		e.Origin.Path = common
	case 1:
		e.Origin.Path = d.string()
	default:
		d.bad = true
	}
	e.Origin.Offset = d.varint()
	e.Origin.Line = int(d.varint())
	n := d.uvarint()
	if n > uint64(len(d.b)) { // every field takes two bytes at least
		return nil, errBadRecord
	}
	if n > 0 {
		e.Fields = make([]event.Field, n)
		for i := range e.Fields {
			e.Fields[i].Name = d.string()
			e.Fields[i].Value = d.string()
		}
	}
	if d.bad || len(d.b) != 0 {
		return nil, errBadRecord
	}
	return e, nil
}

// refReader yields records of a store in the order of idx (the merge).
type refReader struct {
	s   *evStore
	idx []int32
}

func (r *refReader) Next() (*event.Event, error) {
	if len(r.idx) == 0 {
		return nil, io.EOF
	}
	e, err := r.s.get(int(r.idx[0]))
	if err != nil {
		return nil, err
	}
	r.idx = r.idx[1:]
	return e, nil
}

func (r *refReader) Close() error { return nil }
