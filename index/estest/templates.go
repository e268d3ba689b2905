package estest

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// indexTemplate is the part of an index template the fake acts on.
type indexTemplate struct {
	IndexPatterns []string        `json:"index_patterns"`
	Priority      *int            `json:"priority"`
	ComposedOf    []string        `json:"composed_of"`
	DataStream    *map[string]any `json:"data_stream"`
	Template      *templateBody   `json:"template"`
	Version       *int64          `json:"version"`
}

type templateBody struct {
	Settings map[string]any `json:"settings"`
	Mappings map[string]any `json:"mappings"`
}

type componentTemplate struct {
	Template *templateBody `json:"template"`
	Version  *int64        `json:"version"`
}

// builtinLogs is the "logs" template every Elasticsearch 8 cluster has
// (stack templates): logs-*-* become data streams at priority 100.
var builtinLogs = indexTemplate{IndexPatterns: []string{"logs-*-*"}, Priority: ptr(100), DataStream: &map[string]any{}}

func ptr[T any](v T) *T { return &v }

func (t *indexTemplate) priority() int {
	if t.Priority == nil {
		return 0
	}
	return *t.Priority
}

var knownTypes = map[string]bool{
	"keyword": true, "text": true, "match_only_text": true, "wildcard": true, "constant_keyword": true,
	"long": true, "integer": true, "short": true, "byte": true, "unsigned_long": true,
	"double": true, "float": true, "half_float": true, "scaled_float": true,
	"date": true, "date_nanos": true, "boolean": true, "object": true, "nested": true,
	"flattened": true, "ip": true, "alias": true,
}

// template serves PUT/GET of index and component templates.
func (s *Server) template(w http.ResponseWriter, r *http.Request, store map[string]json.RawMessage, name, listKey, itemKey string) {
	switch r.Method {
	case http.MethodGet:
		s.mu.Lock()
		raw, ok := store[name]
		s.mu.Unlock()
		if !ok {
			kind := strings.TrimSuffix(listKey, "s")
			esError(w, 404, "resource_not_found_exception", strings.ReplaceAll(kind, "_", " ")+" matching ["+name+"] not found")
			return
		}
		writeJSON(w, 200, map[string]any{listKey: []any{map[string]any{"name": name, itemKey: raw}}})
	case http.MethodPut, http.MethodPost:
		raw, err := io.ReadAll(r.Body)
		if err != nil || !json.Valid(raw) {
			esError(w, 400, "x_content_parse_exception", "request body is not valid JSON")
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		var msg string
		if itemKey == "index_template" {
			msg = s.validateIndexTemplate(name, raw)
		} else {
			msg = validateComponent(name, raw)
		}
		if msg != "" {
			esError(w, 400, msg[:strings.IndexByte(msg, '|')], msg[strings.IndexByte(msg, '|')+1:])
			return
		}
		store[name] = json.RawMessage(raw)
		writeJSON(w, 200, map[string]bool{"acknowledged": true})
	default:
		esError(w, 405, "illegal_argument_exception", "method not allowed")
	}
}

// The fields Elasticsearch 8 accepts; any other is a parse error, as in
// Elasticsearch ("unknown field").
var (
	indexTemplateFields     = fieldSet("index_patterns", "composed_of", "priority", "version", "_meta", "data_stream", "allow_auto_create", "template", "ignore_missing_component_templates", "deprecated")
	componentTemplateFields = fieldSet("template", "version", "_meta", "deprecated")
	templateBodyFields      = fieldSet("settings", "mappings", "aliases", "lifecycle", "data_stream_options")
	lifecycleFields         = fieldSet("enabled", "data_retention", "downsampling")
	mappingsFields          = fieldSet("properties", "dynamic", "dynamic_templates", "_source", "_meta", "date_detection", "numeric_detection", "subobjects", "_routing", "runtime", "dynamic_date_formats", "enabled")
	// Mapping parameters by field type (those exlog could use).
	commonParams = fieldSet("type", "meta", "fields", "copy_to")
	typeParams   = map[string]map[string]bool{
		"keyword":          fieldSet("ignore_above", "index", "doc_values", "null_value", "normalizer", "store", "similarity", "eager_global_ordinals", "split_queries_on_whitespace", "index_options", "norms", "time_series_dimension", "script", "on_script_error"),
		"constant_keyword": fieldSet("value"),
		"wildcard":         fieldSet("ignore_above", "null_value"),
		"flattened":        fieldSet("ignore_above", "depth_limit", "doc_values", "index", "index_options", "null_value", "similarity", "split_queries_on_whitespace", "eager_global_ordinals", "time_series_dimensions"),
		"text":             fieldSet("analyzer", "search_analyzer", "index", "norms", "store", "index_options", "fielddata", "position_increment_gap", "similarity", "term_vector", "index_prefixes", "index_phrases", "eager_global_ordinals", "search_quote_analyzer"),
		"match_only_text":  fieldSet(),
		"date":             fieldSet("format", "locale", "ignore_malformed", "index", "doc_values", "null_value", "store", "script", "on_script_error"),
		"date_nanos":       fieldSet("format", "locale", "ignore_malformed", "index", "doc_values", "null_value", "store", "script", "on_script_error"),
		"long":             fieldSet("coerce", "ignore_malformed", "index", "doc_values", "null_value", "store", "script", "on_script_error", "time_series_metric", "time_series_dimension"),
		"integer":          fieldSet("coerce", "ignore_malformed", "index", "doc_values", "null_value", "store"),
		"double":           fieldSet("coerce", "ignore_malformed", "index", "doc_values", "null_value", "store", "time_series_metric"),
		"float":            fieldSet("coerce", "ignore_malformed", "index", "doc_values", "null_value", "store"),
		"boolean":          fieldSet("index", "doc_values", "null_value", "store"),
		"object":           fieldSet("properties", "dynamic", "enabled", "subobjects"),
		"nested":           fieldSet("properties", "dynamic", "include_in_parent", "include_in_root"),
		"ip":               fieldSet("ignore_malformed", "index", "doc_values", "null_value", "store"),
	}
)

func fieldSet(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// unknownField is the first key of the JSON object raw that allowed
// lacks, in Elasticsearch's message, or "".
func unknownField(what string, raw json.RawMessage, allowed map[string]bool) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !allowed[k] {
			return "x_content_parse_exception|[1:2] [" + what + "] unknown field [" + k + "]"
		}
	}
	return ""
}

// checkTemplateFields rejects unknown fields in a template body: its top
// level, "template", "template.lifecycle", "template.mappings" and every
// field mapping's parameters.
func checkTemplateFields(kind string, raw []byte, top map[string]bool) string {
	if msg := unknownField(kind, raw, top); msg != "" {
		return msg
	}
	var t struct {
		Template json.RawMessage `json:"template"`
	}
	json.Unmarshal(raw, &t)
	if t.Template == nil {
		return ""
	}
	if msg := unknownField("template", t.Template, templateBodyFields); msg != "" {
		return msg
	}
	var body struct {
		Lifecycle json.RawMessage `json:"lifecycle"`
		Mappings  json.RawMessage `json:"mappings"`
	}
	json.Unmarshal(t.Template, &body)
	if body.Lifecycle != nil {
		if msg := unknownField("lifecycle", body.Lifecycle, lifecycleFields); msg != "" {
			return msg
		}
	}
	if body.Mappings != nil {
		if msg := unknownField("_doc", body.Mappings, mappingsFields); msg != "" {
			return "mapper_parsing_exception|Root mapping definition has unsupported parameters: " + msg[strings.LastIndexByte(msg, '['):]
		}
		var m map[string]any
		json.Unmarshal(body.Mappings, &m)
		if msg := checkParams("", m); msg != "" {
			return msg
		}
	}
	return ""
}

// checkParams rejects mapping parameters a field's type does not have.
func checkParams(prefix string, mappings map[string]any) string {
	props, _ := mappings["properties"].(map[string]any)
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		m, ok := props[k].(map[string]any)
		if !ok {
			continue
		}
		typ, _ := m["type"].(string)
		if typ == "" {
			typ = "object"
		}
		allowed := typeParams[typ]
		for p := range m {
			if !commonParams[p] && (allowed == nil || !allowed[p]) {
				return fmt.Sprintf("mapper_parsing_exception|unknown parameter [%s] on mapper [%s] of type [%s]", p, prefix+k, typ)
			}
		}
		if _, ok := m["properties"]; ok {
			if msg := checkParams(prefix+k+".", m); msg != "" {
				return msg
			}
		}
	}
	return ""
}

func validateComponent(name string, raw []byte) string {
	if msg := checkTemplateFields("component_template", raw, componentTemplateFields); msg != "" {
		return msg
	}
	var c componentTemplate
	if err := json.Unmarshal(raw, &c); err != nil {
		return "x_content_parse_exception|" + err.Error()
	}
	if c.Template == nil {
		return "action_request_validation_exception|Validation Failed: 1: template is required;"
	}
	if c.Template.Mappings != nil {
		if msg := checkTypes("", c.Template.Mappings); msg != "" {
			return msg
		}
	}
	return ""
}

// validateIndexTemplate applies Elasticsearch's checks. Called with s.mu held.
func (s *Server) validateIndexTemplate(name string, raw []byte) string {
	if msg := checkTemplateFields("index_template", raw, indexTemplateFields); msg != "" {
		return msg
	}
	var t indexTemplate
	if err := json.Unmarshal(raw, &t); err != nil {
		return "x_content_parse_exception|" + err.Error()
	}
	if len(t.IndexPatterns) == 0 {
		return "action_request_validation_exception|Validation Failed: 1: index patterns are missing;"
	}
	var missing []string
	for _, c := range t.ComposedOf {
		if _, ok := s.component[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return fmt.Sprintf("invalid_index_template_exception|index_template [%s] invalid, cause [index template [%s] specifies component templates %v that do not exist]", name, name, missing)
	}
	others := map[string]indexTemplate{"logs": builtinLogs}
	for n, r := range s.index {
		var o indexTemplate
		if json.Unmarshal(r, &o) == nil {
			others[n] = o
		}
	}
	for n, o := range others {
		if n == name || o.priority() != t.priority() {
			continue
		}
		for _, p := range t.IndexPatterns {
			for _, q := range o.IndexPatterns {
				if overlap(p, q) {
					return fmt.Sprintf("illegal_argument_exception|index template [%s] has index patterns %v matching patterns from existing templates [%s] with patterns (%s => %v) that have the same priority [%d], multiple index templates may not match during index creation, please use a different priority",
						name, t.IndexPatterns, n, n, o.IndexPatterns, t.priority())
				}
			}
		}
	}
	if t.Template != nil && t.Template.Mappings != nil {
		if msg := checkTypes("", t.Template.Mappings); msg != "" {
			return msg
		}
	}
	if t.DataStream != nil {
		props := s.mappingsOf(&t)
		if ts, ok := props["@timestamp"].(map[string]any); ok {
			if typ := ts["type"]; typ != "date" && typ != "date_nanos" {
				return fmt.Sprintf("illegal_argument_exception|data stream timestamp field [@timestamp] is of type [%v], but [date,date_nanos] is expected", typ)
			}
		}
	}
	return ""
}

func overlap(a, b string) bool {
	m1, _ := path.Match(a, b)
	m2, _ := path.Match(b, a)
	return m1 || m2
}

// checkTypes rejects unknown field types in a mappings object.
func checkTypes(prefix string, mappings map[string]any) string {
	props, _ := mappings["properties"].(map[string]any)
	for k, v := range props {
		m, ok := v.(map[string]any)
		if !ok {
			return "mapper_parsing_exception|Expected map for property [fields] on field [" + prefix + k + "] but got a class java.lang.String"
		}
		if typ, ok := m["type"].(string); ok && !knownTypes[typ] {
			return fmt.Sprintf("mapper_parsing_exception|No handler for type [%s] declared on field [%s]", typ, prefix+k)
		}
		if _, ok := m["properties"]; ok {
			if msg := checkTypes(prefix+k+".", m); msg != "" {
				return msg
			}
		}
	}
	return ""
}

// matchTemplate is the highest-priority template whose patterns match
// index (the built-in "logs" included). Called with s.mu held.
func (s *Server) matchTemplate(index string) (*indexTemplate, string) {
	var best *indexTemplate
	bestName := ""
	consider := func(n string, t indexTemplate) {
		for _, p := range t.IndexPatterns {
			if ok, _ := path.Match(p, index); ok && (best == nil || t.priority() > best.priority()) {
				t := t
				best, bestName = &t, n
			}
		}
	}
	consider("logs", builtinLogs)
	names := make([]string, 0, len(s.index))
	for n := range s.index {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		var t indexTemplate
		if json.Unmarshal(s.index[n], &t) == nil {
			consider(n, t)
		}
	}
	return best, bestName
}

// mappingsOf merges the properties of t's component templates and its
// own, in Elasticsearch's order (later wins). nil: no explicit mappings.
// Called with s.mu held.
func (s *Server) mappingsOf(t *indexTemplate) map[string]any {
	if t == nil {
		return nil
	}
	var out map[string]any
	merge := func(m map[string]any) {
		props, _ := m["properties"].(map[string]any)
		if props == nil {
			return
		}
		if out == nil {
			out = map[string]any{}
		}
		for k, v := range props {
			out[k] = v
		}
	}
	for _, c := range t.ComposedOf {
		var ct componentTemplate
		if json.Unmarshal(s.component[c], &ct) == nil && ct.Template != nil && ct.Template.Mappings != nil {
			merge(ct.Template.Mappings)
		}
	}
	if t.Template != nil && t.Template.Mappings != nil {
		merge(t.Template.Mappings)
	}
	return out
}

// strictOf reports whether t's root mapping has "dynamic": "strict".
// Called with s.mu held.
func (s *Server) strictOf(t *indexTemplate) bool {
	strict := false
	check := func(m map[string]any) {
		if d, ok := m["dynamic"]; ok {
			strict = fmt.Sprint(d) == "strict"
		}
	}
	for _, c := range t.ComposedOf {
		var ct componentTemplate
		if json.Unmarshal(s.component[c], &ct) == nil && ct.Template != nil && ct.Template.Mappings != nil {
			check(ct.Template.Mappings)
		}
	}
	if t.Template != nil && t.Template.Mappings != nil {
		check(t.Template.Mappings)
	}
	return strict
}

// checkMapping validates a document (object) against mapped properties
// the way Elasticsearch's document parser would. It returns
// "type|reason" or "".
func checkMapping(prefix string, obj map[string]any, props map[string]any, strict bool) string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := obj[k]
		head, rest, dotted := strings.Cut(k, ".")
		if dotted && head != "" && rest != "" {
			// "a.b": v is the same as {"a": {"b": v}}.
			v = map[string]any{rest: v}
			k = head
		}
		full := prefix + k
		p, ok := props[k].(map[string]any)
		if !ok {
			if strict {
				within := strings.TrimSuffix(prefix, ".")
				if within == "" {
					within = "_doc"
				}
				return fmt.Sprintf("strict_dynamic_mapping_exception|[1:2] mapping set to strict, dynamic introduction of [%s] within [%s] is not allowed", k, within)
			}
			continue
		}
		if msg := checkValue(full, v, p, strict); msg != "" {
			return msg
		}
	}
	return ""
}

func checkValue(full string, v any, p map[string]any, strict bool) string {
	if arr, ok := v.([]any); ok {
		for _, e := range arr {
			if msg := checkValue(full, e, p, strict); msg != "" {
				return msg
			}
		}
		return ""
	}
	if v == nil {
		return ""
	}
	typ, _ := p["type"].(string)
	sub, hasProps := p["properties"].(map[string]any)
	if typ == "" && hasProps || typ == "object" || typ == "nested" {
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Sprintf("document_parsing_exception|[1:2] object mapping for [%s] tried to parse field [%s] as object, but found a concrete value", full, full)
		}
		if d, ok := p["dynamic"]; ok {
			strict = fmt.Sprint(d) == "strict"
		}
		return checkMapping(full+".", m, sub, strict)
	}
	bad := func() string {
		return fmt.Sprintf("document_parsing_exception|[1:2] failed to parse field [%s] of type [%s]. Preview of field's value: '%v'", full, typ, v)
	}
	switch typ {
	case "":
		return ""
	case "flattened":
		return checkFlattened(full, v, p)
	case "keyword", "wildcard":
		if _, isObj := v.(map[string]any); isObj {
			return bad()
		}
		if typ == "keyword" {
			return checkTerm(full, fmt.Sprint(v), p)
		}
		return ""
	case "constant_keyword":
		if want, ok := p["value"].(string); ok && fmt.Sprint(v) != want {
			return fmt.Sprintf("document_parsing_exception|[1:2] failed to parse field [%s] of type [constant_keyword] in document: [constant_keyword] field [%s] only accepts values that are equal to the value defined in the mappings [%s], but got [%v]", full, full, want, v)
		}
		return ""
	case "long", "integer", "short", "byte", "unsigned_long":
		switch x := v.(type) {
		case float64:
			if x != math.Trunc(x) {
				return bad()
			}
		case string:
			if _, err := strconv.ParseInt(x, 10, 64); err != nil {
				return bad()
			}
		default:
			return bad()
		}
	case "double", "float", "half_float", "scaled_float":
		switch x := v.(type) {
		case float64:
		case string:
			if _, err := strconv.ParseFloat(x, 64); err != nil {
				return bad()
			}
		default:
			return bad()
		}
	case "date", "date_nanos":
		var t time.Time
		switch x := v.(type) {
		case float64:
			t = time.UnixMilli(int64(x))
		case string:
			var err error
			if t, err = time.Parse(time.RFC3339Nano, x); err != nil {
				if t, err = time.Parse("2006-01-02", x); err != nil {
					return bad()
				}
			}
		default:
			return bad()
		}
		if typ == "date_nanos" && (t.Before(time.Unix(0, 0)) || t.After(time.Unix(0, math.MaxInt64))) {
			// Elasticsearch's DateUtils.toLong.
			return fmt.Sprintf("document_parsing_exception|[1:2] failed to parse field [%s] of type [date_nanos]: date[%s] is before the epoch in 1970 and cannot be stored in nanosecond resolution", full, t.UTC().Format(time.RFC3339Nano))
		}
	case "boolean":
		switch x := v.(type) {
		case bool:
		case string:
			if x != "true" && x != "false" && x != "" {
				return bad()
			}
		default:
			return bad()
		}
	default: // keyword, text, ...
		if _, isObj := v.(map[string]any); isObj {
			return bad()
		}
	}
	return ""
}

// maxTermBytes is Lucene's limit on one indexed term (IndexWriter.MAX_TERM_LENGTH).
const maxTermBytes = 32766

// checkTerm refuses a keyword value longer than Lucene's term limit that
// ignore_above does not keep out of the index.
func checkTerm(full, v string, p map[string]any) string {
	if above, ok := p["ignore_above"].(float64); ok && float64(len([]rune(v))) > above {
		return "" // not indexed, kept in _source
	}
	if len(v) > maxTermBytes {
		return fmt.Sprintf("illegal_argument_exception|Document contains at least one immense term in field=\"%s\" (whose UTF8 encoding is longer than the max length %d), all of which were skipped. Please correct the analyzer to not produce such terms. The prefix of the first immense term is: '[%s...]'", full, maxTermBytes, firstRunes(v, 30))
	}
	return ""
}

// checkFlattened applies the term limit to every leaf of a flattened
// field (its keyed terms are "key\0value").
func checkFlattened(full string, v any, p map[string]any) string {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if msg := checkFlattened(full+"._keyed."+k, e, p); msg != "" {
				return msg
			}
		}
	case []any:
		for _, e := range x {
			if msg := checkFlattened(full, e, p); msg != "" {
				return msg
			}
		}
	case nil:
	default:
		return checkTerm(full, fmt.Sprint(x), p)
	}
	return ""
}

func firstRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}
