// Package output renders a finished report.Report in each output format,
// one file per format behind one signature.
package output

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"exlog/internal/termsafe"
	"exlog/report"
)

// Options shape the rendering.
type Options struct {
	Color bool // ANSI colours (terminal output only)
	// FailOn is the severity at or above which a finding "fails" in
	// JUnit/SARIF terms; SeverityInvalid means never.
	FailOn report.Severity
	Title  string // what was analysed, for headings
	// Rules lists every check that could have fired (library and user
	// patterns, Go checks): the JUnit test cases and SARIF rules. Ids of
	// findings missing from it are added; nil means only those.
	Rules []Rule
}

// Rule describes one check for the CI formats.
type Rule struct {
	ID       string
	Title    string
	Severity report.Severity // default severity
	Docs     string
	Source   string // "pattern:FILE" or "check"
}

// Writer renders r to w.
type Writer func(w io.Writer, r *report.Report, opt Options) error

// formats are the output formats, in the order help names them: one
// entry a format, from which --format, its help and the choice by the
// -o file's extension are derived. The first is the default.
var formats = [...]struct {
	name string
	w    Writer
	exts []string // -o file extensions that choose it, the one to name in help first
}{
	{"text", Text, []string{".txt", ".log", ".text", ""}},
	{"json", JSON, []string{".json"}},
	{"html", HTML, []string{".html", ".htm"}},
	{"junit", JUnit, []string{".xml"}},
	{"sarif", SARIF, []string{".sarif"}},
}

// Format returns the writer of the --format name; an unknown name gives
// an error that lists the names.
func Format(name string) (Writer, error) {
	for _, f := range formats {
		if f.name == name {
			return f.w, nil
		}
	}
	return nil, fmt.Errorf("unknown format %q (use %s)", name, strings.Join(Names(), ", "))
}

// Names lists the format names, sorted.
func Names() []string {
	n := make([]string, 0, len(formats))
	for _, f := range formats {
		n = append(n, f.name)
	}
	sort.Strings(n)
	return n
}

// FormatOfFile is the format the extension of path names (any case):
// .json, .html/.htm, .sarif, .xml for junit, .txt/.log/.text or none for
// text; ok is false for another extension.
func FormatOfFile(path string) (name string, ok bool) {
	ext := strings.ToLower(filepath.Ext(path))
	for _, f := range formats {
		if slices.Contains(f.exts, ext) {
			return f.name, true
		}
	}
	return "", false
}

// FormatsHelp is the format names for help, in help order: "text, json,
// html, junit or sarif".
func FormatsHelp() string {
	n := make([]string, 0, len(formats))
	for _, f := range formats {
		n = append(n, f.name)
	}
	return strings.Join(n[:len(n)-1], ", ") + " or " + n[len(n)-1]
}

// ExtensionsHelp says which -o extensions choose a format other than
// the default, for help: ".json .html .sarif, .xml for junit" (an
// extension named after its format goes first, alone).
func ExtensionsHelp() string {
	var same, other []string
	for _, f := range formats[1:] {
		if ext := f.exts[0]; ext == "."+f.name {
			same = append(same, ext)
		} else {
			other = append(other, ext+" for "+f.name)
		}
	}
	return strings.Join(append([]string{strings.Join(same, " ")}, other...), ", ")
}

// JSON writes the exlog.report/v1 document.
func JSON(w io.Writer, r *report.Report, _ Options) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// naturalInputs returns the inputs in natural order of their paths:
// Connector2.log before Connector10.log (runs of digits compare as
// numbers), the order an admin expects; the report keeps its own order.
func naturalInputs(ins []report.Input) []report.Input {
	out := append([]report.Input(nil), ins...)
	sort.SliceStable(out, func(i, j int) bool { return naturalLess(out[i].Path, out[j].Path) })
	return out
}

// naturalLess compares a and b with runs of digits as numbers.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// palette wraps s in a colour when enabled: style yields the markers of
// the termsafe.Writer the text goes through (nil: no colour).
type palette struct{ style func(code string) string }

func newPalette(on bool, sw *termsafe.Writer) palette {
	if !on {
		return palette{}
	}
	return palette{style: sw.Style}
}

func (p palette) c(code, s string) string {
	if p.style == nil || s == "" {
		return s
	}
	return p.style(code) + s + p.style("0")
}
func (p palette) bold(s string) string { return p.c("1", s) }
func (p palette) dim(s string) string  { return p.c("2", s) }
func (p palette) sev(s report.Severity, txt string) string {
	switch s {
	case report.SeverityCritical:
		return p.c("1;35", txt)
	case report.SeverityError:
		return p.c("1;31", txt)
	case report.SeverityWarning:
		return p.c("33", txt)
	case report.SeverityInfo:
		return p.c("36", txt)
	}
	return txt
}

// Headline says in one sentence what a verdict state means for the
// connector: the words of the text and HTML reports and of the
// drag-and-drop summary.
func Headline(state report.VerdictState) string {
	switch state {
	case report.StateHealthy:
		return "The connector looks healthy in this evidence."
	case report.StateDegraded:
		return "The connector works, with problems that need attention."
	case report.StateBroken:
		return "The connector is not doing its job: act on the findings below."
	}
	return "The evidence does not say how the connector is doing."
}

// StateColor is the ANSI colour of a verdict state ("" for none).
func StateColor(state report.VerdictState) string {
	return stateColor[state]
}

var stateColor = map[report.VerdictState]string{report.StateHealthy: "1;32", report.StateDegraded: "1;33", report.StateBroken: "1;31", report.StateUnknown: "1;36"}
