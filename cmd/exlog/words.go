package main

import "exlog/internal/didyoumean"

// closest returns the candidate nearest to word (case-insensitive), if it
// is within a third of the word's length in edits (at least 1, at most 3),
// else "".
func closest(word string, candidates []string) string {
	return didyoumean.Nearest(word, candidates, min(3, max(1, len(word)/3)))
}
