package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"exlog/analyze"
	"exlog/output"
	"exlog/parse/bundle"
	"exlog/redact"
	"exlog/report"
)

// serveCmd runs the drag-and-drop page.
type serveCmd struct {
	Addr      string   `default:"127.0.0.1:8080" help:"Address to listen on (loopback by default; anything else exposes uploaded logs to the network)."`
	MaxUpload byteSize `name:"max-upload" default:"1GiB" help:"Refuse uploads larger than this with 413."`
	analysisFlags
	Redact bool `help:"Redact every report served: users, devices, hosts, addresses and domains become pseudonyms (fresh per upload; no mapping is kept)."`
	limitFlags
}

func (c *serveCmd) Run(g *globals) error {
	opt, err := analysisOptions(c.analysisFlags, windowFlags{}, c.limitFlags)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return usageErr("%v", err)
	}
	h := newServeHandler(serveConfig{
		MaxUpload: int64(c.MaxUpload),
		Analyze:   opt,
		Loopback:  isLoopback(ln.Addr()),
		Redact:    c.Redact,
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	if !isLoopback(ln.Addr()) {
		fmt.Fprintf(g.Stderr, "exlog: warning: listening on %s: anyone who can reach it can upload bundles and read the reports\n", ln.Addr())
	}
	fmt.Fprintf(g.Stdout, "exlog serve: open http://%s/ (Ctrl+C to stop)\n", displayAddr(ln.Addr()))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}

func isLoopback(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

func displayAddr(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
		return net.JoinHostPort("localhost", fmt.Sprint(ta.Port))
	}
	return a.String()
}

// serveConfig configures the handler; it is read-only once the handler
// is built.
type serveConfig struct {
	MaxUpload int64 // bytes; larger bodies get 413
	Analyze   analyze.Options
	// Loopback: only accept Host headers naming this machine, which stops
	// a web page from reaching the server through DNS rebinding.
	Loopback bool
	// Concurrent caps analyses running at once (0: GOMAXPROCS, at least
	// 2). Further uploads wait for a slot before their body is read.
	Concurrent int
	// MemSpool: zip uploads up to this size are analysed in memory;
	// larger ones are spooled to a temporary file removed before the
	// response is written (0: 32 MiB).
	MemSpool int64
	// Redact: each report is redacted with a fresh Redactor (see package redact).
	Redact bool

	// The pace an upload must keep (see pacedBody). A body that breaks
	// it is answered 408 and its slot freed. Zero values take the
	// defaults in newServeHandler; tests set them small.
	BodyIdle     time.Duration // longest wait for the next bytes of a body (default 20 s)
	MinRate      float64       // bytes per second of waiting on the client, averaged (default 32 KiB/s)
	RateGrace    time.Duration // waiting allowed before MinRate applies (default 10 s)
	MaxBodyTime  time.Duration // the whole body must have arrived by then (default 30 min)
	QueueWait    time.Duration // how long an upload waits for a slot before 503 (default 10 s)
	WriteTimeout time.Duration // longest time to write a response (default 2 min)
}

// serveRequestHeader must be on every POST to the API. A page on another
// origin cannot add a custom header without a CORS preflight, which this
// server never grants, so a "simple" cross-site request (a form, or a
// text/plain fetch) is refused before any work is done.
const serveRequestHeader = "X-Exlog-Request"

// servePolicy is the page's Content-Security-Policy: scripts and styles
// only from the server itself, no inline code, no framing, no plugins,
// requests only back to the server.
const servePolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

type serveHandler struct {
	cfg   serveConfig
	slots chan struct{}
	mux   *http.ServeMux
	csrf  *http.CrossOriginProtection
}

// newServeHandler returns the handler of exlog serve. It keeps nothing
// between requests and nothing on disk after a response; it is safe for
// concurrent requests.
func newServeHandler(cfg serveConfig) http.Handler {
	if cfg.Concurrent <= 0 {
		cfg.Concurrent = max(2, runtime.GOMAXPROCS(0))
	}
	if cfg.MemSpool <= 0 {
		cfg.MemSpool = 32 << 20
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = 1 << 30
	}
	defDur := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	defDur(&cfg.BodyIdle, 20*time.Second)
	defDur(&cfg.RateGrace, 10*time.Second)
	defDur(&cfg.MaxBodyTime, 30*time.Minute)
	defDur(&cfg.QueueWait, 10*time.Second)
	defDur(&cfg.WriteTimeout, 2*time.Minute)
	if cfg.MinRate <= 0 {
		cfg.MinRate = 32 << 10
	}
	s := &serveHandler{cfg: cfg, slots: make(chan struct{}, cfg.Concurrent), mux: http.NewServeMux()}
	s.csrf = http.NewCrossOriginProtection()
	s.mux.HandleFunc("GET /{$}", s.page)
	s.mux.HandleFunc("GET /assets/{name}", s.asset)
	s.mux.HandleFunc("POST /api/analyze", s.analyze)
	s.mux.HandleFunc("POST /api/render", s.render)
	return s
}

func (s *serveHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", servePolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	if s.cfg.Loopback && !loopbackHost(r.Host) {
		http.Error(w, "exlog serve answers only to localhost names", http.StatusMisdirectedRequest)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if err := s.csrf.Check(r); err != nil {
			apiError(w, http.StatusForbidden, "refused: the request comes from another site (Origin / Sec-Fetch-Site)")
			return
		}
		if r.Header.Get(serveRequestHeader) == "" {
			apiError(w, http.StatusForbidden, "refused: API requests must carry the header "+serveRequestHeader+": 1 (see README, exlog serve)")
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *serveHandler) page(w http.ResponseWriter, r *http.Request) {
	b, err := fs.ReadFile(output.Assets, "serve.html")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	page := bytes.ReplaceAll(b, []byte("{{MAX_UPLOAD}}"), []byte(fmt.Sprint(s.cfg.MaxUpload)))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(page)
}

// servedAssets are the files of output.Assets the page may load.
var servedAssets = map[string]string{
	"report.css": "text/css; charset=utf-8",
	"report.js":  "text/javascript; charset=utf-8",
	"serve.js":   "text/javascript; charset=utf-8",
	"serve.css":  "text/css; charset=utf-8",
}

func (s *serveHandler) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	ctype, ok := servedAssets[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := fs.ReadFile(output.Assets, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ctype)
	_, _ = w.Write(b)
}

// apiError writes a JSON error {"error": msg} with the status.
func apiError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func tooLarge(w http.ResponseWriter, limit int64) {
	apiError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("upload larger than the server's limit of %s (exlog serve --max-upload)", fmtBytes(limit)))
}

func fmtBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// overLimit records that the body hit the upload limit, even when the
// reader that saw the error (a parser) turned it into a warning.
type overLimit struct {
	r   io.Reader
	hit bool
}

func (o *overLimit) Read(p []byte) (int, error) {
	n, err := o.r.Read(p)
	var mbe *http.MaxBytesError
	if err != nil && errors.As(err, &mbe) {
		o.hit = true
	}
	return n, err
}

// analyze handles POST /api/analyze: the bundle is the request body, or
// the multipart field "bundle". The answer is the exlog.report/v1 JSON.
//
// A slot is taken only once the first bytes of the body have arrived,
// and held only while the body keeps its pace (pacedBody) and the
// analysis runs; it is released before the response is written, which
// has its own deadline. With no slot free within QueueWait the answer
// is 503 with Retry-After.
func (s *serveHandler) analyze(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > s.cfg.MaxUpload {
		tooLarge(w, s.cfg.MaxUpload)
		return
	}
	paced := s.pace(w, r)
	body := &overLimit{r: http.MaxBytesReader(w, paced, s.cfg.MaxUpload)}
	br := bufio.NewReaderSize(body, 64<<10)
	if _, err := br.Peek(1); paced.slow != nil {
		s.tooSlow(w, paced)
		return
	} else if err != nil && err != io.EOF && !body.hit {
		apiError(w, http.StatusBadRequest, "reading the upload: "+err.Error())
		return
	}
	if !s.acquire(w, r) {
		return
	}
	rep, status, msg := s.analyzeBody(r, br, body)
	<-s.slots
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
	switch {
	case paced.slow != nil:
		s.tooSlow(w, paced)
	case body.hit:
		tooLarge(w, s.cfg.MaxUpload)
	case status != 0:
		apiError(w, status, msg)
	default:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = output.JSON(w, rep, output.Options{})
	}
}

// analyzeBody runs one upload; on failure it returns the status and
// message of the answer (the caller checks the body's pace and size
// first: a parser may have turned their read errors into warnings).
func (s *serveHandler) analyzeBody(r *http.Request, br io.Reader, body *overLimit) (*report.Report, int, string) {
	name, in, err := uploadStream(r, br)
	if err != nil {
		return nil, http.StatusBadRequest, err.Error()
	}
	rep, err := s.analyzeUpload(name, in)
	if err != nil {
		var na *analyze.ErrNothingAnalysable
		var capped *analyze.ErrCapped
		if errors.As(err, &na) || errors.As(err, &capped) {
			return nil, http.StatusUnprocessableEntity, err.Error()
		}
		return nil, http.StatusBadRequest, err.Error()
	}
	return rep, 0, ""
}

// acquire takes an analysis slot, waiting at most QueueWait; when none
// frees up it answers 503 with Retry-After and returns false.
func (s *serveHandler) acquire(w http.ResponseWriter, r *http.Request) bool {
	t := time.NewTimer(s.cfg.QueueWait)
	defer t.Stop()
	select {
	case s.slots <- struct{}{}:
		return true
	case <-r.Context().Done():
		return false
	case <-t.C:
		retry := max(1, int(s.cfg.QueueWait.Round(time.Second)/time.Second))
		w.Header().Set("Retry-After", fmt.Sprint(retry))
		w.Header().Set("Connection", "close") // the body was not read
		apiError(w, http.StatusServiceUnavailable, fmt.Sprintf("exlog serve is busy: %d analyses are running; try again in %d s", cap(s.slots), retry))
		return false
	}
}

// pace wraps the request body in a pacedBody with the server's limits.
func (s *serveHandler) pace(w http.ResponseWriter, r *http.Request) *pacedBody {
	return &pacedBody{
		r: r.Body, rc: http.NewResponseController(w),
		idle: s.cfg.BodyIdle, minRate: s.cfg.MinRate, grace: s.cfg.RateGrace,
		deadline: time.Now().Add(s.cfg.MaxBodyTime),
	}
}

func (s *serveHandler) tooSlow(w http.ResponseWriter, p *pacedBody) {
	w.Header().Set("Connection", "close")
	apiError(w, http.StatusRequestTimeout, p.slow.Error())
}

// pacedBody reads a request body under a pace: each read waits at most
// idle for the client, the time spent waiting on the client (not on the
// analysis, which reads at its own speed) may exceed grace only while the
// client averages minRate bytes per second of it, and the whole body
// must arrive before deadline. The limits are enforced with the
// connection's read deadline, so a client that sends nothing is cut off
// in a blocked read. Once broken, every read returns slow, which stays
// set: a parser that turns a read error into a warning cannot hide it.
// Not safe for concurrent use (nor is a request body).
type pacedBody struct {
	r        io.ReadCloser
	rc       *http.ResponseController
	idle     time.Duration
	minRate  float64
	grace    time.Duration
	deadline time.Time

	waited time.Duration // time blocked in reads so far
	n      int64         // bytes read so far
	slow   error         // why the pace was broken, or nil
	done   bool          // EOF seen: the read deadline was cleared
}

// errSlowUpload is the kind of pacedBody.slow.
var errSlowUpload = errors.New("upload too slow")

func (p *pacedBody) Read(b []byte) (int, error) {
	if p.slow != nil {
		return 0, p.slow
	}
	if p.done {
		return p.r.Read(b)
	}
	now := time.Now()
	allow := min(p.idle, p.grace+time.Duration(float64(p.n)/p.minRate*float64(time.Second))-p.waited)
	dl := now.Add(allow)
	if p.deadline.Before(dl) {
		dl = p.deadline
	}
	if allow <= 0 || !now.Before(dl) {
		return 0, p.broken(now)
	}
	_ = p.rc.SetReadDeadline(dl)
	n, err := p.r.Read(b)
	p.waited += time.Since(now)
	p.n += int64(n)
	if err != nil && isTimeout(err) {
		return n, p.broken(time.Now())
	}
	if err == io.EOF {
		p.done = true
		_ = p.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

func (p *pacedBody) Close() error { return p.r.Close() }

func (p *pacedBody) broken(now time.Time) error {
	switch {
	case !now.Before(p.deadline):
		p.slow = fmt.Errorf("%w: the body did not arrive in time (%d bytes received)", errSlowUpload, p.n)
	case p.n == 0:
		p.slow = fmt.Errorf("%w: no data for %s after the headers", errSlowUpload, p.waited.Round(time.Millisecond))
	default:
		p.slow = fmt.Errorf("%w: %d bytes in %s of waiting, under the minimum of %.0f bytes/s", errSlowUpload,
			p.n, p.waited.Round(time.Millisecond), p.minRate)
	}
	return p.slow
}

func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// uploadStream finds the bundle in the request: the multipart field
// "bundle" (streamed, never buffered by net/http), or the whole body. The
// name comes from the part's file name, the X-Exlog-Filename header or
// the "name" query parameter, and becomes the root of every origin.
func uploadStream(r *http.Request, body io.Reader) (string, io.Reader, error) {
	name := r.Header.Get("X-Exlog-Filename") // percent-encoded: headers are not UTF-8
	if u, err := url.PathUnescape(name); err == nil {
		name = u
	}
	if q := r.URL.Query().Get("name"); q != "" {
		name = q
	}
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		if params["boundary"] == "" {
			return "", nil, errors.New("multipart body without a boundary")
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return "", nil, errors.New(`multipart body has no "bundle" field`)
			}
			if err != nil {
				return "", nil, fmt.Errorf("reading the multipart body: %w", err)
			}
			if p.FormName() == "bundle" {
				if fn := p.FileName(); fn != "" {
					name = fn
				}
				return uploadName(name), p, nil
			}
			_ = p.Close()
		}
	}
	return uploadName(name), body, nil
}

// uploadName reduces a client-given file name to a safe base name.
func uploadName(n string) string {
	n = strings.ReplaceAll(n, `\`, "/")
	n = path.Base(n)
	n = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|!`, r) {
			return '_'
		}
		return r
	}, n)
	if n == "" || n == "." || n == ".." || n == "/" {
		return "upload"
	}
	if len(n) > 120 {
		n = n[:120]
	}
	return n
}

// analyzeUpload analyses one uploaded stream. A zip needs random access:
// up to MemSpool it is analysed in memory, beyond that it is spooled to a
// temporary file that is removed before this returns. Anything else (a
// single log or export) is streamed straight through.
func (s *serveHandler) analyzeUpload(name string, in io.Reader) (*report.Report, error) {
	lim := s.cfg.Analyze.Limits
	br := bufio.NewReaderSize(in, 64<<10)
	head, _ := br.Peek(4)
	if !bytes.HasPrefix(head, []byte("PK")) {
		return s.runBundle(func() (*bundle.Bundle, error) { return bundle.OpenReader(name, br, lim) })
	}
	var buf bytes.Buffer
	n, err := io.CopyN(&buf, br, s.cfg.MemSpool+1)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("reading the upload: %w", err)
	}
	if n <= s.cfg.MemSpool {
		if lim.MaxNestedInMemory < n {
			lim.MaxNestedInMemory = n
		}
		return s.runBundle(func() (*bundle.Bundle, error) { return bundle.OpenReader(name, &buf, lim) })
	}
	dir, err := os.MkdirTemp("", "exlog-upload-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, name)
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	_, err = io.Copy(f, io.MultiReader(&buf, br))
	buf = bytes.Buffer{}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("reading the upload: %w", err)
	}
	return s.runBundle(func() (*bundle.Bundle, error) { return bundle.Open([]string{p}, lim) })
}

func (s *serveHandler) runBundle(open func() (*bundle.Bundle, error)) (*report.Report, error) {
	b, err := open()
	if err != nil {
		return nil, err
	}
	defer b.Close()
	opt := s.cfg.Analyze
	opt.Progress, opt.OnStart, opt.Observe = nil, nil, nil
	if !s.cfg.Redact {
		return analyze.RunBundle(b, opt)
	}
	red := redact.New()
	hookRedactor(red, &opt)
	rep, err := analyze.RunBundle(b, opt)
	if err == nil {
		red.Report(rep)
	}
	return rep, err
}

// maxRenderBody caps POST /api/render: a report, not a bundle.
const maxRenderBody = 64 << 20

// render handles POST /api/render: an exlog.report/v1 JSON document in,
// its HTML rendering out — the fragment the page inserts, or with
// ?standalone=1 the self-contained file (for "save report").
func (s *serveHandler) render(w http.ResponseWriter, r *http.Request) {
	var rep report.Report
	paced := s.pace(w, r)
	dec := json.NewDecoder(http.MaxBytesReader(w, paced, maxRenderBody))
	if err := dec.Decode(&rep); paced.slow != nil {
		s.tooSlow(w, paced)
		return
	} else if err != nil {
		apiError(w, http.StatusBadRequest, "not an exlog report: "+err.Error())
		return
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
	if rep.Schema != report.Schema {
		apiError(w, http.StatusBadRequest, fmt.Sprintf("schema %q is not %s", rep.Schema, report.Schema))
		return
	}
	opt := output.Options{Title: uploadName(r.URL.Query().Get("name"))}
	var buf bytes.Buffer
	write := output.HTMLFragment
	if r.URL.Query().Get("standalone") == "1" {
		write = output.HTML
	}
	if err := write(&buf, &rep, opt); err != nil {
		apiError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}
