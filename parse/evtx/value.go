package evtx

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// Value types of Binary XML substitutions ([MS-EVEN6] 2.2.12 and libyal's
// "Windows XML Event Log (EVTX) format", section "Value types"). An array
// of a type sets the arrayFlag bit.
const (
	typeNull     = 0x00
	typeString   = 0x01 // UTF-16 little-endian
	typeAnsi     = 0x02 // code page text; read as Windows-1252
	typeInt8     = 0x03
	typeUint8    = 0x04
	typeInt16    = 0x05
	typeUint16   = 0x06
	typeInt32    = 0x07
	typeUint32   = 0x08
	typeInt64    = 0x09
	typeUint64   = 0x0a
	typeFloat    = 0x0b
	typeDouble   = 0x0c
	typeBool     = 0x0d // 32-bit
	typeBinary   = 0x0e
	typeGUID     = 0x0f
	typeSizeT    = 0x10
	typeFiletime = 0x11
	typeSystime  = 0x12
	typeSID      = 0x13
	typeHex32    = 0x14
	typeHex64    = 0x15
	typeEvtHdl   = 0x20
	typeBinXML   = 0x21
	typeEvtXML   = 0x23
	arrayFlag    = 0x80
)

// value is one substitution value: its type and its bytes in the chunk
// (valid until the reader moves to the next chunk).
type value struct {
	typ  uint8
	off  int // chunk offset of data
	data []byte
}

// fixedSize is the size of one element of a fixed-size type, 0 otherwise.
func fixedSize(t uint8) int {
	switch t {
	case typeInt8, typeUint8:
		return 1
	case typeInt16, typeUint16:
		return 2
	case typeInt32, typeUint32, typeFloat, typeBool, typeHex32:
		return 4
	case typeInt64, typeUint64, typeDouble, typeFiletime, typeHex64:
		return 8
	case typeGUID, typeSystime:
		return 16
	}
	return 0
}

// String renders the value as Windows renders it in event XML. It never
// fails: a value of the wrong size renders as its bytes in hex.
func (v value) String() string {
	if v.typ&arrayFlag != 0 {
		return v.arrayString()
	}
	return scalarString(v.typ, v.data)
}

func (v value) arrayString() string { return strings.Join(v.items(), ", ") }

// items renders the items of an array value: strings are NUL-terminated
// one after the other, other types have a fixed size. An array of a type
// without a fixed size renders as one hex item.
func (v value) items() []string {
	t := v.typ &^ arrayFlag
	switch t {
	case typeString, typeAnsi:
		var s string
		if t == typeString {
			s = utf16String(v.data)
		} else {
			s = ansiString(v.data)
		}
		if s == "" {
			return nil
		}
		return strings.Split(strings.TrimSuffix(s, "\x00"), "\x00")
	}
	n := fixedSize(t)
	if n == 0 || len(v.data)%n != 0 {
		return []string{scalarString(typeBinary, v.data)}
	}
	parts := make([]string, 0, len(v.data)/n)
	for i := 0; i < len(v.data); i += n {
		parts = append(parts, scalarString(t, v.data[i:i+n]))
	}
	return parts
}

func scalarString(t uint8, b []byte) string {
	le := binary.LittleEndian
	if n := fixedSize(t); n != 0 && len(b) != n {
		if !(t == typeBool && len(b) == 1) {
			return strings.ToUpper(hex.EncodeToString(b))
		}
	}
	switch t {
	case typeNull:
		return ""
	case typeString:
		return strings.TrimRight(utf16String(b), "\x00")
	case typeAnsi:
		return strings.TrimRight(ansiString(b), "\x00")
	case typeInt8:
		return strconv.Itoa(int(int8(b[0])))
	case typeUint8:
		return strconv.Itoa(int(b[0]))
	case typeInt16:
		return strconv.Itoa(int(int16(le.Uint16(b))))
	case typeUint16:
		return strconv.Itoa(int(le.Uint16(b)))
	case typeInt32:
		return strconv.FormatInt(int64(int32(le.Uint32(b))), 10)
	case typeUint32:
		return strconv.FormatUint(uint64(le.Uint32(b)), 10)
	case typeInt64:
		return strconv.FormatInt(int64(le.Uint64(b)), 10)
	case typeUint64:
		return strconv.FormatUint(le.Uint64(b), 10)
	case typeFloat:
		return strconv.FormatFloat(float64(math.Float32frombits(le.Uint32(b))), 'g', -1, 32)
	case typeDouble:
		return strconv.FormatFloat(math.Float64frombits(le.Uint64(b)), 'g', -1, 64)
	case typeBool:
		if b[0] != 0 || len(b) == 4 && le.Uint32(b) != 0 {
			return "true"
		}
		return "false"
	case typeGUID:
		return guidString(b)
	case typeSizeT, typeHex32, typeHex64:
		switch len(b) {
		case 4:
			return "0x" + strconv.FormatUint(uint64(le.Uint32(b)), 16)
		case 8:
			return "0x" + strconv.FormatUint(le.Uint64(b), 16)
		}
		return strings.ToUpper(hex.EncodeToString(b))
	case typeFiletime:
		return filetime(le.Uint64(b)).Format("2006-01-02T15:04:05.000000000Z")
	case typeSystime:
		t, ok := systemtime(b)
		if !ok {
			return strings.ToUpper(hex.EncodeToString(b))
		}
		return t.Format("2006-01-02T15:04:05.000Z")
	case typeSID:
		if s, ok := sidString(b); ok {
			return s
		}
	}
	return strings.ToUpper(hex.EncodeToString(b))
}

// filetime converts 100-ns intervals since 1601-01-01 UTC. Values with
// the top bit set (0xFFFF... "not set") read as 1601-01-01, as Windows
// renders them.
func filetime(ft uint64) time.Time {
	if ft > math.MaxInt64 {
		ft = 0
	}
	const secsTo1970 = 11644473600
	return time.Unix(int64(ft/1e7)-secsTo1970, int64(ft%1e7)*100).UTC()
}

func systemtime(b []byte) (time.Time, bool) {
	le := binary.LittleEndian
	y, mo, d := int(le.Uint16(b)), int(le.Uint16(b[2:])), int(le.Uint16(b[6:]))
	h, mi, s, ms := int(le.Uint16(b[8:])), int(le.Uint16(b[10:])), int(le.Uint16(b[12:])), int(le.Uint16(b[14:]))
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || ms > 999 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, ms*1e6, time.UTC), true
}

// guidString renders {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX} as Windows does.
func guidString(b []byte) string {
	le := binary.LittleEndian
	var g [16]byte
	binary.BigEndian.PutUint32(g[0:], le.Uint32(b))
	binary.BigEndian.PutUint16(g[4:], le.Uint16(b[4:]))
	binary.BigEndian.PutUint16(g[6:], le.Uint16(b[6:]))
	copy(g[8:], b[8:16])
	h := strings.ToUpper(hex.EncodeToString(g[:]))
	return "{" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:] + "}"
}

func sidString(b []byte) (string, bool) {
	if len(b) < 8 {
		return "", false
	}
	n := int(b[1])
	if len(b) < 8+4*n {
		return "", false
	}
	var auth uint64
	for _, c := range b[2:8] {
		auth = auth<<8 | uint64(c)
	}
	var s strings.Builder
	s.WriteString("S-")
	s.WriteString(strconv.Itoa(int(b[0])))
	s.WriteByte('-')
	s.WriteString(strconv.FormatUint(auth, 10))
	for i := range n {
		s.WriteByte('-')
		s.WriteString(strconv.FormatUint(uint64(binary.LittleEndian.Uint32(b[8+4*i:])), 10))
	}
	return s.String(), true
}

// utf16String decodes UTF-16LE (an odd trailing byte is dropped); unpaired
// surrogates become U+FFFD.
func utf16String(b []byte) string { return string(appendUTF16(nil, b)) }

// appendUTF16 appends UTF-16LE b decoded to UTF-8.
func appendUTF16(dst, b []byte) []byte {
	n := len(b) / 2
	for i := 0; i < n; i++ {
		c := rune(binary.LittleEndian.Uint16(b[2*i:]))
		switch {
		case c < utf8.RuneSelf:
			dst = append(dst, byte(c))
		case utf16.IsSurrogate(c):
			r := utf8.RuneError
			if i+1 < n {
				r = utf16.DecodeRune(c, rune(binary.LittleEndian.Uint16(b[2*i+2:])))
				if r != utf8.RuneError {
					i++
				}
			}
			dst = utf8.AppendRune(dst, r)
		default:
			dst = utf8.AppendRune(dst, c)
		}
	}
	return dst
}

// cp1252 maps bytes 0x80-0x9F of Windows-1252; other bytes are Latin-1.
var cp1252 = [32]rune{
	0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
	0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
}

func ansiString(b []byte) string {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		switch {
		case c < 0x80:
			out = append(out, c)
		case c < 0xa0:
			out = utf8.AppendRune(out, cp1252[c-0x80])
		default:
			out = utf8.AppendRune(out, rune(c))
		}
	}
	return string(out)
}
