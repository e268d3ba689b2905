package textenc

import (
	"bytes"
	"encoding/binary"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf16"
	"unicode/utf8"
)

func encodeUTF16(s string, bigEndian, bom bool) []byte {
	units := utf16.Encode([]rune(s))
	var b []byte
	var order binary.AppendByteOrder = binary.LittleEndian
	if bigEndian {
		order = binary.BigEndian
	}
	if bom {
		b = order.AppendUint16(b, 0xFEFF)
	}
	for _, u := range units {
		b = order.AppendUint16(b, u)
	}
	return b
}

// referenceDecode is the slow, obviously-correct transcoder the streaming
// reader must agree with.
func referenceDecode(b []byte, bigEndian bool) string {
	var order binary.ByteOrder = binary.LittleEndian
	if bigEndian {
		order = binary.BigEndian
	}
	units := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		units = append(units, order.Uint16(b[i:]))
	}
	s := string(utf16.Decode(units))
	if len(b)%2 == 1 {
		s += string(utf8.RuneError)
	}
	return s
}

const sampleText = "<E2ETraceEvent>Handling command: Getting the mobile device list (full sync) for 12 users — Zürich 東京 😀 naïve\r\n"

func TestSniff(t *testing.T) {
	tests := []struct {
		name   string
		head   []byte
		enc    Encoding
		bomLen int
	}{
		{"empty", nil, UTF8, 0},
		{"ascii", []byte("<E2ETraceEvent xmlns="), UTF8, 0},
		{"utf8 bom", append([]byte{0xEF, 0xBB, 0xBF}, "Name : x"...), UTF8BOM, 3},
		{"utf8 bom only", []byte{0xEF, 0xBB, 0xBF}, UTF8BOM, 3},
		{"utf16le bom", encodeUTF16("Identity : x", false, true), UTF16LE, 2},
		{"utf16be bom", encodeUTF16("Identity : x", true, true), UTF16BE, 2},
		{"utf16le bom only", []byte{0xFF, 0xFE}, UTF16LE, 2},
		{"utf16le no bom", encodeUTF16("DeviceID : ABC123\r\n", false, false), UTF16LE, 0},
		{"utf16be no bom", encodeUTF16("DeviceID : ABC123\r\n", true, false), UTF16BE, 0},
		{"utf16le no bom non-ascii", encodeUTF16("Gerät: Zürich, naïve", false, false), UTF16LE, 0},
		{"one utf16 unit is too little", []byte{'A', 0}, UTF8, 0},
		{"zip", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), UTF8, 0},
		{"evtx", append([]byte("ElfFile\x00"), make([]byte, 40)...), UTF8, 0},
		{"all zeros", make([]byte, 64), UTF8, 0},
		{"utf8 cjk", []byte("東京の設定ファイル"), UTF8, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, n := Sniff(tt.head)
			if enc != tt.enc || n != tt.bomLen {
				t.Errorf("Sniff(% x) = %v, %d; want %v, %d", tt.head, enc, n, tt.enc, tt.bomLen)
			}
		})
	}
}

func TestSniffLongHeadUsesWindow(t *testing.T) {
	// UTF-16 text followed by lots of binary: only the window counts.
	head := encodeUTF16(strings.Repeat("Status : DeviceOk\r\n", 40), false, false)
	head = append(head, bytes.Repeat([]byte{0xAB}, 4096)...)
	if enc, _ := Sniff(head); enc != UTF16LE {
		t.Fatalf("got %v, want utf-16le", enc)
	}
}

func TestNewReader(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"utf8", []byte(sampleText), sampleText},
		{"utf8 bom", append([]byte{0xEF, 0xBB, 0xBF}, sampleText...), sampleText},
		{"utf16le bom", encodeUTF16(sampleText, false, true), sampleText},
		{"utf16be bom", encodeUTF16(sampleText, true, true), sampleText},
		{"utf16le no bom", encodeUTF16(sampleText, false, false), sampleText},
		{"utf16be no bom", encodeUTF16(sampleText, true, false), sampleText},
		{"odd trailing byte", append(encodeUTF16("ab", false, true), 'c'), "ab\uFFFD"},
		{"lone high surrogate at end", encodeUTF16Units(false, 0xFEFF, 'a', 0xD83D), "a\uFFFD"},
		{"lone high surrogate then letter", encodeUTF16Units(false, 0xFEFF, 0xD83D, 'a'), "\uFFFDa"},
		{"lone low surrogate", encodeUTF16Units(true, 0xFEFF, 0xDE00, 'a'), "\uFFFDa"},
		{"two high surrogates then pair", encodeUTF16Units(false, 0xFEFF, 0xD83D, 0xD83D, 0xDE00), "\uFFFD😀"},
		{"empty with bom", []byte{0xFF, 0xFE}, ""},
		{"nul kept", encodeUTF16Units(false, 0xFEFF, 'a', 0, 'b'), "a\x00b"},
	}
	readers := map[string]func(io.Reader) io.Reader{
		"whole":   func(r io.Reader) io.Reader { return r },
		"onebyte": iotest.OneByteReader,
		"half":    iotest.HalfReader,
		"dataerr": iotest.DataErrReader,
	}
	for _, tt := range tests {
		for rname, wrap := range readers {
			t.Run(tt.name+"/"+rname, func(t *testing.T) {
				enc, bom := Sniff(tt.in)
				got, err := io.ReadAll(NewReader(wrap(bytes.NewReader(tt.in)), enc, bom))
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != tt.want {
					t.Errorf("got %q, want %q (enc %v)", got, tt.want, enc)
				}
			})
		}
	}
}

func encodeUTF16Units(bigEndian bool, units ...uint16) []byte {
	var order binary.AppendByteOrder = binary.LittleEndian
	if bigEndian {
		order = binary.BigEndian
	}
	var b []byte
	for _, u := range units {
		b = order.AppendUint16(b, u)
	}
	return b
}

// TestTinyReadBuffers reads with buffers of 1..5 bytes: multi-byte UTF-8
// output must come out whole across calls.
func TestTinyReadBuffers(t *testing.T) {
	in := encodeUTF16(sampleText, false, true)
	for size := 1; size <= 5; size++ {
		r := NewReader(bytes.NewReader(in), UTF16LE, 2)
		var out []byte
		buf := make([]byte, size)
		for {
			n, err := r.Read(buf)
			out = append(out, buf[:n]...)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if string(out) != sampleText {
			t.Errorf("buffer %d: got %q", size, out)
		}
	}
}

// TestSurrogateAcrossBufferBoundary puts a surrogate pair exactly across
// the internal 32 KiB refill boundary.
func TestSurrogateAcrossBufferBoundary(t *testing.T) {
	for shift := 0; shift < 4; shift += 2 {
		units := make([]uint16, 0, utf16BufSize)
		for len(units)*2 < utf16BufSize-2-shift {
			units = append(units, 'x')
		}
		units = append(units, 0xD83D, 0xDE00, 'y')
		in := encodeUTF16Units(false, units...)
		got, err := io.ReadAll(NewReader(bytes.NewReader(in), UTF16LE, 0))
		if err != nil {
			t.Fatal(err)
		}
		if want := referenceDecode(in, false); string(got) != want {
			t.Fatalf("shift %d: mismatch near the end: got %q", shift, got[len(got)-10:])
		}
	}
}

func TestReadErrorPassedThrough(t *testing.T) {
	in := encodeUTF16("abc", false, true)
	r := NewReader(io.MultiReader(bytes.NewReader(in), iotest.ErrReader(io.ErrClosedPipe)), UTF16LE, 2)
	got, err := io.ReadAll(r)
	if err != io.ErrClosedPipe {
		t.Fatalf("err = %v, want ErrClosedPipe", err)
	}
	if string(got) != "abc" {
		t.Fatalf("got %q", got)
	}
}

func TestEncodingString(t *testing.T) {
	for e, want := range map[Encoding]string{Invalid: "invalid", UTF8: "utf-8", UTF8BOM: "utf-8-bom", UTF16LE: "utf-16le", UTF16BE: "utf-16be", 99: "invalid"} {
		if got := e.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", e, got, want)
		}
	}
}

// FuzzNewReader checks, for arbitrary bytes in each encoding and any read
// chunking, that UTF-16 output is valid UTF-8 equal to a reference decoder
// and UTF-8 input passes through.
func FuzzNewReader(f *testing.F) {
	f.Add(encodeUTF16(sampleText, false, true), uint8(UTF16LE), uint8(3))
	f.Add(encodeUTF16(sampleText, true, false), uint8(UTF16BE), uint8(1))
	f.Add([]byte{0xFF, 0xFE, 0x3D, 0xD8}, uint8(UTF16LE), uint8(0))
	f.Add([]byte{0xEF, 0xBB, 0xBF, 'a'}, uint8(UTF8BOM), uint8(2))
	f.Fuzz(func(t *testing.T, in []byte, encByte uint8, chunk uint8) {
		enc := Encoding(encByte % 5)
		sniffed, bom := Sniff(in)
		if bom > len(in) {
			t.Fatalf("bomLen %d > len %d", bom, len(in))
		}
		var src io.Reader = bytes.NewReader(in)
		if chunk%2 == 1 {
			src = iotest.OneByteReader(src)
		}
		got, err := io.ReadAll(NewReader(src, enc, bom))
		if err != nil {
			t.Fatal(err)
		}
		body := in[bom:]
		switch {
		case enc.IsUTF16():
			if !utf8.Valid(got) {
				t.Fatalf("invalid UTF-8 output %q", got)
			}
			if want := referenceDecode(body, enc == UTF16BE); string(got) != want {
				t.Fatalf("got %q, want %q", got, want)
			}
		default:
			if !bytes.Equal(got, body) {
				t.Fatalf("UTF-8 passthrough changed bytes")
			}
		}
		_ = sniffed
	})
}

func BenchmarkUTF16LEToUTF8(b *testing.B) {
	line := "<E2ETraceEvent><System><EventID>0</EventID><Type>3</Type><SubType Name=\"Information\">0</SubType> Getting the mobile device list without a time filter (full sync) for 1204 users</E2ETraceEvent>\r\n"
	in := encodeUTF16(strings.Repeat(line, 4096), false, true)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	r := bytes.NewReader(in)
	for b.Loop() {
		r.Reset(in)
		if _, err := io.Copy(io.Discard, NewReader(r, UTF16LE, 2)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUTF16LEToUTF8NonASCII(b *testing.B) {
	in := encodeUTF16(strings.Repeat("Gerät Zürich 東京 😀 ", 40000), false, true)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	r := bytes.NewReader(in)
	for b.Loop() {
		r.Reset(in)
		if _, err := io.Copy(io.Discard, NewReader(r, UTF16LE, 2)); err != nil {
			b.Fatal(err)
		}
	}
}
