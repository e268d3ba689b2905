// Package termsafe keeps log-derived text from driving the terminal it is
// printed on. Every C0 control character except tab and newline, DEL, every
// C1 control character (U+0080–U+009F, which 8-bit and some UTF-8
// terminals obey: 0x9B is a one-byte CSI) and every byte that is not valid
// UTF-8 is shown as a visible escape (`\x1b`, `\x9b`, `\u009b`) instead of
// being written. Log messages, zip member names and export values can
// carry clear-screen, window-title or OSC 8 hyperlink sequences and BEL;
// none of them reach the terminal.
//
// One place: every printer of text output (output.Text, exlog diff,
// patterns test/suggest, index summaries, the drop-on-exe verdict, error
// messages) writes through a Writer or String. The only escape sequences a
// Writer lets through are the colours its own Style markers stand for.
package termsafe

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io"
	"unicode/utf8"
)

// String returns s with every control character except tab and newline,
// and every invalid UTF-8 byte, replaced by a visible escape.
func String(s string) string {
	if clean(s) {
		return s
	}
	return string(appendEscaped(nil, []byte(s), true))
}

func clean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' && c != '\n' || c == 0x7f || c == 0xC2 && i+1 < len(s) && s[i+1] <= 0x9f {
			return false
		}
	}
	return utf8.ValidString(s)
}

// appendEscaped appends p escaped to dst. With final false, an incomplete
// UTF-8 sequence at the end of p is left out; the caller keeps it for the
// next write. It returns the extended dst; the number of bytes of p
// consumed is len(p) minus what incompleteTail reports.
func appendEscaped(dst, p []byte, final bool) []byte {
	for i := 0; i < len(p); {
		c := p[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' || c == 0x7f {
				dst = append(dst, '\\', 'x', hexDigit(c>>4), hexDigit(c&15))
			} else {
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && size <= 1 {
			if !final && !utf8.FullRune(p[i:]) {
				return dst // incomplete at the end: the caller keeps it
			}
			dst = append(dst, '\\', 'x', hexDigit(c>>4), hexDigit(c&15))
			i++
			continue
		}
		if r >= 0x80 && r <= 0x9f {
			dst = append(dst, `\u00`...)
			dst = append(dst, hexDigit(byte(r)>>4), hexDigit(byte(r)&15))
		} else {
			dst = append(dst, p[i:i+size]...)
		}
		i += size
	}
	return dst
}

// incompleteTail is the length of an incomplete UTF-8 sequence at the end
// of p (0 to 3 bytes).
func incompleteTail(p []byte) int {
	for k := 1; k <= 3 && k <= len(p); k++ {
		c := p[len(p)-k]
		if c < utf8.RuneSelf {
			return 0
		}
		if utf8.RuneStart(c) {
			if utf8.FullRune(p[len(p)-k:]) {
				return 0
			}
			return k
		}
	}
	return 0
}

func hexDigit(b byte) byte { return "0123456789abcdef"[b&15] }

// Writer escapes everything written to it as String does, streaming: a
// UTF-8 sequence split across writes is kept until the next write or
// Flush. Colours are written with Style markers, which carry a random
// key made when the Writer is: text read from a log cannot forge one.
// Flush must be called after the last write. Not safe for concurrent use.
type Writer struct {
	w       io.Writer
	key     []byte // marker prefix: ESC '{' 16 hex digits ':'
	pending []byte // an incomplete rune or marker from the last Write
	buf     []byte
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer {
	var nonce [8]byte
	_, _ = rand.Read(nonce[:])
	key := append([]byte("\x1b{"), hex.AppendEncode(nil, nonce[:])...)
	return &Writer{w: w, key: append(key, ':')}
}

// Style returns the marker for the SGR colour code (digits and ';', such
// as "1;31" or "0"), which the Writer writes as ESC [ code m. Any other
// code yields "".
func (sw *Writer) Style(code string) string {
	if !sgrCode(code) {
		return ""
	}
	return string(sw.key) + code + "}"
}

func sgrCode(code string) bool {
	if code == "" || len(code) > 16 {
		return false
	}
	for i := 0; i < len(code); i++ {
		if c := code[i]; c != ';' && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// maxMarker bounds a marker: key, a code of up to 16 bytes, '}'.
const maxMarker = 2 + 16 + 1 + 16 + 1

func (sw *Writer) Write(p []byte) (int, error) {
	n := len(p)
	if len(sw.pending) > 0 {
		p = append(sw.pending, p...)
		sw.pending = nil
	}
	out, rest := sw.escape(sw.buf[:0], p, false)
	if len(rest) > 0 {
		sw.pending = append([]byte(nil), rest...)
	}
	sw.buf = out
	if _, err := sw.w.Write(out); err != nil {
		return 0, err
	}
	return n, nil
}

// Flush writes what an earlier Write kept back (an incomplete rune is
// shown escaped).
func (sw *Writer) Flush() error {
	if len(sw.pending) == 0 {
		return nil
	}
	out, _ := sw.escape(nil, sw.pending, true)
	sw.pending = nil
	_, err := sw.w.Write(out)
	return err
}

// escape escapes p into dst, turning markers into SGR sequences. Unless
// final, it stops before a possible marker or rune cut by the end of p and
// returns the rest.
func (sw *Writer) escape(dst, p []byte, final bool) ([]byte, []byte) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, 0x1b)
		if i < 0 {
			break
		}
		dst = appendEscaped(dst, p[:i], true)
		p = p[i:]
		if code, size, ok := sw.marker(p); ok {
			dst = append(dst, "\x1b["...)
			dst = append(dst, code...)
			dst = append(dst, 'm')
			p = p[size:]
			continue
		} else if size < 0 && !final {
			return dst, p // maybe a marker cut by the end of this write
		}
		dst = append(dst, `\x1b`...)
		p = p[1:]
	}
	if final {
		return appendEscaped(dst, p, true), nil
	}
	k := incompleteTail(p)
	return appendEscaped(dst, p[:len(p)-k], true), p[len(p)-k:]
}

// marker reports whether p starts with a complete Style marker (its code
// and length). size -1: p is a prefix of one, cut short.
func (sw *Writer) marker(p []byte) (string, int, bool) {
	k := len(sw.key)
	if len(p) < k {
		if bytes.HasPrefix(sw.key, p) {
			return "", -1, false
		}
		return "", 0, false
	}
	if !bytes.Equal(p[:k], sw.key) {
		return "", 0, false
	}
	end := bytes.IndexByte(p[k:min(len(p), maxMarker)], '}')
	if end < 0 {
		if len(p) < maxMarker {
			return "", -1, false
		}
		return "", 0, false
	}
	code := string(p[k : k+end])
	if !sgrCode(code) {
		return "", 0, false
	}
	return code, k + end + 1, true
}
