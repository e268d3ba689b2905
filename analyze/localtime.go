package analyze

// Local times of event-log exports (issue 15 point 5, domain.md §6).
//
// Event Viewer text, CSV and tab-delimited exports and Get-WinEvent /
// Get-EventLog | Export-Csv write the exporting machine's local time with
// no zone; the readers keep those digits UTC-naive and mark the record
// event.FieldTimeZone = "unknown". Here every event-log export is read
// ahead (each record kept as a small ref, the record itself in memory or
// in a spill file: evspill.go), and each local-time export is given a
// zone from evidence, in this order:
//
//  1. the same records in an export that carries UTC (XML, .evtx, a text
//     export's "Event Xml:" section): matched by provider, event id and
//     record id, else message; the offset is the one most matches agree on;
//  2. collect-script's TimeZone.txt (the offset per period, daylight
//     saving included) for the machine that wrote the export;
//  3. after the trace logs have been merged: the connector service's SCM
//     events (7036 and the like) aligned with the process restarts seen in
//     the traces, on a 15-minute grid of offsets.
//
// A record given a zone gets its UTC time and FieldTimeZone = the offset;
// it joins the traces like any record. A record without one stays local:
// it is kept out of the merge with the traces and analysed by a matcher
// of its own (no time join with the traces); findings show its local time
// and say the zone is unknown. Records found in two exports are analysed
// once: the same provider, event id and record id, or the same provider,
// event id and message at the same time in the same frame (UTC, or the
// same local clock); never by time alone.

import (
	"exlog/internal/words"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"

	"exlog/analyze/check"
	"exlog/event"
	"exlog/parse"
	"exlog/parse/eventlog"
	"exlog/patterns"
	"exlog/report"
)

// zoneBasis is the evidence a local-time export's zone comes from.
type zoneBasis uint8

const (
	basisNone      zoneBasis = iota // the export carries its zone (XML)
	basisUnknown                    // local time, zone not found
	basisXML                        // the same records in a UTC export
	basisCollector                  // collect-script's TimeZone.txt
	basisRestarts                   // SCM events aligned with trace restarts
)

func (b zoneBasis) String() string {
	switch b {
	case basisUnknown:
		return "unknown"
	case basisXML:
		return "xml-export"
	case basisCollector:
		return "collector"
	case basisRestarts:
		return "service-restarts"
	}
	return ""
}

// evlogInput is one event-log export read ahead: its records stay in an
// evStore (in memory, or spilled to a temporary file: evspill.go).
type evlogInput struct {
	in     *input
	st     *evStore // every record read, duplicates included (st.refs in read order)
	kept   []int32  // indices into st.refs sorted by time (local digits for unknown-zone records), less duplicates
	host   string   // the first host a record names (shortHost)
	named  bool     // a record names a host
	local  int      // records with an unknown zone
	basis  zoneBasis
	offset time.Duration // basisXML, basisRestarts; basisCollector: the most common one
	detail string
}

// maxOffset bounds the UTC offsets tried (UTC-12 .. UTC+14).
const maxOffset = 14 * time.Hour

// offsetGrid is the step of real-world offsets (India +05:30, Nepal +05:45).
const offsetGrid = 15 * time.Minute

// readEventLogs reads every event-log export, gives local-time exports a
// zone where the bundle holds evidence for one (steps 1 and 2 above) and
// removes records seen in an earlier export.
func (a *run) readEventLogs() []*evlogInput {
	var out []*evlogInput
	for _, in := range a.inputs {
		if !parse.IsEvents(in.src.Format) || in.src.Format == event.FormatTrace || skipDuplicate(in) {
			continue
		}
		el := &evlogInput{in: in, st: newEvStore(in.src.Entry.Path)}
		rc, err := a.openSource(in)
		if err != nil {
			a.fail(in, err)
			continue
		}
		er, err := parse.NewEventReader(in.src, rc, in.warn, a.opt.Caps)
		if err != nil {
			a.fail(in, err)
			rc.Close()
			continue
		}
		for {
			e, err := er.Next()
			if err != nil {
				if err != io.EOF {
					a.fail(in, err)
				}
				break
			}
			if e.TimeZone() == event.ZoneUnknown && !e.Time.IsZero() {
				el.local++
			}
			if !el.named && e.Host != "" {
				el.host, el.named = shortHost(e.Host), true
			}
			if err := el.st.add(e); err != nil {
				a.fail(in, err)
				break
			}
		}
		rc.Close()
		if el.local > 0 {
			el.basis = basisUnknown
		}
		out = append(out, el)
	}
	zones := a.readZoneFiles()
	for _, el := range out {
		if el.basis == basisUnknown && !el.inferFromUTCExports(out) {
			el.inferFromZoneFile(zones)
		}
	}
	a.dedupeEventLogs(out)
	for _, el := range out {
		refs := el.st.refs
		sort.SliceStable(el.kept, func(i, j int) bool { return refs[el.kept[i]].before(&refs[el.kept[j]]) })
		a.spillFailed(el)
	}
	if afterEventLogsRead != nil {
		afterEventLogsRead(out)
	}
	return out
}

// afterEventLogsRead, when set (tests), sees the exports once they are
// read ahead, before the merge.
var afterEventLogsRead func([]*evlogInput)

// spillFailed reports, once, a failure to read an export's records back.
func (a *run) spillFailed(el *evlogInput) {
	if err := el.st.takeErr(); err != nil {
		a.fail(el.in, err)
	}
}

// closeEventLogs releases the exports' spill files.
func closeEventLogs(all []*evlogInput) {
	for _, el := range all {
		el.st.Close()
	}
}

// readZoneFiles reads collect-script's TimeZone.txt files.
func (a *run) readZoneFiles() []*eventlog.ZoneFile {
	var out []*eventlog.ZoneFile
	for _, in := range a.inputs {
		if in.src.Format != event.FormatTimeZone || skipDuplicate(in) {
			continue
		}
		rc, err := a.openSource(in)
		if err != nil {
			a.fail(in, err)
			continue
		}
		z, err := eventlog.ReadZoneFile(rc, in.src.Entry.Path, in.warn)
		rc.Close()
		if err != nil {
			a.fail(in, err)
			continue
		}
		in.rep.Records = 1
		out = append(out, z)
	}
	return out
}

// recordKey identifies a record across exports of one log: provider,
// event id and record number (EventRecordID, RecordId, Index).
type recordKey struct {
	provider string
	id       uint32
	record   string
}

// contentKey identifies a record by what it says: message is a 64-bit
// FNV-1a hash of the message with runs of white space made one space
// (the text itself would hold every message in memory; two different
// messages of one provider and event id that hash alike are as good as
// impossible).
type contentKey struct {
	provider string
	id       uint32
	message  uint64
}

// keyer computes record keys, sharing one string per provider name.
type keyer struct{ names map[string]string }

func (k *keyer) keysOf(e *event.Event) (recordKey, bool, contentKey) {
	p := strings.ToLower(strings.TrimSpace(e.Source))
	if v, ok := e.Field(event.FieldProvider); ok && v != "" {
		p = strings.ToLower(strings.TrimSpace(v))
	}
	if k.names == nil {
		k.names = map[string]string{}
	}
	if q, ok := k.names[p]; ok {
		p = q
	} else {
		k.names[p] = p
	}
	rec, _ := e.Field(eventlog.FieldRecordID)
	return recordKey{p, e.EventID, rec}, rec != "", contentKey{p, e.EventID, messageHash(e.Message)}
}

// messageHash is FNV-1a of strings.Join(strings.Fields(msg), " ").
func messageHash(msg string) uint64 {
	h := newFNV()
	for n, w := range strings.Fields(msg) {
		if n > 0 {
			h = (h ^ ' ') * 1099511628211
		}
		for i := 0; i < len(w); i++ {
			h = (h ^ fnv(w[i])) * 1099511628211
		}
	}
	return uint64(h)
}

// inferFromUTCExports looks for the export's records in exports that
// carry UTC and takes the offset most matches agree on.
func (el *evlogInput) inferFromUTCExports(all []*evlogInput) bool {
	byRecord := newUTCSeconds[recordKey]()
	byContent := newUTCSeconds[contentKey]()
	var from []string
	var k keyer
	for _, o := range all {
		if o == el {
			continue
		}
		n := 0
		for i := range o.st.refs {
			r := &o.st.refs[i]
			if r.zone != zoneCarried || r.isZero() {
				continue
			}
			e, err := o.st.get(i)
			if err != nil {
				break // reported by readEventLogs
			}
			rk, hasRec, ck := k.keysOf(e)
			if hasRec {
				byRecord.add(rk, r.sec)
			}
			byContent.add(ck, r.sec)
			n++
		}
		if n > 0 {
			from = append(from, o.in.rep.Path)
		}
	}
	if byContent.len() == 0 {
		return false
	}
	var one [1]int64
	candidates := func(e *event.Event) []int64 {
		rk, hasRec, ck := k.keysOf(e)
		if hasRec {
			if ts := byRecord.get(rk, &one); len(ts) > 0 {
				return ts
			}
		}
		return byContent.get(ck, &one)
	}
	// eachLocal calls f with each record of the export in local time of
	// an unknown zone (e nil where it cannot be read back).
	eachLocal := func(f func(r *evRef, e *event.Event)) {
		for i := range el.st.refs {
			r := &el.st.refs[i]
			if !r.local() || r.isZero() {
				continue
			}
			e, _ := el.st.get(i)
			f(r, e)
		}
	}
	votes := map[time.Duration]int{}
	eachLocal(func(r *evRef, e *event.Event) {
		if e == nil {
			return
		}
		ts := candidates(e)
		if len(ts) > 64 {
			return // a message repeated this often says nothing about the offset
		}
		for _, t := range ts {
			if d, ok := gridOffset(r.time(), t); ok {
				votes[d]++
			}
		}
	})
	best, bestN, second := bestVote(votes)
	if bestN < 2 || bestN < 2*second {
		// Unrendered XML (wevtutil without /f:RenderedXml) has no message
		// to match: fall back to provider and event id alone, and ask for
		// more agreement.
		byID := map[contentKey][]int64{}
		byContent.each(func(ck contentKey, ts []int64) {
			ck.message = 0
			byID[ck] = append(byID[ck], ts...)
		})
		candidates = func(e *event.Event) []int64 {
			_, _, ck := k.keysOf(e)
			ck.message = 0
			return byID[ck]
		}
		clear(votes)
		eachLocal(func(r *evRef, e *event.Event) {
			if e == nil {
				return
			}
			if ts := candidates(e); len(ts) <= 64 {
				for _, t := range ts {
					if d, ok := gridOffset(r.time(), t); ok {
						votes[d]++
					}
				}
			}
		})
		if best, bestN, second = bestVote(votes); bestN < 3 || bestN < 3*second {
			return false
		}
	}
	matched := 0
	eachLocal(func(r *evRef, e *event.Event) {
		off := best
		var ts []int64
		if e != nil {
			ts = candidates(e)
		}
		hit, near := false, time.Duration(0)
		for _, t := range ts {
			if d, ok := gridOffset(r.time(), t); ok {
				if d == best {
					hit = true
				} else if d-best == time.Hour || best-d == time.Hour {
					near = d // the other side of a daylight-saving change
				}
			}
		}
		if hit {
			matched++
		} else if near != 0 && len(ts) == 1 {
			off = near
			matched++
		}
		r.setOffset(off)
	})
	el.basis, el.offset = basisXML, best
	el.detail = fmt.Sprintf("UTC%s: %d of %d records found with their UTC time in %s", eventlog.FormatOffset(best), matched, el.local, strings.Join(from, ", "))
	return true
}

// utcSeconds maps a key to the UTC seconds (Unix) of the records that
// have it: a key of one record (most record ids) in a map of its own.
type utcSeconds[K comparable] struct {
	one  map[K]int64
	more map[K][]int64
}

func newUTCSeconds[K comparable]() *utcSeconds[K] {
	return &utcSeconds[K]{one: map[K]int64{}, more: map[K][]int64{}}
}

func (m *utcSeconds[K]) add(k K, sec int64) {
	if ts, ok := m.more[k]; ok {
		m.more[k] = append(ts, sec)
	} else if s, ok := m.one[k]; ok {
		delete(m.one, k)
		m.more[k] = []int64{s, sec}
	} else {
		m.one[k] = sec
	}
}

// get returns the seconds of k (in one when there is one).
func (m *utcSeconds[K]) get(k K, one *[1]int64) []int64 {
	if ts, ok := m.more[k]; ok {
		return ts
	}
	if s, ok := m.one[k]; ok {
		one[0] = s
		return one[:]
	}
	return nil
}

func (m *utcSeconds[K]) len() int { return len(m.one) + len(m.more) }

func (m *utcSeconds[K]) each(f func(K, []int64)) {
	for k, s := range m.one {
		f(k, []int64{s})
	}
	for k, ts := range m.more {
		f(k, ts)
	}
}

// gridOffset returns local - utc when it is a real-world UTC offset
// (whole quarter hours within UTC-12..UTC+14; text exports keep whole
// seconds). utc is in Unix seconds: the UTC record's time truncated to
// the second.
func gridOffset(local time.Time, utc int64) (time.Duration, bool) {
	d := local.Sub(time.Unix(utc, 0).UTC())
	if d%offsetGrid != 0 || d > maxOffset || d < -12*time.Hour {
		return 0, false
	}
	return d, true
}

// bestVote returns the offset with most votes (the smaller on a tie),
// its votes and the runner-up's votes.
func bestVote(votes map[time.Duration]int) (best time.Duration, n, second int) {
	keys := make([]time.Duration, 0, len(votes))
	for d := range votes {
		keys = append(keys, d)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	for _, d := range keys {
		switch v := votes[d]; {
		case v > n:
			second, best, n = n, d, v
		case v > second:
			second = v
		}
	}
	return best, n, second
}

// inferFromZoneFile applies collect-script's record of the zone of the
// machine that wrote the export (by host name; an export that names no
// host is taken to come from the only machine the bundle has a record of).
func (el *evlogInput) inferFromZoneFile(zones []*eventlog.ZoneFile) bool {
	var z *eventlog.ZoneFile
	host := el.host
	for _, c := range zones {
		if host != "" && strings.EqualFold(shortHost(c.Computer), host) || host == "" && len(zones) == 1 {
			z = c
			break
		}
	}
	if z == nil {
		return false
	}
	offs := map[time.Duration]int{}
	approx := false
	refs := el.st.refs
	for i := range refs {
		if !refs[i].local() || refs[i].isZero() {
			continue
		}
		off, exact, ok := z.OffsetAt(refs[i].time())
		if !ok {
			return false
		}
		approx = approx || !exact
		offs[off]++
	}
	if len(offs) == 0 {
		return false
	}
	for i := range refs {
		if r := &refs[i]; r.local() && !r.isZero() {
			off, _, _ := z.OffsetAt(r.time())
			r.setOffset(off)
		}
	}
	best, _, _ := bestVote(offs)
	var parts []string
	for _, d := range sortedKeys(offs) {
		parts = append(parts, "UTC"+eventlog.FormatOffset(d))
	}
	el.basis, el.offset = basisCollector, best
	who := "the machine"
	if z.Computer != "" {
		who = z.Computer
	}
	el.detail = fmt.Sprintf("%s: the time zone collect-script recorded for %s in %s", strings.Join(parts, " and "), who, z.Path)
	if z.ZoneID != "" {
		el.detail += " (" + z.ZoneID + ")"
	}
	if host == "" {
		el.detail += "; the export names no computer: assumed to come from that machine"
	}
	if approx {
		el.detail += "; the file lists no offsets for these dates and the zone observes daylight saving time, so times may be an hour off"
	}
	return true
}

func sortedKeys(m map[time.Duration]int) []time.Duration {
	out := make([]time.Duration, 0, len(m))
	for d := range m {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func shortHost(h string) string {
	h, _, _ = strings.Cut(strings.TrimSpace(h), ".")
	return strings.ToLower(h)
}

// dedupeEventLogs drops records already seen in another export: the
// exports that carry UTC are kept first (exact times, record ids), then
// those given a zone, then local ones, each group in bundle order. A
// record is a duplicate when it has the same provider, event id and record id; or the same
// provider, event id and message at the same second in the same frame
// (UTC, or one local clock). Duplicates are counted in the summary.
func (a *run) dedupeEventLogs(all []*evlogInput) {
	order := append([]*evlogInput(nil), all...)
	sort.SliceStable(order, func(i, j int) bool { return zoneRank(order[i].basis) < zoneRank(order[j].basis) })
	var k keyer
	var seen []*seenKeys // of the exports before, in order
	for n, el := range order {
		kept := make([]int32, 0, len(el.st.refs))
		// The last export is compared with those before it but need not be
		// remembered (a record is never a duplicate of its own export's);
		// when nothing is remembered, none of its records can be one.
		last := n == len(order)-1
		if last && !anyKeys(seen) {
			for i := range el.st.refs {
				kept = append(kept, int32(i))
			}
			el.kept = kept
			continue
		}
		mine := &seenKeys{el: el, k: &k}
		for i := range el.st.refs {
			r := &el.st.refs[i]
			e, err := el.st.get(i)
			if err != nil {
				// Unreadable (reported by readEventLogs): kept, the merge
				// stops at it.
				kept = append(kept, int32(i))
				continue
			}
			rk, hasRec, ck := k.keysOf(e)
			tc := timedContent{ck, r.local(), r.sec}
			dup := false
			if hasRec && seenBefore(seen, func(o *seenKeys) bool { return o.hasRecord(rk) }) {
				dup = true
			}
			if !r.isZero() && seenBefore(seen, func(o *seenKeys) bool { return o.hasContent(tc, e.Message) }) {
				dup = true
			}
			ti := timedID{ck.provider, ck.id, r.sec}
			built := false
			if v, _ := e.Field(eventlog.FieldMessageSource); v == "eventdata" {
				built = true
			}
			known := !r.isZero() && !r.local()
			if known && !dup {
				if seenBefore(seen, func(o *seenKeys) bool { return o.unrendered.has(ti.hash(), o.timedIDIs(ti)) }) {
					dup = true
				} else if built && seenBefore(seen, func(o *seenKeys) bool { return o.rendered.has(ti.hash(), o.timedIDIs(ti)) }) {
					dup = true
				}
			}
			if dup {
				a.duplicates++
				continue
			}
			kept = append(kept, int32(i))
			if last {
				continue
			}
			if hasRec {
				mine.records.add(rk.hash(), int32(i))
			}
			mine.contents.add(tc.hash(), int32(i))
			if known {
				if built {
					mine.unrendered.add(ti.hash(), int32(i))
				} else {
					mine.rendered.add(ti.hash(), int32(i))
				}
			}
		}
		el.kept = kept
		if !last {
			mine.sort()
			seen = append(seen, mine)
		}
	}
}

// timedContent identifies a record by what it says at a second of one
// frame (UTC, or the local clock); timedID by provider and event id at a
// UTC second (a rendered and an unrendered copy of one record meet here).
type (
	timedContent struct {
		contentKey
		local bool
		sec   int64
	}
	timedID struct {
		provider string
		id       uint32
		sec      int64
	}
)

// seenKeys are the keys of the records an export kept (dedupeEventLogs),
// by hash; a hash found is checked against the record, read back.
type seenKeys struct {
	el                   *evlogInput
	k                    *keyer
	records, contents    keyIndex
	rendered, unrendered keyIndex // unrendered: XML records whose message exlog built from EventData
}

func anyKeys(seen []*seenKeys) bool {
	for _, o := range seen {
		if len(o.records.h)+len(o.contents.h)+len(o.rendered.h)+len(o.unrendered.h) > 0 {
			return true
		}
	}
	return false
}

func seenBefore(seen []*seenKeys, has func(*seenKeys) bool) bool {
	for _, o := range seen {
		if has(o) {
			return true
		}
	}
	return false
}

func (o *seenKeys) sort() {
	for _, x := range []*keyIndex{&o.records, &o.contents, &o.rendered, &o.unrendered} {
		sort.Sort(x)
	}
}

// keysAt reads record i of the export back and returns it with its keys
// (e nil when it cannot be read: reported by readEventLogs).
func (o *seenKeys) keysAt(i int32) (e *event.Event, r *evRef, rk recordKey, hasRec bool, ck contentKey) {
	e, err := o.el.st.get(int(i))
	if err != nil {
		return nil, nil, rk, false, ck
	}
	rk, hasRec, ck = o.k.keysOf(e)
	return e, &o.el.st.refs[i], rk, hasRec, ck
}

func (o *seenKeys) hasRecord(want recordKey) bool {
	return o.records.has(want.hash(), func(i int32) bool {
		e, _, rk, hasRec, _ := o.keysAt(i)
		return e != nil && hasRec && rk == want
	})
}

// hasContent: the message itself is compared too (the key holds its hash).
func (o *seenKeys) hasContent(want timedContent, msg string) bool {
	return o.contents.has(want.hash(), func(i int32) bool {
		e, r, _, _, ck := o.keysAt(i)
		return e != nil && (timedContent{ck, r.local(), r.sec}) == want && sameWords(e.Message, msg)
	})
}

// sameWords reports whether a and b are the same words with any white
// space between them.
func sameWords(a, b string) bool {
	return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
}

func (o *seenKeys) timedIDIs(want timedID) func(int32) bool {
	return func(i int32) bool {
		e, r, _, _, ck := o.keysAt(i)
		return e != nil && (timedID{ck.provider, ck.id, r.sec}) == want
	}
}

// keyIndex holds 64-bit key hashes sorted, each with the index of the
// record it came from (12 bytes a key).
type keyIndex struct {
	h []uint64
	i []int32
}

func (x *keyIndex) add(h uint64, i int32) {
	x.h = append(x.h, h)
	x.i = append(x.i, i)
}

func (x *keyIndex) Len() int { return len(x.h) }
func (x *keyIndex) Less(a, b int) bool {
	return x.h[a] < x.h[b] || x.h[a] == x.h[b] && x.i[a] < x.i[b]
}
func (x *keyIndex) Swap(a, b int) {
	x.h[a], x.h[b] = x.h[b], x.h[a]
	x.i[a], x.i[b] = x.i[b], x.i[a]
}

// has reports whether a record of hash h is one the key matches.
func (x *keyIndex) has(h uint64, match func(int32) bool) bool {
	for j := sort.Search(len(x.h), func(j int) bool { return x.h[j] >= h }); j < len(x.h) && x.h[j] == h; j++ {
		if match(x.i[j]) {
			return true
		}
	}
	return false
}

// fnv is FNV-1a, 64 bits.
type fnv uint64

func newFNV() fnv { return 14695981039346656037 }

func (h fnv) str(s string) fnv {
	for i := 0; i < len(s); i++ {
		h = (h ^ fnv(s[i])) * 1099511628211
	}
	return (h ^ 0xff) * 1099511628211 // end of string
}

func (h fnv) u64(v uint64) fnv {
	for range 8 {
		h = (h ^ fnv(v&0xff)) * 1099511628211
		v >>= 8
	}
	return h
}

func (k recordKey) hash() uint64 {
	return uint64(newFNV().str(k.provider).u64(uint64(k.id)).str(k.record))
}

func (k timedContent) hash() uint64 {
	l := uint64(0)
	if k.local {
		l = 1
	}
	return uint64(newFNV().str(k.provider).u64(uint64(k.id)).u64(k.message).u64(l).u64(uint64(k.sec)))
}

func (k timedID) hash() uint64 {
	return uint64(newFNV().str(k.provider).u64(uint64(k.id)).u64(uint64(k.sec)))
}

// zoneRank orders exports for dedupe: UTC first, unknown zone last.
func zoneRank(b zoneBasis) int {
	switch b {
	case basisNone:
		return 0
	case basisUnknown:
		return 2
	}
	return 1
}

// splitLocal separates the records whose zone is still unknown (kept out
// of the merge with the traces) from those that join it (indices into
// el.st.refs, in time order).
func splitLocal(el *evlogInput) (joined, held []int32) {
	for _, i := range el.kept {
		if el.st.refs[i].local() {
			held = append(held, i)
		} else {
			joined = append(joined, i)
		}
	}
	return joined, held
}

// connectorSCM matches the connector service's name in an SCM message
// (English or localized: the service's display and short names are not
// translated).
var connectorSCM = regexp.MustCompile(`(?i)intune exchange connector|\bwiec\b`)

// isConnectorSCM reports whether e is a Service Control Manager event
// about the connector service's state (7036 state change, 7031/7034
// unexpected stop, 7035 control sent, 7000/7009/7041 start failures).
func isConnectorSCM(e *event.Event) bool {
	switch e.EventID {
	case 7036, 7031, 7034, 7035, 7000, 7009, 7041:
	default:
		return false
	}
	p, _ := e.Field(event.FieldProvider)
	if !strings.Contains(strings.ToLower(e.Source+" "+p), "service control manager") {
		return false
	}
	return connectorSCM.MatchString(e.Message)
}

// alignWindow is how far from a trace restart (the new process's first
// record) the service's SCM events may lie: the stop and start come
// before it, within minutes.
const (
	alignBefore = 10 * time.Minute
	alignAfter  = 2 * time.Minute
)

// alignRestarts gives an export still without a zone the offset at which
// the connector service's SCM events line up with the process restarts in
// the traces: the offset (on a quarter-hour grid) that puts an SCM event
// near the most restarts, if it is the only one to do so, and if no more
// of its SCM events fall inside the traces' window away from any restart
// than fall near one.
func (a *run) alignRestarts(el *evlogInput, held []int32) bool {
	if len(a.restarts) == 0 {
		return false
	}
	var scm []time.Time
	for _, i := range held {
		if r := &el.st.refs[i]; r.flags&refSCM != 0 {
			scm = append(scm, r.time())
		}
	}
	if len(scm) == 0 {
		return false
	}
	near := func(t time.Time) bool {
		for _, r := range a.restarts {
			if !t.Before(r.Time.Add(-alignBefore)) && !t.After(r.Time.Add(alignAfter)) {
				return true
			}
		}
		return false
	}
	score := map[time.Duration]int{}
	for d := -12 * time.Hour; d <= maxOffset; d += offsetGrid {
		hit := 0
		for _, r := range a.restarts {
			for _, st := range scm {
				t := st.Add(-d)
				if !t.Before(r.Time.Add(-alignBefore)) && !t.After(r.Time.Add(alignAfter)) {
					hit++
					break
				}
			}
		}
		if hit == 0 {
			continue
		}
		stray := 0
		for _, st := range scm {
			t := st.Add(-d)
			if !t.Before(a.traceFirst) && !t.After(a.traceLast) && !near(t) {
				stray++
			}
		}
		if stray < hit {
			score[d] = hit
		}
	}
	best, n, second := bestVote(score)
	if n == 0 || n == second {
		return false
	}
	offsetAt, dst := a.dstOffsets(best, scm, near)
	locals := make([]time.Time, len(held))
	for k, i := range held {
		locals[k] = el.st.refs[i].time()
	}
	offs, undecided := offsetsInOrder(locals, offsetAt, best)
	moved := 0
	for k, i := range held {
		if offs[k] != best {
			moved++
		}
		el.st.refs[i].setOffset(offs[k])
	}
	el.basis, el.offset = basisRestarts, best
	el.detail = fmt.Sprintf("UTC%s: at this offset the connector service's SCM events line up with %d of %d process restarts in the trace logs (no other offset does as well); %d records with their UTC time only through this alignment", eventlog.FormatOffset(best), n, len(a.restarts), len(held))
	if moved > 0 {
		el.detail += fmt.Sprintf("; %s on the other side of %s", words.Count(moved, "record", ""), dst)
	}
	switch {
	case undecided > 0:
		el.detail += fmt.Sprintf("; %s in the hour that change repeats, with nothing in the file to tell on which side: given the offset of their neighbours, possibly an hour off", words.Count(undecided, "record", ""))
	case dst == "":
		el.detail += "; one offset for all: the traces show no daylight-saving change, and one between these records would put those beyond it an hour off"
	}
	return true
}

// offsetsInOrder gives each local time of an export, in file order, its
// offset: offsetAt's, or for a local time that falls in the hour a
// daylight-saving change repeats (offsetAt returns repeatedHour), the side its
// neighbours in the file show. Exports run in time order, newest or oldest
// first, so inside a run of repeated-hour records the side switches where
// their local times stop running that way. best is for a run no
// neighbour decides.
func offsetsInOrder(locals []time.Time, offsetAt func(time.Time) time.Duration, best time.Duration) (offs []time.Duration, undecided int) {
	offs = make([]time.Duration, len(locals))
	var first, last time.Time
	for k, l := range locals {
		offs[k] = offsetAt(l)
		if offs[k] != repeatedHour {
			if first.IsZero() {
				first = l
			}
			last = l
		}
	}
	newestFirst := last.Before(first)
	for k := 0; k < len(offs); {
		if offs[k] != repeatedHour {
			k++
			continue
		}
		j := k
		for j < len(offs) && offs[j] == repeatedHour {
			j++
		}
		lo, hi := repeatedHour, repeatedHour // the sides before and after the run in the file
		if k > 0 {
			lo = offs[k-1]
		}
		if j < len(offs) {
			hi = offs[j]
		}
		if lo == repeatedHour || hi == repeatedHour {
			undecided += j - k // one side only: the run may lie on either
		}
		switch {
		case lo == repeatedHour && hi == repeatedHour:
			lo, hi = best, best
		case lo == repeatedHour:
			lo = hi
		case hi == repeatedHour:
			hi = lo
		}
		cur := lo
		for m := k; m < j; m++ {
			if m > k && (newestFirst && locals[m].After(locals[m-1]) || !newestFirst && locals[m].Before(locals[m-1])) {
				cur = hi
			}
			offs[m] = cur
		}
		k = j
	}
	return offs, undecided
}

// repeatedHour is what a local time in the hour a daylight-saving change
// repeats gets before the file order decides: no real offset.
const repeatedHour = time.Duration(math.MinInt64)

// dstOffsets returns the offset to give a local time of an export aligned
// at best. When the trace logs change their own UTC offset once (a
// daylight-saving change) from or to best, the machine keeps the traces'
// zone: a record on the other side of the change gets the other offset
// (blind round 2: German and US exports across a change came out an hour
// off). A local time both offsets place on its own side (the repeated
// hour) or neither (the skipped hour), and every record when the SCM
// events that aligned do not all sit on best's side, keep best. dst says
// what changed, for the detail.
func (a *run) dstOffsets(best time.Duration, scm []time.Time, aligned func(time.Time) bool) (func(time.Time) time.Duration, string) {
	single := func(time.Time) time.Duration { return best }
	if len(a.tzChanges) != 1 {
		return single, ""
	}
	ch := a.tzChanges[0]
	from, to := time.Duration(ch.from)*time.Second, time.Duration(ch.to)*time.Second
	if best != from && best != to {
		return single, ""
	}
	at := func(local time.Time) time.Duration {
		before := local.Add(-from).Before(ch.at)
		after := !local.Add(-to).Before(ch.at)
		switch {
		case before && !after:
			return from
		case after && !before:
			return to
		case before && after:
			return repeatedHour // the file order decides
		}
		return best // the skipped hour: no such local time; keep the aligned offset
	}
	for _, st := range scm {
		if aligned(st.Add(-best)) && at(st) != best {
			return single, ""
		}
	}
	return at, fmt.Sprintf("the traces' change from UTC%s to UTC%s at %s got UTC%s", eventlog.FormatOffset(from), eventlog.FormatOffset(to),
		ch.at.UTC().Format("2006-01-02 15:04Z"), eventlog.FormatOffset(from+to-best))
}

// finishZones fills each local-time input's time_zone and first/last.
func (a *run) finishZones(all []*evlogInput) {
	for _, el := range all {
		in := el.in
		if el.basis == basisNone {
			continue
		}
		tz := &report.InputTimeZone{Basis: el.basis.String(), Detail: el.detail}
		if el.basis == basisUnknown {
			tz.Detail = fmt.Sprintf("local time of an unknown zone: %d records shown as local time and not joined in time with the trace logs (no UTC export of the same records, no collect-script TimeZone.txt for this machine, and the connector service's SCM events do not line up with the traces' restarts at one offset)", el.local)
			in.first, in.last = time.Time{}, time.Time{}
			var lo, hi time.Time
			for _, i := range el.kept {
				r := &el.st.refs[i]
				if r.isZero() {
					continue
				}
				t := r.time()
				if lo.IsZero() || t.Before(lo) {
					lo = t
				}
				if t.After(hi) {
					hi = t
				}
			}
			if !lo.IsZero() {
				tz.FirstLocal, tz.LastLocal = lo.Format(report.LocalLayout), hi.Format(report.LocalLayout)
			}
		} else {
			tz.Offset = eventlog.FormatOffset(el.offset)
		}
		in.rep.TimeZone = tz
	}
}

// IDLocalTime is raised by localTimeFinding.
const IDLocalTime = "bundle.local-time"

var localTimeRules = []check.Rule{
	{ID: IDLocalTime, Title: "Event-log exports in local time: the zone found, or that it is unknown", Severity: report.SeverityInfo},
}

// localTimeFinding says, once, which exports carry local time and what
// zone they were given.
func localTimeFinding(in *checkInput) []report.Finding {
	all := in.evlogs
	f := report.Finding{ID: IDLocalTime, Severity: report.SeverityInfo, Category: "bundle", Source: "check",
		Docs:     "https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/wevtutil",
		Evidence: []report.Evidence{}}
	unknown := 0
	for _, el := range all {
		if el.basis == basisNone {
			continue
		}
		f.Count++
		if el.basis == basisUnknown {
			unknown++
		}
		if len(f.Evidence) < report.MaxEvidence {
			f.Evidence = append(f.Evidence, report.Evidence{Origin: el.in.rep.Path, Text: el.in.rep.TimeZone.Detail})
		}
	}
	if f.Count == 0 {
		return nil
	}
	if unknown > 0 {
		f.Title = words.Count(unknown, "event-log export carries", "event-log exports carry") + " local time of an unknown zone: shown as local time, not lined up with the traces"
		f.Remedy = "Add the same log as XML (wevtutil qe System /f:xml > System.xml), which carries UTC, or run exlog's collect-script, which records the machine's time zone, and re-run exlog."
	} else {
		f.Title = "Event-log exports carry local time: their UTC offset was found from the evidence"
		f.Remedy = "Nothing to do: the offset and the evidence for it are listed per input (inputs[].time_zone)."
	}
	return []report.Finding{f}
}

// observeLate feeds the records that did not join the merge: those given
// a zone by the restart alignment go to the main matcher (with their UTC
// time; only per-record patterns can still fire for them), those still
// without a zone to a matcher of their own, so that they are never joined
// in time with the traces.
func (a *run) observeLate(evlogs []*evlogInput, held map[*evlogInput][]int32) {
	for _, el := range evlogs {
		h := held[el]
		if len(h) == 0 {
			continue
		}
		if el.basis == basisUnknown {
			a.alignRestarts(el, h)
		}
		refs := el.st.refs
		sort.SliceStable(h, func(i, j int) bool { return refs[h[i]].before(&refs[h[j]]) })
		for _, i := range h {
			e, err := el.st.get(int(i))
			if err != nil {
				a.spillFailed(el)
				break
			}
			if e.TimeZone() == event.ZoneUnknown {
				if a.localMatcher == nil {
					a.localMatcher = a.lib.NewMatcher()
				}
				a.records++
				a.types[e.Type]++
				a.localMatcher.Observe(e)
			} else {
				if !a.opt.Since.IsZero() && e.Time.Before(a.opt.Since) || !a.opt.Until.IsZero() && e.Time.After(a.opt.Until) {
					continue
				}
				a.records++
				a.types[e.Type]++
				if a.first.IsZero() || e.Time.Before(a.first) {
					a.first = e.Time
				}
				if e.Time.After(a.last) {
					a.last = e.Time
				}
				a.matcher.Observe(e)
			}
			a.unmatched.observe(e)
			if a.opt.Observe != nil {
				a.opt.Observe(e)
			}
		}
	}
	for _, el := range evlogs {
		for i := range el.st.refs {
			r := &el.st.refs[i]
			el.in.countAt(r.time(), r.typ)
		}
	}
	a.finishZones(evlogs)
	a.evlogs = evlogs
}

// localFindings finishes the matcher of records without a zone and folds
// its findings into fs: an occurrence with local time only adds to the
// count and evidence and sets FirstLocal/LastLocal, never First/Last.
func (a *run) localFindings(fs []report.Finding) []report.Finding {
	if a.localMatcher == nil {
		return fs
	}
	lf, _ := a.localMatcher.Finish(patterns.Window{})
	for _, l := range lf {
		first, last := "", ""
		if l.First != nil {
			first = l.First.Format(report.LocalLayout)
		}
		if l.Last != nil {
			last = l.Last.Format(report.LocalLayout)
		}
		merged := false
		for i := range fs {
			f := &fs[i]
			if f.ID != l.ID || f.Key != l.Key {
				continue
			}
			f.Count += l.Count
			for _, ev := range l.Evidence {
				if len(f.Evidence) < report.MaxEvidence {
					f.Evidence = append(f.Evidence, ev)
				}
			}
			f.TimeZone, f.FirstLocal, f.LastLocal = report.ZoneUnknown, first, last
			merged = true
			break
		}
		if !merged {
			l.First, l.Last = nil, nil
			l.TimeZone, l.FirstLocal, l.LastLocal = report.ZoneUnknown, first, last
			fs = append(fs, l)
		}
	}
	return fs
}
