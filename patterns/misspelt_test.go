package patterns

import (
	"strings"
	"testing"
)

// Every clause with a misspelt keyword, field, operator or value: the
// problem is reported at the wrong token (line 6, the column of the
// word), never at the clause before it.
func TestMisspeltWordsAtTheirToken(t *testing.T) {
	const head = "pattern custom.x {\n  title \"t\"\n  severity error\n  docs \"https://learn.microsoft.com/x\"\n  remedy \"r\"\n"
	const tail = "\n  match message contains \"foo\"\n  example match \"foo\"\n  example nomatch \"bar\"\n}\n"
	for _, tc := range []struct {
		line string // line 6
		col  int
		msg  string
	}{
		// keywords
		{`  titel "t2"`, 3, `unknown clause "titel"`},
		{`  severty error`, 3, `unknown clause "severty"`},
		{`  categroy network`, 3, `unknown clause "categroy"`},
		{`  dcos "https://learn.microsoft.com/y"`, 3, `unknown clause "dcos"`},
		{`  remdy "r2"`, 3, `unknown clause "remdy"`},
		{`  tgas ["a"]`, 3, `unknown clause "tgas"`},
		{`  mach message contains "x"`, 3, `unknown clause "mach"`},
		{`  expcet message contains "x" every 26h`, 3, `unknown clause "expcet"`},
		{`  kye host`, 3, `unknown clause "kye"`},
		{`  escalte critical when count >= 3`, 3, `unknown clause "escalte"`},
		{`  exmaple match "foo"`, 3, `unknown clause "exmaple"`},
		{`  expect message contains "x" evry 26h`, 31, `unknown word "evry" (did you mean every?)`},
		{`  escalate critical wen count >= 3`, 21, `unknown word "wen" (did you mean when?)`},
		{`  escalate critical when cont >= 3`, 26, `unknown word "cont"`},
		{`  example mtch "foo"`, 11, `unknown word "mtch" after example (did you mean match?)`},
		{`  match message contains "x" at lest 3 within 1h`, 33, `unknown word "lest" after at (did you mean at least?)`},
		{`  match message contains "x" not folowed by message contains "y" within 1h`, 34, `unknown word "folowed" after not (did you mean not followed?)`},
		// fields
		{`  match mesage contains "x"`, 9, `unknown field "mesage" (did you mean message?)`},
		{`  expect mesage contains "x" every 26h`, 10, `unknown field "mesage" (did you mean message?)`},
		{`  key hots`, 7, `unknown field "hots"`},
		{`  match message contains "x" not followed by mesage contains "y" within 1h`, 46, `unknown field "mesage"`},
		// operators
		{`  match message containz "x"`, 17, `unknown operator "containz" (did you mean contains?)`},
		{`  match mesage containz "x"`, 16, `unknown operator "containz" (did you mean contains?)`},
		{`  match mesage containz "x"`, 9, `unknown field "mesage" (did you mean message?)`},
		{`  expect message startswit "x" every 26h`, 18, `unknown operator "startswit" (did you mean startswith?)`},
		{`  match message contains "x" and level =< warning`, 40, `unexpected character '='`},
		// values
		{`  match message contains "x" and level >= warnig`, 43, `unknown level "warnig"`},
		{`  escalate critcal when count >= 3`, 12, `unknown severity "critcal"`},
		{`  match message contains "x" at least 3 within 10x`, 48, `bad duration "10x"`},
	} {
		src := head + tc.line + tail
		if strings.HasPrefix(strings.TrimSpace(tc.line), "match") || strings.HasPrefix(strings.TrimSpace(tc.line), "mach") {
			src = head + tc.line + "\n  example match \"foo\"\n  example nomatch \"bar\"\n}\n"
		}
		_, err := LoadSource("u.exlog", src)
		ps, _ := err.(Problems)
		var got []string
		found := false
		for _, p := range ps {
			if p.Warning {
				continue
			}
			got = append(got, p.Error())
			if p.Line == 6 && p.Col == tc.col && strings.Contains(p.Msg, tc.msg) {
				found = true
			}
			if p.Line < 6 {
				t.Errorf("%q: a problem before line 6: %s", tc.line, p.Error())
			}
		}
		if !found {
			t.Errorf("%q: want 6:%d %s; got %q", tc.line, tc.col, tc.msg, got)
		}
	}
}
