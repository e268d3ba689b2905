// Command literals prints the literal signatures of the pattern library,
// one per line, lower-case: the strings the matcher's prefilter looks for
// before it evaluates any condition. bench/run.sh scans for them with rg to
// price a plain multi-pattern search over the same files.
//
// Patterns without a literal guarantee (event-id or level conditions, for
// example) are named on standard error: a literal scan cannot stand in for them.
package main

import (
	"fmt"
	"os"
	"sort"

	"exlog/patterns"
)

func main() {
	lib, err := patterns.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, "literals:", err)
		os.Exit(1)
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range lib.Patterns() {
		lits, ok := p.Literals()
		if !ok {
			fmt.Fprintf(os.Stderr, "literals: %s has no literal signature (evaluated on every event)\n", p.ID)
			continue
		}
		for _, l := range lits {
			if !seen[l] {
				seen[l] = true
				out = append(out, l)
			}
		}
	}
	sort.Strings(out)
	for _, l := range out {
		fmt.Println(l)
	}
}
