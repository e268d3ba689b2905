package pscmdlet

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"exlog/event"
)

// fuzzReader checks the invariants every reader keeps on any input: no
// panic, termination, only io.EOF as error (the source never fails),
// well-formed records and warnings.
func fuzzReader(t *testing.T, data []byte, newReader func(io.Reader, string, func(event.ReadWarning)) Reader, text bool) {
	nwarn := 0
	rd := newReader(bytes.NewReader(data), "fuzz", func(w event.ReadWarning) {
		nwarn++
		if w.Kind.String() == "" || w.Message == "" || w.Origin.Path != "fuzz" {
			t.Fatalf("incomplete warning %+v", w)
		}
		if text && w.Origin.Line < 1 || !text && (w.Origin.Offset < 0 || w.Origin.Offset > int64(len(data))) {
			t.Fatalf("warning origin %+v out of range (len %d)", w.Origin, len(data))
		}
	})
	cu := &Culture{Ambiguous: true}
	for n := 0; ; n++ {
		if n > len(data)+1 {
			t.Fatalf("more records (%d) than input bytes", n)
		}
		r, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if r == nil || r.Kind == KindInvalid || r.Kind >= numKinds {
			t.Fatalf("bad record %+v", r)
		}
		if text && (r.Line < 1 || r.Offset != -1) || !text && (r.Line != 0 || r.Offset < 0 || r.Offset >= int64(len(data))) {
			t.Fatalf("record position line %d offset %d (len %d)", r.Line, r.Offset, len(data))
		}
		r.ObserveDates(cu)
		for _, p := range r.Props {
			if p.Value.IsList && p.Value.Items == nil {
				t.Fatalf("list without items: %+v", p)
			}
			if p.Value.Truncated && !p.Value.IsList {
				t.Fatalf("truncated non-list: %+v", p)
			}
			r.Time(p.Name, cu)
			r.Bool(p.Name)
			r.Enum(p.Name)
		}
	}
	if _, err := rd.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("Next after EOF: %v", err)
	}
	head := data
	if len(head) > 8<<10 {
		head = head[:8<<10]
	}
	DetectList(head)
	DetectCSV(head)
	DetectCliXML(head)
}

func addSeeds(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
}

func FuzzList(f *testing.F) {
	addSeeds(f, "users-fl.txt")
	f.Add([]byte("A : {a, b, c, d...}\n   x\n\nB :\n"))
	f.Add([]byte("  x\r\nA : b : c\r\nnot\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzReader(t, data, NewListReader, true) })
}

func FuzzCSV(f *testing.F) {
	addSeeds(f, "devices-de-ps51.csv", "casmailbox-ps7.csv")
	f.Add([]byte("#TYPE X\n\"a\";\"b\"\n\"1\";\"2\";\"3\"\n\"x\"\n"))
	f.Add([]byte("a,b\n\"unclosed,1\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzReader(t, data, NewCSVReader, true) })
}

func FuzzCliXML(f *testing.F) {
	addSeeds(f, "users.clixml")
	f.Add([]byte(cliHead + `<Obj RefId="0"><MS><Ref N="x" RefId="0"/><Obj N="y" RefId="1"><DCT><En><S N="Key">k</S><Nil N="Value"/></En></DCT></Obj></MS></Obj></Objs>`))
	f.Add([]byte(`<!DOCTYPE x>` + cliHead))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzReader(t, data, NewCliXMLReader, false) })
}
