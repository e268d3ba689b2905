//go:build linux

package main

// End-to-end tests of the two views people look at: the drag-and-drop
// page of exlog serve and the self-contained HTML report file, each
// driven in a real headless chromium (cdp_test.go). Set EXLOG_SHOTS=DIR
// to keep screenshots of both views in DIR.

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"exlog/analyze"
	"exlog/output"
	"exlog/report"
)

func shotPath(name string) string {
	dir := os.Getenv("EXLOG_SHOTS")
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, name)
}

// withHostileMessage returns the exchange-errors bundle with HTML in a
// trace message that becomes evidence (XML-escaped in the file, as the
// connector writes it).
func withHostileMessage(t *testing.T) []byte {
	t.Helper()
	src := readSample(t, "exchange-errors")
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	const anchor = "Could not open a remote PowerShell session to the Exchange server."
	escaped := strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(xssPayload)
	replaced := false
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !replaced && bytes.Contains(data, []byte(anchor)) {
			data = bytes.Replace(data, []byte(anchor), []byte(anchor+" "+escaped), 1)
			replaced = true
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if !replaced {
		t.Fatalf("no trace message %q in the exchange-errors sample to put HTML into", anchor)
	}
	return out.Bytes()
}

// dropFile builds a File from bytes in the page and drops it on the
// drop zone with a synthetic drag-and-drop.
func dropFile(t *testing.T, p *cdpPage, name string, data []byte) {
	t.Helper()
	b64, _ := json.Marshal(base64.StdEncoding.EncodeToString(data))
	jname, _ := json.Marshal(name)
	p.mustEval(fmt.Sprintf(`(() => {
		const bin = atob(%s), u8 = new Uint8Array(bin.length);
		for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
		const dt = new DataTransfer();
		dt.items.add(new File([u8], %s, {type: "application/zip"}));
		const zone = document.getElementById("drop");
		zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: dt, bubbles: true, cancelable: true}));
		zone.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
		return true;
	})()`, b64, jname), nil)
}

// checkReportDOM asserts what both views must show for rep.
func checkReportDOM(t *testing.T, p *cdpPage, rep *report.Report) {
	t.Helper()
	var ids []string
	p.mustEval(`[...new Set([...document.querySelectorAll(".exlog-report [data-finding-id]")].map(e => e.dataset.findingId))].sort()`, &ids)
	if want := findingIDs(rep); !slices.Equal(ids, want) {
		t.Errorf("finding ids in the page %v, in the report %v", ids, want)
	}
	var st struct {
		SVG, Marks, Failed, Unfinished, Gaps, Untitled int
		Badge                                          string
	}
	p.mustEval(`({
		svg: document.querySelectorAll("#timeline svg").length,
		marks: document.querySelectorAll("#timeline svg rect.sync").length,
		failed: document.querySelectorAll("#timeline svg rect.sync.failed").length,
		unfinished: document.querySelectorAll("#timeline svg rect.sync.unfinished").length,
		gaps: document.querySelectorAll("#timeline svg rect.gap").length,
		badge: (document.querySelector("#verdict .state-badge") || {}).textContent || "",
		untitled: [...document.querySelectorAll("#timeline svg rect.sync, #timeline svg rect.gap, #timeline svg rect.change")].filter(r => !(r.querySelector("title") || {}).textContent).length,
	})`, &st)
	if st.SVG != 1 || st.Marks != len(rep.Syncs) || st.Failed != countSyncs(rep, "failed") || st.Unfinished != countSyncs(rep, "unfinished") || st.Gaps != len(rep.Summary.Gaps) {
		t.Errorf("timeline: %d svg, %d sync marks (%d failed, %d unfinished), %d gaps; report has %d syncs (%d failed, %d unfinished), %d gaps",
			st.SVG, st.Marks, st.Failed, st.Unfinished, st.Gaps, len(rep.Syncs), countSyncs(rep, "failed"), countSyncs(rep, "unfinished"), len(rep.Summary.Gaps))
	}
	if st.Untitled != 0 {
		t.Errorf("%d timeline marks have no hover title", st.Untitled)
	}
	if rep.Verdict != nil && st.Badge != strings.ToUpper(string(rep.Verdict.State)) {
		t.Errorf("verdict badge %q, report says %q", st.Badge, rep.Verdict.State)
	}
}

// checkNoScriptRan asserts the hostile log text is shown as text and
// nothing in it ran.
func checkNoScriptRan(t *testing.T, p *cdpPage) {
	t.Helper()
	var st struct {
		Shown    bool
		Elements int
		XSS      bool
	}
	payload, _ := json.Marshal(xssPayload)
	p.mustEval(fmt.Sprintf(`({
		shown: [...document.querySelectorAll(".exlog-report pre.ev-text")].some(e => e.textContent.includes(%s)),
		elements: document.querySelectorAll(".exlog-report script, .exlog-report img, .exlog-report [onerror]").length,
		xss: window.__xss !== undefined,
	})`, payload), &st)
	if !st.Shown {
		t.Errorf("the evidence does not show the message's HTML as text")
	}
	if st.Elements != 0 || st.XSS {
		t.Errorf("log text became markup: %d script/img elements, script ran: %v", st.Elements, st.XSS)
	}
	if d := p.dialogs(); len(d) > 0 {
		t.Errorf("log text ran as script: %d dialog(s) opened: %s", len(d), d[0].Params)
	}
}

// TestBrowser runs the browser tests in one chromium (starting one
// takes seconds).
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests skipped in -short mode")
	}
	b := startChromium(t)
	t.Run("DropOnServePage", func(t *testing.T) { testDropOnServePage(t, b) })
	t.Run("OpensReportFile", func(t *testing.T) { testOpensReportFile(t, b) })
	t.Run("LogTextIsNotMarkup", func(t *testing.T) { testLogTextIsNotMarkup(t, b) })
}

// testDropOnServePage drops a sample bundle on the serve page and
// checks the rendered report, then picks a second one with the file
// picker.
func testDropOnServePage(t *testing.T, b *cdpBrowser) {
	srv := newTestServer(t, serveConfig{MaxUpload: 64 << 20, Loopback: true, Analyze: analyze.Options{Version: "test"}})
	p := b.newPage(t, 1366, 900)
	p.navigate(srv.URL + "/")
	if s := shotPath("serve-idle.png"); s != "" {
		p.screenshot(s, false)
	}
	data := readSample(t, "exchange-errors")
	rep := analyzeBytes(t, "exchange-errors.zip", data)
	for _, id := range exchangeErrorsIDs {
		if !slices.Contains(findingIDs(rep), id) {
			t.Fatalf("the analysis itself misses %s (the sample's README requires it): %v", id, findingIDs(rep))
		}
	}
	dropFile(t, p, "exchange-errors.zip", data)
	p.waitFor(`document.body.dataset.reportReady === "1" || document.body.dataset.state === "error"`, 30*time.Second)
	var errText string
	p.mustEval(`document.body.dataset.state === "error" ? document.getElementById("error").textContent : ""`, &errText)
	if errText != "" {
		t.Fatalf("the page reports an error: %s", errText)
	}
	checkReportDOM(t, p, rep)
	var subject string
	p.mustEval(`document.querySelector(".exlog-report h1 .subject").textContent`, &subject)
	if subject != "exchange-errors.zip" {
		t.Errorf("report subject %q, want the dropped file's name", subject)
	}
	if s := shotPath("serve-report.png"); s != "" {
		p.screenshot(s, false)
		p.screenshot(shotPath("serve-report-full.png"), true)
	}

	// The file picker: a sample with a service restart mid-sync.
	p.mustEval(`document.getElementById("again").click(), true`, nil)
	var doc struct{ Root struct{ NodeID int } }
	_ = json.Unmarshal(p.must("DOM.getDocument", nil), &doc)
	var q struct{ NodeID int }
	_ = json.Unmarshal(p.must("DOM.querySelector", map[string]any{"nodeId": doc.Root.NodeID, "selector": "#file"}), &q)
	abs, _ := filepath.Abs(filepath.Join(samplesDir, "restart-mid", "bundle.zip"))
	p.must("DOM.setFileInputFiles", map[string]any{"nodeId": q.NodeID, "files": []string{abs}})
	p.waitFor(`document.body.dataset.reportReady === "1"`, 30*time.Second)
	rep2 := analyzeBytes(t, "bundle.zip", readSample(t, "restart-mid"))
	checkReportDOM(t, p, rep2)
	if countSyncs(rep2, "unfinished") == 0 {
		t.Errorf("restart-mid: the analysis finds no unfinished sync")
	}
	if len(rep2.Changes) > 0 {
		var changes int
		p.mustEval(`document.querySelectorAll("#timeline svg rect.change").length`, &changes)
		if changes != len(rep2.Changes) {
			t.Errorf("restart-mid: %d change marks on the timeline, report has %d changes", changes, len(rep2.Changes))
		}
	}
	if s := shotPath("serve-restart-timeline.png"); s != "" {
		p.mustEval(`document.getElementById("timeline").scrollIntoView(), true`, nil)
		p.screenshot(s, false)
	}
}

// testOpensReportFile opens a generated report file over file://.
func testOpensReportFile(t *testing.T, b *cdpBrowser) {
	rep := analyzeBytes(t, "exchange-errors.zip", readSample(t, "exchange-errors"))
	path := filepath.Join(t.TempDir(), "exchange-errors.zip.exlog.html")
	var html bytes.Buffer
	if err := output.HTML(&html, rep, output.Options{Title: "exchange-errors.zip"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, html.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	p := b.newPage(t, 1366, 900)
	p.navigate("file://" + path)
	checkReportDOM(t, p, rep)
	// The file's own CSP admits its inline style and script by hash and
	// nothing else: both must be in effect, and nothing may be fetched.
	var st struct {
		ScriptRan bool
		Styled    bool
		Fetched   int
	}
	p.mustEval(`({
		scriptRan: document.documentElement.classList.contains("js"),
		styled: getComputedStyle(document.querySelector(".state-badge")).backgroundColor !== "rgba(0, 0, 0, 0)",
		fetched: performance.getEntriesByType("resource").length,
	})`, &st)
	if !st.ScriptRan || !st.Styled || st.Fetched != 0 {
		t.Errorf("report file: inline script ran %v, inline style applied %v, resources fetched %d", st.ScriptRan, st.Styled, st.Fetched)
	}
	// Laptop and narrow windows: long origins and commands wrap, the
	// page never scrolls sideways. Printing hides the navigation.
	for _, width := range []int{1366, 900} {
		p.must("Emulation.setDeviceMetricsOverride", map[string]any{"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": false})
		var sw, cw int
		p.mustEval(`document.documentElement.scrollWidth`, &sw)
		p.mustEval(`document.documentElement.clientWidth`, &cw)
		if sw > cw {
			var wide []string
			p.mustEval(`[...document.querySelectorAll(".exlog-report *")].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(-4).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))`, &wide)
			t.Errorf("at %d px the page scrolls sideways: content %d px wide; too wide: %v", width, sw, wide)
		}
	}
	p.must("Emulation.setDeviceMetricsOverride", map[string]any{"width": 1366, "height": 900, "deviceScaleFactor": 1, "mobile": false})
	p.must("Emulation.setEmulatedMedia", map[string]any{"media": "print"})
	var tocDisplay string
	p.mustEval(`getComputedStyle(document.querySelector(".toc")).display`, &tocDisplay)
	if tocDisplay != "none" {
		t.Errorf("printed, the navigation still shows (display %q)", tocDisplay)
	}
	p.must("Emulation.setEmulatedMedia", map[string]any{"media": ""})
	var opened int
	p.mustEval(`document.querySelector(".toggle-all").click(), document.querySelectorAll("details.evidence[open]").length`, &opened)
	if opened == 0 {
		t.Errorf("'Expand all evidence' opened nothing")
	}
	if s := shotPath("file-report.png"); s != "" {
		p.mustEval(`document.querySelector(".toggle-all").click(), window.scrollTo(0, 0), true`, nil)
		p.screenshot(s, false)
		p.screenshot(shotPath("file-report-full.png"), true)
	}
}

// testLogTextIsNotMarkup puts HTML in a trace message and checks
// both views show it as text and run none of it.
func testLogTextIsNotMarkup(t *testing.T, b *cdpBrowser) {
	data := withHostileMessage(t)
	rep := analyzeBytes(t, "hostile.zip", data)
	carried := false
	for _, f := range rep.Findings {
		for _, e := range f.Evidence {
			carried = carried || strings.Contains(e.Text, xssPayload)
		}
	}
	if !carried {
		t.Fatalf("no finding's evidence carries the message with HTML; findings: %v", findingIDs(rep))
	}
	var html bytes.Buffer
	if err := output.HTML(&html, rep, output.Options{Title: "hostile.zip"}); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(html.Bytes(), []byte("<script>alert")) || bytes.Contains(html.Bytes(), []byte("<img")) {
		t.Errorf("the HTML file contains the log's markup unescaped")
	}
	t.Run("file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "hostile.html")
		if err := os.WriteFile(path, html.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		p := b.newPage(t, 1366, 900)
		p.navigate("file://" + path)
		checkNoScriptRan(t, p)
		if s := shotPath("file-hostile-evidence.png"); s != "" {
			p.mustEval(`(() => { document.querySelectorAll("details.evidence").forEach(d => d.open = true);
				const e = [...document.querySelectorAll("pre.ev-text")].find(e => e.textContent.includes("<script>"));
				e.closest("article").scrollIntoView(); return true; })()`, nil)
			p.screenshot(s, false)
		}
	})
	t.Run("serve", func(t *testing.T) {
		srv := newTestServer(t, serveConfig{MaxUpload: 64 << 20, Loopback: true})
		p := b.newPage(t, 1366, 900)
		p.navigate(srv.URL + "/")
		dropFile(t, p, "hostile.zip", data)
		p.waitFor(`document.body.dataset.reportReady === "1"`, 30*time.Second)
		checkNoScriptRan(t, p)
	})
}
