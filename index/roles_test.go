package index

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"exlog/index/estest"
)

// readmeRoles reads the POST /_security/api_key bodies of README.md:
// the roles the README promises are enough.
func readmeRoles(t *testing.T) map[string]*estest.Role {
	t.Helper()
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]*estest.Role{}
	blocks := strings.Split(string(raw), "```")
	for i := 1; i < len(blocks); i += 2 {
		body, ok := strings.CutPrefix(strings.TrimLeft(blocks[i], "\n"), "POST /_security/api_key\n")
		if !ok {
			continue
		}
		var key struct {
			Name            string `json:"name"`
			RoleDescriptors map[string]struct {
				Cluster []string                 `json:"cluster"`
				Indices []estest.IndexPrivileges `json:"indices"`
			} `json:"role_descriptors"`
		}
		dec := json.NewDecoder(strings.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&key); err != nil {
			t.Fatalf("README api_key body: %v\n%s", err, body)
		}
		if len(key.RoleDescriptors) != 1 {
			t.Fatalf("%s: want one role descriptor", key.Name)
		}
		for _, rd := range key.RoleDescriptors {
			roles[key.Name] = &estest.Role{Cluster: rd.Cluster, Indices: rd.Indices}
		}
	}
	if roles["exlog-index"] == nil || roles["exlog-setup"] == nil {
		t.Fatalf("README lacks the exlog-index or exlog-setup api_key body: %v", roles)
	}
	return roles
}

func TestFakeES_LeastPrivilegeRoles(t *testing.T) {
	roles := readmeRoles(t)
	srv := estest.New(estest.Options{})
	defer srv.Close()
	conn := Connection{URL: srv.ES.URL, Backoff: fastBackoff}
	ctx := context.Background()

	// Setup with the setup key: GET / is 403 (no monitor), not fatal.
	srv.SetRole(roles["exlog-setup"])
	if _, err := Setup(ctx, SetupOptions{Connection: conn}); err != nil {
		t.Fatalf("setup with the README's setup role: %v", err)
	}
	if _, ok := srv.IndexTemplate("logs-exlog.events"); !ok {
		t.Fatal("setup installed no template")
	}
	// The setup key cannot index (the fake enforces the role).
	tb := newTestBundle("leastpriv", 600)
	total := len(tb.docs(t, "default"))
	s, err := indexBundle(t, resumeConfig(t, srv), tb)
	if err == nil && s.Failed == 0 {
		t.Fatalf("the setup role could index: %s", s)
	}

	// Index with the index key: everything stored, resume and verify work.
	srv2 := estest.New(estest.Options{})
	defer srv2.Close()
	srv2.SetRole(roles["exlog-index"])
	cfg := resumeConfig(t, srv2)
	s, v := indexAndVerify(t, cfg, tb)
	if s.Indexed != int64(total) || s.Lost() != 0 || v.Stored != int64(total) || len(s.Notes) != 0 {
		t.Fatalf("index role: %s %+v notes %v errors %v", s, v, s.Notes, s.Errors)
	}
	s, _ = indexAndVerify(t, cfg, tb)
	if s.Held != int64(total) || s.Indexed != 0 {
		t.Fatalf("index role, rerun: %s held %d", s, s.Held)
	}
	// The index key cannot install templates.
	if _, err := Setup(ctx, SetupOptions{Connection: conn.with(srv2.ES.URL)}); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("setup with the index role: %v", err)
	}

	// Without read: indexing works, the pre-check and the check after are
	// skipped with a note / ErrForbidden.
	noRead := *roles["exlog-index"]
	noRead.Indices = []estest.IndexPrivileges{{Names: noRead.Indices[0].Names, Privileges: []string{"create_doc", "auto_configure"}}}
	srv3 := estest.New(estest.Options{})
	defer srv3.Close()
	srv3.SetRole(&noRead)
	ix, err := New(ctx, resumeConfig(t, srv3), tb.bundle)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range tb.events {
		ix.Event(e)
	}
	ix.Report(tb.report)
	s, err = ix.Close()
	if err != nil || s.Indexed != int64(total) || len(s.Notes) != 1 || !strings.Contains(s.Notes[0], "read") {
		t.Fatalf("without read: %s, %v, notes %v", s, err, s.Notes)
	}
	if _, err := ix.Verify(ctx, &s, 100*time.Millisecond); !errors.Is(err, ErrForbidden) {
		t.Errorf("verify without read: %v, want ErrForbidden", err)
	}

	// Without auto_configure the first document of a new stream is refused.
	noAuto := noRead
	noAuto.Indices = []estest.IndexPrivileges{{Names: noRead.Indices[0].Names, Privileges: []string{"create_doc", "read"}}}
	srv4 := estest.New(estest.Options{})
	defer srv4.Close()
	srv4.SetRole(&noAuto)
	s, _ = indexBundle(t, resumeConfig(t, srv4), tb)
	if s.Failed != int64(total) || s.Errors == nil {
		t.Errorf("without auto_configure: %s", s)
	}
}

func (c Connection) with(url string) Connection {
	c.URL = url
	return c
}
