package main

import (
	"bytes"
	"encoding/xml"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// TestCorpus regenerates the corpus into a temporary directory and
// requires it to equal the committed samples byte for byte, with no file
// missing and none left over: the corpus cannot drift from its generator.
// After changing the generator, run `go run ./samples/gen` from the
// repository root and commit the result. It also checks that a second
// build in the same process gives the same bytes (no map-order or clock
// dependence) and that the corpus stays small.
func TestCorpus(t *testing.T) {
	tmp := t.TempDir()
	if err := os.MkdirAll(filepath.Join(tmp, "gen"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeCorpus(tmp); err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{}
	err := filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(tmp, p)
		want[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	committed := ".."
	for name, w := range want {
		got, err := os.ReadFile(filepath.Join(committed, filepath.FromSlash(name)))
		if err != nil {
			t.Errorf("%s: missing from the committed corpus (%v); run go run ./samples/gen", name, err)
			continue
		}
		if !bytes.Equal(got, w) {
			t.Errorf("%s: differs from the generator's output (%d bytes committed, %d generated); run go run ./samples/gen", name, len(got), len(w))
		}
	}
	// every file inside a sample directory must come from the generator
	for _, s := range sampleList {
		root := filepath.Join(committed, s.Name)
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(committed, p)
			if filepath.Base(p) == "expected.json" { // golden reports come from exlog, not the generator
				return nil
			}
			if _, ok := want[filepath.ToSlash(rel)]; !ok {
				t.Errorf("%s: not produced by the generator (stale file?)", rel)
			}
			return nil
		})
	}
	// a second build in the same process
	again, err := corpus()
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != len(want) {
		t.Errorf("second build: %d files, first: %d", len(again), len(want))
	}
	for _, f := range again {
		if !bytes.Equal(f.Data, want[f.Name]) {
			t.Errorf("%s: differs between two builds", f.Name)
		}
	}
	// size budget: each sample under 1.5 MB, the corpus under 12 MB
	per := map[string]int{}
	total := 0
	for name, data := range want {
		s, _, _ := strings.Cut(name, "/")
		per[s] += len(data)
		total += len(data)
	}
	for s, n := range per {
		if n > 1_500_000 {
			t.Errorf("%s: %d bytes, over 1.5 MB", s, n)
		}
	}
	if total > 12_000_000 {
		t.Errorf("corpus %d bytes, over 12 MB", total)
	}
}

// TestTraceRecordLayout pins the exact E2ETraceEvent encoding of domain.md §3.
func TestTraceRecordLayout(t *testing.T) {
	r := TraceRecord{Sub: Verbose, Time: zipModTime, Source: serviceSource, Process: "p", PID: 1, TID: 2, Computer: "H",
		Kind: PayloadText, Text: "a<b>&\"c'\r\nd"}
	got := string(r.Append(nil))
	want := `<E2ETraceEvent xmlns="http://schemas.microsoft.com/2004/06/E2ETraceEvent"><System xmlns="http://schemas.microsoft.com/2004/06/windows/eventlog/system"><EventID>0</EventID><Type>3</Type><SubType Name="Verbose">0</SubType><Level>16</Level><TimeCreated SystemTime="2026-11-21T09:30:00.0000000Z" /><Source Name="OnPremisesExchangeConnectorService" /><Correlation ActivityID="{00000000-0000-0000-0000-000000000000}" /><Execution ProcessName="p" ProcessID="1" ThreadID="2" /><Channel/><Computer>H</Computer></System><ApplicationData>a&lt;b&gt;&amp;&quot;c&apos;&#xD;&#xA;d</ApplicationData></E2ETraceEvent>`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	r.Sub = Start
	if !strings.Contains(string(r.Append(nil)), "<Level>255</Level>") {
		t.Error("activity records must have Level 255")
	}
}

// TestFormatListWrap checks padding, the " : " separator, hard wrapping at
// 80 columns with continuation indent, and 4-item truncation.
func TestFormatListWrap(t *testing.T) {
	o := PSObject{Props: []Prop{{Name: "A", V: str("x")}, {Name: "LongerLabel", V: list("T", "aaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccc", "dddddddddddddddddddd", "e")}}}
	out := formatList([]PSObject{o}, 80)
	lines := strings.Split(strings.Trim(out, "\n"), "\n")
	if lines[0] != "A           : x" {
		t.Errorf("padding: %q", lines[0])
	}
	for _, l := range lines {
		if len(l) > 80 {
			t.Errorf("line over 80 columns: %q", l)
		}
	}
	if len(lines) < 3 || !strings.HasPrefix(lines[2], strings.Repeat(" ", 14)) || strings.Contains(lines[2], " : ") {
		t.Errorf("continuation line: %q", lines)
	}
	joined := strings.TrimPrefix(lines[1], "LongerLabel : ")
	for _, l := range lines[2:] {
		joined += l[14:]
	}
	if !strings.HasSuffix(joined, "dddddddddddddddddddd...}") || strings.Contains(joined, "e}") {
		t.Errorf("truncation: %q", joined)
	}
}

// TestCSV51 checks the Windows PowerShell 5.1 Export-Csv shape: #TYPE line,
// every field quoted, non-ASCII as "?", collections as a type name, CRLF.
func TestCSV51(t *testing.T) {
	o := PSObject{Types: []string{"X.Y"}, Props: []Prop{{Name: "Name", V: str(`Zoë "Z" Müller`)}, {Name: "List", V: list("Some.Type", "a", "b")}, {Name: "On", V: boolean(true)}}}
	got := string(exportCSV51([]PSObject{o}, "System.Collections.ArrayList"))
	want := "#TYPE Deserialized.X.Y\r\n\"Name\",\"List\",\"On\"\r\n\"Zo? \"\"Z\"\" M?ller\",\"System.Collections.ArrayList\",\"True\"\r\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// TestCliXMLWellFormed decodes a CliXML export (UTF-16LE) and parses it as
// XML, and checks that type names and shared objects are referenced.
func TestCliXMLWellFormed(t *testing.T) {
	org := newOrg(1, 30, zipModTime)
	sess := &exportSession{runspace: zeroGUID, org: org}
	cas, _, dev, _ := pilotExports(org, sess, "Allow")
	for _, objs := range [][]PSObject{cas, dev} {
		b := exportCliXML(objs)
		if b[0] != 0xFF || b[1] != 0xFE {
			t.Fatal("no UTF-16LE BOM")
		}
		u := make([]uint16, (len(b)-2)/2)
		for i := range u {
			u[i] = uint16(b[2+2*i]) | uint16(b[3+2*i])<<8
		}
		text := string(utf16.Decode(u))
		if err := xml.Unmarshal([]byte(text), new(struct{})); err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		if !strings.Contains(text, "<TNRef RefId=") {
			t.Error("no TNRef for repeated type names")
		}
	}
}

// TestRotationWraps checks the circular writer: every slot used, the newest
// is the requested one, and kept records are exactly those still on disk.
func TestRotationWraps(t *testing.T) {
	var recs []TraceRecord
	for i := 0; i < 3000; i++ {
		recs = append(recs, TraceRecord{Sub: Verbose, Time: zipModTime.Add(time.Duration(i) * time.Second), Source: "s", Process: "p", Computer: "c", Text: strings.Repeat("x", i%50)})
	}
	res, _ := rotateToNewest(recs, 30, 11, connectorName)
	if res.Newest != 11 || len(res.Files) != 30 {
		t.Fatalf("newest %d, files %d", res.Newest, len(res.Files))
	}
	n := 0
	for _, f := range res.Files {
		n += strings.Count(string(f.Data), "<E2ETraceEvent ")
	}
	if n != len(res.Kept) || n >= len(recs) {
		t.Errorf("%d records in files, %d kept, %d written", n, len(res.Kept), len(recs))
	}
	// the oldest kept record is in the slot after the newest
	if res.SlotOf[res.Kept[0]] != 12 {
		t.Errorf("oldest kept record in slot %d, want 12", res.SlotOf[res.Kept[0]])
	}
}
