package syntax

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
)

// stripPos zeroes every position in a tree so that trees parsed from
// differently laid-out text compare equal.
func stripPos(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			stripPos(v.Elem())
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			stripPos(v.Index(i))
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(lexer.Position{}) {
			v.Set(reflect.Zero(v.Type()))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Field(i).CanSet() {
				stripPos(v.Field(i))
			}
		}
	}
}

func libraryFiles(t testing.TB) map[string]string {
	dir := filepath.Join("..", "..", "library")
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".exlog") {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = string(b)
		return err
	})
	if err != nil || len(out) == 0 {
		t.Fatalf("library files: %v (%d)", err, len(out))
	}
	return out
}

func roundTrip(t testing.TB, name, src string) {
	t.Helper()
	f, err := ParseString(name, src)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	for _, p := range f.Patterns {
		printed := Format(p)
		g, err := ParseString(name+"(printed)", printed)
		if err != nil {
			t.Fatalf("printed %s does not parse: %v\n%s", p.ID, err, printed)
		}
		if len(g.Patterns) != 1 {
			t.Fatalf("printed %s gives %d patterns", p.ID, len(g.Patterns))
		}
		a, b := *p, *g.Patterns[0]
		stripPos(reflect.ValueOf(&a))
		stripPos(reflect.ValueOf(&b))
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%s does not round-trip:\n%s", p.ID, printed)
		}
		if again := Format(g.Patterns[0]); again != printed {
			t.Fatalf("%s: printing is not idempotent:\n%s\n---\n%s", p.ID, printed, again)
		}
	}
}

func TestLibraryRoundTrip(t *testing.T) {
	for name, src := range libraryFiles(t) {
		t.Run(filepath.Base(name), func(t *testing.T) { roundTrip(t, name, src) })
	}
}

func TestRoundTripAllConstructs(t *testing.T) {
	src := `pattern a.b {
  title "x {y} {{literal}}" severity warning category net docs "https://example.invalid/"
  remedy "one" "two \"quoted\" \\ \t é \u2028"
  tags []
  match not (message contains ["a", "b"] or type in [error, warning]) and level >= warning and event_id in [7000, 0x1B59,] and format != trace and message ~ /x\/y(?P<y>\d+)/is
        at least 3 within 1h30m
  key y
  escalate critical when count >= 10
  escalate error when count >= 5 within 10m
  example match { message "m" type verbose event_id 1 format eventlog-xml exception.type "E" at 0s }
  example nomatch [ { at 0s message "a" } { at 3h message "b" } ] covering 30h
  example nomatch [ ]
}
pattern c.d { match a == b not followed by c startswith "x" within 2h on activity expect x endswith "y" every 26h }
`
	roundTrip(t, "all.exlog", src)
}

func TestThreeMistakesOnThreeLines(t *testing.T) {
	src := "pattern a.b {\n" + // 1
		"  titel \"x\"\n" + // 2: unknown clause
		"  severity\n" + // 3: missing value
		"  match message contains \"unterminated\n" + // 4: lexer error
		"  remedy \"ok\"\n" + // 5
		"}\n"
	_, probs := Parse("bad.exlog", src)
	want := []struct{ line, col int }{{2, 3}, {3, 3}, {4, 26}}
	if len(probs) != len(want) {
		t.Fatalf("want %d problems, got %d:\n%v", len(want), len(probs), probs)
	}
	for i, w := range want {
		if probs[i].Line != w.line || probs[i].Col != w.col || probs[i].Hint == "" {
			t.Errorf("problem %d = %s (hint %q), want %d:%d with a hint", i, probs[i].Error(), probs[i].Hint, w.line, w.col)
		}
		if !strings.HasPrefix(probs[i].Error(), "bad.exlog:") {
			t.Errorf("problem %d not file:line:col: %s", i, probs[i].Error())
		}
	}
	if !strings.Contains(probs[0].Hint, `"title"`) {
		t.Errorf("no did-you-mean for titel: %q", probs[0].Hint)
	}
}

func TestErrorsInSeveralPatterns(t *testing.T) {
	src := "pattern a.b {\n  title \"x\"\n  match message contains\n}\n\npattern c.d {\n  match message ~ /x/ within\n}\npattern e.f { title \"ok\" }\n"
	r, probs := Parse("multi.exlog", src)
	if len(probs) != 2 || probs[0].Line != 3 || probs[1].Line != 7 {
		t.Fatalf("want errors on lines 3 and 7, got:\n%v", probs)
	}
	if len(r.File.Patterns) != 3 {
		t.Fatalf("recovery kept %d patterns, want 3", len(r.File.Patterns))
	}
	if !r.Broken[r.File.Patterns[0]] || r.Broken[r.File.Patterns[2]] {
		t.Errorf("broken marks wrong: %v", r.Broken)
	}
}

func TestLongForm(t *testing.T) {
	src := "pattern a.b {\n  match message contains \"x\" at most 3\n}\n"
	_, probs := Parse("f.exlog", src)
	if len(probs) == 0 {
		t.Fatal("no error")
	}
	AttachSource(probs, "f.exlog", src)
	long := probs.Long()
	if !strings.Contains(long, "f.exlog:2:") || !strings.Contains(long, "error: ") || !strings.Contains(long, "^") || !strings.Contains(long, "hint:") {
		t.Errorf("long form lacks position, error:, caret or hint:\n%s", long)
	}
	if one := probs.Error(); strings.Contains(one, "\n") || !strings.HasPrefix(one, "f.exlog:2:") {
		t.Errorf("Error() is not one line naming the place: %q", one)
	}
}

func TestSuggest(t *testing.T) {
	if s := Suggest("mesage", []string{"message", "source"}); s != "message" {
		t.Errorf("Suggest(mesage) = %q", s)
	}
	if s := Suggest("zzzzzz", []string{"message", "source"}); s != "" {
		t.Errorf("Suggest(zzzzzz) = %q", s)
	}
}
