package termsafe

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain text, tabs\tand\nnewlines, é ü 日本", "plain text, tabs\tand\nnewlines, é ü 日本"},
		{"\x1b[2Jclear", `\x1b[2Jclear`},
		{"\x1b]0;title\x07", `\x1b]0;title\x07`},
		{"\x1b]8;;http://x/\x1b\\link", `\x1b]8;;http://x/\x1b\link`},
		{"bell\a del\x7f nul\x00 cr\r bs\b", `bell\x07 del\x7f nul\x00 cr\x0d bs\x08`},
		{"raw csi \x9b31m", `raw csi \x9b31m`},
		{"utf-8 csi \u009b31m nel \u0085", `utf-8 csi \u009b31m nel \u0085`},
		{"nbsp\u00a0 ok", "nbsp\u00a0 ok"},
		{"cut \xe6\x97", `cut \xe6\x97`},
	}
	for _, c := range cases {
		if got := String(c.in); got != c.want {
			t.Errorf("String(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestWriterSplits: any split of the input into writes gives the same
// output as String, and markers become colours.
func TestWriterSplits(t *testing.T) {
	in := "a\x1b[2Jb 日本 \u009b \x9b é\x07 z"
	var w0 bytes.Buffer
	sw := NewWriter(&w0)
	full := in + sw.Style("1;31") + "red" + sw.Style("0")
	want := String(in) + "\x1b[1;31mred\x1b[0m"
	for cut1 := 0; cut1 <= len(full); cut1++ {
		for cut2 := cut1; cut2 <= len(full); cut2 += 3 {
			var out bytes.Buffer
			w := NewWriter(&out)
			w.key = sw.key
			for _, part := range []string{full[:cut1], full[cut1:cut2], full[cut2:]} {
				if _, err := w.Write([]byte(part)); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if out.String() != want {
				t.Fatalf("cuts %d,%d: %q, want %q", cut1, cut2, out.String(), want)
			}
		}
	}
}

// TestWriterForgedMarker: text that imitates a marker without the
// Writer's key, or with a code that is not SGR, is escaped.
func TestWriterForgedMarker(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	other := NewWriter(nil)
	for _, s := range []string{other.Style("1"), "\x1b{0000000000000000:1}", string(w.key) + "8;x}", string(w.key)} {
		out.Reset()
		_, _ = w.Write([]byte(s + "text"))
		_ = w.Flush()
		if bytes.IndexByte(out.Bytes(), 0x1b) >= 0 || !utf8.Valid(out.Bytes()) || !strings.HasSuffix(out.String(), "text") {
			t.Errorf("forged marker %q written as %q", s, out.String())
		}
	}
	if w.Style("2J") != "" || w.Style("") != "" {
		t.Error("Style accepted a code that is not SGR")
	}
}

func BenchmarkWriterPlain(b *testing.B) {
	line := []byte(strings.Repeat("2023-10-26 00:00:00 Quick sync completed for 12 users in 34 s — é\n", 64))
	w := NewWriter(discard{})
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		_, _ = w.Write(line)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// FuzzWriter: whatever is written, in whatever pieces, the output holds no
// control character but tab and newline, is valid UTF-8, and equals String.
func FuzzWriter(f *testing.F) {
	f.Add("\x1b[2J\x1b]0;t\x07\x9b\u009b日本", 3)
	f.Add("\xe6\x97", 1)
	f.Fuzz(func(t *testing.T, s string, cut int) {
		var out bytes.Buffer
		w := NewWriter(&out)
		if cut < 0 {
			cut = -cut
		}
		cut %= len(s) + 1
		_, _ = w.Write([]byte(s[:cut]))
		_, _ = w.Write([]byte(s[cut:]))
		_ = w.Flush()
		if out.String() != String(s) {
			t.Fatalf("Writer %q, String %q", out.String(), String(s))
		}
		if !utf8.Valid(out.Bytes()) {
			t.Fatalf("invalid UTF-8 %q", out.String())
		}
		for _, r := range out.String() {
			if r < 0x20 && r != '\t' && r != '\n' || r == 0x7f || r >= 0x80 && r <= 0x9f {
				t.Fatalf("control %U in %q", r, out.String())
			}
		}
	})
}
