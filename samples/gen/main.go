// Command gen regenerates the exlog samples corpus (samples/*) byte for byte.
//
// Run from the repository root: go run ./samples/gen
// Every sample is derived from fixed seeds and fixed base times; nothing
// depends on the clock or the machine, so a second run writes identical
// bytes (gen_test.go checks this against the committed corpus).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("out", "samples", "corpus directory (must contain gen/)")
	flag.Parse()
	if _, err := os.Stat(filepath.Join(*out, "gen", "main.go")); err != nil {
		fmt.Fprintf(os.Stderr, "gen: %s does not look like the samples directory (no gen/main.go); run from the repository root or pass -out\n", *out)
		os.Exit(2)
	}
	if err := writeCorpus(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// writeCorpus writes every sample and the corpus README under dir. It
// replaces each sample's bundle.zip / bundle/ and README.md and leaves
// anything else alone.
func writeCorpus(dir string) error {
	files, err := corpus()
	if err != nil {
		return err
	}
	for _, s := range sampleList {
		if err := os.RemoveAll(filepath.Join(dir, s.Name, "bundle")); err != nil {
			return err
		}
	}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// corpus builds every file of the corpus in memory, paths relative to samples/.
func corpus() ([]File, error) {
	var all []File
	var rows []corpusRow
	for _, s := range sampleList {
		out := s.Build()
		if out.Zip != nil && out.Folder != nil {
			return nil, fmt.Errorf("%s: both zip and folder", s.Name)
		}
		size := 0
		if out.Zip != nil {
			z := zipBytes(out.Zip, false)
			size = len(z)
			all = append(all, File{s.Name + "/bundle.zip", z})
		}
		for _, f := range out.Folder {
			size += len(f.Data)
			all = append(all, File{s.Name + "/bundle/" + f.Name, f.Data})
		}
		all = append(all, File{s.Name + "/README.md", []byte(out.README)})
		rows = append(rows, corpusRow{s, size})
	}
	all = append(all, File{"README.md", []byte(corpusReadme(rows))})
	return all, nil
}
