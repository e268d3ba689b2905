// Package patterns is exlog's pattern language and its signature library:
// the single entry point for loading pattern files, matching events and
// running the inline examples.
//
// A pattern file (*.exlog) holds patterns like:
//
//	pattern network.dns {
//	  title    "Remote name could not be resolved: {host}"
//	  severity error
//	  docs     "https://learn.microsoft.com/…"
//	  remedy   "Check DNS and the proxy settings of the connector server."
//	  match    message ~ /remote name could not be resolved: '(?P<host>[^']+)'/i
//	  key      host
//	  escalate critical when count >= 100 within 1h
//	  example  match "The remote name could not be resolved: 'manage.microsoft.com'"
//	  example  nomatch "Resolved manage.microsoft.com"
//	}
//
// See doc.go for the whole language. Sub-packages under internal/ hold
// the phases: syntax (lexer, grammar, parser, printer), check (names,
// regexes, durations; compiles), rule (the compiled form) and eval (the
// streaming matcher with its literal prefilter).
package patterns

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"unicode/utf16"

	"exlog/event"
	"exlog/patterns/internal/check"
	"exlog/patterns/internal/eval"
	"exlog/patterns/internal/rule"
	"exlog/patterns/internal/syntax"
	"exlog/report"
)

//go:embed library/*.exlog
var libraryFS embed.FS

// LibraryFS is the embedded library (files under "library/").
func LibraryFS() fs.FS { return libraryFS }

// Position is a 1-based line and byte column in a pattern file.
type Position struct{ Line, Col int }

func (p Position) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Pattern is one loaded, checked pattern. Its fields are read-only.
type Pattern struct {
	ID       string
	Title    string // as written, with {placeholders}
	Category string
	Remedy   string
	Docs     string
	Severity report.Severity
	Tags     []string
	File     string // "library/network.exlog" or the user file's path
	Pos      Position
	Kind     string // "match", "count", "sequence" or "absence"
	Builtin  bool   // from the embedded library
	Examples int
	Explains []string // ids of patterns whose evidence this one accounts for

	rule *rule.Pattern
	ast  *syntax.Pattern
}

// Override records that a user pattern replaced a pattern of the same id
// from an earlier layer (the library or an earlier --patterns dir).
type Override struct {
	ID       string
	File     string // the file of the pattern now in force
	Pos      Position
	Replaced string // the file of the pattern it replaced
}

// String says it in words.
func (o Override) String() string {
	return fmt.Sprintf("pattern %s from %s (line %d) replaces the one in %s", o.ID, o.File, o.Pos.Line, o.Replaced)
}

// Problem is one diagnostic, Problems a sorted list; as an error,
// Problems is one line ("file:line:col: error: message (and N more)"),
// and Long prints every problem with its source line and hint.
type (
	Problem  = syntax.Problem
	Problems = syntax.Problems
)

// Window is the time span covered by the logs; Note is a rule that could
// not be judged (see Matcher.Finish).
type (
	Window = eval.Window
	Note   = eval.Note
)

// Library is a loaded, checked set of patterns. It is immutable and safe
// for concurrent use; each goroutine makes its own Matcher.
type Library struct {
	pats      []*Pattern
	byID      map[string]*Pattern
	overrides []Override
	warnings  Problems
	compiled  *eval.Compiled
}

const maxFileSize = 4 << 20

// Load compiles the embedded library plus the user directories (or
// single .exlog files), in order: a later pattern with the same id
// replaces an earlier one and is recorded in Overrides. It reports every
// problem of every file; the error, when not nil, is a Problems.
func Load(userDirs ...string) (*Library, error) {
	ld := newLoader()
	ld.layerFS(libraryFS, "library", true)
	for _, d := range userDirs {
		ld.layerDir(d)
	}
	return ld.finish()
}

// LoadFS loads only the *.exlog files in dir of fsys (no embedded
// library). For tests and for linting one directory.
func LoadFS(fsys fs.FS, dir string) (*Library, error) {
	ld := newLoader()
	ld.known = libraryIDs()
	ld.layerFS(fsys, dir, false)
	return ld.finish()
}

// LoadDir loads the .exlog files of dir, or the one file dir names,
// without the embedded library (what `patterns lint DIR` checks).
func LoadDir(dir string) (*Library, error) {
	ld := newLoader()
	ld.layerDir(dir)
	return ld.finish()
}

// LoadSource loads one file given as text (no embedded library).
func LoadSource(name, src string) (*Library, error) {
	ld := newLoader()
	ld.known = libraryIDs()
	ld.layer([]file{{name: name, src: src}}, false)
	return ld.finish()
}

type file struct{ name, src string }

var (
	libIDsOnce sync.Once
	libIDs     map[string]bool
)

// libraryIDs returns the ids of the embedded library's patterns (read
// only): files loaded without the library (LoadFS, LoadSource) are meant
// to be used on top of it, so their explains clauses may name its ids.
func libraryIDs() map[string]bool {
	libIDsOnce.Do(func() {
		libIDs = map[string]bool{}
		if lib, err := Load(); err == nil {
			for _, p := range lib.pats {
				libIDs[p.ID] = true
			}
		}
	})
	return libIDs
}

// decodeText accepts what Windows editors write: UTF-8 with or without a
// BOM, and UTF-16 (LE or BE) with a BOM. CRLF needs no conversion.
func decodeText(b []byte) string {
	switch {
	case len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF:
		return string(b[3:])
	case len(b) >= 2 && (b[0] == 0xFF && b[1] == 0xFE || b[0] == 0xFE && b[1] == 0xFF):
		le := b[0] == 0xFF
		u := make([]uint16, 0, len(b)/2)
		for i := 2; i+1 < len(b); i += 2 {
			if le {
				u = append(u, uint16(b[i])|uint16(b[i+1])<<8)
			} else {
				u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
			}
		}
		return string(utf16.Decode(u))
	}
	return string(b)
}

type loader struct {
	probs     Problems
	pats      []*Pattern
	byID      map[string]*Pattern
	overrides []Override
	known     map[string]bool   // ids that exist outside the loaded layers
	srcs      map[string]string // file name → text, for problems found after the layers
}

func newLoader() *loader { return &loader{byID: map[string]*Pattern{}, srcs: map[string]string{}} }

func (ld *loader) fail(name, msg, hint string) {
	ld.probs = append(ld.probs, Problem{File: name, Line: 1, Col: 1, Msg: msg, Hint: hint})
}

func (ld *loader) layerFS(fsys fs.FS, dir string, builtin bool) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.exlog"))
	if err != nil {
		ld.fail(dir, err.Error(), "")
		return
	}
	sort.Strings(names)
	var files []file
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			ld.fail(n, "cannot read: "+err.Error(), "")
			continue
		}
		files = append(files, file{name: n, src: decodeText(b)})
	}
	ld.layer(files, builtin)
}

func (ld *loader) layerDir(dir string) {
	st, err := os.Stat(dir)
	if err != nil {
		ld.fail(dir, "cannot read pattern directory: "+err.Error(), "--patterns takes a directory of *.exlog files or one .exlog file")
		return
	}
	var names []string
	if st.IsDir() {
		names, _ = filepath.Glob(filepath.Join(dir, "*.exlog"))
		if len(names) == 0 {
			ld.fail(dir, "no *.exlog files in this directory", "pattern files end in .exlog")
			return
		}
	} else {
		names = []string{dir}
	}
	sort.Strings(names)
	var files []file
	for _, n := range names {
		fi, err := os.Stat(n)
		if err == nil && fi.Size() > maxFileSize {
			ld.fail(n, "pattern file larger than 4 MiB", "is this really a pattern file?")
			continue
		}
		b, err := os.ReadFile(n)
		if err != nil {
			ld.fail(n, "cannot read: "+err.Error(), "")
			continue
		}
		files = append(files, file{name: n, src: decodeText(b)})
	}
	ld.layer(files, false)
}

// layer compiles one layer: duplicates inside it are errors, ids from
// earlier layers are overridden.
func (ld *loader) layer(files []file, builtin bool) {
	inLayer := map[string]*Pattern{}
	for _, f := range files {
		ld.srcs[f.name] = f.src
		res, probs := syntax.Parse(f.name, f.src)
		compiled, cprobs := check.File(f.name, res)
		probs = append(probs, cprobs...)
		for _, c := range compiled {
			p := newPattern(c, builtin)
			if prev, dup := inLayer[p.ID]; dup {
				probs = append(probs, Problem{File: f.name, Line: p.Pos.Line, Col: p.Pos.Col,
					Msg:  fmt.Sprintf("duplicate pattern id %q", p.ID),
					Hint: fmt.Sprintf("rename one of them; the other is at %s:%s", prev.File, prev.Pos)})
				continue
			}
			inLayer[p.ID] = p
			if prev, ok := ld.byID[p.ID]; ok {
				ld.overrides = append(ld.overrides, Override{ID: p.ID, File: p.File, Pos: p.Pos, Replaced: prev.File})
				for i := range ld.pats {
					if ld.pats[i] == prev {
						ld.pats[i] = p
					}
				}
			} else {
				ld.pats = append(ld.pats, p)
			}
			ld.byID[p.ID] = p
		}
		syntax.AttachSource(probs, f.name, f.src)
		ld.probs = append(ld.probs, probs...)
	}
}

func newPattern(c check.Compiled, builtin bool) *Pattern {
	r := c.Rule
	return &Pattern{
		ID: r.ID, Title: r.TitleText, Category: r.Category, Remedy: r.Remedy, Docs: r.Docs,
		Severity: r.Severity, Tags: r.Tags, File: r.File, Pos: Position{r.Line, r.Col},
		Kind: r.Kind.String(), Builtin: builtin, Examples: len(r.Examples),
		Explains: append([]string(nil), r.Explains...),
		rule:     r, ast: c.AST,
	}
}

func (ld *loader) finish() (*Library, error) {
	rules := make([]*rule.Pattern, len(ld.pats))
	for i, p := range ld.pats {
		rules[i] = p.rule
	}
	prec := check.Precedence(rules, ld.known)
	for name, src := range ld.srcs {
		syntax.AttachSource(prec, name, src)
	}
	ld.probs = append(ld.probs, prec...)
	probs := ld.probs.Sort()
	if probs.HasErrors() {
		return nil, probs
	}
	sort.SliceStable(ld.pats, func(i, j int) bool { return ld.pats[i].ID < ld.pats[j].ID })
	l := &Library{pats: ld.pats, byID: ld.byID, overrides: ld.overrides, warnings: probs}
	rules = make([]*rule.Pattern, len(l.pats))
	for i, p := range l.pats {
		rules[i] = p.rule
	}
	l.compiled = eval.Compile(rules)
	return l, nil
}

// Patterns returns the patterns in force, sorted by id.
func (l *Library) Patterns() []*Pattern { return l.pats }

// Pattern returns the pattern with that id, or nil.
func (l *Library) Pattern(id string) *Pattern { return l.byID[id] }

// Overrides lists user patterns that replaced earlier ones, in load order.
func (l *Library) Overrides() []Override { return l.overrides }

// Warnings are lint findings that do not stop loading (missing examples,
// conditions the prefilter cannot use).
func (l *Library) Warnings() Problems { return l.warnings }

// Literals returns the lower-case strings of which every message the
// pattern's probes (when, and then for sequences) can match contains at
// least one: the matcher's literal prefilter. ok is false when some probe
// has no such guarantee and is evaluated for every event. Benchmarks use
// it to scan for the same signatures with other tools.
func (p *Pattern) Literals() (lits []string, ok bool) {
	for _, pr := range []*rule.Probe{p.rule.When, p.rule.Then} {
		if pr == nil {
			continue
		}
		if pr.Literals == nil {
			return nil, false
		}
		lits = append(lits, pr.Literals...)
	}
	return lits, len(lits) > 0
}

// Format prints a pattern canonically (see syntax.Format): parsing the
// output yields the same pattern.
func Format(p *Pattern) string { return syntax.Format(p.ast) }

// Matcher runs a library over a stream of events. Not safe for
// concurrent use: one per goroutine.
type Matcher struct{ m *eval.Matcher }

// NewMatcher returns a fresh matcher over every pattern of the library.
func (l *Library) NewMatcher() *Matcher { return &Matcher{m: eval.NewShared(l.compiled)} }

// Observe feeds one event, in approximate time order (disorder of a few
// seconds across threads is tolerated). e is not retained.
func (m *Matcher) Observe(e *event.Event) { m.m.Observe(e) }

// Finish closes all windows and returns the findings, sorted by severity
// then id and key, and the notes for rules that could not be judged: an
// absence rule ("expect … every D") fires only inside cov, and when cov
// is shorter than D it yields a Note with Reason "coverage-short" instead
// (the analyzer reports sync.coverage-short once). The Matcher must not
// be used afterwards.
func (m *Matcher) Finish(cov Window) ([]report.Finding, []Note) { return m.m.Finish(cov) }

// ExampleResult is the outcome of one inline example.
type ExampleResult struct {
	PatternID string
	File      string
	Pos       Position
	Want      bool   // true: "example match"
	Got       bool   // a finding came out
	Title     string // title of the first finding, placeholders filled
	Notes     []string
}

// Passed reports whether the example behaved as declared.
func (r ExampleResult) Passed() bool { return r.Want == r.Got }

func (r ExampleResult) String() string {
	want := "nomatch"
	if r.Want {
		want = "match"
	}
	status := "ok"
	if !r.Passed() {
		status = "FAIL"
	}
	s := fmt.Sprintf("%s:%s: %s example %s of %s", r.File, r.Pos, status, want, r.PatternID)
	if r.Got && r.Title != "" {
		s += ": " + r.Title
	}
	if len(r.Notes) > 0 {
		s += " (" + strings.Join(r.Notes, "; ") + ")"
	}
	return s
}

// Test runs every inline example of every pattern, each against a fresh
// matcher holding only its own pattern.
func (l *Library) Test() []ExampleResult {
	var out []ExampleResult
	for _, p := range l.pats {
		out = append(out, RunExamples(p)...)
	}
	return out
}

// RunExamples runs one pattern's examples.
func RunExamples(p *Pattern) []ExampleResult {
	var out []ExampleResult
	one := eval.Compile([]*rule.Pattern{p.rule})
	for _, ex := range p.rule.Examples {
		m := eval.NewShared(one)
		evs := append([]rule.ExampleEvent(nil), ex.Events...)
		sort.SliceStable(evs, func(i, j int) bool { return evs[i].Offset < evs[j].Offset })
		var end = ex.Covering
		for i := range evs {
			end = max(end, evs[i].Offset)
			e := evs[i].Event
			m.Observe(&e)
		}
		cov := Window{Start: check.ExampleBase, End: check.ExampleBase.Add(end)}
		fs, notes := m.Finish(cov)
		r := ExampleResult{PatternID: p.ID, File: p.File, Pos: Position{ex.Line, ex.Col}, Want: ex.Want, Got: len(fs) > 0}
		if len(fs) > 0 {
			r.Title = fs[0].Title
		}
		for _, n := range notes {
			r.Notes = append(r.Notes, n.Message)
		}
		out = append(out, r)
	}
	return out
}

// OtherKey is the key of the finding that pools the values of a keyed
// pattern beyond its limit of distinct keys: it names no one value.
const OtherKey = eval.OtherKey
