package output

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"exlog/report"
)

const hostile = `<script>alert(1)</script><img src=x onerror=alert(2)>"'&`

// hostileReport puts markup in every string a bundle can influence.
func hostileReport() *report.Report {
	t0 := time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC)
	t1 := t0.Add(48 * time.Hour)
	at := func(h float64) *time.Time { t := t0.Add(time.Duration(h * float64(time.Hour))); return &t }
	dur := 60.0
	users := 3
	off := int64(42)
	return &report.Report{
		Schema: report.Schema,
		Tool:   report.Tool{Name: "exlog", Version: "test"},
		Inputs: []report.Input{{Path: "b.zip!" + hostile, Format: "trace", Records: 10, First: &t0, Last: &t1,
			Warnings: []report.InputWarning{{Origin: hostile, Offset: &off, Kind: "garbage", Message: hostile}}, WarningsTotal: 1}},
		Skipped: []report.Skipped{{Path: hostile, Reason: hostile}},
		Summary: report.Summary{Records: 10, First: &t0, Last: &t1, Findings: map[string]int{"error": 1},
			Gaps: []report.Gap{{Start: *at(10), End: *at(16), DurationS: 6 * 3600, AfterInput: hostile}}},
		Syncs: []report.Sync{
			{Kind: "full", Start: *at(2), End: at(2.1), DurationS: &dur, Users: &users, Status: "completed", Origin: hostile, ExchangeHealth: hostile},
			{Kind: "quick", Start: *at(4), Status: "unfinished", Reason: hostile, Origin: hostile},
			{Kind: "quick", Start: *at(8), End: at(8.01), Status: "failed", Reason: hostile, Origin: hostile},
			{Kind: "quick", Start: *at(20), End: at(20.01), Status: "completed", Origin: hostile},
		},
		Findings: []report.Finding{{ID: "sync.failed", Key: hostile, Title: hostile, Severity: report.SeverityError, Category: "sync",
			Count: 7, First: at(8), Last: at(30), Remedy: hostile, Docs: "javascript:alert(3)", Ongoing: true,
			Evidence: []report.Evidence{{Origin: hostile, Offset: &off, Time: at(8), Text: hostile}}}},
		Inventory: &report.Inventory{Devices: 1, DevicesByAccessState: map[string]int{hostile: 1}, DevicesByReason: map[string]int{hostile: 1},
			DefaultAccessLevel: hostile, UsersWithProblems: []report.UserProblem{{User: hostile, Problems: []string{hostile}}}},
		Verdict:     &report.Verdict{State: hostile, Reasons: []string{hostile}, NextSteps: []string{hostile}},
		Environment: &report.Environment{Hosts: []string{hostile}, CASServers: []string{hostile}, EWSURL: hostile, TZOffsets: []string{hostile}, Notes: []string{hostile}},
		Changes:     []report.Change{{Time: *at(12), Kind: hostile, Text: hostile, Origin: hostile}},
		Collect:     []report.CollectItem{{What: hostile, Why: hostile, Command: hostile}},
		Unmatched:   []report.Template{{Template: hostile, Count: 2, Type: "error", Example: hostile, Origin: hostile}},
	}
}

func TestHTMLEscapesLogText(t *testing.T) {
	var b bytes.Buffer
	if err := HTML(&b, hostileReport(), Options{Title: hostile}); err != nil {
		t.Fatal(err)
	}
	doc := b.String()
	if n := strings.Count(doc, "<script"); n != 1 {
		t.Errorf("%d <script> elements, want only the report's own", n)
	}
	for _, bad := range []string{"<img", `href="javascript:`, `class="change ` + hostile} {
		if strings.Contains(doc, bad) {
			t.Errorf("document contains %q", bad)
		}
	}
	if !strings.Contains(doc, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the hostile text is not shown escaped")
	}
	if !strings.Contains(doc, `class="verdict state-unknown"`) {
		t.Errorf("an unknown verdict state is not mapped to 'unknown'")
	}
}

// TestHTMLPolicyHashesMatch: the file's CSP must admit exactly its own
// inline style and script, or a browser would show it unstyled and inert.
func TestHTMLPolicyHashesMatch(t *testing.T) {
	var b bytes.Buffer
	if err := HTML(&b, hostileReport(), Options{}); err != nil {
		t.Fatal(err)
	}
	doc := b.String()
	csp := regexp.MustCompile(`http-equiv="Content-Security-Policy" content="([^"]*)"`).FindStringSubmatch(doc)
	if csp == nil {
		t.Fatal("no Content-Security-Policy meta element")
	}
	policy := html.UnescapeString(csp[1])
	for _, m := range []struct{ tag, directive string }{{"style", "style-src"}, {"script", "script-src"}} {
		body := regexp.MustCompile(`(?s)<` + m.tag + `>(.*?)</` + m.tag + `>`).FindStringSubmatch(doc)
		if body == nil {
			t.Fatalf("no inline <%s>", m.tag)
		}
		sum := sha256.Sum256([]byte(body[1]))
		want := m.directive + " 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		if !strings.Contains(policy, want) {
			t.Errorf("policy %q lacks %q", policy, want)
		}
	}
	if !strings.Contains(policy, "default-src 'none'") {
		t.Errorf("policy %q does not default to none", policy)
	}
	if strings.Contains(doc, "http://") && !strings.Contains(doc, "http://www.w3.org/2000/svg") {
		t.Errorf("the document refers to an http:// resource")
	}
}

func TestHTMLTimelineGeometry(t *testing.T) {
	r := hostileReport()
	tv := buildTimeline(r)
	if tv == nil {
		t.Fatal("no timeline")
	}
	if len(tv.Marks) != len(r.Syncs) || len(tv.Gaps) != 1 || len(tv.Changes) != 1 {
		t.Fatalf("%d marks, %d gaps, %d changes", len(tv.Marks), len(tv.Gaps), len(tv.Changes))
	}
	for _, m := range tv.Marks {
		if m.X < tlLeft || m.X+m.W > tlWidth-tlRight+0.001 || m.W < tlMinW {
			t.Errorf("mark %q outside the drawing: x %.1f w %.1f", m.Class, m.X, m.W)
		}
	}
	// Marks are in time order left to right, at their start times.
	for i := 1; i < len(tv.Marks); i++ {
		if tv.Marks[i].X <= tv.Marks[i-1].X {
			t.Errorf("mark %d at %.1f is not right of mark %d at %.1f", i, tv.Marks[i].X, i-1, tv.Marks[i-1].X)
		}
	}
	g := tv.Gaps[0]
	wantX := tlLeft + 10.0/48*(tlWidth-tlLeft-tlRight)
	if d := g.X - wantX; d > 0.01 || d < -0.01 {
		t.Errorf("gap at x %.2f, want %.2f (10 h into 48 h)", g.X, wantX)
	}
	if len(tv.Ticks) == 0 || len(tv.Ticks) > 12 {
		t.Errorf("%d axis ticks", len(tv.Ticks))
	}
	if !strings.Contains(tv.Cadence, "full every 24h") {
		t.Errorf("cadence %q", tv.Cadence)
	}
}

func TestHTMLWithoutTimes(t *testing.T) {
	// A report of exports only: no window, no syncs, no verdict.
	r := &report.Report{Schema: report.Schema, Findings: []report.Finding{{ID: "access.default-not-allow", Title: "x", Severity: report.SeverityWarning, Count: 1}}}
	var b bytes.Buffer
	if err := HTML(&b, r, Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), `id="timeline"`) {
		t.Errorf("a timeline without a window")
	}
	if !strings.Contains(b.String(), "state-degraded") {
		t.Errorf("without a verdict, a warning should read as degraded")
	}
}

func BenchmarkHTML(b *testing.B) {
	r := hostileReport()
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := HTML(&buf, r, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}
