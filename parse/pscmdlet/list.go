package pscmdlet

import (
	"bytes"
	"fmt"
	"io"
	"strings"

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
	return &listReader{lr: newLineReader(r), path: path, warn: warn}
}

type listReader struct {
	lr   *lineReader
	path string
	warn func(event.ReadWarning)
	val  []byte // value being assembled
}

func (l *listReader) warnf(line int, kind, format string, args ...any) {
	if l.warn == nil {
		return
	}
	l.warn(event.ReadWarning{
		Origin:  event.Origin{Path: l.path, Line: line, Offset: -1},
		Kind:    kind,
		Message: fmt.Sprintf(format, args...),
	})
}

func (l *listReader) Next() (*Record, error) {
	var rec *Record
	col := -1          // label column: index of " : " in this object
	name := ""         // property being assembled
	inProp := false    // name/l.val hold a property
	finish := func() { // append the property being assembled
		if !inProp {
			return
		}
		v := Value{Raw: strings.TrimRight(string(l.val), " \t")}
		parseCollection(&v)
		rec.Props = append(rec.Props, Prop{Name: name, Value: v})
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
		if rec == nil {
			rec = &Record{Line: l.lr.line, Offset: -1}
		}
		if cut {
			l.warnf(l.lr.line, "line-too-long", "line longer than %d bytes was cut", maxLineBytes)
			rec.Partial = true
		}
		if line[0] == ' ' || line[0] == '\t' {
			if !inProp {
				l.warnf(l.lr.line, "orphan-continuation", "indented line without a property before it: %q", clip(line))
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
			l.val = append(l.val, line...)
			if len(l.val) > maxLineBytes*4 {
				l.warnf(l.lr.line, "value-too-long", "value of %s longer than %d bytes was cut", name, maxLineBytes*4)
				l.val = l.val[:maxLineBytes*4]
				rec.Partial = true
			}
			continue
		}
		label, value, c, ok := splitListLine(line, col)
		if !ok {
			l.warnf(l.lr.line, "garbage", "not a \"Label : value\" line: %q", clip(line))
			rec.Partial = true
			finish()
			continue
		}
		finish()
		col = c
		name = label
		l.val = append(l.val[:0], value...)
		inProp = true
	}
	finish()
	if len(rec.Props) == 0 {
		// only garbage: already warned line by line; keep it as a partial
		// generic record so that nothing is dropped silently.
		rec.Kind = KindGeneric
		return rec, nil
	}
	rec.Kind = classify(nil, rec.Props)
	return rec, nil
}

// splitListLine splits "Label<pad> : value" (also "Label :" with the
// value empty and the trailing space trimmed). col is the label column
// known for the object (-1 if none); the returned column is the index of
// " : " in line.
func splitListLine(line []byte, col int) (label string, value []byte, c int, ok bool) {
	t := bytes.TrimRight(line, " \t")
	if col > 0 && len(t) >= col+2 && t[col] == ' ' && t[col+1] == ':' && (len(t) == col+2 || t[col+2] == ' ') {
		if lb := bytes.TrimRight(line[:col], " \t"); validLabel(lb) {
			if len(line) >= col+3 {
				value = line[col+3:]
			}
			return string(lb), value, col, true
		}
	}
	if i := bytes.Index(line, []byte(" : ")); i > 0 {
		if lb := bytes.TrimRight(line[:i], " \t"); validLabel(lb) {
			return string(lb), line[i+3:], i, true
		}
		return "", nil, 0, false
	}
	if bytes.HasSuffix(t, []byte(" :")) {
		i := len(t) - 2
		if lb := bytes.TrimRight(t[:i], " \t"); validLabel(lb) {
			return string(lb), nil, i, true
		}
	}
	return "", nil, 0, false
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
func clip(b []byte) string {
	const max = 80
	if len(b) > max {
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
		if isBlank(line) {
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
