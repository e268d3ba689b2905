// Package diff compares two exlog.report/v1 documents: the before/after
// view of a fix (exlog diff) and the semantic summary the golden tests
// print when a sample's report changes. It reads finished reports only.
package diff

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"exlog/report"
)

// Schema names the JSON document Result marshals to.
const Schema = "exlog.diff/v1"

// Finding is one finding instance (id + key) that appeared, disappeared
// or changed (count, severity or title) between the two reports.
type Finding struct {
	ID          string          `json:"id"`
	Key         string          `json:"key,omitempty"`
	Title       string          `json:"title"`
	Severity    report.Severity `json:"severity"`               // in the new report (old one if it disappeared)
	OldSeverity report.Severity `json:"old_severity,omitempty"` // set when it changed
	OldTitle    string          `json:"old_title,omitempty"`    // set when it changed
	Old         int             `json:"old_count"`
	New         int             `json:"new_count"`
}

// Template is an unmatched-message template whose count changed.
type Template struct {
	Type     string `json:"type"`
	Template string `json:"template"`
	Old      int    `json:"old_count"`
	New      int    `json:"new_count"`
}

// Cadence is what the sync sessions of one report say about the schedule.
// Pointers are nil when the report cannot tell (fewer than two quick
// syncs, no covered window...).
type Cadence struct {
	FullSyncs        int      `json:"full_syncs"`
	QuickSyncs       int      `json:"quick_syncs"`
	Failed           int      `json:"failed"`
	Unfinished       int      `json:"unfinished"`
	QuickIntervalS   *float64 `json:"quick_interval_median_s"` // between consecutive quick-sync starts
	FullPerDay       *float64 `json:"full_syncs_per_day"`      // completed full syncs per covered day
	FullDurationS    *float64 `json:"full_duration_median_s"`  // completed full syncs
	QuickDurationS   *float64 `json:"quick_duration_median_s"` // completed quick syncs
	CoveredS         *float64 `json:"covered_s"`
	LastFullSyncAgeS *float64 `json:"last_full_sync_age_s"`
	Verdict          string   `json:"verdict,omitempty"`
}

// Result is the comparison of Old and New.
type Result struct {
	Schema      string     `json:"schema"`
	Old         string     `json:"old"`
	New         string     `json:"new"`
	Appeared    []Finding  `json:"appeared"`
	Disappeared []Finding  `json:"disappeared"`
	Changed     []Finding  `json:"changed"`
	Unchanged   int        `json:"unchanged"`
	OldCadence  Cadence    `json:"old_syncs"`
	NewCadence  Cadence    `json:"new_syncs"`
	Unmatched   []Template `json:"unmatched_changed"`
}

type fkey struct{ id, key string }

// Compare compares old with new; oldName and newName label them.
func Compare(oldName string, old *report.Report, newName string, new *report.Report) *Result {
	r := &Result{Schema: Schema, Old: oldName, New: newName,
		Appeared: []Finding{}, Disappeared: []Finding{}, Changed: []Finding{}, Unmatched: []Template{}}
	before := map[fkey]report.Finding{}
	for _, f := range old.Findings {
		k := fkey{f.ID, f.Key}
		if p, ok := before[k]; ok { // defensive: duplicates add up
			f.Count += p.Count
		}
		before[k] = f
	}
	seen := map[fkey]bool{}
	for _, f := range new.Findings {
		k := fkey{f.ID, f.Key}
		if seen[k] {
			continue
		}
		seen[k] = true
		p, ok := before[k]
		switch {
		case !ok:
			r.Appeared = append(r.Appeared, Finding{ID: f.ID, Key: f.Key, Title: f.Title, Severity: f.Severity, New: f.Count})
		case p.Count != f.Count || p.Severity != f.Severity || p.Title != f.Title:
			c := Finding{ID: f.ID, Key: f.Key, Title: f.Title, Severity: f.Severity, Old: p.Count, New: f.Count}
			if p.Severity != f.Severity {
				c.OldSeverity = p.Severity
			}
			if p.Title != f.Title {
				c.OldTitle = p.Title
			}
			r.Changed = append(r.Changed, c)
		default:
			r.Unchanged++
		}
	}
	for k, p := range before {
		if !seen[k] {
			r.Disappeared = append(r.Disappeared, Finding{ID: p.ID, Key: p.Key, Title: p.Title, Severity: p.Severity, Old: p.Count})
		}
	}
	for _, l := range [][]Finding{r.Appeared, r.Disappeared, r.Changed} {
		sortFindings(l)
	}
	r.OldCadence = cadence(old)
	r.NewCadence = cadence(new)
	r.Unmatched = templates(old.Unmatched, new.Unmatched)
	return r
}

func sortFindings(l []Finding) {
	sort.Slice(l, func(i, j int) bool {
		if l[i].Severity != l[j].Severity {
			return l[i].Severity > l[j].Severity
		}
		if l[i].ID != l[j].ID {
			return l[i].ID < l[j].ID
		}
		return l[i].Key < l[j].Key
	})
}

func templates(old, new []report.Template) []Template {
	type tk struct{ typ, t string }
	counts := map[tk]*Template{}
	var order []tk
	get := func(u report.Template) *Template {
		k := tk{u.Type, u.Template}
		if counts[k] == nil {
			counts[k] = &Template{Type: u.Type, Template: u.Template}
			order = append(order, k)
		}
		return counts[k]
	}
	for _, u := range old {
		get(u).Old += u.Count
	}
	for _, u := range new {
		get(u).New += u.Count
	}
	out := []Template{}
	for _, k := range order {
		if t := counts[k]; t.Old != t.New {
			out = append(out, *t)
		}
	}
	return out
}

// Empty reports whether nothing about the findings or unmatched messages changed.
func (r *Result) Empty() bool {
	return len(r.Appeared)+len(r.Disappeared)+len(r.Changed)+len(r.Unmatched) == 0
}

func cadence(rep *report.Report) Cadence {
	var c Cadence
	var quickStarts []time.Time
	var fullDur, quickDur []float64
	completedFull := 0
	for _, s := range rep.Syncs {
		switch s.Status {
		case "failed":
			c.Failed++
		case "unfinished":
			c.Unfinished++
		}
		if s.Kind == "full" {
			c.FullSyncs++
			if s.Status == "completed" {
				completedFull++
				if s.DurationS != nil {
					fullDur = append(fullDur, *s.DurationS)
				}
			}
			continue
		}
		c.QuickSyncs++
		quickStarts = append(quickStarts, s.Start)
		if s.Status == "completed" && s.DurationS != nil {
			quickDur = append(quickDur, *s.DurationS)
		}
	}
	sort.Slice(quickStarts, func(i, j int) bool { return quickStarts[i].Before(quickStarts[j]) })
	var gaps []float64
	for i := 1; i < len(quickStarts); i++ {
		gaps = append(gaps, quickStarts[i].Sub(quickStarts[i-1]).Seconds())
	}
	c.QuickIntervalS = median(gaps)
	c.FullDurationS = median(fullDur)
	c.QuickDurationS = median(quickDur)
	if cov := rep.Summary.Covered; cov != nil && cov.DurationS > 0 {
		d := cov.DurationS
		c.CoveredS = &d
		if cov.DurationS >= 12*3600 {
			v := float64(completedFull) / (cov.DurationS / 86400)
			v = math.Round(v*100) / 100
			c.FullPerDay = &v
		}
	}
	if v := rep.Verdict; v != nil {
		c.Verdict = string(v.State)
		c.LastFullSyncAgeS = v.LastFullSyncAgeS
	}
	return c
}

func median(v []float64) *float64 {
	if len(v) == 0 {
		return nil
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return &m
}

// FindingLines is the findings part of the comparison, one line per
// change ("+ appeared", "- disappeared", "~ changed"), at most max lines
// (0: all). The golden tests print it before their line diff.
func (r *Result) FindingLines(max int) []string {
	var out []string
	name := func(f Finding) string {
		if f.Key != "" {
			return fmt.Sprintf("%s [%s]", f.ID, f.Key)
		}
		return f.ID
	}
	for _, f := range r.Appeared {
		out = append(out, fmt.Sprintf("+ %s %s appeared: %d× — %s", f.Severity, name(f), f.New, f.Title))
	}
	for _, f := range r.Disappeared {
		out = append(out, fmt.Sprintf("- %s %s disappeared (was %d×) — %s", f.Severity, name(f), f.Old, f.Title))
	}
	for _, f := range r.Changed {
		sev := f.Severity.String()
		if f.OldSeverity != report.SeverityInvalid {
			sev = f.OldSeverity.String() + "→" + sev
		}
		line := fmt.Sprintf("~ %s %s count %d → %d — %s", sev, name(f), f.Old, f.New, f.Title)
		if f.OldTitle != "" {
			line += fmt.Sprintf(" (was: %s)", f.OldTitle)
		}
		out = append(out, line)
	}
	for _, t := range r.Unmatched {
		out = append(out, fmt.Sprintf("~ unmatched %s %q count %d → %d", t.Type, t.Template, t.Old, t.New))
	}
	if max > 0 && len(out) > max {
		out = append(out[:max], fmt.Sprintf("… %d more", len(out)-max))
	}
	return out
}

// WriteText prints the comparison for a person.
func (r *Result) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "exlog diff: %s → %s\n", r.Old, r.New)
	fmt.Fprintf(&b, "\nFINDINGS: %d appeared, %d disappeared, %d changed, %d unchanged\n",
		len(r.Appeared), len(r.Disappeared), len(r.Changed), r.Unchanged)
	for _, l := range r.FindingLines(0) {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	o, n := r.OldCadence, r.NewCadence
	b.WriteString("\nSYNCS                          before        after\n")
	row := func(label, a, c string) {
		mark := ""
		if a != c {
			mark = "  *"
		}
		fmt.Fprintf(&b, "  %-28s %-13s %-13s%s\n", label, a, c, mark)
	}
	if o.Verdict != "" || n.Verdict != "" {
		row("verdict", dash(o.Verdict), dash(n.Verdict))
	}
	row("full syncs", fmt.Sprint(o.FullSyncs), fmt.Sprint(n.FullSyncs))
	row("quick syncs", fmt.Sprint(o.QuickSyncs), fmt.Sprint(n.QuickSyncs))
	row("failed", fmt.Sprint(o.Failed), fmt.Sprint(n.Failed))
	row("unfinished", fmt.Sprint(o.Unfinished), fmt.Sprint(n.Unfinished))
	row("full syncs per day", num(o.FullPerDay), num(n.FullPerDay))
	row("quick interval (median)", dur(o.QuickIntervalS), dur(n.QuickIntervalS))
	row("full sync duration (median)", dur(o.FullDurationS), dur(n.FullDurationS))
	row("quick sync duration (median)", dur(o.QuickDurationS), dur(n.QuickDurationS))
	row("logs cover", dur(o.CoveredS), dur(n.CoveredS))
	row("last full sync before end", dur(o.LastFullSyncAgeS), dur(n.LastFullSyncAgeS))
	_, err := io.WriteString(w, b.String())
	return err
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func num(p *float64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f", *p)
}

// dur is a duration in seconds in the one style of every report
// (report.FormatDuration: 8h, 47h56m, 2d 3h).
func dur(p *float64) string {
	if p == nil {
		return "-"
	}
	return report.FormatDuration(time.Duration(*p * float64(time.Second)))
}
