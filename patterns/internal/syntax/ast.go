// Package syntax is the front end of the exlog pattern language: the
// lexer, the grammar (participle structs with positions), a parser that
// recovers after a syntax error so that every mistake of a file is
// reported, and the canonical printer.
//
// The AST knows nothing about events or evaluation; the checker
// (patterns/internal/check) validates it and compiles it.
package syntax

import (
	"strconv"

	"github.com/alecthomas/participle/v2/lexer"
)

// File is one .exlog file: a sequence of patterns.
type File struct {
	Patterns []*Pattern `parser:"@@*"`
}

// Pattern is `pattern <id> { clauses }`.
type Pattern struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	ID      string    `parser:"\"pattern\" @Ident"`
	Clauses []*Clause `parser:"\"{\" @@* \"}\""`
}

// Clause is one line-ish statement inside a pattern. Exactly one member is
// set. Clause order is kept as written; the checker rejects duplicates.
type Clause struct {
	Pos      lexer.Position
	Title    *Text       `parser:"  \"title\" @@"`
	Severity *Name       `parser:"| \"severity\" @@"`
	Category *Name       `parser:"| \"category\" @@"`
	Docs     *Text       `parser:"| \"docs\" @@"`
	Remedy   []*Text     `parser:"| \"remedy\" @@+"`
	Tags     *TextList   `parser:"| \"tags\" @@"`
	Match    *MatchRule  `parser:"| \"match\" @@"`
	Expect   *ExpectRule `parser:"| \"expect\" @@"`
	Key      *Name       `parser:"| \"key\" @@"`
	Escalate *Escalation `parser:"| \"escalate\" @@"`
	Explains *NameList   `parser:"| \"explains\" @@"`
	Example  *Example    `parser:"| \"example\" @@"`
}

// NameList is `id[, id...]`: the pattern ids an `explains` clause names.
type NameList struct {
	Pos   lexer.Position
	Names []*Name `parser:"@@ (\",\" @@)*"`
}

// Text is a double-quoted string; Value is already unquoted (Go escapes).
type Text struct {
	Pos   lexer.Position
	Value Quoted `parser:"@String"`
}

// Quoted unquotes a String token while parsing.
type Quoted string

// Capture implements participle.Capture.
func (q *Quoted) Capture(values []string) error {
	s, err := strconv.Unquote(values[0])
	if err != nil {
		return err
	}
	*q = Quoted(s)
	return nil
}

// TextList is `[ "a", "b" ]`.
type TextList struct {
	Pos   lexer.Position
	Items []*Text `parser:"\"[\" (@@ (\",\" @@)* \",\"?)? \"]\""`
}

// Name is an identifier with its position (severity names, categories,
// field names).
type Name struct {
	Pos  lexer.Position
	Name string `parser:"@Ident"`
}

// Number is a decimal or 0x-hex integer literal, kept as written.
type Number struct {
	Pos lexer.Position
	Raw string `parser:"@(Number | Hex)"`
}

// Duration is a duration literal such as 10m, 26h, 1h30m, 2d, kept as
// written; the checker validates the units.
type Duration struct {
	Pos lexer.Position
	Raw string `parser:"@Duration"`
}

// MatchRule is `match COND [at least N [within D] | not followed by COND within D [on FIELD]]`.
type MatchRule struct {
	Pos       lexer.Position
	Cond      *Or        `parser:"@@"`
	Threshold *Threshold `parser:"( @@"`
	Sequence  *Sequence  `parser:"| @@ )?"`
}

// Threshold is `at least N [within D]`.
type Threshold struct {
	Pos    lexer.Position
	Count  *Number   `parser:"\"at\" \"least\" @@"`
	Within *Duration `parser:"(\"within\" @@)?"`
}

// Sequence is `not followed by COND within D [on FIELD]`.
type Sequence struct {
	Pos    lexer.Position
	Then   *Or       `parser:"\"not\" \"followed\" \"by\" @@"`
	Within *Duration `parser:"\"within\" @@"`
	On     *Name     `parser:"(\"on\" @@)?"`
}

// ExpectRule is the absence rule `expect COND every D`.
type ExpectRule struct {
	Pos   lexer.Position
	Cond  *Or       `parser:"@@"`
	Every *Duration `parser:"\"every\" @@"`
}

// Escalation is `escalate SEVERITY when count >= N [within D]`.
type Escalation struct {
	Pos      lexer.Position
	Severity *Name     `parser:"@@ \"when\" \"count\" \">=\""`
	Count    *Number   `parser:"@@"`
	Within   *Duration `parser:"(\"within\" @@)?"`
}

// Example is `example match|nomatch (TEXT | {EVENT} | [ {EVENT}... ] [covering D])`.
type Example struct {
	Pos    lexer.Position
	Want   string     `parser:"@(\"match\" | \"nomatch\")"`
	Text   *Text      `parser:"( @@"`
	Event  *EventSpec `parser:"| @@"`
	Events *EventList `parser:"| @@ )"`
}

// EventList is a multi-event example: events with `at` offsets.
type EventList struct {
	Pos      lexer.Position
	Events   []*EventSpec `parser:"\"[\" @@* \"]\""`
	Covering *Duration    `parser:"(\"covering\" @@)?"`
}

// EventSpec is `{ name value ... }` describing one example event.
type EventSpec struct {
	Pos   lexer.Position
	Attrs []*Attr `parser:"\"{\" @@* \"}\""`
}

// Attr is one `name value` of an example event.
type Attr struct {
	Pos   lexer.Position
	Name  string `parser:"@( Ident | \"at\" )"`
	Value *Value `parser:"@@"`
}

// Or is `A or B or ...`.
type Or struct {
	Pos   lexer.Position
	Terms []*And `parser:"@@ ( \"or\" @@ )*"`
}

// And is `A and B and ...`.
type And struct {
	Pos   lexer.Position
	Terms []*Unary `parser:"@@ ( \"and\" @@ )*"`
}

// Unary is `not X`, `( COND )` or a comparison.
type Unary struct {
	Pos   lexer.Position
	Not   *Unary      `parser:"  \"not\" @@"`
	Group *Or         `parser:"| \"(\" @@ \")\""`
	Cmp   *Comparison `parser:"| @@"`
}

// Comparison is `FIELD OP VALUE`.
type Comparison struct {
	Pos   lexer.Position
	Field string `parser:"@Ident"`
	Op    string `parser:"@( \"contains\" | \"startswith\" | \"endswith\" | \"in\" | Op )"`
	Value *Value `parser:"@@"`
}

// Value is the right-hand side of a comparison or an example attribute.
type Value struct {
	Pos      lexer.Position
	Text     *Quoted `parser:"  @String"`
	Regex    *string `parser:"| @Regex"`
	Number   *string `parser:"| @(Number | Hex)"`
	Duration *string `parser:"| @Duration"`
	Ident    *string `parser:"| @Ident"`
	List     *List   `parser:"| @@"`
}

// List is `[ v, v, ... ]`.
type List struct {
	Pos   lexer.Position
	Items []*Value `parser:"\"[\" ( @@ ( \",\" @@ )* \",\"? )? \"]\""`
}
