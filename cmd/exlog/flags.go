package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"exlog/analyze"
	"exlog/event"
	"exlog/index"
	"exlog/output"
	"exlog/parse/bundle"
	"exlog/report"
)

// The flags the commands that analyse bundles share, each defined once.
// They are three structs, not one, because kong lists an embedded
// struct's flags where it is embedded: one struct would move flags in
// every command's help. analysisOptions turns them into the options of
// an analysis.
//
//   - analysisFlags: analyze, index and serve (a new flag common to the
//     three goes here, and is read in analysisOptions);
//   - windowFlags: analyze and index;
//   - limitFlags: every command that reads bundles (also diff, the
//     drop-on-exe run and patterns suggest).

// flagVars are the kong variables that flags' enums and help take from
// the packages that own the names: a new output format, severity or
// index target needs no edit here.
func flagVars() kong.Vars {
	failOn := []string{"never"}
	for _, s := range report.Severities() {
		failOn = append(failOn, s.String())
	}
	return kong.Vars{
		"formats":     output.FormatsHelp(),
		"format_exts": output.ExtensionsHelp(),
		"fail_on":     strings.Join(failOn, ","),
		"targets":     strings.Join([]string{string(index.TargetElasticsearch), string(index.TargetVictoriaLogs)}, ","),
	}
}

// analysisFlags are the flags of analyze, index and serve beside the
// window and the caps.
type analysisFlags struct {
	Patterns []string `placeholder:"DIR" help:"Add or override library patterns with the .exlog files in DIR (repeatable)."`
}

// windowFlags bound the records read in time.
type windowFlags struct {
	Since string `placeholder:"TIME" help:"Ignore records before TIME (RFC 3339 or YYYY-MM-DD, UTC)."`
	Until string `placeholder:"TIME" help:"Ignore records after TIME (RFC 3339 or YYYY-MM-DD, UTC)."`
}

// window reads --since and --until (a date alone: its start, its end).
func (w windowFlags) window() (since, until time.Time, err error) {
	if since, err = parseWhen(w.Since, false); err != nil {
		return since, until, usageErr("--since: %v", err)
	}
	if until, err = parseWhen(w.Until, true); err != nil {
		return since, until, usageErr("--until: %v", err)
	}
	return since, until, nil
}

// analysisOptions are the options of an analysis from the shared flags:
// the library with the --patterns folders, the window and the caps.
// Errors are usage errors.
func analysisOptions(a analysisFlags, w windowFlags, lim limitFlags) (analyze.Options, error) {
	since, until, err := w.window()
	if err != nil {
		return analyze.Options{}, err
	}
	lib, err := loadLibrary(a.Patterns)
	if err != nil {
		return analyze.Options{}, err
	}
	return analyze.Options{Limits: lim.limits(), Caps: lim.caps(), Library: lib, Since: since, Until: until, Version: toolVersion()}, nil
}

func parseWhen(s string, endOfDay bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		if endOfDay {
			t = t.Add(24*time.Hour - time.Nanosecond)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time (use 2026-11-24 or 2026-11-24T15:04:05Z)", s)
}

// limitFlags are the archive and reader caps shared by every command that
// reads bundles.
type limitFlags struct {
	MaxTotal     byteSize `name:"max-total" default:"4GiB" help:"Refuse archives that expand beyond this in total."`
	MaxEntry     byteSize `name:"max-entry" default:"1GiB" help:"Refuse an archive entry that expands beyond this."`
	MaxRatio     float64  `name:"max-ratio" default:"200" help:"Refuse an archive entry whose compression ratio exceeds this."`
	MaxDepth     int      `name:"max-depth" default:"4" help:"How deep zips inside zips are followed."`
	MaxFiles     int      `name:"max-files" default:"10000" help:"Refuse bundles with more files than this."`
	MaxNestedMem byteSize `name:"max-nested-mem" default:"256MiB" help:"Largest total of compressed nested zips (and a zip on stdin) buffered to read them: in memory up to 4 MiB each, above that in a private temporary file."`
	MaxRecord    byteSize `name:"max-record" default:"16MiB" help:"Largest single record read whole (trace record, Format-List object, CSV row, event-log text block); a larger one is skipped or cut, and reported."`
	MaxLine      byteSize `name:"max-line" default:"1MiB" help:"Longest line of a text export or event log, and longest text value or tag in XML; longer ones are cut, and reported."`
}

// Validate refuses a cap that would read nothing: 0 is not "unlimited"
// (kong calls it for every command that embeds limitFlags).
func (l limitFlags) Validate() error {
	for _, c := range []struct {
		flag, why string
		bad       bool
	}{
		{"--max-total", "", l.MaxTotal <= 0},
		{"--max-entry", "", l.MaxEntry <= 0},
		{"--max-ratio", "", !(l.MaxRatio > 0)},
		{"--max-depth", " (1 reads the zip given but no zip inside it)", l.MaxDepth < 1},
		{"--max-files", "", l.MaxFiles < 1},
		{"--max-nested-mem", "", l.MaxNestedMem <= 0},
		{"--max-record", "", l.MaxRecord <= 0},
		{"--max-line", "", l.MaxLine <= 0},
	} {
		if c.bad {
			return fmt.Errorf("%s must be above 0%s; a cap has no \"unlimited\" setting, give a large value instead", c.flag, c.why)
		}
	}
	return nil
}

// caps are the reader caps of the flags.
func (l limitFlags) caps() event.Caps {
	return event.Caps{MaxRecord: clampInt(int64(l.MaxRecord)), MaxLine: clampInt(int64(l.MaxLine))}
}

// clampInt fits a size flag into an int (a cap beyond 1 GiB buys nothing
// but the memory to hold it).
func clampInt(n int64) int {
	return int(min(n, 1<<30))
}

func (l limitFlags) limits() bundle.Limits {
	lim := bundle.DefaultLimits()
	lim.MaxTotal = int64(l.MaxTotal)
	lim.MaxEntry = int64(l.MaxEntry)
	lim.MaxRatio = l.MaxRatio
	lim.MaxDepth = l.MaxDepth
	lim.MaxFiles = l.MaxFiles
	lim.MaxNestedInMemory = int64(l.MaxNestedMem)
	return lim
}

// byteSize parses "4GiB", "500MB", "1048576".
type byteSize int64

func (b *byteSize) UnmarshalText(text []byte) error {
	s := strings.TrimSpace(string(text))
	mult := int64(1)
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}}
	for _, u := range units {
		if len(s) > len(u.suffix) && strings.EqualFold(s[len(s)-len(u.suffix):], u.suffix) {
			mult = u.mult
			s = strings.TrimSpace(s[:len(s)-len(u.suffix)])
			break
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 {
		return fmt.Errorf("%q is not a size (examples: 500MB, 4GiB, 1048576)", text)
	}
	*b = byteSize(v * float64(mult))
	return nil
}
