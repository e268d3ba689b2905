package index

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"exlog/event"
	"exlog/report"
)

// Config controls one indexing run.
type Config struct {
	Connection
	Namespace string // data stream namespace; "" means "default"

	// DryRun, if set, receives the NDJSON bulk body instead of a server.
	DryRun io.Writer

	// DeadLetterPath is the NDJSON file that receives every document that
	// could not be indexed, with its error. It is created only when a
	// document fails; "" means DefaultDeadLetter.
	DeadLetterPath string

	// Progress, if set, is called with 1 each time a document reaches a
	// final state (indexed, already there, failed). It is called from the
	// indexer's goroutines, concurrently.
	Progress func(n int64)

	Workers       int           // bulk workers; 0 means 2
	FlushBytes    int           // bulk request size; 0 means 4 MiB
	FlushInterval time.Duration // 0 means 1 s
	// MaxAttempts bounds how often one document is sent (first send
	// included) when the server answers 429/5xx for it; 0 means 6.
	MaxAttempts int
	// MaxQueued bounds the documents waiting in the retry queue; when it
	// is full, adding blocks (backpressure). 0 means 5000.
	MaxQueued int

	// Resume: before sending, ask the store which of the bundle's
	// documents it holds and send only the others (they count as already
	// there). This makes a rerun after a crash send only what is missing,
	// and re-indexing safe across a rollover. Without the "read" index
	// privilege (Elasticsearch 403) the run goes on without it and says
	// so in Notes.
	Resume bool
}

// DefaultDeadLetter is the dead-letter file used when none is named.
const DefaultDeadLetter = "exlog-dead-letter.ndjson"

// Counts are document counts. Once a run is closed,
// Added == Indexed + AlreadyThere + Failed.
type Counts struct {
	Added        int64 `json:"added"`
	Indexed      int64 `json:"indexed"`       // created by this run
	AlreadyThere int64 `json:"already_there"` // 409 on create: an earlier run put it there
	Failed       int64 `json:"failed"`        // written to the dead-letter file
}

// A document "acknowledged" was answered 201 (indexed) by the store, or
// was there already. Verify then checks the store holds it: a store that
// crashes can lose what it acknowledged.

// Summary is the outcome of a run.
type Summary struct {
	Counts
	ByDataset  map[string]Counts `json:"by_dataset"`
	Retried    int64             `json:"retried"`     // single-document resends
	DeadLetter string            `json:"dead_letter"` // file written, "" if none
	// Errors counts the distinct reasons documents failed ("type: reason").
	Errors  map[string]int `json:"errors,omitempty"`
	DryRun  bool           `json:"dry_run,omitempty"`
	Elapsed time.Duration  `json:"elapsed_ns"`
	// Held is how many of the bundle's documents the store held before the
	// run (Config.Resume): they were not sent and count as already there.
	Held int64 `json:"held_before,omitempty"`
	// NotStored counts documents acknowledged (indexed or already there)
	// that the store does not hold after the run (Indexer.Verify); their
	// ids are in the dead-letter file.
	NotStored int64 `json:"acknowledged_not_stored,omitempty"`
	// Notes are things the run could not do, for the user.
	Notes []string `json:"notes,omitempty"`
}

// Lost is the number of documents offered but not stored: failed ones
// plus any the accounting cannot place (which would be a bug).
func (s Summary) Lost() int64 {
	if s.DryRun {
		return 0
	}
	unplaced := s.Added - s.Indexed - s.AlreadyThere - s.Failed
	if unplaced < 0 {
		unplaced = 0
	}
	return s.Failed + unplaced + s.NotStored
}

// String is the one-line summary the CLI prints.
func (s Summary) String() string {
	if s.DryRun {
		return fmt.Sprintf("dry run: %d documents written", s.Added)
	}
	out := fmt.Sprintf("%d documents added = %d indexed + %d already there + %d failed",
		s.Added, s.Indexed, s.AlreadyThere, s.Failed)
	if s.NotStored > 0 {
		out += fmt.Sprintf("; %d of them acknowledged but not stored", s.NotStored)
	}
	return out
}

// Indexer sends one bundle's documents in bulk requests of its own
// (esapi.BulkRequest over the official transport).
//
// Concurrency: Event and Report are called by one producer goroutine (the
// analysis's merge goroutine); Close by the same goroutine afterwards.
// The producer fills a batch; a full batch (FlushBytes) is handed to one
// of Workers senders, and a batch older than FlushInterval is handed over
// by a timer. Event blocks while every sender is busy or the retry queue
// is full: that is the backpressure that keeps memory flat.
type Indexer struct {
	cfg     Config
	ctx     context.Context
	builder *Builder
	start   time.Time

	client *esapi.API
	dry    *bufio.Writer

	// The batch being filled, and the senders' channel.
	batchMu    sync.Mutex
	batch      []*retryItem
	batchSize  int
	batchSince time.Time
	batches    chan []*retryItem
	sendersWG  sync.WaitGroup
	tickerStop chan struct{}
	tickerDone chan struct{}

	counts  [numDatasets]datasetCounts
	retried atomic.Int64

	undated []*event.Event // events without a time, before any timed one

	skip  IDSet // held by the store before the run (Resume); read-only
	held  int64
	notes []string
	ackMu sync.Mutex
	acked IDSet // indexed or already there: what the store should hold

	// The retry queue: documents waiting to be resent by retryLoop.
	mu          sync.Mutex
	queue       []*retryItem
	wake        *sync.Cond // signalled when the queue grows or closing is set
	space       *sync.Cond // signalled when the queue shrinks
	closing     bool
	retryDone   chan struct{}
	batchBytes  int // retry request size; halved on 413
	errReasons  map[string]int
	dead        deadLetter
	producerErr error
	closed      bool
}

const numDatasets = 3

var datasets = [numDatasets]string{DatasetEvents, DatasetFindings, DatasetSyncs}

type datasetCounts struct {
	added, indexed, already, failed atomic.Int64
}

// retryItem is a document waiting to be resent.
type retryItem struct {
	doc      Doc
	attempts int // sends so far
	due      time.Time
}

// New connects (or, with DryRun, prepares the dry-run writer) and returns
// an Indexer for bundle b. For a server target it first asks the server
// who it is, so a wrong URL, bad credentials or a non-Elasticsearch
// server fail here, before the bundle is read.
func New(ctx context.Context, cfg Config, b Bundle) (*Indexer, error) {
	if cfg.Namespace == "" {
		cfg.Namespace = "default"
	}
	if !ValidNamespace(cfg.Namespace) {
		return nil, fmt.Errorf("namespace %q is not valid in a data stream name (lower case, no '-', no spaces or \\/*?\"<>|,#:)", cfg.Namespace)
	}
	if cfg.DeadLetterPath == "" {
		cfg.DeadLetterPath = DefaultDeadLetter
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 2
	}
	if cfg.FlushBytes <= 0 {
		cfg.FlushBytes = 4 << 20
	}
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 6
	}
	if cfg.MaxQueued <= 0 {
		cfg.MaxQueued = 5000
	}
	ix := &Indexer{
		cfg: cfg, ctx: ctx, builder: NewBuilder(b, cfg.Namespace), start: time.Now(),
		retryDone: make(chan struct{}), batchBytes: cfg.FlushBytes, errReasons: map[string]int{},
	}
	ix.dead.path = cfg.DeadLetterPath
	ix.wake = sync.NewCond(&ix.mu)
	ix.space = sync.NewCond(&ix.mu)
	if cfg.DryRun != nil {
		ix.dry = bufio.NewWriterSize(cfg.DryRun, 256<<10)
		close(ix.retryDone)
		return ix, nil
	}
	client, err := NewClient(cfg.Connection)
	if err != nil {
		return nil, err
	}
	if err := Ping(ctx, client); err != nil {
		return nil, err
	}
	ix.client = client
	ix.acked = IDSet{}
	if cfg.Resume {
		store, err := NewStore(cfg.Connection, cfg.Namespace)
		if err != nil {
			return nil, err
		}
		ids, err := store.IDs(ctx, b.ID)
		switch {
		case errors.Is(err, ErrForbidden):
			ix.notes = append(ix.notes, "cannot ask the store what it holds of this bundle (the key lacks the \"read\" privilege on "+
				Stream("exlog.*", cfg.Namespace)+"): every document is sent; after a rollover that can duplicate documents")
		case err != nil:
			return nil, fmt.Errorf("asking the store what it holds of this bundle: %w", err)
		default:
			ix.skip = ids
			ix.held = int64(len(ids))
		}
	}
	ix.batches = make(chan []*retryItem)
	ix.tickerStop = make(chan struct{})
	ix.tickerDone = make(chan struct{})
	for i := 0; i < cfg.Workers; i++ {
		ix.sendersWG.Add(1)
		go ix.sender()
	}
	go ix.ticker()
	go func() {
		<-ctx.Done()
		ix.mu.Lock()
		ix.wake.Broadcast()
		ix.space.Broadcast()
		ix.mu.Unlock()
	}()
	go ix.retryLoop()
	return ix, nil
}

// Ping asks the server who it is (GET /). It fails when the server is
// unreachable, refuses the credentials (401), or answers 2xx without
// Elasticsearch's product header. A 403 is not fatal: GET / needs the
// cluster privilege "monitor", which a least-privilege API key for
// indexing does not have; the requests that follow say whether the key
// can do what they need.
func Ping(ctx context.Context, client *esapi.API) error {
	_, err := ping(ctx, client)
	return err
}

// pingResult is what GET / could tell.
type pingResult struct {
	Forbidden bool // 403: the key lacks "monitor"; product and version unverified
}

func ping(ctx context.Context, client *esapi.API) (pingResult, error) {
	res, err := client.Info(client.Info.WithContext(ctx))
	if err != nil {
		return pingResult{}, fmt.Errorf("cannot reach the server: %w", err)
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusForbidden:
		return pingResult{Forbidden: true}, nil
	case res.IsError():
		return pingResult{}, fmt.Errorf("the server refused: %s", responseError(res.StatusCode, res.Body))
	case res.Header.Get("X-Elastic-Product") != "Elasticsearch":
		return pingResult{}, errors.New("the server is not Elasticsearch: its answer to GET / lacks the X-Elastic-Product: Elasticsearch header")
	}
	return pingResult{}, nil
}

// responseError reads an Elasticsearch error body into one line.
func responseError(status int, body io.Reader) string {
	var e struct {
		Error struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
		} `json:"error"`
	}
	raw, _ := io.ReadAll(io.LimitReader(body, 64<<10))
	if json.Unmarshal(raw, &e) == nil && e.Error.Type != "" {
		return fmt.Sprintf("%d %s: %s", status, e.Error.Type, e.Error.Reason)
	}
	msg := strings.TrimSpace(string(raw))
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	return fmt.Sprintf("%d %s", status, msg)
}

func datasetOf(stream string) int {
	for i, d := range datasets {
		if strings.HasPrefix(stream, "logs-"+d+"-") {
			return i
		}
	}
	return 0
}

// Event indexes one event. It is meant as analyze.Options.Observe: it
// has no error result; a failure to offer the document is kept and
// returned by Close, and later events are then ignored.
func (ix *Indexer) Event(e *event.Event) {
	if ix.producerErr != nil {
		return
	}
	d, err := ix.builder.Event(e)
	if errors.Is(err, ErrNoTime) && len(ix.undated) < maxUndated {
		// Held back until an event or the report gives it a time. The
		// analysis may reuse e: keep a copy.
		c := *e
		c.Fields = append([]event.Field(nil), e.Fields...)
		ix.undated = append(ix.undated, &c)
		return
	}
	if errors.Is(err, ErrNoTime) {
		d, err = ix.builder.EventAt(e, ix.start)
	}
	if err == nil && len(ix.undated) > 0 {
		err = ix.flushUndated(e.Time)
	}
	if err != nil {
		ix.producerErr = fmt.Errorf("%s: %w", e.Origin, err)
		return
	}
	ix.producerErr = ix.add(d)
}

// maxUndated bounds the events without a time held back at the start of
// a bundle; beyond it they are dated with the run's start.
const maxUndated = 50000

// flushUndated indexes the held-back events without a time, dated at.
func (ix *Indexer) flushUndated(at time.Time) error {
	for _, e := range ix.undated {
		d, err := ix.builder.EventAt(e, at)
		if err == nil {
			err = ix.add(d)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", e.Origin, err)
		}
	}
	ix.undated = nil
	return nil
}

// Report indexes the findings and sync sessions of the finished report.
func (ix *Indexer) Report(r *report.Report) error {
	if ix.producerErr != nil {
		return ix.producerErr
	}
	if len(ix.undated) > 0 {
		// No event of the bundle had a time: date them with the report's
		// window, else the run's start.
		at, ok := reportWindow(r)
		if !ok {
			at = ix.start
		}
		if err := ix.flushUndated(at); err != nil {
			ix.producerErr = err
			return err
		}
	}
	for i := range r.Findings {
		d, err := ix.builder.Finding(r, &r.Findings[i])
		if err == nil {
			err = ix.add(d)
		}
		if err != nil {
			ix.producerErr = err
			return err
		}
	}
	for i := range r.Syncs {
		d, err := ix.builder.Sync(r, &r.Syncs[i])
		if err == nil {
			err = ix.add(d)
		}
		if err != nil {
			ix.producerErr = err
			return err
		}
	}
	return nil
}

// add offers one document; it blocks on backpressure.
func (ix *Indexer) add(d Doc) error {
	if err := ix.ctx.Err(); err != nil {
		return err
	}
	if ix.dry != nil {
		ix.counts[datasetOf(d.Stream)].added.Add(1)
		writeAction(ix.dry, d)
		ix.dry.Write(d.Body)
		if ix.cfg.Progress != nil {
			ix.cfg.Progress(1)
		}
		return ix.dry.WriteByte('\n')
	}
	ix.mu.Lock()
	for len(ix.queue) >= ix.cfg.MaxQueued && ix.ctx.Err() == nil {
		ix.space.Wait()
	}
	ix.mu.Unlock()
	if err := ix.ctx.Err(); err != nil {
		return err
	}
	c := &ix.counts[datasetOf(d.Stream)]
	c.added.Add(1)
	if ix.skip.Has(d.ID) {
		ix.done(d, &c.already)
		return nil
	}
	ix.batchMu.Lock()
	if len(ix.batch) == 0 {
		ix.batchSince = time.Now()
	}
	ix.batch = append(ix.batch, &retryItem{doc: d})
	ix.batchSize += len(d.Body) + len(d.ID) + len(d.Stream) + 40
	var full []*retryItem
	if ix.batchSize >= ix.cfg.FlushBytes {
		full = ix.takeBatch()
	}
	ix.batchMu.Unlock()
	if full != nil {
		// Blocks while every sender is busy. Senders always finish
		// (bounded retries, a retry queue that never blocks them), so
		// this never hangs; a batch handed over is sent even when the
		// run is being interrupted, so it gets an outcome.
		ix.batches <- full
	}
	return nil
}

// takeBatch removes the batch being filled. Called with batchMu held.
func (ix *Indexer) takeBatch() []*retryItem {
	b := ix.batch
	ix.batch, ix.batchSize = nil, 0
	return b
}

// ticker hands over a batch that has waited FlushInterval.
func (ix *Indexer) ticker() {
	defer close(ix.tickerDone)
	t := time.NewTicker(ix.cfg.FlushInterval / 2)
	defer t.Stop()
	for {
		select {
		case <-ix.tickerStop:
			return
		case <-t.C:
		}
		ix.batchMu.Lock()
		var b []*retryItem
		if len(ix.batch) > 0 && time.Since(ix.batchSince) >= ix.cfg.FlushInterval {
			b = ix.takeBatch()
		}
		ix.batchMu.Unlock()
		if b != nil {
			select {
			case ix.batches <- b:
			case <-ix.tickerStop:
				// Close is flushing: give the batch back to it.
				ix.batchMu.Lock()
				ix.batch = append(b, ix.batch...)
				ix.batchMu.Unlock()
				return
			}
		}
	}
}

// sender sends handed-over batches. Its requests are not cancelled with
// the run: a document handed over gets its outcome (the transport's
// retries bound the wait).
func (ix *Indexer) sender() {
	defer ix.sendersWG.Done()
	ctx := context.WithoutCancel(ix.ctx)
	for b := range ix.batches {
		ix.send(ctx, b)
	}
}

// writeAction writes the bulk action line for d.
func writeAction(w *bufio.Writer, d Doc) {
	w.WriteString(`{"create":{"_index":`)
	writeJSONString(w, d.Stream)
	w.WriteString(`,"_id":`)
	writeJSONString(w, d.ID)
	w.WriteString("}}\n")
}

func writeJSONString(w io.Writer, s string) {
	b, _ := json.Marshal(s)
	w.Write(b)
}

func (ix *Indexer) done(d Doc, which *atomic.Int64) {
	which.Add(1)
	if ix.acked != nil && which != &ix.counts[datasetOf(d.Stream)].failed {
		ix.ackMu.Lock()
		ix.acked.add(d.ID, datasetOf(d.Stream))
		ix.ackMu.Unlock()
	}
	if ix.cfg.Progress != nil {
		ix.cfg.Progress(1)
	}
}

// itemOutcome classifies one bulk response item for a document sent
// attempts times.
func (ix *Indexer) itemOutcome(d Doc, attempts, status int, errType, reason string) {
	c := &ix.counts[datasetOf(d.Stream)]
	switch {
	case status == 200 || status == 201:
		ix.done(d, &c.indexed)
	case status == 409:
		ix.done(d, &c.already)
	case isRetryStatus(status):
		ix.requeue(d, attempts, status)
	default:
		if errType == "" {
			errType = fmt.Sprintf("status-%d", status)
		}
		ix.fail(d, attempts, status, errType, reason)
	}
}

func isRetryStatus(status int) bool {
	for _, s := range RetryStatuses {
		if s == status {
			return true
		}
	}
	return status == 500
}

// requeue puts d on the retry queue after attempts sends, or fails it
// when it has had all its attempts. It never blocks.
func (ix *Indexer) requeue(d Doc, attempts, status int) {

	if attempts >= ix.cfg.MaxAttempts {
		ix.fail(d, attempts, status, "retries-exhausted",
			fmt.Sprintf("still failing after %d attempts (last status %d)", attempts, status))
		return
	}
	wait := time.Duration(0)
	if attempts > 0 {
		wait = ix.cfg.backoff()(attempts)
	}
	ix.mu.Lock()
	ix.queue = append(ix.queue, &retryItem{doc: d, attempts: attempts, due: time.Now().Add(wait)})
	ix.wake.Signal()
	ix.mu.Unlock()
}

// fail counts d as failed and writes it to the dead-letter file.
func (ix *Indexer) fail(d Doc, attempts, status int, errType, reason string) {
	c := &ix.counts[datasetOf(d.Stream)]
	ix.mu.Lock()
	key := errType
	if reason != "" {
		key += ": " + firstLine(reason, 160)
	}
	if len(ix.errReasons) < 20 || ix.errReasons[key] > 0 {
		ix.errReasons[key]++
	}
	ix.mu.Unlock()
	ix.dead.write(d, attempts, status, errType, reason)
	ix.done(d, &c.failed)
}

func firstLine(s string, max int) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// retryLoop resends queued documents in small bulk requests of its own
// (never through the BulkIndexer, whose callbacks feed the queue). It
// ends when Close has been called and the queue is empty, or when the
// context is cancelled (queued documents then fail as "interrupted").
func (ix *Indexer) retryLoop() {
	defer close(ix.retryDone)
	for {
		ix.mu.Lock()
		for len(ix.queue) == 0 && !ix.closing && ix.ctx.Err() == nil {
			ix.wake.Wait()
		}
		if ix.ctx.Err() != nil {
			q := ix.queue
			ix.queue = nil
			ix.space.Broadcast()
			ix.mu.Unlock()
			for _, it := range q {
				ix.fail(it.doc, it.attempts, 0, "interrupted", ix.ctx.Err().Error())
			}
			if ix.closingNow() {
				return
			}
			ix.waitClosing()
			continue
		}
		if len(ix.queue) == 0 && ix.closing {
			ix.mu.Unlock()
			return
		}
		batch, next := ix.takeDue(time.Now())
		ix.space.Broadcast()
		ix.mu.Unlock()
		if len(batch) == 0 {
			t := time.NewTimer(time.Until(next))
			select {
			case <-t.C:
			case <-ix.ctx.Done():
				t.Stop()
			}
			continue
		}
		ix.send(ix.ctx, batch)
	}
}

func (ix *Indexer) closingNow() bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.closing
}

func (ix *Indexer) waitClosing() {
	ix.mu.Lock()
	for !ix.closing {
		ix.wake.Wait()
	}
	ix.mu.Unlock()
}

// takeDue removes from the queue the due documents that fit in one retry
// request, oldest first; if none is due it returns when the next one is.
// Called with ix.mu held.
func (ix *Indexer) takeDue(now time.Time) ([]*retryItem, time.Time) {
	sort.SliceStable(ix.queue, func(i, j int) bool { return ix.queue[i].due.Before(ix.queue[j].due) })
	n, size := 0, 0
	for n < len(ix.queue) && !ix.queue[n].due.After(now) {
		size += len(ix.queue[n].doc.Body) + 128
		if n > 0 && size > ix.batchBytes {
			break
		}
		n++
	}
	if n == 0 {
		return nil, ix.queue[0].due
	}
	batch := make([]*retryItem, n)
	copy(batch, ix.queue[:n])
	ix.queue = append(ix.queue[:0], ix.queue[n:]...)
	return batch, time.Time{}
}

// bulkResponse is the part of a bulk answer the indexer reads.
type bulkResponse struct {
	Errors bool                          `json:"errors"`
	Items  []map[string]bulkItemResponse `json:"items"`
}

type bulkItemResponse struct {
	ID     string `json:"_id"`
	Status int    `json:"status"`
	Error  struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	} `json:"error"`
}

// bulkFilterPath keeps only the fields classify reads: smaller answers.
var bulkFilterPath = []string{"errors", "items.*._id", "items.*.status", "items.*.error.type", "items.*.error.reason"}

// send sends one batch in one bulk request and classifies every document
// in it: each ends indexed, already there, failed (dead letter) or back
// on the retry queue. The body is a fresh slice, never written again.
func (ix *Indexer) send(ctx context.Context, batch []*retryItem) {
	size := 0
	for _, it := range batch {
		size += len(it.doc.Body) + len(it.doc.ID) + len(it.doc.Stream) + 40
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	w := bufio.NewWriter(buf)
	resent := 0
	for _, it := range batch {
		writeAction(w, it.doc)
		w.Write(it.doc.Body)
		w.WriteByte('\n')
		if it.attempts > 0 {
			resent++
		}
	}
	w.Flush()
	ix.retried.Add(int64(resent))
	res, err := ix.client.Bulk(bytes.NewReader(buf.Bytes()), ix.client.Bulk.WithContext(ctx), ix.client.Bulk.WithFilterPath(bulkFilterPath...))
	if err != nil {
		// The whole request failed after the transport's own retries.
		for _, it := range batch {
			ix.requeue(it.doc, it.attempts+1, 0)
		}
		return
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusRequestEntityTooLarge:
		// The batch was too big, not its documents: split.
		if len(batch) == 1 {
			ix.fail(batch[0].doc, batch[0].attempts+1, 413, "too-large", "the server refuses a request holding only this document (413)")
			return
		}
		ix.mu.Lock()
		ix.batchBytes = max(1, min(ix.batchBytes, size)/2)
		ix.mu.Unlock()
		for _, it := range batch {
			ix.requeue(it.doc, it.attempts, 0)
		}
		return
	case isRetryStatus(res.StatusCode):
		for _, it := range batch {
			ix.requeue(it.doc, it.attempts+1, res.StatusCode)
		}
		return
	case res.IsError():
		msg := responseError(res.StatusCode, res.Body)
		if len(batch) > 1 && res.StatusCode == http.StatusBadRequest {
			// One bad line spoils the request: resend one by one.
			ix.mu.Lock()
			ix.batchBytes = 1
			ix.mu.Unlock()
			for _, it := range batch {
				ix.requeue(it.doc, it.attempts, 0)
			}
			return
		}
		// Authentication, authorisation and the like do not get better
		// by resending.
		for _, it := range batch {
			ix.fail(it.doc, it.attempts+1, res.StatusCode, "request-rejected", msg)
		}
		return
	}
	var blk bulkResponse
	if err := json.NewDecoder(res.Body).Decode(&blk); err != nil {
		for _, it := range batch {
			ix.requeue(it.doc, it.attempts+1, 0)
		}
		return
	}
	for i, it := range batch {
		if i >= len(blk.Items) {
			ix.requeue(it.doc, it.attempts+1, 0)
			continue
		}
		for _, info := range blk.Items[i] {
			ix.itemOutcome(it.doc, it.attempts+1, info.Status, info.Error.Type, info.Error.Reason)
			break
		}
	}
}

// Added is the number of documents offered so far.
func (ix *Indexer) Added() int64 {
	var n int64
	for i := range ix.counts {
		n += ix.counts[i].added.Load()
	}
	return n
}

// Close flushes everything, waits for the retry queue to drain and
// returns the summary. The error is the first reason the run stopped
// early (cancellation, a document that could not be offered); documents
// that failed on the server are in the summary, not in the error.
func (ix *Indexer) Close() (Summary, error) {
	if ix.closed {
		return Summary{}, errors.New("indexer already closed")
	}
	ix.closed = true
	var err error
	if ix.dry != nil {
		err = ix.dry.Flush()
	} else {
		// Documents already offered get their outcome even when the run
		// was interrupted; the transport's retries bound this.
		close(ix.tickerStop)
		<-ix.tickerDone
		ix.batchMu.Lock()
		last := ix.takeBatch()
		ix.batchMu.Unlock()
		if len(last) > 0 {
			ix.batches <- last
		}
		close(ix.batches)
		ix.sendersWG.Wait()

		ix.mu.Lock()
		ix.closing = true
		ix.wake.Broadcast()
		ix.mu.Unlock()
		<-ix.retryDone
		// Whatever is still queued (the run was interrupted) fails here, so
		// that every document offered ends in exactly one state.
		ix.mu.Lock()
		q := ix.queue
		ix.queue = nil
		ix.mu.Unlock()
		for _, it := range q {
			why := "the run ended before it could be resent"
			if ix.ctx.Err() != nil {
				why = ix.ctx.Err().Error()
			}
			ix.fail(it.doc, it.attempts, 0, "interrupted", why)
		}
	}
	if derr := ix.dead.close(); derr != nil && err == nil {
		err = fmt.Errorf("dead-letter file: %w", derr)
	}
	if ix.producerErr != nil {
		err = ix.producerErr
	}
	s := Summary{ByDataset: map[string]Counts{}, Retried: ix.retried.Load(), DryRun: ix.dry != nil, Elapsed: time.Since(ix.start),
		Held: ix.held, Notes: ix.notes}
	for i, d := range datasets {
		c := Counts{Added: ix.counts[i].added.Load(), Indexed: ix.counts[i].indexed.Load(),
			AlreadyThere: ix.counts[i].already.Load(), Failed: ix.counts[i].failed.Load()}
		s.ByDataset[d] = c
		s.Added += c.Added
		s.Indexed += c.Indexed
		s.AlreadyThere += c.AlreadyThere
		s.Failed += c.Failed
	}
	if ix.dead.n > 0 {
		s.DeadLetter = ix.dead.path
	}
	ix.mu.Lock()
	if len(ix.errReasons) > 0 {
		s.Errors = ix.errReasons
	}
	ix.mu.Unlock()
	return s, err
}

// deadLetter is the NDJSON file of failed documents, created on the
// first failure. Safe for concurrent use.
type deadLetter struct {
	mu   sync.Mutex
	path string
	f    *os.File
	w    *bufio.Writer
	n    int
	err  error
}

// deadLine is one line of the dead-letter file: the document as it would
// have been sent, and why it was not stored. Feeding "_index", "_id" and
// "document" back to a bulk create replays it.
type deadLine struct {
	Time     string          `json:"time"`
	Index    string          `json:"_index"`
	ID       string          `json:"_id"`
	Status   int             `json:"status,omitempty"`
	Error    deadError       `json:"error"`
	Attempts int             `json:"attempts"`
	Document json.RawMessage `json:"document"` // null for a document acknowledged but not stored
}

type deadError struct {
	Type   string `json:"type"`
	Reason string `json:"reason,omitempty"`
}

func (d *deadLetter) write(doc Doc, attempts, status int, errType, reason string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return
	}
	if d.f == nil {
		d.f, d.err = os.OpenFile(d.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if d.err != nil {
			return
		}
		d.w = bufio.NewWriter(d.f)
	}
	line, err := json.Marshal(deadLine{Time: fmtTime(time.Now()), Index: doc.Stream, ID: doc.ID, Status: status,
		Error: deadError{Type: errType, Reason: reason}, Attempts: attempts, Document: json.RawMessage(doc.Body)})
	if err != nil {
		d.err = err
		return
	}
	d.w.Write(line)
	d.err = d.w.WriteByte('\n')
	d.n++
}

func (d *deadLetter) close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.f == nil {
		return d.err
	}
	if err := d.w.Flush(); err != nil && d.err == nil {
		d.err = err
	}
	if err := d.f.Close(); err != nil && d.err == nil {
		d.err = err
	}
	d.f, d.w = nil, nil // a later write (Verify) appends
	return d.err
}

// Verify checks, after Close, that the store holds every document it
// acknowledged (indexed or already there): it counts the bundle's
// documents (waiting up to settle for them to become searchable) and, if
// the count falls short or is inflated by duplicates, lists the ids the
// store holds and writes each missing one to the dead-letter file (type
// "acknowledged-not-stored", document null: run again to resend it). It
// updates s.NotStored and s.DeadLetter. A key without the "read"
// privilege gets ErrForbidden.
func (ix *Indexer) Verify(ctx context.Context, s *Summary, settle time.Duration) (Verification, error) {
	v := Verification{Expected: s.Indexed + s.AlreadyThere}
	if ix.dry != nil || v.Expected == 0 {
		v.Stored = v.Expected
		return v, nil
	}
	store, err := NewStore(ix.cfg.Connection, ix.cfg.Namespace)
	if err != nil {
		return v, err
	}
	n, err := store.WaitCount(ctx, ix.builder.bundle.ID, v.Expected, settle)
	if err != nil {
		return v, err
	}
	if n == v.Expected {
		v.Stored = n
		return v, nil
	}
	ids, err := store.IDs(ctx, ix.builder.bundle.ID)
	if err != nil {
		return v, err
	}
	ix.ackMu.Lock()
	defer ix.ackMu.Unlock()
	for k, ds := range ix.acked {
		if _, ok := ids[k]; ok {
			continue
		}
		v.NotStored++
		id := base64.RawURLEncoding.EncodeToString(k[:])
		ix.dead.write(Doc{Stream: Stream(datasets[ds-1], ix.cfg.Namespace), ID: id}, 0, 0, "acknowledged-not-stored",
			"the store acknowledged this document but does not hold it after the run")
	}
	v.Stored = v.Expected - v.NotStored
	if err := ix.dead.close(); err != nil {
		return v, fmt.Errorf("dead-letter file: %w", err)
	}
	s.NotStored = v.NotStored
	if ix.dead.n > 0 {
		s.DeadLetter = ix.dead.path
	}
	return v, nil
}
