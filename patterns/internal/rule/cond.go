package rule

import (
	"bytes"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"

	"exlog/event"
)

// Ctx is the evaluation context for one event: the event, its message
// lower-cased once (lazily), and the captures made so far. A Ctx is
// reused across events by one matcher; it is not safe for concurrent use.
type Ctx struct {
	E      *event.Event
	folded []byte
	done   bool
	Caps   []Capture
	// hit is the last message condition that matched (nil: none), so
	// that MessageSpan can say where the message matched; reset with
	// ClearHit before each pattern's condition.
	hit Cond
}

// Capture is a named value taken by a regex.
type Capture struct{ Name, Value string }

// Reset prepares c for a new event.
func (c *Ctx) Reset(e *event.Event) {
	c.E = e
	c.done = false
	c.Caps = c.Caps[:0]
	c.hit = nil
}

// ClearHit forgets the message condition that matched last.
func (c *Ctx) ClearHit() { c.hit = nil }

// MessageSpan returns where in the event's message the last message
// condition that matched found its text (byte offsets); ok is false when
// no message condition matched or the place cannot be told. It searches
// again, so it costs only when asked (when evidence is built).
func (c *Ctx) MessageSpan() (start, end int, ok bool) {
	msg := c.E.Message
	switch h := c.hit.(type) {
	case *StrCmp:
		m := c.Folded()
		if len(m) != len(msg) {
			return 0, 0, false // a fold that changed byte lengths: offsets differ
		}
		for _, v := range h.bvalues {
			if i := bytes.Index(m, v); i >= 0 && matchBytes(h.Op, m, v) {
				if h.Op == StrEndsWith {
					i = len(m) - len(v)
				}
				return i, i + len(v), true
			}
		}
	case *Regex:
		if loc := h.Re.FindStringIndex(msg); loc != nil {
			return loc[0], loc[1], true
		}
	}
	return 0, 0, false
}

// Folded returns the lower-cased message; valid until the next Reset.
func (c *Ctx) Folded() []byte {
	if !c.done {
		c.folded = FoldAppend(c.folded[:0], c.E.Message)
		c.done = true
	}
	return c.folded
}

// FoldAppend appends the lower-cased s to dst (ASCII fast path; Unicode
// lower-casing per rune otherwise).
func FoldAppend(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return append(dst[:len(dst)-i], strings.ToLower(s)...)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// Fold lower-cases s the way Ctx.Folded does.
func Fold(s string) string { return string(FoldAppend(nil, s)) }

// Lookup returns a capture or a field of the event ("" and false when
// absent). Captures shadow fields.
func (c *Ctx) Lookup(name string) (string, bool) {
	for i := len(c.Caps) - 1; i >= 0; i-- {
		if c.Caps[i].Name == name {
			return c.Caps[i].Value, true
		}
	}
	return FieldValue(c.E, name)
}

// FieldValue returns a named string field of e: the built-in string
// fields, "level"/"type"/"format"/"event_id"/"pid" rendered as text, or
// an extracted field.
func FieldValue(e *event.Event, name string) (string, bool) {
	switch name {
	case "message":
		return e.Message, true
	case "source":
		return e.Source, true
	case "host":
		return e.Host, true
	case "activity":
		return e.Activity.String(), true
	case "type":
		return e.Type.String(), true
	case "level":
		return e.Level().String(), true
	case "format":
		return e.Format.String(), true
	case "event_id":
		return itoa(e.EventID), true
	case "pid":
		return itoa(e.PID), true
	case "tid":
		return itoa(e.TID), true
	case "process":
		return e.Field(event.FieldProcessName)
	}
	return e.Field(name)
}

func itoa(v uint32) string {
	var b [10]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return string(b[i:])
}

// Cond is a compiled condition.
type Cond interface {
	// Match evaluates the condition; regexes append their captures to
	// ctx.Caps (and/or roll them back when a branch fails).
	Match(ctx *Ctx) bool
	// Cost orders the terms of an and: cheap field tests first.
	Cost() int
	// literals: see Probe.Literals.
	literals() ([]string, bool)
}

// Costs of condition kinds.
const (
	CostField    = 1
	CostString   = 5
	CostContains = 10
	CostRegex    = 100
	CostCapture  = 1000 // a test of a captured value must run after its regex
)

// And is a conjunction; Terms are sorted by cost by the checker.
type And struct{ Terms []Cond }

func (a *And) Match(ctx *Ctx) bool {
	n := len(ctx.Caps)
	for _, t := range a.Terms {
		if !t.Match(ctx) {
			ctx.Caps = ctx.Caps[:n]
			return false
		}
	}
	return true
}

func (a *And) Cost() int {
	c := 0
	for _, t := range a.Terms {
		c = max(c, t.Cost())
	}
	return c
}

func (a *And) literals() ([]string, bool) {
	var best []string
	found := false
	for _, t := range a.Terms {
		if l, ok := t.literals(); ok && (!found || better(l, best)) {
			best, found = l, true
		}
	}
	return best, found
}

// Or is a disjunction.
type Or struct{ Terms []Cond }

func (o *Or) Match(ctx *Ctx) bool {
	for _, t := range o.Terms {
		n := len(ctx.Caps)
		if t.Match(ctx) {
			return true
		}
		ctx.Caps = ctx.Caps[:n]
	}
	return false
}

func (o *Or) Cost() int {
	c := 0
	for _, t := range o.Terms {
		c = max(c, t.Cost())
	}
	return c
}

func (o *Or) literals() ([]string, bool) {
	var all []string
	for _, t := range o.Terms {
		l, ok := t.literals()
		if !ok {
			return nil, false
		}
		all = append(all, l...)
	}
	return dedupe(all), true
}

// Not negates; captures made inside are dropped.
type Not struct{ X Cond }

func (n *Not) Match(ctx *Ctx) bool {
	k, hit := len(ctx.Caps), ctx.hit
	r := n.X.Match(ctx)
	ctx.Caps, ctx.hit = ctx.Caps[:k], hit // what matched inside a not is not why the event matched
	return !r
}
func (n *Not) Cost() int                  { return n.X.Cost() }
func (n *Not) literals() ([]string, bool) { return nil, false }

// TypeIn tests the event type against a set.
type TypeIn struct {
	Set [event.NumTypes]bool
	Neg bool
}

func (t *TypeIn) Match(ctx *Ctx) bool {
	return t.Set[ctx.E.Type] != t.Neg
}
func (t *TypeIn) Cost() int                  { return CostField }
func (t *TypeIn) literals() ([]string, bool) { return nil, false }

// FormatIn tests the input format against a set.
type FormatIn struct {
	Set [32]bool
	Neg bool
}

func (t *FormatIn) Match(ctx *Ctx) bool {
	f := int(ctx.E.Format)
	return (f < len(t.Set) && t.Set[f]) != t.Neg
}
func (t *FormatIn) Cost() int                  { return CostField }
func (t *FormatIn) literals() ([]string, bool) { return nil, false }

// Op is a comparison operator.
type Op uint8

const (
	OpEq Op = iota + 1
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpIn
)

// ParseOp maps an operator token.
func ParseOp(s string) (Op, bool) {
	switch s {
	case "==":
		return OpEq, true
	case "!=":
		return OpNe, true
	case "<":
		return OpLt, true
	case "<=":
		return OpLe, true
	case ">":
		return OpGt, true
	case ">=":
		return OpGe, true
	case "in":
		return OpIn, true
	}
	return 0, false
}

func compare(op Op, a, b uint32) bool {
	switch op {
	case OpEq:
		return a == b
	case OpNe:
		return a != b
	case OpLt:
		return a < b
	case OpLe:
		return a <= b
	case OpGt:
		return a > b
	case OpGe:
		return a >= b
	}
	return false
}

// LevelCmp compares the event's level.
type LevelCmp struct {
	Op    Op
	Level event.Level
	Set   []event.Level // OpIn
}

func (l *LevelCmp) Match(ctx *Ctx) bool {
	v := ctx.E.Level()
	if l.Op == OpIn {
		for _, x := range l.Set {
			if x == v {
				return true
			}
		}
		return false
	}
	return compare(l.Op, uint32(v), uint32(l.Level))
}
func (l *LevelCmp) Cost() int                  { return CostField }
func (l *LevelCmp) literals() ([]string, bool) { return nil, false }

// NumField selects a numeric field.
type NumField uint8

const (
	NumEventID NumField = iota + 1
	NumPID
	NumTID
)

// NumCmp compares a numeric field.
type NumCmp struct {
	Field NumField
	Op    Op
	Value uint32
	Set   []uint32 // OpIn
}

func (n *NumCmp) Match(ctx *Ctx) bool {
	var v uint32
	switch n.Field {
	case NumEventID:
		v = ctx.E.EventID
	case NumPID:
		v = ctx.E.PID
	case NumTID:
		v = ctx.E.TID
	}
	if n.Op == OpIn {
		for _, x := range n.Set {
			if x == v {
				return true
			}
		}
		return false
	}
	return compare(n.Op, v, n.Value)
}
func (n *NumCmp) Cost() int                  { return CostField }
func (n *NumCmp) literals() ([]string, bool) { return nil, false }

// StrOp is a string operator.
type StrOp uint8

const (
	StrContains StrOp = iota + 1
	StrStartsWith
	StrEndsWith
	StrEq // case-insensitive equality; with several values: in
	StrNe
)

// StrCmp tests a string field (message, source, an extracted field or a
// capture) case-insensitively against one or more values (any of them).
type StrCmp struct {
	Field   string // "message" uses the shared lower-cased message
	Op      StrOp
	Values  []string // lower-cased
	bvalues [][]byte
	Capture bool // the field is a capture: evaluate after regexes
}

// NewStrCmp builds a StrCmp; values are lower-cased here.
func NewStrCmp(field string, op StrOp, values []string, capture bool) *StrCmp {
	s := &StrCmp{Field: field, Op: op, Capture: capture}
	for _, v := range values {
		f := Fold(v)
		s.Values = append(s.Values, f)
		s.bvalues = append(s.bvalues, []byte(f))
	}
	return s
}

func (s *StrCmp) Match(ctx *Ctx) bool {
	if s.Field == "message" {
		m := ctx.Folded()
		for _, v := range s.bvalues {
			if matchBytes(s.Op, m, v) {
				if s.Op != StrNe {
					ctx.hit = s
				}
				return s.Op != StrNe
			}
		}
		return s.Op == StrNe
	}
	raw, _ := ctx.Lookup(s.Field)
	f := strings.ToLower(raw)
	for _, v := range s.Values {
		if matchString(s.Op, f, v) {
			return s.Op != StrNe
		}
	}
	return s.Op == StrNe
}

func matchBytes(op StrOp, s, v []byte) bool {
	switch op {
	case StrContains:
		return bytes.Contains(s, v)
	case StrStartsWith:
		return bytes.HasPrefix(s, v)
	case StrEndsWith:
		return bytes.HasSuffix(s, v)
	default:
		return bytes.Equal(s, v)
	}
}

func matchString(op StrOp, s, v string) bool {
	switch op {
	case StrContains:
		return strings.Contains(s, v)
	case StrStartsWith:
		return strings.HasPrefix(s, v)
	case StrEndsWith:
		return strings.HasSuffix(s, v)
	default:
		return s == v
	}
}

func (s *StrCmp) Cost() int {
	switch {
	case s.Capture:
		return CostCapture
	case s.Op == StrContains || s.Op == StrEndsWith:
		return CostContains
	}
	return CostString
}

func (s *StrCmp) literals() ([]string, bool) {
	if s.Field != "message" || s.Op == StrNe {
		return nil, false
	}
	for _, v := range s.Values {
		if v == "" {
			return nil, false
		}
	}
	return dedupe(append([]string(nil), s.Values...)), true
}

// Regex matches a string field; named groups become captures.
type Regex struct {
	Field   string
	Re      *regexp.Regexp
	Names   []string // capture names by group index ("" for unnamed)
	Capture bool     // the field is a capture
	named   bool
	lits    []string
	litsOK  bool
	blits   [][]byte // lits as bytes, for the pre-check on the folded message
}

// NewRegex wraps a compiled regexp and computes its required literals.
func NewRegex(field string, re *regexp.Regexp, capture bool) *Regex {
	r := &Regex{Field: field, Re: re, Names: re.SubexpNames(), Capture: capture}
	for _, n := range r.Names[1:] {
		r.named = r.named || n != ""
	}
	if field == "message" {
		if tree, err := syntax.Parse(re.String(), syntax.Perl); err == nil {
			r.lits, r.litsOK = regexLiterals(tree.Simplify())
		}
	}
	if r.litsOK && asciiOnly(r.lits) {
		for _, l := range r.lits {
			r.blits = append(r.blits, []byte(l))
		}
	}
	return r
}

func asciiOnly(l []string) bool {
	for _, s := range l {
		if s == "" {
			return false
		}
		for i := 0; i < len(s); i++ {
			if s[i] >= utf8.RuneSelf {
				return false
			}
		}
	}
	return true
}

func (r *Regex) Match(ctx *Ctx) bool {
	if r.blits != nil {
		// A match needs one of the required literals: a SIMD substring
		// search on the lower-cased message is far cheaper than running
		// a (case-insensitive) regex that cannot match.
		m := ctx.Folded()
		found := false
		for _, l := range r.blits {
			if bytes.Contains(m, l) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	v, _ := ctx.Lookup(r.Field)
	if !r.named {
		ok := r.Re.MatchString(v)
		if ok && r.Field == "message" && !r.Capture {
			ctx.hit = r
		}
		return ok
	}
	idx := r.Re.FindStringSubmatchIndex(v)
	if idx == nil {
		return false
	}
	if r.Field == "message" && !r.Capture {
		ctx.hit = r
	}
	for g := 1; g < len(r.Names); g++ {
		if r.Names[g] == "" || idx[2*g] < 0 {
			continue
		}
		ctx.Caps = append(ctx.Caps, Capture{Name: r.Names[g], Value: v[idx[2*g]:idx[2*g+1]]})
	}
	return true
}

func (r *Regex) Cost() int {
	if r.Capture {
		return CostCapture
	}
	return CostRegex
}

func (r *Regex) literals() ([]string, bool) { return r.lits, r.litsOK }

// Literals computes Probe.Literals for a condition.
func Literals(c Cond) []string {
	l, ok := c.literals()
	if !ok {
		return nil
	}
	for _, s := range l {
		if s == "" {
			return nil
		}
		for i := 0; i < len(s); i++ {
			if s[i] >= utf8.RuneSelf {
				// The prefilter folds ASCII only; stay sound.
				return nil
			}
		}
	}
	return l
}

const maxAlternatives = 32

// better prefers the literal set whose shortest member is longer (more
// selective), then the one with fewer members.
func better(a, b []string) bool {
	ma, mb := minLen(a), minLen(b)
	if ma != mb {
		return ma > mb
	}
	return len(a) < len(b)
}

func minLen(l []string) int {
	m := -1
	for _, s := range l {
		if m < 0 || len(s) < m {
			m = len(s)
		}
	}
	return m
}

func dedupe(l []string) []string {
	seen := map[string]bool{}
	out := l[:0]
	for _, s := range l {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// regexLiterals returns strings of which any match contains at least one
// (lower-cased), derived from the regexp syntax tree.
func regexLiterals(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		s := string(re.Rune)
		if re.Flags&syntax.FoldCase != 0 {
			for _, r := range re.Rune {
				if r >= utf8.RuneSelf || r == 'k' || r == 'K' || r == 's' || r == 'S' {
					// k and s fold with non-ASCII runes (Kelvin, long s):
					// split the literal around them.
					return splitFold(re.Rune)
				}
			}
		}
		return []string{Fold(s)}, true
	case syntax.OpCapture, syntax.OpPlus:
		return regexLiterals(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return regexLiterals(re.Sub[0])
		}
		return nil, false
	case syntax.OpConcat:
		var best []string
		found := false
		// Adjacent literals with the same folding join into longer runs.
		var run []rune
		var runFold syntax.Flags
		flush := func() {
			if len(run) > 0 {
				if l, ok := regexLiterals(&syntax.Regexp{Op: syntax.OpLiteral, Rune: run, Flags: runFold}); ok && (!found || better(l, best)) {
					best, found = l, true
				}
				run = nil
			}
		}
		for _, s := range re.Sub {
			if s.Op == syntax.OpLiteral && (len(run) == 0 || s.Flags&syntax.FoldCase == runFold) {
				runFold = s.Flags & syntax.FoldCase
				run = append(run, s.Rune...)
				continue
			}
			flush()
			if s.Op == syntax.OpLiteral {
				runFold = s.Flags & syntax.FoldCase
				run = append(run, s.Rune...)
				continue
			}
			if l, ok := regexLiterals(s); ok && (!found || better(l, best)) {
				best, found = l, true
			}
		}
		flush()
		return best, found
	case syntax.OpAlternate:
		var all []string
		for _, s := range re.Sub {
			l, ok := regexLiterals(s)
			if !ok {
				return nil, false
			}
			all = append(all, l...)
		}
		if len(all) > maxAlternatives {
			return nil, false
		}
		return dedupe(all), true
	}
	return nil, false
}

// splitFold returns the longest ASCII run of a case-folded literal that
// avoids k, s and non-ASCII runes.
func splitFold(rs []rune) ([]string, bool) {
	best := ""
	cur := []rune{}
	for _, r := range append(rs, 'k') {
		if r >= utf8.RuneSelf || r == 'k' || r == 'K' || r == 's' || r == 'S' {
			if len(cur) > len(best) {
				best = string(cur)
			}
			cur = cur[:0]
			continue
		}
		cur = append(cur, r)
	}
	if best == "" {
		return nil, false
	}
	return []string{Fold(best)}, true
}
