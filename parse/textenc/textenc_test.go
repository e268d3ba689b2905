package textenc

import (
	"bytes"
	"encoding/binary"
	"fmt"
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
// reader must agree with, resynchronisation included: before each code
// unit, if it and the resyncWindow-1 units after it all look like ASCII
// read one byte off, one byte is skipped and U+FFFD written.
func referenceDecode(b []byte, bigEndian bool) string {
	var order binary.ByteOrder = binary.LittleEndian
	if bigEndian {
		order = binary.BigEndian
	}
	off := func(i int) bool {
		if i+2*resyncWindow > len(b) {
			return false
		}
		for k := 0; k < resyncWindow; k++ {
			if !misaligned(order.Uint16(b[i+2*k:])) {
				return false
			}
		}
		return true
	}
	var out []rune
	i := 0
	for i+1 < len(b) {
		c := order.Uint16(b[i:])
		if off(i) {
			out = append(out, utf8.RuneError)
			i++
			continue
		}
		if utf16.IsSurrogate(rune(c)) && c < 0xDC00 && i+3 < len(b) {
			if r := utf16.DecodeRune(rune(c), rune(order.Uint16(b[i+2:]))); r != utf8.RuneError {
				out = append(out, r)
				i += 4
				continue
			}
		}
		if utf16.IsSurrogate(rune(c)) {
			out = append(out, utf8.RuneError)
		} else {
			out = append(out, rune(c))
		}
		i += 2
	}
	if i < len(b) {
		out = append(out, utf8.RuneError)
	}
	return string(out)
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

// TestResyncAfterDroppedByte: a byte dropped (or one inserted) mid-file
// costs the characters around it, not the rest of the file; the reader
// reports the offset where it regained alignment.
func TestResyncAfterDroppedByte(t *testing.T) {
	var recs []string
	for i := range 5 {
		recs = append(recs, "<E2ETraceEvent><ApplicationData>Record "+string(rune('1'+i))+" of five, Zürich — 東京</ApplicationData></E2ETraceEvent>\r\n")
	}
	text := strings.Join(recs, "")
	for _, be := range []bool{false, true} {
		full := encodeUTF16(text, be, true)
		for _, edit := range []string{"drop", "insert"} {
			cut := 2 + 2*len(utf16.Encode([]rune(recs[0]+recs[1]+"<E2ETraceEvent><Appl")))
			var damaged []byte
			if edit == "drop" {
				damaged = append(append([]byte(nil), full[:cut+1]...), full[cut+2:]...)
			} else {
				damaged = append(append(append([]byte(nil), full[:cut+1]...), 0x5A), full[cut+1:]...)
			}
			for rname, wrap := range map[string]func(io.Reader) io.Reader{"whole": func(r io.Reader) io.Reader { return r }, "onebyte": iotest.OneByteReader} {
				var offsets []int64
				enc, bom := Sniff(damaged)
				got, err := io.ReadAll(NewReaderNotify(wrap(bytes.NewReader(damaged)), enc, bom, func(o int64) { offsets = append(offsets, o) }))
				if err != nil {
					t.Fatal(err)
				}
				name := fmt.Sprintf("be=%v %s %s", be, edit, rname)
				kept := 0
				for _, r := range recs {
					if strings.Contains(string(got), r) {
						kept++
					}
				}
				if kept != 4 {
					t.Errorf("%s: %d of 5 records intact, want 4:\n%s", name, kept, got)
				}
				if len(offsets) != 1 || offsets[0] < int64(cut) || offsets[0] > int64(cut)+40 {
					t.Errorf("%s: resync offsets %v, want one just after the damage at %d", name, offsets, cut)
				}
				if string(got) != referenceDecode(damaged[bom:], be) {
					t.Errorf("%s: streaming and reference decoders disagree", name)
				}
			}
		}
	}
	// Aligned text, ASCII or not, is not resynced. (Eight characters in a
	// row of the form U+XX00 with XX printable ASCII, "一一一一一一一一",
	// would be: such text cannot be told from ASCII one byte off.)
	for _, s := range []string{text, strings.Repeat("東京都の一部で同期に失敗しました。", 40), strings.Repeat("Zürich 東京 😀 Синхронизация ", 200)} {
		calls := 0
		got, _ := io.ReadAll(NewReaderNotify(bytes.NewReader(encodeUTF16(s, false, true)), UTF16LE, 2, func(int64) { calls++ }))
		if string(got) != s || calls != 0 {
			t.Errorf("aligned text changed (%d resyncs)", calls)
		}
	}
}
