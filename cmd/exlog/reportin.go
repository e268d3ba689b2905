package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"exlog/report"
)

// isReportJSON reports whether path is an exlog.report/v1 JSON document
// (rather than a bundle): a regular file whose first non-blank byte is
// '{' and whose first 4 KiB name the schema. It reads at most 4 KiB.
func isReportJSON(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.IsDir() {
		return false
	}
	head := make([]byte, 4096)
	n, _ := bufio.NewReader(f).Read(head)
	head = bytes.TrimLeft(head[:n], " \t\r\n\xef\xbb\xbf")
	return len(head) > 0 && head[0] == '{' && bytes.Contains(head, []byte(`"`+report.Schema+`"`))
}

// readReportJSON decodes an exlog.report/v1 document (streaming).
func readReportJSON(path string) (*report.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r report.Report
	if err := json.NewDecoder(bufio.NewReader(f)).Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: not a readable exlog report: %v", path, err)
	}
	if r.Schema != report.Schema {
		return nil, fmt.Errorf("%s: schema %q, want %q", path, r.Schema, report.Schema)
	}
	return &r, nil
}

// reportOf returns the report for path: decoded when path is an exlog
// JSON report, else the analysis of the bundle at path (with the library
// plus patternDirs). Errors are exitErrors (usage: 2).
func reportOf(path string, patternDirs []string, lim limitFlags, g *globals) (*report.Report, error) {
	if path != "-" && isReportJSON(path) {
		r, err := readReportJSON(path)
		if err != nil {
			return nil, usageErr("%v", err)
		}
		return r, nil
	}
	opt, err := analysisOptions(analysisFlags{Patterns: patternDirs}, windowFlags{}, lim)
	if err != nil {
		return nil, err
	}
	return runAnalysis([]string{path}, g, opt)
}

// displayName is how a path is named in headings.
func displayName(p string) string {
	if p == "-" {
		return "stdin"
	}
	if strings.Count(p, string(filepath.Separator)) > 2 {
		return filepath.Base(filepath.Dir(p)) + string(filepath.Separator) + filepath.Base(p)
	}
	return p
}
