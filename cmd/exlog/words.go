package main

import "strings"

// closest returns the candidate nearest to word (case-insensitive), if it
// is within a third of the word's length in edits (at least 1, at most 3),
// else "".
func closest(word string, candidates []string) string {
	word = strings.ToLower(word)
	best, bestD := "", min(3, max(1, len(word)/3))+1
	for _, c := range candidates {
		if d := editDistance(word, strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
