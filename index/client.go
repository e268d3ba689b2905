package index

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/elastic/elastic-transport-go/v8/elastictransport"
	"github.com/elastic/go-elasticsearch/v8/esapi"
)

// Target is the kind of store documents are sent to.
type Target string

const (
	// TargetElasticsearch is an Elasticsearch cluster (Kibana on top).
	TargetElasticsearch Target = "elasticsearch"
	// TargetVictoriaLogs is a VictoriaLogs server, reached through its
	// Elasticsearch bulk endpoint /insert/elasticsearch. It stores every
	// document it is sent and does not honour _id: see README.md.
	TargetVictoriaLogs Target = "victorialogs"
)

// VictoriaLogsInsertPath is where VictoriaLogs accepts the bulk protocol.
const VictoriaLogsInsertPath = "/insert/elasticsearch"

// VictoriaLogsStreamFields are the low-cardinality fields that make a
// VictoriaLogs log stream: one stream per bundle, dataset and host.
const VictoriaLogsStreamFields = "exlog.bundle.id,event.dataset,host.name"

// Connection says how to reach the store. Secrets in it are never
// printed by this package.
type Connection struct {
	URL      string // base URL, e.g. https://es.example:9200 or http://127.0.0.1:9428
	Target   Target // "" means TargetElasticsearch
	APIKey   string // base64 "id:key" as Kibana shows it; wins over Username/Password
	Username string
	Password string
	CACert   []byte // PEM; trusted in addition to nothing else (the client's rule)
	Insecure bool   // skip TLS verification

	// MaxRetries is how often the transport retries a whole request that
	// failed on the network or with 429/502/503/504; 0 means 5.
	MaxRetries int
	// Backoff is the wait before retry attempt n (1-based), for whole
	// requests and for single items; nil means exponential from 250 ms,
	// capped at 15 s, with full jitter.
	Backoff func(attempt int) time.Duration
	// Transport overrides the HTTP transport (tests); CACert and Insecure
	// are then ignored.
	Transport http.RoundTripper
}

// RetryStatuses are the HTTP statuses retried, for whole bulk requests by
// the transport and for single items by the indexer's retry queue.
var RetryStatuses = []int{429, 502, 503, 504}

// DefaultBackoff is exponential backoff with full jitter: a random wait
// in [d/2, d] where d = 250 ms × 2^(attempt-1), capped at 15 s.
func DefaultBackoff(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := 250 * time.Millisecond
	for i := 1; i < attempt && d < 15*time.Second; i++ {
		d *= 2
	}
	if d > 15*time.Second {
		d = 15 * time.Second
	}
	return d/2 + rand.N(d/2+1)
}

func (c Connection) backoff() func(int) time.Duration {
	if c.Backoff != nil {
		return c.Backoff
	}
	return DefaultBackoff
}

func (c Connection) target() Target {
	if c.Target == "" {
		return TargetElasticsearch
	}
	return c.Target
}

// address is the URL the client talks to: for VictoriaLogs its
// Elasticsearch insert path.
func (c Connection) address() (string, error) {
	u, err := parseURL(c.URL, "--es")
	if err != nil {
		return "", err
	}
	base := strings.TrimRight(u.String(), "/")
	switch c.target() {
	case TargetElasticsearch:
		return base, nil
	case TargetVictoriaLogs:
		if !strings.HasSuffix(base, VictoriaLogsInsertPath) {
			base += VictoriaLogsInsertPath
		}
		return base, nil
	}
	return "", fmt.Errorf("unknown target %q (use elasticsearch or victorialogs)", c.Target)
}

// NewClient builds the official client's request API (esapi) over its
// transport (elastic-transport-go) for c: retries on the network and on
// RetryStatuses with c's backoff, authentication, TLS from
// CACert/Insecure, and for VictoriaLogs the headers that name the message
// and time fields. It deliberately avoids the client's root package and
// esutil, which pull in the typed API (858 packages: a cold build of
// 4 minutes and 2.2 GB instead of about one).
//
// Request bodies: every bulk body exlog sends is a fresh byte slice that
// is never written again, so net/http may read it (its check for data
// beyond Content-Length, from its write goroutine, even after the
// response arrived) without racing a writer. esutil.BulkIndexer reused
// its buffer and lost whole batches that way; TestFakeES_BulkBufferReuseLosesNothing
// guards the rule.
func NewClient(c Connection) (*esapi.API, error) {
	tr, err := newTransport(c)
	if err != nil {
		return nil, err
	}
	return esapi.New(tr), nil
}

func newTransport(c Connection) (*elastictransport.Client, error) {
	addr, err := c.address()
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(addr)
	if err != nil {
		return nil, err
	}
	retries := c.MaxRetries
	if retries <= 0 {
		retries = 5
	}
	rt, err := c.roundTripper()
	if err != nil {
		return nil, err
	}
	cfg := elastictransport.Config{
		URLs:          []*url.URL{u},
		APIKey:        c.APIKey,
		Username:      c.Username,
		Password:      c.Password,
		RetryOnStatus: RetryStatuses,
		MaxRetries:    retries,
		RetryBackoff:  c.backoff(),
		Transport:     rt,
		Header:        http.Header{},
	}
	if c.target() == TargetVictoriaLogs {
		cfg.Header.Set("VL-Msg-Field", "message")
		cfg.Header.Set("VL-Time-Field", "@timestamp")
		cfg.Header.Set("VL-Stream-Fields", VictoriaLogsStreamFields)
	}
	return elastictransport.New(cfg)
}

// roundTripper is the HTTP transport with c's TLS settings.
func (c Connection) roundTripper() (http.RoundTripper, error) {
	if c.Transport != nil {
		return c.Transport, nil
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
	return tr, nil
}

// parseURL checks that raw is an http(s) URL without credentials. Its
// errors never repeat a credential: a URL is shown with anything before
// an '@' in its authority replaced by "***".
func parseURL(raw, flag string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s %q is not an http(s) URL (e.g. https://host:9200)", flag, RedactURL(raw))
	}
	if u.User != nil {
		return nil, fmt.Errorf("%s: put credentials in --user/--password or --api-key, not in the URL", flag)
	}
	return u, nil
}

// RedactURL hides the user information of a URL, with or without a
// scheme ("u:p@host" and "https://u:p@host" become "***@host").
func RedactURL(raw string) string {
	rest := raw
	prefix := ""
	if i := strings.Index(raw, "://"); i >= 0 {
		prefix, rest = raw[:i+3], raw[i+3:]
	}
	auth := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		auth = rest[:i]
	}
	if i := strings.LastIndexByte(auth, '@'); i >= 0 {
		return prefix + "***" + rest[i:]
	}
	return raw
}
