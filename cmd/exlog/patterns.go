package main

import (
	"errors"
	"exlog/analyze"
	"exlog/internal/words"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"exlog/internal/termsafe"
	"exlog/output"
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
	lib, err := loadPatternArg(c.Dir)
	if err != nil {
		return err
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
		fmt.Fprintf(g.Stdout, "%s of %s: %d passed, %d failed\n", words.Count(len(results), "example", ""), words.Count(len(lib.Patterns()), "pattern", ""), len(results)-failed, failed)
	}
	if failed > 0 {
		return &exitError{code: exitFindings}
	}
	return nil
}

// writeExamplesJUnit writes the example results as JUnit XML: one suite
// per pattern, one case per example (junit-10.xsd allows no file
// attribute on a testcase: the file is in the name).
func writeExamplesJUnit(g *globals, results []patterns.ExampleResult) error {
	cases := make([]output.TestCase, 0, len(results))
	for _, r := range results {
		want := "nomatch"
		if r.Want {
			want = "match"
		}
		c := output.TestCase{Suite: r.PatternID, ClassName: r.PatternID,
			Name: fmt.Sprintf("%s example %s at %s:%s", want, r.PatternID, r.File, r.Pos)}
		if !r.Passed() {
			c.Failure, c.FailureType, c.FailureText = "example did not behave as declared", "example", r.String()
		}
		cases = append(cases, c)
	}
	return output.JUnitCases(g.Stdout, "exlog patterns test", cases)
}

// loadPatternArg loads the patterns of a lint or test argument: the
// library when dir is "", else only the .exlog files of dir (or the one
// file it names). A path that is missing, holds no .exlog file or is not
// one is a usage error: a typo in CI must not pass as "0 patterns".
func loadPatternArg(dir string) (*patterns.Library, error) {
	if dir == "" {
		return usageOnly(patterns.Load())
	}
	st, err := os.Stat(dir)
	switch {
	case err != nil:
		return nil, usageErr("%s: no such pattern directory or file", dir)
	case st.IsDir():
		if names, _ := filepath.Glob(filepath.Join(dir, "*.exlog")); len(names) == 0 {
			return nil, usageErr("%s: no *.exlog pattern files in this directory", dir)
		}
	case !strings.EqualFold(filepath.Ext(dir), ".exlog"):
		return nil, usageErr("%s: not a pattern file (pattern files end in .exlog) nor a directory of them", dir)
	}
	return usageOnly(patterns.LoadDir(dir))
}

// usageOnly makes an error of loading patterns a usage error (exit 2);
// patterns.Problems stay reachable with errors.As, for the lint.
func usageOnly(lib *patterns.Library, err error) (*patterns.Library, error) {
	if err != nil {
		return nil, &exitError{code: exitUsage, err: err}
	}
	return lib, nil
}

type patternsLintCmd struct {
	Dir string `arg:"" optional:"" placeholder:"DIR" help:"Lint the patterns in DIR instead of the library."`
}

func (c *patternsLintCmd) Run(g *globals) error {
	lib, err := loadPatternArg(c.Dir)
	var ps patterns.Problems
	if errors.As(err, &ps) {
		// The files were read: what is wrong in them is the lint's result.
		fmt.Fprintln(g.Stdout, ps.Long())
		errs := 0
		for _, p := range ps {
			if !p.Warning {
				errs++
			}
		}
		fmt.Fprintf(g.Stdout, "%s, %s\n", words.Count(errs, "error", ""), words.Count(len(ps)-errs, "warning", ""))
		return &exitError{code: exitFindings}
	}
	if err != nil {
		return err
	}
	for _, w := range lib.Warnings() {
		fmt.Fprintln(g.Stdout, w)
	}
	fmt.Fprintf(g.Stdout, "%s, no errors, %s\n", words.Count(len(lib.Patterns()), "pattern", ""), words.Count(len(lib.Warnings()), "warning", ""))
	return nil
}
