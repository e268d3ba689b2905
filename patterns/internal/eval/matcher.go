// Package eval runs compiled patterns over a stream of events and turns
// what matched into findings. It never sees unchecked input: patterns
// come from the checker.
package eval

import (
	"exlog/internal/words"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"exlog/event"
	"exlog/patterns/internal/rule"
	"exlog/report"
)

// Window is the time span the logs cover (first to last trace record).
// The zero Window means "unknown": absence rules then cannot judge.
type Window struct{ Start, End time.Time }

// Duration of the window (0 when unknown).
func (w Window) Duration() time.Duration {
	if w.Start.IsZero() || w.End.Before(w.Start) {
		return 0
	}
	return w.End.Sub(w.Start)
}

// Note says that a rule could not be judged: the covered window is
// shorter than the rule's period, or occurrences came too close to the
// end of the logs. The analyzer reports these once (sync.coverage-short).
type Note struct {
	ID      string        // pattern id
	Reason  string        // "coverage-short" | "too-close-to-end"
	Needed  time.Duration // the rule's period or wait
	Covered time.Duration // the covered window
	Count   int           // occurrences left undecided (too-close-to-end)
	Message string        // one line for people
}

// slack absorbs the few milliseconds (or seconds, across files) by which
// records from different threads arrive out of order.
const slack = 2 * time.Second

// MaxTextLen bounds evidence text (bytes, cut at a rune boundary).
const MaxTextLen = 300

type role uint8

const (
	roleWhen role = iota
	roleThen
)

type probeRef struct {
	pat   int
	role  role
	probe *rule.Probe
}

// Matcher evaluates a set of patterns over events. Not safe for
// concurrent use; create one per analysis. Patterns are shared, read-only.
type Matcher struct {
	pats    []*rule.Pattern
	probes  []probeRef // per pattern: Then before When; explaining patterns first
	always  []int32    // probes without literals: evaluated for every event
	pf      *prefilter
	expl    [][]int32 // per pattern: the patterns that explain it
	matched []uint32  // per pattern: gen of the last event its When condition matched
	stamp   []uint32
	gen     uint32
	cands   []int32
	ctx     rule.Ctx
	state   []*patState
	mark    time.Time // latest event time seen
	hasSeq  bool
	seqQ    []*pending // pending sequence starts of all patterns, in arrival order
	expired int        // starts fired since the last sweep of byOn
	events  int64
}

// New builds a matcher for pats (the prefilter is built here; share the
// result of Compile across matchers with NewShared for speed).
func New(pats []*rule.Pattern) *Matcher {
	return NewShared(Compile(pats))
}

// Compiled is the immutable, shareable part of a matcher.
type Compiled struct {
	pats   []*rule.Pattern
	probes []probeRef
	always []int32
	pf     *prefilter
	expl   [][]int32
}

// Compile indexes the patterns' probes for the prefilter. Probes are
// numbered so that a pattern named in another's explains clause comes
// after it: the explaining pattern sees each event first, and an event
// its condition matches is not counted for the patterns it explains.
// Explains ids not in pats are ignored (the checker reports them).
func Compile(pats []*rule.Pattern) *Compiled {
	c := &Compiled{pats: pats, expl: make([][]int32, len(pats))}
	idx := make(map[string]int, len(pats))
	for i, p := range pats {
		idx[p.ID] = i
	}
	for i, p := range pats {
		for _, id := range p.Explains {
			if j, ok := idx[id]; ok && j != i {
				c.expl[j] = append(c.expl[j], int32(i))
			}
		}
	}
	// rank: longest chain of explainers above a pattern (bounded, so a
	// cycle that slipped past the checker cannot loop).
	rank := make([]int, len(pats))
	for round := 0; round < len(pats); round++ {
		changed := false
		for j, ex := range c.expl {
			for _, i := range ex {
				if rank[i]+1 > rank[j] {
					rank[j] = rank[i] + 1
					changed = true
				}
			}
		}
		if !changed {
			break
		}
	}
	patOrder := make([]int, len(pats))
	for i := range patOrder {
		patOrder[i] = i
	}
	sort.SliceStable(patOrder, func(a, b int) bool { return rank[patOrder[a]] < rank[patOrder[b]] })
	litIDs := map[string][]int32{}
	var order []string
	add := func(pi int, r role, p *rule.Probe) {
		id := int32(len(c.probes))
		c.probes = append(c.probes, probeRef{pat: pi, role: r, probe: p})
		if p.Literals == nil {
			c.always = append(c.always, id)
			return
		}
		for _, l := range p.Literals {
			if _, ok := litIDs[l]; !ok {
				order = append(order, l)
			}
			litIDs[l] = append(litIDs[l], id)
		}
	}
	for _, i := range patOrder {
		p := pats[i]
		if p.Then != nil {
			add(i, roleThen, p.Then)
		}
		if p.When != nil {
			add(i, roleWhen, p.When)
		}
	}
	ids := make([][]int32, len(order))
	for i, l := range order {
		ids[i] = litIDs[l]
	}
	c.pf = buildPrefilter(order, ids)
	return c
}

// NewShared makes a matcher from a compiled set.
func NewShared(c *Compiled) *Matcher {
	m := &Matcher{pats: c.pats, probes: c.probes, always: c.always, pf: c.pf, expl: c.expl}
	m.stamp = make([]uint32, len(m.probes))
	m.matched = make([]uint32, len(m.pats))
	m.state = make([]*patState, len(m.pats))
	for i, p := range m.pats {
		m.state[i] = newPatState(p)
		if p.Kind == rule.Sequence {
			m.hasSeq = true
		}
	}
	return m
}

// Observe feeds one event. Events should come in time order; disorder of
// a few seconds is tolerated. e is not retained.
func (m *Matcher) Observe(e *event.Event) {
	m.events++
	if e.Time.After(m.mark) {
		m.mark = e.Time
		if m.hasSeq {
			m.expire(m.mark)
		}
	}
	m.gen++
	if m.gen == 0 { // wrapped: clear stamps
		clear(m.stamp)
		clear(m.matched)
		m.gen = 1
	}
	cands := m.cands[:0]
	// One pass over the message for every literal of every probe.
	pf := m.pf
	msg := e.Message
	nc := pf.nclass
	s := uint32(0)
	for i := 0; i < len(msg); i++ {
		s = pf.delta[int(s)*nc+int(pf.class[msg[i]])]
		if pf.hasOut[s] {
			for _, id := range pf.out[s] {
				if m.stamp[id] != m.gen {
					m.stamp[id] = m.gen
					cands = append(cands, id)
				}
			}
		}
	}
	cands = append(cands, m.always...)
	m.cands = cands
	if len(cands) == 0 {
		return
	}
	// Probe order: per pattern Then before When, patterns in order.
	for i := 1; i < len(cands); i++ {
		for j := i; j > 0 && cands[j] < cands[j-1]; j-- {
			cands[j], cands[j-1] = cands[j-1], cands[j]
		}
	}
	m.ctx.Reset(e)
	for _, id := range cands {
		ref := &m.probes[id]
		m.ctx.Caps = m.ctx.Caps[:0]
		m.ctx.ClearHit()
		if !ref.probe.Cond.Match(&m.ctx) {
			continue
		}
		st := m.state[ref.pat]
		if ref.role == roleThen {
			st.then(m, e, &m.ctx)
			continue
		}
		m.matched[ref.pat] = m.gen
		if m.explained(ref.pat) {
			continue
		}
		st.when(m, e, &m.ctx)
	}
}

// explained reports whether a pattern that explains pat matched the
// current event (explainers' probes run first, see Compile).
func (m *Matcher) explained(pat int) bool {
	for _, i := range m.expl[pat] {
		if m.matched[i] == m.gen {
			return true
		}
	}
	return false
}

// Events returns how many events were observed.
func (m *Matcher) Events() int64 { return m.events }

// Finish closes every window and returns the findings (sorted by
// severity, then id and key) and the rules that could not be judged.
// The matcher must not be used afterwards.
func (m *Matcher) Finish(cov Window) ([]report.Finding, []Note) {
	var out []report.Finding
	var notes []Note
	for _, st := range m.state {
		f, n := st.finish(cov)
		out = append(out, f...)
		notes = append(notes, n...)
	}
	SortFindings(out)
	return out, notes
}

// SortFindings orders by severity (highest first), id, key.
func SortFindings(fs []report.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Key < b.Key
	})
}

// ---- per-pattern state ----

type patState struct {
	p      *rule.Pattern
	titleF []string // placeholder names to remember from the first event
	aggs   map[string]*agg
	order  []string // keys in first-seen order

	// Sequence.
	byOn     map[string][]*pending
	lastThen map[string]time.Time
	left     int // undecided at Finish

	// Absence.
	seen      bool
	firstSeen time.Time
	lastSeen  time.Time
	lastEv    report.Evidence
	gaps      []gap
}

type gap struct {
	from, to time.Time
	before   *report.Evidence
}

type pending struct {
	pat  *patState
	t    time.Time
	on   string
	key  string
	ev   report.Evidence
	vals []string
	done bool
}

// agg accumulates one finding (one key).
type agg struct {
	key         string
	count       int
	first, last time.Time
	ev          []report.Evidence
	vals        []string // title placeholder values from the first counted event
	esc         []escTrack
	// Count kind: the last MinCount-1 events not yet counted.
	ring        []ringItem
	seq         int64
	lastCounted int64
	// Each kind: one failure, one occurrence. The last counted record's
	// operation (activity, writer, time) and how many records were folded
	// into an occurrence already counted.
	opAct   event.GUID
	opHost  string
	opPID   uint32
	opTID   uint32
	opAt    time.Time
	records int
	folded  int
}

type ringItem struct {
	t    time.Time
	seq  int64
	ev   report.Evidence
	vals []string
}

type escTrack struct {
	hit   bool
	times []time.Time // ring of the last Count times (Within > 0)
	n     int
}

func newPatState(p *rule.Pattern) *patState {
	st := &patState{p: p, aggs: map[string]*agg{}}
	for _, part := range append(append([]rule.TitlePart(nil), p.Title...), p.RemedyParts...) {
		if part.Field != "" && part.Field != rule.PlaceholderCount && part.Field != rule.PlaceholderKey && part.Field != rule.PlaceholderGap &&
			!slices.Contains(st.titleF, part.Field) {
			st.titleF = append(st.titleF, part.Field)
		}
	}
	if p.Kind == rule.Sequence {
		st.byOn = map[string][]*pending{}
		st.lastThen = map[string]time.Time{}
	}
	return st
}

func (st *patState) values(ctx *rule.Ctx) []string {
	if len(st.titleF) == 0 {
		return nil
	}
	v := make([]string, len(st.titleF))
	for i, f := range st.titleF {
		v[i], _ = ctx.Lookup(f)
		v[i] = event.CheckCapture(f, v[i])
	}
	return v
}

func (st *patState) keyOf(ctx *rule.Ctx) string {
	if st.p.Key == "" {
		return ""
	}
	v, _ := ctx.Lookup(st.p.Key)
	return v
}

// MaxKeys bounds the distinct keys (findings) one pattern tracks; later
// new keys are pooled under OtherKey so memory stays bounded whatever the
// input.
const (
	MaxKeys  = 1000
	OtherKey = "(other values)"
)

func (st *patState) agg(key string) *agg {
	a := st.aggs[key]
	if a == nil && len(st.aggs) >= MaxKeys {
		key = OtherKey
		a = st.aggs[key]
	}
	if a == nil {
		a = &agg{key: key, lastCounted: -1}
		a.esc = make([]escTrack, len(st.p.Escalate))
		st.aggs[key] = a
		st.order = append(st.order, key)
	}
	return a
}

// Evidence builds the evidence item for e.
func Evidence(e *event.Event) report.Evidence {
	ev := report.NewEvidence(e.Origin.Path, e.Origin.Offset, e.Origin.Line, time.Time{}, Trim(e.Message, MaxTextLen))
	ev.SetTime(e.Time, e.TimeZone())
	return ev
}

// EvidenceAt builds the evidence item for e, whose message ctx matched:
// when the words that matched lie past what a reader sees first, the
// text is cut around them rather than from the start (TrimAround).
func EvidenceAt(e *event.Event, ctx *rule.Ctx) report.Evidence {
	start, end, ok := ctx.MessageSpan()
	if !ok {
		return Evidence(e)
	}
	ev := report.NewEvidence(e.Origin.Path, e.Origin.Offset, e.Origin.Line, time.Time{}, TrimAround(e.Message, start, end, MaxTextLen))
	ev.SetTime(e.Time, e.TimeZone())
	return ev
}

// Evidence text shown first: a text report shows a little more than ShownLen
// characters of each evidence line; TrimAround keeps the match inside
// them by starting the text at most matchLead bytes before it.
const (
	ShownLen  = 200
	matchLead = 60
)

// TrimAround cuts s (whose bytes [start, end) matched) to at most n
// bytes: from the start when the match ends within the first ShownLen
// bytes, else from a word boundary at most matchLead bytes before the
// match; each cut is marked with "…".
func TrimAround(s string, start, end, n int) string {
	if start < 0 || end > len(s) || start > end {
		return Trim(s, n)
	}
	lead := len(s) - len(strings.TrimLeft(s, " \t\r\n"))
	if end-lead <= ShownLen {
		return Trim(s, n)
	}
	from := max(start-matchLead, lead)
	if sp := strings.IndexAny(s[from:start], " \t\r\n"); sp >= 0 {
		from += sp + 1 // begin at a word
	}
	for from > 0 && from < len(s) && !utf8.RuneStart(s[from]) {
		from++
	}
	return "…" + Trim(s[from:], n-len("…"))
}

// Trim cuts s to at most n bytes at a rune boundary, marking the cut.
func Trim(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// count adds one event to an aggregate (Each, Sequence) or to its counted
// part (Count).
func (st *patState) count(a *agg, t time.Time, ev func() report.Evidence, vals []string) {
	if a.count == 0 || t.Before(a.first) {
		if a.count == 0 {
			a.vals = vals
		}
		a.first = t
	}
	if t.After(a.last) {
		a.last = t
	}
	a.count++
	switch {
	case len(a.ev) < report.MaxEvidence-1:
		a.ev = append(a.ev, ev())
	case len(a.ev) == report.MaxEvidence-1:
		a.ev = append(a.ev, ev())
	default:
		// Keep the first ones and the latest.
		a.ev[len(a.ev)-1] = ev()
	}
	for i, esc := range st.p.Escalate {
		tr := &a.esc[i]
		if tr.hit {
			continue
		}
		if esc.Within == 0 {
			tr.hit = a.count >= esc.Count
			continue
		}
		if tr.times == nil {
			tr.times = make([]time.Time, esc.Count)
		}
		tr.times[tr.n%esc.Count] = t
		tr.n++
		if tr.n >= esc.Count {
			oldest := tr.times[tr.n%esc.Count]
			if absDur(t.Sub(oldest)) <= esc.Within {
				tr.hit = true
				tr.times = nil
			}
		}
	}
}

// Operation windows: records of one pattern and key count once when they
// are one failed operation — the same non-zero activity within
// sameActivityWindow, or the same writer (host, process, thread) within
// sameWriterWindow (an exception record and the retry Warning that follows
// it: "Get next command failed 3 time(s) …").
const (
	sameActivityWindow = 30 * time.Second
	sameWriterWindow   = time.Second
)

// sameOperation reports whether e belongs to the operation last counted.
func (a *agg) sameOperation(e *event.Event) bool {
	if a.count == 0 {
		return false
	}
	d := absDur(e.Time.Sub(a.opAt))
	if !e.Activity.IsZero() && e.Activity == a.opAct {
		return d <= sameActivityWindow
	}
	if !e.Activity.IsZero() && !a.opAct.IsZero() {
		return false // two activities: two operations
	}
	return d < sameWriterWindow && e.PID == a.opPID && e.TID == a.opTID && e.Host == a.opHost
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func (st *patState) when(m *Matcher, e *event.Event, ctx *rule.Ctx) {
	p := st.p
	switch p.Kind {
	case rule.Each:
		a := st.agg(st.keyOf(ctx))
		a.records++
		if a.sameOperation(e) {
			a.folded++
			return
		}
		a.opAct, a.opHost, a.opPID, a.opTID, a.opAt = e.Activity, e.Host, e.PID, e.TID, e.Time
		st.count(a, e.Time, func() report.Evidence { return EvidenceAt(e, ctx) }, st.valuesIfFirst(a, ctx))
	case rule.Count:
		a := st.agg(st.keyOf(ctx))
		st.countBurst(a, e, ctx)
	case rule.Sequence:
		on := st.onOf(ctx)
		if lt, ok := st.lastThen[on]; ok && !lt.Before(e.Time.Add(-slack)) {
			return // already followed (records slightly out of order)
		}
		pd := &pending{pat: st, t: e.Time, on: on, key: st.keyOf(ctx), ev: EvidenceAt(e, ctx), vals: st.values(ctx)}
		list := st.byOn[on]
		if len(list) >= 64 && list[0].done {
			list = compact(list)
		}
		st.byOn[on] = append(list, pd)
		m.seqQ = append(m.seqQ, pd)
	case rule.Absence:
		if st.seen && e.Time.Sub(st.lastSeen) > p.Period {
			before := st.lastEv
			st.gaps = append(st.gaps, gap{from: st.lastSeen, to: e.Time, before: &before})
		}
		if !st.seen || e.Time.Before(st.firstSeen) {
			st.firstSeen = e.Time
		}
		if !st.seen || e.Time.After(st.lastSeen) {
			st.lastSeen = e.Time
			st.lastEv = EvidenceAt(e, ctx)
		}
		st.seen = true
	}
}

func (st *patState) valuesIfFirst(a *agg, ctx *rule.Ctx) []string {
	if a.count > 0 {
		return nil
	}
	return st.values(ctx)
}

func compact(list []*pending) []*pending {
	out := list[:0]
	for _, p := range list {
		if !p.done {
			out = append(out, p)
		}
	}
	clear(list[len(out):])
	return out
}

func (st *patState) onOf(ctx *rule.Ctx) string {
	switch st.p.SeqOn {
	case "":
		return ""
	case "activity":
		return ctx.E.Activity.String()
	}
	v, _ := ctx.Lookup(st.p.SeqOn)
	return v
}

func (st *patState) then(m *Matcher, e *event.Event, ctx *rule.Ctx) {
	on := st.onOf(ctx)
	if len(st.lastThen) >= 4096 {
		// Only a start arriving within slack after its end needs these;
		// forget older ones so memory does not grow with activities.
		for k, t := range st.lastThen {
			if t.Before(m.mark.Add(-slack)) {
				delete(st.lastThen, k)
			}
		}
	}
	if lt, ok := st.lastThen[on]; !ok || e.Time.After(lt) {
		st.lastThen[on] = e.Time
	}
	limit := e.Time.Add(slack)
	list := st.byOn[on]
	for _, p := range list {
		if !p.done && !p.t.After(limit) {
			p.done = true
		}
	}
	if list = compact(list); len(list) == 0 {
		delete(st.byOn, on)
	} else {
		st.byOn[on] = list
	}
}

// expire fires pending sequence starts whose wait ended before now.
func (m *Matcher) expire(now time.Time) {
	q := m.seqQ
	i := 0
	for ; i < len(q); i++ {
		p := q[i]
		if p.done {
			continue
		}
		if !p.t.Add(p.pat.p.Within).Before(now.Add(-slack)) {
			break
		}
		p.done = true
		p.pat.fire(p)
	}
	if i > 0 {
		clear(q[:i])
		m.seqQ = q[i:]
	}
	if m.expired += i; m.expired >= 4096 {
		// Drop lists that hold only fired starts (keys never followed).
		m.expired = 0
		for _, st := range m.state {
			for k, list := range st.byOn {
				if list = compact(list); len(list) == 0 {
					delete(st.byOn, k)
				} else {
					st.byOn[k] = list
				}
			}
		}
	}
}

func (st *patState) fire(p *pending) {
	a := st.agg(p.key)
	ev := p.ev
	st.count(a, p.t, func() report.Evidence { return ev }, p.vals)
	if a.count == 1 {
		a.vals = p.vals
	}
}

// countBurst implements "at least N within D": events are held in a ring
// of N until N of them fall within D; then every held event is counted,
// and so is each later event while the burst lasts.
func (st *patState) countBurst(a *agg, e *event.Event, ctx *rule.Ctx) {
	n := st.p.MinCount
	if a.ring == nil {
		a.ring = make([]ringItem, n)
	}
	seq := a.seq
	a.seq++
	a.ring[seq%int64(n)] = ringItem{t: e.Time, seq: seq, ev: EvidenceAt(e, ctx), vals: st.values(ctx)}
	if seq+1 < int64(n) {
		return
	}
	oldest := a.ring[(seq+1)%int64(n)]
	if st.p.Within > 0 && absDur(e.Time.Sub(oldest.t)) > st.p.Within {
		return
	}
	// Burst: count what is held and not yet counted, oldest first.
	for s := max(a.lastCounted+1, seq-int64(n)+1); s <= seq; s++ {
		it := a.ring[s%int64(n)]
		st.count(a, it.t, func() report.Evidence { return it.ev }, it.vals)
	}
	a.lastCounted = seq
}

func (st *patState) finish(cov Window) ([]report.Finding, []Note) {
	p := st.p
	switch p.Kind {
	case rule.Sequence:
		var left int
		for _, list := range st.byOn {
			for _, pd := range list {
				if pd.done {
					continue
				}
				pd.done = true
				if cov.Duration() > 0 && !pd.t.Add(p.Within).After(cov.End) {
					st.fire(pd)
				} else {
					left++
				}
			}
		}
		var notes []Note
		if left > 0 {
			notes = append(notes, Note{ID: p.ID, Reason: "too-close-to-end", Needed: p.Within, Covered: cov.Duration(), Count: left,
				Message: fmt.Sprintf("%s: %s within %s of the end of the logs cannot be judged", p.ID, words.Count(left, "occurrence", ""), fmtDur(p.Within))})
		}
		return st.findings(), notes
	case rule.Absence:
		return st.finishAbsence(cov)
	}
	return st.findings(), nil
}

func (st *patState) findings() []report.Finding {
	var out []report.Finding
	for _, k := range st.order {
		a := st.aggs[k]
		if a.count == 0 {
			continue
		}
		out = append(out, st.finding(a, ""))
	}
	return out
}

func (st *patState) finding(a *agg, gapText string) report.Finding {
	p := st.p
	sev := p.Severity
	for i, esc := range p.Escalate {
		if a.esc[i].hit && esc.Severity > sev {
			sev = esc.Severity
		}
	}
	first, last := a.first, a.last
	lookup := func(name string) string {
		switch name {
		case rule.PlaceholderCount:
			return fmt.Sprint(a.count)
		case rule.PlaceholderKey:
			return a.key
		case rule.PlaceholderGap:
			return gapText
		}
		for i, f := range st.titleF {
			if f == name && i < len(a.vals) {
				return a.vals[i]
			}
		}
		return ""
	}
	title := rule.RenderTitle(p.Title, lookup)
	if a.folded > 0 {
		title += fmt.Sprintf(" (%d records, counted as %d failed operations: one per activity, or per thread within %s)", a.records, a.count, fmtDur(sameWriterWindow))
	}
	remedy := p.Remedy
	if len(p.RemedyParts) > 0 {
		remedy = rule.RenderTitle(p.RemedyParts, lookup)
	}
	return report.Finding{
		ID: p.ID, Key: a.key, Title: title, Severity: sev, Category: p.Category,
		Count: a.count, First: &first, Last: &last, Remedy: remedy, Docs: p.Docs,
		Source: "pattern:" + p.File, Tags: append([]string(nil), p.Tags...), Evidence: a.ev,
	}
}

func (st *patState) finishAbsence(cov Window) ([]report.Finding, []Note) {
	p := st.p
	covered := cov.Duration()
	if covered < p.Period {
		msg := fmt.Sprintf("%s: the logs cover %s, less than the %s this rule needs", p.ID, fmtDur(covered), fmtDur(p.Period))
		if covered == 0 {
			msg = fmt.Sprintf("%s: no covered window (no trace records), cannot judge", p.ID)
		}
		return nil, []Note{{ID: p.ID, Reason: "coverage-short", Needed: p.Period, Covered: covered, Message: msg}}
	}
	cands := append([]gap(nil), st.gaps...)
	if !st.seen {
		cands = append(cands, gap{from: cov.Start, to: cov.End})
	} else {
		cands = append(cands, gap{from: cov.Start, to: st.firstSeen})
		before := st.lastEv
		cands = append(cands, gap{from: st.lastSeen, to: cov.End, before: &before})
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].from.Before(cands[j].from) })
	a := &agg{}
	a.esc = make([]escTrack, len(p.Escalate))
	var longest time.Duration
	for _, g := range cands {
		from, to := g.from, g.to
		if from.Before(cov.Start) {
			from = cov.Start
		}
		if to.After(cov.End) {
			to = cov.End
		}
		d := to.Sub(from)
		if d <= p.Period {
			continue
		}
		longest = max(longest, d)
		var ev report.Evidence
		if g.before != nil {
			ev = *g.before
			ev.Text = fmt.Sprintf("last seen before %s without one (until %s): %s", fmtDur(d), to.UTC().Format(time.RFC3339), ev.Text)
		} else {
			t := from
			ev = report.Evidence{Time: &t, Text: fmt.Sprintf("none from %s to %s (%s)", from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339), fmtDur(d))}
		}
		fromC, toC := from, to
		st.count(a, fromC, func() report.Evidence { return ev }, nil)
		if toC.After(a.last) {
			a.last = toC
		}
	}
	if a.count == 0 {
		return nil, nil
	}
	return []report.Finding{st.finding(a, fmtDur(longest))}, nil
}

// fmtDur shows a rule's durations to the minute.
func fmtDur(d time.Duration) string { return report.FormatDuration(d.Round(time.Minute)) }

// StateSize reports the sizes of a pattern's sequence tables (tests).
type StateSize struct{ ByOn, LastThen, Pending int }

// State returns the state sizes of pattern i (for memory tests).
func (m *Matcher) State(i int) StateSize {
	st := m.state[i]
	return StateSize{ByOn: len(st.byOn), LastThen: len(st.lastThen), Pending: len(m.seqQ)}
}
