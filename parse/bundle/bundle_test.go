package bundle

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const traceLine = `<E2ETraceEvent xmlns="http://schemas.microsoft.com/2004/06/E2ETraceEvent"><System/></E2ETraceEvent>`

func TestZipFile(t *testing.T) {
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "CASE.ZIP")
	writeFile(t, zipPath, makeZip(t,
		zfile{name: "Logs/", dir: true},
		zfile{name: `Exports\`},
		zfile{name: `Logs\Connector3.log`, data: []byte(traceLine)},
		zfile{name: `Logs\Connector0.log`, data: []byte(traceLine + "0"), store: true},
		zfile{name: "empty.txt"},
		zfile{name: "Geräte/Zürich.csv", data: []byte("DeviceID,Status\n")},
		zfile{name: "dup.txt", data: []byte("first")},
		zfile{name: "dup.txt", data: []byte("second")},
		zfile{name: "/abs.txt", data: []byte("abs")},
	))
	b, err := Open([]string{zipPath}, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	want := map[string]string{
		"CASE.ZIP!Logs/Connector3.log": traceLine,
		"CASE.ZIP!Logs/Connector0.log": traceLine + "0",
		"CASE.ZIP!empty.txt":           "",
		"CASE.ZIP!Geräte/Zürich.csv":   "DeviceID,Status\n",
		"CASE.ZIP!dup.txt":             "first",
		"CASE.ZIP!dup.txt#2":           "second",
		"CASE.ZIP!abs.txt":             "abs",
	}
	got := contents(t, b)
	if len(got) != len(want) {
		t.Errorf("entries %v, want %v", sortedKeys(got), sortedKeys(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	// Sorted by name within the archive; duplicates keep archive order.
	wantOrder := []string{"CASE.ZIP!Geräte/Zürich.csv", "CASE.ZIP!Logs/Connector0.log", "CASE.ZIP!Logs/Connector3.log",
		"CASE.ZIP!abs.txt", "CASE.ZIP!dup.txt", "CASE.ZIP!dup.txt#2", "CASE.ZIP!empty.txt"}
	if ps := paths(b); !equalStrings(ps, wantOrder) {
		t.Errorf("order %q, want %q", ps, wantOrder)
	}
	for _, e := range b.Entries() {
		if e.Path == "CASE.ZIP!empty.txt" && e.Size != 0 {
			t.Errorf("empty entry Size = %d", e.Size)
		}
		if !e.ModTime.Equal(testTime) {
			t.Errorf("%s ModTime %v, want %v", e.Path, e.ModTime, testTime)
		}
	}
	if len(b.Skipped()) != 0 {
		t.Errorf("unexpected skips %v", b.Skipped())
	}
}

func TestZipDetectedByContentNotName(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "evidence.bin")
	writeFile(t, p, makeZip(t, zfile{name: "a.log", data: []byte("x")}))
	notZip := filepath.Join(dir, "fake.zip")
	writeFile(t, notZip, []byte("just text"))
	b, err := Open([]string{p, notZip}, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if ps := paths(b); !equalStrings(ps, []string{"evidence.bin!a.log", "fake.zip"}) {
		t.Errorf("paths %q", ps)
	}
}

func TestNestedZips(t *testing.T) {
	inner := makeZip(t, zfile{name: `Logs\Connector3.log`, data: []byte(traceLine)})
	middle := makeZip(t, zfile{name: "inner.zip", data: inner, store: true}, zfile{name: "note.txt", data: []byte("n")})
	outer := makeZip(t, zfile{name: "logs.dat", data: middle}) // deflated, not named .zip
	dir := t.TempDir()
	p := filepath.Join(dir, "case.zip")
	writeFile(t, p, outer)
	b, err := Open([]string{p}, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got := contents(t, b)
	want := map[string]string{
		"case.zip!logs.dat!inner.zip!Logs/Connector3.log": traceLine,
		"case.zip!logs.dat!note.txt":                      "n",
	}
	if len(got) != len(want) || got["case.zip!logs.dat!inner.zip!Logs/Connector3.log"] != traceLine || got["case.zip!logs.dat!note.txt"] != "n" {
		t.Errorf("got %v, want %v (skips %v)", got, want, b.Skipped())
	}

	// Same bundle with a depth limit of 2: the innermost zip is refused.
	lim := DefaultLimits()
	lim.MaxDepth = 2
	b2, err := Open([]string{p}, lim)
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	if ps := paths(b2); !equalStrings(ps, []string{"case.zip!logs.dat!note.txt"}) {
		t.Errorf("depth 2 paths %q", ps)
	}
	mustContain(t, "skip", skipReasons(b2)["case.zip!logs.dat!inner.zip"], "--max-depth=2", "3 deep")
}

func TestNestedZipMemoryLimit(t *testing.T) {
	noise := make([]byte, 64<<10)
	rand.Read(noise)
	inner := makeZip(t, zfile{name: "big.bin", data: noise, store: true})
	outer := makeZip(t, zfile{name: "inner.zip", data: inner}) // deflated: must be held in memory
	lim := DefaultLimits()
	lim.MaxNestedInMemory = 32 << 10
	b, err := OpenReader("case.zip", bytes.NewReader(outer), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if ps := paths(b); !equalStrings(ps, []string{"case.zip!inner.zip!big.bin"}) {
		t.Fatalf("default limits: paths %q skips %v", ps, b.Skipped())
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "case.zip"), outer)
	b, err = Open([]string{filepath.Join(dir, "case.zip")}, lim)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Entries()) != 0 {
		t.Errorf("entries %q, want none", paths(b))
	}
	mustContain(t, "skip", skipReasons(b)["case.zip!inner.zip"], "--max-nested-mem=32KiB")

	// Stored nested zips are read in place, whatever their size.
	outerStored := makeZip(t, zfile{name: "inner.zip", data: inner, store: true})
	writeFile(t, filepath.Join(dir, "case.zip"), outerStored)
	b, err = Open([]string{filepath.Join(dir, "case.zip")}, lim)
	if err != nil {
		t.Fatal(err)
	}
	if got := contents(t, b); got["case.zip!inner.zip!big.bin"] != string(noise) {
		t.Errorf("stored nested zip not read in place: %v", b.Skipped())
	}
}

func TestFolder(t *testing.T) {
	root := filepath.Join(t.TempDir(), "bundle")
	writeFile(t, filepath.Join(root, "Logs", "Connector3.log"), []byte(traceLine))
	writeFile(t, filepath.Join(root, "Logs", "Connector0.log"), []byte(traceLine+"0"))
	writeFile(t, filepath.Join(root, "empty.txt"), nil)
	writeFile(t, filepath.Join(root, "exports", "more.zip"), makeZip(t, zfile{name: `x\y.csv`, data: []byte("a,b\n")}))
	if err := os.Symlink("..", filepath.Join(root, "Logs", "loop")); err != nil {
		t.Skip("no symlinks:", err)
	}
	os.Symlink("missing", filepath.Join(root, "dangling"))
	os.Symlink(filepath.Join(root, "Logs", "Connector0.log"), filepath.Join(root, "link.log"))

	b, err := Open([]string{root}, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	want := []string{"bundle/Logs/Connector0.log", "bundle/Logs/Connector3.log", "bundle/empty.txt", "bundle/exports/more.zip!x/y.csv", "bundle/link.log"}
	if ps := paths(b); !equalStrings(ps, want) {
		t.Errorf("paths %q, want %q", ps, want)
	}
	got := contents(t, b)
	if got["bundle/link.log"] != traceLine+"0" || got["bundle/exports/more.zip!x/y.csv"] != "a,b\n" {
		t.Errorf("contents %v", got)
	}
	sk := skipReasons(b)
	mustContain(t, "loop skip", sk["bundle/Logs/loop"], "symbolic link loop")
	mustContain(t, "dangling skip", sk["bundle/dangling"], "broken")
}

func TestSingleFileAndMissingPath(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "Connector3.log")
	writeFile(t, p, []byte(traceLine))
	b, err := Open([]string{p}, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if got := contents(t, b); len(got) != 1 || got["Connector3.log"] != traceLine {
		t.Errorf("got %v", got)
	}
	b.Close()
	if _, err := b.Entries()[0].Open(); err == nil {
		t.Error("Open after Close succeeded")
	}

	_, err = Open([]string{p, filepath.Join(dir, "nope.zip")}, DefaultLimits())
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing path: err = %v, want not-exist", err)
	}
}

func TestOpenReaderStream(t *testing.T) {
	b, err := OpenReader("stdin", strings.NewReader(traceLine), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	es := b.Entries()
	if len(es) != 1 || es[0].Path != "stdin" || !es[0].OnceOnly || es[0].Size != -1 {
		t.Fatalf("entries %+v", es)
	}
	rc, err := es[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(rc)
	if string(data) != traceLine {
		t.Errorf("read %q", data)
	}
	if _, err := es[0].Open(); err == nil {
		t.Error("second Open of a stream succeeded")
	}

	b, _ = OpenReader("stdin", strings.NewReader(""), DefaultLimits())
	if es := b.Entries(); len(es) != 1 || es[0].Size != 0 {
		t.Errorf("empty stdin: %+v", es)
	}
}

func TestOpenReaderZip(t *testing.T) {
	z := makeZip(t, zfile{name: `Logs\x.log`, data: []byte("hello")})
	b, err := OpenReader("stdin", bytes.NewReader(z), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if got := contents(t, b); len(got) != 1 || got["stdin!Logs/x.log"] != "hello" {
		t.Errorf("got %v", got)
	}
	lim := DefaultLimits()
	lim.MaxNestedInMemory = int64(len(z) - 1)
	b, _ = OpenReader("stdin", bytes.NewReader(z), lim)
	if len(b.Entries()) != 0 {
		t.Errorf("oversized stdin zip listed")
	}
	mustContain(t, "skip", skipReasons(b)["stdin"], "--max-nested-mem", "save it to a file")
}

func TestMaxFiles(t *testing.T) {
	var files []zfile
	for i := 0; i < 20; i++ {
		files = append(files, zfile{name: fmt.Sprintf("f%02d.log", i), data: []byte("x")})
	}
	lim := DefaultLimits()
	lim.MaxFiles = 5
	b, _ := OpenReader("z.zip", bytes.NewReader(makeZip(t, files...)), lim)
	if n := len(b.Entries()); n != 5 {
		t.Errorf("%d entries, want 5", n)
	}
	if len(b.Skipped()) != 1 {
		t.Fatalf("skips %v", b.Skipped())
	}
	s := b.Skipped()[0]
	if s.Path != "z.zip!f05.log" {
		t.Errorf("skip path %q", s.Path)
	}
	mustContain(t, "skip", s.Reason, "14 more", "--max-files=5")
}

func TestRefusedMembers(t *testing.T) {
	z := makeZip(t,
		zfile{name: "ok.log", data: []byte("ok")},
		zfile{name: "__MACOSX/._ok.log", data: []byte("junk")},
		zfile{raw: true, name: "secret.log", method: 8, flags: 0x1, data: []byte("xxxx"), usize: 4, csize: 4},
		zfile{raw: true, name: "big.log", method: 9, data: []byte("xxxx"), usize: 4, csize: 4},
		zfile{raw: true, name: "bz.log", method: 12, data: []byte("xxxx"), usize: 4, csize: 4},
	)
	b, err := OpenReader("z.zip", bytes.NewReader(z), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if ps := paths(b); !equalStrings(ps, []string{"z.zip!ok.log"}) {
		t.Errorf("paths %q", ps)
	}
	sk := skipReasons(b)
	mustContain(t, "encrypted", sk["z.zip!secret.log"], "encrypted")
	mustContain(t, "deflate64", sk["z.zip!big.log"], "Deflate64")
	mustContain(t, "bzip2", sk["z.zip!bz.log"], "method 12")
	mustContain(t, "macos", sk["z.zip!__MACOSX/._ok.log"], "macOS")
}

func TestBrokenZips(t *testing.T) {
	good := makeZip(t, zfile{name: "a.log", data: bytes.Repeat([]byte("abc"), 1000), store: true})
	// Corrupt one stored data byte: the checksum must catch it.
	bad := bytes.Clone(good)
	i := bytes.Index(bad, []byte("abcabc"))
	bad[i+10] ^= 0xFF
	b, _ := OpenReader("z.zip", bytes.NewReader(bad), DefaultLimits())
	rc, err := b.Entries()[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(rc)
	if err == nil || !strings.Contains(err.Error(), "checksum") || !strings.Contains(err.Error(), "z.zip!a.log") {
		t.Errorf("corrupt data: err = %v", err)
	}

	b, _ = OpenReader("z.zip", bytes.NewReader(good[:len(good)/2]), DefaultLimits())
	mustContain(t, "truncated skip", skipReasons(b)["z.zip"], "a zip archive cut short")

	empty := makeZip(t)
	b, _ = OpenReader("e.zip", bytes.NewReader(empty), DefaultLimits())
	if len(b.Entries())+len(b.Skipped()) != 0 {
		t.Errorf("empty zip: %v %v", paths(b), b.Skipped())
	}
}

func TestLegacyNames(t *testing.T) {
	const unicodeName = "отчёт.log"
	raw := "report_.log"
	extra := unicodePathField(raw, unicodeName)
	z := makeZip(t,
		zfile{name: "R\x82sum\x82 \x94.log", data: []byte("cp437"), nonUTF8: true},
		zfile{name: raw, data: []byte("upath"), nonUTF8: true, extra: extra},
		zfile{name: "日本.log", data: []byte("utf8 without flag"), nonUTF8: true},
	)
	b, _ := OpenReader("z.zip", bytes.NewReader(z), DefaultLimits())
	got := contents(t, b)
	for name, want := range map[string]string{"z.zip!Résumé ö.log": "cp437", "z.zip!" + unicodeName: "upath", "z.zip!日本.log": "utf8 without flag"} {
		if got[name] != want {
			t.Errorf("%s = %q, want %q (have %q)", name, got[name], want, sortedKeys(got))
		}
	}
	if len(cp437) != 128 {
		t.Errorf("cp437 table has %d runes", len(cp437))
	}
}

func TestConcurrentOpen(t *testing.T) {
	var files []zfile
	want := map[string][]byte{}
	for i := 0; i < 8; i++ {
		data := bytes.Repeat([]byte(fmt.Sprintf("<line %d/>\n", i)), 20000+i)
		files = append(files, zfile{name: fmt.Sprintf("Connector%d.log", i), data: data, store: i%2 == 0})
		want[fmt.Sprintf("case.zip!Connector%d.log", i)] = data
	}
	p := filepath.Join(t.TempDir(), "case.zip")
	writeFile(t, p, makeZip(t, files...))
	b, err := Open([]string{p}, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	// Open all first, then read them interleaved, like a time merge.
	es := b.Entries()
	rcs := make([]io.ReadCloser, len(es))
	for i, e := range es {
		if rcs[i], err = e.Open(); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, len(es))
	for i := range es {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer rcs[i].Close()
			var got bytes.Buffer
			buf := make([]byte, 1000+i)
			for {
				n, err := rcs[i].Read(buf)
				got.Write(buf[:n])
				if err == io.EOF {
					break
				}
				if err != nil {
					errs[i] = err
					return
				}
			}
			if !bytes.Equal(got.Bytes(), want[es[i].Path]) {
				errs[i] = fmt.Errorf("%s: content differs", es[i].Path)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestStdinDashTwiceIsAnError(t *testing.T) {
	if _, err := Open([]string{"-", "-"}, DefaultLimits()); err == nil {
		t.Error("no error for - twice")
	}
}

func TestLimitsDefaults(t *testing.T) {
	if got := (Limits{}).withDefaults(); got != DefaultLimits() {
		t.Errorf("zero limits → %+v", got)
	}
	if d := DefaultLimits(); d.MaxTotal != 4<<30 || d.MaxEntry != 1<<30 || d.MaxRatio != 200 || d.MaxDepth != 4 || d.MaxFiles != 10000 || d.MaxNestedInMemory != 256<<20 {
		t.Errorf("defaults %+v", d)
	}
	_ = time.Second
}

func TestSameBaseNameTwice(t *testing.T) {
	dir := t.TempDir()
	a, c := filepath.Join(dir, "a", "case.zip"), filepath.Join(dir, "c", "case.zip")
	writeFile(t, a, makeZip(t, zfile{name: "x.log", data: []byte("a")}))
	writeFile(t, c, makeZip(t, zfile{name: "x.log", data: []byte("c")}))
	b, err := Open([]string{a, c}, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got := contents(t, b)
	if got["case.zip!x.log"] != "a" || got["case.zip#2!x.log"] != "c" {
		t.Errorf("got %v", got)
	}
}

func TestFolderName(t *testing.T) {
	for in, want := range map[string]string{"bundle": "bundle", "x/bundle/": "bundle", "/": ""} {
		if got := folderName(in); got != want {
			t.Errorf("folderName(%q) = %q, want %q", in, got, want)
		}
	}
	wd, _ := os.Getwd()
	if got := folderName("."); got != filepath.Base(wd) {
		t.Errorf(`folderName(".") = %q`, got)
	}
}

func TestNamedPipeArgument(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := mkfifo(fifo); err != nil {
		t.Skip("no mkfifo:", err)
	}
	z := makeZip(t, zfile{name: "x.log", data: []byte("via pipe")})
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		f.Write(z)
		f.Close()
	}()
	b, err := Open([]string{fifo}, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got := contents(t, b); got["pipe!x.log"] != "via pipe" {
		t.Errorf("got %v skips %v", got, b.Skipped())
	}
}

func TestNestedZipMemoryBudgetIsTotal(t *testing.T) {
	noise := make([]byte, 40<<10)
	rand.Read(noise)
	inner := makeZip(t, zfile{name: "n.bin", data: noise, store: true})
	outer := makeZip(t, zfile{name: "a.zip", data: inner}, zfile{name: "b.zip", data: inner})
	p := filepath.Join(t.TempDir(), "case.zip")
	writeFile(t, p, outer)
	lim := DefaultLimits()
	lim.MaxNestedInMemory = 64 << 10
	b, err := Open([]string{p}, lim)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if ps := paths(b); !equalStrings(ps, []string{"case.zip!a.zip!n.bin"}) {
		t.Errorf("paths %q", ps)
	}
	mustContain(t, "skip", skipReasons(b)["case.zip!b.zip"], "in total", "--max-nested-mem=64KiB")
}

func TestOpenDashReadsStdin(t *testing.T) {
	p := filepath.Join(t.TempDir(), "in.zip")
	writeFile(t, p, makeZip(t, zfile{name: `Logs\a.log`, data: []byte("from stdin")}))
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = saved }()
	b, err := Open([]string{"-"}, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got := contents(t, b); got["stdin!Logs/a.log"] != "from stdin" {
		t.Errorf("got %v", got)
	}
}
