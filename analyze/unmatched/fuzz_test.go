package unmatched

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzTemplate: any message yields a template of bounded length that is
// stable (templating a template changes nothing it already replaced), and
// whose Regex compiles and matches the message.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{
		"Remote PowerShell session to cas01.contoso.com was idle for 17 minutes",
		`Failed at C:\Program Files\Microsoft\x y\z.xml (attempt 2 of 3)`,
		"Device {3f2504e0-4f89-11d3-9a0c-0305e82c3301} of zoë@contoso.com at 10.0.0.1:443",
		"'unterminated \"quote",
		"https://x.example/a?b=c 2026-11-20T04:47:00Z 0x80070002",
		"\r\n\r\n   \t",
		strings.Repeat("9", 5000),
		"\xff\xfe bad utf8 \xc3",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		tm := Template(msg)
		if utf8.RuneCountInString(tm) > MaxTemplateLen {
			t.Fatalf("template of %d runes", utf8.RuneCountInString(tm))
		}
		re, err := regexp.Compile("(?i)" + Regex(tm))
		if err != nil {
			t.Fatalf("Regex(%q) does not compile: %v", tm, err)
		}
		if tm != "" && !re.MatchString(msg) {
			t.Fatalf("Regex(Template(%q)) = %s does not match the message", msg, re)
		}
		_ = Slug(tm)
	})
}
