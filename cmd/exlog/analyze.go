package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"exlog/analyze"
	"exlog/output"
	"exlog/parse/bundle"
	"exlog/patterns"
	"exlog/report"
	"exlog/report/baseline"
)

type analyzeCmd struct {
	Paths  []string `arg:"" name:"PATH" help:"Bundle zip, folder or file; - reads standard input." type:"path"`
	Format string   `short:"f" placeholder:"FORMAT" help:"Output format: ${formats} (junit: one test case per pattern and check, failed at or above --fail-on, warning when never). Default: from the -o file's extension (${format_exts}), else text."`
	Output string   `short:"o" placeholder:"FILE" help:"Write the report to FILE instead of standard output."`
	analysisFlags
	FailOn   string `name:"fail-on" default:"never" enum:"${fail_on}" help:"Exit 1 when a finding is at or above this severity: ${enum}."`
	Baseline string `placeholder:"REPORT.json" type:"path" help:"Report and fail only on findings (id + key) not in this earlier exlog JSON report."`
	windowFlags
	NoProgress bool `name:"no-progress" help:"Never show a progress bar."`
	Quiet      bool `short:"q" help:"Print nothing but errors; the exit code tells the result."`
	// Profiling for bench/ (hidden): CPU profile of the whole command, heap profile at exit.
	CPUProfile string `name:"cpuprofile" hidden:"" type:"path" placeholder:"FILE" help:"Write a CPU profile to FILE."`
	MemProfile string `name:"memprofile" hidden:"" type:"path" placeholder:"FILE" help:"Write a heap profile to FILE at exit."`
	limitFlags
	redactFlags
}

func loadLibrary(dirs []string) (*patterns.Library, error) {
	lib, err := patterns.Load(dirs...)
	var ps patterns.Problems
	if errors.As(err, &ps) {
		return nil, usageErr("%s", ps.Long())
	}
	if err != nil {
		return nil, usageErr("%v", err)
	}
	return lib, nil
}

// reportFormat is the format to write: --format when given, else the one
// the -o file's extension names (.json, .html/.htm, .sarif, .xml = junit,
// .txt/.log/none = text); another extension is refused rather than
// written as text.
func reportFormat(format, out string) (string, error) {
	if format != "" {
		if _, err := output.Format(format); err != nil {
			return "", usageErr("%v", err)
		}
		return format, nil
	}
	if out == "" || out == "-" {
		return "text", nil
	}
	if name, ok := output.FormatOfFile(out); ok {
		return name, nil
	}
	return "", usageErr("-o %s: cannot tell the format from %q: give --format (%s)", out, strings.ToLower(filepath.Ext(out)), strings.Join(output.Names(), ", "))
}

func (c *analyzeCmd) Run(g *globals) error {
	format, err := reportFormat(c.Format, c.Output)
	if err != nil {
		return err
	}
	c.Format = format
	stopProfiles, err := startProfiles(c.CPUProfile, c.MemProfile)
	if err != nil {
		return runtimeErr(err)
	}
	defer stopProfiles()
	opt, err := analysisOptions(c.analysisFlags, c.windowFlags, c.limitFlags)
	if err != nil {
		return err
	}
	lib := opt.Library
	failOn, _ := report.ParseSeverity(c.FailOn) // "never" → invalid → never fails
	red, err := c.redactor(&opt)
	if err != nil {
		return err
	}
	stopBar := attachProgress(&opt, g, c.NoProgress || c.Quiet)
	rep, err := runAnalysis(c.Paths, g, opt)
	stopBar()
	if err != nil {
		return err
	}
	title, err := c.apply(red, rep, c.Paths, g)
	if err != nil {
		return err
	}
	if err := applyBaseline(rep, c.Baseline); err != nil {
		return err
	}
	if !c.Quiet || c.Output != "" {
		if err := writeReport(g, rep, c.Format, c.Output, output.Options{Color: colorOK(g.Stdout, c.Output), FailOn: failOn, Title: title, Rules: ciRules(lib)}); err != nil {
			return err
		}
	}
	for _, o := range lib.Overrides() {
		// A text report on the terminal shows the note itself.
		if !c.Quiet && (c.Format != "text" || (c.Output != "" && c.Output != "-")) {
			fmt.Fprintf(g.Stderr, "exlog: note: %s\n", o)
		}
	}
	return failExit(rep, failOn)
}

// applyBaseline keeps in rep only the findings the --baseline report at
// path does not have (see package report/baseline).
func applyBaseline(rep *report.Report, path string) error {
	if path == "" {
		return nil
	}
	base, err := readReportJSON(path)
	if err != nil {
		return usageErr("--baseline: %v", err)
	}
	baseline.Apply(rep, base, displayName(path))
	return nil
}

// runAnalysis opens the paths (stdin for "-") and analyses them.
func runAnalysis(paths []string, g *globals, opt analyze.Options) (*report.Report, error) {
	for _, p := range paths {
		if p == "-" {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			return nil, usageErr("%v", err)
		}
	}
	var b *bundle.Bundle
	var err error
	if len(paths) == 1 && paths[0] == "-" {
		b, err = bundle.OpenReader("stdin", g.Stdin, opt.Limits)
	} else {
		b, err = bundle.Open(paths, opt.Limits)
	}
	if err != nil {
		return nil, usageErr("%v", err)
	}
	defer b.Close()
	rep, err := analyze.RunBundle(b, opt)
	if err != nil {
		var na *analyze.ErrNothingAnalysable
		var capped *analyze.ErrCapped
		if errors.As(err, &na) || errors.As(err, &capped) {
			return nil, &exitError{code: exitUsage, err: err}
		}
		return nil, err
	}
	return rep, nil
}

func failExit(rep *report.Report, failOn report.Severity) error {
	if failOn == report.SeverityInvalid {
		return nil
	}
	for _, f := range rep.Findings {
		if f.Severity >= failOn {
			return &exitError{code: exitFindings}
		}
	}
	return nil
}

func writeReport(g *globals, rep *report.Report, format, path string, opt output.Options) error {
	wr, err := output.Format(format)
	if err != nil {
		return usageErr("%v", err)
	}
	var w io.Writer = g.Stdout
	if path != "" && path != "-" {
		f, err := os.Create(path)
		if err != nil {
			return runtimeErr(err)
		}
		defer f.Close()
		w = f
		if err := wr(w, rep, opt); err != nil {
			return err
		}
		return f.Close()
	}
	return wr(w, rep, opt)
}

// colorOK: ANSI colours only on a terminal and never with NO_COLOR.
func colorOK(w io.Writer, path string) bool {
	if path != "" || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd())) && supportsANSI(f)
}

// attachProgress shows a progress bar of bytes read on stderr when it is
// a terminal. The returned function clears it.
func attachProgress(opt *analyze.Options, g *globals, off bool) func() {
	f, ok := g.Stderr.(*os.File)
	if off || !ok || !term.IsTerminal(int(f.Fd())) {
		return func() {}
	}
	var mu sync.Mutex
	var bar *progressbar.ProgressBar
	opt.OnStart = func(total int64) {
		mu.Lock()
		defer mu.Unlock()
		bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(f),
			progressbar.OptionShowBytes(true),
			progressbar.OptionSetDescription("reading"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionEnableColorCodes(os.Getenv("NO_COLOR") == ""),
		)
	}
	opt.Progress = func(n int64) {
		mu.Lock()
		defer mu.Unlock()
		if bar != nil {
			_ = bar.Add64(n)
		}
	}
	return func() {
		mu.Lock()
		defer mu.Unlock()
		if bar != nil {
			_ = bar.Finish()
			_ = bar.Clear()
		}
	}
}

// startProfiles starts a CPU profile to cpuPath and arranges a heap
// profile to memPath (either may be empty); the returned function stops
// and writes them.
func startProfiles(cpuPath, memPath string) (func(), error) {
	var cpu *os.File
	if cpuPath != "" {
		f, err := os.Create(cpuPath)
		if err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, err
		}
		cpu = f
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			cpu.Close()
		}
		if memPath != "" {
			if f, err := os.Create(memPath); err == nil {
				runtime.GC()
				_ = pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}
	}, nil
}
