package bundle

import (
	"bytes"
	"io"
	"testing"
)

// fuzzLimits keep every fuzz run small and fast.
func fuzzLimits() Limits {
	return Limits{MaxTotal: 8 << 20, MaxEntry: 2 << 20, MaxRatio: 200, MaxDepth: 3, MaxFiles: 64, MaxNestedInMemory: 1 << 20}
}

// FuzzOpenZip: arbitrary bytes given as a zip (or not) never panic or
// hang; every listed entry opens and reads to an end or an error within
// the limits.
func FuzzOpenZip(f *testing.F) {
	f.Add(makeZip(f, zfile{name: `Logs\a.log`, data: []byte(traceLine)}, zfile{name: "e/"}, zfile{name: "b.txt", store: true, data: []byte("b")}))
	inner := makeZip(f, zfile{name: "x.log", data: []byte("inner")})
	f.Add(makeZip(f, zfile{name: "in.zip", data: inner}, zfile{name: "in2.zip", data: inner, store: true}))
	f.Add(makeZip(f))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("plain text"))
	stream, crc := buildZeroDeflate(4)
	f.Add(makeZip(f, zfile{raw: true, name: "bomb", method: 8, data: stream, crc: crc, csize: 1 << 22, usize: 1 << 22}))
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := fuzzLimits()
		b, err := OpenReader("fuzz", bytes.NewReader(data), lim)
		if err != nil {
			return
		}
		defer b.Close()
		if len(b.Entries()) > lim.MaxFiles {
			t.Fatalf("%d entries, over MaxFiles", len(b.Entries()))
		}
		var total int64
		for _, e := range b.Entries() {
			if e.OnceOnly && len(b.Entries()) != 1 {
				t.Fatalf("once-only entry inside a zip")
			}
			rc, err := e.Open()
			if err != nil {
				continue
			}
			n, _ := io.Copy(io.Discard, rc)
			rc.Close()
			if n > lim.MaxEntry && !e.OnceOnly {
				t.Fatalf("%s: read %d bytes, over MaxEntry", e.Path, n)
			}
			if !e.OnceOnly {
				total += n
			}
		}
		if total > lim.MaxTotal {
			t.Fatalf("read %d bytes in total, over MaxTotal", total)
		}
	})
}
