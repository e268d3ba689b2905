package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Wording holds the phrasings a sample uses where the real connector text
// is unknown (domain.md §4): quick-sync sentences, the idle poll message, the
// spelling of "Commmand". Documented full-sync texts are not part of it.
type Wording struct {
	QuickStart string // fmt with users (%[1]d) and since (%[2]s)
	QuickDone  string // fmt with users (%[1]d), since (%[2]s); details appended
	Commmand   string // "Commmand" (docs) or "Command" (one translation)
	PollIdle   string
	SendEmail  string // fmt with recipient
}

var wordings = map[string]Wording{
	"a": {
		QuickStart: "Handling command: Getting the mobile device list with a time filter (quick sync) for %[1]d users",
		QuickDone:  "Getting the mobile device list with a time filter (quick sync) for %[1]d users completed successfully.",
		Commmand:   "Commmand",
		PollIdle:   "Get next command: no pending command for this connector.",
		SendEmail:  "SendEmail from notification account to %s",
	},
	"b": {
		QuickStart: "Handling command: Getting the mobile device list with time filter %[2]s (quick sync) for %[1]d users",
		QuickDone:  "Getting the mobile device list with time filter %[2]s (quick sync) for %[1]d users completed successfully.",
		Commmand:   "Command",
		PollIdle:   "Get next command returned no command; next poll in 60 seconds",
		SendEmail:  "SendEmail from notification account to %s succeeded",
	},
	"c": {
		QuickStart: "Handling command: Getting the mobile devices changed since %[2]s (quick sync) for %[1]d users",
		QuickDone:  "Getting the mobile devices changed since %[2]s (quick sync) for %[1]d users completed successfully.",
		Commmand:   "Commmand",
		PollIdle:   "Get next command: the service has no pending command (idle)",
		SendEmail:  "Sending Get Started mail: SendEmail from notification account to %s",
	},
}

// Sim models one connector server writing its trace log. Records can be
// added in any order; records() sorts them by write time.
type Sim struct {
	rng       *rand.Rand
	org       *Org
	w         Wording
	recs      []TraceRecord
	pid       int
	proc      string
	source    string
	zone      *time.Location // nil: UTC with Z
	startStop bool           // Start/Stop/Transfer records around syncs
	footers   bool           // System.Diagnostics footer on errors
	stackNL   string         // line break inside raw stack traces
	minLevel  int            // listener level: keep records with level <= minLevel (activity records when startStop)
	pollTID   int
	lastSync  time.Time
	pids      []pidChange // process IDs by time (service restarts)
}

type pidChange struct {
	at  time.Time
	pid int
}

// pidAt is the process ID of the service at t.
func (s *Sim) pidAt(t time.Time) int {
	pid := s.pid
	for _, c := range s.pids {
		if !t.Before(c.at) {
			pid = c.pid
		}
	}
	return pid
}

const serviceProcess = "Microsoft.Management.Services.OnPremisesExchangeConnectorService" // guessed process name
const serviceSource = "OnPremisesExchangeConnectorService"

func newSim(seed uint64, org *Org, wording string) *Sim {
	return &Sim{rng: rand.New(rand.NewPCG(seed, 0xc0ffee)), org: org, w: wordings[wording], pid: 3000 + int(seed%4000),
		proc: serviceProcess, source: serviceSource, stackNL: "\r\n", minLevel: 16, pollTID: 9, startStop: true}
}

func (s *Sim) host() string { return s.org.Connector }

// emit adds one record. tid 0 picks a worker thread.
func (s *Sim) emit(t time.Time, sub string, act string, tid int, kind PayloadKind, text string) *TraceRecord {
	if tid == 0 {
		tid = []int{12, 14, 17, 21, 23}[s.rng.IntN(5)]
	}
	// .NET times have 100 ns ticks: add a sub-millisecond part
	t = t.Add(time.Duration(s.rng.IntN(10000)) * 100 * time.Nanosecond)
	tt := t
	if s.zone != nil {
		tt = t.In(s.zone)
	}
	w := t
	if s.rng.IntN(8) == 0 {
		w = t.Add(time.Duration(s.rng.IntN(6)) * time.Millisecond)
	}
	s.recs = append(s.recs, TraceRecord{Sub: sub, Time: tt, Written: w, Source: s.source, Activity: act, Process: s.proc,
		PID: s.pidAt(t), TID: tid, Computer: s.host(), Kind: kind, Text: text})
	return &s.recs[len(s.recs)-1]
}

func (s *Sim) info(t time.Time, act, text string) { s.emit(t, Information, act, 0, PayloadText, text) }
func (s *Sim) verbose(t time.Time, act, text string) {
	s.emit(t, Verbose, act, 0, PayloadText, text)
}

// records returns the records the listener let through, in write order.
func (s *Sim) records() []TraceRecord {
	out := make([]TraceRecord, 0, len(s.recs))
	for _, r := range s.recs {
		l := levelOf(r.Sub)
		if l == 255 && !s.startStop {
			continue
		}
		if l != 255 && l > s.minLevel {
			continue
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b TraceRecord) int { return a.Written.Compare(b.Written) })
	return out
}

// startup writes the service start-up messages (wording guessed) and takes a new process ID.
func (s *Sim) startup(t time.Time, newPID int) time.Time {
	s.pids = append(s.pids, pidChange{t, newPID})
	s.info(t, "", "Microsoft Intune Exchange Connector Service is starting. Version: 16.0.1.9")
	t = t.Add(420 * time.Millisecond)
	s.verbose(t, "", `Loading service configuration from C:\ProgramData\Microsoft\Windows Intune Exchange Connector\OnPremisesExchangeConnectorServiceConfiguration.xml`)
	t = t.Add(1300 * time.Millisecond)
	s.info(t, "", fmt.Sprintf("Connecting to Exchange server %s.%s using remote PowerShell (https://%s.%s/PowerShell)", strings.ToLower(s.org.CAS), s.org.Domain, strings.ToLower(s.org.CAS), s.org.Domain))
	t = t.Add(2800 * time.Millisecond)
	s.info(t, "", fmt.Sprintf("Connected to Exchange server %s.%s (Version 15.1 (Build 2507.6))", strings.ToLower(s.org.CAS), s.org.Domain))
	t = t.Add(900 * time.Millisecond)
	s.info(t, "", "Microsoft Intune Exchange Connector Service started.")
	return t
}

// shutdown writes the (guessed) stop message.
func (s *Sim) shutdown(t time.Time) {
	s.info(t, "", "Microsoft Intune Exchange Connector Service is stopping.")
}

func (s *Sim) poll(t time.Time) {
	s.emit(t, Verbose, "", s.pollTID, PayloadText, s.w.PollIdle)
}

// SyncKind is full or quick.
type SyncKind int

const (
	FullSync SyncKind = iota
	QuickSync
)

// Outcome of a simulated sync.
type Outcome int

const (
	Completed Outcome = iota
	NeverEnds         // start, progress, then nothing (stuck or interrupted)
	Fails             // errors inside the activity, a failure line, Stop
)

// SyncSpec describes one simulated sync session.
type SyncSpec struct {
	Kind     SyncKind
	Users    int
	Devices  int
	Dur      time.Duration
	Outcome  Outcome
	Health   string                                // "" = Connected
	Inject   func(s *Sim, t time.Time, act string) // records inside the activity (errors of Fails, retries of Completed)
	Progress int                                   // verbose progress records
	Notify   []string                              // SendEmail recipients during the sync
}

// SyncLog remembers what a sync wrote, for the READMEs.
type SyncLog struct {
	Kind       SyncKind
	Start, End time.Time
	Outcome    Outcome
	Users      int
	Devices    int
	Health     string
}

// sync writes one sync session starting at t and returns its log.
func (s *Sim) sync(t time.Time, sp SyncSpec) SyncLog {
	act := newGUID(s.rng)
	cmd := newGUID(s.rng)
	tid := []int{12, 14, 17, 21, 23}[s.rng.IntN(5)]
	since := s.lastSync
	if since.IsZero() {
		since = t.Add(-4 * time.Hour)
	}
	sinceText := since.UTC().Format("2006-01-02T15:04:05Z")
	kindWord := "Full"
	if sp.Kind == QuickSync {
		kindWord = "Quick"
	}
	if s.startStop {
		tr := s.emit(t.Add(-time.Millisecond), Transfer, "", tid, PayloadEmpty, "")
		tr.Related = act
		s.emit(t, Start, act, tid, PayloadText, kindWord+" inventory command "+cmd)
	}
	var startText string
	if sp.Kind == FullSync {
		startText = fmt.Sprintf("Handling command: Getting the mobile device list without a time filter (full sync) for %d users", sp.Users)
	} else {
		startText = fmt.Sprintf(s.w.QuickStart, sp.Users, sinceText)
	}
	s.emit(t.Add(2*time.Millisecond), Information, act, tid, PayloadText, startText)
	// progress
	n := sp.Progress
	for i := 1; i <= n; i++ {
		pt := t.Add(sp.Dur * time.Duration(i) / time.Duration(n+1))
		got := sp.Devices * i / (n + 1)
		if sp.Outcome == NeverEnds && i > n/2 {
			break
		}
		s.emit(pt, Verbose, act, tid, PayloadText, fmt.Sprintf("Retrieved %d of %d mobile devices from Exchange server %s", got, sp.Devices, s.org.CAS))
	}
	end := t.Add(sp.Dur)
	for i, rcpt := range sp.Notify {
		s.emit(t.Add(sp.Dur*time.Duration(i+1)/time.Duration(len(sp.Notify)+2)), Information, act, tid, PayloadText, fmt.Sprintf(s.w.SendEmail, rcpt))
	}
	log := SyncLog{Kind: sp.Kind, Start: t, End: end, Outcome: sp.Outcome, Users: sp.Users, Devices: sp.Devices, Health: sp.Health}
	switch sp.Outcome {
	case NeverEnds:
		log.End = time.Time{}
		return log
	case Fails:
		if sp.Inject != nil {
			sp.Inject(s, t.Add(sp.Dur*3/4), act)
		}
		what := startText[len("Handling command: "):]
		s.emit(end, Error, act, tid, PayloadText, what+" failed. The inventory command will be retried.")
	case Completed:
		if sp.Inject != nil { // records inside a sync that then completes (retries)
			sp.Inject(s, t.Add(sp.Dur*3/4), act)
		}
		health := sp.Health
		if health == "" {
			health = "Connected"
		}
		cm := s.w.Commmand
		var what string
		if sp.Kind == FullSync {
			cm = "Commmand"
			if s.w.Commmand == "Command" {
				cm = "Command"
			}
			what = fmt.Sprintf("Getting the mobile device list without a time filter (full sync) for %d users completed successfully.", sp.Users)
		} else {
			what = fmt.Sprintf(s.w.QuickDone, sp.Users, sinceText)
		}
		msg := fmt.Sprintf("%s Details: Inventory command result - Devices synced: %d %s ID: %s' Exchange health: 'Server health 'Name: 'PowerShellExchangeServer: <Name=%s>' Status: %s','",
			what, sp.Devices, cm, cmd, s.org.CAS, health)
		s.emit(end, Information, act, tid, PayloadText, msg)
		// the poll thread logs within milliseconds of the completion and is
		// written after it: TimeCreated goes 2 ms backwards here.
		r := s.emit(end.Add(-2*time.Millisecond), Verbose, "", s.pollTID, PayloadText, "Get next command: inventory command "+cmd+" result uploaded to the Intune service")
		r.Written = end.Add(time.Millisecond)
		s.lastSync = t
	}
	if s.startStop {
		s.emit(end.Add(3*time.Millisecond), Stop, act, tid, PayloadText, kindWord+" inventory command "+cmd)
	}
	return log
}

// Plan is a regular schedule: polls, a daily full sync, quick syncs.
type Plan struct {
	From, To   time.Time
	PollEvery  time.Duration
	FullAt     time.Duration // time of day
	QuickEvery time.Duration
	QuickPhase time.Duration
	Down       [][2]time.Time                              // service not running
	FullHook   func(day int, sp *SyncSpec)                 // adjust a day's full sync
	QuickHook  func(i int, t time.Time, sp *SyncSpec) bool // adjust or drop (false) a quick sync
	PollHook   func(t time.Time) bool                      // true: the sample wrote this poll itself
}

func (p *Plan) down(t time.Time) bool {
	for _, w := range p.Down {
		if !t.Before(w[0]) && t.Before(w[1]) {
			return true
		}
	}
	return false
}

// busy windows of syncs, to keep quick syncs out of a running full sync
type window struct{ a, b time.Time }

// run writes the schedule and returns the sync logs in start order.
func (s *Sim) run(p Plan) []SyncLog {
	var logs []SyncLog
	var busy []window
	inBusy := func(t time.Time, d time.Duration) bool {
		for _, w := range busy {
			if t.Before(w.b.Add(2*time.Minute)) && t.Add(d).After(w.a) {
				return true
			}
		}
		return false
	}
	// full syncs
	day := 0
	for d := p.From.Truncate(24 * time.Hour); d.Before(p.To); d = d.Add(24 * time.Hour) {
		t := d.Add(p.FullAt).Add(time.Duration(s.rng.IntN(240)) * time.Second)
		if t.Before(p.From) || !t.Before(p.To) || p.down(t) {
			day++
			continue
		}
		users := len(s.org.Users)
		sp := SyncSpec{Kind: FullSync, Users: users, Devices: s.org.Devices, Dur: time.Duration(330+s.rng.IntN(200)) * time.Second, Progress: s.org.Devices / 150}
		if p.FullHook != nil {
			p.FullHook(day, &sp)
		}
		day++
		l := s.sync(t, sp)
		logs = append(logs, l)
		end := l.End
		if end.IsZero() {
			end = t.Add(sp.Dur)
		}
		busy = append(busy, window{t, end})
	}
	// quick syncs
	qi := 0
	for t := p.From.Truncate(24 * time.Hour).Add(p.QuickPhase); t.Before(p.To); t = t.Add(p.QuickEvery) {
		at := t.Add(time.Duration(s.rng.IntN(180)) * time.Second)
		if at.Before(p.From) || !at.Before(p.To) || p.down(at) {
			continue
		}
		changed := 3 + s.rng.IntN(25)
		var notify []string
		if s.rng.IntN(3) == 0 {
			u := s.org.Users[s.rng.IntN(len(s.org.Users))]
			notify = append(notify, u.PrimarySMTP)
		}
		sp := SyncSpec{Kind: QuickSync, Users: changed, Devices: changed + s.rng.IntN(changed+1), Dur: time.Duration(8+s.rng.IntN(40)) * time.Second, Progress: 1, Notify: notify}
		for inBusy(at, sp.Dur) {
			at = at.Add(10 * time.Minute)
		}
		if p.QuickHook != nil && !p.QuickHook(qi, at, &sp) {
			qi++
			continue
		}
		qi++
		logs = append(logs, s.sync(at, sp))
	}
	// polls
	for t := p.From; t.Before(p.To); t = t.Add(p.PollEvery) {
		at := t.Add(time.Duration(s.rng.IntN(900)) * time.Millisecond)
		if p.down(at) {
			continue
		}
		if p.PollHook != nil && p.PollHook(at) {
			continue
		}
		s.poll(at)
	}
	slices.SortStableFunc(logs, func(a, b SyncLog) int { return a.Start.Compare(b.Start) })
	return logs
}

// --- errors -----------------------------------------------------------------

const (
	webExceptionType    = "System.Net.WebException, System, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089"
	socketExceptionType = "System.Net.Sockets.SocketException, System, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089"
	authExceptionType   = "System.Security.Authentication.AuthenticationException, System, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089"
)

// intuneStack is a guessed stack of the connector's polling code.
var intuneStack = []string{
	"System.Net.HttpWebRequest.GetResponse()",
	"Microsoft.Management.Services.OnPremisesExchangeConnector.IntuneServiceProxy.SendRequest(HttpWebRequest request)",
	"Microsoft.Management.Services.OnPremisesExchangeConnector.IntuneServiceProxy.GetNextCommand(Guid connectorId)",
	"Microsoft.Management.Services.OnPremisesExchangeConnector.CommandPoller.Poll()",
}

// getNextCommandError writes a failed poll in one of three payload shapes
// (variant 0: escaped text with the stack; 1: TraceRecord with raw
// newlines; 2: DataItem).
func (s *Sim) getNextCommandError(t time.Time, ex *ExceptionInfo, variant int) {
	switch variant % 3 {
	case 0:
		r := s.emit(t, Error, "", s.pollTID, PayloadText, "Exception in Get next command: "+exceptionString(ex, "\r\n"))
		if s.footers {
			r.Footer = &Footer{LogicalOps: []string{"CommandPoller"}, Timestamp: t.UnixNano() / 100 % 1e13, Callstack: "   at System.Environment.GetStackTrace(Exception e, Boolean needFileInfo)\r\n   at Microsoft.Management.Services.OnPremisesExchangeConnector.CommandPoller.Poll()"}
		}
	case 1:
		s.emit(t, Error, "", s.pollTID, PayloadRawXML, traceRecordXML("Error",
			"Microsoft.Management.Services.OnPremisesExchangeConnector.GetNextCommandFailed",
			"Get next command failed.", serviceProcess+".exe", ex, s.stackNL))
	case 2:
		s.emit(t, Error, "", s.pollTID, PayloadDataItem, "Get next command: request to https://"+intuneHost+"/ failed: "+ex.Message)
	}
}

const intuneHost = "manage.microsoft.com"

func webEx(msg string, inner *ExceptionInfo) *ExceptionInfo {
	return &ExceptionInfo{Type: webExceptionType, Message: msg, Stack: intuneStack, Inner: inner}
}
