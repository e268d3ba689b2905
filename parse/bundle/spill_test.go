package bundle

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// A compressed nested zip larger than spillAbove is buffered in a
// temporary file, not on the heap: its members read back whole, the file
// is gone from the temporary directory while the bundle is open (where
// the system allows unlinking an open file) and after Close everywhere.
func TestNestedZipSpillsToTemporaryFile(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("TMP", tmp)
	t.Setenv("TEMP", tmp)
	noise := make([]byte, spillAbove+(1<<20))
	rand.Read(noise)
	inner := makeZip(t, zfile{name: "Logs/big.bin", data: noise, store: true}, zfile{name: "Logs/small.txt", data: []byte("hello")})
	outer := makeZip(t, zfile{name: "Logs.zip", data: inner}) // deflated: must be buffered
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "case.zip"), outer)

	for _, tc := range []struct {
		name string
		open func() (*Bundle, error)
		pre  string
	}{
		{"nested", func() (*Bundle, error) { return Open([]string{filepath.Join(dir, "case.zip")}, DefaultLimits()) }, "case.zip!Logs.zip!"},
		{"stdin", func() (*Bundle, error) { return OpenReader("stdin", bytes.NewReader(inner), DefaultLimits()) }, "stdin!"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.open()
			if err != nil {
				t.Fatal(err)
			}
			spilled := 0
			for _, c := range b.closers {
				if buf, ok := c.(*buffered); ok && buf.file != nil {
					spilled++
				}
			}
			if spilled != 1 {
				t.Errorf("%d buffers in temporary files, want 1", spilled)
			}
			if runtime.GOOS != "windows" {
				if left := list(t, tmp); len(left) != 0 {
					t.Errorf("temporary directory while open: %q, want the buffer unlinked", left)
				}
			}
			got := contents(t, b)
			if got[tc.pre+"Logs/big.bin"] != string(noise) || got[tc.pre+"Logs/small.txt"] != "hello" {
				t.Errorf("members not read back whole: %d entries, skips %v", len(got), b.Skipped())
			}
			if b.inMemory != int64(len(inner)) {
				t.Errorf("budget counted %d bytes, want %d", b.inMemory, len(inner))
			}
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			if left := list(t, tmp); len(left) != 0 {
				t.Errorf("temporary directory after Close: %q", left)
			}
		})
	}
}

func list(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}
