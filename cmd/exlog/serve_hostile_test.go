package main

// Hostile clients of exlog serve (issue 20, points 1 and 2): slow bodies
// must not hold the analysis slots, a busy server answers 503 with
// Retry-After instead of hanging, and requests a page on another origin
// could send are refused. Loopback only; every wait is bounded.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// fastPace: timeouts small enough for the test to run in seconds.
func fastPace(cfg serveConfig) serveConfig {
	cfg.BodyIdle = time.Second
	cfg.MinRate = 4 << 10
	cfg.RateGrace = time.Second
	cfg.QueueWait = 500 * time.Millisecond
	cfg.WriteTimeout = 2 * time.Second
	return cfg
}

// slowClient opens a raw connection, sends the headers of an upload of
// declared length n, then calls feed with the connection. It returns a
// channel with the first line of the server's answer ("" if the server
// closed the connection without one) once feed returns or the server
// answers.
func slowClient(t *testing.T, addr string, n int, feed func(c net.Conn, stop <-chan struct{})) (<-chan string, func()) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "POST /api/analyze HTTP/1.1\r\nHost: %s\r\nX-Exlog-Request: 1\r\nX-Exlog-Filename: slow.log\r\nContent-Length: %d\r\n\r\n", addr, n)
	stop := make(chan struct{})
	answer := make(chan string, 1)
	go func() {
		_ = c.SetReadDeadline(time.Now().Add(30 * time.Second)) // bounded whatever the server does
		line, _ := bufio.NewReader(c).ReadString('\n')
		close(stop)
		answer <- strings.TrimSpace(line)
	}()
	go feed(c, stop)
	return answer, func() { c.Close() }
}

// TestServeSlowClients: with both slots taken by clients that send
// nothing or a byte every 2 s, the page and a normal upload still get
// an answer, the slow clients are cut off, and the slots are free again.
func TestServeSlowClients(t *testing.T) {
	srv := newTestServer(t, fastPace(serveConfig{Concurrent: 2, Loopback: true}))
	addr := srv.Listener.Addr().String()
	sample := readSample(t, "exchange-errors")
	t0 := time.Now()

	// 1: headers, then nothing at all.
	silent, close1 := slowClient(t, addr, 1000, func(c net.Conn, stop <-chan struct{}) {})
	defer close1()
	// 2: one byte, then nothing: it gets past the first read.
	stalled, close2 := slowClient(t, addr, 1000, func(c net.Conn, stop <-chan struct{}) { _, _ = c.Write([]byte("<")) })
	defer close2()
	// 3 and 4: a byte every 2 s (never idle for the 1 s idle timeout
	// twice... but far below the minimum rate).
	trickle := func(c net.Conn, stop <-chan struct{}) {
		tk := time.NewTicker(2 * time.Second)
		defer tk.Stop()
		for {
			if _, err := c.Write([]byte("x")); err != nil {
				return
			}
			select {
			case <-stop:
				return
			case <-tk.C:
			}
		}
	}
	slow3, close3 := slowClient(t, addr, 1000, trickle)
	defer close3()
	slow4, close4 := slowClient(t, addr, 1000, trickle)
	defer close4()
	time.Sleep(300 * time.Millisecond) // let them take the slots

	client := &http.Client{Timeout: 5 * time.Second}
	// The page answers at once.
	start := time.Now()
	resp, err := client.Get(srv.URL + "/")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET / while slow clients hold the slots: %v %v", resp, err)
	}
	resp.Body.Close()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("GET / took %s while slow clients hold the slots", d)
	}

	// A normal upload gets an answer: 200, or 503 with Retry-After, then 200.
	var code int
	var body []byte
	for attempt := 0; attempt < 10; attempt++ {
		req, _ := http.NewRequest("POST", srv.URL+"/api/analyze", bytes.NewReader(sample))
		req.Header.Set("X-Exlog-Request", "1")
		req.Header.Set("X-Exlog-Filename", "exchange-errors.zip")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("normal upload while slow clients hold the slots: no answer: %v", err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		code = resp.StatusCode
		if code != http.StatusServiceUnavailable {
			break
		}
		if ra := resp.Header.Get("Retry-After"); ra == "" {
			t.Errorf("503 without Retry-After: %s", body)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if code != 200 {
		t.Fatalf("normal upload: %d %s", code, body)
	}
	if d := time.Since(t0); d > 10*time.Second {
		t.Errorf("the normal upload was answered after %s", d)
	}

	// Every slow client was answered (or cut) well before its body could
	// have arrived at its pace (1000 bytes at 1 byte per 2 s: 33 min).
	cut := 0
	for i, ch := range []<-chan string{silent, stalled, slow3, slow4} {
		select {
		case line := <-ch:
			if strings.Contains(line, " 408 ") {
				cut++
			}
			if line != "" && !strings.Contains(line, " 408 ") && !strings.Contains(line, " 503 ") {
				t.Errorf("slow client %d: answer %q, want 408 (too slow), 503 (no slot) or a closed connection", i+1, line)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("slow client %d: still connected after 15 s", i+1)
		}
	}
	if cut < 2 {
		t.Errorf("%d slow clients answered 408; at least the two that held the slots must be", cut)
	}
}

// TestServeBusy: when every slot stays busy past the queue wait, an
// upload is answered 503 with Retry-After, and the page still answers.
func TestServeBusy(t *testing.T) {
	h := newServeHandler(fastPace(serveConfig{Concurrent: 1, Loopback: true})).(*serveHandler)
	h.slots <- struct{}{} // a long analysis holds the only slot
	srv := newTestServerHandler(t, h)
	t.Cleanup(func() { // before srv.Close: free the slot if the test stopped early
		select {
		case <-h.slots:
		default:
		}
	})
	client := &http.Client{Timeout: 5 * time.Second}
	start := time.Now()
	code, body, err := postBundle(client, srv.URL, "exchange-errors.zip", bytes.NewReader(readSample(t, "exchange-errors")))
	if err != nil || code != http.StatusServiceUnavailable {
		t.Fatalf("upload with no free slot: %d %s %v, want 503", code, body, err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("503 after %s", d)
	}
	req, _ := http.NewRequest("POST", srv.URL+"/api/analyze", strings.NewReader("x"))
	req.Header.Set("X-Exlog-Request", "1")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Retry-After") == "" {
		t.Errorf("503 without Retry-After")
	}
	if resp, err := client.Get(srv.URL + "/"); err != nil || resp.StatusCode != 200 {
		t.Errorf("GET / while busy: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	<-h.slots
	code, body, err = postBundle(client, srv.URL, "exchange-errors.zip", bytes.NewReader(readSample(t, "exchange-errors")))
	if err != nil || code != 200 {
		t.Errorf("upload once the slot is free: %d %.200s %v", code, body, err)
	}
}

// TestServeCrossSite: a page on another origin cannot make the server
// work — whatever it sends, even a "simple" text/plain POST.
func TestServeCrossSite(t *testing.T) {
	srv := newTestServer(t, serveConfig{Loopback: true})
	client := &http.Client{Timeout: 10 * time.Second}
	sample := readSample(t, "exchange-errors")
	cases := []struct {
		name    string
		path    string
		headers map[string]string
		want    int
	}{
		{"simple cross-site form post", "/api/analyze", map[string]string{"Content-Type": "text/plain", "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, 403},
		{"cross-site with the custom header", "/api/analyze", map[string]string{"X-Exlog-Request": "1", "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, 403},
		{"other port on localhost (same-site)", "/api/analyze", map[string]string{"X-Exlog-Request": "1", "Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"}, 403},
		{"Origin only (older browser)", "/api/analyze", map[string]string{"X-Exlog-Request": "1", "Origin": "http://evil.example"}, 403},
		{"opaque origin", "/api/analyze", map[string]string{"X-Exlog-Request": "1", "Origin": "null"}, 403},
		{"no custom header", "/api/analyze", map[string]string{"Content-Type": "text/plain"}, 403},
		{"render cross-site", "/api/render", map[string]string{"Content-Type": "text/plain", "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, 403},
		{"render without the header", "/api/render", map[string]string{"Content-Type": "text/plain"}, 403},
		{"same origin, from the page", "/api/analyze", map[string]string{"X-Exlog-Request": "1", "Origin": srv.URL, "Sec-Fetch-Site": "same-origin"}, 200},
		{"script (curl)", "/api/analyze", map[string]string{"X-Exlog-Request": "1"}, 200},
	}
	for _, c := range cases {
		req, _ := http.NewRequest("POST", srv.URL+c.path, bytes.NewReader(sample))
		for k, v := range c.headers {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: %d %.200s, want %d", c.name, resp.StatusCode, body, c.want)
		}
	}
}

func newTestServerHandler(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
