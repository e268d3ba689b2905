package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"exlog/analyze/unmatched"
	"exlog/internal/termsafe"
)

// patternsSuggestCmd turns the unmatched-message templates of a bundle
// (or of an exlog JSON report) into pattern-file skeletons.
type patternsSuggestCmd struct {
	Path     string   `arg:"" name:"PATH" help:"Bundle (zip, folder, file) or exlog JSON report." type:"path"`
	Output   string   `short:"o" placeholder:"FILE" help:"Write the pattern file to FILE (e.g. my-patterns/suggested.exlog) instead of standard output."`
	Top      int      `default:"10" help:"Suggest patterns for at most this many templates (the most frequent)."`
	Patterns []string `placeholder:"DIR" help:"Also load the patterns in DIR, so messages they explain are not suggested again (repeatable)."`
	limitFlags
}

func (c *patternsSuggestCmd) Run(g *globals) error {
	rep, err := reportOf(c.Path, c.Patterns, c.limitFlags, g)
	if err != nil {
		return err
	}
	ts := rep.Unmatched
	if c.Top > 0 && len(ts) > c.Top {
		ts = ts[:c.Top]
	}
	if len(ts) == 0 {
		fmt.Fprintf(g.Stderr, "exlog: every error and warning message in %s is explained by a pattern: nothing to suggest\n", c.Path)
		return nil
	}
	// Origins and templates are log text: escaped (a regex or Go-quoted
	// string reads \x1b as the same character, so the patterns still match).
	var buf bytes.Buffer
	sw := termsafe.NewWriter(&buf)
	if err := unmatched.Suggest(sw, ts, displayName(c.Path)); err != nil {
		return err
	}
	_ = sw.Flush()
	if c.Output == "" || c.Output == "-" {
		_, err := g.Stdout.Write(buf.Bytes())
		return err
	}
	if dir := filepath.Dir(c.Output); dir != "" {
		_ = os.MkdirAll(dir, 0o755)
	}
	if err := os.WriteFile(c.Output, buf.Bytes(), 0o644); err != nil {
		return runtimeErr(err)
	}
	fmt.Fprintf(g.Stderr, "exlog: wrote %d pattern skeletons to %s; finish their titles and remedies, then: exlog analyze --patterns %s PATH\n", len(ts), c.Output, c.Output)
	return nil
}
