package index

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"
)

// What a store holds of a bundle: the pre-check that makes a rerun send
// only the documents the store lacks (resumable, and idempotent across
// an Elasticsearch rollover, where a 409 on a deterministic _id no longer
// catches a duplicate), and the check after a run that every document the
// store acknowledged is stored (a store that crashes or restarts can lose
// what it acknowledged but had not written to disk yet).
//
// Elasticsearch is asked with a search on the namespace's three data
// streams (term exlog.bundle.id, sorted by exlog.doc_id, search_after
// pages of 10 000 _ids); VictoriaLogs with a LogsQL query on
// exlog.bundle.id that returns exlog.doc_id (it ignores _id, so the id is
// a field of every document).

// ErrForbidden says the credentials may not read the data streams
// (Elasticsearch 403): the pre-check and the check after the run need
// the "read" index privilege.
var ErrForbidden = errors.New("forbidden")

// IDSet is a set of document ids (DocID values), kept as their 20 bytes.
type IDSet map[[20]byte]uint8 // value: dataset index + 1

func idKey(id string) ([20]byte, bool) {
	var k [20]byte
	if base64.RawURLEncoding.DecodedLen(len(id)) != 20 {
		return k, false
	}
	n, err := base64.RawURLEncoding.Decode(k[:], []byte(id))
	return k, err == nil && n == 20
}

// Has reports whether id is in the set.
func (s IDSet) Has(id string) bool {
	k, ok := idKey(id)
	if !ok {
		return false
	}
	_, in := s[k]
	return in
}

func (s IDSet) add(id string, dataset int) {
	if k, ok := idKey(id); ok {
		s[k] = uint8(dataset + 1)
	}
}

// Store asks Elasticsearch or VictoriaLogs what it holds of a bundle in
// a namespace.
type Store struct {
	conn      Connection
	namespace string
	api       *esapi.API
}

// NewStore returns a Store for the namespace ("" is "default").
func NewStore(c Connection, namespace string) (*Store, error) {
	if namespace == "" {
		namespace = "default"
	}
	s := &Store{conn: c, namespace: namespace}
	if c.target() == TargetElasticsearch {
		api, err := NewClient(c)
		if err != nil {
			return nil, err
		}
		s.api = api
	}
	return s, nil
}

func (s *Store) streams() []string {
	return []string{Stream(DatasetEvents, s.namespace), Stream(DatasetFindings, s.namespace), Stream(DatasetSyncs, s.namespace)}
}

func (s *Store) bundleQuery(bundleID string) string {
	return `{"term":{"exlog.bundle.id":` + jsonQuote(bundleID) + `}}`
}

func jsonQuote(v string) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Count is the number of the bundle's documents the store can search.
// On VictoriaLogs a document sent twice (an old --force) counts twice.
func (s *Store) Count(ctx context.Context, bundleID string) (int64, error) {
	if s.api == nil {
		return CountVictoriaLogs(ctx, s.conn, bundleID)
	}
	body := `{"query":` + s.bundleQuery(bundleID) + `}`
	res, err := s.api.Count(s.api.Count.WithContext(ctx), s.api.Count.WithIndex(s.streams()...),
		s.api.Count.WithBody(strings.NewReader(body)), s.api.Count.WithIgnoreUnavailable(true), s.api.Count.WithAllowNoIndices(true))
	if err != nil {
		return 0, fmt.Errorf("counting the bundle's documents: %w", err)
	}
	defer res.Body.Close()
	if err := storeError(res); err != nil {
		return 0, fmt.Errorf("counting the bundle's documents: %w", err)
	}
	var r struct {
		Count int64 `json:"count"`
	}
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		return 0, fmt.Errorf("counting the bundle's documents: %w", err)
	}
	return r.Count, nil
}

func storeError(res *esapi.Response) error {
	if !res.IsError() {
		return nil
	}
	msg := responseError(res.StatusCode, res.Body)
	if res.StatusCode == http.StatusForbidden {
		return fmt.Errorf("%w: %s", ErrForbidden, msg)
	}
	return errors.New(msg)
}

// idPage is how many ids one search returns (index.max_result_window's
// default).
const idPage = 10000

// IDs returns the ids of the bundle's documents the store holds.
func (s *Store) IDs(ctx context.Context, bundleID string) (IDSet, error) {
	set := IDSet{}
	if s.api == nil {
		err := QueryVictoriaLogs(ctx, s.conn, "exlog.bundle.id:="+quoteLogsQL(bundleID)+" | fields exlog.doc_id, event.dataset", func(line []byte) error {
			var row struct {
				ID      string `json:"exlog.doc_id"`
				Dataset string `json:"event.dataset"`
			}
			if err := json.Unmarshal(line, &row); err != nil {
				return fmt.Errorf("victorialogs ids: %w", err)
			}
			set.add(row.ID, datasetIndex(row.Dataset))
			return nil
		})
		return set, err
	}
	var after []any
	for {
		q := map[string]any{
			"size": idPage, "_source": false, "track_total_hits": false,
			"query": json.RawMessage(s.bundleQuery(bundleID)),
			"sort":  []any{map[string]string{"exlog.doc_id": "asc"}},
		}
		if after != nil {
			q["search_after"] = after
		}
		body, _ := json.Marshal(q)
		res, err := s.api.Search(s.api.Search.WithContext(ctx), s.api.Search.WithIndex(s.streams()...),
			s.api.Search.WithBody(bytes.NewReader(body)), s.api.Search.WithIgnoreUnavailable(true),
			s.api.Search.WithAllowNoIndices(true), s.api.Search.WithFilterPath("hits.hits._id", "hits.hits._index", "hits.hits.sort"))
		if err != nil {
			return set, fmt.Errorf("listing the bundle's documents: %w", err)
		}
		var r struct {
			Hits struct {
				Hits []struct {
					ID    string `json:"_id"`
					Index string `json:"_index"`
					Sort  []any  `json:"sort"`
				} `json:"hits"`
			} `json:"hits"`
		}
		err = storeError(res)
		if err == nil {
			err = json.NewDecoder(res.Body).Decode(&r)
		}
		res.Body.Close()
		if err != nil {
			return set, fmt.Errorf("listing the bundle's documents: %w", err)
		}
		for _, h := range r.Hits.Hits {
			set.add(h.ID, datasetOfIndex(h.Index))
		}
		if len(r.Hits.Hits) < idPage {
			return set, nil
		}
		after = r.Hits.Hits[len(r.Hits.Hits)-1].Sort
	}
}

func datasetIndex(dataset string) int {
	for i, d := range datasets {
		if d == dataset {
			return i
		}
	}
	return 0
}

// datasetOfIndex maps a backing index (.ds-logs-exlog.events-ns-…) or a
// stream name to its dataset.
func datasetOfIndex(index string) int {
	for i, d := range datasets {
		if strings.Contains(index, "logs-"+d+"-") {
			return i
		}
	}
	return 0
}

// WaitCount polls Count until it reaches want or stops growing for
// settle (new documents become searchable after a refresh: about a
// second on both stores), and returns the last count.
func (s *Store) WaitCount(ctx context.Context, bundleID string, want int64, settle time.Duration) (int64, error) {
	var last int64 = -1
	stableSince := time.Now()
	for {
		n, err := s.Count(ctx, bundleID)
		if err != nil {
			return n, err
		}
		if n >= want {
			return n, nil
		}
		if n != last {
			last, stableSince = n, time.Now()
		} else if time.Since(stableSince) > settle {
			return n, nil
		}
		select {
		case <-ctx.Done():
			return n, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// Verification is the outcome of checking a run against the store.
type Verification struct {
	Expected  int64 // documents acknowledged or already there
	Stored    int64 // of those, found in the store (or the count, when it sufficed)
	NotStored int64 // acknowledged but not stored: their ids are in the dead-letter file
}

// LostMessage explains documents acknowledged but not stored, with the
// likely causes in order, and how to resume.
func (v Verification) LostMessage(t Target, deadLetter string) string {
	var causes string
	if t == TargetVictoriaLogs {
		causes = "(1) VictoriaLogs restarted or crashed during the run and lost what it had acknowledged but not yet written to disk (its log shows the restart); " +
			"(2) the records are older than its -retentionPeriod (7 days by default) and were dropped on arrival: connector bundles are often older, start it with e.g. -retentionPeriod=100y"
	} else {
		causes = "(1) a node restarted or crashed during the run, or the data stream was rolled back or deleted while the run went on; " +
			"(2) a lifecycle retention deleted backing indices that held them"
	}
	return fmt.Sprintf("%d documents were acknowledged but are not stored (the store holds %d of %d). Likely causes, in order: %s. "+
		"Their ids are in %s; run the same command again: it sends only the documents the store lacks",
		v.NotStored, v.Stored, v.Expected, causes, deadLetter)
}
