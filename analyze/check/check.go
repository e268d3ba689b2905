// Package check names what a Go check raises: the finding ids of the
// checks written in Go rather than as pattern files (design.md "Finding
// IDs"). Each check declares its Rules beside the code that raises them;
// package analyze lists the checks once (analyze.Checks) and runs them.
// It imports only report, so every package that holds a check can use it.
package check

import "exlog/report"

// Rule is one finding id a check raises, as rule lists show it (the
// baseline, the CI formats, `exlog patterns list`).
type Rule struct {
	ID    string
	Title string // what it detects
	// Severity is the most severe level the check raises the id at.
	Severity report.Severity
}
