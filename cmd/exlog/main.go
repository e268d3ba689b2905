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
	"strings"

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

// Exit codes (design.md "Command line"). exitUsage is for what the user
// can fix in the command line or the evidence (a flag, a path, a bundle
// with nothing to read); exitRuntime is for a run that failed on its
// surroundings (an output file that cannot be written, a full disk, a
// listener that stops): the same command may work when those are fixed.
const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
	exitLost     = 3
	exitRuntime  = 4
)

// exitError carries an exit code out of a command's Run. An error of a
// command's Run that is no exitError is a runtime error.
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

// runtimeErr marks err as a runtime error (exit 4) where a caller might
// otherwise take it for a usage error.
func runtimeErr(err error) error {
	return &exitError{code: exitRuntime, err: err}
}

// exitCode maps the error of a command's Run to the exit code and the
// line to print on standard error ("" for none): a usage error says
// "exlog: …", a runtime error "exlog: error: …", so that the two read
// differently even where the code is not seen. Messages name files and
// quote their text: they are made safe for a terminal.
func exitCode(err error) (int, string) {
	if err == nil {
		return exitOK, ""
	}
	code, msg := exitRuntime, err.Error()
	var ee *exitError
	if errors.As(err, &ee) {
		code, msg = ee.code, ""
		if ee.err != nil {
			msg = ee.err.Error()
		}
	}
	switch {
	case msg == "":
		return code, ""
	case code == exitRuntime:
		return code, "exlog: error: " + termsafe.String(msg)
	default:
		return code, "exlog: " + termsafe.String(msg)
	}
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
		flagVars(),
	)
	if err != nil {
		fmt.Fprintln(g.Stderr, "exlog: internal error:", err)
		return exitRuntime
	}
	code := func() (code int) {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(kongExit); ok {
					code = exited
					return
				}
				code = crashed(g.Stderr, r, debug.Stack())
			}
		}()
		if len(args) == 0 {
			_, _ = parser.Parse([]string{"--help"})
			return exitUsage
		}
		if args[0] == "--version" {
			args = append([]string{"version"}, args[1:]...)
		}
		if err := unknownCommand(parser, args[0]); err != nil {
			fmt.Fprintln(g.Stderr, "exlog:", err)
			return exitUsage
		}
		ctx, err := parser.Parse(args)
		if err != nil {
			fmt.Fprintln(g.Stderr, "exlog:", err)
			var pe *kong.ParseError
			if errors.As(err, &pe) && pe.Context != nil {
				usageHint(g.Stderr, pe.Context.Selected())
			}
			return exitUsage
		}
		code, msg := exitCode(ctx.Run(&g, parser))
		if msg != "" {
			fmt.Fprintln(g.Stderr, msg)
		}
		return code
	}()
	if code == 0 && exited > 0 {
		return exited
	}
	return code
}

// crashed reports a panic of a command: a bug, which must not read as a
// usage error (Go's own exit code for a panic is 2).
func crashed(w io.Writer, r any, stack []byte) int {
	fmt.Fprintf(w, "exlog: error: internal error (a bug: please report it with what follows): %s\n%s", termsafe.String(fmt.Sprint(r)), stack)
	return exitRuntime
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
	if len(h.Command) == 0 {
		_, err := parser.Parse([]string{"--help"})
		return err
	}
	if !isCommand(parser, h.Command[0]) {
		return usageErr("%s", notACommand(parser, h.Command[0], false))
	}
	ctx, err := kong.Trace(parser, h.Command)
	if err != nil {
		return usageErr("%v", err)
	}
	if ctx.Error != nil {
		return usageErr("unknown command %q: try exlog --help", h.Command)
	}
	return ctx.PrintUsage(false)
}

// commandNames are the names of the visible commands, in help order.
func commandNames(parser *kong.Kong) []string {
	var names []string
	for _, n := range parser.Model.Node.Children {
		if !n.Hidden {
			names = append(names, n.Name)
		}
	}
	return names
}

// isCommand says whether word names a command, hidden ones included.
func isCommand(parser *kong.Kong, word string) bool {
	for _, n := range parser.Model.Node.Children {
		if n.Name == word {
			return true
		}
		for _, a := range n.Aliases {
			if a == word {
				return true
			}
		}
	}
	return false
}

// unknownCommand refuses a first argument that is neither a flag, a
// command nor an existing path (what "exlog PATH" would analyze): a typo
// of a command gets a suggestion instead of "no such file".
func unknownCommand(parser *kong.Kong, first string) error {
	if first == "-" || strings.HasPrefix(first, "-") || isCommand(parser, first) {
		return nil
	}
	if _, err := os.Stat(first); err == nil {
		return nil
	}
	return usageErr("%s", notACommand(parser, first, true))
}

// notACommand says word is no command, with the nearest one if any;
// orPath adds that no file or folder has that name either.
func notACommand(parser *kong.Kong, word string, orPath bool) string {
	if s := closest(word, commandNames(parser)); s != "" {
		return fmt.Sprintf("unknown command %q — did you mean %s? (exlog --help lists the commands)", word, s)
	}
	if orPath {
		return fmt.Sprintf("unknown command %q, and no file or folder of that name (exlog --help lists the commands)", word)
	}
	return fmt.Sprintf("unknown command %q (exlog --help lists the commands)", word)
}

// examples are one typical command line per command, shown with the
// usage line when arguments are missing.
var examples = map[string]string{
	"analyze":          "exlog analyze samples/healthy-5days/bundle.zip",
	"serve":            "exlog serve --addr 127.0.0.1:8080",
	"index":            "exlog index --es http://localhost:9200 bundle.zip",
	"setup":            "exlog setup --es http://localhost:9200 --kibana http://localhost:5601",
	"collect-script":   "exlog collect-script -u user@contoso.com > exlog-collect.ps1",
	"diff":             "exlog diff before.zip after.zip",
	"patterns show":    "exlog patterns show network.proxy-auth",
	"patterns test":    "exlog patterns test my-patterns/",
	"patterns lint":    "exlog patterns lint my-patterns/",
	"patterns suggest": "exlog patterns suggest bundle.zip -o my-patterns/new.exlog",
	"patterns list":    "exlog patterns list",
	"drop":             "exlog bundle.zip",
}

// usageHint follows a usage error: the command's usage line and an
// example, or, for a command that takes a subcommand, every subcommand.
func usageHint(w io.Writer, n *kong.Node) {
	if n == nil {
		fmt.Fprintln(w, "Run exlog --help for the commands.")
		return
	}
	path := strings.TrimSpace(strings.TrimPrefix(n.FullPath(), "exlog"))
	var subs []*kong.Node
	for _, c := range n.Children {
		if !c.Hidden {
			subs = append(subs, c)
		}
	}
	if len(subs) > 0 {
		fmt.Fprintf(w, "Usage: exlog %s <command>; the commands:\n", path)
		width := 0
		for _, c := range subs {
			width = max(width, len(c.Name))
		}
		for _, c := range subs {
			fmt.Fprintf(w, "  %-*s  %s\n", width, c.Name, c.Help)
		}
		return
	}
	fmt.Fprintf(w, "Usage: exlog %s\n", strings.TrimSpace(n.Summary()))
	if ex := examples[path]; ex != "" {
		fmt.Fprintf(w, "Example: %s\n", ex)
	}
	fmt.Fprintf(w, "Run exlog help %s for every flag.\n", path)
}
