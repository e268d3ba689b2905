package bundle

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestZipBackslashNames: zips made on Windows (Compress-Archive in
// Windows PowerShell 5.1 among them) store "Logs\Connector0.log"; origins
// always show "/".
func TestZipBackslashNames(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{`Logs\Connector0.log`, `exports\sub dir\devices.csv`, `C:\Windows\Temp\x.log`, `\\server\share\y.log`} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("content of " + name))
	}
	zw.Close()
	p := filepath.Join(t.TempDir(), "win.zip")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := Open([]string{p}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got := strings.Join(paths(b), "\n")
	for _, want := range []string{"win.zip!Logs/Connector0.log", "win.zip!exports/sub dir/devices.csv"} {
		if !strings.Contains(got, want) {
			t.Errorf("want %q among\n%s", want, got)
		}
	}
	if strings.Contains(got, `\`) {
		t.Errorf("a backslash survived in origins:\n%s", got)
	}
	// The content is still the member's: normalising the name does not
	// change what is read.
	for _, e := range b.Entries() {
		if strings.HasSuffix(e.Path, "Logs/Connector0.log") {
			rc, err := e.Open()
			if err != nil {
				t.Fatal(err)
			}
			var c bytes.Buffer
			c.ReadFrom(rc)
			rc.Close()
			if c.String() != `content of Logs\Connector0.log` {
				t.Errorf("content %q", c.String())
			}
		}
	}
}

// TestFolderNameWindowsForms: the prefix of a folder input is its base
// name; roots give "" — drive roots and UNC share roots on Windows.
func TestFolderNameWindowsForms(t *testing.T) {
	cases := map[string]string{"/": "", "/tmp/case-42/bundle": "bundle", "/tmp/case-42/bundle/": "bundle"}
	if runtime.GOOS == "windows" {
		cases = map[string]string{
			`C:\`:                     "",
			`D:\cases\bundle`:         "bundle",
			`D:\cases\bundle\`:        "bundle",
			`\\server\share\bundle`:   "bundle",
			`\\server\share\`:         "",
			`C:/cases/forward/bundle`: "bundle",
			`\\?\C:\long\path\bundle`: "bundle",
		}
	}
	for in, want := range cases {
		if got := folderName(in); got != want {
			t.Errorf("folderName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestOpenWindowsArguments: on Windows, arguments with "\" and drive
// letters name the file by its base name in origins. Elsewhere "\" is an
// ordinary file-name character and is kept.
func TestOpenWindowsArguments(t *testing.T) {
	dir := t.TempDir()
	var p string
	if runtime.GOOS == "windows" {
		p = filepath.Join(dir, "bundle.log")
		p = strings.ReplaceAll(p, "/", `\`)
	} else {
		p = filepath.Join(dir, `C:\cases\bundle.log`) // one file name holding backslashes
	}
	if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := Open([]string{p}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	want := "bundle.log"
	if runtime.GOOS != "windows" {
		want = `C:\cases\bundle.log`
	}
	if got := paths(b); len(got) != 1 || got[0] != want {
		t.Errorf("origins %q, want [%q]", got, want)
	}
}
