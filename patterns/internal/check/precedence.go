package check

import (
	"fmt"
	"sort"
	"strings"

	"exlog/patterns/internal/rule"
	psyntax "exlog/patterns/internal/syntax"
)

// Precedence checks the explains clauses of the patterns in force
// together: every named id must exist (known holds ids that exist
// outside this set, e.g. the embedded library when one directory is
// linted on its own; nil means none), neither side may be an absence
// rule (it has no evidence to share), and the explains graph must have
// no cycle (A explains B explains A would leave the evidence to no one).
func Precedence(pats []*rule.Pattern, known map[string]bool) psyntax.Problems {
	var probs psyntax.Problems
	byID := make(map[string]*rule.Pattern, len(pats))
	var ids []string
	for _, p := range pats {
		byID[p.ID] = p
		ids = append(ids, p.ID)
	}
	errAt := func(p *rule.Pattern, i int, hint, format string, args ...any) {
		at := rule.Pos{Line: p.Line, Col: p.Col}
		if i >= 0 && i < len(p.ExplainsAt) {
			at = p.ExplainsAt[i]
		}
		probs = append(probs, psyntax.Problem{File: p.File, Line: at.Line, Col: at.Col, Msg: fmt.Sprintf(format, args...), Hint: hint})
	}
	for _, p := range pats {
		if len(p.Explains) > 0 && p.Kind == rule.Absence {
			errAt(p, 0, "only match rules have evidence to explain; remove explains", "pattern %s is an expect (absence) rule and cannot explain others", p.ID)
			continue
		}
		for i, id := range p.Explains {
			q, ok := byID[id]
			switch {
			case !ok && known[id]:
				// exists in a layer not loaded here
			case !ok:
				hint := "explains names the id of another pattern in force"
				cands := append([]string(nil), ids...)
				for k := range known {
					cands = append(cands, k)
				}
				sort.Strings(cands)
				if s := psyntax.Suggest(id, cands); s != "" {
					hint = fmt.Sprintf("did you mean %q?", s)
				}
				errAt(p, i, hint, "explains unknown pattern %q", id)
			case q.Kind == rule.Absence:
				errAt(p, i, "an expect (absence) rule has no evidence to take away; remove it from explains", "pattern %s explains %s, an expect (absence) rule", p.ID, id)
			}
		}
	}
	// Cycles: depth-first search, reported once per cycle at the edge
	// that closes it.
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	reported := map[string]bool{}
	var stack []string
	var visit func(id string)
	visit = func(id string) {
		color[id] = grey
		stack = append(stack, id)
		p := byID[id]
		for i, next := range p.Explains {
			if _, ok := byID[next]; !ok {
				continue
			}
			switch color[next] {
			case white:
				visit(next)
			case grey:
				j := len(stack) - 1
				for j > 0 && stack[j] != next {
					j--
				}
				cyc := append(append([]string(nil), stack[j:]...), next)
				key := canonicalCycle(cyc[:len(cyc)-1])
				if !reported[key] {
					reported[key] = true
					errAt(p, i, "one pattern must be the root cause: remove explains from one of them",
						"explains cycle: %s", strings.Join(cyc, " explains "))
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[id] = black
	}
	sort.Strings(ids)
	for _, id := range ids {
		if color[id] == white {
			visit(id)
		}
	}
	return probs.Sort()
}

// canonicalCycle names a cycle independently of where it was entered.
func canonicalCycle(ids []string) string {
	min := 0
	for i := range ids {
		if ids[i] < ids[min] {
			min = i
		}
	}
	return strings.Join(append(append([]string(nil), ids[min:]...), ids[:min]...), ",")
}
