package pscmdlet

import (
	"bufio"
	"bytes"
	"io"

	"exlog/event"
)

// lineReader yields lines without their end of line ("\n" or "\r\n").
type lineReader struct {
	br   *bufio.Reader
	line int // 1-based number of the line last returned
	buf  []byte
	err  error // sticky read error
	// max bounds one line (event.Caps.MaxLine); longer lines are cut (and
	// reported) so that memory stays bounded whatever the input.
	max int
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10), max: event.DefaultMaxLine}
}

// next returns the next line, valid until the following call, and
// whether it was cut at max. err is io.EOF when no line is left,
// or the underlying read error.
func (l *lineReader) next() (line []byte, cut bool, err error) {
	if l.err != nil {
		return nil, false, l.err
	}
	frag, err := l.br.ReadSlice('\n')
	if err == nil || err == io.EOF && len(frag) > 0 {
		if err == io.EOF {
			l.err = io.EOF
		}
		l.line++
		line := trimEOL(frag)
		if len(line) > l.max {
			return line[:l.max], true, nil
		}
		return line, false, nil
	}
	if err != bufio.ErrBufferFull {
		l.err = err
		return nil, false, err
	}
	l.buf = append(l.buf[:0], frag...)
	for {
		frag, err = l.br.ReadSlice('\n')
		if len(l.buf) < l.max {
			room := l.max - len(l.buf)
			if len(frag) > room {
				cut = true
				l.buf = append(l.buf, frag[:room]...)
			} else {
				l.buf = append(l.buf, frag...)
			}
		} else if len(frag) > 0 {
			cut = true
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && err != io.EOF {
			l.err = err
			return nil, false, err
		}
		if err == io.EOF {
			l.err = io.EOF
		}
		l.line++
		return trimEOL(l.buf), cut, nil
	}
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte{'\n'})
	return bytes.TrimSuffix(b, []byte{'\r'})
}

// stripANSI removes CSI escape sequences (PowerShell 7 colours list labels
// when output rendering is not plain text). b is modified in place.
func stripANSI(b []byte) []byte {
	if bytes.IndexByte(b, 0x1b) < 0 {
		return b
	}
	out := b[:0]
	for i := 0; i < len(b); i++ {
		if b[i] == 0x1b && i+1 < len(b) && b[i+1] == '[' {
			j := i + 2
			for j < len(b) && (b[j] < 0x40 || b[j] > 0x7e) {
				j++
			}
			i = j
			continue
		}
		out = append(out, b[i])
	}
	return out
}
