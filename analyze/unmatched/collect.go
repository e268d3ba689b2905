package unmatched

import (
	"sort"

	"exlog/event"
	"exlog/report"
)

// Limits of a Collector. Memory is bounded by MaxDistinct templates of at
// most MaxTemplateLen runes plus one example each.
const (
	// MaxDistinct is how many distinct templates are counted; messages of
	// further templates are counted as overflow only.
	MaxDistinct = 1000
	// MaxListed is how many templates the report lists (the most frequent).
	MaxListed = 20
	// maxExampleLen bounds the example text kept per template (bytes).
	maxExampleLen = 500
)

// Collector counts unmatched messages by template. Not safe for
// concurrent use: the analyzer feeds it from its merge loop.
type Collector struct {
	byKey    map[key]*entry
	order    int
	events   int // every message added
	overflow int // messages of templates beyond MaxDistinct
}

type key struct {
	typ  event.Type
	tmpl string
}

type entry struct {
	t     report.Template
	first int // arrival order, to break count ties stably
}

// NewCollector returns an empty collector.
func NewCollector() *Collector { return &Collector{byKey: map[key]*entry{}} }

// Wanted reports whether events of type t are collected: Critical, Error
// and Warning.
func Wanted(t event.Type) bool {
	return t == event.Critical || t == event.Error || t == event.Warning
}

// Add counts e under its template (the caller has decided that nothing
// explained it). Events of other types than Wanted ones are ignored. e is
// not retained.
func (c *Collector) Add(e *event.Event) {
	if !Wanted(e.Type) {
		return
	}
	c.events++
	k := key{e.Type, Template(e.Message)}
	if en := c.byKey[k]; en != nil {
		en.t.Count++
		seen(&en.t, e)
		return
	}
	if len(c.byKey) >= MaxDistinct {
		c.overflow++
		return
	}
	ex := e.Message
	if len(ex) > maxExampleLen {
		ex = cutBytes(ex, maxExampleLen)
	}
	c.order++
	en := &entry{first: c.order, t: report.Template{
		Template: k.tmpl, Count: 1, Type: e.Type.String(), Example: ex, Origin: e.Origin.String(),
	}}
	seen(&en.t, e)
	c.byKey[k] = en
}

// seen widens t's first and last times to e's, or counts e as undated.
func seen(t *report.Template, e *event.Event) {
	if e.Time.IsZero() || e.TimeZone() == event.ZoneUnknown {
		t.Undated++
		return
	}
	first, last := e.Time.UTC(), e.Time.UTC() // two variables: First and Last must not share one
	if t.First == nil || first.Before(*t.First) {
		t.First = &first
	}
	if t.Last == nil || last.After(*t.Last) {
		t.Last = &last
	}
}

func cutBytes(s string, n int) string {
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// Summary is what a collector saw in total.
type Summary struct {
	Events    int // unmatched messages counted
	Templates int // distinct templates (at most MaxDistinct)
	Overflow  int // messages whose template was not counted (beyond MaxDistinct)
}

// Finish returns the most frequent templates (at most MaxListed; by count,
// then first appearance) and the totals.
func (c *Collector) Finish() ([]report.Template, Summary) {
	all := make([]*entry, 0, len(c.byKey))
	for _, en := range c.byKey {
		all = append(all, en)
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.t.Count != b.t.Count {
			return a.t.Count > b.t.Count
		}
		return a.first < b.first
	})
	if len(all) > MaxListed {
		all = all[:MaxListed]
	}
	out := make([]report.Template, len(all))
	for i, en := range all {
		out[i] = en.t
	}
	return out, Summary{Events: c.events, Templates: len(c.byKey), Overflow: c.overflow}
}
