// Package unmatched groups the Error, Warning and Critical messages that
// no pattern explained into templates: the variable parts of a message
// (numbers, GUIDs, e-mail addresses, URLs, host names, IP addresses,
// Windows paths, times, long hex strings and quoted names) become
// placeholders, so a hundred "attempt 2 of 3 for user X" lines read as
// one template with a count. It also turns a template back into a regular
// expression for pattern-file skeletons (exlog patterns suggest).
package unmatched

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Placeholders written into templates.
const (
	PhNumber = "<n>"
	PhGUID   = "<guid>"
	PhEmail  = "<email>"
	PhURL    = "<url>"
	PhHost   = "<host>"
	PhIP     = "<ip>"
	PhPath   = "<path>"
	PhTime   = "<time>"
	PhHex    = "<hex>"
	PhName   = "<name>" // always inside the quotes it replaced: '<name>' or "<name>"
)

// MaxTemplateLen bounds a template (runes): the first line of a message,
// whitespace folded, cut here.
const MaxTemplateLen = 240

var (
	reURL   = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]{1,15}://[^\s'"<>]+`)
	reEmail = regexp.MustCompile(`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}`)
	reGUID  = regexp.MustCompile(`\{?\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b\}?`)
	reTime  = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b|\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b`)
	// A drive or UNC path; folder names may hold single spaces ("Windows
	// Intune Exchange Connector"), the last component may not.
	rePath = regexp.MustCompile(`(?:\b[A-Za-z]:|\\\\[\w.$-]+)\\(?:[^\\\s'"<>|*?:]+(?: [^\\\s'"<>|*?:]+)*\\)*[^\\\s'"<>|*?:,;)]*`)
	// Quoted names: a quote not preceded by a letter or digit (so "can't"
	// and "connector's" stay), up to the next quote on the same line.
	reQuoted = regexp.MustCompile(`(^|[^\p{L}\p{N}])('[^'\r\n]{1,200}'|"[^"\r\n]{1,200}")`)
	reIP     = regexp.MustCompile(`\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b|\[[0-9A-Fa-f:]{3,}\](?::\d{1,5})?`)
	// Host names end in a lower-case top-level domain that is common for
	// servers; .NET type names (System.Net.WebException) do not.
	reHost = regexp.MustCompile(`\b(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:com|net|org|local|lan|corp|internal|intranet|intra|ad|edu|gov|mil|int|io|cloud|biz|info|de|uk|fr|nl|ch|at|be|it|es|se|no|dk|fi|pl|cz|us|ca|au|jp|cn|in|br|ru|eu|co)(?::\d{1,5})?\b`)
	// Long hex strings: thumbprints, hashes, correlation ids.
	reHex = regexp.MustCompile(`\b[0-9A-Fa-f]{16,}\b`)
	// Numbers not glued to a word (WIN32, Connector0 stay); 0x… codes
	// (HRESULTs, Win32 errors) identify the error and are kept as they are.
	reNumber = regexp.MustCompile(`(^|[^\p{L}\p{N}_])(0[xX][0-9A-Fa-f]+\b|\d+(?:[.,]\d+)*)`)
)

// Template returns the template of a message: its first non-empty line,
// whitespace folded, variable parts replaced by placeholders, cut to
// MaxTemplateLen runes. Equal templates mean "the same message".
func Template(msg string) string {
	s := firstLine(msg)
	s = reURL.ReplaceAllLiteralString(s, PhURL)
	s = reEmail.ReplaceAllLiteralString(s, PhEmail)
	s = reGUID.ReplaceAllLiteralString(s, PhGUID)
	s = reTime.ReplaceAllLiteralString(s, PhTime)
	s = rePath.ReplaceAllLiteralString(s, PhPath)
	s = reQuoted.ReplaceAllStringFunc(s, func(m string) string {
		// m is the preceding character (if any) and the quoted text; that
		// character may itself be a quote ('"x"), so take the group's start.
		i := reQuoted.FindStringSubmatchIndex(m)[4]
		q := m[i : i+1]
		inner := m[i+1 : len(m)-1]
		if isPlaceholder(inner) {
			return m // already a placeholder: 'cas01' was a host
		}
		return m[:i] + q + PhName + q
	})
	s = reIP.ReplaceAllLiteralString(s, PhIP)
	s = reHost.ReplaceAllLiteralString(s, PhHost)
	s = reHex.ReplaceAllLiteralString(s, PhHex)
	s = reNumber.ReplaceAllStringFunc(s, func(m string) string {
		i := strings.IndexFunc(m, func(r rune) bool { return r >= '0' && r <= '9' })
		if d := m[i:]; len(d) > 1 && (d[1] == 'x' || d[1] == 'X') {
			return m
		}
		return m[:i] + PhNumber
	})
	if t := cut(s, MaxTemplateLen); len(t) < len(s) {
		// do not leave half a placeholder ("… <gu") at the cut
		if i := strings.LastIndexByte(t, '<'); i > strings.LastIndexByte(t, '>') {
			t = t[:i]
		}
		return strings.TrimRight(t, " ")
	}
	return s
}

func isPlaceholder(s string) bool {
	switch s {
	case PhNumber, PhGUID, PhEmail, PhURL, PhHost, PhIP, PhPath, PhTime, PhHex, PhName:
		return true
	}
	return false
}

// maxLineScan bounds the bytes of the first line that are templated, so
// a pathological one-line message of megabytes costs no more than this.
const maxLineScan = 8 * MaxTemplateLen

// firstLine is the first line with text (at most maxLineScan bytes, cut
// at a rune boundary), whitespace runs folded to one space.
func firstLine(msg string) string {
	for len(msg) > 0 {
		line := msg
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			line, msg = msg[:i], msg[i+1:]
		} else {
			msg = ""
		}
		if len(line) > maxLineScan {
			n := maxLineScan
			for n > 0 && !utf8.RuneStart(line[n]) {
				n--
			}
			line = line[:n]
		}
		if f := strings.Fields(line); len(f) > 0 {
			// invalid UTF-8 becomes U+FFFD, which Go regexps match against
			// an invalid byte of the message
			return strings.ToValidUTF8(strings.Join(f, " "), "\uFFFD")
		}
	}
	return ""
}

func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

// placeholderRegex is what each placeholder stands for in Regex.
var placeholderRegex = map[string]string{
	PhNumber: `\d+(?:[.,]\d+)*`,
	PhGUID:   `\{?[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\}?`,
	PhEmail:  `\S+@\S+`,
	PhURL:    `\S+://\S+`,
	PhHost:   `[\w.-]+(?::\d+)?`,
	PhIP:     `[\d.:\[\]A-Fa-f]+`,
	PhPath:   `\S.*?`,
	PhTime:   `[\d\-T:.,+Z ]+?`,
	PhHex:    `[0-9A-Fa-f]+`,
	PhName:   `[\s\S]*?`, // lazy: names may hold the other quote (O'Brien)
}

var rePlaceholder = regexp.MustCompile(`<(?:n|guid|email|url|host|ip|path|time|hex|name)>`)

// Regex returns a Go regular expression (RE2 syntax, unanchored, to be
// used case-insensitively) that matches every message whose template is
// tmpl: literal text quoted, spaces as \s+, placeholders as what they
// stand for. A template cut at MaxTemplateLen matches the message's
// prefix, which is enough for an unanchored regex.
func Regex(tmpl string) string {
	var b strings.Builder
	last := 0
	lit := func(s string) {
		for i, part := range strings.Split(s, " ") {
			if i > 0 {
				b.WriteString(`[\s\v\x{85}\p{Z}]+`) // what unicode.IsSpace (strings.Fields) splits on
			}
			// a run of invalid bytes became one U+FFFD in the template;
			// the regexp engine reads each invalid byte as one
			b.WriteString(strings.ReplaceAll(regexp.QuoteMeta(part), "\uFFFD", `\x{FFFD}+`))
		}
	}
	for _, loc := range rePlaceholder.FindAllStringIndex(tmpl, -1) {
		lit(tmpl[last:loc[0]])
		b.WriteString("(?:" + placeholderRegex[tmpl[loc[0]:loc[1]]] + ")")
		last = loc[1]
	}
	lit(tmpl[last:])
	return b.String()
}
