package bundle

import (
	"bytes"
	"encoding/binary"
	"io"
)

// directoryRecords reads the number of central directory records a zip
// declares, from its end record (zip64 end record when present), without
// parsing the directory. ok is false when no end record is found; the
// zip reader then reports the problem.
func directoryRecords(ra io.ReaderAt, size int64) (n uint64, ok bool) {
	const (
		endLen      = 22
		locatorLen  = 20
		maxComment  = 1<<16 - 1
		zip64EndLen = 56
	)
	tail := int64(endLen + maxComment)
	if tail > size {
		tail = size
	}
	buf := make([]byte, tail)
	if _, err := ra.ReadAt(buf, size-tail); err != nil && err != io.EOF {
		return 0, false
	}
	i := bytes.LastIndex(buf, []byte("PK\x05\x06"))
	if i < 0 || len(buf)-i < endLen {
		return 0, false
	}
	n = uint64(binary.LittleEndian.Uint16(buf[i+10:]))
	if n != 0xFFFF {
		return n, true
	}
	// Zip64: the locator sits right before the end record.
	locAt := size - tail + int64(i) - locatorLen
	if locAt < 0 {
		return n, true
	}
	loc := make([]byte, locatorLen)
	if _, err := ra.ReadAt(loc, locAt); err != nil || string(loc[:4]) != "PK\x06\x07" {
		return n, true
	}
	off := binary.LittleEndian.Uint64(loc[8:])
	if off > uint64(size-zip64EndLen) {
		return n, true
	}
	rec := make([]byte, zip64EndLen)
	if _, err := ra.ReadAt(rec, int64(off)); err != nil || string(rec[:4]) != "PK\x06\x06" {
		return n, true
	}
	return binary.LittleEndian.Uint64(rec[32:]), true
}
