package patterns

import (
	"bytes"

	"exlog/event"
	"exlog/patterns/internal/rule"
)

// Explainer answers "does some pattern's condition match this event?",
// statelessly: no counting, windows or sequences, only the conditions
// (the when probe and, for sequences, the then probe) of every pattern in
// the library. The analyzer uses it to list the error messages the
// library does not know yet (report.Template).
//
// An Explainer is not safe for concurrent use: one per goroutine. It
// shares the library's compiled conditions, which are read-only.
type Explainer struct {
	probes []*rule.Probe
	ctx    rule.Ctx
}

// NewExplainer returns an explainer over every pattern in force.
func (l *Library) NewExplainer() *Explainer {
	x := &Explainer{}
	for _, p := range l.pats {
		for _, pr := range []*rule.Probe{p.rule.When, p.rule.Then} {
			if pr != nil {
				x.probes = append(x.probes, pr)
			}
		}
	}
	return x
}

// Explains reports whether any pattern's condition matches e. Probes with
// literals are skipped cheaply when the lower-cased message holds none of
// them. e is not retained.
func (x *Explainer) Explains(e *event.Event) bool {
	x.ctx.Reset(e)
	for _, pr := range x.probes {
		if pr.Literals != nil {
			folded := x.ctx.Folded()
			hit := false
			for _, l := range pr.Literals {
				if bytes.Contains(folded, []byte(l)) {
					hit = true
					break
				}
			}
			if !hit {
				continue
			}
		}
		x.ctx.Caps = x.ctx.Caps[:0]
		if pr.Cond.Match(&x.ctx) {
			return true
		}
	}
	return false
}
