package main

// Issue 20 point 3: log text with terminal escape sequences must not
// reach the terminal through any command that prints it.

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostileTerm is what a log line can carry to attack a terminal: clear
// screen, window title (OSC 0, BEL-terminated), an OSC 8 hyperlink, BEL,
// the one-byte CSI 0x9B (raw, and as the UTF-8 encoded C1 character),
// a carriage return that would overwrite the line and a backspace.
const hostileTerm = "\x1b[2J\x1b]0;pwned\x07 \x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\ \a \x9b31m \u009b1m \rX\b"

// hostileTermBundle is the exchange-errors sample with hostileTerm in a
// trace message that becomes evidence and in an unmatched error, and
// in the name of a zip member.
func hostileTermBundle(t *testing.T) []byte {
	t.Helper()
	src := readSample(t, "exchange-errors")
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	const anchor = "Could not open a remote PowerShell session to the Exchange server."
	replaced := false
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		name := f.Name
		if !replaced && bytes.Contains(data, []byte(anchor)) {
			data = bytes.Replace(data, []byte(anchor), []byte(anchor+" "+hostileTerm), 1)
			// and an error no pattern knows, for UNMATCHED ERRORS and suggest
			i := bytes.Index(data, []byte("</E2ETraceEvent>"))
			rec := string(data[:i+len("</E2ETraceEvent>")])
			rec = strings.Replace(rec, `<SubType Name="Information">`, `<SubType Name="Error">`, 1)
			rec = strings.Replace(rec, `<Type>3</Type>`, `<Type>2</Type>`, 1)
			a, b := strings.Index(rec, "<ApplicationData>"), strings.Index(rec, "</ApplicationData>")
			rec = rec[:a] + "<ApplicationData>Unheard-of failure " + hostileTerm + " in module 42" + rec[b:]
			data = append([]byte(rec), data...)
			name = "Logs/\x1b]0;title\x07Connector0\x9b2J.log"
			replaced = true
		}
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if !replaced {
		t.Fatalf("no message %q in the sample", anchor)
	}
	return out.Bytes()
}

// terminalUnsafe returns a description of the first control character
// (other than tab and newline) or invalid UTF-8 byte in b, or "".
func terminalUnsafe(b []byte) string {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return fmt.Sprintf("invalid byte %#x at %d: %s", b[i], i, around(b, i))
		case r < 0x20 && r != '\t' && r != '\n', r == 0x7f, r >= 0x80 && r <= 0x9f:
			return fmt.Sprintf("control character %U at %d: %s", r, i, around(b, i))
		}
		i += size
	}
	return ""
}

func around(b []byte, i int) string {
	lo, hi := max(0, i-40), min(len(b), i+40)
	return strings.ToValidUTF8(strings.Map(func(r rune) rune {
		if r < 0x20 || r >= 0x7f && r <= 0x9f {
			return '¿'
		}
		return r
	}, string(b[lo:hi])), "¿")
}

// TestTerminalEscapesNeutralised runs every command that prints log text
// on a bundle full of escape sequences and checks no control character
// reaches its output, while the text is still there, visibly escaped.
func TestTerminalEscapesNeutralised(t *testing.T) {
	dir := t.TempDir()
	bundlePath := filepath.Join(dir, "hostile.zip")
	if err := os.WriteFile(bundlePath, hostileTermBundle(t), 0o644); err != nil {
		t.Fatal(err)
	}
	// A pattern directory whose example fails and quotes log text.
	pdir := filepath.Join(dir, "patterns")
	_ = os.Mkdir(pdir, 0o755)
	pat := `pattern custom.hostile {
  title    "Hostile"
  severity error
  remedy   "none"
  match    message contains "never matches this"
  example  match "Unheard-of failure \x1b[2J\x1b]0;pwned\x07 \u009b1m"
}
`
	if err := os.WriteFile(filepath.Join(pdir, "hostile.exlog"), []byte(pat), 0o644); err != nil {
		t.Fatal(err)
	}
	emptyDir := t.TempDir()
	namedPath := filepath.Join(dir, "idx\x1b[2J\u009b.zip") // a bundle's own name is printed too
	if err := os.WriteFile(namedPath, hostileTermBundle(t), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string // visible proof the hostile text was printed, escaped
	}{
		{"analyze text", []string{"analyze", "--format", "text", "--no-progress", bundlePath}, `\x1b[2J`},
		{"diff", []string{"diff", bundlePath, bundlePath}, ``},
		{"diff against the sample", []string{"diff", filepath.Join(samplesDir, "exchange-errors", "bundle.zip"), bundlePath}, `\x1b]0;pwned\x07`},
		{"patterns suggest", []string{"patterns", "suggest", bundlePath}, `\x1b[2J`},
		{"patterns test", []string{"patterns", "test", pdir}, ``},
		{"index dry run", []string{"index", "--no-progress", "--dry-run", filepath.Join(dir, "bulk.ndjson"), namedPath}, `idx\x1b[2J\u009b.zip`},
		{"drop on exe", []string{bundlePath}, ``},
		{"error naming a file", []string{"analyze", filepath.Join(emptyDir, "no\x1b]0;x\x07such.zip")}, `\x1b]0;x\x07`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			t.Setenv("CI", "true") // the drop-on-exe run opens no browser
			code := run(c.args, globals{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader("")})
			for _, s := range []struct {
				name string
				b    []byte
			}{{"stdout", out.Bytes()}, {"stderr", errb.Bytes()}} {
				if bad := terminalUnsafe(s.b); bad != "" {
					t.Errorf("exit %d, %s: %s", code, s.name, bad)
				}
			}
			if c.want != "" && !strings.Contains(out.String()+errb.String(), c.want) {
				t.Errorf("exit %d: the hostile text is not shown escaped (%q); stdout:\n%.3000s\nstderr:\n%.1000s", code, c.want, out.String(), errb.String())
			}
		})
	}
}
