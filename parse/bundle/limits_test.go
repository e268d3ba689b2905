package bundle

import (
	"archive/zip"
	"hash/crc32"
	"io"
	"strings"
	"testing"
)

// zeroSource produces zeros forever, counting as "compressed" input at
// 1 byte per perByte bytes of output.
type zeroSource struct {
	compressed *countingReader
	perByte    int
}

func (z *zeroSource) Read(p []byte) (int, error) {
	clear(p)
	z.compressed.n += int64(len(p) / z.perByte)
	return len(p), nil
}

// TestMemberReaderCaps drives the limit-enforcing reader directly with a
// source that never ends, so every cap is what stops it.
func TestMemberReaderCaps(t *testing.T) {
	tests := []struct {
		name     string
		lim      Limits
		declared uint64
		perByte  int
		already  int64 // bytes already read elsewhere in the bundle
		want     string
		stopAt   uint64 // the reader must stop within 64 KiB after this
	}{
		{"declared", Limits{MaxEntry: 1 << 30, MaxRatio: 1e9, MaxTotal: 1 << 40}, 3 << 20, 1, 0, "beyond its declared size", 3 << 20},
		{"max-entry", Limits{MaxEntry: 2 << 20, MaxRatio: 1e9, MaxTotal: 1 << 40}, 1 << 40, 1, 0, "--max-entry=2MiB", 2 << 20},
		{"max-total", Limits{MaxEntry: 1 << 30, MaxRatio: 1e9, MaxTotal: 5 << 20}, 1 << 40, 1, 4 << 20, "--max-total=5MiB", 1 << 20},
		{"max-ratio", Limits{MaxEntry: 1 << 30, MaxRatio: 100, MaxTotal: 1 << 40}, 1 << 40, 1000, 0, "--max-ratio=100", RatioFloor},
		{"ratio under the limit", Limits{MaxEntry: 4 << 20, MaxRatio: 100, MaxTotal: 1 << 40}, 1 << 40, 50, 0, "--max-entry", 4 << 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBundle(tc.lim)
			b.total.Store(tc.already)
			r := &memberReader{b: b, path: "x.zip!a.log", f: &zip.File{FileHeader: zip.FileHeader{UncompressedSize64: tc.declared}}, crc: crc32.NewIEEE()}
			r.src = &zeroSource{compressed: &r.compressed, perByte: tc.perByte}
			n, err := io.CopyBuffer(io.Discard, r, make([]byte, 32<<10))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "x.zip!a.log: ") {
				t.Fatalf("err = %v, want one naming the entry and %q", err, tc.want)
			}
			if uint64(n) < tc.stopAt-64<<10 || uint64(n) > tc.stopAt {
				t.Errorf("stopped after %d bytes, want just under %d", n, tc.stopAt)
			}
		})
	}
}
