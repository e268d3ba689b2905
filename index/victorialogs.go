package index

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// VictoriaLogs stores every document it is sent: it ignores _id, so it
// cannot answer 409 and re-indexing a bundle would duplicate it. The
// indexer therefore asks it which of the bundle's documents it holds
// before sending (Config.Resume, store.go) and checks after the run that
// it holds what it acknowledged (Indexer.Verify): VictoriaLogs silently
// drops records older than its -retentionPeriod, 7 days by default, and
// loses what it acknowledged but had not flushed when it is killed.

// victoriaLogsBase is the server root of a VictoriaLogs connection.
func victoriaLogsBase(c Connection) (string, error) {
	addr, err := c.address()
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(addr, VictoriaLogsInsertPath), nil
}

// QueryVictoriaLogs runs a LogsQL query and calls fn with each result
// line (one JSON object per log entry or stats row).
func QueryVictoriaLogs(ctx context.Context, c Connection, query string, fn func(line []byte) error) error {
	base, err := victoriaLogsBase(c)
	if err != nil {
		return err
	}
	hc, err := httpClient(c)
	if err != nil {
		return err
	}
	form := url.Values{"query": {query}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/select/logsql/query", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	c.authorize(req)
	res, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("victorialogs query: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("victorialogs query: %s", responseError(res.StatusCode, res.Body))
	}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		if len(sc.Bytes()) == 0 {
			continue
		}
		if err := fn(sc.Bytes()); err != nil {
			return err
		}
	}
	return sc.Err()
}

// quoteLogsQL quotes a value for a LogsQL phrase filter.
func quoteLogsQL(s string) string { return strconv.Quote(s) }

// CountVictoriaLogs is the number of documents of the bundle that
// VictoriaLogs holds and can search.
func CountVictoriaLogs(ctx context.Context, c Connection, bundleID string) (int64, error) {
	var n int64
	err := QueryVictoriaLogs(ctx, c, "exlog.bundle.id:="+quoteLogsQL(bundleID)+" | stats count() as n", func(line []byte) error {
		var row struct {
			N string `json:"n"`
		}
		if err := json.Unmarshal(line, &row); err != nil {
			return err
		}
		v, err := strconv.ParseInt(row.N, 10, 64)
		if err != nil {
			return fmt.Errorf("victorialogs count %q: %w", row.N, err)
		}
		n = v
		return nil
	})
	return n, err
}
