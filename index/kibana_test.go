package index

// TestKibanaObjects_Kibana8Shape checks kibana.ndjson against the shape a
// Kibana 8.11 export has (see KibanaVersion), and every field a Lens
// column or the saved search uses against exlog's mappings.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"exlog/index/estest"
)

// mappedFields lists the fields of exlog's mappings component template.
func mappedFields(t *testing.T) map[string]string {
	t.Helper()
	ts, err := Templates()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var walk func(prefix string, props map[string]any)
	walk = func(prefix string, props map[string]any) {
		for k, v := range props {
			m, _ := v.(map[string]any)
			if typ, ok := m["type"].(string); ok {
				out[prefix+k] = typ
			}
			if sub, ok := m["properties"].(map[string]any); ok {
				walk(prefix+k+".", sub)
			}
		}
	}
	for _, tp := range ts {
		var body struct {
			Template struct {
				Mappings struct {
					Properties map[string]any `json:"properties"`
				} `json:"mappings"`
			} `json:"template"`
		}
		json.Unmarshal(tp.Body, &body)
		walk("", body.Template.Mappings.Properties)
	}
	return out
}

func TestKibanaObjects_Kibana8Shape(t *testing.T) {
	fields := mappedFields(t)
	wantTypeVersion := map[string]string{"index-pattern": "8.0.0", "search": "8.0.0", "lens": "8.9.0", "dashboard": "8.9.0"}
	sc := bufio.NewScanner(bytes.NewReader(KibanaObjects()))
	sc.Buffer(nil, 1<<20)
	objects := map[string]map[string]any{}
	var order []string
	sawSummary := false
	for sc.Scan() {
		var o map[string]any
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			t.Fatal(err)
		}
		if _, ok := o["exportedCount"]; ok {
			sawSummary = true
			if int(o["exportedCount"].(float64)) != len(objects) {
				t.Errorf("export summary counts %v objects, the file has %d", o["exportedCount"], len(objects))
			}
			continue
		}
		keys := make([]string, 0, len(o))
		for k := range o {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if got := strings.Join(keys, ","); got != "attributes,coreMigrationVersion,id,managed,references,type,typeMigrationVersion" {
			t.Errorf("%v: keys %s, not a Kibana 8 export's", o["id"], got)
		}
		typ, _ := o["type"].(string)
		if o["coreMigrationVersion"] != "8.8.0" {
			t.Errorf("%s: coreMigrationVersion %v", o["id"], o["coreMigrationVersion"])
		}
		if v, _ := o["typeMigrationVersion"].(string); v != wantTypeVersion[typ] || semverLess(KibanaVersion, v) {
			t.Errorf("%s: typeMigrationVersion %v, want %s (not newer than Kibana %s)", o["id"], o["typeMigrationVersion"], wantTypeVersion[typ], KibanaVersion)
		}
		objects[typ+"/"+o["id"].(string)] = o
		order = append(order, typ+"/"+o["id"].(string))
	}
	if !sawSummary {
		t.Error("no export summary line")
	}
	refsOf := func(o map[string]any) map[string]string {
		out := map[string]string{}
		for _, r := range o["references"].([]any) {
			rm := r.(map[string]any)
			out[rm["name"].(string)] = rm["type"].(string) + "/" + rm["id"].(string)
		}
		return out
	}
	lenses := 0
	for _, key := range order {
		o := objects[key]
		a := o["attributes"].(map[string]any)
		refs := refsOf(o)
		switch o["type"] {
		case "visualization":
			t.Errorf("%s: a legacy aggregation-based visualization; Kibana 8 builds these in Lens", key)
		case "lens":
			lenses++
			st := a["state"].(map[string]any)
			layers := st["datasourceStates"].(map[string]any)["formBased"].(map[string]any)["layers"].(map[string]any)
			for id, l := range layers {
				if refs["indexpattern-datasource-layer-"+id] != "index-pattern/exlog" {
					t.Errorf("%s: layer %s has no data view reference", key, id)
				}
				lm := l.(map[string]any)
				cols := lm["columns"].(map[string]any)
				order := lm["columnOrder"].([]any)
				if len(order) != len(cols) {
					t.Errorf("%s: columnOrder %v for %d columns", key, order, len(cols))
				}
				for _, c := range order {
					col, ok := cols[c.(string)].(map[string]any)
					if !ok {
						t.Errorf("%s: columnOrder names %v, not a column", key, c)
						continue
					}
					f, _ := col["sourceField"].(string)
					if f != "___records___" && fields[f] == "" {
						t.Errorf("%s: column %v uses %q, which exlog does not map", key, c, f)
					}
					if fields[f] == "match_only_text" || fields[f] == "flattened" {
						t.Errorf("%s: column %v aggregates %q of type %s", key, c, f, fields[f])
					}
				}
				vis, _ := st["visualization"].(map[string]any)
				if vl, ok := vis["layers"].([]any); ok {
					for _, x := range vl {
						xm := x.(map[string]any)
						for _, acc := range append(xm["accessors"].([]any), xm["xAccessor"], xm["splitAccessor"]) {
							if _, ok := cols[acc.(string)]; !ok {
								t.Errorf("%s: visualization uses column %v that the layer lacks", key, acc)
							}
						}
					}
				}
			}
		case "search":
			for _, f := range []string{"columns", "sort", "grid", "hideChart", "isTextBasedQuery", "kibanaSavedObjectMeta"} {
				if _, ok := a[f]; !ok {
					t.Errorf("%s: lacks %s", key, f)
				}
			}
			for _, c := range a["columns"].([]any) {
				if fields[c.(string)] == "" {
					t.Errorf("%s: column %q is not mapped", key, c)
				}
			}
		case "dashboard":
			var panels []map[string]any
			if err := json.Unmarshal([]byte(a["panelsJSON"].(string)), &panels); err != nil {
				t.Fatal(err)
			}
			for _, p := range panels {
				if p["version"] != KibanaVersion {
					t.Errorf("panel %v at version %v, want %s", p["panelIndex"], p["version"], KibanaVersion)
				}
				target := refs[p["panelIndex"].(string)+":"+p["panelRefName"].(string)]
				if target == "" || objects[target] == nil || !strings.HasPrefix(target, p["type"].(string)+"/") {
					t.Errorf("panel %v: reference %q → %q", p["panelIndex"], p["panelRefName"], target)
				}
			}
		}
	}
	if lenses != 3 {
		t.Errorf("%d Lens objects, want 3", lenses)
	}
}

func TestFakeES_SetupRefusesAnOlderKibana(t *testing.T) {
	srv := estest.New(estest.Options{})
	defer srv.Close()
	old := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/status" {
			w.Write([]byte(`{"version":{"number":"8.10.4"}}`))
			return
		}
		srv.Kibana.Config.Handler.ServeHTTP(w, r)
	}))
	defer old.Close()
	_, err := Setup(context.Background(), SetupOptions{Connection: Connection{URL: srv.ES.URL}, KibanaURL: old.URL})
	if err == nil || !strings.Contains(err.Error(), "8.10.4 is older than "+KibanaVersion) {
		t.Errorf("Kibana 8.10.4: %v", err)
	}
	if !semverLess("8.9.0", "8.11.0") || semverLess("8.11.0", "8.9.0") || semverLess("8.11.0", "8.11.0") {
		t.Error("semverLess")
	}
}
