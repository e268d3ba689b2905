package evtx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"exlog/event"
)

// FuzzReader: on any input the reader ends, never panics, keeps origins
// inside the input, and returns at most one event per possible record.
// Seeds: the one-chunk test files whole, and damaged copies of one of them
// (a broken chunk signature, a record cut short, a template definition cut
// short, a value size beyond the record, a file cut in its header).
func FuzzReader(f *testing.F) {
	for _, name := range []string{"scm-wiec.evtx", "Application_no_crc32.evtx", "CAPI2_Operational_EventID70.evtx",
		"MSExchange_Management_wec.evtx", "Microsoft-Windows-HelloForBusiness%4Operational.evtx"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(used(b))
	}
	for _, d := range damaged(f) {
		f.Add(used(d))
	}
	f.Add([]byte("ElfFile\x00"))
	f.Fuzz(func(t *testing.T, in []byte) {
		// A hang is a failure too: the fuzzer has no time limit per input.
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				buf := make([]byte, 1<<20)
				panic(fmt.Sprintf("reading %d bytes still running after 10s:\n%s", len(in), buf[:runtime.Stack(buf, true)]))
			}
		}()
		drain(t, in, event.Caps{MaxLine: 64})
	})
}

// used cuts a one-chunk file after the chunk's last record, so that the
// fuzzer mutates kilobytes instead of 68 KiB (the reader reads the
// records of a chunk cut short).
func used(b []byte) []byte {
	if len(b) < fileHeaderSize+chunkHeaderSize {
		return b
	}
	free := int(binary.LittleEndian.Uint32(b[fileHeaderSize+48:]))
	if free < chunkHeaderSize || fileHeaderSize+free > len(b) {
		return b
	}
	return b[:fileHeaderSize+free]
}

// damaged returns copies of scm-wiec.evtx with one thing broken each.
func damaged(t testing.TB) [][]byte {
	good, err := os.ReadFile("testdata/scm-wiec.evtx")
	if err != nil {
		t.Fatal(err)
	}
	mod := func(fn func(b []byte) []byte) []byte { return fn(append([]byte(nil), good...)) }
	first := fileHeaderSize + chunkHeaderSize // first record
	return [][]byte{
		mod(func(b []byte) []byte { copy(b[fileHeaderSize:], "ElfChnX\x00"); return b }),
		mod(func(b []byte) []byte { return b[:first+300] }),        // record cut short
		mod(func(b []byte) []byte { return b[:100] }),              // header cut short
		mod(func(b []byte) []byte { return b[:first+60] }),         // template definition cut short
		mod(func(b []byte) []byte { b[first+4] = 0xff; return b }), // bad record size
		mod(func(b []byte) []byte { // template definition size far too large
			binary.LittleEndian.PutUint32(b[first+24+14+20:], 1<<30)
			return b
		}),
		mod(func(b []byte) []byte { // zero record 3 (records after zeros)
			clear(b[7728 : 7728+200])
			return b
		}),
		mod(func(b []byte) []byte { return append(b, b[fileHeaderSize:]...) }), // a second chunk
	}
}

// drain reads in to the end checking the invariants.
func drain(t *testing.T, in []byte, caps event.Caps) ([]*event.Event, []event.ReadWarning) {
	var warns []event.ReadWarning
	r := NewReader(bytes.NewReader(in), "f", func(w event.ReadWarning) {
		if w.Origin.Path != "f" || w.Kind.String() == "" || w.Message == "" || w.Origin.Offset < 0 || w.Origin.Offset > int64(len(in)) {
			t.Fatalf("bad warning %+v (input %d bytes)", w, len(in))
		}
		warns = append(warns, w)
	})
	r.SetCaps(caps)
	var out []*event.Event
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("error on in-memory input: %v", err)
		}
		if ev.Origin.Offset < fileHeaderSize || ev.Origin.Offset+recordHeader > int64(len(in)) || ev.Format != event.FormatEvtx {
			t.Fatalf("event origin %v outside input of %d bytes", ev.Origin, len(in))
		}
		out = append(out, ev)
		if len(out) > len(in)/(recordHeader+4) {
			t.Fatalf("%d events from %d bytes", len(out), len(in))
		}
	}
	return out, warns
}

// TestDamage: each damaged copy is read without panic, what can be read is
// returned, and what cannot is reported with chunk and offset.
func TestDamage(t *testing.T) {
	good, _ := os.ReadFile("testdata/scm-wiec.evtx")
	all, _ := drain(t, good, event.Caps{})
	want := []int{
		5, // chunk signature: the header is not trusted, the records are whole
		0, // file cut in the first record
		0, // file cut in its header
		0, // file cut in the first template definition
		5, // record 1's size damaged: its content ends with its own end token
		4, // record 1's template definition size absurd: record 1 lost, the others define their own
		4, // record 3 zeroed: records 4 and 5 after the zeros are read
		10,
	}
	for i, d := range damaged(t) {
		evs, warns := drain(t, d, event.Caps{})
		if len(evs) != want[i] {
			t.Errorf("damage %d: %d events, want %d", i, len(evs), want[i])
		}
		if i < len(want)-1 && len(warns) == 0 {
			t.Errorf("damage %d: no warning", i)
		}
		for _, w := range warns {
			if !strings.Contains(w.Message, "chunk") && w.Origin.Offset != 0 {
				t.Errorf("damage %d: warning names no chunk: %v", i, w)
			}
		}
		t.Logf("damage %d: %d of %d events; %v", i, len(evs), len(all), warns)
	}
}
