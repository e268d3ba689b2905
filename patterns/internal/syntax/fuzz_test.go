package syntax

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzParse: any input parses without panicking, every problem has a
// position, and whatever parses cleanly round-trips through Format.
func FuzzParse(f *testing.F) {
	// One library pattern per seed: small inputs keep the fuzzer fast.
	for _, src := range libraryFiles(f) {
		for _, ch := range chunks(src) {
			lines := strings.Split(src, "\n")
			f.Add(strings.Join(lines[ch.from-1:min(ch.to, len(lines))], "\n"))
		}
	}
	f.Add("pattern a.b { match x == y not followed by z == w within 2h on activity }")
	f.Add("pattern a.b { example nomatch [ { at 0s message \"a\" } ] covering 30h }")
	f.Add("pattern a.b {\n titel \"x\"\n severity\n match message contains \"x\n}")
	f.Add("pattern { } }} /x/ 0x 1h2 \"\\u0000\"")
	f.Fuzz(func(t *testing.T, src string) {
		r, probs := Parse("fuzz.exlog", src)
		for _, p := range probs {
			if p.Line < 1 || p.Col < 1 || p.Msg == "" {
				t.Fatalf("problem without position or message: %+v", p)
			}
		}
		if len(probs) > 0 || r.File == nil {
			return
		}
		for _, p := range r.File.Patterns {
			printed := Format(p)
			g, err := ParseString("printed", printed)
			if err != nil {
				t.Fatalf("printed pattern does not parse: %v\n%s", err, printed)
			}
			if len(g.Patterns) != 1 {
				t.Fatalf("printed pattern gives %d patterns:\n%s", len(g.Patterns), printed)
			}
			a, b := *p, *g.Patterns[0]
			stripPos(reflect.ValueOf(&a))
			stripPos(reflect.ValueOf(&b))
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("round trip changed the pattern:\n%q\n%s", src, printed)
			}
		}
	})
}
