package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"exlog/index"
	"exlog/internal/termsafe"
)

// esFlags say how to reach Elasticsearch (or VictoriaLogs). Secrets come
// from flags or the environment and are never printed.
type esFlags struct {
	ES       string `name:"es" env:"EXLOG_ES_URL" placeholder:"URL" help:"Elasticsearch URL, e.g. http://localhost:9200."`
	APIKey   string `name:"api-key" env:"EXLOG_ES_API_KEY" placeholder:"KEY" help:"API key (the base64 \"encoded\" value Kibana shows)."`
	User     string `env:"EXLOG_ES_USER" help:"User for basic authentication."`
	Password string `env:"EXLOG_ES_PASSWORD" help:"Password for basic authentication (prefer the environment variable)."`
	CACert   string `name:"ca-cert" placeholder:"FILE" type:"existingfile" help:"PEM file of the CA that signed the server's certificate."`
	Insecure bool   `help:"Do not verify the server's TLS certificate."`
}

func (f esFlags) connection(target string) (index.Connection, error) {
	c := index.Connection{URL: f.ES, Target: index.Target(target), APIKey: f.APIKey, Username: f.User, Password: f.Password, Insecure: f.Insecure}
	if f.CACert != "" {
		pem, err := os.ReadFile(f.CACert)
		if err != nil {
			return c, usageErr("--ca-cert: %v", err)
		}
		c.CACert = pem
	}
	if f.Password != "" && f.User == "" {
		return c, usageErr("--password without --user")
	}
	return c, nil
}

type indexCmd struct {
	Paths      []string `arg:"" name:"PATH" help:"Bundle zip, folder or file; - reads standard input." type:"path"`
	Target     string   `default:"elasticsearch" enum:"${targets}" help:"Where --es points: ${enum} (then --es is the VictoriaLogs URL, e.g. http://127.0.0.1:9428)."`
	Namespace  string   `default:"default" help:"Data stream namespace: documents go to logs-exlog.{events,findings,syncs}-NAMESPACE."`
	DryRun     string   `name:"dry-run" placeholder:"FILE" help:"Write the NDJSON bulk body to FILE (- for standard output) instead of sending it."`
	DeadLetter string   `name:"dead-letter" placeholder:"FILE" default:"exlog-dead-letter.ndjson" help:"Where documents that could not be indexed are written with their error (created only if one fails)."`
	Force      bool     `help:"Send every document without first asking the store which of the bundle's documents it holds (VictoriaLogs then keeps duplicates)."`
	analysisFlags
	windowFlags
	NoProgress bool `name:"no-progress" help:"Never show a progress bar."`
	Quiet      bool `short:"q" help:"Print nothing but errors; the exit code tells the result."`
	esFlags
	limitFlags
	redactFlags
}

type setupCmd struct {
	Kibana      string `placeholder:"URL" env:"EXLOG_KIBANA_URL" help:"Kibana URL: also import the exlog data view and dashboard (same credentials as Elasticsearch)."`
	KibanaSpace string `name:"kibana-space" placeholder:"SPACE" help:"Kibana space to import into (default space if empty)."`
	KibanaCA    string `name:"kibana-ca-cert" placeholder:"FILE" type:"existingfile" help:"PEM file of the CA that signed Kibana's certificate (Kibana trusts the system roots, --ca-cert and this)."`
	esFlags
}

func (c *setupCmd) Run(g *globals) error {
	if c.ES == "" {
		return usageErr("--es URL (or EXLOG_ES_URL) is required")
	}
	conn, err := c.connection(string(index.TargetElasticsearch))
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opt := index.SetupOptions{Connection: conn, KibanaURL: c.Kibana, KibanaSpace: c.KibanaSpace}
	if c.KibanaCA != "" {
		if opt.KibanaCACert, err = os.ReadFile(c.KibanaCA); err != nil {
			return usageErr("--kibana-ca-cert: %v", err)
		}
	}
	steps, err := index.Setup(ctx, opt)
	for _, s := range steps {
		fmt.Fprintf(g.Stdout, "  %s\n", s)
	}
	if err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("setup: %w", err)}
	}
	if c.Kibana != "" {
		fmt.Fprintf(g.Stdout, "exlog: ready; in Kibana open the dashboard %q\n", "exlog: Exchange Connector overview")
	} else {
		fmt.Fprintln(g.Stdout, "exlog: templates ready (add --kibana URL for the data view and dashboard)")
	}
	return nil
}

func (c *indexCmd) Run(g *globals) error {
	if c.ES == "" && c.DryRun == "" {
		return usageErr("--es URL (or EXLOG_ES_URL) is required unless --dry-run FILE is given")
	}
	if !index.ValidNamespace(c.Namespace) {
		return usageErr("--namespace %q: use lower case letters, digits, '.' or '_' (no '-')", c.Namespace)
	}
	opt, err := analysisOptions(c.analysisFlags, c.windowFlags, c.limitFlags)
	if err != nil {
		return err
	}
	conn, err := c.connection(c.Target)
	if err != nil {
		return err
	}
	paths, cleanup, err := spoolStdin(c.Paths, g.Stdin)
	if err != nil {
		return err
	}
	defer cleanup()
	bundle, err := index.IdentifyBundle(paths)
	if err != nil {
		return usageErr("%v", err)
	}
	red, err := c.open() // --redact: events, findings and syncs are indexed with pseudonyms
	if err != nil {
		return err
	}
	if red != nil {
		bundle.Name = red.String(bundle.Name)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	cfg := index.Config{Connection: conn, Namespace: c.Namespace, DeadLetterPath: c.DeadLetter}
	if c.DryRun != "" {
		w, closeDry, err := openDryRun(c.DryRun, g.Stdout)
		if err != nil {
			return err
		}
		defer closeDry()
		cfg.DryRun = w
	}
	cfg.Resume = !c.Force
	bar := newDocBar(g, c.NoProgress || c.Quiet || c.DryRun == "-")
	cfg.Progress = bar.add
	ix, err := index.New(ctx, cfg, bundle)
	if err != nil {
		bar.stop()
		return &exitError{code: exitUsage, err: err}
	}
	if c.DryRun == "" && conn.Target != index.TargetVictoriaLogs && !c.Quiet {
		if ok, err := index.TemplatesInstalled(ctx, conn); err == nil && !ok {
			fmt.Fprintln(g.Stderr, "exlog: note: exlog's index templates are not installed: run `exlog setup` first for exlog's mappings")
		}
	}
	opt.Observe = ix.Event
	hookRedactor(red, &opt)
	rep, aerr := runAnalysis(paths, g, opt)
	if aerr == nil {
		_, aerr = c.apply(red, rep, paths, g)
	}
	if aerr == nil {
		if err := ix.Report(rep); err != nil {
			aerr = err
		}
		bar.setTotal(ix)
	}
	s, cerr := ix.Close()
	bar.stop()
	if aerr != nil {
		if s.Added > 0 {
			fmt.Fprintf(g.Stderr, "exlog: analysis stopped: %s\n", termsafe.String(s.String()))
		}
		return aerr
	}
	// A store acknowledges what it can then lose (a crash before its data
	// reached the disk; VictoriaLogs: records outside its retention):
	// check that it holds what it acknowledged, before the summary, so
	// that the summary counts it.
	var verified string
	var verr error
	if cerr == nil && s.Failed == 0 && !s.DryRun {
		v, err := ix.Verify(ctx, &s, 10*time.Second)
		switch {
		case errors.Is(err, index.ErrForbidden):
			if !c.Quiet {
				fmt.Fprintf(g.Stderr, "exlog: note: cannot verify what the store holds (the key lacks the \"read\" privilege): %v\n", err)
			}
		case err != nil:
			verr = &exitError{code: exitLost, err: fmt.Errorf("cannot verify what the store holds: %w", err)}
		case v.NotStored > 0:
			verified = fmt.Sprintf("  verified: the store holds %d of the %d documents it acknowledged; %d acknowledged but not stored\n", v.Stored, v.Expected, v.NotStored)
			verr = &exitError{code: exitLost, err: errors.New(v.LostMessage(conn.Target, s.DeadLetter))}
		default:
			verified = fmt.Sprintf("  verified: the store holds all %d documents of this bundle it acknowledged\n", v.Expected)
		}
	}
	lost := s.Lost()
	if !c.Quiet || lost > 0 {
		printIndexSummary(g.Stdout, c, bundle, s)
		fmt.Fprint(g.Stdout, verified)
	}
	if cerr != nil {
		return &exitError{code: exitLost, err: fmt.Errorf("indexing stopped: %w", cerr)}
	}
	if verr != nil {
		return verr
	}
	if lost > 0 {
		return &exitError{code: exitLost, err: fmt.Errorf("%d documents were not indexed; they are in %s with their errors", lost, s.DeadLetter)}
	}
	return nil
}

func printIndexSummary(out io.Writer, c *indexCmd, b index.Bundle, s index.Summary) {
	w := termsafe.NewWriter(out) // the bundle's name and the store's error texts
	defer w.Flush()
	where := c.ES
	if s.DryRun {
		where = c.DryRun
	}
	if s.DryRun && c.DryRun == "-" {
		return // standard output holds the bulk body
	}
	fmt.Fprintf(w, "exlog: bundle %s (exlog.bundle.id %s…) → %s, namespace %s, in %s\n", b.Name, b.ID[:12], where, c.Namespace, s.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "  %s\n", s)
	for _, d := range []string{index.DatasetEvents, index.DatasetFindings, index.DatasetSyncs} {
		ds := s.ByDataset[d]
		if s.DryRun {
			fmt.Fprintf(w, "  %-15s %d\n", d, ds.Added)
			continue
		}
		fmt.Fprintf(w, "  %-15s %d added = %d indexed + %d already there + %d failed\n", d, ds.Added, ds.Indexed, ds.AlreadyThere, ds.Failed)
	}
	if s.Held > 0 {
		fmt.Fprintf(w, "  the store already held %d documents of this bundle: only the others were sent\n", s.Held)
	}
	for _, n := range s.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	if s.Retried > 0 {
		fmt.Fprintf(w, "  %d documents were resent after 429/5xx answers or dropped connections\n", s.Retried)
	}
	if len(s.Errors) > 0 {
		keys := make([]string, 0, len(s.Errors))
		for k := range s.Errors {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return s.Errors[keys[i]] > s.Errors[keys[j]] })
		fmt.Fprintf(w, "  failures (written to %s):\n", s.DeadLetter)
		for _, k := range keys {
			fmt.Fprintf(w, "    %6d  %s\n", s.Errors[k], k)
		}
	}
}

// spoolStdin copies a bundle given as "-" to a temporary file: the
// bundle's identity (and so every document id) needs its bytes before
// the analysis reads them.
func spoolStdin(paths []string, stdin io.Reader) ([]string, func(), error) {
	out := append([]string(nil), paths...)
	var tmp string
	for i, p := range out {
		if p != "-" {
			continue
		}
		if tmp != "" {
			return nil, nil, usageErr("- (standard input) can be given once")
		}
		f, err := os.CreateTemp("", "exlog-stdin-*")
		if err != nil {
			return nil, nil, err
		}
		tmp = f.Name()
		_, err = io.Copy(f, stdin)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(tmp)
			return nil, nil, fmt.Errorf("reading standard input: %w", err)
		}
		out[i] = tmp
	}
	return out, func() {
		if tmp != "" {
			os.Remove(tmp)
		}
	}, nil
}

func openDryRun(path string, stdout io.Writer) (io.Writer, func(), error) {
	if path == "-" {
		return stdout, func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, runtimeErr(fmt.Errorf("--dry-run: %w", err))
	}
	return f, func() { f.Close() }, nil
}

// docBar is the progress bar of documents indexed, on stderr when it is a
// terminal. Its methods are safe for concurrent use and no-ops when off.
type docBar struct {
	mu  sync.Mutex
	bar *progressbar.ProgressBar
}

func newDocBar(g *globals, off bool) *docBar {
	d := &docBar{}
	f, ok := g.Stderr.(*os.File)
	if off || !ok || !term.IsTerminal(int(f.Fd())) {
		return d
	}
	d.bar = progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription("indexed"),
		progressbar.OptionSetItsString("docs"),
		progressbar.OptionShowIts(),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionEnableColorCodes(os.Getenv("NO_COLOR") == ""),
	)
	return d
}

func (d *docBar) add(n int64) {
	if d.bar == nil {
		return
	}
	d.mu.Lock()
	_ = d.bar.Add64(n)
	d.mu.Unlock()
}

// setTotal turns the spinner into a bar once every document is offered.
func (d *docBar) setTotal(ix *index.Indexer) {
	if d.bar == nil {
		return
	}
	d.mu.Lock()
	d.bar.ChangeMax64(ix.Added())
	d.mu.Unlock()
}

func (d *docBar) stop() {
	if d.bar == nil {
		return
	}
	d.mu.Lock()
	_ = d.bar.Finish()
	_ = d.bar.Clear()
	d.mu.Unlock()
}
