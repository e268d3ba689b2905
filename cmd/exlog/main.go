// Command exlog diagnoses the Microsoft Intune on-premises Exchange
// Connector from a bundle of its evidence. This package is wiring only:
// flags → pipeline → output.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/alecthomas/kong"

	"exlog/internal/termsafe"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func toolVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "0.1.0-dev"
}

// Exit codes (design.md "Command line").
const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
	exitLost     = 3
)

// exitError carries an exit code out of a command's Run.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, a ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, a...)}
}

// globals are passed to every command's Run.
type globals struct {
	Stdout io.Writer
	Stderr io.Writer
	Stdin  io.Reader
}

type cli struct {
	Analyze       analyzeCmd       `cmd:"" help:"Analyze a bundle (zip, folder, files or - for stdin) and report what is wrong."`
	Patterns      patternsCmd      `cmd:"" help:"List, show, test and lint patterns."`
	Serve         serveCmd         `cmd:"" help:"Serve the drag-and-drop page: drop a bundle in the browser, get the report (loopback only by default)."`
	Index         indexCmd         `cmd:"" help:"Analyze a bundle and send its events, findings and sync sessions to Elasticsearch (or VictoriaLogs)."`
	Setup         setupCmd         `cmd:"" help:"Install exlog's index templates in Elasticsearch and, with --kibana, its data view and dashboard."`
	CollectScript collectScriptCmd `cmd:"" name:"collect-script" help:"Print a PowerShell script that gathers the evidence exlog reads into one zip."`
	Diff          diffCmd          `cmd:"" help:"Compare two bundles or two JSON reports: findings that appeared, disappeared or changed; sync cadence and durations."`
	Version       versionCmd       `cmd:"" help:"Print the version."`
	Help          helpCmd          `cmd:"" help:"Show help for a command."`
	Drop          dropCmd          `cmd:"" default:"withargs" hidden:"" help:"Analyze PATH, print the verdict and write PATH.exlog.html (what Windows runs when a bundle is dropped on exlog.exe)."`
}

const description = `exlog diagnoses the Microsoft Intune on-premises Exchange Connector from the
evidence an admin collects: trace logs, cmdlet exports, config files and event
logs, usually zipped into one bundle.

  exlog analyze bundle.zip            report on the terminal
  exlog analyze --format json -o r.json bundle.zip
  exlog bundle.zip                    analyze and write bundle.zip.exlog.html`

// softMemoryLimit keeps the heap near what the analysis holds live
// (read-ahead buffers, nested zips held in memory) instead of letting the
// garbage collector double it: peak RSS stays flat as bundles grow. A
// GOMEMLIMIT in the environment wins.
const softMemoryLimit = 96 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softMemoryLimit)
	}
	os.Exit(run(os.Args[1:], globals{Stdout: os.Stdout, Stderr: os.Stderr, Stdin: os.Stdin}))
}

// run parses args and runs the command; it returns the exit code.
func run(args []string, g globals) int {
	var c cli
	exited := -1
	parser, err := kong.New(&c,
		kong.Name("exlog"),
		kong.Description(description),
		kong.Writers(g.Stdout, g.Stderr),
		kong.Exit(func(code int) { exited = code; panic(kongExit{}) }),
		kong.UsageOnError(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Bind(&g),
	)
	if err != nil {
		fmt.Fprintln(g.Stderr, "exlog: internal error:", err)
		return exitUsage
	}
	code := func() (code int) {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(kongExit); ok {
					code = exited
					return
				}
				panic(r)
			}
		}()
		if len(args) == 0 {
			_, _ = parser.Parse([]string{"--help"})
			return exitUsage
		}
		ctx, err := parser.Parse(args)
		if err != nil {
			fmt.Fprintln(g.Stderr, "exlog:", err)
			return exitUsage
		}
		if err := ctx.Run(&g, parser); err != nil {
			var ee *exitError
			if errors.As(err, &ee) {
				if ee.err != nil {
					fmt.Fprintln(g.Stderr, "exlog:", termsafe.String(ee.err.Error())) // errors name files and quote their text
				}
				return ee.code
			}
			fmt.Fprintln(g.Stderr, "exlog:", termsafe.String(err.Error()))
			return exitUsage
		}
		return exitOK
	}()
	if code == 0 && exited > 0 {
		return exited
	}
	return code
}

// kongExit unwinds out of kong when it asks to exit (after --help).
type kongExit struct{}

type versionCmd struct{}

func (versionCmd) Run(g *globals) error {
	fmt.Fprintf(g.Stdout, "exlog %s\n", toolVersion())
	return nil
}

type helpCmd struct {
	Command []string `arg:"" optional:"" help:"The command to explain."`
}

func (h helpCmd) Run(g *globals, parser *kong.Kong) error {
	ctx, err := kong.Trace(parser, h.Command)
	if err != nil {
		return usageErr("%v", err)
	}
	if ctx.Error != nil {
		return usageErr("unknown command %q: try exlog --help", h.Command)
	}
	return ctx.PrintUsage(false)
}
