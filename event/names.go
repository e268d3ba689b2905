package event

import "strings"

// LooksLikeHost reports whether a name captured from a message can be a
// server or host name: DNS/NetBIOS characters only (letters, digits,
// hyphens, dots; at most 253 characters, labels of 1-63 not starting or
// ending with a hyphen), and something a word of a sentence does not
// have: a dot (an FQDN), a digit or a hyphen (cmb-ex16-01, EXCH01), or
// all capitals (a NetBIOS name as Windows shows it). "GetNextCommand",
// "Handling" or "Exchange" are words, not hosts.
func LooksLikeHost(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	marked, lower := false, false
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.' || c == '-' || c >= '0' && c <= '9':
			marked = true
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= 'A' && c <= 'Z':
		default:
			return false
		}
	}
	return marked || !lower && len(s) > 1
}

// hostCaptures are the capture names that stand for a server or host in
// the pattern library and users' patterns.
var hostCaptures = map[string]bool{"server": true, "host": true, "remote": true, "cas": true, "computer": true}

// CheckCapture returns v when a capture named name can hold it, else ""
// (shown as the placeholder's default or "?"): a capture named for a host
// must look like one (LooksLikeHost), so a word of a message never
// becomes a server in a title or a remedy.
func CheckCapture(name, v string) string {
	if hostCaptures[name] && v != "" && !LooksLikeHost(v) {
		return ""
	}
	return v
}
