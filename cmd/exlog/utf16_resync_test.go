package main

// Issue 20 point 6: a UTF-16 file with one byte dropped mid-file keeps
// the records after the damage, and says where it was.

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"exlog/report"
)

// firstTraceRecords returns the first n records of the exchange-errors
// sample's first trace log.
func firstTraceRecords(t *testing.T, n int) []string {
	t.Helper()
	src := readSample(t, "exchange-errors")
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open("Logs/Connector0.log")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(rc)
	rc.Close()
	const end = "</E2ETraceEvent>"
	var recs []string
	for len(recs) < n {
		i := bytes.Index(data, []byte(end))
		if i < 0 {
			t.Fatalf("the sample has fewer than %d records", n)
		}
		recs = append(recs, strings.TrimLeft(string(data[:i+len(end)]), "\r\n"))
		data = data[i+len(end):]
	}
	return recs
}

func TestUTF16DroppedByteResync(t *testing.T) {
	recs := firstTraceRecords(t, 5)
	for _, be := range []bool{false, true} {
		var order binary.AppendByteOrder = binary.LittleEndian
		if be {
			order = binary.BigEndian
		}
		enc := func(s string) []byte {
			var b []byte
			for _, u := range utf16.Encode([]rune(s)) {
				b = order.AppendUint16(b, u)
			}
			return b
		}
		file := order.AppendUint16(nil, 0xFEFF)
		for i, r := range recs {
			if i == 2 {
				// drop one byte in the middle of the third record
				e := enc(r + "\r\n")
				mid := len(e) / 2
				file = append(file, e[:mid]...)
				file = append(file, e[mid+1:]...)
				continue
			}
			file = append(file, enc(r+"\r\n")...)
		}
		dir := t.TempDir()
		p := filepath.Join(dir, "Connector0.log")
		if err := os.WriteFile(p, file, 0o644); err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		code := run([]string{"analyze", "--format", "json", "--no-progress", p}, globals{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader("")})
		var rep report.Report
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("be=%v: exit %d, no JSON report: %v\n%s", be, code, err, errb.String())
		}
		if len(rep.Inputs) != 1 {
			t.Fatalf("be=%v: inputs %+v", be, rep.Inputs)
		}
		in := rep.Inputs[0]
		if in.Records < 4 {
			t.Errorf("be=%v: %d of 5 records read after one dropped byte, want at least the 4 undamaged ones", be, in.Records)
		}
		var resync *report.InputWarning
		for i, w := range in.Warnings {
			if w.Kind == "utf16-resync" {
				resync = &in.Warnings[i]
			}
		}
		if resync == nil || resync.Offset == nil || !strings.HasSuffix(resync.Origin, "Connector0.log") {
			t.Errorf("be=%v: no utf16-resync warning naming the file and offset: %+v", be, in.Warnings)
		} else {
			damage := int64(len(enc(recs[0]+"\r\n"+recs[1]+"\r\n"))) + 2 + int64(len(enc(recs[2]+"\r\n"))/2)
			if *resync.Offset < damage || *resync.Offset > damage+64 {
				t.Errorf("be=%v: resync at offset %d, the byte was dropped at %d", be, *resync.Offset, damage)
			}
		}
		t.Logf("be=%v: %d records read, %d broken, %d warnings: %+v", be, in.Records, in.Broken, in.WarningsTotal, in.Warnings)
		if in.Records+in.Broken < 5 {
			t.Errorf("be=%v: %d records read + %d broken: the damaged record is not counted", be, in.Records, in.Broken)
		}
	}
}
