package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"exlog/analyze"
	"exlog/event"
	"exlog/parse/pscmdlet"
	"exlog/redact"
	"exlog/report"
)

// redactFlags are --redact and --redact-map, shared by the commands that
// output reports. The map is written only when --redact-map names a file:
// exlog writes nothing the user did not name.
type redactFlags struct {
	Redact    bool   `help:"Replace user, device, host and domain names, addresses and phone numbers with consistent pseudonyms (user-0007@domain-02.example, device-0012, host-03)."`
	RedactMap string `name:"redact-map" placeholder:"FILE" type:"path" help:"Read the pseudonym mapping from FILE if it exists and write it back (mode 0600) afterwards; implies --redact. Keep FILE private: it reverses the redaction."`
}

// open returns the run's Redactor, nil when not redacting; with
// --redact-map it starts from the saved mapping.
func (f redactFlags) open() (*redact.Redactor, error) {
	if !f.Redact && f.RedactMap == "" {
		return nil, nil
	}
	if f.RedactMap == "" {
		return redact.New(), nil
	}
	red, err := redact.ReadMapFile(f.RedactMap)
	if err != nil {
		return nil, usageErr("--redact-map: %v", err)
	}
	return red, nil
}

// hookRedactor makes red learn identifiers from the evidence while the
// analysis runs on the real data, and hands the Observe callback already
// in opt (the indexer) redacted copies of the events. red may be nil.
func hookRedactor(red *redact.Redactor, opt *analyze.Options) {
	if red == nil {
		return
	}
	prev := opt.Observe
	opt.Observe = func(e *event.Event) {
		red.LearnEvent(e)
		if prev != nil {
			prev(red.Event(e))
		}
	}
	prevRec := opt.ObserveRecord
	opt.ObserveRecord = func(rec *pscmdlet.Record) {
		red.LearnRecord(rec)
		if prevRec != nil {
			prevRec(rec)
		}
	}
}

// redactor is open and hookRedactor in one.
func (f redactFlags) redactor(opt *analyze.Options) (*redact.Redactor, error) {
	red, err := f.open()
	if err != nil {
		return nil, err
	}
	hookRedactor(red, opt)
	return red, nil
}

// apply redacts rep and returns the title to print for paths (their base
// names, redacted: folders above the bundle often hold a user name).
// With --redact-map it saves the mapping and warns that it is private.
func (f redactFlags) apply(red *redact.Redactor, rep *report.Report, paths []string, g *globals) (string, error) {
	if red == nil {
		return strings.Join(paths, " "), nil
	}
	red.Report(rep)
	titles := make([]string, len(paths))
	for i, p := range paths {
		titles[i] = red.String(baseName(p))
	}
	if f.RedactMap != "" {
		if err := red.WriteMapFile(f.RedactMap); err != nil {
			return "", fmt.Errorf("--redact-map: %w", err)
		}
		fmt.Fprintf(g.Stderr, "exlog: wrote the redaction map to %s — %s\n", f.RedactMap, redact.PrivateWarning)
	}
	return strings.Join(titles, " "), nil
}

// baseName is the last element of a path written with / or \ (a Windows
// path given on any system), "-" for standard input.
func baseName(p string) string {
	p = strings.TrimRight(p, `/\`)
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		p = p[i+1:]
	}
	if p == "" {
		return filepath.Base(p)
	}
	return p
}
