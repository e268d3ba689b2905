package syntax

import (
	"strconv"
	"strings"
)

// Format prints a pattern in canonical form: two-space indentation,
// clause keywords padded to one column, long conditions broken at the
// top-level and/or, canonical quoting. Clause order and parentheses are
// kept as written, so Parse(Format(p)) yields p again (positions aside).
// Comments are not kept.
func Format(p *Pattern) string {
	var b strings.Builder
	b.WriteString("pattern ")
	b.WriteString(p.ID)
	b.WriteString(" {\n")
	for _, c := range p.Clauses {
		formatClause(&b, c)
	}
	b.WriteString("}\n")
	return b.String()
}

// FormatFile prints every pattern of f separated by blank lines.
func FormatFile(f *File) string {
	var parts []string
	for _, p := range f.Patterns {
		parts = append(parts, Format(p))
	}
	return strings.Join(parts, "\n")
}

const (
	kwWidth  = 9
	indent   = "  "
	contCol  = len(indent) + kwWidth
	maxWidth = 96
)

var cont = strings.Repeat(" ", contCol)

func head(b *strings.Builder, kw string) {
	b.WriteString(indent)
	b.WriteString(kw)
	b.WriteString(strings.Repeat(" ", max(1, kwWidth-len(kw))))
}

func formatClause(b *strings.Builder, c *Clause) {
	switch {
	case c.Title != nil:
		head(b, "title")
		b.WriteString(quote(c.Title))
	case c.Severity != nil:
		head(b, "severity")
		b.WriteString(c.Severity.Name)
	case c.Category != nil:
		head(b, "category")
		b.WriteString(c.Category.Name)
	case c.Docs != nil:
		head(b, "docs")
		b.WriteString(quote(c.Docs))
	case c.Remedy != nil:
		head(b, "remedy")
		for i, t := range c.Remedy {
			if i > 0 {
				b.WriteString("\n")
				b.WriteString(cont)
			}
			b.WriteString(quote(t))
		}
	case c.Tags != nil:
		head(b, "tags")
		b.WriteString("[")
		for i, t := range c.Tags.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quote(t))
		}
		b.WriteString("]")
	case c.Match != nil:
		head(b, "match")
		broken := writeCond(b, c.Match.Cond)
		var tail string
		switch {
		case c.Match.Threshold != nil:
			t := c.Match.Threshold
			tail = "at least " + t.Count.Raw
			if t.Within != nil {
				tail += " within " + t.Within.Raw
			}
		case c.Match.Sequence != nil:
			s := c.Match.Sequence
			then := FormatCond(s.Then)
			tail = "not followed by " + then + " within " + s.Within.Raw
			if s.On != nil {
				tail += " on " + s.On.Name
			}
		}
		if tail != "" {
			if broken || contCol+len(FormatCond(c.Match.Cond))+1+len(tail) > maxWidth {
				b.WriteString("\n")
				b.WriteString(cont)
			} else {
				b.WriteString(" ")
			}
			b.WriteString(tail)
		}
	case c.Expect != nil:
		head(b, "expect")
		broken := writeCond(b, c.Expect.Cond)
		if broken {
			b.WriteString("\n")
			b.WriteString(cont)
		} else {
			b.WriteString(" ")
		}
		b.WriteString("every ")
		b.WriteString(c.Expect.Every.Raw)
	case c.Key != nil:
		head(b, "key")
		b.WriteString(c.Key.Name)
	case c.Escalate != nil:
		e := c.Escalate
		head(b, "escalate")
		b.WriteString(e.Severity.Name)
		b.WriteString(" when count >= ")
		b.WriteString(e.Count.Raw)
		if e.Within != nil {
			b.WriteString(" within ")
			b.WriteString(e.Within.Raw)
		}
	case c.Explains != nil:
		head(b, "explains")
		for i, n := range c.Explains.Names {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(n.Name)
		}
	case c.Example != nil:
		e := c.Example
		head(b, "example")
		b.WriteString(e.Want)
		b.WriteString(" ")
		switch {
		case e.Text != nil:
			b.WriteString(quote(e.Text))
		case e.Event != nil:
			b.WriteString(formatEvent(e.Event))
		case e.Events != nil:
			b.WriteString("[\n")
			for _, ev := range e.Events.Events {
				b.WriteString(cont)
				b.WriteString("  ")
				b.WriteString(formatEvent(ev))
				b.WriteString("\n")
			}
			b.WriteString(cont)
			b.WriteString("]")
			if e.Events.Covering != nil {
				b.WriteString(" covering ")
				b.WriteString(e.Events.Covering.Raw)
			}
		}
	}
	b.WriteString("\n")
}

func quote(t *Text) string { return strconv.Quote(string(t.Value)) }

func formatEvent(e *EventSpec) string {
	var b strings.Builder
	b.WriteString("{")
	for _, a := range e.Attrs {
		b.WriteString(" ")
		b.WriteString(a.Name)
		b.WriteString(" ")
		b.WriteString(FormatValue(a.Value))
	}
	b.WriteString(" }")
	return b.String()
}

// writeCond writes a condition, breaking it over lines at the top-level
// or/and when it is too long. It reports whether it broke the line.
func writeCond(b *strings.Builder, o *Or) bool {
	flat := FormatCond(o)
	if contCol+len(flat) <= maxWidth {
		b.WriteString(flat)
		return false
	}
	if len(o.Terms) > 1 {
		for i, t := range o.Terms {
			if i > 0 {
				b.WriteString("\n")
				b.WriteString(cont)
				b.WriteString("or ")
			}
			b.WriteString(formatAnd(t))
		}
		return true
	}
	a := o.Terms[0]
	if len(a.Terms) > 1 {
		for i, t := range a.Terms {
			if i > 0 {
				b.WriteString("\n")
				b.WriteString(cont)
				b.WriteString("and ")
			}
			b.WriteString(formatUnary(t))
		}
		return true
	}
	b.WriteString(flat)
	return false
}

// FormatCond prints a condition on one line.
func FormatCond(o *Or) string {
	parts := make([]string, len(o.Terms))
	for i, t := range o.Terms {
		parts[i] = formatAnd(t)
	}
	return strings.Join(parts, " or ")
}

func formatAnd(a *And) string {
	parts := make([]string, len(a.Terms))
	for i, t := range a.Terms {
		parts[i] = formatUnary(t)
	}
	return strings.Join(parts, " and ")
}

func formatUnary(u *Unary) string {
	switch {
	case u.Not != nil:
		return "not " + formatUnary(u.Not)
	case u.Group != nil:
		return "(" + FormatCond(u.Group) + ")"
	case u.Cmp != nil:
		return u.Cmp.Field + " " + u.Cmp.Op + " " + FormatValue(u.Cmp.Value)
	}
	return ""
}

// FormatValue prints a value canonically.
func FormatValue(v *Value) string {
	switch {
	case v == nil:
		return ""
	case v.Text != nil:
		return strconv.Quote(string(*v.Text))
	case v.Regex != nil:
		return *v.Regex
	case v.Number != nil:
		return *v.Number
	case v.Duration != nil:
		return *v.Duration
	case v.Ident != nil:
		return *v.Ident
	case v.List != nil:
		parts := make([]string, len(v.List.Items))
		for i, it := range v.List.Items {
			parts[i] = FormatValue(it)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return ""
}
