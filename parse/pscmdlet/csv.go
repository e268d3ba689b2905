package pscmdlet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"exlog/parse/eventlog"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"exlog/event"
)

var errCSVRecordTooLong = errors.New("csv record too long")

// NewCSVReader reads Export-Csv output (RFC 4180, quoted multi-line
// fields), with or without the Windows PowerShell 5.1 "#TYPE Namespace.Type"
// first line (used as a kind hint). The delimiter is taken from the header
// row: ',' normally, ';' or tab for -UseCulture / -Delimiter exports.
//
// Values: a multi-valued property written as a .NET type name
// ("System.Collections.Generic.List`1[System.String]") is marked Unknown;
// in a 5.1 export (with #TYPE, ASCII) a value holding '?' is marked Lossy.
// A line end inside a quoted field comes back as "\n" (encoding/csv
// normalises "\r\n"). Rows with fewer or more fields than the header are kept as Partial
// records with a warning naming the line.
func NewCSVReader(r io.Reader, path string, warn func(event.ReadWarning)) Reader {
	return &csvReader{src: r, path: path, warn: warn, maxRecord: event.DefaultMaxRecord}
}

// SetCaps sets the largest record (MaxRecord); call it before the first
// Next.
func (c *csvReader) SetCaps(caps event.Caps) { c.maxRecord = int64(caps.Record()) }

type csvReader struct {
	src       io.Reader
	path      string
	warn      func(event.ReadWarning)
	br        *bufio.Reader
	cnt       *boundedReader
	cr        *csv.Reader
	header    []string
	typeNames []string
	lineBase  int // lines consumed before the CSV text (blank lines, #TYPE)
	ps51      bool
	started   bool
	done      bool
	// maxRecord bounds one CSV record. An unbalanced quote makes the rest
	// of a file one field; beyond this size the reader reports the record
	// and stops instead of buffering the file.
	maxRecord int64
}

// boundedReader counts bytes and fails once more than max bytes have
// been read past mark (the end of the last complete record).
type boundedReader struct {
	r    io.Reader
	n    int64
	mark int64
	max  int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.n-b.mark > b.max {
		return 0, errCSVRecordTooLong
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	return n, err
}

func (c *csvReader) warnf(line int, kind event.WarningKind, format string, args ...any) {
	if c.warn == nil {
		return
	}
	c.warn(event.ReadWarning{
		Origin:  event.Origin{Path: c.path, Line: line, Offset: -1},
		Kind:    kind,
		Message: fmt.Sprintf(format, args...),
	})
}

// start consumes leading blank lines and the #TYPE line, chooses the
// delimiter and reads the header row.
func (c *csvReader) start() error {
	c.started = true
	c.br = bufio.NewReaderSize(c.src, 64<<10)
	for {
		head, _ := c.br.Peek(64 << 10)
		if len(head) == 0 {
			return io.EOF
		}
		nl := bytes.IndexByte(head, '\n')
		line := head
		if nl >= 0 {
			line = head[:nl+1]
		}
		t := bytes.TrimSpace(line)
		switch {
		case len(t) == 0:
		case bytes.HasPrefix(t, []byte("#TYPE")):
			c.ps51 = true
			if tn := strings.TrimSpace(string(t[len("#TYPE"):])); tn != "" {
				c.typeNames = []string{tn}
			}
		case t[0] == '#' && !bytes.ContainsAny(t, ",;\t"):
			// another "#..." comment line PowerShell never writes; skip it
			c.warnf(c.lineBase+1, event.KindGarbage, "comment line before the header skipped: %q", clip(t))
		default:
			cr := csv.NewReader(c.bufCount())
			cr.LazyQuotes = true
			cr.FieldsPerRecord = -1
			cr.ReuseRecord = true
			cr.Comma = sniffDelimiter(head)
			c.cr = cr
			return c.readHeader()
		}
		if nl < 0 { // a lone first line without a newline
			c.br.Discard(len(line))
			return io.EOF
		}
		c.br.Discard(len(line))
		c.lineBase++
	}
}

func (c *csvReader) bufCount() io.Reader {
	c.cnt = &boundedReader{r: c.br, max: c.maxRecord}
	return c.cnt
}

func (c *csvReader) readHeader() error {
	for {
		rec, err := c.cr.Read()
		if err != nil {
			if pe := (*csv.ParseError)(nil); errors.As(err, &pe) {
				c.warnf(c.lineBase+pe.Line, event.KindMalformedRow, "header: %v", pe.Err)
				continue
			}
			return c.readErr(err)
		}
		c.cnt.mark = c.cr.InputOffset()
		c.header = make([]string, len(rec))
		seen := map[string]bool{}
		for i, h := range rec {
			h = strings.TrimSpace(h)
			if i == 0 {
				h = strings.TrimPrefix(h, "\ufeff")
			}
			if h == "" {
				h = fmt.Sprintf("Column%d", i+1)
				line, _ := c.cr.FieldPos(i)
				c.warnf(c.lineBase+line, event.KindBadHeader, "empty column name %d, named %s", i+1, h)
			}
			if seen[strings.ToLower(h)] {
				line, _ := c.cr.FieldPos(i)
				c.warnf(c.lineBase+line, event.KindBadHeader, "column name %q repeats; the first one wins in lookups", h)
			}
			seen[strings.ToLower(h)] = true
			c.header[i] = h
		}
		return nil
	}
}

// readErr turns a read failure into what Next returns.
func (c *csvReader) readErr(err error) error {
	if errors.Is(err, errCSVRecordTooLong) {
		line, _ := c.cr.FieldPos(0)
		c.warnf(c.lineBase+line, event.KindRecordTooLong, "record longer than %d bytes (an unbalanced quote? raise --max-record to read it); rest of file not read", c.maxRecord)
		c.done = true
		return io.EOF
	}
	return err
}

func (c *csvReader) Next() (*Record, error) {
	if c.done {
		return nil, io.EOF
	}
	if !c.started {
		if err := c.start(); err != nil {
			c.done = true
			return nil, err
		}
	}
	for {
		row, err := c.cr.Read()
		if err != nil {
			if pe := (*csv.ParseError)(nil); errors.As(err, &pe) && !errors.Is(err, errCSVRecordTooLong) {
				c.warnf(c.lineBase+pe.StartLine, event.KindMalformedRow, "row skipped: %v", pe.Err)
				continue
			}
			c.done = true
			return nil, c.readErr(err)
		}
		c.cnt.mark = c.cr.InputOffset()
		line, _ := c.cr.FieldPos(0)
		line += c.lineBase
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" && len(c.header) > 1 {
			continue // a line holding only spaces
		}
		rec := &Record{Line: line, Offset: -1, TypeNames: c.typeNames}
		if len(row) != len(c.header) {
			rec.Partial = true
			c.warnf(line, event.KindFieldCount, "row has %d fields, the header %d", len(row), len(c.header))
		}
		rec.Props = make([]Prop, 0, len(row))
		for i, f := range row {
			var name string
			if i < len(c.header) {
				name = c.header[i]
			} else {
				name = fmt.Sprintf("Column%d", i+1)
			}
			v := Value{Raw: f}
			if isDotNetTypeName(f) {
				v.Unknown = true
			} else if c.ps51 && strings.IndexByte(f, '?') >= 0 && isASCII(f) {
				v.Lossy = true
			}
			rec.Props = append(rec.Props, Prop{Name: name, Value: v})
		}
		rec.Kind = classify(rec.TypeNames, rec.Props)
		return rec, nil
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// sniffDelimiter picks ',', ';' or tab: the one that occurs most often
// outside quotes in the first line of head.
func sniffDelimiter(head []byte) rune {
	var n [3]int
	quoted := false
	for _, b := range head {
		if b == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if b == '\n' {
			break
		}
		switch b {
		case ',':
			n[0]++
		case ';':
			n[1]++
		case '\t':
			n[2]++
		}
	}
	switch {
	case n[1] > n[0] && n[1] >= n[2]:
		return ';'
	case n[2] > n[0] && n[2] > n[1]:
		return '\t'
	}
	return ','
}

// DetectCSV reports whether head (the first bytes of a UTF-8 file, up to
// 8 KiB) looks like Export-Csv output: a "#TYPE " first line, or a header
// row of at least two PowerShell property names (no spaces) followed, if
// head holds one, by a row with the same number of fields.
func DetectCSV(head []byte) bool {
	if eventlog.DetectCSV(head) {
		return false // Get-WinEvent / Get-EventLog | Export-Csv: event-log records
	}
	head = bytes.TrimLeft(head, " \t\r\n")
	if bytes.HasPrefix(head, []byte("#TYPE ")) {
		return true
	}
	comma := sniffDelimiter(head)
	if !namesOnly(head, comma) {
		return false // cheap refusal before the CSV reader's 4 KiB buffer (most files are no CSV)
	}
	cr := csv.NewReader(bytes.NewReader(head))
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	cr.Comma = comma
	hdr, err := cr.Read()
	if err != nil || len(hdr) < 2 {
		return false
	}
	for _, h := range hdr {
		if !isPropertyName(h) {
			return false
		}
	}
	if !bytes.Contains(head, []byte{'\n'}) {
		return false // header alone, nothing to tell it from any text line
	}
	row, err := cr.Read()
	if err == io.EOF {
		return true
	}
	if err != nil {
		return false
	}
	// the second row may be cut by the end of head: allow fewer fields then
	return len(row) == len(hdr) || (len(row) < len(hdr) && cr.InputOffset() >= int64(len(head))-1)
}

// namesOnly reports whether the first line of head, split naively at
// comma with quotes trimmed, holds only property names: a header that
// fails this fails the CSV parse too (a name holds no comma or quote).
func namesOnly(head []byte, comma rune) bool {
	line, _, _ := bytes.Cut(head, []byte("\n"))
	line = bytes.TrimRight(line, "\r")
	for _, f := range strings.Split(string(line), string(comma)) {
		if !isPropertyName(strings.Trim(f, "\"")) {
			return false
		}
	}
	return true
}

func isPropertyName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z':
		case i > 0 && (r >= '0' && r <= '9' || r == '.' || r == '-'):
		case r > 127 && r != 0xfffd:
		default:
			return false
		}
	}
	return true
}
