package main

import (
	"encoding/json"
	"io"
	"os"

	"exlog/internal/termsafe"
	reportdiff "exlog/report/diff"
)

// diffCmd compares two bundles or two exlog JSON reports (each argument
// is detected on its own, so a saved report can be compared with a fresh
// bundle): findings that appeared, disappeared or changed count, unmatched
// templates, and the sync schedule (cadence, durations).
type diffCmd struct {
	Old          string   `arg:"" name:"OLD" help:"Bundle or exlog JSON report before (e.g. before the fix)." type:"path"`
	New          string   `arg:"" name:"NEW" help:"Bundle or exlog JSON report after." type:"path"`
	Format       string   `short:"f" default:"text" enum:"text,json" help:"Output: ${enum} (json: schema exlog.diff/v1)."`
	Output       string   `short:"o" placeholder:"FILE" help:"Write to FILE instead of standard output."`
	Patterns     []string `placeholder:"DIR" help:"Analyze bundles with the patterns in DIR too (repeatable)."`
	FailOn       string   `name:"fail-on" default:"never" enum:"${fail_on}" help:"Exit 1 when a finding at or above this severity appeared or got worse: ${enum}."`
	FailOnChange bool     `name:"fail-on-change" help:"Exit 1 when any finding or unmatched template appeared, disappeared or changed (a sample's regression check)."`
	limitFlags
}

func (c *diffCmd) Run(g *globals) error {
	if c.Old == "-" && c.New == "-" {
		return usageErr("only one of OLD and NEW can be standard input")
	}
	old, err := reportOf(c.Old, c.Patterns, c.limitFlags, g)
	if err != nil {
		return err
	}
	cur, err := reportOf(c.New, c.Patterns, c.limitFlags, g)
	if err != nil {
		return err
	}
	res := reportdiff.Compare(displayName(c.Old), old, displayName(c.New), cur)
	var w io.Writer = g.Stdout
	if c.Output != "" && c.Output != "-" {
		f, err := os.Create(c.Output)
		if err != nil {
			return runtimeErr(err)
		}
		defer f.Close()
		w = f
	}
	if c.Format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		err = enc.Encode(res)
	} else {
		sw := termsafe.NewWriter(w) // names and titles come from the bundles
		if err = res.WriteText(sw); err == nil {
			err = sw.Flush()
		}
	}
	if err != nil {
		return err
	}
	if f, ok := w.(*os.File); ok && f != os.Stdout {
		if err := f.Close(); err != nil {
			return err
		}
	}
	if c.FailOnChange && !res.Empty() {
		return &exitError{code: exitFindings}
	}
	if th, ok := parseFailOn(c.FailOn); ok {
		for _, f := range append(res.Appeared, res.Changed...) {
			if f.Severity >= th && (f.New > f.Old || f.Severity > f.OldSeverity && f.OldSeverity != 0) {
				return &exitError{code: exitFindings}
			}
		}
	}
	return nil
}
