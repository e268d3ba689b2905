// Package didyoumean finds the word a person probably meant: the one place
// for the "did you mean …?" hints of the command line and the pattern
// language.
package didyoumean

import "strings"

// Nearest returns the candidate closest to word, compared case-
// insensitively, if it is at most maxDist edits away (the first of equals
// wins), else "". A candidate equal to word is not a suggestion.
func Nearest(word string, candidates []string, maxDist int) string {
	w := strings.ToLower(word)
	best, bestD := "", maxDist+1
	for _, c := range candidates {
		if c == word {
			continue
		}
		if d := Distance(w, strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// Distance is the Levenshtein distance of a and b, in bytes.
func Distance(a, b string) int {
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
