package bundle

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/rand"
	"fmt"
	"hash/crc32"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// zeroDeflate returns a real deflate stream that expands to mib MiB of
// zeros, built fast: one flushed 1 MiB block sequence (self-contained:
// it refers to nothing before it) repeated, then an empty final block.
// Also returns the CRC-32 of the expansion.
func zeroDeflate(t testing.TB, mib int) ([]byte, uint32) {
	t.Helper()
	if mib == bombMiB {
		bombOnce.Do(func() { bombStream, bombCRC = buildZeroDeflate(mib) })
		return bombStream, bombCRC
	}
	return buildZeroDeflate(mib)
}

var (
	bombOnce   sync.Once
	bombStream []byte
	bombCRC    uint32
)

func buildZeroDeflate(mib int) ([]byte, uint32) {
	var chunk bytes.Buffer
	fw, _ := flate.NewWriter(&chunk, flate.BestCompression)
	zeros := make([]byte, 1<<20)
	fw.Write(zeros)
	fw.Flush() // ends byte-aligned, stream not final
	out := make([]byte, 0, chunk.Len()*mib+2)
	crc := crc32.NewIEEE()
	for i := 0; i < mib; i++ {
		out = append(out, chunk.Bytes()...)
		crc.Write(zeros)
	}
	out = append(out, 0x03, 0x00) // final fixed-Huffman block holding only end-of-block
	return out, crc.Sum32()
}

const bombMiB = 2048 // 2 GiB

// TestBombRefusedFromCentralDirectory builds a real 2 GiB zip bomb (a
// deflate stream of zeros, ratio ≈ 1000:1) and checks that Open refuses it
// from the headers alone, quickly, with a reason naming the flag.
func TestBombRefusedFromCentralDirectory(t *testing.T) {
	stream, crc := zeroDeflate(t, bombMiB)
	z := makeZip(t,
		zfile{raw: true, name: "Logs/Connector0.log", method: 8, data: stream, crc: crc, csize: uint64(len(stream)), usize: bombMiB << 20},
		zfile{name: "ok.log", data: []byte("ok")},
	)
	// Prove the bomb is real: its first 64 MiB inflate to zeros.
	n, err := io.Copy(io.Discard, io.LimitReader(flate.NewReader(bytes.NewReader(stream)), 64<<20))
	if err != nil || n != 64<<20 {
		t.Fatalf("bomb stream does not inflate: %d, %v", n, err)
	}
	p := filepath.Join(t.TempDir(), "bomb.zip")
	writeFile(t, p, z)

	for _, tc := range []struct {
		name string
		lim  func(*Limits)
		flag string
	}{
		{"max-entry", func(*Limits) {}, "--max-entry=1GiB"},
		{"max-ratio", func(l *Limits) { l.MaxEntry = 8 << 30 }, "--max-ratio=200"},
		{"max-total", func(l *Limits) { l.MaxEntry, l.MaxRatio, l.MaxTotal = 8<<30, 1e6, 1<<30 }, "--max-total=1GiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lim := DefaultLimits()
			tc.lim(&lim)
			start := time.Now()
			b, err := Open([]string{p}, lim)
			elapsed := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			t.Logf("refused in %v", elapsed)
			if elapsed > time.Second {
				t.Errorf("refusal took %v, want < 1s", elapsed)
			}
			if ps := paths(b); !equalStrings(ps, []string{"bomb.zip!ok.log"}) {
				t.Errorf("paths %q", ps)
			}
			mustContain(t, "skip", skipReasons(b)["bomb.zip!Logs/Connector0.log"], tc.flag, "2.0 GiB")
		})
	}
}

// TestLyingHeadersStoppedWhileReading gives the same bomb headers that
// pass every header check, and checks the reader stops at the cap.
func TestLyingHeadersStoppedWhileReading(t *testing.T) {
	stream, crc := zeroDeflate(t, bombMiB)
	tests := []struct {
		name         string
		csize, usize uint64
		lim          func(*Limits)
		want         string
		maxRead      int64
	}{
		// Compressed size claimed 1 GiB: declared ratio 2:1, real ≈ 1000:1.
		{"ratio", 1 << 30, bombMiB << 20, func(l *Limits) { l.MaxEntry = 4 << 30 }, "--max-ratio=200", 8 << 20},
		// Uncompressed size claimed 1 MiB: expands far beyond it.
		{"declared size", uint64(len(stream)), 1 << 20, func(*Limits) {}, "beyond its declared size", 2 << 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			z := makeZip(t, zfile{raw: true, name: "Connector0.log", method: 8, data: stream, crc: crc, csize: tc.csize, usize: tc.usize})
			lim := DefaultLimits()
			tc.lim(&lim)
			b, err := OpenReader("lie.zip", bytes.NewReader(z), lim)
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Entries()) != 1 {
				t.Fatalf("lying member not listed: %v", b.Skipped())
			}
			rc, err := b.Entries()[0].Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			start := time.Now()
			n, err := io.Copy(io.Discard, rc)
			t.Logf("stopped after %d bytes in %v: %v", n, time.Since(start), err)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "lie.zip!Connector0.log") {
				t.Fatalf("err = %v, want one naming the entry and %q", err, tc.want)
			}
			if n > tc.maxRead {
				t.Errorf("read %d bytes before stopping, want ≤ %d", n, tc.maxRead)
			}
			// The error is sticky.
			if _, err2 := rc.Read(make([]byte, 10)); err2 == nil {
				t.Error("read after limit error succeeded")
			}
		})
	}
}

// TestMaxTotalWhileReading: the bundle-wide cap counts bytes really read,
// re-opened entries included.
func TestMaxTotalWhileReading(t *testing.T) {
	data := make([]byte, 1<<20)
	rand.Read(data)
	z := makeZip(t, zfile{name: "a.log", data: data})
	lim := DefaultLimits()
	lim.MaxTotal = 3 << 20
	b, _ := OpenReader("t.zip", bytes.NewReader(z), lim)
	e := b.Entries()[0]
	var err error
	reads := 0
	for ; reads < 5 && err == nil; reads++ {
		var rc io.ReadCloser
		if rc, err = e.Open(); err != nil {
			t.Fatal(err)
		}
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
	}
	if reads != 3 || err == nil {
		t.Fatalf("stopped after %d reads with %v, want on the 3rd", reads, err)
	}
	mustContain(t, "error", err.Error(), "--max-total=3MiB", "t.zip!a.log")
}

// TestMaxTotalDeclared: members whose declared sizes add up beyond
// MaxTotal are refused at listing, the first ones are kept.
func TestMaxTotalDeclared(t *testing.T) {
	data := make([]byte, 1<<20)
	rand.Read(data)
	z := makeZip(t, zfile{name: "a.log", data: data}, zfile{name: "b.log", data: data}, zfile{name: "c.log", data: data})
	lim := DefaultLimits()
	lim.MaxTotal = 2<<20 + 1
	b, _ := OpenReader("t.zip", bytes.NewReader(z), lim)
	if ps := paths(b); !equalStrings(ps, []string{"t.zip!a.log", "t.zip!b.log"}) {
		t.Errorf("paths %q", ps)
	}
	mustContain(t, "skip", skipReasons(b)["t.zip!c.log"], "--max-total=")
}

// TestZip64 reads a member whose sizes live in a zip64 extra field.
func TestZip64(t *testing.T) {
	stream, crc := zeroDeflate(t, 1)
	z := makeZip(t,
		// 5 GiB declared: needs zip64 sizes; refused as too big.
		zfile{raw: true, name: "huge.log", method: 8, data: stream, crc: crc, csize: uint64(len(stream)), usize: 5 << 30},
		zfile{name: "small.log", data: []byte("s")},
	)
	b, _ := OpenReader("z64.zip", bytes.NewReader(z), DefaultLimits())
	mustContain(t, "skip", skipReasons(b)["z64.zip!huge.log"], "5.0 GiB", "--max-entry")
	if ps := paths(b); !equalStrings(ps, []string{"z64.zip!small.log"}) {
		t.Errorf("paths %q", ps)
	}
}

// TestManyEntries uses more than 65535 members, which needs the zip64 end
// record, and checks both MaxFiles behaviours: list the first ones, or
// refuse the archive from its end record when it declares far too many.
func TestManyEntries(t *testing.T) {
	const n = 70000
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < n; i++ {
		if _, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("d/%05d.log", i), Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	zw.Close()
	z := buf.Bytes()
	if got, ok := directoryRecords(bytes.NewReader(z), int64(len(z))); !ok || got != n {
		t.Fatalf("directoryRecords = %d, %v", got, ok)
	}

	lim := DefaultLimits()
	start := time.Now()
	b, _ := OpenReader("many.zip", bytes.NewReader(z), lim)
	t.Logf("refused in %v", time.Since(start))
	if len(b.Entries()) != 0 {
		t.Errorf("%d entries listed", len(b.Entries()))
	}
	mustContain(t, "skip", skipReasons(b)["many.zip"], "70000 entries", "--max-files=10000")

	lim.MaxFiles = 20000
	b, _ = OpenReader("many.zip", bytes.NewReader(z), lim)
	if len(b.Entries()) != 20000 {
		t.Errorf("%d entries listed, want 20000", len(b.Entries()))
	}
	mustContain(t, "skip", skipReasons(b)["many.zip!d/20000.log"], "49999 more", "--max-files=20000")
}
