package bundle

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"testing"
)

// benchZip holds one 8 MiB deflated trace-like log.
func benchZip(b *testing.B) ([]byte, int64) {
	var log bytes.Buffer
	for i := 0; log.Len() < 8<<20; i++ {
		fmt.Fprintf(&log, `<E2ETraceEvent xmlns="http://schemas.microsoft.com/2004/06/E2ETraceEvent"><System xmlns="http://schemas.microsoft.com/2004/06/windows/eventlog/system"><EventID>%d</EventID><Type>3</Type><SubType Name="Information">0</SubType><Level>8</Level><TimeCreated SystemTime="2019-03-04T05:%02d:%02d.%07dZ"/><Source Name="OnPremisesExchangeConnectorService"/><Correlation ActivityID="{00000000-0000-0000-0000-000000000000}"/><Execution ProcessName="Microsoft.Management.Services.OnPremisesExchangeConnectorService" ProcessID="4242" ThreadID="%d"/><Channel/><Computer>EXCON01</Computer></System><ApplicationData>Handling command: device %d synced</ApplicationData></E2ETraceEvent>`,
			i, i/60%60, i%60, i*7919%10000000, i%17, i)
	}
	return makeZip(b, zfile{name: "Connector0.log", data: log.Bytes()}), int64(log.Len())
}

// BenchmarkReadMember reads a deflated member through the limit-enforcing
// reader (inflate + CRC + limit checks).
func BenchmarkReadMember(b *testing.B) {
	z, n := benchZip(b)
	bun, err := OpenReader("b.zip", bytes.NewReader(z), Limits{MaxTotal: 1 << 50})
	if err != nil {
		b.Fatal(err)
	}
	e := bun.Entries()[0]
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		rc, err := e.Open()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rc); err != nil {
			b.Fatal(err)
		}
		rc.Close()
	}
}

// BenchmarkReadMemberStdlib is the reference: archive/zip's own reader.
func BenchmarkReadMemberStdlib(b *testing.B) {
	z, n := benchZip(b)
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		rc, err := zr.File[0].Open()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rc); err != nil {
			b.Fatal(err)
		}
		rc.Close()
	}
}

// BenchmarkOpenManyMembers lists a zip of 2000 small deflated logs: the
// cost of reading the central directory and sniffing every member.
func BenchmarkOpenManyMembers(b *testing.B) {
	var files []zfile
	for i := 0; i < 2000; i++ {
		files = append(files, zfile{name: fmt.Sprintf("Logs/Connector%d.log", i), data: bytes.Repeat([]byte(fmt.Sprintf("<E2ETraceEvent>%d</E2ETraceEvent>", i)), 300)})
	}
	z := makeZip(b, files...)
	b.SetBytes(int64(len(z)))
	b.ReportAllocs()
	for b.Loop() {
		bun, _ := OpenReader("many.zip", bytes.NewReader(z), DefaultLimits())
		if len(bun.Entries()) != 2000 {
			b.Fatal(len(bun.Entries()))
		}
	}
}
