// Package check validates parsed pattern files and compiles them into
// rule.Patterns. It reports every problem it finds (never only the
// first), each with file:line:col, a message and a hint; regexes,
// durations and names are checked and compiled here, once.
package check

import (
	"fmt"
	"net/url"
	"regexp"
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"
	"time"

	"exlog/event"
	"exlog/patterns/internal/rule"
	psyntax "exlog/patterns/internal/syntax"
	"exlog/report"

	"github.com/alecthomas/participle/v2/lexer"
)

// Compiled pairs a compiled pattern with its syntax tree (for printing).
type Compiled struct {
	Rule *rule.Pattern
	AST  *psyntax.Pattern
}

type fieldKind uint8

const (
	kString fieldKind = iota + 1
	kType
	kLevel
	kNumber
	kFormat
)

// Builtin fields of an event and their kinds.
var builtins = map[string]fieldKind{
	"message": kString, "source": kString, "host": kString, "process": kString, "activity": kString,
	"type": kType, "level": kLevel, "format": kFormat,
	"event_id": kNumber, "pid": kNumber, "tid": kNumber,
}

// Extracted-field names the readers are known to set (for "did you mean").
var knownExtracted = []string{
	event.FieldExceptionType, event.FieldExceptionMessage, event.FieldExceptionStack,
	event.FieldLogName, event.FieldProvider, event.FieldTaskCategory, event.FieldProcessName,
}

// Prefixes under which readers put extracted fields; any name under them
// is accepted.
var extractedPrefixes = []string{"exception.", "eventlog.", "data.", "process.", "field."}

// FieldNames lists the names a condition may use (for documentation).
func FieldNames() []string {
	var out []string
	for n := range builtins {
		out = append(out, n)
	}
	sort.Strings(out)
	return append(out, knownExtracted...)
}

var (
	idRe       = regexp.MustCompile(`^[a-z][a-z0-9]*(?:-[a-z0-9]+)*\.[a-z0-9]+(?:-[a-z0-9]+)*$`)
	categoryRe = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
)

type checker struct {
	file  string
	probs psyntax.Problems
	caps  map[string]bool
}

func (c *checker) errorf(pos lexer.Position, hint, format string, args ...any) {
	c.probs = append(c.probs, psyntax.Problem{File: c.file, Line: pos.Line, Col: pos.Column, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

func (c *checker) warnf(pos lexer.Position, hint, format string, args ...any) {
	c.probs = append(c.probs, psyntax.Problem{File: c.file, Line: pos.Line, Col: pos.Column, Msg: fmt.Sprintf(format, args...), Hint: hint, Warning: true})
}

// File checks and compiles every pattern of a parsed file. Patterns with
// errors are left out of the result; the problems (errors and warnings)
// are sorted. Duplicate ids inside the file are errors; duplicates across
// files are the loader's business.
func File(name string, res psyntax.Result) ([]Compiled, psyntax.Problems) {
	c := &checker{file: name}
	var out []Compiled
	seen := map[string]lexer.Position{}
	if res.File == nil {
		return nil, nil
	}
	for _, p := range res.File.Patterns {
		before := errCount(c.probs)
		r := c.pattern(p, res.Broken[p])
		for _, f := range res.Dropped {
			// A field before a wrong operator: wrong too? (c.caps are p's.)
			if f.Pos.Line >= p.Pos.Line && f.Pos.Line <= p.EndPos.Line {
				if _, ok := c.fieldKind(f.Name); !ok {
					c.errorf(f.Pos, c.fieldHint(f.Name), "unknown field %q%s", f.Name, didYouMean(c.fieldHint(f.Name)))
				}
			}
		}
		if first, dup := seen[p.ID]; dup {
			c.errorf(p.Pos, fmt.Sprintf("rename one of them; the first is at %s:%d:%d", name, first.Line, first.Column), "duplicate pattern id %q", p.ID)
			continue
		}
		seen[p.ID] = p.Pos
		if errCount(c.probs) == before && !res.Broken[p] {
			out = append(out, Compiled{Rule: r, AST: p})
		}
	}
	return out, c.probs.Sort()
}

func errCount(ps psyntax.Problems) int {
	n := 0
	for _, p := range ps {
		if !p.Warning {
			n++
		}
	}
	return n
}

func (c *checker) pattern(p *psyntax.Pattern, broken bool) *rule.Pattern {
	r := &rule.Pattern{ID: p.ID, File: c.file, Line: p.Pos.Line, Col: p.Pos.Column}
	idPos := p.Pos
	idPos.Column += len("pattern ")
	if !idRe.MatchString(p.ID) {
		hint := "ids are lower-case category.name with letters, digits and dashes, e.g. network.proxy-auth"
		if low := strings.ToLower(p.ID); low != p.ID && idRe.MatchString(low) {
			hint = fmt.Sprintf("did you mean %q?", low)
		}
		c.errorf(idPos, hint, "bad pattern id %q", p.ID)
	}
	if i := strings.IndexByte(p.ID, '.'); i > 0 {
		r.Category = p.ID[:i]
	}

	// Captures first: title, key and conditions may refer to them.
	c.caps = map[string]bool{}
	for _, cl := range p.Clauses {
		switch {
		case cl.Match != nil:
			c.collectCaptures(cl.Match.Cond)
			if cl.Match.Sequence != nil {
				c.collectCaptures(cl.Match.Sequence.Then)
			}
		case cl.Expect != nil:
			c.collectCaptures(cl.Expect.Cond)
		}
	}
	for n := range c.caps {
		r.Captures = append(r.Captures, n)
	}
	sort.Strings(r.Captures)

	first := map[string]lexer.Position{}
	once := func(kw string, pos lexer.Position) bool {
		if f, ok := first[kw]; ok {
			c.errorf(pos, fmt.Sprintf("remove one; the first is at line %d", f.Line), "%s given twice", kw)
			return false
		}
		first[kw] = pos
		return true
	}
	var titleText *psyntax.Text
	var ruleClause *psyntax.Clause
	var keyName *psyntax.Name
	var escalations []*psyntax.Escalation
	var examples []*psyntax.Example
	var remedyTexts []*psyntax.Text
	for _, cl := range p.Clauses {
		switch {
		case cl.Title != nil:
			if once("title", cl.Pos) {
				titleText = cl.Title
			}
		case cl.Severity != nil:
			if once("severity", cl.Pos) {
				s, ok := report.ParseSeverity(cl.Severity.Name)
				if !ok {
					c.errorf(cl.Severity.Pos, suggestHint(cl.Severity.Name, []string{"info", "warning", "error", "critical"}, "severity is one of info, warning, error, critical"), "unknown severity %q", cl.Severity.Name)
				}
				r.Severity = s
			}
		case cl.Category != nil:
			if once("category", cl.Pos) {
				if !categoryRe.MatchString(cl.Category.Name) {
					c.errorf(cl.Category.Pos, "categories are lower-case words such as network or sync", "bad category %q", cl.Category.Name)
				}
				r.Category = cl.Category.Name
			}
		case cl.Docs != nil:
			if once("docs", cl.Pos) {
				u, err := url.Parse(string(cl.Docs.Value))
				if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
					c.errorf(cl.Docs.Pos, `docs takes an absolute URL, e.g. "https://learn.microsoft.com/…"`, "docs is not an http(s) URL: %q", cl.Docs.Value)
				}
				r.Docs = string(cl.Docs.Value)
			}
		case cl.Remedy != nil:
			if once("remedy", cl.Pos) {
				var parts []string
				for _, t := range cl.Remedy {
					parts = append(parts, strings.TrimSpace(string(t.Value)))
				}
				r.Remedy = strings.Join(parts, " ")
				remedyTexts = cl.Remedy
			}
		case cl.Tags != nil:
			if once("tags", cl.Pos) {
				for _, t := range cl.Tags.Items {
					r.Tags = append(r.Tags, string(t.Value))
				}
			}
		case cl.Match != nil, cl.Expect != nil:
			if f, ok := first["rule"]; ok {
				c.errorf(cl.Pos, fmt.Sprintf("a pattern has one match or expect clause; the first is at line %d (combine conditions with or)", f.Line), "second rule clause")
				continue
			}
			first["rule"] = cl.Pos
			ruleClause = cl
		case cl.Key != nil:
			if once("key", cl.Pos) {
				keyName = cl.Key
			}
		case cl.Escalate != nil:
			escalations = append(escalations, cl.Escalate)
		case cl.Example != nil:
			examples = append(examples, cl.Example)
		case cl.Explains != nil:
			if once("explains", cl.Pos) {
				c.explains(r, cl.Explains)
			}
		}
	}

	// The rule.
	if ruleClause == nil {
		if !broken {
			c.errorf(p.Pos, `add e.g.: match message contains "text"`, "pattern %s has no match or expect clause", p.ID)
		}
	} else if m := ruleClause.Match; m != nil {
		r.When = c.probe(m.Cond)
		switch {
		case m.Threshold != nil:
			r.Kind = rule.Count
			r.MinCount = c.count(m.Threshold.Count)
			if m.Threshold.Within != nil {
				r.Within = c.duration(m.Threshold.Within)
			}
		case m.Sequence != nil:
			r.Kind = rule.Sequence
			r.Then = c.probe(m.Sequence.Then)
			r.Within = c.duration(m.Sequence.Within)
			if on := m.Sequence.On; on != nil {
				if on.Name != "activity" {
					c.fieldRef(on, "on")
				}
				r.SeqOn = on.Name
			}
		default:
			r.Kind = rule.Each
		}
	} else {
		e := ruleClause.Expect
		r.Kind = rule.Absence
		r.When = c.probe(e.Cond)
		r.Period = c.duration(e.Every)
	}

	// Required clauses.
	if !broken {
		if titleText == nil {
			c.errorf(p.Pos, `add: title "what is wrong, in a few words"`, "pattern %s has no title", p.ID)
		}
		if _, ok := first["severity"]; !ok {
			c.errorf(p.Pos, "add: severity info|warning|error|critical", "pattern %s has no severity", p.ID)
		}
		if r.Remedy == "" {
			c.errorf(p.Pos, `add: remedy "what the admin should do"`, "pattern %s has no remedy", p.ID)
		}
	}
	if titleText != nil {
		r.TitleText = string(titleText.Value)
		r.Title = c.template(titleText, r.Kind, "title")
	}
	for i, t := range remedyTexts {
		parts := c.template(t, r.Kind, "remedy")
		if i > 0 && len(parts) > 0 {
			r.RemedyParts = appendLit(r.RemedyParts, " ")
		}
		for _, pt := range parts {
			if pt.Field == "" {
				r.RemedyParts = appendLit(r.RemedyParts, pt.Lit)
			} else {
				r.RemedyParts = append(r.RemedyParts, pt)
			}
		}
	}
	if keyName != nil {
		if r.Kind == rule.Absence {
			c.errorf(keyName.Pos, "absence rules judge the whole covered window; remove key", "key cannot be used with expect")
		}
		c.fieldRef(keyName, "key")
		r.Key = keyName.Name
	}
	for _, e := range escalations {
		s, ok := report.ParseSeverity(e.Severity.Name)
		if !ok {
			c.errorf(e.Severity.Pos, suggestHint(e.Severity.Name, []string{"info", "warning", "error", "critical"}, "severity is one of info, warning, error, critical"), "unknown severity %q", e.Severity.Name)
			continue
		}
		if r.Severity != report.SeverityInvalid && s <= r.Severity {
			c.errorf(e.Severity.Pos, fmt.Sprintf("escalate to a severity above the pattern's %s", r.Severity), "escalation to %s does not raise the severity", s)
		}
		esc := rule.Escalation{Severity: s, Count: c.count(e.Count)}
		if e.Within != nil {
			esc.Within = c.duration(e.Within)
		}
		r.Escalate = append(r.Escalate, esc)
	}
	sort.SliceStable(r.Escalate, func(i, j int) bool { return r.Escalate[i].Severity < r.Escalate[j].Severity })

	// Examples.
	var haveMatch, haveNomatch bool
	for _, ex := range examples {
		if e, ok := c.example(ex, r.Kind); ok {
			r.Examples = append(r.Examples, e)
		}
		if ex.Want == "match" {
			haveMatch = true
		} else {
			haveNomatch = true
		}
	}
	if !haveMatch {
		c.warnf(p.Pos, `add: example match "a message that shows the problem"`, "pattern %s has no example that must match", p.ID)
	}
	if !haveNomatch {
		c.warnf(p.Pos, `add: example nomatch "a similar message that is fine"`, "pattern %s has no example that must not match", p.ID)
	}
	if r.When != nil && r.When.Literals == nil && r.When.Cond.Cost() > rule.CostString {
		c.warnf(ruleClause.Pos, `add a "message contains" term or a field test such as event_id == 7000`, "condition has no literal the prefilter can use: it runs on every record")
	}
	return r
}

func suggestHint(word string, cands []string, fallback string) string {
	if s := psyntax.Suggest(word, cands); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	return fallback
}

// MaxCount bounds "at least N" and "count >= N": the matcher keeps up to
// N recent events per key to find bursts.
const MaxCount = 10_000

func (c *checker) count(n *psyntax.Number) int {
	v, err := strconv.ParseUint(n.Raw, 0, 32)
	if err != nil || v < 1 || v > MaxCount {
		c.errorf(n.Pos, fmt.Sprintf("use a whole number from 1 to %d", MaxCount), "bad count %s", n.Raw)
		return 1
	}
	return int(v)
}

// ParseDuration parses 90s, 10m, 26h, 2d, 1w, 1h30m, 500ms.
func ParseDuration(s string) (time.Duration, error) {
	var total time.Duration
	rest := s
	if rest == "" {
		return 0, fmt.Errorf("empty duration")
	}
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("expected a number at %q", rest)
		}
		n, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil || n > 1<<31 {
			return 0, fmt.Errorf("number too large")
		}
		rest = rest[i:]
		j := 0
		for j < len(rest) && (rest[j] < '0' || rest[j] > '9') {
			j++
		}
		var unit time.Duration
		switch rest[:j] {
		case "ms":
			unit = time.Millisecond
		case "s":
			unit = time.Second
		case "m":
			unit = time.Minute
		case "h":
			unit = time.Hour
		case "d":
			unit = 24 * time.Hour
		case "w":
			unit = 7 * 24 * time.Hour
		default:
			return 0, fmt.Errorf("unknown unit %q", rest[:j])
		}
		total += time.Duration(n) * unit
		rest = rest[j:]
	}
	if total > 366*24*time.Hour {
		return 0, fmt.Errorf("longer than a year")
	}
	return total, nil
}

func (c *checker) duration(d *psyntax.Duration) time.Duration {
	v, err := ParseDuration(d.Raw)
	if err != nil || v <= 0 {
		msg := "must be positive"
		if err != nil {
			msg = err.Error()
		}
		c.errorf(d.Pos, "durations are a number and a unit: ms, s, m, h, d, w (e.g. 90s, 10m, 26h, 1h30m)", "bad duration %q: %s", d.Raw, msg)
		return time.Hour
	}
	return v
}

func (c *checker) fieldRef(n *psyntax.Name, what string) {
	if _, ok := c.fieldKind(n.Name); !ok {
		c.errorf(n.Pos, c.fieldHint(n.Name), "%s names unknown field %q", what, n.Name)
	}
}

func (c *checker) fieldKind(name string) (fieldKind, bool) {
	if c.caps[name] {
		return kString, true
	}
	if k, ok := builtins[name]; ok {
		return k, true
	}
	for _, p := range extractedPrefixes {
		if strings.HasPrefix(name, p) && len(name) > len(p) {
			return kString, true
		}
	}
	return 0, false
}

// didYouMean turns a "did you mean "x"?" hint into " (did you mean x?)"
// for the message, or "".
func didYouMean(hint string) string {
	if w, ok := strings.CutPrefix(hint, "did you mean "); ok {
		return " (did you mean " + strings.Trim(strings.TrimSuffix(w, "?"), `"`) + "?)"
	}
	return ""
}

func (c *checker) fieldHint(name string) string {
	cands := FieldNames()
	for n := range c.caps {
		cands = append(cands, n)
	}
	if s := psyntax.Suggest(name, cands); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	return "fields: message, type, level, source, event_id, host, format, process, pid, activity, exception.*, eventlog.*, data.*, or a (?P<name>…) capture"
}

func (c *checker) collectCaptures(o *psyntax.Or) {
	walkCmp(o, func(cmp *psyntax.Comparison) {
		if cmp.Op != "~" || cmp.Value == nil || cmp.Value.Regex == nil {
			return
		}
		pat, _, err := splitRegex(*cmp.Value.Regex)
		if err != nil {
			return
		}
		re, err := syntax.Parse(pat, syntax.Perl)
		if err != nil {
			return
		}
		for _, n := range re.CapNames() {
			if n == "" {
				continue
			}
			if _, builtin := builtins[n]; builtin || psyntax.IsReserved(n) {
				c.errorf(cmp.Value.Pos, "rename the group, e.g. (?P<server>…)", "capture name %q is a field name or reserved word", n)
				continue
			}
			c.caps[n] = true
		}
	})
}

func walkCmp(o *psyntax.Or, f func(*psyntax.Comparison)) {
	if o == nil {
		return
	}
	for _, a := range o.Terms {
		for _, u := range a.Terms {
			walkUnary(u, f)
		}
	}
}

func walkUnary(u *psyntax.Unary, f func(*psyntax.Comparison)) {
	switch {
	case u.Not != nil:
		walkUnary(u.Not, f)
	case u.Group != nil:
		walkCmp(u.Group, f)
	case u.Cmp != nil:
		f(u.Cmp)
	}
}

// splitRegex turns "/pat/flags" into a Go regexp source with a flag group.
func splitRegex(raw string) (string, string, error) {
	end := strings.LastIndexByte(raw, '/')
	if end <= 0 {
		return "", "", fmt.Errorf("not a regex")
	}
	body := strings.ReplaceAll(raw[1:end], `\/`, "/")
	flags := raw[end+1:]
	for _, f := range flags {
		if !strings.ContainsRune("ismU", f) {
			return body, flags, fmt.Errorf("unknown regex flag %q", f)
		}
	}
	return body, flags, nil
}

func (c *checker) probe(o *psyntax.Or) *rule.Probe {
	cond := c.or(o)
	if cond == nil {
		return &rule.Probe{Cond: &rule.And{}}
	}
	return &rule.Probe{Cond: cond, Literals: rule.Literals(cond)}
}

func (c *checker) or(o *psyntax.Or) rule.Cond {
	var terms []rule.Cond
	for _, a := range o.Terms {
		if t := c.and(a); t != nil {
			terms = append(terms, t)
		}
	}
	if len(terms) == 1 {
		return terms[0]
	}
	if len(terms) == 0 {
		return nil
	}
	return &rule.Or{Terms: terms}
}

func (c *checker) and(a *psyntax.And) rule.Cond {
	var terms []rule.Cond
	for _, u := range a.Terms {
		if t := c.unary(u); t != nil {
			terms = append(terms, t)
		}
	}
	if len(terms) == 1 {
		return terms[0]
	}
	if len(terms) == 0 {
		return nil
	}
	// Cheap field tests first; stable so that a regex still precedes a
	// test of its capture.
	sort.SliceStable(terms, func(i, j int) bool { return terms[i].Cost() < terms[j].Cost() })
	return &rule.And{Terms: terms}
}

func (c *checker) unary(u *psyntax.Unary) rule.Cond {
	switch {
	case u.Not != nil:
		if x := c.unary(u.Not); x != nil {
			return &rule.Not{X: x}
		}
	case u.Group != nil:
		return c.or(u.Group)
	case u.Cmp != nil:
		return c.cmp(u.Cmp)
	}
	return nil
}

func valuePos(v *psyntax.Value, fallback lexer.Position) lexer.Position {
	if v != nil && v.Pos.Line > 0 {
		return v.Pos
	}
	return fallback
}

// items returns the values of a scalar or a list.
func items(v *psyntax.Value) ([]*psyntax.Value, bool) {
	if v.List != nil {
		return v.List.Items, true
	}
	return []*psyntax.Value{v}, false
}

func (c *checker) cmp(cmp *psyntax.Comparison) rule.Cond {
	kind, ok := c.fieldKind(cmp.Field)
	if !ok {
		c.errorf(cmp.Pos, c.fieldHint(cmp.Field), "unknown field %q%s", cmp.Field, didYouMean(c.fieldHint(cmp.Field)))
		return nil
	}
	vals, isList := items(cmp.Value)
	vpos := valuePos(cmp.Value, cmp.Pos)
	if cmp.Op == "in" && !isList {
		c.errorf(vpos, "in takes a list: in [a, b]", "in needs a [list]")
		return nil
	}
	if isList && cmp.Op != "in" && cmp.Op != "contains" && cmp.Op != "startswith" && cmp.Op != "endswith" {
		c.errorf(vpos, "use in [a, b] for a list, or one value", "%s takes one value, not a list", cmp.Op)
		return nil
	}
	if isList && len(vals) == 0 {
		c.errorf(vpos, "give at least one value", "empty list")
		return nil
	}
	switch kind {
	case kType:
		return c.typeCmp(cmp, vals, vpos)
	case kLevel:
		return c.levelCmp(cmp, vals, vpos)
	case kFormat:
		return c.formatCmp(cmp, vals, vpos)
	case kNumber:
		return c.numCmp(cmp, vals, vpos)
	}
	return c.strCmp(cmp, vals, vpos)
}

func (c *checker) identValues(cmp *psyntax.Comparison, vals []*psyntax.Value, names []string, what string) ([]string, bool) {
	var out []string
	ok := true
	for _, v := range vals {
		var s string
		switch {
		case v.Ident != nil:
			s = *v.Ident
		case v.Text != nil:
			s = string(*v.Text)
		default:
			c.errorf(valuePos(v, cmp.Pos), what+" is one of: "+strings.Join(names, ", "), "%s takes a name, not %s", cmp.Field, psyntax.FormatValue(v))
			ok = false
			continue
		}
		out = append(out, s)
	}
	return out, ok
}

func (c *checker) typeCmp(cmp *psyntax.Comparison, vals []*psyntax.Value, vpos lexer.Position) rule.Cond {
	var names []string
	for _, t := range event.Types() {
		names = append(names, t.String())
	}
	strs, ok := c.identValues(cmp, vals, names, "type")
	if !ok {
		return nil
	}
	t := &rule.TypeIn{}
	switch cmp.Op {
	case "==", "in":
	case "!=":
		t.Neg = true
	default:
		c.errorf(cmp.Pos, "type takes ==, != or in; for severities use level >= warning", "operator %s cannot be used with type", cmp.Op)
		return nil
	}
	for i, s := range strs {
		ty, good := event.ParseType(s)
		if !good {
			c.errorf(valuePos(vals[i], vpos), suggestHint(s, names, "type is one of: "+strings.Join(names, ", ")), "unknown type %q", s)
			return nil
		}
		t.Set[ty] = true
	}
	return t
}

func (c *checker) levelCmp(cmp *psyntax.Comparison, vals []*psyntax.Value, vpos lexer.Position) rule.Cond {
	names := []string{"verbose", "information", "warning", "error", "critical"}
	strs, ok := c.identValues(cmp, vals, names, "level")
	if !ok {
		return nil
	}
	op, good := rule.ParseOp(cmp.Op)
	if !good {
		c.errorf(cmp.Pos, "level takes ==, !=, <, <=, >, >= or in", "operator %s cannot be used with level", cmp.Op)
		return nil
	}
	l := &rule.LevelCmp{Op: op}
	for i, s := range strs {
		lv, good := event.ParseLevel(s)
		if !good && strings.EqualFold(s, "none") {
			lv, good = event.LevelNone, true
		}
		if !good {
			c.errorf(valuePos(vals[i], vpos), suggestHint(s, names, "level is one of: "+strings.Join(names, ", ")), "unknown level %q", s)
			return nil
		}
		l.Level = lv
		l.Set = append(l.Set, lv)
	}
	return l
}

func (c *checker) formatCmp(cmp *psyntax.Comparison, vals []*psyntax.Value, vpos lexer.Position) rule.Cond {
	var names []string
	for _, f := range event.Formats() {
		names = append(names, f.String())
	}
	strs, ok := c.identValues(cmp, vals, names, "format")
	if !ok {
		return nil
	}
	f := &rule.FormatIn{}
	switch cmp.Op {
	case "==", "in":
	case "!=":
		f.Neg = true
	default:
		c.errorf(cmp.Pos, "format takes ==, != or in", "operator %s cannot be used with format", cmp.Op)
		return nil
	}
	for i, s := range strs {
		fm, good := event.ParseFormat(s)
		if !good || int(fm) >= len(f.Set) {
			c.errorf(valuePos(vals[i], vpos), suggestHint(s, names, "format is one of: "+strings.Join(names, ", ")), "unknown format %q", s)
			return nil
		}
		f.Set[fm] = true
	}
	return f
}

func (c *checker) numCmp(cmp *psyntax.Comparison, vals []*psyntax.Value, vpos lexer.Position) rule.Cond {
	op, good := rule.ParseOp(cmp.Op)
	if !good {
		c.errorf(cmp.Pos, cmp.Field+" takes ==, !=, <, <=, >, >= or in", "operator %s cannot be used with %s", cmp.Op, cmp.Field)
		return nil
	}
	n := &rule.NumCmp{Op: op}
	switch cmp.Field {
	case "event_id":
		n.Field = rule.NumEventID
	case "pid":
		n.Field = rule.NumPID
	default:
		n.Field = rule.NumTID
	}
	for _, v := range vals {
		if v.Number == nil {
			c.errorf(valuePos(v, vpos), "write a number such as 7000", "%s takes a number, not %s", cmp.Field, psyntax.FormatValue(v))
			return nil
		}
		x, err := strconv.ParseUint(*v.Number, 0, 32)
		if err != nil {
			c.errorf(valuePos(v, vpos), "numbers are 0 to 4294967295, decimal or 0x-hex", "bad number %s", *v.Number)
			return nil
		}
		n.Value = uint32(x)
		n.Set = append(n.Set, uint32(x))
	}
	return n
}

func (c *checker) strCmp(cmp *psyntax.Comparison, vals []*psyntax.Value, vpos lexer.Position) rule.Cond {
	isCap := c.caps[cmp.Field]
	if cmp.Op == "~" {
		v := vals[0]
		if v.Regex == nil {
			c.errorf(vpos, "write the regex between slashes: message ~ /text (?P<name>\\w+)/i", "~ takes a /regex/")
			return nil
		}
		body, flags, err := splitRegex(*v.Regex)
		if err != nil {
			c.errorf(vpos, "regex flags are i (ignore case), s (. matches newline), m (multi-line), U (ungreedy)", "%v", err)
			return nil
		}
		src := body
		if flags != "" {
			src = "(?" + flags + ")" + body
		}
		re, err := regexp.Compile(src)
		if err != nil {
			pos := vpos
			msg := err.Error()
			pos.Column++ // past the opening slash
			if se, ok := err.(*syntax.Error); ok {
				prefix := len(src) - len(body)
				expr := se.Expr
				if i := strings.Index(src, expr); i >= 0 && expr != "" {
					pos.Column += max(0, i-prefix)
					if i < prefix && len(expr) >= prefix-i {
						expr = expr[prefix-i:]
					}
				}
				msg = string(se.Code) + ": " + expr
			}
			c.errorf(pos, "Go RE2 syntax: no backreferences or lookarounds; escape / as \\/", "bad regex: %s", msg)
			return nil
		}
		return rule.NewRegex(cmp.Field, re, isCap)
	}
	var op rule.StrOp
	switch cmp.Op {
	case "contains":
		op = rule.StrContains
	case "startswith":
		op = rule.StrStartsWith
	case "endswith":
		op = rule.StrEndsWith
	case "==", "in":
		op = rule.StrEq
	case "!=":
		op = rule.StrNe
	default:
		c.errorf(cmp.Pos, "text fields take contains, startswith, endswith, ~ /regex/, ==, != or in", "operator %s cannot be used with %s", cmp.Op, cmp.Field)
		return nil
	}
	var strs []string
	for _, v := range vals {
		switch {
		case v.Text != nil:
			strs = append(strs, string(*v.Text))
		case v.Ident != nil && op != rule.StrContains:
			strs = append(strs, *v.Ident)
		case v.Number != nil && op != rule.StrContains:
			strs = append(strs, *v.Number)
		case v.Regex != nil:
			c.errorf(valuePos(v, vpos), "use "+cmp.Field+" ~ /regex/", "%s takes text, not a regex", cmp.Op)
			return nil
		default:
			c.errorf(valuePos(v, vpos), `put the text in double quotes`, "%s takes \"text\", not %s", cmp.Op, psyntax.FormatValue(v))
			return nil
		}
	}
	if op == rule.StrContains {
		for i, s := range strs {
			if s == "" {
				c.errorf(valuePos(vals[i], vpos), "remove the empty text", "contains \"\" matches everything")
				return nil
			}
		}
	}
	return rule.NewStrCmp(cmp.Field, op, strs, isCap)
}

var placeholderRe = regexp.MustCompile(`\{\{|\}\}|\{[^{}]*\}`)

func appendLit(parts []rule.TitlePart, x string) []rule.TitlePart {
	if x == "" {
		return parts
	}
	if n := len(parts); n > 0 && parts[n-1].Field == "" {
		parts[n-1].Lit += x
		return parts
	}
	return append(parts, rule.TitlePart{Lit: x})
}

// template compiles a title or one remedy string: literal text and
// {placeholder} or {placeholder|default} parts ({{ and }} for braces).
// A remedy string is trimmed as the remedy text is.
func (c *checker) template(t *psyntax.Text, kind rule.Kind, what string) []rule.TitlePart {
	s := string(t.Value)
	pos0 := t.Pos
	if what == "remedy" {
		trimmed := strings.TrimLeft(s, " \t\r\n")
		pos0.Column += len(s) - len(trimmed)
		s = strings.TrimRight(trimmed, " \t\r\n")
	}
	var parts []rule.TitlePart
	last := 0
	lit := func(x string) { parts = appendLit(parts, x) }
	for _, m := range placeholderRe.FindAllStringIndex(s, -1) {
		lit(s[last:m[0]])
		last = m[1]
		ph := s[m[0]:m[1]]
		switch ph {
		case "{{":
			lit("{")
			continue
		case "}}":
			lit("}")
			continue
		}
		name, def, _ := strings.Cut(ph[1:len(ph)-1], "|")
		name = strings.TrimSpace(name)
		pos := pos0
		pos.Column += 1 + m[0]
		_, isField := c.fieldKind(name)
		builtin := name == rule.PlaceholderCount || name == rule.PlaceholderKey || (name == rule.PlaceholderGap && kind == rule.Absence)
		if !isField && !builtin {
			hint := c.fieldHint(name)
			if len(c.caps) == 0 && !strings.Contains(hint, "did you mean") {
				hint = "define it with a named group in a regex: message ~ /… (?P<" + name + ">[^ ]+)/; or use {count}, {key}"
			}
			c.errorf(pos, hint, "%s placeholder {%s} is not a capture or field", what, name)
			continue
		}
		parts = append(parts, rule.TitlePart{Field: name, Default: def})
	}
	lit(s[last:])
	// Braces left outside placeholders and {{ }} escapes: most likely a
	// placeholder split across two strings.
	if strings.ContainsAny(placeholderRe.ReplaceAllString(s, ""), "{}") {
		c.warnf(t.Pos, "a placeholder is {name} or {name|default} inside one string; write {{ or }} for a literal brace", "%s text has an unmatched brace", what)
	}
	return parts
}

// explains records the ids a pattern explains. Whether they exist, and
// cycles, are checked over the whole set of patterns in force
// (Precedence).
func (c *checker) explains(r *rule.Pattern, l *psyntax.NameList) {
	seen := map[string]bool{}
	for _, n := range l.Names {
		switch {
		case !idRe.MatchString(n.Name):
			c.errorf(n.Pos, "explains takes pattern ids such as exchange.throttled", "bad pattern id %q in explains", n.Name)
			continue
		case n.Name == r.ID:
			c.errorf(n.Pos, "remove it: a pattern cannot explain itself", "pattern %s explains itself", r.ID)
			continue
		case seen[n.Name]:
			c.errorf(n.Pos, "remove the repeat", "%s named twice in explains", n.Name)
			continue
		}
		seen[n.Name] = true
		r.Explains = append(r.Explains, n.Name)
		r.ExplainsAt = append(r.ExplainsAt, rule.Pos{Line: n.Pos.Line, Col: n.Pos.Column})
	}
}

// Example events default to an error from the connector's trace source at
// this time; offsets are added to it.
var ExampleBase = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func (c *checker) example(ex *psyntax.Example, kind rule.Kind) (rule.Example, bool) {
	out := rule.Example{Want: ex.Want == "match", Line: ex.Pos.Line, Col: ex.Pos.Column}
	ok := true
	switch {
	case ex.Text != nil:
		e := defaultEvent()
		e.Message = string(ex.Text.Value)
		out.Events = append(out.Events, rule.ExampleEvent{Event: e})
	case ex.Event != nil:
		ev, off, good := c.exampleEvent(ex.Event)
		ok = good
		out.Events = append(out.Events, rule.ExampleEvent{Offset: off, Event: ev})
	case ex.Events != nil:
		for _, spec := range ex.Events.Events {
			ev, off, good := c.exampleEvent(spec)
			ok = ok && good
			out.Events = append(out.Events, rule.ExampleEvent{Offset: off, Event: ev})
		}
		if ex.Events.Covering != nil {
			out.Covering = c.duration(ex.Events.Covering)
		}
	}
	if kind == rule.Absence && out.Covering == 0 && ex.Events == nil {
		c.errorf(ex.Pos, "absence examples list events with offsets: example match [ { at 0h message \"…\" } ] covering 30h", "an absence example needs a covered window")
		ok = false
	}
	return out, ok
}

func defaultEvent() event.Event {
	return event.Event{
		Time: ExampleBase, Type: event.Error, Source: "OnPremisesExchangeConnectorService",
		Format: event.FormatTrace, Host: "EXCONNECTOR01",
		Origin: event.Origin{Path: "example", Offset: -1},
	}
}

func (c *checker) exampleEvent(spec *psyntax.EventSpec) (event.Event, time.Duration, bool) {
	e := defaultEvent()
	var off time.Duration
	ok := true
	bad := func(a *psyntax.Attr, hint, format string, args ...any) {
		c.errorf(a.Pos, hint, format, args...)
		ok = false
	}
	for _, a := range spec.Attrs {
		v := a.Value
		text := ""
		switch {
		case v.Text != nil:
			text = string(*v.Text)
		case v.Ident != nil:
			text = *v.Ident
		case v.Number != nil:
			text = *v.Number
		case v.Duration != nil:
			text = *v.Duration
		}
		switch a.Name {
		case "at":
			if v.Duration == nil && !(v.Number != nil && *v.Number == "0") {
				bad(a, "at takes an offset from the example's start: at 0s, at 3h", "at needs a duration")
				continue
			}
			d, err := ParseDuration(text)
			if text == "0" {
				d, err = 0, nil
			}
			if err != nil {
				bad(a, "durations: 90s, 10m, 26h, 1h30m", "bad duration %q: %v", text, err)
			}
			off = d
		case "message":
			if v.Text == nil {
				bad(a, `message "text"`, "message takes a \"string\"")
			}
			e.Message = text
		case "type":
			t, good := event.ParseType(text)
			if !good {
				bad(a, "type is error, warning, information, verbose, critical, start, stop…", "unknown type %q", text)
			}
			e.Type = t
		case "format":
			f, good := event.ParseFormat(text)
			if !good {
				bad(a, "format is trace, eventlog-xml, eventlog-text, eventlog-csv…", "unknown format %q", text)
			}
			e.Format = f
		case "source":
			e.Source = text
		case "host":
			e.Host = text
		case "event_id", "pid", "tid":
			n, err := strconv.ParseUint(text, 0, 32)
			if err != nil {
				bad(a, "a number such as 7000", "%s takes a number", a.Name)
			}
			switch a.Name {
			case "event_id":
				e.EventID = uint32(n)
			case "pid":
				e.PID = uint32(n)
			default:
				e.TID = uint32(n)
			}
		case "activity":
			g, good := event.ParseGUID([]byte(text))
			if !good {
				bad(a, "a GUID such as 6f1e2d3c-0000-4000-8000-000000000001", "bad activity GUID %q", text)
			}
			e.Activity = g
		case "process":
			e.Fields = append(e.Fields, event.Field{Name: event.FieldProcessName, Value: text})
		case "level":
			bad(a, "give the type (error, warning, verbose…); the level follows from it", "examples set type, not level")
		default:
			if !strings.Contains(a.Name, ".") {
				bad(a, suggestHint(a.Name, []string{"at", "message", "type", "source", "host", "format", "event_id", "pid", "tid", "activity", "process"},
					"example events take: at, message, type, source, host, format, event_id, pid, activity, process, or an extracted field such as exception.type"),
					"unknown example attribute %q", a.Name)
				continue
			}
			e.Fields = append(e.Fields, event.Field{Name: a.Name, Value: text})
		}
	}
	e.Time = ExampleBase.Add(off)
	return e, off, ok
}
