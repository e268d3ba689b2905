// Package xmlcap bounds what encoding/xml holds in memory. The decoder
// buffers a whole text node or tag before returning it, so a 200 MB
// <Data> value in an event-log export, or a CliXML string with no end,
// would be held whole. A Filter sits between the file and the decoder:
// the part of a text run (the bytes between '>' and '<') beyond the cap
// is dropped and reported, cut at a character boundary and never inside
// an entity reference, so the decoder still sees well-formed XML; a tag
// (start or end tag, comment, CDATA section, declaration) longer than
// the cap stops the file with ErrTagTooLong, because nothing of it can be
// dropped without breaking the document.
package xmlcap

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// ErrTagTooLong is returned (wrapped, with the offset) when one tag is
// longer than the cap.
var ErrTagTooLong = errors.New("XML markup longer than the cap")

// maxEntity is the longest entity reference ("&#x10FFFF;", "&quot;", a
// made-up name) not cut in the middle.
const maxEntity = 32

// Filter decides byte by byte what passes to the decoder. Its zero value
// is not usable: set Max.
type Filter struct {
	// Max is the longest text run or tag passed whole, in bytes.
	Max int
	// OnCut is called when a cut text run ends, with the file offset of
	// the first dropped byte and how many bytes were dropped.
	OnCut func(at, dropped int64)

	pos   int64 // bytes seen
	run   int   // bytes of the current text run or tag
	inTag bool
	kind  byte    // inside markup: 't' tag, '!' <!...> or <?...?>, 'c' comment, 'd' CDATA
	head  [9]byte // the first bytes of the markup, to tell its kind
	last  [2]byte // the two bytes before c inside markup
	quote byte    // quote character while inside an attribute value or directive
	// Inside a directive (<!DOCTYPE ...>), as encoding/xml reads it:
	// nesting depth of '<' '>', progress matching "!--" after a '<',
	// inside a nested comment, and the two bytes before c there.
	depth        int
	dlt          int
	dcomment     bool
	dprev        [2]byte
	entity       int // bytes since an unclosed '&' in text, 0 when none
	cutFrom      int64
	cutting      bool
	dropped      int64
	droppedLines int64
	// cuts are the latest cuts, for FileOffset: at is the count of
	// passed bytes where the cut is, before the bytes dropped before it.
	// Older cuts are forgotten (ncuts counts them all).
	cuts  [16]struct{ at, before int64 }
	ncuts int
}

// Keep takes the next byte of the file and reports whether it passes to
// the decoder. err is non-nil (wrapping ErrTagTooLong) when a tag grew
// past Max.
func (f *Filter) Keep(c byte) (bool, error) {
	at := f.pos
	f.pos++
	if f.inTag {
		if f.run < len(f.head) {
			f.head[f.run] = c
		}
		f.run++
		switch f.run {
		case 2:
			if c == '!' || c == '?' {
				f.kind = '!'
			}
		case 4:
			if string(f.head[:4]) == "<!--" {
				f.kind = 'c'
			}
		case 9:
			if string(f.head[:9]) == "<![CDATA[" {
				f.kind = 'd'
			}
		}
		end := false
		switch f.kind {
		case 't':
			switch {
			case f.quote != 0:
				if c == f.quote {
					f.quote = 0
				}
			case c == '"' || c == '\'':
				f.quote = c
			case c == '>':
				end = true
			}
		case '!':
			switch {
			case f.head[1] == '?': // processing instruction: ends at "?>"
				end = c == '>' && f.last[1] == '?' && f.run >= 4
			case f.run > 3: // the byte after "<!" never ends it (as in encoding/xml)
				end = f.directive(c)
			}
		case 'c':
			end = c == '>' && f.last == [2]byte{'-', '-'} && f.run > 6
		case 'd':
			end = c == '>' && f.last == [2]byte{']', ']'} && f.run > 11
		}
		f.last = [2]byte{f.last[1], c}
		if end {
			f.inTag, f.run = false, 0
			return true, nil
		}
		if f.run > f.Max {
			return false, fmt.Errorf("%w: more than %d bytes of one tag, comment or CDATA section at byte %d (raise --max-line to read it)", ErrTagTooLong, f.Max, at-int64(f.run)+1)
		}
		return true, nil
	}
	if c == '<' {
		f.endCut()
		f.inTag, f.run, f.quote, f.entity, f.kind, f.last = true, 1, 0, 0, 't', [2]byte{}
		f.depth, f.dlt, f.dcomment = 0, 0, false
		f.head[0] = c
		return true, nil
	}
	if f.cutting {
		f.dropped++
		if c == '\n' {
			f.droppedLines++
		}
		return false, nil
	}
	f.run++
	inEntity := f.entity > 0
	switch {
	case c == '&':
		f.entity = 1
	case f.entity > 0 && (c == ';' || f.entity >= maxEntity):
		f.entity = 0
	case f.entity > 0:
		f.entity++
	}
	// Cut only before the first byte of a character (not a UTF-8
	// continuation byte) and outside an entity reference (before its '&'
	// or after its ';').
	endsEntity := inEntity && c == ';'
	if f.run > f.Max && (c == '&' || f.entity == 0 && !endsEntity) && (c < 0x80 || c >= 0xc0) {
		f.cutting, f.cutFrom = true, at
		f.cuts[f.ncuts%len(f.cuts)] = struct{ at, before int64 }{at - f.dropped, f.dropped}
		f.ncuts++
		f.dropped++
		if c == '\n' {
			f.droppedLines++
		}
		return false, nil
	}
	return true, nil
}

// directive takes byte c of a directive and reports whether it ends it,
// following encoding/xml: quotes hide '<' and '>', a '<' nests (unless it
// starts a comment, which ends at "-->"), and the '>' at depth 0 ends it.
func (f *Filter) directive(c byte) bool {
	if f.dcomment {
		if c == '>' && f.dprev == [2]byte{'-', '-'} {
			f.dcomment = false
		}
		f.dprev = [2]byte{f.dprev[1], c}
		return false
	}
	if f.dlt > 0 {
		if c == "!--"[f.dlt-1] {
			if f.dlt++; f.dlt == 4 {
				f.dlt, f.dcomment, f.dprev = 0, true, [2]byte{}
			}
			return false
		}
		f.dlt = 0
		f.depth++ // c is then taken as any other byte, and cannot end it
	} else if f.quote == 0 && c == '>' && f.depth == 0 {
		return true
	}
	switch {
	case c == f.quote:
		f.quote = 0
	case f.quote != 0:
	case c == '\'' || c == '"':
		f.quote = c
	case c == '>':
		f.depth--
	case c == '<':
		f.dlt = 1
	}
	return false
}

func (f *Filter) endCut() {
	if !f.cutting {
		return
	}
	f.cutting = false
	if f.OnCut != nil {
		f.OnCut(f.cutFrom, f.pos-1-f.cutFrom)
	}
}

// End reports a cut still going on at the end of input.
func (f *Filter) End() {
	if f.cutting {
		f.cutting = false
		if f.OnCut != nil {
			f.OnCut(f.cutFrom, f.pos-f.cutFrom)
		}
	}
}

// Dropped is the number of bytes dropped so far.
func (f *Filter) Dropped() int64 { return f.dropped }

// FileOffset turns a count of bytes passed to the decoder (its
// InputOffset) into an offset in the file, adding the bytes the cuts
// before that point dropped. Exact for positions after the 16th-newest
// cut; earlier ones are placed after the cuts forgotten by then.
func (f *Filter) FileOffset(passed int64) int64 {
	after := f.dropped // dropped up to the newest cut, inclusive
	for i := f.ncuts - 1; i >= 0 && i >= f.ncuts-len(f.cuts); i-- {
		c := f.cuts[i%len(f.cuts)]
		if c.at <= passed {
			return passed + after
		}
		after = c.before
	}
	return passed + after
}

// CutMessage is the warning for a cut text value of dropped bytes.
func (f *Filter) CutMessage(dropped int64) string {
	return fmt.Sprintf("text longer than %d bytes (--max-line): the last %d bytes were not read", f.Max, dropped)
}

// DroppedLines is the number of line feeds among the dropped bytes, to
// correct line numbers counted after the filter.
func (f *Filter) DroppedLines() int64 { return f.droppedLines }

// Reader applies a Filter to a stream. It is an io.ByteReader, so that
// encoding/xml reads it without a buffer of its own and its InputOffset
// plus Dropped is the file offset.
type Reader struct {
	Filter
	br  *bufio.Reader
	err error
}

// NewReader filters r with a cap of max bytes (max <= 0: 1 MiB);
// onCut may be nil.
func NewReader(r io.Reader, max int, onCut func(at, dropped int64)) *Reader {
	if max <= 0 {
		max = 1 << 20
	}
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 32<<10)
	}
	return &Reader{Filter: Filter{Max: max, OnCut: onCut}, br: br}
}

// ReadByte returns the next byte that passes the filter.
func (r *Reader) ReadByte() (byte, error) {
	if r.err != nil {
		return 0, r.err
	}
	for {
		c, err := r.br.ReadByte()
		if err != nil {
			if err == io.EOF {
				r.End()
			}
			r.err = err
			return 0, err
		}
		if r.plain(c) {
			return c, nil
		}
		keep, err := r.Keep(c)
		if err != nil {
			r.err = err
			return 0, err
		}
		if keep {
			return c, nil
		}
	}
}

// plain takes c and reports true when Keep would just pass it and change
// nothing but the counts: a byte inside a text run or a start tag that
// neither ends nor changes its state, short of the cap. The per-byte call
// of Keep is most of the filter's cost; this inlined test avoids it.
func (f *Filter) plain(c byte) bool {
	if f.cutting || f.run+1 >= f.Max {
		return false
	}
	switch {
	case !f.inTag:
		if c == '<' || c == '&' || f.entity != 0 {
			return false
		}
	case f.kind == 't' && f.run >= len(f.head):
		if c == '"' || c == '\'' || c == '>' {
			return false
		}
	default:
		return false
	}
	f.pos++
	f.run++
	return true
}

// Buffered is how many bytes of the file are read but not yet filtered.
func (r *Reader) Buffered() int { return r.br.Buffered() }

// Read fills p with bytes that pass the filter.
func (r *Reader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c, err := r.ReadByte()
		if err != nil {
			if n > 0 && err == io.EOF {
				return n, nil
			}
			return n, err
		}
		p[n] = c
		n++
		if r.br.Buffered() == 0 {
			break
		}
	}
	return n, nil
}
