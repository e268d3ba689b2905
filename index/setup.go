package index

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"
)

// assets holds what `exlog setup` installs: the component and index
// templates (one JSON file each, named after the template) and the Kibana
// saved objects (kibana.ndjson: data view "exlog" and dashboard
// "exlog-overview" with its panels).
//
//go:embed assets/*.json assets/kibana.ndjson
var assets embed.FS

// Template is one template exlog installs.
type Template struct {
	Kind    string // "component" or "index"
	Name    string
	Body    []byte
	Version int64
}

// Templates lists the templates in install order (components first: the
// index templates are composed of them).
func Templates() ([]Template, error) {
	var out []Template
	for _, kind := range []string{"component", "index"} {
		entries, err := assets.ReadDir("assets")
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			name, ok := strings.CutPrefix(e.Name(), kind+"-")
			if !ok {
				continue
			}
			name = strings.TrimSuffix(name, ".json")
			body, err := assets.ReadFile("assets/" + e.Name())
			if err != nil {
				return nil, err
			}
			var v struct {
				Version int64 `json:"version"`
			}
			if err := json.Unmarshal(body, &v); err != nil {
				return nil, fmt.Errorf("%s: %w", e.Name(), err)
			}
			out = append(out, Template{Kind: kind, Name: name, Body: body, Version: v.Version})
		}
	}
	return out, nil
}

// KibanaVersion is the Kibana release whose export shape kibana.ndjson
// has: coreMigrationVersion 8.8.0 (frozen since 8.8), typeMigrationVersion
// per type (index-pattern 8.0.0, search 8.0.0, lens 8.9.0, dashboard
// 8.9.0), Lens visualizations, dashboard panels at this version with
// references named "<panelIndex>:panel_<panelIndex>". Kibana migrates
// older objects forward on import and refuses newer ones, so the objects
// import into this release and later 8.x; Setup refuses an older Kibana.
const KibanaVersion = "8.11.0"

// KibanaObjects is the NDJSON of the Kibana saved objects exlog imports.
func KibanaObjects() []byte {
	b, _ := assets.ReadFile("assets/kibana.ndjson")
	return b
}

// SetupOptions say where to install.
type SetupOptions struct {
	Connection        // Elasticsearch
	KibanaURL  string // "" skips Kibana; same credentials as Elasticsearch
	// KibanaCACert is the PEM of the CA that signed Kibana's certificate.
	// Kibana's TLS trusts the system roots plus CACert plus KibanaCACert
	// (Insecure applies too).
	KibanaCACert []byte
	// KibanaSpace is the Kibana space to import into; "" is the default space.
	KibanaSpace string
}

// SetupStep is one thing Setup did or found already done.
type SetupStep struct {
	What    string // "component template exlog-mappings", "kibana objects"
	Changed bool   // false: already installed at this version
	Detail  string
}

func (s SetupStep) String() string {
	state := "unchanged"
	if s.Changed {
		state = "installed"
	}
	if s.Detail != "" {
		return s.What + ": " + state + " (" + s.Detail + ")"
	}
	return s.What + ": " + state
}

// Setup installs the templates, and with a Kibana URL the data view and
// dashboard. It is idempotent: a template already installed at the same
// or a newer version is left alone, and the Kibana objects have fixed ids
// and are imported with overwrite. Steps done before an error are
// returned with it.
func Setup(ctx context.Context, opt SetupOptions) ([]SetupStep, error) {
	if opt.target() != TargetElasticsearch {
		return nil, fmt.Errorf("setup is for Elasticsearch and Kibana; VictoriaLogs needs none")
	}
	if opt.KibanaURL != "" {
		// Refuse a bad Kibana URL (or one with credentials) before
		// changing anything.
		if _, err := parseURL(opt.KibanaURL, "--kibana"); err != nil {
			return nil, err
		}
	}
	client, err := NewClient(opt.Connection)
	if err != nil {
		return nil, err
	}
	if err := Ping(ctx, client); err != nil {
		return nil, err
	}
	templates, err := Templates()
	if err != nil {
		return nil, err
	}
	var steps []SetupStep
	for _, t := range templates {
		step, err := installTemplate(ctx, client, t)
		if err != nil {
			return steps, err
		}
		steps = append(steps, step)
	}
	if opt.KibanaURL == "" {
		return steps, nil
	}
	step, err := importKibana(ctx, opt)
	if err != nil {
		return steps, err
	}
	return append(steps, step), nil
}

// installedVersion reads the version of an installed template; found is
// false when there is none.
func installedVersion(ctx context.Context, client *esapi.API, t Template) (version int64, found bool, err error) {
	var res *http.Response
	if t.Kind == "component" {
		r, err := client.Cluster.GetComponentTemplate(client.Cluster.GetComponentTemplate.WithName(t.Name), client.Cluster.GetComponentTemplate.WithContext(ctx))
		if err != nil {
			return 0, false, err
		}
		res = &http.Response{StatusCode: r.StatusCode, Body: r.Body}
	} else {
		r, err := client.Indices.GetIndexTemplate(client.Indices.GetIndexTemplate.WithName(t.Name), client.Indices.GetIndexTemplate.WithContext(ctx))
		if err != nil {
			return 0, false, err
		}
		res = &http.Response{StatusCode: r.StatusCode, Body: r.Body}
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		return 0, false, nil
	}
	if res.StatusCode >= 300 {
		return 0, false, fmt.Errorf("reading %s template %s: %s", t.Kind, t.Name, responseError(res.StatusCode, res.Body))
	}
	var body struct {
		Components []struct {
			Template struct {
				Version int64 `json:"version"`
			} `json:"component_template"`
		} `json:"component_templates"`
		Indexes []struct {
			Template struct {
				Version int64 `json:"version"`
			} `json:"index_template"`
		} `json:"index_templates"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return 0, false, fmt.Errorf("reading %s template %s: %w", t.Kind, t.Name, err)
	}
	for _, c := range body.Components {
		return c.Template.Version, true, nil
	}
	for _, c := range body.Indexes {
		return c.Template.Version, true, nil
	}
	return 0, false, nil
}

// TemplatesInstalled reports whether exlog's index templates are in the
// cluster (at any version).
func TemplatesInstalled(ctx context.Context, c Connection) (bool, error) {
	client, err := NewClient(c)
	if err != nil {
		return false, err
	}
	templates, err := Templates()
	if err != nil {
		return false, err
	}
	for _, t := range templates {
		if _, found, err := installedVersion(ctx, client, t); err != nil || !found {
			return false, err
		}
	}
	return true, nil
}

func installTemplate(ctx context.Context, client *esapi.API, t Template) (SetupStep, error) {
	step := SetupStep{What: t.Kind + " template " + t.Name}
	have, found, err := installedVersion(ctx, client, t)
	if err != nil {
		return step, err
	}
	if found && have >= t.Version {
		step.Detail = fmt.Sprintf("version %d", have)
		return step, nil
	}
	var status int
	var body io.ReadCloser
	if t.Kind == "component" {
		r, err := client.Cluster.PutComponentTemplate(t.Name, bytes.NewReader(t.Body), client.Cluster.PutComponentTemplate.WithContext(ctx))
		if err != nil {
			return step, err
		}
		status, body = r.StatusCode, r.Body
	} else {
		r, err := client.Indices.PutIndexTemplate(t.Name, bytes.NewReader(t.Body), client.Indices.PutIndexTemplate.WithContext(ctx))
		if err != nil {
			return step, err
		}
		status, body = r.StatusCode, r.Body
	}
	defer body.Close()
	if status >= 300 {
		return step, fmt.Errorf("installing %s: %s", step.What, responseError(status, body))
	}
	step.Changed = true
	if found {
		step.Detail = fmt.Sprintf("version %d replaced by %d", have, t.Version)
	} else {
		step.Detail = fmt.Sprintf("version %d", t.Version)
	}
	return step, nil
}

// httpClient is a plain HTTP client with the connection's TLS settings
// and retries left to the caller (the import is idempotent).
func httpClient(c Connection) (*http.Client, error) {
	if c.Transport != nil {
		return &http.Client{Transport: c.Transport, Timeout: 60 * time.Second}, nil
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if c.Insecure {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the user asked for --insecure
	} else if len(c.CACert) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(c.CACert) {
			return nil, fmt.Errorf("--ca-cert holds no PEM certificate")
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}, nil
}

// kibanaClient is the HTTP client for Kibana: the system roots plus the
// Elasticsearch CA plus Kibana's own, so that --ca-cert for a private
// Elasticsearch CA does not make a publicly signed Kibana untrusted.
func kibanaClient(opt SetupOptions) (*http.Client, error) {
	if opt.Transport != nil {
		return &http.Client{Transport: opt.Transport, Timeout: 60 * time.Second}, nil
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if opt.Insecure {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the user asked for --insecure
	} else if len(opt.CACert) > 0 || len(opt.KibanaCACert) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if len(opt.CACert) > 0 && !pool.AppendCertsFromPEM(opt.CACert) {
			return nil, fmt.Errorf("--ca-cert holds no PEM certificate")
		}
		if len(opt.KibanaCACert) > 0 && !pool.AppendCertsFromPEM(opt.KibanaCACert) {
			return nil, fmt.Errorf("--kibana-ca-cert holds no PEM certificate")
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}, nil
}

func (c Connection) authorize(req *http.Request) {
	switch {
	case c.APIKey != "":
		req.Header.Set("Authorization", "ApiKey "+c.APIKey)
	case c.Username != "":
		req.SetBasicAuth(c.Username, c.Password)
	}
}

// importKibana posts kibana.ndjson to the saved-objects import API.
func importKibana(ctx context.Context, opt SetupOptions) (SetupStep, error) {
	step := SetupStep{What: "kibana data view and dashboard"}
	u, err := parseURL(opt.KibanaURL, "--kibana")
	if err != nil {
		return step, err
	}
	base := strings.TrimRight(u.String(), "/")
	if opt.KibanaSpace != "" && opt.KibanaSpace != "default" {
		base += "/s/" + url.PathEscape(opt.KibanaSpace)
	}
	hc, err := kibanaClient(opt)
	if err != nil {
		return step, err
	}
	if v, err := kibanaStatusVersion(ctx, hc, u.String(), opt.Connection); err == nil && semverLess(v, KibanaVersion) {
		return step, fmt.Errorf("Kibana %s is older than %s, the release whose saved-object shape exlog ships: upgrade Kibana or import the data view by hand", v, KibanaVersion)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", "exlog-kibana.ndjson")
	if err != nil {
		return step, err
	}
	fw.Write(KibanaObjects())
	mw.Close()
	var lastErr error
	backoff := opt.backoff()
	for attempt := 1; attempt <= 4; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/saved_objects/_import?overwrite=true", bytes.NewReader(body.Bytes()))
		if err != nil {
			return step, err
		}
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("kbn-xsrf", "exlog")
		opt.authorize(req)
		res, err := hc.Do(req)
		if err != nil {
			lastErr = fmt.Errorf("kibana: %w", err)
		} else {
			n, retry, err := readImportResult(res)
			if err == nil {
				step.Changed = true
				step.Detail = fmt.Sprintf("%d saved objects imported with overwrite", n)
				return step, nil
			}
			lastErr = err
			if !retry {
				return step, err
			}
		}
		if attempt < 4 {
			select {
			case <-ctx.Done():
				return step, ctx.Err()
			case <-time.After(backoff(attempt)):
			}
		}
	}
	return step, lastErr
}

func readImportResult(res *http.Response) (n int, retry bool, err error) {
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if res.StatusCode >= 300 {
		var e struct {
			Message string `json:"message"`
		}
		json.Unmarshal(raw, &e)
		if e.Message == "" {
			e.Message = strings.TrimSpace(string(raw))
		}
		return 0, isRetryStatus(res.StatusCode), fmt.Errorf("kibana import: %d %s", res.StatusCode, e.Message)
	}
	var r struct {
		Success      bool `json:"success"`
		SuccessCount int  `json:"successCount"`
		Errors       []struct {
			ID    string `json:"id"`
			Type  string `json:"type"`
			Error struct {
				Type    string `json:"type"`
				Message string `json:"message"`
			} `json:"error"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return 0, false, fmt.Errorf("kibana import: unreadable answer: %w", err)
	}
	if !r.Success {
		var msgs []string
		for _, e := range r.Errors {
			m := e.Type + "/" + e.ID + ": " + e.Error.Type
			if e.Error.Message != "" {
				m += " " + e.Error.Message
			}
			msgs = append(msgs, m)
		}
		return 0, false, fmt.Errorf("kibana import failed: %s", strings.Join(msgs, "; "))
	}
	return r.SuccessCount, false, nil
}

// kibanaStatusVersion reads Kibana's version from GET /api/status; any
// failure (a key without access to it) leaves the check to the import.
func kibanaStatusVersion(ctx context.Context, hc *http.Client, base string, c Connection) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/api/status", nil)
	if err != nil {
		return "", err
	}
	c.authorize(req)
	res, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d", res.StatusCode)
	}
	var st struct {
		Version struct {
			Number string `json:"number"`
		} `json:"version"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&st); err != nil || st.Version.Number == "" {
		return "", fmt.Errorf("no version in /api/status")
	}
	return st.Version.Number, nil
}

// semverLess compares dotted versions numerically ("8.9.0" < "8.11.0");
// a pre-release suffix ("-SNAPSHOT") is ignored.
func semverLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < 3; i++ {
		var x, y int
		if i < len(pa) {
			fmt.Sscanf(pa[i], "%d", &x)
		}
		if i < len(pb) {
			fmt.Sscanf(pb[i], "%d", &y)
		}
		if x != y {
			return x < y
		}
	}
	return false
}
