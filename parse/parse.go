// Package parse turns a bundle into typed inputs: it opens the bundle
// lazily, detects each entry's format from its bytes, and hands out
// streaming readers for each format. It knows nothing of patterns or
// analysis.
package parse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"exlog/event"
	"exlog/parse/bundle"
	"exlog/parse/textenc"
)

// HeadSize is how many bytes of an entry are read to detect its format.
const HeadSize = 8 << 10

// Source is one entry of the bundle whose format was recognised.
type Source struct {
	Entry    bundle.Entry
	Format   event.Format
	Encoding textenc.Encoding
	bomLen   int
	// First is the time of the first record found in the head, if any:
	// the analyzer opens time-ordered sources only when they are due.
	First time.Time
	// pending holds the reader opened for sniffing when the entry can be
	// opened only once (stdin); nil otherwise.
	pending io.ReadCloser
	head    []byte
}

// Skip is an entry that will not be analysed, and why.
type Skip struct {
	Path   string
	Reason string
	// Unreadable marks evidence that could not be read (bundle.unreadable),
	// as opposed to files that are not evidence at all.
	Unreadable bool
	// Limit is the archive cap that kept it from being read, or "".
	Limit bundle.Limit
}

// Scan opens every entry once, reads its head and decides its format.
// Entries that are not evidence become Skips with a reason.
func Scan(b *bundle.Bundle) ([]*Source, []Skip) {
	var sources []*Source
	var skips []Skip
	for _, s := range b.Skipped() {
		skips = append(skips, Skip{Path: s.Path, Reason: s.Reason, Unreadable: true, Limit: s.Limit})
	}
	for _, e := range b.Entries() {
		src, skip := sniff(e)
		if src != nil {
			sources = append(sources, src)
		} else {
			skips = append(skips, skip)
		}
	}
	return sources, skips
}

// readSkip is the Skip of an entry whose read failed with err; a cap's
// error keeps its flag, and its reason leaves out the path the Skip names.
func readSkip(path, what string, err error) Skip {
	var le *bundle.LimitError
	if errors.As(err, &le) {
		return Skip{Path: path, Reason: what + le.Reason, Unreadable: true, Limit: le.Limit}
	}
	return Skip{Path: path, Reason: what + err.Error(), Unreadable: true}
}

func sniff(e bundle.Entry) (*Source, Skip) {
	if e.Size == 0 {
		return nil, Skip{Path: e.Path, Reason: "empty file"}
	}
	rc, err := e.Open()
	if err != nil {
		return nil, readSkip(e.Path, "cannot open: ", err)
	}
	raw := make([]byte, HeadSize)
	n, err := io.ReadFull(rc, raw)
	raw = raw[:n]
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		rc.Close()
		return nil, readSkip(e.Path, "cannot read: ", err)
	}
	if n == 0 {
		rc.Close()
		return nil, Skip{Path: e.Path, Reason: "empty file"}
	}
	src := &Source{Entry: e}
	var head []byte
	if f := detectBinary(raw); f != event.FormatInvalid {
		// binary: read as it is, no text decoding
		src.Encoding, src.Format = textenc.UTF8, f
	} else {
		src.Encoding, src.bomLen = textenc.Sniff(raw)
		head = decodeHead(raw, src.Encoding, src.bomLen)
		src.Format = Detect(head)
	}
	if src.Format == event.FormatInvalid {
		rc.Close()
		return nil, Skip{Path: e.Path, Reason: "not evidence: " + describe(raw, head)}
	}
	if src.Format == event.FormatTrace {
		src.First = firstTraceTime(head)
	}
	if e.OnceOnly {
		src.pending = rc
		src.head = raw
	} else {
		rc.Close()
	}
	return src, Skip{}
}

// firstTraceTime returns the time of the first complete record in a
// trace log's head, or zero. It only orders files for the merge: the
// reader parses every record properly later.
func firstTraceTime(head []byte) time.Time {
	start := bytes.Index(head, []byte("<E2ETraceEvent"))
	if start < 0 {
		return time.Time{}
	}
	const attr = `<TimeCreated SystemTime="`
	i := bytes.Index(head[start:], []byte(attr))
	if i < 0 {
		return time.Time{}
	}
	v := head[start+i+len(attr):]
	end := bytes.IndexByte(v, '"')
	if end < 0 {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, string(v[:end]))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

func decodeHead(raw []byte, enc textenc.Encoding, bomLen int) []byte {
	if enc == textenc.UTF8 && bomLen == 0 {
		return raw
	}
	out, _ := io.ReadAll(textenc.NewReader(bytes.NewReader(raw), enc, bomLen))
	return out
}

// describe says in a few words what a non-evidence file looks like.
func describe(raw, head []byte) string {
	switch {
	case bytes.HasPrefix(raw, []byte("\x89PNG")):
		return "PNG image"
	case bytes.HasPrefix(raw, []byte("\xff\xd8\xff")):
		return "JPEG image"
	case bytes.HasPrefix(raw, []byte("%PDF")):
		return "PDF document"
	case bytes.HasPrefix(raw, []byte("\xd0\xcf\x11\xe0")):
		return "OLE compound file (MSI installer or Office document)"
	case bytes.HasPrefix(raw, []byte("MZ")):
		return "Windows executable"
	case bytes.HasPrefix(raw, []byte("PK")):
		return "zip-like data that could not be opened as an archive"
	case bytes.HasPrefix(raw, []byte("\x1f\x8b")):
		return "gzip data (not read; unpack it or zip it)"
	}
	if isText(head) {
		return "text in no format exlog reads"
	}
	return "binary data in no format exlog reads"
}

func isText(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	bin := 0
	for _, c := range b {
		if c < 0x09 || (c > 0x0d && c < 0x20) {
			bin++
		}
	}
	return bin*100 < len(b)
}

// Reopenable reports whether Open may be called more than once (false for
// an entry that can be read only once, such as standard input).
func (s *Source) Reopenable() bool { return s.pending == nil }

// Open returns the entry's content decoded to UTF-8 with the BOM removed.
func (s *Source) Open() (io.ReadCloser, error) { return s.OpenWarn(nil) }

// OpenWarn is Open that reports, through warn (when not nil, possibly
// from another goroutine than the caller's), each place where UTF-16
// text lost its alignment and was resynchronised (see textenc.NewReader).
func (s *Source) OpenWarn(warn func(event.ReadWarning)) (io.ReadCloser, error) {
	var rc io.ReadCloser
	if s.pending != nil {
		rc = readCloser{io.MultiReader(bytes.NewReader(s.head), s.pending), s.pending}
		s.pending, s.head = nil, nil
	} else {
		var err error
		if rc, err = s.Entry.Open(); err != nil {
			return nil, err
		}
	}
	if s.Encoding == textenc.UTF8 && s.bomLen == 0 {
		return rc, nil
	}
	var resynced func(int64)
	if warn != nil {
		path, enc, odd := s.Entry.Path, s.Encoding, s.Entry.Size%2 == 1
		resynced = func(off int64) {
			msg := fmt.Sprintf("%s text lost its alignment before this offset (a byte missing or extra): one byte skipped and reading resumed aligned; the characters between the damage and here are lost, the record holding them may be reported broken", enc)
			if odd {
				msg += "; a byte missing here is also why the file's length is odd"
			}
			warn(event.ReadWarning{Origin: event.Origin{Path: path, Offset: off}, Kind: event.KindUTF16Resync, Message: msg})
		}
	}
	return readCloser{textenc.NewReaderNotify(rc, s.Encoding, s.bomLen, resynced), rc}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}
