package main

import (
	"fmt"
	"sort"
)

// TraceFile is one trace log file as it exists on disk at collection time.
type TraceFile struct {
	Index int // ring slot; -1 for files outside the ring
	Name  string
	Data  []byte
}

// RotationResult is what a circular listener leaves behind.
type RotationResult struct {
	Files  []TraceFile // in slot order
	Newest int         // slot written last
	Kept   []int       // indexes (into the input records) still present in some file
	SlotOf []int       // slot holding each input record, -1 if overwritten

	filledSlots int // slots holding data (set by planRotation)
}

// rotate replays the circular listener: records go to slot cur until the
// slot holds at least quota bytes, then the next slot (mod slots) is
// truncated and used. Records overwritten by wrap-around are lost, as on a
// real server. name(i) gives slot i's file name.
func rotate(recs []TraceRecord, slots, quota int, name func(int) string) RotationResult {
	return rotateEncoded(encodeAll(recs), slots, quota, name)
}

// encodeAll encodes every record once, so that quota searches do not
// re-encode on every try.
func encodeAll(recs []TraceRecord) [][]byte {
	enc := make([][]byte, len(recs))
	for i := range recs {
		enc[i] = recs[i].Append(nil)
	}
	return enc
}

// rotateEncoded is rotate over pre-encoded records.
func rotateEncoded(recs [][]byte, slots, quota int, name func(int) string) RotationResult {
	res := planRotation(recs, slots, quota)
	data := make([][]byte, slots)
	owner := make([][]int, slots)
	for i, s := range res.SlotOf {
		if s >= 0 {
			data[s] = append(data[s], recs[i]...)
			owner[s] = append(owner[s], i)
		}
	}
	for s := 0; s < slots; s++ {
		if len(data[s]) == 0 {
			continue
		}
		res.Files = append(res.Files, TraceFile{Index: s, Name: name(s), Data: data[s]})
		res.Kept = append(res.Kept, owner[s]...)
	}
	sort.Ints(res.Kept)
	return res
}

// planRotation decides which slot keeps each record (SlotOf, -1 when
// overwritten) and the newest slot, without copying any bytes.
func planRotation(recs [][]byte, slots, quota int) RotationResult {
	size := make([]int, slots)
	owner := make([][]int, slots)
	cur := 0
	used := false
	slotOf := make([]int, len(recs))
	for i := range recs {
		if used && size[cur] >= quota {
			cur = (cur + 1) % slots
			size[cur] = 0
			for _, j := range owner[cur] {
				slotOf[j] = -1
			}
			owner[cur] = owner[cur][:0]
		}
		used = true
		size[cur] += len(recs[i])
		owner[cur] = append(owner[cur], i)
		slotOf[i] = cur
	}
	filled := 0
	for _, n := range size {
		if n > 0 {
			filled++
		}
	}
	return RotationResult{SlotOf: slotOf, Newest: cur, filledSlots: filled}
}

// totalSize is the encoded size of all records.
func totalSize(recs []TraceRecord) int {
	n := 0
	var buf []byte
	for i := range recs {
		buf = recs[i].Append(buf[:0])
		n += len(buf)
	}
	return n
}

// rotateToNewest searches (deterministically) for a quota with which the
// ring wraps and ends on slot newest, so that file numbers say nothing
// about order. It panics if none is found: that is a generator bug.
func rotateToNewest(recs []TraceRecord, slots, newest int, name func(int) string) (RotationResult, int) {
	enc := encodeAll(recs)
	total := 0
	for _, e := range enc {
		total += len(e)
	}
	q := total * 2 / (2*(slots+newest) + 1)
	for try := 0; try < 400; try++ {
		for _, quota := range []int{q + try*q/200, q - try*q/200} {
			if quota <= 0 {
				continue
			}
			if p := planRotation(enc, slots, quota); p.Newest == newest && p.filledSlots == slots {
				return rotateEncoded(enc, slots, quota, name), quota
			}
		}
	}
	panic(fmt.Sprintf("no quota makes slot %d the newest", newest))
}

func connectorName(i int) string { return fmt.Sprintf("Connector%d.log", i) }
