// Package synth writes synthetic connector evidence exactly as
// /work/shared/domain.md describes it: E2ETraceEvent trace records,
// Windows PowerShell exports (Format-List, CSV, CliXML) of a fictional
// organisation, connector configuration files and deterministic zips.
//
// Everything is derived from explicit seeds and times, never from the clock,
// so the same call writes the same bytes. samples/gen builds the regression
// corpus with it and bench/gen the large benchmark bundle. It is internal:
// the writers model guesses as well as documented formats (domain.md says
// which), so nothing outside the repository should rely on them.
package synth
