package session

import (
	"strconv"
	"time"

	"exlog/event"
)

// Restart is a change of the connector's process seen in the trace logs.
type Restart struct {
	Time           time.Time
	Host           string
	OldPID, NewPID uint32
	Origin         string
}

// restartDetector is the one place restarts are detected. The rule: a
// trace record from a process of the same name on the same host with a
// PID not seen before on that host and name. Two processes writing at once
// (the service and its configuration tool, a GUID-prefixed copy of an old
// file) are not restarts: their PIDs were seen already. Memory grows with
// the number of distinct process runs, not with records; consecutive
// records of one writer cost one comparison.
type restartDetector struct {
	lastPID map[string]uint32 // host\x00process → last PID
	seen    map[string]bool   // host\x00process\x00PID runs
	// the previous record's writer, to skip the maps for most records
	prevHost, prevProc string
	prevPID            uint32
	list               []Restart
}

// observe feeds one record and returns the restart it shows, if any.
func (d *restartDetector) observe(e *event.Event) (Restart, bool) {
	if e.Format != event.FormatTrace || e.PID == 0 {
		return Restart{}, false
	}
	proc, _ := e.Field(event.FieldProcessName)
	if e.PID == d.prevPID && e.Host == d.prevHost && proc == d.prevProc {
		return Restart{}, false
	}
	d.prevHost, d.prevProc, d.prevPID = e.Host, proc, e.PID
	if d.lastPID == nil {
		d.lastPID, d.seen = map[string]uint32{}, map[string]bool{}
	}
	key := e.Host + "\x00" + proc
	run := key + "\x00" + strconv.FormatUint(uint64(e.PID), 10)
	old, ok := d.lastPID[key]
	d.lastPID[key] = e.PID
	if d.seen[run] {
		return Restart{}, false
	}
	d.seen[run] = true
	if !ok || old == e.PID {
		return Restart{}, false
	}
	r := Restart{Time: e.Time, Host: e.Host, OldPID: old, NewPID: e.PID, Origin: e.Origin.String()}
	d.list = append(d.list, r)
	return r, true
}
