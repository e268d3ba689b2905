package unmatched

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"exlog/report"
)

// SuggestNoMatch is the generic message every suggested pattern declares
// it must not match.
const SuggestNoMatch = "The connector completed its work without problems."

// Suggest writes a pattern file (.exlog) with one pattern skeleton per
// template: id custom.<slug of the template's words>, severity from the
// message type, a case-insensitive regex built from the template
// (Regex), the template's example as `example match` and a generic
// `example nomatch`. Templates without any word to key on (only
// placeholders) are skipped and named in a comment. from names where the
// templates came from, for the header comment. The output loads and
// lints clean; title and remedy are for the author to finish.
func Suggest(w io.Writer, ts []report.Template, from string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Pattern skeletons suggested by `exlog patterns suggest` from %s.\n", from)
	b.WriteString("# Each stands for one group of messages no pattern explained. Before keeping one:\n")
	b.WriteString("# give it a title that names the problem, a severity, a remedy that says what to\n")
	b.WriteString("# do, and check the regex keys on the stable words of the message.\n")
	used := map[string]int{}
	for _, t := range ts {
		slug := Slug(t.Template)
		if slug == "" {
			fmt.Fprintf(&b, "\n# skipped (nothing but variable parts): %s\n", t.Template)
			continue
		}
		used[slug]++
		if n := used[slug]; n > 1 {
			slug += "-" + strconv.Itoa(n)
		}
		sev := "warning"
		switch t.Type {
		case "error":
			sev = "error"
		case "critical":
			sev = "critical"
		}
		fmt.Fprintf(&b, "\n# %s × %d, first at %s\n", t.Type, t.Count, t.Origin)
		fmt.Fprintf(&b, "pattern custom.%s {\n", slug)
		fmt.Fprintf(&b, "  title    %s\n", strconv.Quote(titleText(t.Template)))
		fmt.Fprintf(&b, "  severity %s\n", sev)
		fmt.Fprintf(&b, "  remedy   %s\n", strconv.Quote("TODO: say what this message means and what to do about it."))
		fmt.Fprintf(&b, "  tags     [\"suggested\"]\n")
		fmt.Fprintf(&b, "  match    level >= warning and message ~ /%s/i\n", strings.ReplaceAll(Regex(t.Template), "/", `\/`))
		fmt.Fprintf(&b, "  example  match { type %s message %s }\n", exampleType(t.Type), strconv.Quote(t.Example))
		fmt.Fprintf(&b, "  example  nomatch %s\n", strconv.Quote(SuggestNoMatch))
		b.WriteString("}\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func exampleType(t string) string {
	switch t {
	case "critical", "error", "warning":
		return t
	}
	return "error"
}

// titleText is the template cut to a title's length, with braces doubled
// (a title's {name} is a placeholder).
func titleText(tmpl string) string {
	s := cut(tmpl, 100)
	if len(s) < len(tmpl) {
		s += "…"
	}
	s = strings.ReplaceAll(s, "{", "{{")
	return strings.ReplaceAll(s, "}", "}}")
}

// Slug is the id part made of a template's first words (placeholders
// left out): lower-case ASCII letters and digits joined by hyphens, at
// most 5 words and 40 bytes; "" when the template has no word of at
// least two letters.
func Slug(tmpl string) string {
	tmpl = rePlaceholder.ReplaceAllString(tmpl, " ")
	var words []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() >= 2 || (cur.Len() > 0 && len(words) > 0) {
			words = append(words, cur.String())
		}
		cur.Reset()
	}
	for _, r := range tmpl {
		r = unicode.ToLower(r)
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			cur.WriteRune(r)
			continue
		}
		flush()
		if len(words) == 5 {
			break
		}
	}
	flush()
	if len(words) > 5 {
		words = words[:5]
	}
	// the id's name part starts with a letter or digit; trim to 40 bytes on a word
	out := ""
	for _, w := range words {
		if len(out)+len(w)+1 > 40 {
			break
		}
		if out != "" {
			out += "-"
		}
		out += w
	}
	if !strings.ContainsFunc(out, unicode.IsLetter) {
		return ""
	}
	return out
}
