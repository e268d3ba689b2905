package main

import (
	"encoding/xml"
	"exlog/analyze"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"exlog/internal/termsafe"
	"exlog/patterns"
)

type patternsCmd struct {
	List    patternsListCmd    `cmd:"" help:"List every pattern: id, severity, title and source file."`
	Show    patternsShowCmd    `cmd:"" help:"Print one pattern in canonical form."`
	Test    patternsTestCmd    `cmd:"" help:"Run every inline example (the library's, or those in DIR)."`
	Lint    patternsLintCmd    `cmd:"" help:"Check pattern files without running them."`
	Syntax  patternsSyntaxCmd  `cmd:"" help:"Describe the pattern language."`
	Suggest patternsSuggestCmd `cmd:"" help:"Write pattern skeletons for the error messages no pattern explains (from a bundle or a JSON report)."`
}

type patternsSyntaxCmd struct{}

func (patternsSyntaxCmd) Run(g *globals) error {
	fmt.Fprint(g.Stdout, patterns.Help)
	return nil
}

type patternsListCmd struct {
	Patterns []string `placeholder:"DIR" help:"Also load the patterns in DIR (repeatable)."`
}

func (c *patternsListCmd) Run(g *globals) error {
	lib, err := loadLibrary(c.Patterns)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(g.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tKIND\tTITLE\tFILE")
	for _, p := range sortedPatterns(lib) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s:%s\n", p.ID, p.Severity, p.Kind, p.Title, p.File, p.Pos)
	}
	for _, c := range analyze.Checks() { // Go checks: no pattern file
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.ID, c.Severity, "check", c.Title, c.Where)
	}
	return tw.Flush()
}

func sortedPatterns(lib *patterns.Library) []*patterns.Pattern {
	ps := append([]*patterns.Pattern(nil), lib.Patterns()...)
	sort.Slice(ps, func(i, j int) bool { return ps[i].ID < ps[j].ID })
	return ps
}

type patternsShowCmd struct {
	ID       string   `arg:"" help:"Pattern id, e.g. network.proxy-auth."`
	Patterns []string `placeholder:"DIR" help:"Also load the patterns in DIR (repeatable)."`
}

func (c *patternsShowCmd) Run(g *globals) error {
	lib, err := loadLibrary(c.Patterns)
	if err != nil {
		return err
	}
	p := lib.Pattern(c.ID)
	if p == nil {
		var ids []string
		for _, q := range lib.Patterns() {
			if strings.Contains(q.ID, c.ID) || strings.Contains(c.ID, q.Category+".") {
				ids = append(ids, q.ID)
			}
		}
		hint := ""
		if len(ids) > 0 {
			sort.Strings(ids)
			hint = "; did you mean " + strings.Join(ids, ", ") + "?"
		}
		return usageErr("no pattern %q%s (exlog patterns list shows them all)", c.ID, hint)
	}
	fmt.Fprintf(g.Stdout, "# %s:%s\n%s", p.File, p.Pos, patterns.Format(p))
	return nil
}

type patternsTestCmd struct {
	Dir    string `arg:"" optional:"" placeholder:"DIR" help:"Test the patterns in DIR instead of the library."`
	Format string `short:"f" default:"text" enum:"text,junit" help:"Output: ${enum}."`
}

func (c *patternsTestCmd) Run(g *globals) error {
	var lib *patterns.Library
	var err error
	if c.Dir != "" {
		lib, err = patterns.LoadFS(os.DirFS(c.Dir), ".")
	} else {
		lib, err = patterns.Load()
	}
	if err != nil {
		return usageErr("%v", err)
	}
	results := lib.Test()
	failed := 0
	for _, r := range results {
		if !r.Passed() {
			failed++
		}
	}
	if c.Format == "junit" {
		if err := writeExamplesJUnit(g, results); err != nil {
			return err
		}
	} else {
		out := termsafe.NewWriter(g.Stdout) // examples quote log text
		for _, r := range results {
			if !r.Passed() {
				fmt.Fprintln(out, r)
			}
		}
		_ = out.Flush()
		fmt.Fprintf(g.Stdout, "%d examples of %d patterns: %d passed, %d failed\n", len(results), len(lib.Patterns()), len(results)-failed, failed)
	}
	if failed > 0 {
		return &exitError{code: exitFindings}
	}
	return nil
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"` // junit-10.xsd: required on testsuite
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func writeExamplesJUnit(g *globals, results []patterns.ExampleResult) error {
	bySuite := map[string]*junitSuite{}
	var order []string
	out := junitSuites{Name: "exlog patterns test"}
	for _, r := range results {
		s := bySuite[r.PatternID]
		if s == nil {
			s = &junitSuite{Name: r.PatternID}
			bySuite[r.PatternID] = s
			order = append(order, r.PatternID)
		}
		want := "nomatch"
		if r.Want {
			want = "match"
		}
		// junit-10.xsd allows no file attribute on a testcase: the file is in the name.
		tc := junitCase{Name: fmt.Sprintf("%s example %s at %s:%s", want, r.PatternID, r.File, r.Pos), ClassName: r.PatternID}
		if !r.Passed() {
			tc.Failure = &junitFailure{Message: "example did not behave as declared", Type: "example", Text: r.String()}
			s.Failures++
			out.Failures++
		}
		s.Cases = append(s.Cases, tc)
		s.Tests++
		out.Tests++
	}
	for _, id := range order {
		out.Suites = append(out.Suites, *bySuite[id])
	}
	fmt.Fprint(g.Stdout, xml.Header)
	enc := xml.NewEncoder(g.Stdout)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	fmt.Fprintln(g.Stdout)
	return nil
}

type patternsLintCmd struct {
	Dir string `arg:"" optional:"" placeholder:"DIR" help:"Lint the patterns in DIR instead of the library."`
}

func (c *patternsLintCmd) Run(g *globals) error {
	var lib *patterns.Library
	var err error
	if c.Dir != "" {
		lib, err = patterns.LoadFS(os.DirFS(c.Dir), ".")
	} else {
		lib, err = patterns.Load()
	}
	if err != nil {
		fmt.Fprintln(g.Stdout, err)
		return &exitError{code: exitFindings}
	}
	for _, w := range lib.Warnings() {
		fmt.Fprintln(g.Stdout, w)
	}
	fmt.Fprintf(g.Stdout, "%d patterns, no errors, %d warnings\n", len(lib.Patterns()), len(lib.Warnings()))
	return nil
}
