package output

import (
	"strings"
	"testing"
)

// The format table gives --format, the choice by -o extension and the
// words of help; an unknown name fails and lists the known ones.
func TestFormatTable(t *testing.T) {
	for _, n := range Names() {
		if w, err := Format(n); err != nil || w == nil {
			t.Errorf("Format(%q): %v", n, err)
		}
	}
	if _, err := Format("pdf"); err == nil || !strings.Contains(err.Error(), `unknown format "pdf" (use html, json, junit, sarif, text)`) {
		t.Errorf("Format(pdf): %v", err)
	}
	for path, want := range map[string]string{
		"r.json": "json", "R.JSON": "json", "r.html": "html", "dir.d/r.htm": "html", "r.sarif": "sarif",
		"r.xml": "junit", "r.txt": "text", "r.log": "text", "r.text": "text", "report": "text",
		"r.pdf": "", "r.json.gz": "", "r.csv": "",
	} {
		got, ok := FormatOfFile(path)
		if got != want || ok != (want != "") {
			t.Errorf("FormatOfFile(%q) = %q, %v; want %q", path, got, ok, want)
		}
	}
	seen := map[string]string{}
	for _, f := range formats {
		for _, e := range f.exts {
			if seen[e] != "" || e != strings.ToLower(e) {
				t.Errorf("extension %q of %s: also %q's, or not lower case", e, f.name, seen[e])
			}
			seen[e] = f.name
		}
	}
	if got := FormatsHelp(); got != "text, json, html, junit or sarif" {
		t.Errorf("FormatsHelp() = %q", got)
	}
	if got := ExtensionsHelp(); got != ".json .html .sarif, .xml for junit" {
		t.Errorf("ExtensionsHelp() = %q", got)
	}
}
