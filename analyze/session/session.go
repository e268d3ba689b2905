// Package session rebuilds the connector's sync sessions from the merged
// event stream and computes the timing checks that the pattern language
// cannot express (cadence inference, slowness against peers).
//
// Session rules (the wording of quick syncs, start-up messages and
// failures is not documented, domain.md §4, so only stable cores are used):
//
//   - Sync message: the text carries "(full sync)", "(quick sync)" or
//     "(delta sync)" in any case ("delta" counts as quick).
//   - Verdict of a sync message, first match wins, reading only the text
//     before "Details": "completed successfully" → completed (the product's
//     own verdict); failure words (fail, exception, error, abort, timed out,
//     not completed) or an Error/Critical record → failed; "Handling
//     command:" → explicit start; a completion word as a whole word (done, complete(d), finished, succeeded, success(ful), ended; not in a "progress" line) →
//     completed; "exception"/"failed" after "Details" → failed; otherwise
//     an implicit start.
//   - Pairing: an end goes to the open session with the same non-zero
//     activity id and kind, else to the open session of its kind on its
//     host (the connector's activity use is unconfirmed, so a mismatch does
//     not prevent pairing). An end with no open session is kept as a session
//     with Start = End, DurationS nil and ReasonNoStart (its start rotated
//     away); an exact duplicate record (same time and text, e.g. a
//     GUID-prefixed copy of a log) is ignored.
//   - One command, one session. One open session per (host, kind). A
//     start-like line (the documented "Handling command:", or a marker line
//     without verbs such as "Received command … (quick sync)") joins the
//     open session unless it shows a new command: another command id,
//     another "Handling command:" in another activity, or no start-like
//     line of that session for joinWindow. Only then is the open session
//     superseded (ReasonSuperseded, the evidence named). "Handling
//     command:" becomes the session's start when it joins a session opened
//     by an earlier received-style line. A start-like line of the command
//     that just completed (same activity or command id) is ignored.
//   - Retries are not failures: a failure message that announces a retry
//     ("retrying", "will be retried", "attempt 1 of 5") keeps the session
//     open; the sync's own completion then makes it completed with
//     Retries counted, else it ends as that failure. Retry notices (any
//     Warning/Error in the session's activity that announces a retry) less
//     than a second apart count once.
//   - Restart (ReasonRestarted): the process of the session's PID was
//     replaced (restartDetector, the one rule also used for the report's
//     changes), or a start/stop message of the service (guessed wording,
//     or SCM 7036 naming the connector) from a different or unknown PID.
//   - The session's activity is the start record's; Transfer records from it
//     (or from an activity it transferred to) add their RelatedActivityID,
//     up to 8 per session.
//   - Error/Critical records or exception fields in the session's
//     activities are counted and kept as evidence (first 2). A Stop record of the
//     session's activity is noted but does not end it (a completion may
//     follow under another activity).
//   - Status: completed when a success message ends it (errors seen inside
//     are then named in Reason), or when it ends without one after a clean
//     Stop of its activity with no error inside (ReasonInferred: failure
//     needs evidence of failure); failed when a failure message ends it, or
//     when it ends without a success message after errors in its activity
//     (known to have gone wrong); unfinished otherwise (superseded,
//     restarted, ReasonLogsEnd).
//   - Origin is the start record's origin; sessions cross files freely
//     because the input is one stream merged by time.
package session

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"exlog/event"
	"exlog/report"
)

// Reasons that start report.Sync.Reason for sessions without a completion
// message. A reason may carry details after these prefixes.
const (
	ReasonSuperseded   = "superseded by a new start"
	ReasonRestarted    = "service restarted"
	ReasonLogsEnd      = "logs end before completion"
	ReasonNoStart      = "its start is not in the logs"
	ReasonErrorsInside = "error records inside its activity"
	ReasonStopped      = "its activity stopped without a completion message"
	// ReasonFailureWarnings: Warnings inside its activity that report a
	// failure without announcing a retry.
	ReasonFailureWarnings = "failure warning(s) inside its activity"
	// ReasonInferred: a completed sync whose completion was inferred from
	// a clean Stop of its activity (no error inside, no failure message).
	ReasonInferred = "completion inferred: its activity stopped with no error inside and no completion message was recognised"
)

// Status values of report.Sync.Status (the session package's names for
// report's typed constants).
const (
	StatusCompleted  = report.SyncCompleted
	StatusFailed     = report.SyncFailed
	StatusUnfinished = report.SyncUnfinished
)

// Options tune session building and the checks. The zero value means
// "infer or use the defaults" for every field.
type Options struct {
	// QuickInterval overrides the inferred quick-sync cadence; 0 = infer
	// the median interval between quick-sync starts.
	QuickInterval time.Duration
	// FullInterval is the expected full-sync period; 0 = 24h.
	FullInterval time.Duration
	// Grace is added to FullInterval before the covered window counts as
	// long enough to judge the schedule; 0 = 2h.
	Grace time.Duration
	// SlowFactor: a completed sync is slow when it takes more than
	// SlowFactor × the median of its kind (and more than 10 minutes);
	// 0 = 3.
	SlowFactor float64
	// SlowAbsolute: any sync longer than this is slow whatever its peers;
	// 0 = the default bound (see AbsoluteSlowBound), negative = no
	// absolute bound.
	SlowAbsolute time.Duration
}

// Defaults applied by withDefaults.
const (
	DefaultFullInterval = 24 * time.Hour
	DefaultGrace        = 2 * time.Hour
	DefaultSlowFactor   = 3.0
	// DefaultSlowAbsolute and SlowPerUser make the default absolute
	// bound: max(DefaultSlowAbsolute, SlowPerUser × the users the sync
	// reports). See AbsoluteSlowBound for why.
	DefaultSlowAbsolute = 2 * time.Hour
	SlowPerUser         = time.Second
	// slowMinimum: a relative slowness below this duration is not worth
	// reporting (a 40 s quick sync taking 3 min is noise).
	slowMinimum = 10 * time.Minute
)

func (o Options) withDefaults() Options {
	if o.FullInterval <= 0 {
		o.FullInterval = DefaultFullInterval
	}
	if o.Grace <= 0 {
		o.Grace = DefaultGrace
	}
	if o.SlowFactor <= 0 {
		o.SlowFactor = DefaultSlowFactor
	}
	if o.QuickInterval < 0 {
		o.QuickInterval = 0
	}
	return o
}

// Evidence caps: a session keeps its start, at most maxErrorEvidence error
// records, the record that stopped or ended it.
const (
	maxChildren      = 8
	maxErrorEvidence = 2
	maxEvidenceText  = 400
)

// Session is one sync session as the model sees it: typed kind and
// status, times (End zero when no end was seen; StartSeen false for a
// completion whose start is not in the logs), the retries counted and the
// restart that cut it. Sync is the one conversion to the report.
type Session struct {
	Kind           report.SyncKind
	Status         report.SyncStatus
	Start          time.Time
	StartSeen      bool
	End            time.Time
	Users          *int
	Devices        *int
	CommandID      string
	ExchangeHealth string
	Reason         string
	Retries        int
	Restart        *Restart // the process change that ended it, if one did
	Origin         string   // the start record's (file@offset or file:line)
	Evidence       []report.Evidence
}

// Duration is End - Start (never negative: records of different threads
// may be a few ms out of order), and false when either is unknown.
func (s *Session) Duration() (time.Duration, bool) {
	if !s.StartSeen || s.End.IsZero() {
		return 0, false
	}
	return max(s.End.Sub(s.Start), 0), true
}

// Sync converts s to the report's form (the one place that does).
// Slowness is judged afterwards over all sessions (MarkSlow).
func (s *Session) Sync() report.Sync {
	sy := report.Sync{
		Kind: s.Kind, Status: s.Status, Start: s.Start, Users: s.Users, DevicesSynced: s.Devices,
		CommandID: s.CommandID, ExchangeHealth: s.ExchangeHealth, Reason: s.Reason, Retries: s.Retries,
		Origin: s.Origin, Evidence: s.Evidence,
	}
	if !s.End.IsZero() {
		end := s.End
		sy.End = &end
	}
	if d, ok := s.Duration(); ok {
		sec := d.Seconds()
		sy.DurationS = &sec
	}
	return sy
}

type sessionKey struct {
	host string
	kind syncKind
}

// openSession is a session whose start was seen and whose end was not.
type openSession struct {
	key      sessionKey
	sync     Session
	explicit bool // started by "Handling command:"
	activity event.GUID
	pid      uint32
	source   string
	proc     string // process.name field, "" if the reader did not set it
	startMsg string // for recognising a duplicated start record

	children  [maxChildren]event.GUID // activities transferred to from its own
	nChildren int

	errors       int    // Error/Critical/exception records in its activity
	firstError   string // text of the first one
	failures     int    // Warnings with failure words that announce no retry
	firstFailure string // text of the first one
	stopped      bool   // a Stop record of its activity was seen
	stopAt       time.Time

	commandID string    // from a start-like line or a retry notice, "" if none said
	lastStart time.Time // the latest start-like line joined to it
	retries   int       // retry notices (one per failed attempt, see retryAt)
	retryAt   time.Time // time of the last counted retry notice

	// failedAt is set when a failure message that announces a retry was
	// seen: the session stays open for its completion; if none comes,
	// failed is what it becomes (exactly as if the failure had ended it).
	failed *Session
}

type endMark struct {
	at       time.Time
	msg      string
	activity event.GUID
	command  string
}

// joinWindow: start-like lines of one kind on one host within this time
// of each other, without a completion between and without evidence of
// another command, are one command ("Received command … (quick sync)"
// logged a few milliseconds before "Handling command: … (quick sync)").
const joinWindow = 5 * time.Minute

// retryWindow: retry notices of one session less than this apart are one
// failed attempt (an exception and the Warning announcing its retry).
const retryWindow = time.Second

// Builder turns a time-ordered event stream into sync sessions.
//
// Observe takes events in approximately time order (records of different
// threads may be a few milliseconds out of order; sessions last far
// longer, so this does not matter). Memory grows with the number of open
// sessions (at most one per kind and host) and with the finished sessions
// it returns, never with the number of records: a record that is not a
// sync message and does not touch an open session is not retained, and
// Observe does not allocate for it.
//
// A Builder is not safe for concurrent use. Events passed to Observe are
// only read; strings from them may be kept (Event strings are immutable).
type Builder struct {
	opt      Options
	restarts restartDetector
	open     []*openSession // tiny: one per (host, kind)
	lastEnd  map[sessionKey]endMark
	done     []Session
}

// NewBuilder returns an empty builder; opt sets the slowness rule that
// Finish applies (MarkSlow). The pairing rules do not depend on it.
func NewBuilder(opt Options) *Builder {
	return &Builder{opt: opt.withDefaults(), lastEnd: make(map[sessionKey]endMark)}
}

// Observe feeds one record. See the package and type comments for the
// rules. A nil event is ignored.
func (b *Builder) Observe(e *event.Event) {
	if e == nil {
		return
	}
	kind, _ := findMarker(e.Message)
	if len(b.open) > 0 {
		b.watchOpen(e, kind != kindNone)
	} else {
		b.restarts.observe(e)
	}
	if kind != kindNone {
		b.syncMessage(e, kind)
	}
}

// watchOpen applies the rules that need an open session: a restart of
// the service, and error or Stop records inside a session's activity.
func (b *Builder) watchOpen(e *event.Event, isSync bool) {
	rs, restarted := b.restarts.observe(e)
	startupChecked, startup := false, false
	for i := 0; i < len(b.open); i++ {
		s := b.open[i]
		if !sameHost(e.Host, s.key.host) {
			continue
		}
		why := ""
		if restarted && s.pid == rs.OldPID {
			r := rs
			s.sync.Restart = &r
			why = ReasonRestarted + " (process " + strconv.FormatUint(uint64(rs.OldPID), 10) + " → " + strconv.FormatUint(uint64(rs.NewPID), 10) + " at " + e.Time.UTC().Format(time.RFC3339) + ")"
		} else if e.PID == 0 || s.pid == 0 || e.PID != s.pid {
			if !startupChecked {
				startup, startupChecked = isStartupMessage(e.Message), true
			}
			if startup {
				why = ReasonRestarted + " (service start/stop message at " + e.Time.UTC().Format(time.RFC3339) + ")"
			}
		}
		if why != "" {
			b.closeOpen(i, why, e)
			i-- // closeOpen moved the last open session to i
		}
	}
	if e.Activity.IsZero() || isSync {
		return // a sync message in the activity is handled as an end
	}
	s := b.byActivity(e.Activity, kindNone)
	if s == nil {
		return
	}
	own := e.Activity == s.activity
	_, exc := e.Field(event.FieldExceptionType)
	switch {
	case e.Type == event.Transfer:
		s.addChild(e.Related)
	case (e.Type == event.Warning || e.Type == event.Error || e.Type == event.Critical || exc) && announcesRetry(e.Message):
		s.countRetry(e.Time)
		if e.Type == event.Warning {
			if len(s.sync.Evidence) < maxErrorEvidence+1 {
				s.sync.Evidence = append(s.sync.Evidence, evidenceOf(e))
			}
			return
		}
		fallthrough
	case e.Type == event.Error || e.Type == event.Critical || exc:
		s.errors++
		if s.errors == 1 {
			s.firstError = strings.Clone(truncate(eventText(e), 200))
		}
		if s.errors <= maxErrorEvidence {
			s.sync.Evidence = append(s.sync.Evidence, evidenceOf(e))
		}
	case e.Type == event.Warning && hasFailureWord(e.Message):
		// A Warning that reports a failure and announces no retry (a
		// last attempt that gave up): evidence of failure for a session
		// that then stops without a completion message.
		s.failures++
		if s.failures == 1 {
			s.firstFailure = strings.Clone(truncate(eventText(e), 200))
			if len(s.sync.Evidence) < maxErrorEvidence+1 {
				s.sync.Evidence = append(s.sync.Evidence, evidenceOf(e))
			}
		}
	case e.Type == event.Stop && own && !s.stopped:
		s.stopped, s.stopAt = true, e.Time
		s.sync.Evidence = append(s.sync.Evidence, evidenceOf(e))
	}
}

// byActivity returns the open session whose activity, or an activity
// transferred to from it, is a (and of kind k unless k is kindNone).
func (b *Builder) byActivity(a event.GUID, k syncKind) *openSession {
	for _, s := range b.open {
		if k != kindNone && s.key.kind != k {
			continue
		}
		if s.activity == a {
			return s
		}
		for _, c := range s.children[:s.nChildren] {
			if c == a {
				return s
			}
		}
	}
	return nil
}

// addChild remembers an activity that the session's activity transferred
// to (a Transfer record's RelatedActivityID), so that errors there count
// as inside the session. At most maxChildren are kept: memory stays
// bounded per open session.
func (s *openSession) addChild(a event.GUID) {
	if a.IsZero() || a == s.activity || s.nChildren == maxChildren {
		return
	}
	for _, c := range s.children[:s.nChildren] {
		if c == a {
			return
		}
	}
	s.children[s.nChildren] = a
	s.nChildren++
}

func (b *Builder) byKey(key sessionKey) *openSession {
	for _, s := range b.open {
		if s.key == key {
			return s
		}
	}
	return nil
}

func (b *Builder) indexOf(s *openSession) int {
	for i, o := range b.open {
		if o == s {
			return i
		}
	}
	return -1
}

// syncMessage handles a record that carries a sync marker.
func (b *Builder) syncMessage(e *event.Event, kind syncKind) {
	v := classify(e.Message, e.Type)
	key := sessionKey{host: e.Host, kind: kind}
	var s *openSession
	if !e.Activity.IsZero() {
		s = b.byActivity(e.Activity, kind)
	}
	if s == nil {
		s = b.byKey(key)
	}
	switch v {
	case endCompleted:
		if s != nil {
			b.complete(s, e, v)
			return
		}
		if b.seenEnd(key, e) {
			return
		}
		b.orphanEnd(e, kind, v)
	case endFailed, retryFailed:
		if s == nil {
			if b.seenEnd(key, e) {
				return
			}
			b.orphanEnd(e, kind, endFailed)
			return
		}
		if v == endFailed {
			b.complete(s, e, endFailed)
			return
		}
		// A failure that announces a retry: failed unless the sync's own
		// completion follows.
		snap := s.sync
		snap.Evidence = slices.Clone(s.sync.Evidence)
		snap.Retries = s.retries
		b.fillEnd(&snap, e, endFailed)
		if s.errors > 0 {
			snap.Reason += "; " + strconv.Itoa(s.errors) + " " + ReasonErrorsInside + " (first: " + s.firstError + ")"
		}
		s.countRetry(e.Time)
		s.failed = &snap
		if len(s.sync.Evidence) < maxErrorEvidence+1 {
			s.sync.Evidence = append(s.sync.Evidence, evidenceOf(e))
		}
	case retryNotice:
		if s != nil {
			s.countRetry(e.Time)
			return
		}
		b.start(e, kind, false).countRetry(e.Time)
	case startExplicit, startImplicit:
		explicit := v == startExplicit
		d := parseDetails(e.Message)
		if s == nil {
			if !explicit && b.afterEnd(key, e, d.commandID) {
				return // a line about a command that has just completed
			}
			b.start(e, kind, explicit)
			return
		}
		if e.Time.Equal(s.sync.Start) && e.Message == s.startMsg && e.Activity == s.activity {
			return // the same start record twice (duplicated log file)
		}
		if why := s.newCommand(e, explicit, d.commandID); why != "" {
			if s.failed != nil {
				b.emitFailed(s)
			} else {
				b.closeOpen(b.indexOf(s), ReasonSuperseded+" at "+e.Time.UTC().Format(time.RFC3339)+" ("+why+")", e)
			}
			b.start(e, kind, explicit)
			return
		}
		s.join(e, explicit, d)
	}
}

// seenEnd reports whether e repeats the last end record of its key (the
// same completion twice, e.g. a duplicated log file).
func (b *Builder) seenEnd(key sessionKey, e *event.Event) bool {
	m, ok := b.lastEnd[key]
	return ok && m.at.Equal(e.Time) && m.msg == e.Message
}

// afterEnd reports whether a start-like line belongs to the command that
// ended last on its key: the same non-zero activity or command id.
func (b *Builder) afterEnd(key sessionKey, e *event.Event, cmd string) bool {
	m, ok := b.lastEnd[key]
	if !ok {
		return false
	}
	return (!e.Activity.IsZero() && e.Activity == m.activity) || (cmd != "" && cmd == m.command)
}

// newCommand says why start-like line e (of s's kind and host) starts a
// new command rather than belonging to s, or "" when it belongs to s. The
// evidence of a new command: another command id; another "Handling
// command:" in another activity; a start-like line more than joinWindow
// after the last one with neither the same activity nor the same command
// id. Anything else joins s: the wording of received/dequeued/progress
// lines is not documented, so a second start-like line alone proves
// nothing.
func (s *openSession) newCommand(e *event.Event, explicit bool, cmd string) string {
	if cmd != "" && s.commandID != "" {
		if cmd != s.commandID {
			return "another command id"
		}
		return ""
	}
	sameAct := !s.activity.IsZero() && s.activity == e.Activity
	if sameAct {
		return ""
	}
	diffAct := !s.activity.IsZero() && !e.Activity.IsZero()
	if explicit && s.explicit && diffAct {
		return "another activity"
	}
	if !explicit && s.explicit {
		return "" // a progress line of a handled command
	}
	if e.Time.Sub(s.lastStart) > joinWindow {
		return "no completion in " + formatDuration(e.Time.Sub(s.lastStart))
	}
	return ""
}

// join adds start-like line e to s. The documented "Handling command:"
// line becomes the session's start (its time, activity and evidence), so
// a received/dequeued line before it changes nothing but the join.
func (s *openSession) join(e *event.Event, explicit bool, d details) {
	if e.Time.After(s.lastStart) {
		s.lastStart = e.Time
	}
	if s.commandID == "" {
		s.commandID = d.commandID
	}
	if explicit && !s.explicit {
		s.explicit = true
		s.sync.Start = e.Time
		s.sync.Origin = e.Origin.String()
		s.sync.Evidence[0] = evidenceOf(e)
		s.startMsg = e.Message
		if !e.Activity.IsZero() {
			s.activity = e.Activity
		}
		if d.users != nil {
			s.sync.Users = d.users
		}
		return
	}
	if s.sync.Users == nil {
		s.sync.Users = d.users
	}
}

// countRetry counts one failed attempt; notices less than retryWindow
// apart are the same attempt (an exception and its retry Warning).
func (s *openSession) countRetry(at time.Time) {
	if s.retries > 0 && at.Sub(s.retryAt) < retryWindow && s.retryAt.Sub(at) < retryWindow {
		return
	}
	s.retries++
	s.retryAt = at
}

// emitFailed ends s as the failure it announced (a retry that never
// completed).
func (b *Builder) emitFailed(s *openSession) {
	b.remove(b.indexOf(s))
	b.lastEnd[s.key] = endMark{at: s.failed.End, activity: s.activity, command: s.commandID}
	b.done = append(b.done, *s.failed)
}

func (b *Builder) start(e *event.Event, kind syncKind, explicit bool) *openSession {
	proc, _ := e.Field(event.FieldProcessName)
	d := parseDetails(e.Message)
	s := &openSession{
		commandID: d.commandID,
		lastStart: e.Time,
		key:       sessionKey{host: e.Host, kind: kind},
		explicit:  explicit,
		activity:  e.Activity,
		pid:       e.PID,
		source:    e.Source,
		proc:      proc,
		startMsg:  e.Message,
		sync: Session{
			Kind:      kind.report(),
			Start:     e.Time,
			StartSeen: true,
			Users:     d.users,
			Origin:    e.Origin.String(),
			Evidence:  []report.Evidence{evidenceOf(e)},
		},
	}
	b.open = append(b.open, s)
	return s
}

// complete ends s with a completion (or failure) message.
func (b *Builder) complete(s *openSession, e *event.Event, v verdict) {
	b.fillEnd(&s.sync, e, v)
	switch {
	case v == endCompleted && s.errors > 0:
		s.sync.Reason = "completed successfully after " + strconv.Itoa(s.errors) + " " + ReasonErrorsInside + " (first: " + s.firstError + ")"
	case v == endFailed && s.errors > 0:
		s.sync.Reason += "; " + strconv.Itoa(s.errors) + " " + ReasonErrorsInside + " (first: " + s.firstError + ")"
	}
	s.sync.Retries = s.retries
	cmd := s.commandID
	if cmd == "" {
		cmd = s.sync.CommandID
	}
	b.lastEnd[s.key] = endMark{at: e.Time, msg: e.Message, activity: s.activity, command: cmd}
	b.remove(b.indexOf(s))
	b.done = append(b.done, s.sync)
}

// fillEnd sets the end time, duration, status and details from the end
// record e.
func (b *Builder) fillEnd(sy *Session, e *event.Event, v verdict) {
	sy.End = e.Time
	dt := parseDetails(e.Message)
	if dt.users != nil {
		sy.Users = dt.users
	}
	if dt.devices != nil {
		sy.Devices = dt.devices
	}
	if dt.commandID != "" {
		sy.CommandID = dt.commandID
	}
	if dt.health != "" {
		sy.ExchangeHealth = dt.health
	}
	if v == endFailed {
		sy.Status = StatusFailed
		sy.Reason = "failure reported: " + strings.Clone(truncate(e.Message, 300))
	} else {
		sy.Status = StatusCompleted
	}
	sy.Evidence = append(sy.Evidence, evidenceOf(e))
}

// orphanEnd records a completion whose start is not in the logs (cut off
// by rotation, or a start wording we did not recognise). Its Start is the
// end time and its duration is unknown (nil).
func (b *Builder) orphanEnd(e *event.Event, kind syncKind, v verdict) {
	sy := Session{Kind: kind.report(), Start: e.Time, Origin: e.Origin.String()}
	b.fillEnd(&sy, e, v)
	if sy.Reason == "" {
		sy.Reason = ReasonNoStart
	} else {
		sy.Reason = ReasonNoStart + "; " + sy.Reason
	}
	b.lastEnd[sessionKey{host: e.Host, kind: kind}] = endMark{at: e.Time, msg: e.Message}
	b.done = append(b.done, sy)
}

// closeOpen ends open session i without a completion message. cause (may
// be nil) is the record that ended it, kept as evidence. The status is
// failed when its activity showed errors (it is known to have gone
// wrong), completed (ReasonInferred, ended at the Stop) when its activity
// stopped cleanly, unfinished otherwise.
func (b *Builder) closeOpen(i int, why string, cause *event.Event) {
	s := b.open[i]
	if s.failed != nil {
		b.emitFailed(s)
		return
	}
	b.remove(i)
	sy := s.sync
	sy.Status = StatusUnfinished
	sy.Reason = why
	sy.Retries = s.retries
	switch {
	case s.errors > 0:
		// Evidence of failure: errors inside its activity.
		sy.Status = StatusFailed
		sy.Reason += "; " + strconv.Itoa(s.errors) + " " + ReasonErrorsInside + " (first: " + s.firstError + ")"
		if s.stopped {
			sy.Reason += "; " + ReasonStopped + " (at " + s.stopAt.UTC().Format(time.RFC3339) + ")"
		}
	case s.stopped && s.failures > 0:
		sy.Status = StatusFailed
		sy.Reason += "; " + strconv.Itoa(s.failures) + " " + ReasonFailureWarnings + " (first: " + s.firstFailure + "); " + ReasonStopped + " (at " + s.stopAt.UTC().Format(time.RFC3339) + ")"
	case s.stopped:
		// A clean Stop of its activity with no error inside: it ended,
		// and nothing says it failed. The completion wording is not
		// documented for every sync (domain.md §4), so the end message
		// may simply not have been recognised: completed, inferred.
		sy.Status = StatusCompleted
		sy.End = s.stopAt
		sy.Reason = ReasonInferred + " (at " + s.stopAt.UTC().Format(time.RFC3339) + ")"
		cmd := s.commandID
		if cmd == "" {
			cmd = sy.CommandID
		}
		b.lastEnd[s.key] = endMark{at: s.stopAt, activity: s.activity, command: cmd}
		cause = nil // the record after the Stop did not end it
	}
	if cause != nil && len(sy.Evidence) < report.MaxEvidence {
		sy.Evidence = append(sy.Evidence, evidenceOf(cause))
	}
	b.done = append(b.done, sy)
}

func (b *Builder) remove(i int) {
	if i < 0 {
		return
	}
	b.open[i] = b.open[len(b.open)-1]
	b.open[len(b.open)-1] = nil
	b.open = b.open[:len(b.open)-1]
}

// Finish closes the stream: sessions still open become unfinished (or
// failed, see closeOpen) with ReasonLogsEnd. lastRecord is the last record
// time of the trace logs (zero if unknown), used to say how long a session
// had been running. Slow sessions are marked (MarkSlow).
// It returns every session sorted by start time (then kind) and resets the
// builder, which may then be reused for another stream.
func (b *Builder) Finish(lastRecord time.Time) []report.Sync {
	for len(b.open) > 0 {
		s := b.open[0]
		why := ReasonLogsEnd
		if !lastRecord.IsZero() && lastRecord.After(s.sync.Start) {
			why += " (running for " + formatDuration(lastRecord.Sub(s.sync.Start)) + " at the last record)"
		}
		b.closeOpen(0, why, nil)
	}
	out := make([]report.Sync, len(b.done))
	for i := range b.done {
		out[i] = b.done[i].Sync()
	}
	MarkSlow(out, b.opt)
	slices.SortStableFunc(out, func(x, y report.Sync) int {
		if c := x.Start.Compare(y.Start); c != 0 {
			return c
		}
		return strings.Compare(string(x.Kind), string(y.Kind))
	})
	b.done = nil
	clear(b.lastEnd)
	b.restarts = restartDetector{list: b.restarts.list[:0:0]}
	return out
}

// Restarts returns the connector restarts seen in the stream so far (the
// one place restarts are detected, see restartDetector), in stream order.
// Call it before Finish, which resets the builder.
func (b *Builder) Restarts() []Restart { return b.restarts.list }

// ProcessRuns is the number of distinct connector process runs (host,
// process name, PID) seen in the trace records so far. Call it before
// Finish.
func (b *Builder) ProcessRuns() int { return len(b.restarts.seen) }

// retained reports the builder's internal state sizes (for the memory
// test): open sessions, remembered end records, finished sessions.
func (b *Builder) retained() (open, ends, done int) {
	return len(b.open), len(b.lastEnd), len(b.done)
}

// eventText is the human text of e: its message, or its exception.
func eventText(e *event.Event) string {
	if strings.TrimSpace(e.Message) != "" {
		return e.Message
	}
	t, _ := e.Field(event.FieldExceptionType)
	m, _ := e.Field(event.FieldExceptionMessage)
	switch {
	case t != "" && m != "":
		return t + ": " + m
	case t != "":
		return t
	}
	return m
}

func evidenceOf(e *event.Event) report.Evidence {
	ev := report.NewEvidence(e.Origin.Path, e.Origin.Offset, e.Origin.Line, time.Time{}, strings.Clone(truncate(eventText(e), maxEvidenceText)))
	ev.SetTime(e.Time, e.TimeZone())
	return ev
}
