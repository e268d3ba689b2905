//go:build unix

package nasty

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// streamFIFO makes a named pipe at dir/name fed with head, then size bytes
// of filler, then tail: a huge input that never exists on disk. The
// bundle reads a pipe named on the command line like standard input. The
// returned function unblocks and waits for the writer.
func streamFIFO(t *testing.T, name, head string, filler byte, size int64, tail string) (string, func()) {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("no named pipes: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		if _, err := io.WriteString(f, head); err != nil {
			return
		}
		chunk := bytes.Repeat([]byte{filler}, 1<<20)
		for left := size; left > 0; left -= int64(len(chunk)) {
			n := min(left, int64(len(chunk)))
			if _, err := f.Write(chunk[:n]); err != nil {
				return // the reader stopped (EPIPE): fine
			}
		}
		io.WriteString(f, tail)
	}()
	return p, func() {
		// If exlog never opened the pipe, open it so the writer's open
		// returns; closing it makes the writer's next write fail.
		if r, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			r.Close()
		}
		<-done
	}
}

func TestNastyInputs_Record200MB(t *testing.T) {
	p, wait := streamFIFO(t, "Connector9.log", traceOpen, 'A', 200<<20, "")
	defer wait()
	checkCase(t, nastyCase{path: p, want: []string{"cap"}, maxHeap: 96 * mib})
}

func TestNastyInputs_Line100MB(t *testing.T) {
	// The CSV reader caps a record at 16 MiB (a quoted field may span
	// lines), and growing its buffer to the cap costs about four times
	// that at peak; the line readers cap a line at 1 MiB.
	for _, c := range []struct {
		name, head string
		maxHeap    uint64
	}{
		{"format-list.txt", listHead, 32 * mib},
		{"devices.csv", csvHead, 96 * mib},
		{"system-events.txt", evtHead, 32 * mib},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, wait := streamFIFO(t, c.name, c.head, 'x', 100<<20, "\r\n")
			defer wait()
			checkCase(t, nastyCase{path: p, want: []string{"line", "too long", "longer than", "cap"}, maxHeap: c.maxHeap})
		})
	}
}

// TestNastyInputs_Symlinks: a folder with a link loop, a dangling link
// and a link out of the folder is listed without hanging.
func TestNastyInputs_Symlinks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "linked-bundle")
	if err := os.MkdirAll(filepath.Join(dir, "Logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Logs", "Connector0.log"), []byte(traceRecord("linked bundle")), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"Logs/loop": "..", "dangling.log": "does-not-exist.log", "outside.txt": "/etc/hostname"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Skipf("no symbolic links: %v", err)
		}
	}
	checkCase(t, nastyCase{path: dir, want: []string{"symbolic link loop"}, maxHeap: 48 * mib})
	rep := runPipeline(t, []string{dir}).rep
	var all []string
	for _, s := range rep.Skipped {
		all = append(all, s.Path+": "+s.Reason)
	}
	if !strings.Contains(strings.Join(all, "\n"), "linked-bundle/dangling.log: broken") {
		t.Errorf("dangling link not reported: %q", all)
	}
}

// TestNastyInputs_XMLValue200MB: a 200 MB text value in each XML format
// (event-log XML, CliXML, tracing config) is cut at --max-line instead of
// being held whole by the XML decoder (which took 490–690 MB before), and
// a 200 MB attribute value stops that file with a clear message.
func TestNastyInputs_XMLValue200MB(t *testing.T) {
	for _, c := range []struct {
		name, head, tail, want string
	}{
		{"System.xml", `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Service Control Manager"/><EventID>7000</EventID><TimeCreated SystemTime="2026-11-20T10:00:00.000Z"/><Computer>EX1</Computer></System><EventData><Data Name="param1">`,
			`</Data></EventData></Event>`, "--max-line"},
		{"mailboxes.xml", `<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><Obj RefId="0"><TN RefId="0"><T>Deserialized.Microsoft.Exchange.Data.Directory.Management.Mailbox</T></TN><Props><S N="DisplayName">`,
			`</S></Props></Obj></Objs>`, "--max-line"},
		{"TracingConfiguration.xml", `<?xml version="1.0"?><TracingConfiguration><TraceSourceLevel>Verbose</TraceSourceLevel><Note>`,
			`</Note></TracingConfiguration>`, "--max-line"},
		{"attribute.xml", `<Events><Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="`,
			`"/></System></Event></Events>`, "--max-line"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, wait := streamFIFO(t, c.name, c.head, 'A', 200<<20, c.tail)
			defer wait()
			checkCase(t, nastyCase{path: p, want: []string{c.want}, maxHeap: 32 * mib, maxCPU: 10 * time.Second, maxAlloc: 64 * mib})
		})
	}
}
