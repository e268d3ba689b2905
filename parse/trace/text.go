package trace

import (
	"bytes"
	"unicode/utf8"
)

// appendUnescaped appends src with XML entity and character references
// decoded (&amp; &lt; &gt; &quot; &apos; &#N; &#xH;) and line ends
// normalised: CRLF and a lone CR become "\n" (also when written as
// &#xD;&#xA;). An unknown or malformed reference is kept as written.
func appendUnescaped(dst, src []byte) []byte {
	lastCR := false
	for len(src) > 0 {
		if lastCR && src[0] == '\n' {
			src = src[1:]
			lastCR = false
			continue
		}
		i := bytes.IndexAny(src, "&\r")
		if i < 0 {
			return append(dst, src...)
		}
		if i > 0 {
			dst = append(dst, src[:i]...)
			lastCR = false
			src = src[i:]
		}
		if src[0] == '\r' {
			dst = append(dst, '\n')
			lastCR = true
			src = src[1:]
			continue
		}
		c, n := decodeRef(src)
		switch {
		case c < 0:
			dst = append(dst, '&')
			lastCR = false
			src = src[1:]
		case c == '\r':
			dst = append(dst, '\n')
			lastCR = true
			src = src[n:]
		case c == '\n' && lastCR:
			lastCR = false
			src = src[n:]
		default:
			dst = utf8.AppendRune(dst, c)
			lastCR = false
			src = src[n:]
		}
	}
	return dst
}

// appendRaw appends src (CDATA: no references) with line ends normalised.
func appendRaw(dst, src []byte) []byte {
	for len(src) > 0 {
		i := bytes.IndexByte(src, '\r')
		if i < 0 {
			return append(dst, src...)
		}
		dst = append(dst, src[:i]...)
		dst = append(dst, '\n')
		src = src[i+1:]
		if len(src) > 0 && src[0] == '\n' {
			src = src[1:]
		}
	}
	return dst
}

// decodeRef decodes the reference at the start of s ("&...;"), returning
// the character and the reference length, or -1 when it is not one.
func decodeRef(s []byte) (rune, int) {
	end := bytes.IndexByte(s[:min(len(s), 12)], ';')
	if end < 2 {
		return -1, 0
	}
	name := s[1:end]
	switch string(name) {
	case "amp":
		return '&', end + 1
	case "lt":
		return '<', end + 1
	case "gt":
		return '>', end + 1
	case "quot":
		return '"', end + 1
	case "apos":
		return '\'', end + 1
	}
	if name[0] != '#' || len(name) < 2 {
		return -1, 0
	}
	var v rune
	if name[1] == 'x' || name[1] == 'X' {
		if len(name) < 3 {
			return -1, 0
		}
		for _, c := range name[2:] {
			d, ok := hexVal(c)
			if !ok {
				return -1, 0
			}
			v = v<<4 | rune(d)
		}
	} else {
		for _, c := range name[1:] {
			if c < '0' || c > '9' {
				return -1, 0
			}
			v = v*10 + rune(c-'0')
		}
	}
	if v > utf8.MaxRune || v < 0 {
		v = utf8.RuneError
	}
	return v, end + 1
}

func hexVal(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// appendTextContent appends the readable text content of an XML fragment:
// its text nodes (and CDATA sections), unescaped, each trimmed, one per
// line; tags, comments and processing instructions are dropped.
func appendTextContent(dst, b []byte) []byte {
	start := len(dst)
	for len(b) > 0 {
		lt := bytes.IndexByte(b, '<')
		text := b
		if lt >= 0 {
			text = b[:lt]
		}
		dst = appendTextNode(dst, start, text, true)
		if lt < 0 {
			break
		}
		b = b[lt:]
		switch {
		case bytes.HasPrefix(b, []byte("<![CDATA[")):
			b = b[len("<![CDATA["):]
			e := bytes.Index(b, []byte("]]>"))
			if e < 0 {
				e = len(b)
			}
			dst = appendTextNode(dst, start, b[:e], false)
			b = b[min(e+3, len(b)):]
		case bytes.HasPrefix(b, []byte("<!--")):
			e := bytes.Index(b, []byte("-->"))
			if e < 0 {
				return dst
			}
			b = b[e+3:]
		default:
			gt := bytes.IndexByte(b, '>')
			if gt < 0 {
				return dst
			}
			b = b[gt+1:]
		}
	}
	return dst
}

// appendTextNode appends one trimmed text node on its own line.
func appendTextNode(dst []byte, start int, text []byte, escaped bool) []byte {
	text = bytes.TrimSpace(text)
	if len(text) == 0 {
		return dst
	}
	if len(dst) > start {
		dst = append(dst, '\n')
	}
	if escaped {
		return appendUnescaped(dst, text)
	}
	return appendRaw(dst, text)
}
