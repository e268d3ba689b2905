package eventlog

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"exlog/event"
)

// addSeeds adds the test exports (and a few edge cases) to the corpus.
func addSeeds(f *testing.F, glob string, extra ...string) {
	files, _ := filepath.Glob(glob)
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

// drain reads r to the end checking the invariants every reader keeps on
// any input: no panic, termination, events of the right format whose
// origin is inside the input, warnings with an origin.
func drain(t *testing.T, in []byte, mk func(io.Reader, string, func(event.ReadWarning)) Reader, format event.Format) []*event.Event {
	// CSV also ends records at a lone CR, so CRs count as possible lines.
	lines := bytes.Count(in, []byte("\n")) + bytes.Count(in, []byte("\r")) + 1
	warn := func(w event.ReadWarning) {
		if w.Origin.Path != "f" || w.Kind.String() == "" || w.Message == "" {
			t.Fatalf("bad warning %+v", w)
		}
		if w.Origin.Line > lines || w.Origin.Offset > int64(len(in)) {
			t.Fatalf("warning origin %v outside input (%d lines, %d bytes)", w.Origin, lines, len(in))
		}
	}
	r := mk(bytes.NewReader(in), "f", warn)
	var out []*event.Event
	for i := 0; ; i++ {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("error from an in-memory reader: %v", err)
		}
		if ev.Format != format || ev.Origin.Path != "f" {
			t.Fatalf("event %+v", ev)
		}
		if i > len(in) {
			t.Fatalf("more events than input bytes")
		}
		out = append(out, ev)
	}
}

func FuzzText(f *testing.F) {
	addSeeds(f, "testdata/*.txt", "Log Name: System\nDate: 1/2/2026 1:00:00 AM\nEvent ID: 1\nDescription:\n", "Log Name:\nEvent Xml:\nSystemTime='x'")
	f.Fuzz(func(t *testing.T, in []byte) {
		lines := bytes.Count(in, []byte("\n")) + 1
		for _, ev := range drain(t, in, NewTextReader, event.FormatEventlogText) {
			if ev.Origin.Line < 1 || ev.Origin.Line > lines {
				t.Fatalf("line %d outside 1..%d", ev.Origin.Line, lines)
			}
			if ev.Type == event.TypeInvalid {
				t.Fatalf("invalid type")
			}
		}
	})
}

func FuzzCSV(f *testing.F) {
	addSeeds(f, "testdata/*.csv", "Level,Date and Time,Source,Event ID,Task Category\n\"", "a;b;c;d;e\n1;2;3;4;5;\"\"\"\r\r\n")
	f.Fuzz(func(t *testing.T, in []byte) {
		lines := bytes.Count(in, []byte("\n")) + bytes.Count(in, []byte("\r")) + 1
		prev := 0
		for _, ev := range drain(t, in, NewCSVReader, event.FormatEventlogCSV) {
			if ev.Origin.Line < 1 || ev.Origin.Line > lines || ev.Origin.Line <= prev {
				t.Fatalf("line %d (previous %d, %d lines)", ev.Origin.Line, prev, lines)
			}
			prev = ev.Origin.Line
		}
	})
}

func FuzzXML(f *testing.F) {
	addSeeds(f, "testdata/*.xml", "<Event><Event><Event ", "<Events><Event>&x;<System><EventID>1</EventID><Level>99</Level></System></Event>")
	f.Fuzz(func(t *testing.T, in []byte) {
		prev := int64(-1)
		for _, ev := range drain(t, in, NewXMLReader, event.FormatEventlogXML) {
			off := ev.Origin.Offset
			if off <= prev || off >= int64(len(in)) || !bytes.HasPrefix(in[off:], []byte("<Event")) {
				t.Fatalf("offset %d (previous %d) does not point at <Event", off, prev)
			}
			prev = off
		}
	})
}
