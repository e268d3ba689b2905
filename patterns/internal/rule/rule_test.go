package rule

import (
	"reflect"
	"regexp"
	"sort"
	"testing"
)

func TestRegexLiterals(t *testing.T) {
	cases := []struct {
		re   string
		want []string // nil: no literal guarantee
	}{
		{`(?i)proxy authentication required`, []string{"proxy authentication required"}},
		{`remote name could not be resolved: '(?P<h>[^']+)'`, []string{"remote name could not be resolved: '"}},
		{`(?i)unable to connect|timed out|actively refused`, []string{"unable to connect", "timed out", "actively refu"}}, // split at the s
		{`(?i)access denied`, []string{" denied"}},                                                                        // fold: 's' also matches U+017F, so split around it
		{`\d+ devices?`, []string{" device"}},
		{`(a|b*)x`, []string{"x"}},
		{`(abc)?`, nil},
		{`.*`, nil},
		{`(foo|.*)`, nil},
		{`Ärger`, []string{"ärger"}},
	}
	for _, c := range cases {
		r := NewRegex("message", regexp.MustCompile(c.re), false)
		got := Literals(r)
		if c.re == `Ärger` { // non-ASCII: the prefilter cannot use it
			if got != nil {
				t.Errorf("%s: non-ASCII literal must not feed the prefilter: %q", c.re, got)
			}
			continue
		}
		sort.Strings(got)
		want := append([]string(nil), c.want...)
		sort.Strings(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: literals %q, want %q", c.re, got, want)
		}
	}
}

func TestAndPicksMostSelectiveLiteral(t *testing.T) {
	a := &And{Terms: []Cond{
		NewStrCmp("message", StrContains, []string{"ab"}, false),
		NewStrCmp("message", StrContains, []string{"Exchange Health"}, false),
		&TypeIn{},
	}}
	if got := Literals(a); !reflect.DeepEqual(got, []string{"exchange health"}) {
		t.Errorf("and literals %q", got)
	}
	o := &Or{Terms: []Cond{a, &TypeIn{}}}
	if got := Literals(o); got != nil {
		t.Errorf("or with a literal-free branch must have no literal guarantee: %q", got)
	}
	if got := Literals(&Not{X: a}); got != nil {
		t.Errorf("not: %q", got)
	}
}
