package syntax

import (
	"exlog/internal/didyoumean"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Lexer is the token definition of the language. Strings are
// double-quoted with Go escapes and never span lines; regexes are
// /…/flags on one line with `\/` for a slash; durations are numbers with
// a unit suffix (validated by the checker so that "10x" gets a precise
// message rather than a syntax error).
var Lexer = lexer.MustSimple([]lexer.SimpleRule{
	{Name: "Comment", Pattern: `#[^\n]*`},
	{Name: "String", Pattern: `"(?:\\[\\"abfnrtv]|\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8}|[^"\\\n])*"`},
	{Name: "Regex", Pattern: `/(?:\\.|[^/\\\n])+/[a-zA-Z]*`},
	{Name: "Hex", Pattern: `0[xX][0-9a-fA-F]+`},
	{Name: "Duration", Pattern: `[0-9]+[a-zA-Z][a-zA-Z0-9]*`},
	{Name: "Number", Pattern: `[0-9]+`},
	{Name: "Keyword", Pattern: `[^\s\S]`}, // never matches: reserved Idents are retyped by keywordMap
	{Name: "Ident", Pattern: `[a-zA-Z_][a-zA-Z0-9_]*(?:[.\-][a-zA-Z0-9_]+)*`},
	{Name: "Op", Pattern: `==|!=|<=|>=|<|>|~`},
	{Name: "Punct", Pattern: `[{}\[\](),]`},
	{Name: "Whitespace", Pattern: `[ \t\r\n]+`},
})

var parser = participle.MustBuild[File](
	participle.Lexer(Lexer),
	participle.Elide("Comment", "Whitespace"),
	participle.Map(keywordMap, "Ident"),
)

// clauseParser parses one clause alone: to find the wrong token inside a
// clause that the file grammar, backtracking, reports at its first word.
var clauseParser = participle.MustBuild[Clause](
	participle.Lexer(Lexer),
	participle.Elide("Comment", "Whitespace"),
	participle.Map(keywordMap, "Ident"),
)

// reserved words cannot be used as field names (or capture names used as
// fields): they are lexed as Keyword tokens, so that a missing value
// before the next clause is reported where it is missing.
var reserved = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range append(clauseKeywords, "pattern", "and", "or", "not", "contains", "startswith", "endswith", "in",
		"at", "least", "within", "followed", "by", "on", "every", "when", "count", "covering", "nomatch") {
		m[w] = true
	}
	return m
}()

// IsReserved reports whether w is a word of the language, not a name.
func IsReserved(w string) bool { return reserved[w] }

var keywordType = Lexer.Symbols()["Keyword"]

func keywordMap(t lexer.Token) (lexer.Token, error) {
	if reserved[t.Value] {
		t.Type = keywordType
	}
	return t, nil
}

// clauseKeywords are the words that start a clause inside a pattern, in
// canonical order.
var clauseKeywords = []string{"title", "severity", "category", "docs", "remedy", "tags", "match", "expect", "key", "escalate", "explains", "example"}

// Problem is one diagnostic: an error (the file is rejected) or a warning
// (lint). Line and Col are 1-based; Col counts bytes.
type Problem struct {
	File    string
	Line    int
	Col     int
	Msg     string
	Hint    string // one line: how to fix it, or "did you mean …?"
	Warning bool
	Source  string // the offending source line, when known
}

// Error is the one-line form "file:line:col: error: message" (or
// "warning: message").
func (p Problem) Error() string {
	w := "error: "
	if p.Warning {
		w = "warning: "
	}
	return fmt.Sprintf("%s:%d:%d: %s%s", p.File, p.Line, p.Col, w, p.Msg)
}

// Long adds the source line with a caret under the column and the hint.
func (p Problem) Long() string {
	var b strings.Builder
	b.WriteString(p.Error())
	if p.Source != "" {
		b.WriteString("\n    ")
		b.WriteString(strings.ReplaceAll(p.Source, "\t", " "))
		b.WriteString("\n    ")
		if p.Col > 1 && p.Col-1 <= len(p.Source) {
			b.WriteString(strings.Repeat(" ", p.Col-1))
		}
		b.WriteString("^")
	}
	if p.Hint != "" {
		b.WriteString("\n    hint: ")
		b.WriteString(p.Hint)
	}
	return b.String()
}

// Problems is a sorted list of diagnostics. As an error it is one line
// (the first problem, and how many more); Long lists every problem with
// its source line and hint.
type Problems []Problem

func (ps Problems) Error() string {
	if len(ps) == 0 {
		return "no problems"
	}
	first := ps[0] // the first error, else the first warning
	for _, p := range ps {
		if !p.Warning {
			first = p
			break
		}
	}
	if len(ps) == 1 {
		return first.Error()
	}
	return fmt.Sprintf("%s (and %d more)", first.Error(), len(ps)-1)
}

// Long is every problem in long form, one after the other.
func (ps Problems) Long() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.Long())
	}
	return b.String()
}

// HasErrors reports whether any problem is not a warning.
func (ps Problems) HasErrors() bool {
	for _, p := range ps {
		if !p.Warning {
			return true
		}
	}
	return false
}

// Sort orders by file, line, column, message and drops exact duplicates.
func (ps Problems) Sort() Problems {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Msg < b.Msg
	})
	out := ps[:0]
	for i, p := range ps {
		if i > 0 && p.File == ps[i-1].File && p.Line == ps[i-1].Line && p.Col == ps[i-1].Col && p.Msg == ps[i-1].Msg {
			continue
		}
		out = append(out, p)
	}
	return out
}

// AttachSource fills Problem.Source from the file text.
func AttachSource(ps Problems, file, src string) {
	var lines []string
	for i := range ps {
		if ps[i].File != file || ps[i].Source != "" || ps[i].Line <= 0 {
			continue
		}
		if lines == nil {
			lines = strings.Split(src, "\n")
		}
		if ps[i].Line <= len(lines) {
			ps[i].Source = strings.TrimRight(lines[ps[i].Line-1], "\r")
		}
	}
}

// Result is a parsed file. Broken lists, per pattern index, whether a
// clause of that pattern was dropped to recover from a syntax error (the
// checker then does not complain that the clause is missing).
type Result struct {
	File   *File
	Broken map[*Pattern]bool
	// Dropped are the field names of conditions dropped for a syntax
	// error after the field (a wrong operator), so that the checker can
	// still say when the field is wrong too.
	Dropped []*Name
}

const maxSyntaxErrors = 25

// Parse parses src. It never panics and always returns a File (possibly
// with fewer patterns or clauses than written). Each pattern (from a line
// starting with "pattern" to the next) is parsed on its own, with the
// rest of the file blanked so positions stay exact; after a syntax error
// the clause around it (or, for a broken header, the pattern) is blanked
// and the pattern parsed again, so that every syntax error of the file is
// reported with its own line and column.
func Parse(filename, src string) (Result, Problems) {
	res := Result{File: &File{}}
	var probs Problems
	for _, ch := range chunks(src) {
		f, blanked, ps, dropped := parseChunk(filename, src, ch)
		probs = append(probs, ps...)
		res.Dropped = append(res.Dropped, dropped...)
		for _, p := range f.Patterns {
			res.File.Patterns = append(res.File.Patterns, p)
			for _, r := range blanked {
				if r.from <= p.EndPos.Line && r.to >= p.Pos.Line {
					if res.Broken == nil {
						res.Broken = map[*Pattern]bool{}
					}
					res.Broken[p] = true
				}
			}
		}
	}
	return res, probs.Sort()
}

// chunks splits src into line ranges, each starting at a line whose first
// word is "pattern" (the first range also holds anything before).
func chunks(src string) []lineRange {
	lines := strings.Split(src, "\n")
	var out []lineRange
	start := 1
	for i := 2; i <= len(lines); i++ {
		if w, _ := firstWord([]byte(lines[i-1])); w == "pattern" {
			out = append(out, lineRange{start, i - 1})
			start = i
		}
	}
	return append(out, lineRange{start, len(lines)})
}

// parseChunk parses the lines of one pattern on their own and shifts
// every position (problems, tree, blanked ranges) back to file
// coordinates.
func parseChunk(filename, src string, ch lineRange) (*File, []lineRange, Problems, []*Name) {
	lines := strings.Split(src, "\n")
	startOff := 0
	for i := 0; i < ch.from-1; i++ {
		startOff += len(lines[i]) + 1
	}
	text := []byte(strings.Join(lines[ch.from-1:min(ch.to, len(lines))], "\n"))
	f, blanked, probs, dropped := parseText(filename, text)
	shift := ch.from - 1
	for i := range probs {
		probs[i].Line += shift
	}
	for i := range blanked {
		blanked[i].from += shift
		blanked[i].to += shift
	}
	shiftPos(reflect.ValueOf(f), shift, startOff)
	shiftPos(reflect.ValueOf(dropped), shift, startOff)
	return f, blanked, probs, dropped
}

var positionType = reflect.TypeOf(lexer.Position{})

func shiftPos(v reflect.Value, lines, offset int) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			shiftPos(v.Elem(), lines, offset)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			shiftPos(v.Index(i), lines, offset)
		}
	case reflect.Struct:
		if v.Type() == positionType {
			p := v.Addr().Interface().(*lexer.Position)
			if p.Line > 0 {
				p.Line += lines
				p.Offset += offset
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				shiftPos(f, lines, offset)
			}
		}
	}
}

// parseText parses one pattern's text with recovery (see Parse).
func parseText(filename string, text []byte) (*File, []lineRange, Problems, []*Name) {
	var probs Problems
	var dropped []*Name
	nlines := strings.Count(string(text), "\n") + 1
	ch := lineRange{1, nlines}
	var blanked []lineRange
	seen := map[[2]int]bool{}
	for attempt := 0; ; attempt++ {
		f, err := parser.ParseBytes(filename, text)
		if err == nil {
			return f, blanked, probs, dropped
		}
		pos, msg := errorPos(err)
		if pos.Line > ch.to || pos.Line < ch.from || strings.Contains(msg, `"<EOF>"`) {
			// Ran off the end of the pattern: it is not closed.
			line, col := lastContent(text, ch)
			if line > 0 {
				probs = append(probs, Problem{File: filename, Line: line, Col: col, Msg: "pattern is not closed: missing }",
					Hint: "every pattern ends with a } on its own line"})
			}
			break
		}
		if seen[[2]int{pos.Line, pos.Column}] || inRanges(blanked, pos.Line) || attempt >= maxSyntaxErrors {
			// No progress: the rest would be cascades of the same mistake.
			if attempt >= maxSyntaxErrors {
				probs = append(probs, Problem{File: filename, Line: pos.Line, Col: pos.Column, Msg: "too many syntax errors; stopping"})
			}
			break
		}
		seen[[2]int{pos.Line, pos.Column}] = true
		var r lineRange
		var ok bool
		if p, r, found := ownClauseError(filename, text, pos); found {
			// The clause that starts at the failing token is itself wrong:
			// report its wrong token, not the clause before it.
			probs = append(probs, p)
			if field := fieldBefore(text, p); field != nil {
				dropped = append(dropped, field)
			}
			blanked = append(blanked, r)
			blank(text, r)
			continue
		}
		if prev, kw, found := previousClause(text, pos); found {
			// The token that failed starts the next clause: the clause
			// before it is incomplete. Blame and drop that one.
			probs = append(probs, Problem{File: filename, Line: prev, Col: kwCol(text, prev),
				Msg:  fmt.Sprintf("incomplete %s clause: %s", kw, friendlyExpect(msg)),
				Hint: clauseHint(kw)})
			r, ok = lineRange{prev, pos.Line - 1}, true
		} else {
			probs = append(probs, syntaxProblem(filename, pos, msg, string(text)))
			r, ok = recoveryRange(text, pos)
		}
		if !ok {
			break
		}
		blanked = append(blanked, r)
		blank(text, r)
	}
	// Parse whatever is left for the checker; if even that fails, give it
	// nothing from this pattern (the syntax errors are already reported).
	f, err := parser.ParseBytes(filename, text)
	if err != nil {
		f = &File{}
	}
	return f, append(blanked, ch), probs, dropped
}

func lastContent(text []byte, ch lineRange) (int, int) {
	lines := strings.Split(string(text), "\n")
	for l := min(ch.to, len(lines)); l >= ch.from; l-- {
		if t := strings.TrimRight(lines[l-1], " \t\r"); t != "" {
			return l, len(t) + 1
		}
	}
	return 0, 0
}

// ParseString parses src and returns the File only if it has no errors.
func ParseString(filename, src string) (*File, error) {
	r, probs := Parse(filename, src)
	if len(probs) > 0 {
		AttachSource(probs, filename, src)
		return nil, probs
	}
	return r.File, nil
}

type lineRange struct{ from, to int } // 1-based, inclusive

func inRanges(rs []lineRange, line int) bool {
	for _, r := range rs {
		if line >= r.from && line <= r.to {
			return true
		}
	}
	return false
}

func errorPos(err error) (lexer.Position, string) {
	if pe, ok := err.(participle.Error); ok {
		return pe.Position(), pe.Message()
	}
	return lexer.Position{Line: 1, Column: 1}, err.Error()
}

func syntaxProblem(file string, pos lexer.Position, msg, src string) Problem {
	p := Problem{File: file, Line: pos.Line, Col: pos.Column, Msg: msg}
	if p.Line == 0 {
		p.Line, p.Col = 1, 1
	}
	word := wordAt(src, pos.Offset)
	switch {
	case strings.Contains(msg, "invalid input text"):
		switch c := byteAt(src, pos.Offset); c {
		case '"':
			p.Msg = "unterminated string or bad escape"
		case '/':
			p.Msg = "unterminated regex"
		default:
			r, _ := utf8.DecodeRuneInString(src[min(max(pos.Offset, 0), len(src)):])
			p.Msg = fmt.Sprintf("unexpected character %q", r)
		}
		p.Hint = `strings are "…" on one line with Go escapes (\n, \", \\); regexes are /…/flags on one line, with \/ for a slash`
	case strings.Contains(msg, "unexpected token \"<EOF>\""):
		p.Hint = "the file ended inside a pattern: is a closing } missing?"
	case strings.Contains(msg, "failed to capture"):
		p.Hint = `not a valid string escape; use \n, \t, \", \\ or \uXXXX`
	case word != "" && isClauseStart(src, pos) && !isKeyword(word):
		p.Msg = fmt.Sprintf("unknown clause %q", word)
		if s := Suggest(word, append(clauseKeywords, "pattern")); s != "" {
			p.Hint = fmt.Sprintf("did you mean %q?", s)
		} else {
			p.Hint = "a pattern holds: " + strings.Join(clauseKeywords, ", ")
		}
	case phraseNext[word] != "" && nextWord(src, pos.Offset+len(word)) != phraseNext[word]:
		// "at lest 3": the grammar gives up at "at"; the wrong word is next.
		off := pos.Offset + len(word)
		for off < len(src) && (src[off] == ' ' || src[off] == '\t') {
			off++
		}
		next := nextWord(src, pos.Offset+len(word))
		p.Col += off - pos.Offset
		p.Msg = fmt.Sprintf("unknown word %q after %s (did you mean %s %s?)", next, word, word, phraseNext[word])
		if next == "" {
			p.Msg = fmt.Sprintf("%s must be followed by %s", word, phraseNext[word])
		}
		p.Hint = clauseHint("match")
	case strings.Contains(msg, "(expected Example)"):
		p.Msg = fmt.Sprintf("unknown word %q after example", word)
		if sug := Suggest(word, []string{"match", "nomatch"}); sug != "" {
			p.Msg += fmt.Sprintf(" (did you mean %s?)", sug)
		}
		p.Hint = clauseHint("example")
	case word != "" && !reserved[word] && afterField(src, pos.Offset) && strings.Contains(msg, `"contains"`):
		p.Msg = fmt.Sprintf("unknown operator %q", word)
		if sug := Suggest(word, operators); sug != "" {
			p.Msg += fmt.Sprintf(" (did you mean %s?)", sug)
		}
		p.Hint = "operators: " + strings.Join(operators, " ")
	case word != "" && len(expectedWords(msg)) > 0 && Suggest(word, expectedWords(msg)) != "":
		want := expectedWords(msg)
		p.Msg = fmt.Sprintf("unknown word %q (did you mean %s?)", word, Suggest(word, want))
		p.Hint = "expected " + strings.Join(want, " or ")
	case word == "pattern":
		p.Hint = "is the closing } of the previous pattern missing?"
	default:
		p.Hint = "conditions read like: message contains \"text\" and level >= warning; see `exlog help patterns`"
	}
	return p
}

// previousClause reports, for an error at the first token of a line that
// is a clause keyword or a closing brace, the line and keyword of the
// clause before it.
func previousClause(text []byte, pos lexer.Position) (int, string, bool) {
	lines := strings.Split(string(text), "\n")
	if pos.Line < 2 || pos.Line > len(lines) || !isClauseStart(string(text), pos) {
		return 0, "", false
	}
	w, br := firstWord([]byte(lines[pos.Line-1]))
	if !br && (!isKeyword(w) || w == "pattern") {
		return 0, "", false
	}
	for l := pos.Line - 1; l >= 1; l-- {
		pw, pbr := firstWord([]byte(lines[l-1]))
		if pbr || pw == "pattern" {
			return 0, "", false
		}
		if isKeyword(pw) {
			return l, pw, true
		}
	}
	return 0, "", false
}

// ownClauseError parses, alone, the clause that starts with the keyword at
// pos (the file grammar fails there when anything inside the clause is
// wrong). If it fails, the problem is at the token where it fails, and
// the clause's lines are the range to blank.
func ownClauseError(filename string, text []byte, pos lexer.Position) (Problem, lineRange, bool) {
	lines := strings.Split(string(text), "\n")
	if pos.Line < 1 || pos.Line > len(lines) || !isClauseStart(string(text), pos) {
		return Problem{}, lineRange{}, false
	}
	if w, _ := firstWord([]byte(lines[pos.Line-1])); w == "pattern" || !isKeyword(w) {
		return Problem{}, lineRange{}, false
	}
	r, ok := recoveryRange(text, pos)
	if !ok || r.from != pos.Line {
		return Problem{}, lineRange{}, false
	}
	alone := append([]byte(nil), text...)
	blank(alone, lineRange{1, r.from - 1})
	blank(alone, lineRange{r.to + 1, len(lines)})
	_, err := clauseParser.ParseBytes(filename, alone)
	if err == nil {
		return Problem{}, lineRange{}, false
	}
	epos, msg := errorPos(err)
	if epos.Line < r.from || epos.Line > r.to || strings.Contains(msg, `"<EOF>"`) {
		return Problem{}, lineRange{}, false // incomplete, not wrong: the caller blames it
	}
	return syntaxProblem(filename, epos, msg, string(text)), r, true
}

// phraseNext is the word that must follow the first word of a phrase.
var phraseNext = map[string]string{"at": "least", "not": "followed", "followed": "by", "when": "count"}

// nextWord is the word after the spaces at off.
func nextWord(src string, off int) string {
	for off < len(src) && (src[off] == ' ' || src[off] == '\t') {
		off++
	}
	return wordAt(src, off)
}

// operators are the comparison operators, for "did you mean".
var operators = []string{"contains", "startswith", "endswith", "in", "==", "!=", "<", "<=", ">", ">=", "~"}

// expectedWords are the quoted keywords a participle message expected
// ("expected "every" Duration" → every).
func expectedWords(msg string) []string {
	i := strings.Index(msg, "(expected ")
	if i < 0 {
		return nil
	}
	var out []string
	for _, f := range strings.Fields(msg[i+len("(expected "):]) {
		f = strings.Trim(f, "()|?*+")
		if len(f) > 2 && f[0] == '"' && f[len(f)-1] == '"' {
			if w := f[1 : len(f)-1]; isIdentWord(w) {
				out = append(out, w)
			}
		}
	}
	return out
}

func isIdentWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if !isIdentByte(w[i]) {
			return false
		}
	}
	return w != ""
}

// afterField reports whether the token at off follows a field name in a
// condition (is where an operator goes): the word before it is an
// identifier that is not a keyword.
func afterField(src string, off int) bool {
	before := strings.TrimRight(src[:min(max(off, 0), len(src))], " \t")
	end := len(before)
	start := end
	for start > 0 && isIdentByte(before[start-1]) {
		start--
	}
	w := before[start:end]
	return w != "" && !reserved[w] && (w[0] < '0' || w[0] > '9')
}

// fieldBefore is the field name before the wrong operator of p, or nil.
func fieldBefore(text []byte, p Problem) *Name {
	if !strings.HasPrefix(p.Msg, "unknown operator ") {
		return nil
	}
	lines := strings.Split(string(text), "\n")
	if p.Line < 1 || p.Line > len(lines) || p.Col-1 > len(lines[p.Line-1]) {
		return nil
	}
	before := strings.TrimRight(lines[p.Line-1][:p.Col-1], " \t")
	start := len(before)
	for start > 0 && isIdentByte(before[start-1]) {
		start--
	}
	off := 0
	for i := 0; i < p.Line-1; i++ {
		off += len(lines[i]) + 1
	}
	return &Name{Pos: lexer.Position{Filename: p.File, Line: p.Line, Column: start + 1, Offset: off + start}, Name: before[start:]}
}

func kwCol(text []byte, line int) int {
	lines := strings.Split(string(text), "\n")
	l := lines[line-1]
	return len(l) - len(strings.TrimLeft(l, " \t")) + 1
}

var expectWords = strings.NewReplacer(
	"expected Name", "expected a name",
	"expected Text", `expected a "string"`,
	"expected Or", "expected a condition such as message contains \"text\"",
	"expected Duration", "expected a duration such as 10m or 26h",
	"expected Number", "expected a number",
	"expected Value", "expected a value",
)

func friendlyExpect(msg string) string {
	if i := strings.Index(msg, "(expected "); i >= 0 {
		return expectWords.Replace(strings.TrimSuffix(msg[i+1:], ")"))
	}
	return msg
}

func clauseHint(kw string) string {
	switch kw {
	case "title", "docs", "remedy":
		return kw + ` takes a "quoted string"`
	case "severity":
		return "severity is one of info, warning, error, critical"
	case "category", "key":
		return kw + " takes a name"
	case "tags":
		return `tags ["a", "b"]`
	case "match":
		return `match <condition> [at least N within D | not followed by <condition> within D [on FIELD]]`
	case "expect":
		return "expect <condition> every 26h"
	case "escalate":
		return "escalate error when count >= 10 [within 1h]"
	case "example":
		return `example match "message text" | example nomatch { message "…" type error }`
	}
	return ""
}

func byteAt(s string, off int) byte {
	if off >= 0 && off < len(s) {
		return s[off]
	}
	return 0
}

func isKeyword(w string) bool {
	for _, k := range clauseKeywords {
		if k == w {
			return true
		}
	}
	return w == "pattern"
}

// isClauseStart reports whether pos is the first token on its line.
func isClauseStart(src string, pos lexer.Position) bool {
	if pos.Offset > len(src) {
		return false
	}
	i := strings.LastIndexByte(src[:pos.Offset], '\n')
	return strings.TrimSpace(src[i+1:pos.Offset]) == ""
}

func wordAt(src string, off int) string {
	if off < 0 || off >= len(src) {
		return ""
	}
	end := off
	for end < len(src) && (isIdentByte(src[end])) {
		end++
	}
	return src[off:end]
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '.' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// firstWord returns the first word of a line and whether the line starts
// with "}".
func firstWord(line []byte) (string, bool) {
	s := strings.TrimLeft(string(line), " \t\r")
	if strings.HasPrefix(s, "}") {
		return "", true
	}
	end := 0
	for end < len(s) && isIdentByte(s[end]) {
		end++
	}
	return s[:end], false
}

// recoveryRange finds the lines to blank after an error at pos: the
// clause around it (from the nearest line starting with a clause keyword
// to the line before the next clause, closing brace or pattern), or the
// whole pattern when the error is in its header. An unknown word at the
// start of a line is a clause of its own; an error at a closing brace
// blanks the clause before it (usually an incomplete one).
func recoveryRange(text []byte, pos lexer.Position) (lineRange, bool) {
	lines := strings.Split(string(text), "\n")
	line := pos.Line
	if line < 1 || line > len(lines) {
		return lineRange{}, false
	}
	kind := func(i int) (word string, brace, start bool) {
		w, br := firstWord([]byte(lines[i-1]))
		return w, br, br || isKeyword(w)
	}
	from := line
	if _, br, _ := kind(line); br && line > 1 {
		from = line - 1
		for from > 1 && strings.TrimSpace(lines[from-1]) == "" {
			from--
		}
	}
	ownClause := from == line && isClauseStart(string(text), pos)
	for !ownClause && from > 1 {
		if _, _, st := kind(from); st {
			break
		}
		from--
	}
	w, br, _ := kind(from)
	to := from
	if br {
		// Only a brace line: nothing sensible to drop but the brace.
		return lineRange{from, from}, strings.TrimSpace(lines[from-1]) != ""
	}
	for to < len(lines) {
		nw, nbr, st := kind(to + 1)
		if w == "pattern" {
			if nw == "pattern" {
				break
			}
		} else if st || nbr {
			break
		}
		to++
	}
	r := lineRange{from, to}
	for i := r.from; i <= r.to; i++ {
		if strings.TrimSpace(lines[i-1]) != "" {
			return r, true
		}
	}
	return r, false
}

func blank(text []byte, r lineRange) {
	line := 1
	for i := range text {
		if text[i] == '\n' {
			line++
			continue
		}
		if line >= r.from && line <= r.to && text[i] != '\r' {
			text[i] = ' '
		}
	}
}

// Suggest returns the candidate closest to word (edit distance at most
// about a third of its length), or "".
func Suggest(word string, candidates []string) string {
	return didyoumean.Nearest(word, candidates, len(word)/3+1)
}
