package patterns

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func problemsOf(t *testing.T, src string) Problems {
	t.Helper()
	_, err := LoadSource("u.exlog", src)
	if err == nil {
		t.Fatalf("no error for:\n%s", src)
	}
	ps, ok := err.(Problems)
	if !ok {
		t.Fatalf("error is %T, want Problems", err)
	}
	return ps
}

func find(ps Problems, line int, substr string) *Problem {
	for i := range ps {
		if ps[i].Line == line && strings.Contains(ps[i].Msg, substr) && !ps[i].Warning {
			return &ps[i]
		}
	}
	return nil
}

// A file with three semantic mistakes on different lines reports all
// three, with line, column and a hint, in order.
func TestCheckerReportsEveryMistake(t *testing.T) {
	src := `pattern network.x {
  title "t" severity warning remedy "r"
  match mesage contains "x"
        and message ~ /abc(def/i
        at least 3 within 10x
}`
	ps := problemsOf(t, src)
	checks := []struct {
		line, col int
		msg, hint string
	}{
		{3, 9, `unknown field "mesage"`, `did you mean "message"`},
		{4, 24, "bad regex: missing closing )", "RE2"},
		{5, 27, `bad duration "10x"`, "unit"},
	}
	for _, c := range checks {
		p := find(ps, c.line, c.msg)
		if p == nil {
			t.Errorf("missing %d: %s in\n%v", c.line, c.msg, ps)
			continue
		}
		if p.Col != c.col || !strings.Contains(p.Hint, c.hint) {
			t.Errorf("%s: col %d hint %q; want col %d hint containing %q", p.Error(), p.Col, p.Hint, c.col, c.hint)
		}
	}
	errs := 0
	for _, p := range ps {
		if !p.Warning {
			errs++
		}
	}
	if errs != 3 {
		t.Errorf("want exactly 3 problems, got %d:\n%v", errs, ps)
	}
	if !strings.Contains(ps.Long(), "u.exlog:3:9: error: unknown field") {
		t.Errorf("Long() lacks file:line:col: error: form:\n%s", ps.Long())
	}
}

func TestCheckerMessages(t *testing.T) {
	cases := []struct {
		src  string
		line int
		msg  string
	}{
		{`pattern Network.X { title "t" severity warning remedy "r" match message contains "x" }`, 1, "bad pattern id"},
		{`pattern nodot { title "t" severity warning remedy "r" match message contains "x" }`, 1, "bad pattern id"},
		{`pattern a.b { severity warning remedy "r" match message contains "x" }`, 1, "has no title"},
		{`pattern a.b { title "t" remedy "r" match message contains "x" }`, 1, "has no severity"},
		{`pattern a.b { title "t" severity warning match message contains "x" }`, 1, "has no remedy"},
		{`pattern a.b { title "t" severity warning remedy "r" }`, 1, "no match or expect"},
		{`pattern a.b { title "t" severity warnin remedy "r" match message contains "x" }`, 1, `unknown severity "warnin"`},
		{"pattern a.b { title \"t {who}\" severity warning remedy \"r\"\n match message contains \"x\" }", 1, "placeholder {who}"},
		{"pattern a.b { title \"t\" severity warning remedy \"r\"\n match level >= warnig }", 2, `unknown level "warnig"`},
		{"pattern a.b { title \"t\" severity warning remedy \"r\"\n match type >= error }", 2, "operator >= cannot be used with type"},
		{"pattern a.b { title \"t\" severity warning remedy \"r\"\n match event_id == \"7000\" }", 2, "takes a number"},
		{"pattern a.b { title \"t\" severity warning remedy \"r\"\n match message ~ \"x\" }", 2, "~ takes a /regex/"},
		{"pattern a.b { title \"t\" severity warning remedy \"r\"\n match message ~ /x/q }", 2, "unknown regex flag"},
		{"pattern a.b { title \"t\" severity warning remedy \"r\"\n match format == evtxx }", 2, "unknown format"},
		{"pattern a.b { title \"t\" severity warning remedy \"r\"\n match message contains \"x\"\n escalate info when count >= 3 }", 3, "does not raise"},
		{"pattern a.b { title \"t\" severity warning remedy \"r\"\n expect message contains \"x\" every 26h\n key host }", 3, "key cannot be used with expect"},
		{"pattern a.b { title \"t\" severity warning remedy \"r\" docs \"not a url\"\n match message contains \"x\" }", 1, "not an http(s) URL"},
		{"pattern a.b { title \"t\" severity warning remedy \"r\"\n match message contains \"x\" }\npattern a.b { title \"t\" severity warning remedy \"r\"\n match message contains \"y\" }", 3, "duplicate pattern id"},
		{"pattern a.b { title \"t\" title \"u\" severity warning remedy \"r\"\n match message contains \"x\" }", 1, "title given twice"},
		{"pattern a.b { title \"t\" severity warning remedy \"r\"\n match message contains \"x\"\n example match { mesage \"x\" } }", 3, "unknown example attribute"},
	}
	for _, c := range cases {
		ps := problemsOf(t, c.src)
		if find(ps, c.line, c.msg) == nil {
			t.Errorf("want line %d %q for\n%s\ngot:\n%v", c.line, c.msg, c.src, ps)
		}
		for _, p := range ps {
			if p.Hint == "" && !p.Warning {
				t.Errorf("problem without hint: %s", p.Error())
			}
		}
	}
}

func TestLintWarnsMissingExamples(t *testing.T) {
	l, err := LoadSource("u.exlog", `pattern a.b { title "t" severity warning remedy "r" match level >= error }`)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, w := range l.Warnings() {
		msgs = append(msgs, w.Msg)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"no example that must match", "no example that must not match"} {
		if !strings.Contains(all, want) {
			t.Errorf("missing warning %q in:\n%s", want, all)
		}
	}
}

func TestOverridesAndLayers(t *testing.T) {
	dir := t.TempDir()
	user := `pattern network.proxy-auth {
  title "our proxy wants a password" severity critical remedy "call the network team"
  match message contains "(407)"
  example match "(407)"
  example nomatch "(404)"
}
pattern custom.thing { title "t" severity info remedy "r" match message contains "frobnicate" }
`
	if err := os.WriteFile(filepath.Join(dir, "ours.exlog"), []byte(user), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	ov := l.Overrides()
	if len(ov) != 1 || ov[0].ID != "network.proxy-auth" || ov[0].Replaced != "library/network.exlog" || !strings.HasSuffix(ov[0].File, "ours.exlog") {
		t.Fatalf("overrides: %+v", ov)
	}
	p := l.Pattern("network.proxy-auth")
	if p.Builtin || p.Severity.String() != "critical" || l.Pattern("custom.thing") == nil || l.Pattern("network.dns") == nil {
		t.Fatalf("layering wrong: %+v", p)
	}
	// Duplicates inside one layer are errors, naming both places.
	if err := os.WriteFile(filepath.Join(dir, "twice.exlog"), []byte(`pattern custom.thing { title "t" severity info remedy "r" match message contains "x" }`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(dir)
	if err == nil || !strings.Contains(err.Error(), `duplicate pattern id "custom.thing"`) {
		t.Fatalf("duplicate across files of one dir: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("a missing --patterns dir must be an error")
	}
}

func TestLoadFS(t *testing.T) {
	fsys := fstest.MapFS{
		"p/a.exlog": {Data: []byte(`pattern a.b { title "t" severity info remedy "r" match message contains "x" }`)},
		"p/b.txt":   {Data: []byte("not a pattern file")},
	}
	l, err := LoadFS(fsys, "p")
	if err != nil || len(l.Patterns()) != 1 {
		t.Fatalf("LoadFS: %v", err)
	}
}

func TestFormatPublic(t *testing.T) {
	l, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range l.Patterns() {
		out := Format(p)
		again, err := LoadSource("printed.exlog", out)
		if err != nil {
			t.Fatalf("%s: printed form does not load: %v\n%s", p.ID, err, out)
		}
		q := again.Pattern(p.ID)
		if q == nil || Format(q) != out || q.Title != p.Title || q.Remedy != p.Remedy || q.Kind != p.Kind || q.Examples != p.Examples {
			t.Fatalf("%s does not round-trip:\n%s", p.ID, out)
		}
	}
}

func TestSyntaxAndCheckErrorsTogether(t *testing.T) {
	src := `pattern a.one {
  title "t" severity warning remedy "r"
  match message contains
}
pattern a.two {
  title "t" severity warning remedy "r"
  match sorce == "x" and message ~ /ab\qc/
}
pattern a.three {
  title "t" severity warning
  match message contains "x"
}`
	ps := problemsOf(t, src)
	if find(ps, 3, "incomplete match clause") == nil {
		t.Errorf("syntax error of a.one missing:\n%v", ps)
	}
	if p := find(ps, 7, `unknown field "sorce"`); p == nil || p.Col != 9 || !strings.Contains(p.Hint, `"source"`) {
		t.Errorf("unknown field of a.two missing or wrong:\n%v", ps)
	}
	if p := find(ps, 7, `bad regex: invalid escape sequence: \q`); p == nil || p.Col != 39 {
		t.Errorf("regex error should point at \\q (col 39):\n%v", ps)
	}
	if find(ps, 9, "has no remedy") == nil {
		t.Errorf("missing remedy of a.three not reported:\n%v", ps)
	}
	if find(ps, 1, "has no") != nil {
		t.Errorf("a pattern with a syntax error must not also be blamed for missing clauses:\n%v", ps)
	}
}

// Pattern files written on Windows: CRLF, UTF-8 BOM, UTF-16 with BOM.
func TestWindowsEncodings(t *testing.T) {
	src := "pattern a.b {\n  title \"Müller {n}\"\n  severity info\n  remedy \"r\"\n  match message ~ /user (?P<n>\\S+) jürgen/i # comment\n  example match \"USER x JÜRGEN\"\n  example nomatch \"user x\"\n}\n"
	crlf := strings.ReplaceAll(src, "\n", "\r\n")
	utf16le := []byte{0xFF, 0xFE}
	for _, r := range crlf {
		utf16le = append(utf16le, byte(r), byte(r>>8)) // all runes here are in the BMP
	}
	variants := map[string][]byte{
		"crlf.exlog":    []byte(crlf),
		"bom.exlog":     append([]byte{0xEF, 0xBB, 0xBF}, crlf...),
		"utf16le.exlog": utf16le,
	}
	for name, data := range variants {
		fsys := fstest.MapFS{"p/" + name: {Data: data}}
		l, err := LoadFS(fsys, "p")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, r := range l.Test() {
			if !r.Passed() {
				t.Errorf("%s: %s", name, r)
			}
		}
		if p := l.Pattern("a.b"); p == nil || p.Title != "Müller {n}" {
			t.Errorf("%s: title %v", name, p)
		}
	}
}
