package patterns

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"exlog/event"
)

// The same evidence never raises two findings: an event matched by a
// pattern is not counted for the patterns it explains, whatever order
// the patterns are written or loaded in; an event only the explained
// pattern matches still counts for it.
func TestExplainsTakesTheEvidence(t *testing.T) {
	for _, src := range []string{
		`pattern z.root { ` + header + ` match message contains "maxconcurrency" explains a.symptom }
pattern a.symptom { ` + header + ` match message contains "remote server" }`,
		`pattern a.symptom { ` + header + ` match message contains "remote server" }
pattern z.root { ` + header + ` match message contains "maxconcurrency" explains a.symptom }`,
	} {
		l := mustLoad(t, src)
		fs, _ := run(l, win(0, time.Hour),
			ev(time.Minute, event.Error, "Connecting to remote server cas01 failed: exceeded the maximum number of connections : MaxConcurrency"),
			ev(2*time.Minute, event.Error, "Connecting to remote server cas01 failed: MAXCONCURRENCY"),
			ev(3*time.Minute, event.Error, "Connecting to remote server cas02 failed: Access is denied."),
		)
		got := map[string]int{}
		for _, f := range fs {
			got[f.ID] = f.Count
		}
		if got["z.root"] != 2 || got["a.symptom"] != 1 || len(got) != 2 {
			t.Errorf("findings %v, want z.root 2 and a.symptom 1 (the access-denied line only)", got)
		}
	}
}

// Chains pass the evidence down: a explains b explains c; an event all
// three match counts for a only.
func TestExplainsChain(t *testing.T) {
	l := mustLoad(t, `pattern c.c { `+header+` match message contains "x" }
pattern b.b { `+header+` match message contains "x" explains c.c }
pattern a.a { `+header+` match message contains "x" explains b.b }`)
	fs, _ := run(l, win(0, time.Hour), ev(time.Minute, event.Error, "x"))
	if len(fs) != 1 || fs[0].ID != "a.a" {
		t.Fatalf("findings %v, want only a.a", fs)
	}
}

// patterns lint rejects unknown ids (with a suggestion), cycles, absence
// rules on either side and a pattern explaining itself; each problem
// names file:line:col of the offending id.
func TestExplainsLint(t *testing.T) {
	cases := []struct{ src, msg, hint string }{
		{`pattern a.a { ` + header + ` match message contains "x" explains b.bb }
pattern b.b { ` + header + ` match message contains "y" }`, `explains unknown pattern "b.bb"`, `did you mean "b.b"`},
		{`pattern a.a { ` + header + ` match message contains "x" explains b.b }
pattern b.b { ` + header + ` match message contains "y" explains c.c }
pattern c.c { ` + header + ` match message contains "z" explains a.a }`, "explains cycle", "root cause"},
		{`pattern a.a { ` + header + ` match message contains "x" explains b.b }
pattern b.b { ` + header + ` expect message contains "y" every 1h }`, "an expect (absence) rule", "remove"},
		{`pattern a.a { ` + header + ` expect message contains "x" every 1h explains b.b }
pattern b.b { ` + header + ` match message contains "y" }`, "cannot explain others", "remove"},
		{`pattern a.a { ` + header + ` match message contains "x" explains a.a }`, "explains itself", "remove"},
	}
	for _, c := range cases {
		ps := problemsOf(t, c.src)
		var hit *Problem
		for i := range ps {
			if strings.Contains(ps[i].Msg, c.msg) {
				hit = &ps[i]
			}
		}
		if hit == nil {
			t.Errorf("no %q problem in:\n%v", c.msg, ps)
			continue
		}
		if hit.Line < 1 || hit.Col <= 1 || !strings.Contains(hit.Hint, c.hint) || !strings.HasPrefix(hit.Error(), "u.exlog:") {
			t.Errorf("%s (hint %q): want a position past column 1 and a hint with %q", hit.Error(), hit.Hint, c.hint)
		}
	}
	// One cycle, one error.
	ps := problemsOf(t, cases[1].src)
	n := 0
	for _, p := range ps {
		if strings.Contains(p.Msg, "cycle") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("cycle reported %d times:\n%v", n, ps)
	}
}

// A directory linted on its own may explain library patterns.
func TestExplainsLibraryFromUserDir(t *testing.T) {
	fsys := fstest.MapFS{"p/u.exlog": {Data: []byte(`pattern site.root { ` + header + ` match message contains "x" explains exchange.throttled
  example match "x" example nomatch "y" }`)}}
	if _, err := LoadFS(fsys, "p"); err != nil {
		t.Fatalf("explaining a library id from a user dir: %v", err)
	}
	fsys["p/u.exlog"] = &fstest.MapFile{Data: []byte(`pattern site.root { ` + header + ` match message contains "x" explains exchange.throtled }`)}
	if _, err := LoadFS(fsys, "p"); err == nil || !strings.Contains(err.Error(), "unknown pattern") {
		t.Fatalf("unknown id not reported: %v", err)
	}
}

// Remedies fill placeholders like titles: a capture from the evidence,
// or the written default when the evidence has none.
func TestRemedyPlaceholders(t *testing.T) {
	l := mustLoad(t, `pattern s.logon {
  title "t" severity error
  remedy "Grant {account|the service account (example: .\\WIEC_USER)} the right"
         "on {host}."
  match message ~ /log on as (?P<account>\S+)/ or message contains "logon failure"
}`)
	e1 := ev(time.Minute, event.Error, "The WIEC service was unable to log on as CMB\\svc_intunecon with the currently configured password")
	e1.Host = "CMB-EXC02"
	fs, _ := run(l, win(0, time.Hour), e1)
	if len(fs) != 1 || fs[0].Remedy != `Grant CMB\svc_intunecon the right on CMB-EXC02.` {
		t.Fatalf("remedy = %q", fs[0].Remedy)
	}
	fs, _ = run(l, win(0, time.Hour), ev(time.Minute, event.Error, "The service did not start due to a logon failure."))
	if len(fs) != 1 || fs[0].Remedy != `Grant the service account (example: .\WIEC_USER) the right on ?.` {
		t.Fatalf("remedy without evidence = %q", fs[0].Remedy)
	}
	ps := problemsOf(t, `pattern s.x { title "t" severity error remedy "do {nosuch}" match message contains "x" }`)
	if find(ps, 1, "remedy placeholder {nosuch}") == nil {
		t.Errorf("unknown remedy placeholder not reported: %v", ps)
	}
}

// A placeholder split across two remedy strings is not a placeholder: lint
// says so instead of printing the braces.
func TestRemedyBraceWarning(t *testing.T) {
	l := mustLoad(t, `pattern s.x { title "t" severity error
  remedy "grant {account|the service"
         "account} the right"
  match message contains "x" example match "x" example nomatch "y" }`)
	found := false
	for _, w := range l.Warnings() {
		if strings.Contains(w.Msg, "unmatched brace") && w.Line == 2 {
			found = true
		}
	}
	if !found {
		t.Errorf("no brace warning: %v", l.Warnings())
	}
}

func TestEscapedBracesNoWarning(t *testing.T) {
	l := mustLoad(t, `pattern s.x { title "a {{literal}} brace" severity error remedy "set {{x}}" match message contains "x" example match "x" example nomatch "y" }`)
	for _, w := range l.Warnings() {
		if strings.Contains(w.Msg, "brace") {
			t.Errorf("escaped braces warned: %v", w)
		}
	}
}

func TestExplainsSuggestsLibraryIDs(t *testing.T) {
	ps := problemsOf(t, `pattern site.x { `+header+` match message contains "x" explains exchange.throtled }`)
	if p := find(ps, 1, "unknown pattern"); p == nil || !strings.Contains(p.Hint, `did you mean "exchange.throttled"`) {
		t.Errorf("no library suggestion: %v", ps)
	}
}
