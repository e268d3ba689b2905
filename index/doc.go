// Package index sends a bundle's events, findings and sync sessions to
// Elasticsearch (or to VictoriaLogs through its Elasticsearch bulk
// endpoint) for Kibana, and prepares a cluster with `Setup`.
//
// Documents go to three data streams, logs-exlog.{events,findings,syncs}-<ns>,
// with action "create" and deterministic ids, so indexing a bundle twice
// adds nothing: the second run's documents come back as 409 "already there".
package index

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"exlog/event"
	"exlog/report"
)

// Dataset names: the middle part of each data stream name and the value
// of event.dataset.
const (
	DatasetEvents   = "exlog.events"
	DatasetFindings = "exlog.findings"
	DatasetSyncs    = "exlog.syncs"
)

// Stream names the data stream of a dataset in a namespace:
// logs-exlog.events-default.
func Stream(dataset, namespace string) string {
	return "logs-" + dataset + "-" + namespace
}

// ValidNamespace reports whether ns can be the namespace part of a data
// stream name (Elasticsearch: lower case, no "-", no \/*?"<>|,# or space,
// at most 100 bytes).
func ValidNamespace(ns string) bool {
	if ns == "" || len(ns) > 100 {
		return false
	}
	for _, r := range ns {
		if r >= 'A' && r <= 'Z' || strings.ContainsRune(`-\/*?"<>|,# :`, r) {
			return false
		}
	}
	return true
}

// Bundle is the identity stamped on every document as exlog.bundle.*.
type Bundle struct {
	// ID is the hex SHA-256 of the bundle's content identity (see
	// IdentifyBundle); document ids derive from it.
	ID string
	// Name is for people: the base name of the first path.
	Name string
}

// identityHeadBytes is how much of each file is hashed into the bundle id.
const identityHeadBytes = 64 << 10

// IdentifyBundle computes the identity of the bundle at paths without
// reading it whole: for each file (each file under a folder, with its path
// relative to that folder) its size and the SHA-256 of its first 64 KiB,
// sorted. The name a file or folder argument has on disk is not part of
// the identity, so a bundle renamed or copied elsewhere keeps its id.
// Standard input ("-") has no identity; callers spool it to a file first.
func IdentifyBundle(paths []string) (Bundle, error) {
	if len(paths) == 0 {
		return Bundle{}, fmt.Errorf("no bundle path")
	}
	var lines []string
	for _, p := range paths {
		if p == "-" {
			return Bundle{}, fmt.Errorf("standard input has no stable identity: spool it to a file first")
		}
		st, err := os.Stat(p)
		if err != nil {
			return Bundle{}, err
		}
		if !st.IsDir() {
			l, err := identityLine(p, "", st.Size())
			if err != nil {
				return Bundle{}, err
			}
			lines = append(lines, l)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.Type().IsRegular() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(p, path)
			if err != nil {
				return err
			}
			l, err := identityLine(path, "/"+filepath.ToSlash(rel), info.Size())
			if err != nil {
				return err
			}
			lines = append(lines, l)
			return nil
		})
		if err != nil {
			return Bundle{}, err
		}
	}
	sort.Strings(lines)
	h := sha256.New()
	io.WriteString(h, "exlog.bundle/v1\n")
	for _, l := range lines {
		io.WriteString(h, l)
	}
	name := filepath.Base(filepath.Clean(paths[0]))
	if len(paths) > 1 {
		name += fmt.Sprintf(" (+%d more)", len(paths)-1)
	}
	return Bundle{ID: hex.EncodeToString(h.Sum(nil)), Name: name}, nil
}

func identityLine(path, name string, size int64) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, io.LimitReader(f, identityHeadBytes)); err != nil {
		return "", err
	}
	return name + "\x00" + strconv.FormatInt(size, 10) + "\x00" + hex.EncodeToString(h.Sum(nil)) + "\n", nil
}

// DocID is the deterministic document id of a thing of kind ("event",
// "finding", "sync") identified by key inside the bundle: URL-safe
// base64 of the first 20 bytes of SHA-256(bundle id, kind, key).
func DocID(bundleID, kind, key string) string {
	h := sha256.New()
	io.WriteString(h, bundleID)
	h.Write([]byte{0})
	io.WriteString(h, kind)
	h.Write([]byte{0})
	io.WriteString(h, key)
	var sum [sha256.Size]byte
	return base64.RawURLEncoding.EncodeToString(h.Sum(sum[:0])[:20])
}

// Timestamps are written with nanoseconds (trace records carry 100 ns
// ticks); the templates map @timestamp as date_nanos.
const timeLayout = "2006-01-02T15:04:05.999999999Z07:00"

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func timePtr(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := fmtTime(*t)
	return &s
}

// The document shapes. Field names are ECS where ECS has one and exlog.*
// otherwise; templates/*.json map them. They are part of the dashboard
// contract: rename only together with the templates and the dashboard.

type dataStreamField struct {
	Type      string `json:"type"`
	Dataset   string `json:"dataset"`
	Namespace string `json:"namespace"`
}

type logFile struct {
	Path string `json:"path,omitempty"`
}

type logField struct {
	Level string   `json:"level,omitempty"`
	File  *logFile `json:"file,omitempty"`
}

type ecsEvent struct {
	Kind     string  `json:"kind"`
	Dataset  string  `json:"dataset"`
	Module   string  `json:"module"`
	Code     string  `json:"code,omitempty"`
	Provider string  `json:"provider,omitempty"`
	Timezone string  `json:"timezone,omitempty"`
	Severity int     `json:"severity,omitempty"`
	Start    *string `json:"start,omitempty"`
	End      *string `json:"end,omitempty"`
	Duration *int64  `json:"duration,omitempty"` // nanoseconds
	Outcome  string  `json:"outcome,omitempty"`
}

// hostField: ECS recommends the lower-case FQDN as host.name, but trace
// records carry only the NetBIOS name (EXCONN01) while event logs carry
// the FQDN (EXCONN01.contoso.com), and records arrive in time order, so
// the FQDN is not known when the first traces are indexed. One value per
// host matters more in Kibana: host.name is the lower-case first label,
// host.domain the rest when the record names it.
type hostField struct {
	Name   string `json:"name"`
	Domain string `json:"domain,omitempty"`
}

func newHost(name string) *hostField {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		return nil
	}
	if net.ParseIP(name) != nil {
		return &hostField{Name: name}
	}
	short, domain, _ := strings.Cut(name, ".")
	return &hostField{Name: short, Domain: domain}
}

type threadField struct {
	ID uint32 `json:"id"`
}

type processField struct {
	PID    uint32       `json:"pid,omitempty"`
	Name   string       `json:"name,omitempty"`
	Thread *threadField `json:"thread,omitempty"`
}

type errorField struct {
	Type       string `json:"type,omitempty"`
	Message    string `json:"message,omitempty"`
	StackTrace string `json:"stack_trace,omitempty"`
}

type winlogField struct {
	Channel      string `json:"channel,omitempty"`
	ProviderName string `json:"provider_name,omitempty"`
	Task         string `json:"task,omitempty"`
}

type ruleField struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Category  string `json:"category,omitempty"`
	Reference string `json:"reference,omitempty"`
}

type bundleField struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type evidenceField struct {
	Origin string  `json:"origin"`
	Offset *int64  `json:"offset,omitempty"`
	Line   int     `json:"line,omitempty"`
	Time   *string `json:"time,omitempty"`
	Text   string  `json:"text"`
}

type findingField struct {
	Key      string          `json:"key,omitempty"`
	Severity string          `json:"severity"`
	Count    int             `json:"count"`
	Remedy   string          `json:"remedy,omitempty"`
	Docs     string          `json:"docs,omitempty"`
	Source   string          `json:"source,omitempty"`
	Evidence []evidenceField `json:"evidence,omitempty"`
}

type syncField struct {
	Kind           string   `json:"kind"`
	Status         string   `json:"status"`
	DurationS      *float64 `json:"duration_s,omitempty"`
	Users          *int     `json:"users,omitempty"`
	DevicesSynced  *int     `json:"devices_synced,omitempty"`
	CommandID      string   `json:"command_id,omitempty"`
	ExchangeHealth string   `json:"exchange_health,omitempty"`
	Reason         string   `json:"reason,omitempty"`
}

type exlogField struct {
	Bundle            bundleField       `json:"bundle"`
	DocID             string            `json:"doc_id"`                  // the _id, kept in the source for stores that ignore _id (VictoriaLogs)
	TimeInferred      bool              `json:"time_inferred,omitempty"` // @timestamp is not the record's own (it had none): see Builder.Event
	Origin            string            `json:"origin,omitempty"`
	Line              int               `json:"line,omitempty"`
	Offset            *int64            `json:"offset,omitempty"` // byte offset in the file (Filebeat's log.offset, not ECS)
	Winlog            *winlogField      `json:"winlog,omitempty"` // Winlogbeat's winlog.* (not ECS)
	EventType         string            `json:"event_type,omitempty"`
	Level             string            `json:"level,omitempty"`
	Format            string            `json:"format,omitempty"`
	ActivityID        string            `json:"activity_id,omitempty"`
	RelatedActivityID string            `json:"related_activity_id,omitempty"`
	Fields            map[string]string `json:"fields,omitempty"`
	Finding           *findingField     `json:"finding,omitempty"`
	Sync              *syncField        `json:"sync,omitempty"`
}

type document struct {
	Timestamp  string          `json:"@timestamp"`
	Message    string          `json:"message"`
	Tags       []string        `json:"tags,omitempty"`
	DataStream dataStreamField `json:"data_stream"`
	Log        *logField       `json:"log,omitempty"`
	Event      ecsEvent        `json:"event"`
	Host       *hostField      `json:"host,omitempty"`
	Process    *processField   `json:"process,omitempty"`
	Error      *errorField     `json:"error,omitempty"`
	Rule       *ruleField      `json:"rule,omitempty"`
	Exlog      exlogField      `json:"exlog"`
}

// Doc is one document ready for the bulk API.
type Doc struct {
	Stream string // data stream (the bulk item's _index)
	ID     string
	Body   []byte // JSON, no trailing newline
}

// Builder turns events, findings and syncs into documents for one bundle
// and namespace. It is not safe for concurrent use: the analysis calls it
// from the merge goroutine only.
type Builder struct {
	bundle    Bundle
	namespace string
	streams   [3]string
	// unplaced counts events per file whose origin has no position, so
	// that their ids stay distinct and deterministic (events arrive in a
	// deterministic time order).
	unplaced map[string]int
	// lastTime is the time of the last timed event per file, lastAny of
	// any file: where an event without a time gets its @timestamp.
	lastTime map[string]time.Time
	lastAny  time.Time
}

// ErrNoTime says an event has no time and no earlier event gives it one;
// the Indexer holds it back until a later event or the report does.
var ErrNoTime = errors.New("event without a time and no earlier event to take one from")

// NewBuilder returns a Builder for bundle b in namespace ns.
func NewBuilder(b Bundle, ns string) *Builder {
	return &Builder{
		bundle:    b,
		namespace: ns,
		streams:   [3]string{Stream(DatasetEvents, ns), Stream(DatasetFindings, ns), Stream(DatasetSyncs, ns)},
		unplaced:  map[string]int{},
		lastTime:  map[string]time.Time{},
	}
}

// eventTime is the @timestamp of e: its own time, or for an event
// without one (a record whose time could not be read) the time of the
// previous record of the same file, else of the previous record of the
// bundle (events arrive in time order); inferred says so. Elasticsearch
// rejects year 1 (date_nanos starts in 1970), and a guess from evidence
// is better than the epoch.
func (b *Builder) eventTime(e *event.Event) (t time.Time, inferred bool, err error) {
	if !e.Time.IsZero() {
		b.lastTime[e.Origin.Path] = e.Time
		if e.Time.After(b.lastAny) {
			b.lastAny = e.Time
		}
		return e.Time, false, nil
	}
	if t, ok := b.lastTime[e.Origin.Path]; ok {
		return t, true, nil
	}
	if !b.lastAny.IsZero() {
		return b.lastAny, true, nil
	}
	return time.Time{}, true, ErrNoTime
}

// EventAt builds the document of an event without a time that no earlier
// event could date, with at as its inferred time (the Indexer uses the
// next timed event, or the report's window).
func (b *Builder) EventAt(e *event.Event, at time.Time) (Doc, error) {
	return b.event(e, at, true)
}

func (b *Builder) base(dataset, kind, id string) document {
	return document{
		DataStream: dataStreamField{Type: "logs", Dataset: dataset, Namespace: b.namespace},
		Event:      ecsEvent{Kind: kind, Dataset: dataset, Module: "exlog"},
		Exlog:      exlogField{Bundle: bundleField{ID: b.bundle.ID, Name: b.bundle.Name}, DocID: id},
	}
}

// eventKey is the stable identity of an event inside its bundle: its
// origin, or for an event without a position its file, time and ordinal.
func (b *Builder) eventKey(e *event.Event) string {
	if e.Origin.Line > 0 || e.Origin.Offset >= 0 {
		return e.Origin.String()
	}
	n := b.unplaced[e.Origin.Path]
	b.unplaced[e.Origin.Path] = n + 1
	return e.Origin.Path + "#" + strconv.Itoa(n) + "@" + fmtTime(e.Time)
}

func tzString(sec int32) string {
	sign := '+'
	if sec < 0 {
		sign = '-'
		sec = -sec
	}
	return fmt.Sprintf("%c%02d:%02d", sign, sec/3600, sec/60%60)
}

// Event builds the document of one event. An event without a time gets
// one from the evidence (eventTime) and exlog.time_inferred; ErrNoTime
// when nothing before it has a time.
func (b *Builder) Event(e *event.Event) (Doc, error) {
	t, inferred, err := b.eventTime(e)
	if err != nil {
		return Doc{}, err
	}
	return b.event(e, t, inferred)
}

func (b *Builder) event(e *event.Event, t time.Time, inferred bool) (Doc, error) {
	id := DocID(b.bundle.ID, "event", b.eventKey(e))
	d := b.base(DatasetEvents, "event", id)
	d.Timestamp = fmtTime(t)
	d.Exlog.TimeInferred = inferred
	d.Message = e.Message
	d.Log = &logField{Level: e.Type.String(), File: &logFile{Path: e.Origin.Path}}
	if e.Origin.Line > 0 {
		d.Exlog.Line = e.Origin.Line
	} else if e.Origin.Offset >= 0 {
		off := e.Origin.Offset
		d.Exlog.Offset = &off
	}
	d.Exlog.Origin = e.Origin.String()
	if e.EventID != 0 {
		d.Event.Code = strconv.FormatUint(uint64(e.EventID), 10)
	}
	d.Event.Provider = e.Source
	d.Event.Timezone = tzString(e.TZOffset)
	d.Host = newHost(e.Host)
	if e.PID != 0 || e.TID != 0 {
		d.Process = &processField{PID: e.PID}
		if e.TID != 0 {
			d.Process.Thread = &threadField{ID: e.TID}
		}
	}
	d.Exlog.EventType = e.Type.String()
	d.Exlog.Level = e.Level().String()
	d.Exlog.Format = e.Format.String()
	d.Exlog.ActivityID = e.Activity.String()
	d.Exlog.RelatedActivityID = e.Related.String()
	for _, f := range e.Fields {
		switch f.Name {
		case event.FieldExceptionType:
			d.errorField().Type = f.Value
		case event.FieldExceptionMessage:
			d.errorField().Message = f.Value
		case event.FieldExceptionStack:
			d.errorField().StackTrace = f.Value
		case event.FieldLogName:
			d.winlogField().Channel = f.Value
		case event.FieldProvider:
			d.winlogField().ProviderName = f.Value
		case event.FieldTaskCategory:
			d.winlogField().Task = f.Value
		case event.FieldProcessName:
			if d.Process == nil {
				d.Process = &processField{}
			}
			d.Process.Name = f.Value
		default:
			if d.Exlog.Fields == nil {
				d.Exlog.Fields = map[string]string{}
			}
			d.Exlog.Fields[f.Name] = f.Value
		}
	}
	return b.doc(b.streams[0], id, &d)
}

func (d *document) errorField() *errorField {
	if d.Error == nil {
		d.Error = &errorField{}
	}
	return d.Error
}

func (d *document) winlogField() *winlogField {
	if d.Exlog.Winlog == nil {
		d.Exlog.Winlog = &winlogField{}
	}
	return d.Exlog.Winlog
}

func (b *Builder) doc(stream, id string, d *document) (Doc, error) {
	body, err := json.Marshal(d)
	if err != nil {
		return Doc{}, err
	}
	return Doc{Stream: stream, ID: id, Body: body}, nil
}

// reportTime is the time stamped on a finding or sync that has none of
// its own: the end of the covered window, else its start, else the Unix
// epoch (data streams require @timestamp; the id does not depend on it).
func reportTime(r *report.Report, own ...*time.Time) string {
	for _, t := range own {
		if t != nil && !t.IsZero() {
			return fmtTime(*t)
		}
	}
	if t, ok := reportWindow(r); ok {
		return fmtTime(t)
	}
	return fmtTime(time.Unix(0, 0))
}

// reportWindow is the end of the report's window, else its start, never
// a zero time.
func reportWindow(r *report.Report) (time.Time, bool) {
	for _, t := range []*time.Time{r.Summary.Last, r.Summary.First} {
		if t != nil && !t.IsZero() && t.Year() > 1 {
			return *t, true
		}
	}
	return time.Time{}, false
}

// Finding builds the document of one finding of r.
func (b *Builder) Finding(r *report.Report, f *report.Finding) (Doc, error) {
	id := DocID(b.bundle.ID, "finding", f.ID+"\x00"+f.Key)
	d := b.base(DatasetFindings, "alert", id)
	d.Timestamp = reportTime(r, f.First, f.Last)
	d.Message = f.Title
	d.Tags = f.Tags
	d.Log = &logField{Level: f.Severity.String()}
	d.Event.Severity = int(f.Severity)
	d.Event.Start = timePtr(f.First)
	d.Event.End = timePtr(f.Last)
	d.Rule = &ruleField{ID: f.ID, Name: f.Title, Category: f.Category, Reference: f.Docs}
	ff := &findingField{Key: f.Key, Severity: f.Severity.String(), Count: f.Count, Remedy: f.Remedy, Docs: f.Docs, Source: f.Source}
	for _, ev := range f.Evidence {
		ff.Evidence = append(ff.Evidence, evidenceField{Origin: ev.Origin, Offset: ev.Offset, Line: ev.Line, Time: timePtr(ev.Time), Text: ev.Text})
	}
	d.Exlog.Finding = ff
	if len(f.Evidence) > 0 {
		d.Exlog.Origin = f.Evidence[0].Origin
	}
	return b.doc(b.streams[1], id, &d)
}

// Sync builds the document of one sync session of r.
func (b *Builder) Sync(r *report.Report, s *report.Sync) (Doc, error) {
	id := DocID(b.bundle.ID, "sync", string(s.Kind)+"\x00"+fmtTime(s.Start)+"\x00"+s.Origin)
	d := b.base(DatasetSyncs, "event", id)
	start := s.Start
	d.Timestamp = reportTime(r, &start)
	d.Event.Start = timePtr(&start)
	d.Event.End = timePtr(s.End)
	if s.DurationS != nil {
		ns := int64(*s.DurationS * 1e9)
		d.Event.Duration = &ns
	}
	level := "information"
	switch s.Status {
	case "completed":
		d.Event.Outcome = "success"
	case "failed":
		d.Event.Outcome = "failure"
		level = "error"
	default:
		d.Event.Outcome = "unknown"
		level = "warning"
	}
	d.Log = &logField{Level: level}
	d.Message = syncMessage(s)
	d.Exlog.Origin = s.Origin
	d.Exlog.Sync = &syncField{Kind: string(s.Kind), Status: string(s.Status), DurationS: s.DurationS, Users: s.Users,
		DevicesSynced: s.DevicesSynced, CommandID: s.CommandID, ExchangeHealth: s.ExchangeHealth, Reason: s.Reason}
	return b.doc(b.streams[2], id, &d)
}

func syncMessage(s *report.Sync) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s sync %s", s.Kind, s.Status)
	if s.DurationS != nil {
		fmt.Fprintf(&sb, " in %s", (time.Duration(*s.DurationS * float64(time.Second))).Round(time.Second))
	}
	if s.Users != nil {
		fmt.Fprintf(&sb, ", %d users", *s.Users)
	}
	if s.DevicesSynced != nil {
		fmt.Fprintf(&sb, ", %d devices synced", *s.DevicesSynced)
	}
	if s.Reason != "" {
		sb.WriteString(": " + s.Reason)
	}
	return sb.String()
}
