// Package estest is a protocol-faithful stand-in for Elasticsearch and
// Kibana, for tests: the endpoints exlog uses, with Elasticsearch's own
// rules (product header, data streams that accept only "create" and need
// @timestamp, 409 on a duplicate _id, template validation, mappings
// enforced) and injectable faults (item-level 429s, whole-request 5xx,
// 413, dropped connections, a mapping error on chosen documents).
//
// It keeps everything in memory; it is not a search engine. All methods
// are safe for concurrent use.
package estest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Faults choose how the server misbehaves. The zero value behaves.
type Faults struct {
	// Reject429 selects documents (by _id) whose first Reject429Times
	// create attempts get an item-level 429 es_rejected_execution_exception
	// while the rest of the request succeeds.
	Reject429      func(id string) bool
	Reject429Times int // 0 means 1

	// FailStatus answers whole bulk requests with this status (502, 503,
	// 504, 500, 429): the first FailFirst requests, and every FailEvery-th.
	FailStatus int
	FailFirst  int
	FailEvery  int

	// MaxContentLength answers bulk requests with a larger body with 413,
	// as http.max_content_length does. 0: no limit.
	MaxContentLength int

	// DropEvery closes the connection of every DropEvery-th bulk request
	// without answering; with DropAfterStore the documents were stored
	// first (the client cannot know which happened).
	DropEvery      int
	DropAfterStore bool

	// LoseAcknowledged selects documents answered 201 but not kept, as a
	// node that crashes after acknowledging them before they are durable.
	LoseAcknowledged func(id string) bool

	// MappingError selects documents refused with 400
	// document_parsing_exception, as a field of the wrong type would be.
	MappingError func(id string, source []byte) bool
}

// Options configure a Server.
type Options struct {
	// Credentials required on every request when set: an API key
	// (Authorization: ApiKey <APIKey>) or basic auth.
	APIKey   string
	User     string
	Password string
	Faults   Faults
	// Role, if set, limits what the credentials may do, as an API key's
	// role descriptor does: requests beyond it get 403
	// security_exception (bulk items one by one).
	Role *Role
}

// Role is an Elasticsearch role descriptor: cluster privileges and index
// privileges by name pattern. Privilege names are Elasticsearch's; the
// fake knows which of them grant each action exlog uses (with "all" and
// the usual supersets).
type Role struct {
	Cluster []string
	Indices []IndexPrivileges
}

// IndexPrivileges grants privileges on the indices matching Names.
type IndexPrivileges struct {
	Names      []string
	Privileges []string
}

// SetRole replaces the role (nil: everything allowed).
func (s *Server) SetRole(r *Role) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opt.Role = r
}

func (s *Server) role() *Role {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opt.Role
}

// What grants each action (Elasticsearch's privilege model, reduced to
// the actions exlog uses).
var (
	grantMonitor   = []string{"monitor", "manage", "all"}
	grantTemplates = []string{"manage_index_templates", "manage", "all"}
	grantCreateDoc = []string{"create_doc", "create", "index", "write", "all"}
	grantAutoConf  = []string{"auto_configure", "create_index", "manage", "all"}
	grantRead      = []string{"read", "all"}
	grantRefresh   = []string{"maintenance", "manage", "all"}
	grantViewMeta  = []string{"view_index_metadata", "manage", "all"}
)

func hasAny(have, want []string) bool {
	for _, h := range have {
		for _, w := range want {
			if h == w {
				return true
			}
		}
	}
	return false
}

// clusterAllowed reports whether the role grants one of want.
func (s *Server) clusterAllowed(want []string) bool {
	r := s.role()
	return r == nil || hasAny(r.Cluster, want)
}

// indexAllowed reports whether the role grants one of want on index.
func (s *Server) indexAllowed(index string, want []string) bool {
	return roleAllows(s.role(), index, want)
}

// indexAllowedLocked is indexAllowed with s.mu held.
func (s *Server) indexAllowedLocked(index string, want []string) bool {
	return roleAllows(s.opt.Role, index, want)
}

func roleAllows(r *Role, index string, want []string) bool {
	if r == nil {
		return true
	}
	for _, ip := range r.Indices {
		for _, n := range ip.Names {
			if m, _ := path.Match(n, index); m && hasAny(ip.Privileges, want) {
				return true
			}
		}
	}
	return false
}

func (s *Server) forbidden(w http.ResponseWriter, action, on string, granted []string) {
	reason := "action [" + action + "] is unauthorized for API key id [estest] of user [exlog]"
	if on != "" {
		reason += " on indices [" + on + "], this action is granted by the index privileges [" + strings.Join(granted, ",") + "]"
	} else {
		reason += ", this action is granted by the cluster privileges [" + strings.Join(granted, ",") + "]"
	}
	esError(w, http.StatusForbidden, "security_exception", reason)
}

// Stats count what the server saw.
type Stats struct {
	BulkRequests   int
	BulkItems      int
	Created        int
	Conflicts      int
	Rejected429    int
	FailedRequests int // answered with Faults.FailStatus
	TooLarge       int
	Dropped        int
	MappingErrors  int
}

// Server is the fake. ES and Kibana listen on separate ports.
type Server struct {
	ES     *httptest.Server
	Kibana *httptest.Server

	opt Options

	mu         sync.Mutex
	faults     Faults
	streams    map[string]*stream
	index      map[string]json.RawMessage // index templates by name
	component  map[string]json.RawMessage // component templates by name
	objects    map[string]savedObject     // Kibana saved objects by type/id
	rejections map[string]int             // 429s given per _id
	stats      Stats
	seq        int64
}

type stream struct {
	name       string
	dataStream bool
	gen        int                    // current backing index generation (1-based)
	docs       map[string][]storedDoc // by _id; more than one only across generations
}

// storedDoc is one stored copy of a document, in backing index gen.
type storedDoc struct {
	gen int
	raw json.RawMessage
}

func (st *stream) backing(gen int) string {
	if !st.dataStream {
		return st.name
	}
	return fmt.Sprintf(".ds-%s-%s-%06d", st.name, time.Now().UTC().Format("2006.01.02"), gen)
}

func (st *stream) total() int {
	n := 0
	for _, c := range st.docs {
		n += len(c)
	}
	return n
}

// New starts a server; Close stops it.
func New(opt Options) *Server {
	s := &Server{opt: opt, faults: opt.Faults, streams: map[string]*stream{}, index: map[string]json.RawMessage{},
		component: map[string]json.RawMessage{}, objects: map[string]savedObject{}, rejections: map[string]int{}}
	s.ES = httptest.NewServer(http.HandlerFunc(s.serveES))
	s.Kibana = httptest.NewServer(http.HandlerFunc(s.serveKibana))
	return s
}

// Close stops both listeners.
func (s *Server) Close() {
	s.ES.Close()
	s.Kibana.Close()
}

// SetFaults replaces the faults (and forgets past 429 rejections).
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
	s.rejections = map[string]int{}
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Count is the number of documents stored in the named stream or index,
// every backing index included (a document stored again after a rollover
// counts twice, as it would in Elasticsearch).
func (s *Server) Count(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.streams[name]; st != nil {
		return st.total()
	}
	return 0
}

// Rollover starts a new backing index for a data stream, as
// POST <stream>/_rollover or a lifecycle does: later creates check for a
// duplicate _id only in the new one.
func (s *Server) Rollover(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.streams[name]; st != nil {
		st.gen++
	}
}

// Lose removes stored documents chosen by lose, as a node that crashed
// after acknowledging them but before they were durable would; it
// returns how many it removed.
func (s *Server) Lose(lose func(stream, id string) bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for name, st := range s.streams {
		for id, c := range st.docs {
			if lose(name, id) {
				n += len(c)
				delete(st.docs, id)
			}
		}
	}
	return n
}

// Docs returns a copy of the stored documents of a stream by _id.
func (s *Server) Docs(name string) map[string]json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]json.RawMessage{}
	if st := s.streams[name]; st != nil {
		for k, v := range st.docs {
			out[k] = v[0].raw
		}
	}
	return out
}

// Streams lists the names of the streams and indices that hold documents.
func (s *Server) Streams() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for n := range s.streams {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// IsDataStream reports whether name was created as a data stream.
func (s *Server) IsDataStream(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.streams[name]
	return st != nil && st.dataStream
}

// IndexTemplate returns the stored index template body, if any.
func (s *Server) IndexTemplate(name string) (json.RawMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.index[name]
	return t, ok
}

// SavedObject returns a stored Kibana saved object.
func (s *Server) SavedObject(typ, id string) (json.RawMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects[typ+"/"+id]
	return o.raw, ok
}

func (s *Server) authorized(r *http.Request) bool {
	if s.opt.APIKey == "" && s.opt.User == "" {
		return true
	}
	h := r.Header.Get("Authorization")
	// The scheme is case-insensitive: the Go client sends "APIKey",
	// Kibana's docs write "ApiKey".
	if scheme, key, ok := strings.Cut(h, " "); ok && s.opt.APIKey != "" && strings.EqualFold(scheme, "ApiKey") && key == s.opt.APIKey {
		return true
	}
	if s.opt.User != "" {
		u, p, ok := r.BasicAuth()
		return ok && u == s.opt.User && p == s.opt.Password
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// esError writes Elasticsearch's error envelope.
func esError(w http.ResponseWriter, status int, typ, reason string) {
	writeJSON(w, status, map[string]any{
		"error":  map[string]any{"root_cause": []any{map[string]string{"type": typ, "reason": reason}}, "type": typ, "reason": reason},
		"status": status,
	})
}

func (s *Server) serveES(w http.ResponseWriter, r *http.Request) {
	// Every answer of a real cluster carries the product header; the
	// official client refuses a server without it.
	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="security" charset="UTF-8"`)
		esError(w, http.StatusUnauthorized, "security_exception", "missing authentication credentials for REST request ["+r.URL.Path+"]")
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if !s.allowed(w, r, parts) {
		return
	}
	switch {
	case r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		writeJSON(w, 200, map[string]any{
			"name": "estest", "cluster_name": "exlog-test", "cluster_uuid": "estest",
			"version": map[string]any{"number": "8.19.0", "build_flavor": "default", "lucene_version": "9.12.0",
				"minimum_wire_compatibility_version": "7.17.0", "minimum_index_compatibility_version": "7.0.0"},
			"tagline": "You Know, for Search",
		})
	case parts[len(parts)-1] == "_bulk" && (r.Method == http.MethodPost || r.Method == http.MethodPut):
		def := ""
		if len(parts) == 2 {
			def = parts[0]
		}
		s.bulk(w, r, def)
	case len(parts) == 2 && parts[0] == "_index_template":
		s.template(w, r, s.index, parts[1], "index_templates", "index_template")
	case len(parts) == 2 && parts[0] == "_component_template":
		s.template(w, r, s.component, parts[1], "component_templates", "component_template")
	case len(parts) == 2 && parts[1] == "_refresh":
		writeJSON(w, 200, map[string]any{"_shards": map[string]int{"total": 1, "successful": 1, "failed": 0}})
	case len(parts) == 2 && parts[1] == "_count":
		s.count(w, r, parts[0])
	case len(parts) == 2 && parts[1] == "_search":
		s.search(w, r, parts[0])
	case len(parts) == 2 && parts[0] == "_data_stream" && r.Method == http.MethodGet:
		s.getDataStream(w, parts[1])
	default:
		esError(w, http.StatusBadRequest, "illegal_argument_exception",
			fmt.Sprintf("estest: no handler for uri [%s] and method [%s]", r.URL.Path, r.Method))
	}
}

// allowed checks the role for every request but bulk items (checked one
// by one) and answers 403 when it does not grant the action.
func (s *Server) allowed(w http.ResponseWriter, r *http.Request, parts []string) bool {
	if s.role() == nil {
		return true
	}
	last := parts[len(parts)-1]
	switch {
	case r.URL.Path == "/":
		if !s.clusterAllowed(grantMonitor) {
			s.forbidden(w, "cluster:monitor/main", "", grantMonitor)
			return false
		}
	case len(parts) == 2 && (parts[0] == "_index_template" || parts[0] == "_component_template"):
		if !s.clusterAllowed(grantTemplates) {
			action := "indices:admin/index_template/"
			if parts[0] == "_component_template" {
				action = "cluster:admin/component_template/"
			}
			if r.Method == http.MethodGet {
				action += "get"
			} else {
				action += "put"
			}
			s.forbidden(w, action, "", grantTemplates)
			return false
		}
	case last == "_search" || last == "_count" || last == "_refresh" || (len(parts) == 2 && parts[0] == "_data_stream"):
		target, action, want := parts[0], "indices:data/read/search", grantRead
		switch {
		case last == "_count":
			action = "indices:data/read/count"
		case last == "_refresh":
			action, want = "indices:admin/refresh", grantRefresh
		case parts[0] == "_data_stream":
			target, action, want = parts[1], "indices:admin/data_stream/get", grantViewMeta
		}
		for _, name := range strings.Split(target, ",") {
			if !s.indexAllowed(name, want) {
				s.forbidden(w, action, name, want)
				return false
			}
		}
	}
	return true
}

// --- _bulk -----------------------------------------------------------------

type bulkAction struct {
	Index string `json:"_index"`
	ID    string `json:"_id"`
}

func (s *Server) bulk(w http.ResponseWriter, r *http.Request, defIndex string) {
	s.mu.Lock()
	f := s.faults
	s.stats.BulkRequests++
	n := s.stats.BulkRequests
	s.mu.Unlock()

	if f.MaxContentLength > 0 && r.ContentLength > int64(f.MaxContentLength) {
		s.mu.Lock()
		s.stats.TooLarge++
		s.mu.Unlock()
		io.Copy(io.Discard, r.Body)
		esError(w, http.StatusRequestEntityTooLarge, "content_too_long_exception",
			fmt.Sprintf("request content length [%d] exceeds http.max_content_length [%d]", r.ContentLength, f.MaxContentLength))
		return
	}
	if f.FailStatus != 0 && (n <= f.FailFirst || (f.FailEvery > 0 && n%f.FailEvery == 0)) {
		s.mu.Lock()
		s.stats.FailedRequests++
		s.mu.Unlock()
		io.Copy(io.Discard, r.Body)
		esError(w, f.FailStatus, "unavailable_shards_exception", "estest: injected "+strconv.Itoa(f.FailStatus))
		return
	}
	drop := f.DropEvery > 0 && n%f.DropEvery == 0
	if drop && !f.DropAfterStore {
		io.Copy(io.Discard, r.Body)
		s.dropConn(w)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		esError(w, http.StatusBadRequest, "parse_exception", err.Error())
		return
	}
	if r.Header.Get("Content-Type") != "" && !strings.Contains(r.Header.Get("Content-Type"), "json") {
		esError(w, http.StatusNotAcceptable, "media_type_header_exception", "Content-Type header ["+r.Header.Get("Content-Type")+"] is not supported")
		return
	}
	start := time.Now()
	items, errs, status, msg := s.bulkItems(body, defIndex, f)

	if status != 0 {
		esError(w, status, "illegal_argument_exception", msg)
		return
	}
	if drop {
		s.dropConn(w)
		return
	}
	writeJSON(w, 200, map[string]any{"took": time.Since(start).Milliseconds(), "errors": errs, "items": items})
}

func (s *Server) dropConn(w http.ResponseWriter) {
	s.mu.Lock()
	s.stats.Dropped++
	s.mu.Unlock()
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("estest: response writer cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

// bulkItems applies the NDJSON body. A malformed action line fails the
// whole request (status != 0), as in Elasticsearch.
func (s *Server) bulkItems(body []byte, defIndex string, f Faults) (items []map[string]any, anyErr bool, status int, msg string) {
	lines := bytes.Split(body, []byte("\n"))
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < len(lines); i++ {
		line := bytes.TrimSpace(lines[i])
		if len(line) == 0 {
			continue
		}
		var action map[string]bulkAction
		if err := json.Unmarshal(line, &action); err != nil || len(action) != 1 {
			return nil, false, 400, fmt.Sprintf("Malformed action/metadata line [%d], expected START_OBJECT or END_OBJECT but found [%s]", i+1, firstBytes(line))
		}
		var op string
		var meta bulkAction
		for k, v := range action {
			op, meta = k, v
		}
		if op != "create" && op != "index" {
			return nil, false, 400, fmt.Sprintf("estest: action [%s] not supported", op)
		}
		i++
		if i >= len(lines) || len(bytes.TrimSpace(lines[i])) == 0 {
			return nil, false, 400, "The bulk request must be terminated by a newline [\\n]"
		}
		src := bytes.TrimSpace(lines[i])
		if meta.Index == "" {
			meta.Index = defIndex
		}
		s.stats.BulkItems++
		res := s.applyItem(op, meta, src, f)
		if _, bad := res["error"]; bad {
			anyErr = true
		}
		items = append(items, map[string]any{op: res})
	}
	return items, anyErr, 0, ""
}

func firstBytes(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

// applyItem stores one document or says why not. Called with s.mu held.
func (s *Server) applyItem(op string, meta bulkAction, src []byte, f Faults) map[string]any {
	res := map[string]any{"_index": meta.Index, "_id": meta.ID}
	fail := func(status int, typ, reason string) map[string]any {
		res["status"] = status
		res["error"] = map[string]any{"type": typ, "reason": reason, "index": meta.Index}
		return res
	}
	if meta.Index == "" {
		return fail(400, "action_request_validation_exception", "Validation Failed: 1: index is missing;")
	}
	if !s.indexAllowedLocked(meta.Index, grantCreateDoc) {
		return fail(403, "security_exception", "action [indices:data/write/bulk[s]] is unauthorized for API key id [estest] of user [exlog] on indices ["+
			meta.Index+"], this action is granted by the index privileges ["+strings.Join(grantCreateDoc, ",")+"]")
	}
	if s.streams[meta.Index] == nil && !s.indexAllowedLocked(meta.Index, grantAutoConf) {
		return fail(403, "security_exception", "action [indices:admin/auto_create] is unauthorized for API key id [estest] of user [exlog] on indices ["+
			meta.Index+"], this action is granted by the index privileges ["+strings.Join(grantAutoConf, ",")+"]")
	}
	tmpl, _ := s.matchTemplate(meta.Index)
	isDS := tmpl != nil && tmpl.DataStream != nil
	if isDS && op != "create" {
		return fail(400, "illegal_argument_exception", "only write ops with an op_type of create are allowed in data streams")
	}
	if meta.ID == "" {
		s.seq++
		meta.ID = base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(s.seq, 36) + "estest"))
		res["_id"] = meta.ID
	}
	var doc map[string]any
	if err := json.Unmarshal(src, &doc); err != nil {
		return fail(400, "document_parsing_exception", "[1:1] failed to parse: "+err.Error())
	}
	if f.Reject429 != nil && f.Reject429(meta.ID) {
		times := f.Reject429Times
		if times <= 0 {
			times = 1
		}
		if s.rejections[meta.ID] < times {
			s.rejections[meta.ID]++
			s.stats.Rejected429++
			return fail(429, "es_rejected_execution_exception", "rejected execution of coordinating operation [estest]")
		}
	}
	if f.MappingError != nil && f.MappingError(meta.ID, src) {
		s.stats.MappingErrors++
		return fail(400, "document_parsing_exception", "[1:42] failed to parse field [log.offset] of type [long] in document with id '"+meta.ID+"'")
	}
	if isDS {
		if _, ok := doc["@timestamp"]; !ok {
			if _, ok := lookup(doc, "@timestamp"); !ok {
				return fail(400, "document_parsing_exception", "data stream timestamp field [@timestamp] is missing")
			}
		}
	}
	if isDS {
		// data_stream.* are constant_keyword (the built-in logs mappings
		// and exlog's): their value is the stream's name part.
		if msg := checkDataStreamFields(meta.Index, doc); msg != "" {
			return fail(400, "document_parsing_exception", msg)
		}
	}
	if props := s.mappingsOf(tmpl); props != nil {
		if err := checkMapping("", doc, props, s.strictOf(tmpl)); err != "" {
			s.stats.MappingErrors++
			return fail(400, err[:strings.IndexByte(err, '|')], err[strings.IndexByte(err, '|')+1:])
		}
	}
	st := s.streams[meta.Index]
	if st == nil {
		st = &stream{name: meta.Index, dataStream: isDS, gen: 1, docs: map[string][]storedDoc{}}
		s.streams[meta.Index] = st
	}
	backing := st.backing(st.gen)
	res["_index"] = backing
	for _, c := range st.docs[meta.ID] {
		// A create conflicts only within the backing index it goes to.
		if c.gen == st.gen && op == "create" {
			s.stats.Conflicts++
			r := fail(409, "version_conflict_engine_exception", "["+meta.ID+"]: version conflict, document already exists (current version [1])")
			r["error"].(map[string]any)["index"] = backing
			return r
		}
	}
	if f.LoseAcknowledged == nil || !f.LoseAcknowledged(meta.ID) {
		st.docs[meta.ID] = append(st.docs[meta.ID], storedDoc{gen: st.gen, raw: append(json.RawMessage(nil), src...)})
	}
	s.seq++
	s.stats.Created++
	res["_version"] = 1
	res["result"] = "created"
	res["_shards"] = map[string]int{"total": 2, "successful": 1, "failed": 0}
	res["_seq_no"] = s.seq
	res["_primary_term"] = 1
	res["status"] = 201
	return res
}

// checkDataStreamFields: in logs-DATASET-NAMESPACE, a document's
// data_stream.type/dataset/namespace must be logs/DATASET/NAMESPACE.
func checkDataStreamFields(stream string, doc map[string]any) string {
	rest, ok := strings.CutPrefix(stream, "logs-")
	i := strings.LastIndexByte(rest, '-')
	if !ok || i < 0 {
		return ""
	}
	want := map[string]string{"data_stream.type": "logs", "data_stream.dataset": rest[:i], "data_stream.namespace": rest[i+1:]}
	for _, f := range []string{"data_stream.type", "data_stream.dataset", "data_stream.namespace"} {
		if v, ok := lookup(doc, f); ok && fmt.Sprint(v) != want[f] {
			return fmt.Sprintf("[1:2] failed to parse field [%s] of type [constant_keyword] in document: [constant_keyword] field [%s] only accepts values that are equal to the value defined in the mappings [%s], but got [%v]", f, f, want[f], v)
		}
	}
	return ""
}

// lookup finds a dotted field in a document that may use nested objects,
// dotted keys, or both.
func lookup(doc map[string]any, field string) (any, bool) {
	if v, ok := doc[field]; ok {
		return v, true
	}
	for i := 0; i < len(field); i++ {
		if field[i] != '.' {
			continue
		}
		if sub, ok := doc[field[:i]].(map[string]any); ok {
			if v, ok := lookup(sub, field[i+1:]); ok {
				return v, true
			}
		}
	}
	return nil, false
}

// --- _count and _search ---------------------------------------------------

// query is the part of a search or count body the fake understands: no
// query (everything) or a term query on one or more fields.
type query struct {
	Query struct {
		Term map[string]any `json:"term"`
	} `json:"query"`
	Size        *int             `json:"size"`
	Sort        []map[string]any `json:"sort"`
	SearchAfter []any            `json:"search_after"`
}

type hit struct {
	id, index, sortKey string
}

// readQuery reads a request body; "" when it is not valid.
func readQuery(r *http.Request) (query, string) {
	var q query
	if r.Body == nil {
		return q, ""
	}
	raw, _ := io.ReadAll(r.Body)
	if len(bytes.TrimSpace(raw)) == 0 {
		return q, ""
	}
	if err := json.Unmarshal(raw, &q); err != nil {
		return q, err.Error()
	}
	return q, ""
}

// matching lists the stored documents of target (comma-separated names
// or patterns) that q's term query selects, and the first concrete name
// that matched nothing (a 404 unless ignore_unavailable). Called with
// s.mu held.
func (s *Server) matching(target string, q query, sortField string) (hits []hit, missing string) {
	for _, pat := range strings.Split(target, ",") {
		found := false
		for name, st := range s.streams {
			if m, _ := path.Match(pat, name); !m {
				continue
			}
			found = true
			for id, copies := range st.docs {
				for _, c := range copies {
					var doc map[string]any
					json.Unmarshal(c.raw, &doc)
					all := true
					for field, want := range q.Query.Term {
						if m, ok := want.(map[string]any); ok {
							want = m["value"]
						}
						got, ok := lookup(doc, field)
						if !ok || fmt.Sprint(got) != fmt.Sprint(want) {
							all = false
						}
					}
					if !all {
						continue
					}
					h := hit{id: id, index: st.backing(c.gen)}
					if sortField != "" {
						if v, ok := lookup(doc, sortField); ok {
							h.sortKey = fmt.Sprint(v)
						}
					}
					hits = append(hits, h)
				}
			}
		}
		if !found && !strings.ContainsAny(pat, "*?") && missing == "" {
			missing = pat
		}
	}
	return hits, missing
}

func (s *Server) count(w http.ResponseWriter, r *http.Request, target string) {
	q, bad := readQuery(r)
	if bad != "" {
		esError(w, 400, "parsing_exception", bad)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	hits, missing := s.matching(target, q, "")
	if missing != "" && r.URL.Query().Get("ignore_unavailable") != "true" {
		esError(w, 404, "index_not_found_exception", "no such index ["+missing+"]")
		return
	}
	writeJSON(w, 200, map[string]any{"count": len(hits), "_shards": map[string]int{"total": 1, "successful": 1, "skipped": 0, "failed": 0}})
}

// search answers a term query sorted by one keyword field ascending, with
// size and search_after: what paging through ids needs.
func (s *Server) search(w http.ResponseWriter, r *http.Request, target string) {
	q, bad := readQuery(r)
	if bad != "" {
		esError(w, 400, "parsing_exception", bad)
		return
	}
	sortField := ""
	for _, m := range q.Sort {
		for k := range m {
			sortField = k
		}
	}
	size := 10
	if q.Size != nil {
		size = *q.Size
	}
	if size > 10000 {
		esError(w, 400, "illegal_argument_exception", "Result window is too large, from + size must be less than or equal to: [10000]")
		return
	}
	s.mu.Lock()
	hits, missing := s.matching(target, q, sortField)
	s.mu.Unlock()
	if missing != "" && r.URL.Query().Get("ignore_unavailable") != "true" {
		esError(w, 404, "index_not_found_exception", "no such index ["+missing+"]")
		return
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].sortKey != hits[j].sortKey {
			return hits[i].sortKey < hits[j].sortKey
		}
		return hits[i].index < hits[j].index
	})
	if len(q.SearchAfter) > 0 {
		after := fmt.Sprint(q.SearchAfter[0])
		i := sort.Search(len(hits), func(i int) bool { return hits[i].sortKey > after })
		hits = hits[i:]
	}
	if len(hits) > size {
		hits = hits[:size]
	}
	out := make([]any, 0, len(hits))
	for _, h := range hits {
		o := map[string]any{"_index": h.index, "_id": h.id, "_score": nil}
		if sortField != "" {
			o["sort"] = []any{h.sortKey}
		}
		out = append(out, o)
	}
	writeJSON(w, 200, map[string]any{"took": 1, "timed_out": false, "hits": map[string]any{"max_score": nil, "hits": out}})
}

func (s *Server) getDataStream(w http.ResponseWriter, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.streams[name]
	if st == nil || !st.dataStream {
		esError(w, 404, "index_not_found_exception", "no such index ["+name+"]")
		return
	}
	tmplName := ""
	if _, n := s.matchTemplate(name); n != "" {
		tmplName = n
	}
	writeJSON(w, 200, map[string]any{"data_streams": []any{map[string]any{
		"name": name, "timestamp_field": map[string]string{"name": "@timestamp"}, "template": tmplName, "status": "GREEN",
	}}})
}
