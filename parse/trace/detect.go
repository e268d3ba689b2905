package trace

import "bytes"

// Detect reports whether head (the first up-to-8 KiB of a file, BOM already
// removed, UTF-8) looks like an E2ETraceEvent trace log: it begins (after
// whitespace) with "<E2ETraceEvent", or with a partial record — bytes
// ending in "</E2ETraceEvent>", or only the last bytes of that end tag —
// followed by "<E2ETraceEvent", or, when the
// partial first record is longer than head, holds a record's end tags.
func Detect(head []byte) bool {
	i := bytes.Index(head, []byte(startTag))
	if i < 0 {
		// A cut first record longer than head: only its tail is visible.
		return bytes.Contains(head, []byte("</ApplicationData>"+endTag)) ||
			bytes.Contains(head, []byte("</System><ApplicationData>"))
	}
	if !validStart(head[i+len(startTag):]) {
		return false
	}
	prefix := trimSpace(head[:i])
	return len(prefix) == 0 || bytes.HasSuffix(prefix, []byte(endTag)) || isEndTagTail(prefix)
}

// validStart reports whether the bytes after "<E2ETraceEvent" continue a
// start tag (a space, '>' or the end of the head).
func validStart(rest []byte) bool {
	return len(rest) == 0 || rest[0] == '>' || isSpace(rest[0])
}
