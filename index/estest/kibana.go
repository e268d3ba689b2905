package estest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// savedObject is one Kibana saved object as imported.
type savedObject struct {
	Type       string          `json:"type"`
	ID         string          `json:"id"`
	Attributes json.RawMessage `json:"attributes"`
	References []reference     `json:"references"`
	raw        json.RawMessage
}

type reference struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Name string `json:"name"`
}

var savedObjectTypes = map[string]bool{
	"index-pattern": true, "visualization": true, "search": true, "dashboard": true, "lens": true, "tag": true, "config": true,
}

func kibanaError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"statusCode": status, "error": http.StatusText(status), "message": msg})
}

func (s *Server) serveKibana(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		kibanaError(w, 401, "Unauthorized")
		return
	}
	// Kibana refuses state-changing requests without kbn-xsrf.
	if r.Method != http.MethodGet && r.Header.Get("kbn-xsrf") == "" {
		kibanaError(w, 400, "Request must contain a kbn-xsrf header.")
		return
	}
	p := r.URL.Path
	switch {
	case p == "/api/status" && r.Method == http.MethodGet:
		writeJSON(w, 200, map[string]any{"name": "estest", "version": map[string]string{"number": "8.19.0"},
			"status": map[string]any{"overall": map[string]string{"level": "available"}}})
	case p == "/api/saved_objects/_import" && r.Method == http.MethodPost:
		s.importObjects(w, r)
	case p == "/api/data_views" && r.Method == http.MethodGet:
		s.mu.Lock()
		var views []any
		for _, o := range s.objects {
			if o.Type == "index-pattern" {
				var a struct {
					Title string `json:"title"`
					Name  string `json:"name"`
				}
				json.Unmarshal(o.Attributes, &a)
				views = append(views, map[string]any{"id": o.ID, "title": a.Title, "name": a.Name, "namespaces": []string{"default"}})
			}
		}
		s.mu.Unlock()
		writeJSON(w, 200, map[string]any{"data_view": views})
	case strings.HasPrefix(p, "/api/data_views/data_view/") && r.Method == http.MethodGet:
		id := strings.TrimPrefix(p, "/api/data_views/data_view/")
		s.mu.Lock()
		o, ok := s.objects["index-pattern/"+id]
		s.mu.Unlock()
		if !ok {
			kibanaError(w, 404, fmt.Sprintf("Saved object [index-pattern/%s] not found", id))
			return
		}
		var a map[string]any
		json.Unmarshal(o.Attributes, &a)
		a["id"] = id
		writeJSON(w, 200, map[string]any{"data_view": a})
	case strings.HasPrefix(p, "/api/saved_objects/") && r.Method == http.MethodGet:
		parts := strings.Split(strings.TrimPrefix(p, "/api/saved_objects/"), "/")
		if len(parts) != 2 {
			kibanaError(w, 404, "Not Found")
			return
		}
		s.mu.Lock()
		o, ok := s.objects[parts[0]+"/"+parts[1]]
		s.mu.Unlock()
		if !ok {
			kibanaError(w, 404, fmt.Sprintf("Saved object [%s/%s] not found", parts[0], parts[1]))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(o.raw)
	default:
		kibanaError(w, 404, "Not Found")
	}
}

// importObjects implements POST /api/saved_objects/_import: a multipart
// form whose "file" is an .ndjson export. Objects are checked the way
// Kibana does before it writes anything: known type, references that
// resolve, JSON-in-string attributes that parse.
func (s *Server) importObjects(w http.ResponseWriter, r *http.Request) {
	overwrite := r.URL.Query().Get("overwrite") == "true"
	f, hdr, err := r.FormFile("file")
	if err != nil {
		kibanaError(w, 400, "[request body.file]: expected value of type [Stream] but got [undefined]")
		return
	}
	defer f.Close()
	if !strings.HasSuffix(hdr.Filename, ".ndjson") {
		kibanaError(w, 400, "Invalid file extension "+hdr.Filename)
		return
	}
	var objs []savedObject
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var o savedObject
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			kibanaError(w, 400, "Unexpected token in JSON: "+err.Error())
			return
		}
		if o.Type == "" { // the export summary line
			continue
		}
		o.raw = json.RawMessage(line)
		objs = append(objs, o)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inFile := map[string]bool{}
	for _, o := range objs {
		inFile[o.Type+"/"+o.ID] = true
	}
	var errs, results []any
	for _, o := range objs {
		fail := func(typ string, extra map[string]any) {
			e := map[string]any{"type": typ}
			for k, v := range extra {
				e[k] = v
			}
			errs = append(errs, map[string]any{"id": o.ID, "type": o.Type, "error": e})
		}
		if !savedObjectTypes[o.Type] {
			fail("unsupported_type", nil)
			continue
		}
		var missing []any
		for _, ref := range o.References {
			if _, ok := s.objects[ref.Type+"/"+ref.ID]; !ok && !inFile[ref.Type+"/"+ref.ID] {
				missing = append(missing, map[string]string{"type": ref.Type, "id": ref.ID})
			}
		}
		if len(missing) > 0 {
			fail("missing_references", map[string]any{"references": missing})
			continue
		}
		if msg := checkAttributes(o); msg != "" {
			fail("unknown", map[string]any{"message": msg})
			continue
		}
		if _, exists := s.objects[o.Type+"/"+o.ID]; exists && !overwrite {
			fail("conflict", nil)
			continue
		}
		results = append(results, map[string]any{"id": o.ID, "type": o.Type, "overwrite": overwrite})
	}
	if len(errs) == 0 {
		for _, o := range objs {
			s.objects[o.Type+"/"+o.ID] = o
		}
	} else {
		results = nil
	}
	writeJSON(w, 200, map[string]any{"success": len(errs) == 0, "successCount": len(results), "successResults": results, "errors": errs})
}

// checkAttributes parses the JSON that saved objects keep in strings and
// checks that each dashboard panel names a reference.
func checkAttributes(o savedObject) string {
	var a map[string]any
	if err := json.Unmarshal(o.Attributes, &a); err != nil {
		return "attributes: " + err.Error()
	}
	if _, ok := a["title"].(string); !ok {
		return "attributes.title missing"
	}
	parse := func(field string) (any, string) {
		s, ok := a[field].(string)
		if !ok {
			return nil, ""
		}
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Sprintf("attributes.%s is not JSON: %v", field, err)
		}
		return v, ""
	}
	if meta, ok := a["kibanaSavedObjectMeta"].(map[string]any); ok {
		if src, ok := meta["searchSourceJSON"].(string); ok {
			var v any
			if err := json.Unmarshal([]byte(src), &v); err != nil {
				return "searchSourceJSON is not JSON: " + err.Error()
			}
		}
	}
	for _, f := range []string{"visState", "uiStateJSON", "optionsJSON", "fieldFormatMap", "fields"} {
		if _, msg := parse(f); msg != "" {
			return msg
		}
	}
	if o.Type == "index-pattern" {
		if _, ok := a["timeFieldName"].(string); !ok {
			return "index-pattern without timeFieldName"
		}
	}
	if o.Type == "dashboard" {
		panels, msg := parse("panelsJSON")
		if msg != "" {
			return msg
		}
		names := map[string]bool{}
		for _, ref := range o.References {
			names[ref.Name] = true
		}
		list, _ := panels.([]any)
		for _, p := range list {
			pm, _ := p.(map[string]any)
			name, _ := pm["panelRefName"].(string)
			// Kibana 8 names a panel's reference "<panelIndex>:<panelRefName>"
			// (7.x: "<panelRefName>").
			idx, _ := pm["panelIndex"].(string)
			if !names[name] && !names[idx+":"+name] {
				return fmt.Sprintf("panel %v names reference %q that the dashboard does not have", pm["panelIndex"], name)
			}
		}
	}
	return ""
}
