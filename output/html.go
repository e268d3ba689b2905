package output

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"exlog/internal/words"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"sort"
	"strings"
	"time"

	"exlog/report"
)

// The HTML report is one self-contained file: the template, stylesheet
// and script below are embedded in the binary and inlined into the
// document, which loads nothing from the network. Log text is untrusted:
// every value goes through html/template, and the document carries a
// Content-Security-Policy that allows only its own inline style and
// script (by hash), so even a mistake in escaping could not run a script.

//go:embed htmlassets
var htmlFS embed.FS

// Assets serves the files the drag-and-drop page loads from its own
// origin: report.css, report.js (the report's behaviour, shared with the
// file), serve.js and serve.html. Read-only; safe for concurrent use.
var Assets fs.FS = mustSub(htmlFS, "htmlassets")

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}

func mustRead(name string) string {
	b, err := fs.ReadFile(Assets, name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

var (
	reportCSS = mustRead("report.css")
	reportJS  = mustRead("report.js")
	htmlTmpl  = template.Must(template.New("report.tmpl").Funcs(htmlFuncs).ParseFS(Assets, "report.tmpl"))
	// fileCSP is the policy of the standalone file: nothing but its own
	// inline style and script.
	fileCSP = "default-src 'none'; style-src " + cspHash(reportCSS) + "; script-src " + cspHash(reportJS) +
		"; img-src data:; base-uri 'none'; form-action 'none'"
)

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// HTML writes the report as one self-contained HTML document.
func HTML(w io.Writer, r *report.Report, opt Options) error {
	v := newHTMLView(r, opt)
	doc := struct {
		*htmlView
		CSS template.CSS
		JS  template.JS
		CSP string
	}{v, template.CSS(reportCSS), template.JS(reportJS), fileCSP}
	return execTemplate(w, "doc", doc)
}

// HTMLFragment writes the report body only (one <div class="exlog-report">),
// for a page that already carries report.css and report.js from Assets —
// the drag-and-drop page. It shows the same content as HTML.
func HTMLFragment(w io.Writer, r *report.Report, opt Options) error {
	return execTemplate(w, "body", newHTMLView(r, opt))
}

func execTemplate(w io.Writer, name string, data any) error {
	// Render to memory first so a template error never leaves half a
	// document behind; reports are small (evidence is capped).
	var buf bytes.Buffer
	if err := htmlTmpl.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

var htmlFuncs = template.FuncMap{
	"over":      isOver,
	"time":      func(t *time.Time) string { return fmtTime(t) },
	"timev":     func(t time.Time) string { return fmtTime(&t) },
	"iso":       isoTime,
	"isov":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"thousands": words.Thousands,
	"plural":    words.Count,
	"upper":     strings.ToUpper,
	"local":     localClock,
	"origin":    evidenceOrigin,
	"bytes":     humanSize,
	"durs":      func(s float64) string { return report.FormatDuration(time.Duration(s * float64(time.Second))) },
	"durp":      durPtr,
	"intp":      intPtr,
	"boolp":     boolPtr,
	"counts":    sortedCounts,
	"typewords": typesWords,
	"join":      strings.Join,
	"add1":      func(y float64) float64 { return y + 14 },
}

func isoTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func durPtr(s *float64) string {
	if s == nil {
		return "-"
	}
	return report.FormatDuration(time.Duration(*s * float64(time.Second)))
}

func intPtr(p *int) string {
	if p == nil {
		return "-"
	}
	return words.Thousands(*p)
}

func boolPtr(p *bool) string {
	switch {
	case p == nil:
		return "-"
	case *p:
		return "yes"
	}
	return "no"
}

func humanSize(n int64) string {
	switch {
	case n < 0:
		return "-"
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

type countRow struct {
	Name  string
	Count int
}

func sortedCounts(m map[string]int) []countRow {
	rows := make([]countRow, 0, len(m))
	for k, v := range m {
		rows = append(rows, countRow{k, v})
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Count != rows[j].Count {
			return rows[i].Count > rows[j].Count
		}
		return rows[i].Name < rows[j].Name
	})
	return rows
}

// htmlView is what the template reads: the report plus what is derived
// for display (verdict fallback, severity groups, timeline geometry).
type htmlView struct {
	R         *report.Report
	Title     string
	Inputs    []report.Input // r.Inputs in natural path order
	Window    string
	Verdict   verdictView
	Timeline  *timelineView
	Groups    []sevGroup
	NotDone   []report.Sync // failed and unfinished syncs
	Full      int
	Quick     int
	Warnings  []report.InputWarning
	WarnTotal int
	Users     []report.UserProblem // capped
	UsersMore int
}

type verdictView struct {
	State     string // healthy | degraded | broken | unknown
	Headline  string
	Reasons   []string
	NextSteps []string
	Worst     []report.Finding
	LastFull  *time.Time
	LastAge   string
}

type sevGroup struct {
	Name     string // critical, error, warning, info
	Findings []report.Finding
}

func newHTMLView(r *report.Report, opt Options) *htmlView {
	v := &htmlView{R: r, Title: opt.Title, Inputs: naturalInputs(r.Inputs)}
	if v.Title == "" {
		v.Title = "bundle"
	}
	s := r.Summary
	// "covered" is the connector's trace window (issue 15.10): another
	// program's log or an older event-log export does not stretch it.
	v.Window = "no timed records"
	switch c := s.Covered; {
	case c != nil:
		v.Window = fmt.Sprintf("%s → %s (%s)", fmtTime(&c.Start), fmtTime(&c.End), report.FormatDuration(c.End.Sub(c.Start)))
	case len(r.NotConnector) > 0:
		v.Window = "no record of the connector"
	case s.First != nil && s.Last != nil:
		v.Window = fmt.Sprintf("%s → %s (%s)", fmtTime(s.First), fmtTime(s.Last), report.FormatDuration(s.Last.Sub(*s.First)))
	}
	v.Verdict = buildVerdict(r)
	for _, sev := range []report.Severity{report.SeverityCritical, report.SeverityError, report.SeverityWarning, report.SeverityInfo} {
		g := sevGroup{Name: sev.String()}
		for _, f := range r.Findings {
			if f.Severity == sev {
				g.Findings = append(g.Findings, f)
			}
		}
		if len(g.Findings) > 0 {
			v.Groups = append(v.Groups, g)
		}
	}
	for _, sy := range r.Syncs {
		if sy.Kind == "full" {
			v.Full++
		} else {
			v.Quick++
		}
		if sy.Status != "completed" {
			v.NotDone = append(v.NotDone, sy)
		}
	}
	v.Timeline = buildTimeline(r)
	for _, in := range r.Inputs {
		v.WarnTotal += in.WarningsTotal
		for _, w := range in.Warnings {
			if len(v.Warnings) < 100 {
				v.Warnings = append(v.Warnings, w)
			}
		}
	}
	if inv := r.Inventory; inv != nil {
		const maxUsers = 200
		v.Users = inv.UsersWithProblems
		if len(v.Users) > maxUsers {
			v.UsersMore = len(v.Users) - maxUsers
			v.Users = v.Users[:maxUsers]
		}
	}
	return v
}

// buildVerdict takes the report's verdict, or derives a plain one from
// the findings for reports that carry none.
func buildVerdict(r *report.Report) verdictView {
	var vv verdictView
	for _, f := range r.Findings { // sorted by severity already
		if f.Severity >= report.SeverityWarning && len(vv.Worst) < 3 {
			vv.Worst = append(vv.Worst, f)
		}
	}
	if v := r.Verdict; v != nil {
		vv.State, vv.Reasons, vv.NextSteps, vv.LastFull = string(v.State), v.Reasons, v.NextSteps, v.LastFullSync
		if v.LastFullSyncAgeS != nil {
			vv.LastAge = report.FormatDuration(time.Duration(*v.LastFullSyncAgeS * float64(time.Second)))
		}
	} else {
		vv.State = "healthy"
		for _, f := range r.Findings {
			switch {
			case f.Severity >= report.SeverityError:
				vv.State = "broken"
			case f.Severity == report.SeverityWarning && vv.State == "healthy":
				vv.State = "degraded"
			}
		}
		for _, f := range vv.Worst {
			vv.Reasons = append(vv.Reasons, f.ID+": "+f.Title)
		}
		for i := len(r.Syncs) - 1; i >= 0; i-- {
			if s := r.Syncs[i]; s.Kind == "full" && s.Status == "completed" && s.End != nil {
				vv.LastFull = s.End
				break
			}
		}
		if vv.LastFull != nil && r.Summary.Last != nil {
			vv.LastAge = report.FormatDuration(r.Summary.Last.Sub(*vv.LastFull))
		}
	}
	switch report.VerdictState(vv.State) {
	case report.StateHealthy, report.StateDegraded, report.StateBroken:
	default:
		vv.State = "unknown"
	}
	vv.Headline = Headline(report.VerdictState(vv.State))
	return vv
}

// The sync timeline is an inline SVG drawn in a 1000-unit-wide viewBox;
// geometry is computed here so the template only places shapes.
const (
	tlWidth       = 1000.0
	tlLeft        = 64.0 // room for lane labels
	tlRight       = 8.0
	tlLaneH       = 26.0
	tlTop         = 8.0
	tlMinW        = 4   // narrowest mark still visible
	tlUnfinishedW = 12  // an open mark: the sync has no end in the logs
	tlMaxGrid     = 400 // grid lines per lane, beyond which the grid is dropped
)

type timelineView struct {
	Start, End time.Time
	Height     float64
	AxisY      float64
	Lanes      []tlLane
	Marks      []tlMark
	Gaps       []tlBox
	Changes    []tlMark
	Ticks      []tlTick
	Grid       []tlLine
	Cadence    string // describes the faint grid
	ChangeLane bool
	Unfinished int
	Failed     int
}

type tlLane struct {
	Label string
	Y, H  float64
	TextY float64
}

type tlMark struct {
	X, Y, W, H float64
	Class      string
	Title      string
}

type tlBox struct {
	X, Y, W, H float64
	Title      string
}

type tlTick struct {
	X      float64
	Label  string
	Major  bool
	Anchor string // text-anchor: labels near an edge stay inside the drawing
}

type tlLine struct {
	X, Y1, Y2 float64
	Class     string
}

// window is the covered window the timeline spans: the trace inputs'
// first and last records (event logs often reach much further back),
// widened to include every sync; the summary's window if no trace.
func timelineWindow(r *report.Report) (time.Time, time.Time, bool) {
	var start, end time.Time
	widen := func(t time.Time) {
		if start.IsZero() || t.Before(start) {
			start = t
		}
		if t.After(end) {
			end = t
		}
	}
	for _, in := range r.Inputs {
		if in.Format == "trace" && in.First != nil && in.Last != nil {
			widen(*in.First)
			widen(*in.Last)
		}
	}
	if start.IsZero() && r.Summary.First != nil && r.Summary.Last != nil {
		widen(*r.Summary.First)
		widen(*r.Summary.Last)
	}
	for _, s := range r.Syncs {
		widen(s.Start)
		if s.End != nil {
			widen(*s.End)
		}
	}
	if start.IsZero() || !end.After(start) {
		return start, end, false
	}
	return start, end, true
}

func buildTimeline(r *report.Report) *timelineView {
	start, end, ok := timelineWindow(r)
	if !ok || (len(r.Syncs) == 0 && len(r.Summary.Gaps) == 0) {
		return nil
	}
	tv := &timelineView{Start: start, End: end}
	span := end.Sub(start).Seconds()
	x := func(t time.Time) float64 {
		f := t.Sub(start).Seconds() / span
		f = min(max(f, 0), 1)
		return tlLeft + f*(tlWidth-tlLeft-tlRight)
	}
	full := tlLane{Label: "full", Y: tlTop, H: tlLaneH}
	quick := tlLane{Label: "quick", Y: tlTop + tlLaneH + 8, H: tlLaneH}
	tv.Lanes = []tlLane{full, quick}
	bottom := quick.Y + quick.H
	zoned := 0 // changes of unknown zone have no place on the UTC line
	for _, c := range r.Changes {
		if c.ZoneKnown() {
			zoned++
		}
	}
	if zoned > 0 {
		tv.ChangeLane = true
		ch := tlLane{Label: "changes", Y: bottom + 8, H: 18}
		tv.Lanes = append(tv.Lanes, ch)
		bottom = ch.Y + ch.H
	}
	for i := range tv.Lanes {
		tv.Lanes[i].TextY = tv.Lanes[i].Y + tv.Lanes[i].H/2 + 4
	}
	tv.AxisY = bottom + 4
	tv.Height = tv.AxisY + 20

	// Expected cadence: full syncs every 24 h, anchored on a full sync;
	// quick syncs at the observed median interval, anchored on the first.
	var fullAnchor, quickFirst time.Time
	var quickStarts []time.Time
	anchorDone := false // anchored on a completed full sync
	for _, s := range r.Syncs {
		switch {
		case s.Kind != "full":
			quickStarts = append(quickStarts, s.Start)
		case fullAnchor.IsZero() || (!anchorDone && s.Status == "completed"):
			fullAnchor, anchorDone = s.Start, s.Status == "completed"
		}
	}
	var cadence []string
	if !fullAnchor.IsZero() {
		tv.Grid = append(tv.Grid, gridLines(fullAnchor, 24*time.Hour, start, end, x, full.Y, full.Y+full.H)...)
		cadence = append(cadence, "full every 24h")
	}
	if len(quickStarts) >= 3 {
		sort.Slice(quickStarts, func(i, j int) bool { return quickStarts[i].Before(quickStarts[j]) })
		quickFirst = quickStarts[0]
		var d []time.Duration
		for i := 1; i < len(quickStarts); i++ {
			d = append(d, quickStarts[i].Sub(quickStarts[i-1]))
		}
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		if med := d[len(d)/2]; med >= time.Minute {
			tv.Grid = append(tv.Grid, gridLines(quickFirst, med, start, end, x, quick.Y, quick.Y+quick.H)...)
			cadence = append(cadence, "quick every "+report.FormatDuration(med)+" (observed median)")
		}
	}
	tv.Cadence = strings.Join(cadence, ", ")

	for _, s := range r.Syncs {
		lane := quick
		if s.Kind == "full" {
			lane = full
		}
		// An unfinished sync has no end: a fixed-width open mark at its
		// start, not a bar to the end of the window that would hide the
		// sessions after it.
		x0 := x(s.Start)
		w := float64(tlUnfinishedW)
		if s.End != nil {
			w = max(x(*s.End)-x0, tlMinW)
		}
		if x0+w > tlWidth-tlRight {
			x0 = tlWidth - tlRight - w
		}
		class := "sync " + string(s.Kind) + " " + string(s.Status)
		switch s.Status {
		case "failed":
			tv.Failed++
		case "unfinished":
			tv.Unfinished++
		}
		tv.Marks = append(tv.Marks, tlMark{X: x0, Y: lane.Y + 2, W: w, H: lane.H - 4, Class: class, Title: syncTitle(s)})
	}
	for _, g := range r.Summary.Gaps {
		x0, x1 := x(g.Start), x(g.End)
		title := fmt.Sprintf("Gap in the logs: no trace record for %s\n%s → %s", report.FormatDuration(g.End.Sub(g.Start)), fmtTime(&g.Start), fmtTime(&g.End))
		if g.AfterInput != "" {
			title += "\nlast record before it: " + g.AfterInput
		}
		tv.Gaps = append(tv.Gaps, tlBox{X: x0, Y: tlTop - 4, W: max(x1-x0, tlMinW), H: bottom - tlTop + 8, Title: title})
	}
	if tv.ChangeLane {
		ch := tv.Lanes[len(tv.Lanes)-1]
		for _, c := range r.Changes {
			if !c.ZoneKnown() {
				continue // no zone: no place on the UTC time line
			}
			title := fmt.Sprintf("%s %s\n%s", c.Kind, fmtTime(&c.Time), c.Text)
			if c.Origin != "" {
				title += "\n" + c.Origin
			}
			tv.Changes = append(tv.Changes, tlMark{X: x(c.Time) - 4, Y: ch.Y + 1, W: 8, H: ch.H - 2, Class: "change " + c.Kind, Title: title})
		}
	}
	tv.Ticks = ticks(start, end, x)
	return tv
}

func gridLines(anchor time.Time, step time.Duration, start, end time.Time, x func(time.Time) float64, y1, y2 float64) []tlLine {
	if step <= 0 || end.Sub(start)/step > tlMaxGrid {
		return nil
	}
	t := anchor
	for t.After(start) {
		t = t.Add(-step)
	}
	var out []tlLine
	for ; !t.After(end); t = t.Add(step) {
		if t.Before(start) {
			continue
		}
		out = append(out, tlLine{X: x(t), Y1: y1 - 3, Y2: y2 + 3, Class: "cadence"})
	}
	return out
}

// ticks chooses a step giving at most about ten labelled ticks.
func ticks(start, end time.Time, x func(time.Time) float64) []tlTick {
	span := end.Sub(start)
	steps := []time.Duration{time.Minute * 10, time.Minute * 30, time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 48 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 28 * 24 * time.Hour}
	step := steps[len(steps)-1]
	for _, s := range steps {
		if span/s <= 10 {
			step = s
			break
		}
	}
	if span/step > 60 {
		return nil
	}
	t := start.UTC().Truncate(step)
	if t.Before(start) {
		t = t.Add(step)
	}
	var out []tlTick
	for ; !t.After(end); t = t.Add(step) {
		major := t.Hour() == 0 && t.Minute() == 0
		label := t.Format("15:04")
		switch {
		case major || step >= 24*time.Hour:
			label = t.Format("Jan 2")
		case len(out) == 0: // the first tick says which day
			label = t.Format("Jan 2 15:04")
		}
		tk := tlTick{X: x(t), Label: label, Major: major, Anchor: "middle"}
		if tk.X < tlLeft+40 {
			tk.Anchor = "start"
		} else if tk.X > tlWidth-tlRight-40 {
			tk.Anchor = "end"
		}
		out = append(out, tk)
	}
	return out
}

func syncTitle(s report.Sync) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s sync %s\nstart %s", s.Kind, s.Status, fmtTime(&s.Start))
	if s.End != nil {
		fmt.Fprintf(&b, "\nend %s (%s)", fmtTime(s.End), report.FormatDuration(s.End.Sub(s.Start)))
	} else {
		b.WriteString("\nno end in the logs")
	}
	if s.Users != nil {
		fmt.Fprintf(&b, "\n%s users", words.Thousands(*s.Users))
	}
	if s.DevicesSynced != nil {
		fmt.Fprintf(&b, ", %s devices synced", words.Thousands(*s.DevicesSynced))
	}
	if s.ExchangeHealth != "" {
		fmt.Fprintf(&b, "\nExchange health: %s", s.ExchangeHealth)
	}
	if s.Reason != "" {
		fmt.Fprintf(&b, "\n%s", oneLine(s.Reason, 200))
	}
	fmt.Fprintf(&b, "\n%s", s.Origin)
	return b.String()
}
