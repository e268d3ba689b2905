//go:build linux

package main

// A minimal Chrome DevTools Protocol client for the browser tests: it
// starts Debian's headless chromium, speaks just enough RFC 6455
// WebSocket (client side, masked frames, fragmentation, ping/pong,
// close) to send commands and read replies and events, and offers the
// few page operations the tests need. The standard library has no
// WebSocket client, and the project takes no new module for tests.

import (
	"bufio"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const chromiumPath = "/usr/bin/chromium"

// wsConn is a client WebSocket connection. Writes are serialised by wmu;
// only the reader goroutine of cdpBrowser reads.
type wsConn struct {
	c   net.Conn
	br  *bufio.Reader
	wmu sync.Mutex
}

func wsDial(rawURL string) (*wsConn, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	c, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		return nil, err
	}
	var k [16]byte
	_, _ = rand.Read(k[:])
	key := base64.StdEncoding.EncodeToString(k[:])
	req := "GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host +
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
		"\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		c.Close()
		return nil, err
	}
	br := bufio.NewReaderSize(c, 64<<10)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		c.Close()
		return nil, err
	}
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Sec-WebSocket-Accept") != base64.StdEncoding.EncodeToString(sum[:]) {
		c.Close()
		return nil, fmt.Errorf("websocket handshake with %s: %s", rawURL, resp.Status)
	}
	return &wsConn{c: c, br: br}, nil
}

// writeFrame sends one final frame; client frames are always masked.
func (w *wsConn) writeFrame(op byte, payload []byte) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	hdr := []byte{0x80 | op}
	n := len(payload)
	switch {
	case n < 126:
		hdr = append(hdr, 0x80|byte(n))
	case n <= 0xffff:
		hdr = append(hdr, 0x80|126, byte(n>>8), byte(n))
	default:
		hdr = append(hdr, 0x80|127)
		hdr = binary.BigEndian.AppendUint64(hdr, uint64(n))
	}
	var mask [4]byte
	_, _ = rand.Read(mask[:])
	hdr = append(hdr, mask[:]...)
	buf := make([]byte, len(hdr)+n)
	copy(buf, hdr)
	for i, b := range payload {
		buf[len(hdr)+i] = b ^ mask[i%4]
	}
	_, err := w.c.Write(buf)
	return err
}

// readMessage returns the next text or binary message, answering pings
// and joining fragments; io.EOF after a close frame.
func (w *wsConn) readMessage() ([]byte, error) {
	var msg []byte
	for {
		var h [2]byte
		if _, err := io.ReadFull(w.br, h[:]); err != nil {
			return nil, err
		}
		fin, op := h[0]&0x80 != 0, h[0]&0x0f
		n := uint64(h[1] & 0x7f)
		switch n {
		case 126:
			var b [2]byte
			if _, err := io.ReadFull(w.br, b[:]); err != nil {
				return nil, err
			}
			n = uint64(binary.BigEndian.Uint16(b[:]))
		case 127:
			var b [8]byte
			if _, err := io.ReadFull(w.br, b[:]); err != nil {
				return nil, err
			}
			n = binary.BigEndian.Uint64(b[:])
		}
		if n > 256<<20 {
			return nil, fmt.Errorf("websocket frame of %d bytes", n)
		}
		var mask [4]byte
		masked := h[1]&0x80 != 0
		if masked {
			if _, err := io.ReadFull(w.br, mask[:]); err != nil {
				return nil, err
			}
		}
		p := make([]byte, n)
		if _, err := io.ReadFull(w.br, p); err != nil {
			return nil, err
		}
		if masked {
			for i := range p {
				p[i] ^= mask[i%4]
			}
		}
		switch op {
		case 0x8: // close
			_ = w.writeFrame(0x8, nil)
			return nil, io.EOF
		case 0x9: // ping
			if err := w.writeFrame(0xA, p); err != nil {
				return nil, err
			}
			continue
		case 0xA: // pong
			continue
		}
		msg = append(msg, p...)
		if fin {
			return msg, nil
		}
	}
}

type cdpMsg struct {
	ID        int64           `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// cdpBrowser is one headless chromium and its browser-level connection.
type cdpBrowser struct {
	t       *testing.T
	cmd     *exec.Cmd
	ws      *wsConn
	nextID  atomic.Int64
	mu      sync.Mutex
	pending map[int64]chan cdpMsg
	events  []cdpMsg
}

// startChromium starts a fresh headless chromium (own profile, no
// network services) or skips the test when it is not installed.
func startChromium(t *testing.T) *cdpBrowser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("browser test skipped: %s not found (CI installs Debian's chromium package; locally: apt-get install chromium)", chromiumPath)
	}
	t0 := time.Now()
	profile := t.TempDir()
	cmd := exec.Command(chromiumPath, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
		"--user-data-dir="+profile, "--remote-debugging-port=0", "--window-size=1366,900", "about:blank")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its helpers die with it in close
	var stderr strings.Builder
	cmd.Stderr = &limitedWriter{w: &stderr, n: 64 << 10}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	b := &cdpBrowser{t: t, cmd: cmd, pending: map[int64]chan cdpMsg{}}
	t.Cleanup(b.close)
	var port, path string
	deadline := time.Now().Add(20 * time.Second)
	for {
		data, err := os.ReadFile(filepath.Join(profile, "DevToolsActivePort"))
		if lines := strings.Split(strings.TrimSpace(string(data)), "\n"); err == nil && len(lines) == 2 {
			port, path = strings.TrimSpace(lines[0]), strings.TrimSpace(lines[1])
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromium did not open its debugging port in 20 s; stderr:\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("chromium debugging port open after %s", time.Since(t0))
	ws, err := wsDial("ws://127.0.0.1:" + port + path)
	if err != nil {
		t.Fatalf("connecting to chromium: %v", err)
	}
	b.ws = ws
	go b.readLoop()
	return b
}

type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		q := p
		if len(q) > l.n {
			q = q[:l.n]
		}
		l.n -= len(q)
		_, _ = l.w.Write(q)
	}
	return len(p), nil
}

func (b *cdpBrowser) readLoop() {
	for {
		data, err := b.ws.readMessage()
		if err != nil {
			b.mu.Lock()
			for id, ch := range b.pending {
				close(ch)
				delete(b.pending, id)
			}
			b.mu.Unlock()
			return
		}
		var m cdpMsg
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch, ok := b.pending[m.ID]; ok {
				ch <- m
				delete(b.pending, m.ID)
			}
		} else if len(b.events) < 10000 {
			b.events = append(b.events, m)
		}
		if m.Method == "Page.javascriptDialogOpening" {
			// Dismiss it so the page does not hang; tests fail on it.
			go func(s string) {
				_, _ = b.call(s, "Page.handleJavaScriptDialog", map[string]any{"accept": true})
			}(m.SessionID)
		}
		b.mu.Unlock()
	}
}

func (b *cdpBrowser) close() {
	t0 := time.Now()
	defer func() { b.t.Logf("chromium closed in %s", time.Since(t0)) }()
	if b.ws != nil {
		done := make(chan struct{})
		go func() { _, _ = b.call("", "Browser.close", nil); close(done) }()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
		}
		b.ws.c.Close()
	}
	exited := make(chan struct{})
	go func() { _ = b.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(2 * time.Second):
		_ = syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL) // the group we started
		<-exited
	}
}

// call sends one command (to a page session if session is set) and
// waits up to 30 s for its reply.
func (b *cdpBrowser) call(session, method string, params any) (json.RawMessage, error) {
	id := b.nextID.Add(1)
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	data, _ := json.Marshal(msg)
	ch := make(chan cdpMsg, 1)
	b.mu.Lock()
	b.pending[id] = ch
	b.mu.Unlock()
	if err := b.ws.writeFrame(0x1, data); err != nil {
		return nil, err
	}
	select {
	case m, ok := <-ch:
		if !ok {
			return nil, errors.New("chromium closed the connection")
		}
		if m.Error != nil {
			return nil, fmt.Errorf("%s: %s (%d)", method, m.Error.Message, m.Error.Code)
		}
		return m.Result, nil
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("%s: no answer in 30 s", method)
	}
}

// eventsNamed returns the events of one method seen so far for a session.
func (b *cdpBrowser) eventsNamed(session, method string) []cdpMsg {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []cdpMsg
	for _, e := range b.events {
		if e.Method == method && e.SessionID == session {
			out = append(out, e)
		}
	}
	return out
}

// cdpPage is one tab, attached with a flat session.
type cdpPage struct {
	t       *testing.T // the (sub)test using the page
	b       *cdpBrowser
	session string
}

func (b *cdpBrowser) newPage(t *testing.T, width, height int) *cdpPage {
	t.Helper()
	res, err := b.call("", "Target.createTarget", map[string]any{"url": "about:blank"})
	if err != nil {
		t.Fatal(err)
	}
	var tg struct{ TargetID string }
	_ = json.Unmarshal(res, &tg)
	res, err = b.call("", "Target.attachToTarget", map[string]any{"targetId": tg.TargetID, "flatten": true})
	if err != nil {
		t.Fatal(err)
	}
	var at struct{ SessionID string }
	_ = json.Unmarshal(res, &at)
	p := &cdpPage{t: t, b: b, session: at.SessionID}
	p.must("Page.enable", nil)
	p.must("Runtime.enable", nil)
	p.must("Emulation.setDeviceMetricsOverride", map[string]any{"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false})
	return p
}

func (p *cdpPage) must(method string, params any) json.RawMessage {
	p.t.Helper()
	res, err := p.b.call(p.session, method, params)
	if err != nil {
		p.t.Fatal(err)
	}
	return res
}

// eval runs a JavaScript expression (awaiting a promise) and decodes its
// JSON value into out (if not nil).
func (p *cdpPage) eval(expr string, out any) error {
	res, err := p.b.call(p.session, "Runtime.evaluate", map[string]any{
		"expression": expr, "returnByValue": true, "awaitPromise": true,
	})
	if err != nil {
		return err
	}
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(res, &r); err != nil {
		return err
	}
	if r.ExceptionDetails != nil {
		return fmt.Errorf("javascript: %s %s", r.ExceptionDetails.Text, r.ExceptionDetails.Exception.Description)
	}
	if out != nil && len(r.Result.Value) > 0 {
		return json.Unmarshal(r.Result.Value, out)
	}
	return nil
}

func (p *cdpPage) mustEval(expr string, out any) {
	p.t.Helper()
	if err := p.eval(expr, out); err != nil {
		p.t.Fatalf("%v\nexpression: %s", err, truncate(expr, 300))
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// navigate loads url and waits for the document to be complete.
func (p *cdpPage) navigate(u string) {
	p.t.Helper()
	res := p.must("Page.navigate", map[string]any{"url": u})
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	_ = json.Unmarshal(res, &nav)
	if nav.ErrorText != "" {
		p.t.Fatalf("navigating to %s: %s", u, nav.ErrorText)
	}
	p.waitFor(`document.readyState === "complete" && location.href !== "about:blank"`, 15*time.Second)
}

// waitFor polls a boolean expression until it is true.
func (p *cdpPage) waitFor(expr string, timeout time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var ok bool
		err := p.eval("!!("+expr+")", &ok)
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waited %s for %s (last error: %v)", timeout, expr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// screenshot saves a PNG of the viewport, or of the whole page.
func (p *cdpPage) screenshot(path string, fullPage bool) {
	p.t.Helper()
	params := map[string]any{"format": "png"}
	if fullPage {
		var m struct {
			CSSContentSize struct{ Width, Height float64 } `json:"cssContentSize"`
		}
		_ = json.Unmarshal(p.must("Page.getLayoutMetrics", nil), &m)
		params["captureBeyondViewport"] = true
		params["clip"] = map[string]any{"x": 0, "y": 0, "width": m.CSSContentSize.Width, "height": m.CSSContentSize.Height, "scale": 1}
	}
	var shot struct{ Data string }
	_ = json.Unmarshal(p.must("Page.captureScreenshot", params), &shot)
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil || len(png) == 0 {
		p.t.Fatalf("screenshot: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s", path)
}

// dialogs returns the JavaScript dialogs (alert, confirm) the page tried
// to open; a log text that ran as script would open one.
func (p *cdpPage) dialogs() []cdpMsg {
	return p.b.eventsNamed(p.session, "Page.javascriptDialogOpening")
}
