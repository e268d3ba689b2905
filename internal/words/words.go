// Package words writes counts the way exlog's reports say them: "1 file",
// "7,564 records". One place, so that the text report, the finding
// titles, the verdict and the command line count alike.
package words

import "strconv"

// Thousands writes n with a comma every three digits: 7,564.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// Count writes n and the noun that agrees with it: "1 file", "0 files",
// "2,000 files". many is the plural; "" makes it one+"s".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	if many == "" {
		many = one + "s"
	}
	return Thousands(n) + " " + many
}
