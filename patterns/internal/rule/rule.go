// Package rule is the compiled form of a pattern: what the checker
// produces and the evaluator runs. Everything in it has been validated
// (fields exist, regexes compile, durations are positive), so the
// evaluator never meets unchecked input.
//
// Values are immutable after compilation and may be shared by any number
// of matchers; Ctx is per matcher and not safe for concurrent use.
package rule

import (
	"time"

	"exlog/event"
	"exlog/report"
)

// Kind says how matching events turn into findings.
type Kind uint8

const (
	// Each: every matching event counts; one finding per key.
	Each Kind = iota + 1
	// Count: a finding only when at least MinCount events fall within
	// Within of each other; Count is the number of events in such bursts.
	Count
	// Sequence: a When event not followed by a Then event within
	// SeqWithin (on the same activity or captured value) counts.
	Sequence
	// Absence: a stretch longer than Period inside the covered window
	// without any When event counts.
	Absence
)

func (k Kind) String() string {
	switch k {
	case Each:
		return "match"
	case Count:
		return "count"
	case Sequence:
		return "sequence"
	case Absence:
		return "absence"
	}
	return "invalid"
}

// Pattern is one compiled pattern.
type Pattern struct {
	ID, Category string
	Title        []TitlePart
	TitleText    string // as written, placeholders included
	Severity     report.Severity
	Remedy, Docs string      // Remedy as written, placeholders included
	RemedyParts  []TitlePart // Remedy with its placeholders, filled like the title
	Tags         []string
	File         string
	Line, Col    int

	Kind     Kind
	When     *Probe
	Then     *Probe        // Sequence only
	MinCount int           // Count only
	Within   time.Duration // Count: burst window; Sequence: how long to wait for Then
	SeqOn    string        // Sequence: "activity", a field/capture name, or "" (global)
	Period   time.Duration // Absence only
	Key      string        // field or capture naming the finding instance; "" for one finding
	Escalate []Escalation  // sorted by severity ascending
	Examples []Example
	Captures []string // capture names defined by the pattern's regexes

	// Explains lists the ids of patterns whose evidence this pattern
	// accounts for: an event this pattern's condition matches is not
	// counted for them (one cause, one finding). ExplainsAt holds the
	// position of each id in the file.
	Explains   []string
	ExplainsAt []Pos
}

// Pos is a 1-based line and byte column in a pattern file.
type Pos struct{ Line, Col int }

// Escalation raises the severity when the count reaches Count (within
// Within of each other when Within > 0).
type Escalation struct {
	Severity report.Severity
	Count    int
	Within   time.Duration
}

// TitlePart is a literal piece of a title or remedy, or a placeholder.
type TitlePart struct {
	Lit     string
	Field   string // placeholder name when non-empty
	Default string // shown when the placeholder has no value ({name|default}); "" shows "?"
}

// Builtin placeholders that are not event fields.
const (
	PlaceholderCount = "count"
	PlaceholderKey   = "key"
	PlaceholderGap   = "gap"
)

// RenderTitle fills the placeholders; lookup returns a value or "" (shown
// as "?").
func RenderTitle(parts []TitlePart, lookup func(string) string) string {
	n := 0
	for _, p := range parts {
		n += len(p.Lit) + 8
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		if p.Field == "" {
			b = append(b, p.Lit...)
			continue
		}
		v := lookup(p.Field)
		if v == "" {
			v = p.Default
		}
		if v == "" {
			v = "?"
		}
		b = append(b, v...)
	}
	return string(b)
}

// Probe is one condition of a pattern together with what the prefilter
// needs to know about it.
type Probe struct {
	Cond Cond
	// Literals: a message that satisfies Cond contains (after lower-casing)
	// at least one of these. Nil means no such guarantee: the probe is
	// evaluated for every event.
	Literals []string
}

// Example is an inline example: events fed to a fresh matcher holding
// only this pattern; Want says whether a finding must come out.
type Example struct {
	Want      bool
	Events    []ExampleEvent
	Covering  time.Duration // covered window length; 0 = up to the last event
	Line, Col int
}

// ExampleEvent is one event of an example, at Offset from the start.
type ExampleEvent struct {
	Offset time.Duration
	Event  event.Event
}
