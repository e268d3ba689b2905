package eventlog

import (
	"bufio"
	"bytes"
	"errors"
	"io"

	"exlog/event"
)

// lineReader splits input into lines ending in LF or CRLF and counts them.
type lineReader struct {
	br   *bufio.Reader
	line int // 1-based number of the line last returned
	buf  []byte
	// max caps one text line (event.Caps.MaxLine); the rest of a longer
	// line is dropped (and reported) so that memory stays bounded on
	// garbage input.
	max int
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10), max: event.DefaultMaxLine}
}

// next returns the next line without its terminator. The slice is valid
// until the next call. cut reports that the line was longer than
// max and was shortened. err is io.EOF after the last line.
func (l *lineReader) next() (b []byte, cut bool, err error) {
	l.buf = l.buf[:0]
	for {
		chunk, err := l.br.ReadSlice('\n')
		if len(l.buf)+len(chunk) <= l.max {
			l.buf = append(l.buf, chunk...)
		} else {
			if room := l.max - len(l.buf); room > 0 {
				l.buf = append(l.buf, chunk[:room]...)
			}
			cut = true
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && (err != io.EOF || len(l.buf) == 0 && !cut) {
			return nil, false, err
		}
		l.line++
		b = bytes.TrimSuffix(l.buf, []byte("\n"))
		b = bytes.TrimSuffix(b, []byte("\r"))
		return b, cut, nil
	}
}
