package pscmdlet

import (
	"bytes"
	"fmt"
	"io"

	"exlog/event"
)

// NewListReader reads Format-List text ("Label<pad> : value" lines, objects
// separated by blank lines). path names the file in warnings; warn may be
// nil.
//
// Layout handled: the label column is fixed within an object (found on its
// first line, re-found if a later line moves it), so values that contain
// " : " are kept whole; continuation lines (indented by label width + 3)
// are appended to the value with nothing inserted, as PowerShell wraps at
// the width without adding spaces; collections "{a, b}" fill Items and
// "{a, b, c, d...}" is marked Truncated; CRLF or LF; leading and trailing
// blank lines; trailing whitespace at the end of a value is dropped
// (inside a wrapped value it is kept, since it may be part of the value).
// Labels may contain spaces (calculated properties) but not ':'.
func NewListReader(r io.Reader, path string, warn func(event.ReadWarning)) Reader {
	return &listReader{lr: newLineReader(r), path: path, warn: warn, maxObject: event.DefaultMaxRecord}
}

// SetCaps sets the longest line (MaxLine) and the largest object
// (MaxRecord); call it before the first Next.
func (l *listReader) SetCaps(c event.Caps) {
	l.lr.max, l.maxObject = c.Line(), c.Record()
}

type listReader struct {
	lr     *lineReader
	path   string
	warn   func(event.ReadWarning)
	vals   []byte        // values of the object being read, back to back
	pend   []pendingProp // its properties, pointing into vals
	labels map[string]string
	held   []event.ReadWarning // warnings of the object being read
	errMsg string              // first line of a PowerShell error block in this object
	first  []byte              // first line of the object being read
	// maxObject bounds the values of one object: a file without blank
	// lines must not become one object held in memory.
	maxObject int
}

type pendingProp struct {
	name       string
	start, end int // value is vals[start:end]
}

// warnf holds a warning until the object ends (see flush).
func (l *listReader) warnf(line int, kind event.WarningKind, format string, args ...any) {
	if l.warn == nil {
		return
	}
	l.held = append(l.held, event.ReadWarning{
		Origin:  event.Origin{Path: l.path, Line: line, Offset: -1},
		Kind:    kind,
		Message: fmt.Sprintf(format, args...),
	})
}

// flush reports the held warnings of an object; for a PowerShell error
// block (an error record written into the export) one warning replaces
// them, carrying the error text.
func (l *listReader) flush(rec *Record) {
	if l.warn == nil {
		return
	}
	if rec != nil && l.errMsg != "" {
		l.warn(event.ReadWarning{
			Origin:  event.Origin{Path: l.path, Line: rec.Line, Offset: -1},
			Kind:    event.KindPowerShellError,
			Message: "PowerShell error written into the export: " + l.errMsg,
		})
	} else {
		for _, w := range l.held {
			l.warn(w)
		}
	}
	l.held = l.held[:0]
}

// isErrorBlockLine recognises the lines PowerShell writes under an error
// message ("At line:1 char:1", "+ CategoryInfo : …").
func isErrorBlockLine(line []byte) bool {
	t := bytes.TrimLeft(line, " \t")
	return bytes.HasPrefix(t, []byte("At line:")) || bytes.HasPrefix(t, []byte("At C:")) ||
		bytes.HasPrefix(t, []byte("+ CategoryInfo ")) || bytes.HasPrefix(t, []byte("+ FullyQualifiedErrorId "))
}

// streamPrefixes start the lines PowerShell writes for its warning,
// verbose and debug streams when they are redirected into the file.
var streamPrefixes = [][]byte{[]byte("WARNING: "), []byte("VERBOSE: "), []byte("DEBUG: ")}

func isStreamMessage(line []byte) bool {
	for _, p := range streamPrefixes {
		if bytes.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// label returns b as a string, shared between objects (labels repeat).
func (l *listReader) label(b []byte) string {
	if s, ok := l.labels[string(b)]; ok {
		return s
	}
	s := string(b)
	if l.labels == nil {
		l.labels = map[string]string{}
	}
	if len(l.labels) < 4096 {
		l.labels[s] = s
	}
	return s
}

func (l *listReader) Next() (*Record, error) {
	for {
		rec, err := l.next()
		if rec != nil && l.errMsg != "" {
			l.flush(rec) // an error block, reported, not returned as an object
			l.errMsg = ""
			continue
		}
		l.flush(rec)
		return rec, err
	}
}

func (l *listReader) next() (*Record, error) {
	var rec *Record
	l.errMsg = ""
	col := -1 // label column: index of " : " in this object
	inProp := false
	l.vals, l.pend = l.vals[:0], l.pend[:0]
	finish := func() { // close the property being assembled
		if !inProp {
			return
		}
		p := &l.pend[len(l.pend)-1]
		p.end = p.start + len(trimRightBlank(l.vals[p.start:]))
		l.vals = l.vals[:p.end]
		inProp = false
	}
	for {
		line, cut, err := l.lr.next()
		if err != nil {
			if err != io.EOF {
				return nil, err
			}
			if rec == nil {
				return nil, io.EOF
			}
			break
		}
		line = stripANSI(line)
		if isBlank(line) {
			if rec == nil {
				continue
			}
			break
		}
		if rec == nil && isStreamMessage(line) {
			l.warnf(l.lr.line, event.KindPowerShellMessage, "PowerShell stream message in the export: %s", clip(line))
			l.flush(nil)
			continue
		}
		if rec == nil {
			rec = &Record{Line: l.lr.line, Offset: -1}
			l.first = append(l.first[:0], line...)
		}
		if l.errMsg == "" && isErrorBlockLine(line) {
			l.errMsg = clipN(l.first, 400)
		}
		if cut {
			l.warnf(l.lr.line, event.KindLongLine, "line longer than %d bytes was cut (--max-line)", l.lr.max)
			rec.Partial = true
		}
		if line[0] == ' ' || line[0] == '\t' {
			if !inProp {
				l.warnf(l.lr.line, event.KindOrphanContinuation, "indented line without a property before it: %q", clip(line))
				rec.Partial = true
				continue
			}
			n := 0
			for n < len(line) && n < col+3 && line[n] == ' ' {
				n++
			}
			if n < col+3 { // less indented than the layout says: tolerate
				line = bytes.TrimLeft(line, " \t")
			} else {
				line = line[n:]
			}
			l.vals = append(l.vals, line...)
		} else {
			label, value, c, ok := splitListLine(line, col)
			finish()
			if !ok {
				l.warnf(l.lr.line, event.KindGarbage, "not a \"Label : value\" line: %q", clip(line))
				rec.Partial = true
				continue
			}
			col = c
			l.pend = append(l.pend, pendingProp{name: l.label(label), start: len(l.vals)})
			l.vals = append(l.vals, value...)
			inProp = true
		}
		if len(l.vals) > l.maxObject {
			l.warnf(l.lr.line, event.KindObjectTooLarge, "object longer than %d bytes (--max-record); cut here, the rest is read as a new object", l.maxObject)
			rec.Partial = true
			break
		}
	}
	finish()
	if len(l.pend) == 0 {
		// only garbage: already warned line by line; keep it as a partial
		// generic record so that nothing is dropped silently.
		rec.Kind = KindGeneric
		return rec, nil
	}
	all := string(l.vals) // one allocation for all values of the object
	rec.Props = make([]Prop, len(l.pend))
	for i, p := range l.pend {
		rec.Props[i].Name = p.name
		rec.Props[i].Value.Raw = all[p.start:p.end]
		parseCollection(&rec.Props[i].Value)
	}
	rec.Kind = classify(nil, rec.Props)
	return rec, nil
}

// splitListLine splits "Label<pad> : value" (also "Label :" with the
// value empty and the trailing space trimmed). col is the label column
// known for the object (-1 if none); the returned column is the index of
// " : " in line.
func splitListLine(line []byte, col int) (label []byte, value []byte, c int, ok bool) {
	t := trimRightBlank(line)
	if col > 0 && len(t) >= col+2 && t[col] == ' ' && t[col+1] == ':' && (len(t) == col+2 || t[col+2] == ' ') {
		if lb := trimRightBlank(line[:col]); validLabel(lb) {
			if len(line) >= col+3 {
				value = line[col+3:]
			}
			return lb, value, col, true
		}
	}
	if i := bytes.Index(line, []byte(" : ")); i > 0 {
		if lb := trimRightBlank(line[:i]); validLabel(lb) {
			return lb, line[i+3:], i, true
		}
		return nil, nil, 0, false
	}
	if bytes.HasSuffix(t, []byte(" :")) {
		i := len(t) - 2
		if lb := trimRightBlank(t[:i]); validLabel(lb) {
			return lb, nil, i, true
		}
	}
	return nil, nil, 0, false
}

func trimRightBlank(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

func validLabel(b []byte) bool {
	return len(b) > 0 && b[0] != ' ' && b[0] != '\t' && bytes.IndexByte(b, ':') < 0
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\f' {
			return false
		}
	}
	return true
}

// clip shortens a line for a warning message.
func clip(b []byte) string { return clipN(b, 80) }

func clipN(b []byte, max int) string {
	if len(b) > max {
		for max > 0 && b[max]&0xc0 == 0x80 { // do not cut a UTF-8 sequence
			max--
		}
		return string(b[:max]) + "…"
	}
	return string(b)
}

// DetectList reports whether head (the first bytes of a UTF-8 file, up to
// 8 KiB) looks like Format-List output: the first non-blank line is a
// "Label : value" line and nearly all complete lines are property lines,
// continuation lines or blank.
func DetectList(head []byte) bool {
	if i := bytes.LastIndexByte(head, '\n'); i >= 0 && len(head) >= 8<<10 {
		head = head[:i] // drop a cut last line
	}
	props, other := 0, 0
	first := true
	for len(head) > 0 {
		var line []byte
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			line, head = head, nil
		}
		line = stripANSI(bytes.TrimSuffix(line, []byte{'\r'}))
		if isBlank(line) || isStreamMessage(line) || isErrorBlockLine(line) || bytes.HasPrefix(line, []byte("+ ")) {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if first {
				return false
			}
			continue
		}
		if _, _, _, ok := splitListLine(line, -1); ok && bytes.Contains(line, []byte(" :")) {
			props++
		} else {
			if first {
				return false
			}
			other++
		}
		first = false
	}
	return props > 0 && other*10 <= props
}
