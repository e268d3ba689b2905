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
}

// rotate replays the circular listener: records go to slot cur until the
// slot holds at least quota bytes, then the next slot (mod slots) is
// truncated and used. Records overwritten by wrap-around are lost, as on a
// real server. name(i) gives slot i's file name.
func rotate(recs []TraceRecord, slots, quota int, name func(int) string) RotationResult {
	data := make([][]byte, slots)
	owner := make([][]int, slots)
	cur := 0
	used := false
	slotOf := make([]int, len(recs))
	for i := range recs {
		if used && len(data[cur]) >= quota {
			cur = (cur + 1) % slots
			data[cur] = data[cur][:0]
			for _, j := range owner[cur] {
				slotOf[j] = -1
			}
			owner[cur] = owner[cur][:0]
		}
		used = true
		data[cur] = recs[i].Append(data[cur])
		owner[cur] = append(owner[cur], i)
		slotOf[i] = cur
	}
	res := RotationResult{SlotOf: slotOf}
	res.Newest = cur
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
	total := totalSize(recs)
	q := total * 2 / (2*(slots+newest) + 1)
	for try := 0; try < 400; try++ {
		for _, quota := range []int{q + try*q/200, q - try*q/200} {
			if quota <= 0 {
				continue
			}
			r := rotate(recs, slots, quota, name)
			if r.Newest == newest && len(r.Files) == slots {
				return r, quota
			}
		}
	}
	panic(fmt.Sprintf("no quota makes slot %d the newest", newest))
}

func connectorName(i int) string { return fmt.Sprintf("Connector%d.log", i) }
