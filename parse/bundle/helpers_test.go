package bundle

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// zfile is one member of a test zip.
type zfile struct {
	name    string
	data    []byte
	store   bool
	nonUTF8 bool
	extra   []byte
	dir     bool

	// raw writes data as is with these header values (zip.Writer.CreateRaw).
	raw    bool
	method uint16
	flags  uint16
	usize  uint64
	csize  uint64
	crc    uint32
}

var testTime = time.Date(2019, 3, 4, 5, 6, 8, 0, time.UTC)

func makeZip(t testing.TB, files ...zfile) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		if f.raw {
			h := &zip.FileHeader{Name: f.name, Method: f.method, Flags: f.flags, Modified: testTime,
				CRC32: f.crc, CompressedSize64: f.csize, UncompressedSize64: f.usize}
			w, err := zw.CreateRaw(h)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(f.data); err != nil {
				t.Fatal(err)
			}
			continue
		}
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: testTime, NonUTF8: f.nonUTF8, Extra: f.extra}
		if f.store {
			h.Method = zip.Store
		}
		if f.dir {
			h.SetMode(os.ModeDir | 0o755)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// contents opens and reads every entry, keyed by path.
func contents(t testing.TB, b *Bundle) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, e := range b.Entries() {
		rc, err := e.Open()
		if err != nil {
			t.Fatalf("%s: Open: %v", e.Path, err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: read: %v", e.Path, err)
		}
		if e.Size >= 0 && int64(len(data)) != e.Size {
			t.Errorf("%s: Size %d but read %d bytes", e.Path, e.Size, len(data))
		}
		out[e.Path] = string(data)
	}
	return out
}

func paths(b *Bundle) []string {
	var ps []string
	for _, e := range b.Entries() {
		ps = append(ps, e.Path)
	}
	return ps
}

func skipReasons(b *Bundle) map[string]string {
	m := map[string]string{}
	for _, s := range b.Skipped() {
		m[s.Path] = s.Reason
	}
	return m
}

func mustContain(t testing.TB, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s %q does not contain %q", what, s, sub)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// unicodePathField builds an Info-ZIP Unicode Path extra field.
func unicodePathField(rawName, name string) []byte {
	var b []byte
	b = binary.LittleEndian.AppendUint16(b, 0x7075)
	b = binary.LittleEndian.AppendUint16(b, uint16(5+len(name)))
	b = append(b, 1)
	b = binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE([]byte(rawName)))
	return append(b, name...)
}
