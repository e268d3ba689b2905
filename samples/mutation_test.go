package samples_test

import (
	"bytes"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"exlog/analyze"
	"exlog/output"
	"exlog/patterns"
)

// clauseWords start the clauses of a pattern; a line after `match` that
// starts with anything else continues the condition.
var captureRe = regexp.MustCompile(`\(\?P<(\w+)>`)

var clauseWords = map[string]bool{"title": true, "severity": true, "category": true, "docs": true, "remedy": true, "tags": true,
	"match": true, "expect": true, "key": true, "escalate": true, "example": true, "}": true, "pattern": true}

// neuter replaces the condition of pattern id in src with one that never
// matches (the effect of deleting its lines); ok is false if id is not in src.
func neuter(src, id string) (string, bool) {
	lines := strings.Split(src, "\n")
	in := false
	for i := 0; i < len(lines); i++ {
		f := strings.Fields(lines[i])
		if len(f) >= 2 && f[0] == "pattern" && f[1] == id {
			in = true
			continue
		}
		if !in || len(f) == 0 || (f[0] != "match" && f[0] != "expect") {
			continue
		}
		indent := lines[i][:len(lines[i])-len(strings.TrimLeft(lines[i], " \t"))]
		// a regex that never matches but defines the same captures, so
		// titles and keys that use them still load
		never := "exlog-mutation-never-matches"
		end := i
		for end+1 < len(lines) {
			g := strings.Fields(lines[end+1])
			if len(g) == 0 || clauseWords[g[0]] || strings.HasPrefix(g[0], "#") || strings.HasPrefix(g[0], `"`) {
				break
			}
			end++
		}
		for _, m := range captureRe.FindAllStringSubmatch(strings.Join(lines[i:end+1], "\n"), -1) {
			never += "(?P<" + m[1] + ">x)"
		}
		repl := indent + f[0] + " message ~ /" + never + "/"
		if f[0] == "expect" {
			// keep "every D": the period is not part of the condition
			if j := strings.LastIndex(lines[i], " every "); j >= 0 {
				repl += lines[i][j:]
			}
		}
		lines[i] = repl
		// drop continuation lines of the condition
		for i+1 < len(lines) {
			g := strings.Fields(lines[i+1])
			if len(g) == 0 || clauseWords[g[0]] || strings.HasPrefix(g[0], "#") || strings.HasPrefix(g[0], `"`) {
				break
			}
			lines = append(lines[:i+1], lines[i+2:]...)
		}
		return strings.Join(lines, "\n"), true
	}
	return "", false
}

// TestMutatedPatternsFailTheCorpus is the mutation check behind the
// promise "deleting a pattern's condition makes go test fail, naming the
// sample and the finding": for every library pattern, its condition is
// replaced by one that never matches, the samples where it fires are
// analysed with that library, and the golden comparison must differ with
// a semantic summary that names the pattern's id. Skipped with -short.
func TestMutatedPatternsFailTheCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("mutation check skipped with -short")
	}
	lib, err := patterns.Load()
	if err != nil {
		t.Fatal(err)
	}
	files := fstest.MapFS{}
	err = fs.WalkDir(patterns.LibraryFS(), "library", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(patterns.LibraryFS(), p)
		files[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	inputs := sampleInputs(t)
	reports := loadExpected(t)
	firesIn := map[string][]string{}
	for name, r := range reports {
		for _, f := range r.Findings {
			firesIn[f.ID] = append(firesIn[f.ID], name)
		}
	}
	for _, p := range lib.Patterns() {
		t.Run(p.ID, func(t *testing.T) {
			t.Parallel()
			samples := firesIn[p.ID]
			sort.Strings(samples)
			if len(samples) == 0 {
				t.Skipf("%s fires in no sample (TestCorpusExercisesEveryPattern reports this)", p.ID)
			}
			mutated := fstest.MapFS{}
			for k, v := range files {
				mutated[k] = v
			}
			src, ok := neuter(string(files[p.File].Data), p.ID)
			if !ok {
				t.Fatalf("condition of %s not found in %s", p.ID, p.File)
			}
			mutated[p.File] = &fstest.MapFile{Data: []byte(src)}
			mlib, err := patterns.LoadFS(mutated, path.Dir(p.File))
			if err != nil {
				t.Fatalf("mutated library does not load: %v", err)
			}
			name := samples[0]
			rep, err := analyze.Run([]string{inputs[name]}, analyze.Options{Version: "golden", Library: mlib})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := output.JSON(&buf, rep, output.Options{}); err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join(filepath.Dir(inputs[name]), "expected.json"))
			if err != nil {
				t.Fatal(err)
			}
			if string(want) == buf.String() {
				t.Fatalf("deleting the condition of %s leaves sample %s's report unchanged", p.ID, name)
			}
			if msg := semanticDiff(string(want), buf.String()); !strings.Contains(msg, p.ID) {
				t.Errorf("the golden failure for sample %s does not name %s:\n%s", name, p.ID, msg)
			}
		})
	}
}
