// Package textenc recognises the text encodings Windows programs write
// (UTF-8 with or without a byte-order mark, UTF-16 little- or big-endian
// with or without one) and turns any of them into a stream of UTF-8.
//
// Readers for text formats call Sniff on the first bytes of a file, then
// wrap the whole file (from byte 0, BOM included) with NewReader and parse
// UTF-8 only.
package textenc

import (
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// Encoding is the text encoding of a file. The zero value is invalid;
// Sniff never returns it and NewReader treats it like UTF8.
type Encoding uint8

const (
	Invalid Encoding = iota
	// UTF8 is UTF-8 (or ASCII, or anything that is not recognisably
	// UTF-16) without a byte-order mark.
	UTF8
	// UTF8BOM is UTF-8 starting with EF BB BF.
	UTF8BOM
	// UTF16LE is little-endian UTF-16, with the BOM FF FE (bomLen 2) or
	// without one (bomLen 0, detected from zero high bytes).
	UTF16LE
	// UTF16BE is big-endian UTF-16, with the BOM FE FF (bomLen 2) or
	// without one.
	UTF16BE
)

var encodingNames = [...]string{"invalid", "utf-8", "utf-8-bom", "utf-16le", "utf-16be"}

// String returns a lower-case name: "utf-8", "utf-8-bom", "utf-16le",
// "utf-16be" ("invalid" for anything else).
func (e Encoding) String() string {
	if int(e) < len(encodingNames) {
		return encodingNames[e]
	}
	return "invalid"
}

// IsUTF16 reports whether e is one of the UTF-16 encodings.
func (e Encoding) IsUTF16() bool { return e == UTF16LE || e == UTF16BE }

// sniffWindow is how many leading bytes the BOM-less UTF-16 heuristic
// looks at; more would not change the answer for real files.
const sniffWindow = 1024

// Sniff looks at the first bytes of a file (give it at least a few hundred
// when available) and returns its encoding and the length of its
// byte-order mark (0 when there is none).
//
// Byte-order marks win: EF BB BF is UTF8BOM, FF FE is UTF16LE, FE FF is
// UTF16BE. Without a BOM, text whose characters are mostly in the ASCII /
// Latin-1 range is UTF-16 when at least half of the bytes at odd offsets
// (LE) or even offsets (BE) are zero while almost none (≤ 1/16) on the
// other side are, over at least two code units. Anything else is UTF8:
// the caller decides later whether the bytes are text at all.
func Sniff(head []byte) (enc Encoding, bomLen int) {
	switch {
	case len(head) >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF:
		return UTF8BOM, 3
	case len(head) >= 2 && head[0] == 0xFF && head[1] == 0xFE:
		return UTF16LE, 2
	case len(head) >= 2 && head[0] == 0xFE && head[1] == 0xFF:
		return UTF16BE, 2
	}
	if len(head) > sniffWindow {
		head = head[:sniffWindow]
	}
	units := len(head) / 2
	if units < 2 {
		return UTF8, 0
	}
	var zeroEven, zeroOdd int
	for i := 0; i+1 < len(head); i += 2 {
		if head[i] == 0 {
			zeroEven++
		}
		if head[i+1] == 0 {
			zeroOdd++
		}
	}
	switch {
	case zeroOdd*2 >= units && zeroEven*16 <= units:
		return UTF16LE, 0
	case zeroEven*2 >= units && zeroOdd*16 <= units:
		return UTF16BE, 0
	}
	return UTF8, 0
}

// NewReader returns a reader of r's text as UTF-8 without a byte-order
// mark. r must be positioned at the start of the file: the first bomLen
// bytes are discarded (a short file simply ends early).
//
// UTF-8 input is passed through unchanged (invalid sequences included:
// they are the parser's to report). UTF-16 input is transcoded; surrogate
// pairs split across reads are joined, unpaired surrogates and an odd
// trailing byte become U+FFFD. Memory use is constant (one 32 KiB buffer).
// The returned reader is not safe for concurrent use; errors from r other
// than io.EOF are returned as they are.
//
// UTF-16 that loses its alignment (a byte dropped or inserted mid-file,
// after which every code unit straddles two characters) is
// resynchronised: where resyncWindow code units in a row each have a zero
// low byte and a text byte (tab, CR, LF or printable ASCII) as high byte —
// ASCII text read one byte off — one byte is skipped and a U+FFFD written
// in its place, and decoding goes on aligned. Only the characters
// between the damage and that point are lost. Text after the damage
// with no ASCII in it (no markup, no digits, no spaces) is not resynced.
func NewReader(r io.Reader, enc Encoding, bomLen int) io.Reader {
	return NewReaderNotify(r, enc, bomLen, nil)
}

// NewReaderNotify is NewReader that calls resynced (when not nil) with
// the file offset of each byte skipped to regain UTF-16 alignment. It is
// called from the goroutine that reads.
func NewReaderNotify(r io.Reader, enc Encoding, bomLen int, resynced func(offset int64)) io.Reader {
	if bomLen > 0 {
		r = &bomSkipper{r: r, left: bomLen}
	}
	if !enc.IsUTF16() {
		return r
	}
	return &utf16Reader{src: r, bigEndian: enc == UTF16BE, resynced: resynced, consumed: int64(bomLen)}
}

// resyncWindow is how many misaligned-looking code units in a row make
// the reader skip a byte. Aligned text would need as many characters
// U+0900–U+7E00 whose low byte is zero in a row (U+4E00 一 eight times).
const resyncWindow = 8

// misaligned reports whether the unit c looks like ASCII read one byte
// off: a zero low byte and a text byte as high byte.
func misaligned(c uint16) bool {
	hi := byte(c >> 8)
	return c&0xFF == 0 && (hi >= 0x20 && hi < 0x7f || hi == '\t' || hi == '\n' || hi == '\r')
}

// bomSkipper drops the first left bytes of r.
type bomSkipper struct {
	r    io.Reader
	left int
}

func (s *bomSkipper) Read(p []byte) (int, error) {
	for s.left > 0 {
		var buf [4]byte
		n, err := s.r.Read(buf[:min(s.left, len(buf))])
		s.left -= n
		if err != nil {
			return 0, err
		}
	}
	return s.r.Read(p)
}

const utf16BufSize = 32 << 10

// utf16Reader transcodes UTF-16 to UTF-8. in[start:end] holds bytes read
// from src but not yet decoded; out[outStart:outEnd] holds decoded bytes
// not yet returned (used only when the caller's buffer is tiny).
type utf16Reader struct {
	src       io.Reader
	bigEndian bool
	in        [utf16BufSize]byte
	start     int
	end       int
	out       [8]byte
	outStart  int
	outEnd    int
	err       error // sticky error from src (io.EOF included)

	resynced  func(offset int64)
	consumed  int64 // file offset of in[start]
	lookahead bool  // decode stopped for want of resyncWindow units
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if u.outStart < u.outEnd {
		n := copy(p, u.out[u.outStart:u.outEnd])
		u.outStart += n
		return n, nil
	}
	for {
		if len(p) < utf8.UTFMax {
			// Decode into the small buffer, then hand out what fits.
			m, err := u.decode(u.out[:])
			if m == 0 {
				if err != nil {
					return 0, err
				}
				continue
			}
			n := copy(p, u.out[:m])
			u.outStart, u.outEnd = n, m
			return n, nil
		}
		n, err := u.decode(p)
		if n > 0 || err != nil {
			return n, err
		}
	}
}

// decode writes UTF-8 into dst (len ≥ 4) and returns how many bytes it
// wrote. It reads from src when no complete code unit is buffered. It
// returns (0, nil) only when a read from src produced no decodable bytes
// and the caller should try again.
func (u *utf16Reader) decode(dst []byte) (int, error) {
	need := 4
	if u.lookahead {
		need = 2 * resyncWindow
	}
	if u.end-u.start < need && u.err == nil {
		u.fill(need)
		u.lookahead = false
	}
	in := u.in[u.start:u.end]
	n := 0
	i := 0
	be := u.bigEndian
	for i+1 < len(in) && n+utf8.UTFMax <= len(dst) {
		var c uint16
		if be {
			c = uint16(in[i])<<8 | uint16(in[i+1])
		} else {
			c = uint16(in[i]) | uint16(in[i+1])<<8
		}
		if c < utf8.RuneSelf {
			dst[n] = byte(c)
			n++
			i += 2
			continue
		}
		if misaligned(c) {
			if i+2*resyncWindow > len(in) && u.err == nil {
				if i == 0 {
					u.lookahead = true
				}
				break // decide once the window is buffered
			}
			if u.lostAlignment(in[i:]) {
				if u.resynced != nil {
					u.resynced(u.consumed + int64(i))
				}
				n += utf8.EncodeRune(dst[n:], utf8.RuneError)
				i++
				continue
			}
		}
		if !utf16.IsSurrogate(rune(c)) {
			n += utf8.EncodeRune(dst[n:], rune(c))
			i += 2
			continue
		}
		if c < 0xDC00 { // high surrogate: needs the next unit
			if i+3 >= len(in) {
				if u.err == nil {
					break // the low half is in the next read
				}
				n += utf8.EncodeRune(dst[n:], utf8.RuneError)
				i += 2
				continue
			}
			var c2 uint16
			if be {
				c2 = uint16(in[i+2])<<8 | uint16(in[i+3])
			} else {
				c2 = uint16(in[i+2]) | uint16(in[i+3])<<8
			}
			if r := utf16.DecodeRune(rune(c), rune(c2)); r != utf8.RuneError {
				n += utf8.EncodeRune(dst[n:], r)
				i += 4
				continue
			}
		}
		// Unpaired surrogate.
		n += utf8.EncodeRune(dst[n:], utf8.RuneError)
		i += 2
	}
	u.start += i
	u.consumed += int64(i)
	if u.err != nil && u.end-u.start == 1 && n+utf8.UTFMax <= len(dst) {
		// Odd trailing byte at end of input.
		n += utf8.EncodeRune(dst[n:], utf8.RuneError)
		u.start = u.end
		u.consumed++
	}
	if n == 0 && u.err != nil && u.start == u.end {
		return 0, u.err
	}
	return n, nil
}

// lostAlignment reports whether the resyncWindow units at the start of
// in (which has them) all look misaligned.
func (u *utf16Reader) lostAlignment(in []byte) bool {
	if len(in) < 2*resyncWindow {
		return false
	}
	for k := 0; k < 2*resyncWindow; k += 2 {
		var c uint16
		if u.bigEndian {
			c = uint16(in[k])<<8 | uint16(in[k+1])
		} else {
			c = uint16(in[k]) | uint16(in[k+1])<<8
		}
		if !misaligned(c) {
			return false
		}
	}
	return true
}

// fill moves the undecoded tail to the front of in and reads until it
// holds need bytes, or one read brought something.
func (u *utf16Reader) fill(need int) {
	if u.start > 0 {
		u.end = copy(u.in[:], u.in[u.start:u.end])
		u.start = 0
	}
	for u.end < need && u.err == nil {
		n, err := u.src.Read(u.in[u.end:])
		u.end += n
		if err != nil {
			u.err = err
		}
		if n == 0 && err == nil {
			return // let the caller retry; avoids spinning here
		}
		if n > 0 {
			// One productive read is enough; do not block for more.
			return
		}
	}
}
