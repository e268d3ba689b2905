package nasty

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"
	"unicode/utf16"
)

// traceRecord is one well-formed connector trace record.
func traceRecord(msg string) string {
	return `<E2ETraceEvent xmlns="http://schemas.microsoft.com/2004/06/E2ETraceEvent"><System xmlns="http://schemas.microsoft.com/2004/06/windows/eventlog/system"><EventID>0</EventID><Type>3</Type><SubType Name="Information">0</SubType><Level>8</Level><TimeCreated SystemTime="2026-11-10T10:20:00.0008501Z" /><Source Name="OnPremisesExchangeConnectorService" /><Correlation ActivityID="{00000000-0000-0000-0000-000000000000}" /><Execution ProcessName="Microsoft.Management.Services.OnPremisesExchangeConnectorService" ProcessID="2612" ThreadID="23" /><Channel/><Computer>NASTYHOST</Computer></System><ApplicationData>` + msg + `</ApplicationData></E2ETraceEvent>` + "\r\n"
}

// traceOpen is the start of a trace record that never closes.
const traceOpen = `<E2ETraceEvent xmlns="http://schemas.microsoft.com/2004/06/E2ETraceEvent"><System xmlns="http://schemas.microsoft.com/2004/06/windows/eventlog/system"><EventID>0</EventID><Type>3</Type><SubType Name="Information">0</SubType><Level>8</Level><TimeCreated SystemTime="2026-11-10T10:21:00.0000000Z" /><Source Name="OnPremisesExchangeConnectorService" /><Computer>NASTYHOST</Computer></System><ApplicationData>`

// Heads of text formats, written the way Windows writes them (CRLF).
const (
	listHead = "\r\n\r\nRunspaceId           : befacbdf-518e-4dba-af19-39dc7379c95a\r\nAlias                : jdoe\r\nUserPrincipalName    : jdoe@nasty.example\r\nDisplayName          : "
	csvHead  = "#TYPE Microsoft.Exchange.Data.Directory.Management.MobileDeviceStatistics\r\n\"RunspaceId\",\"DeviceType\",\"DeviceID\",\"DeviceAccessState\",\"Identity\"\r\n\"befacbdf-518e-4dba-af19-39dc7379c95a\",\"Android\",\"androidc1\",\"Allowed\",\""
	evtHead  = "Log Name:      System\r\nSource:        Service Control Manager\r\nDate:          10/12/2026 10:30:31 PM\r\nEvent ID:      7036\r\nTask Category: None\r\nLevel:         Information\r\nKeywords:      Classic\r\nUser:          N/A\r\nComputer:      NASTYHOST\r\nDescription:\r\n"
)

// zipEntry is one member of a hand-built zip; raw entries carry their
// compressed bytes and declared sizes as given (they may lie).
type zipEntry struct {
	name         string
	data         []byte // plain content (raw == false) or deflate stream (raw == true)
	raw          bool
	usize, csize uint64
	crc          uint32
	store        bool
}

func buildZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		var err error
		if e.raw {
			w, err2 := zw.CreateRaw(&zip.FileHeader{Name: e.name, Method: zip.Deflate, CRC32: e.crc, CompressedSize64: e.csize, UncompressedSize64: e.usize})
			if err2 == nil {
				_, err = w.Write(e.data)
			} else {
				err = err2
			}
		} else {
			method := zip.Deflate
			if e.store {
				method = zip.Store
			}
			w, err2 := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: method})
			if err2 == nil {
				_, err = w.Write(e.data)
			} else {
				err = err2
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zeroDeflate returns a deflate stream expanding to mib MiB of zeros
// (a flushed 1 MiB block sequence repeated, then an empty final block),
// and the CRC of the expansion.
func zeroDeflate(mib int) ([]byte, uint32) {
	var chunk bytes.Buffer
	fw, _ := flate.NewWriter(&chunk, flate.BestCompression)
	zeros := make([]byte, 1<<20)
	fw.Write(zeros)
	fw.Flush()
	out := make([]byte, 0, chunk.Len()*mib+2)
	crc := crc32.NewIEEE()
	for i := 0; i < mib; i++ {
		out = append(out, chunk.Bytes()...)
		crc.Write(zeros)
	}
	return append(out, 0x03, 0x00), crc.Sum32()
}

func deflate(b []byte) []byte {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestSpeed)
	fw.Write(b)
	fw.Close()
	return buf.Bytes()
}

// corpusFiles builds the small hostile files (name → content). Big inputs
// are streamed by the tests instead.
func corpusFiles(t testing.TB) map[string][]byte {
	files := map[string][]byte{}
	good := []byte(traceRecord("Inside a hostile archive"))

	// 2 GiB of zeros declared honestly: a real bomb (ratio ≈ 1000).
	bomb, bombCRC := zeroDeflate(2048)
	files["zip-bomb.zip"] = buildZip(t, zipEntry{name: "Logs/Connector0.log", raw: true, data: bomb, crc: bombCRC, csize: uint64(len(bomb)), usize: 2048 << 20})

	// Headers that lie: 64 MiB of zeros declared as 1000 bytes; a record
	// declared as 10 MB; a wrong CRC.
	small, smallCRC := zeroDeflate(64)
	rec := deflate(good)
	files["lying-headers.zip"] = buildZip(t,
		zipEntry{name: "Logs/Connector0.log", raw: true, data: small, crc: smallCRC, csize: uint64(len(small)), usize: 1000},
		zipEntry{name: "Logs/Connector1.log", raw: true, data: rec, crc: crc32.ChecksumIEEE(good), csize: uint64(len(rec)), usize: 10 << 20},
		zipEntry{name: "Logs/Connector2.log", raw: true, data: rec, crc: 0xdeadbeef, csize: uint64(len(rec)), usize: uint64(len(good))},
	)

	// Zips nested six deep (the default cap is 4).
	inner := buildZip(t, zipEntry{name: "Logs/Connector0.log", data: good})
	for i := 0; i < 5; i++ {
		inner = buildZip(t, zipEntry{name: fmt.Sprintf("level%d.zip", 5-i), data: inner})
	}
	files["nested-deep.zip"] = inner

	// 20,000 entries (the default cap is 10,000).
	many := make([]zipEntry, 20000)
	for i := range many {
		many[i] = zipEntry{name: fmt.Sprintf("many/f%05d.txt", i), data: []byte("x"), store: true}
	}
	files["many-entries.zip"] = buildZip(t, many...)

	// Entity expansion (billion laughs) and external entities in the XML
	// formats exlog reads.
	var dtd strings.Builder
	dtd.WriteString(`<!ENTITY lol0 "lol">`)
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&dtd, `<!ENTITY lol%d "%s">`, i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
	}
	files["billion-laughs.xml"] = []byte(`<?xml version="1.0"?>` + "\r\n<!DOCTYPE Events [" + dtd.String() + "]>\r\n<Events>" +
		`<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Service Control Manager'/><EventID>7000</EventID><Level>2</Level><TimeCreated SystemTime='2026-10-12T22:30:31.0000000Z'/><Computer>&lol9;</Computer></System><EventData><Data Name='param1'>&lol9;</Data></EventData></Event></Events>`)
	files["external-entity.xml"] = []byte(`<?xml version="1.0"?>` + "\r\n" + `<!DOCTYPE Events [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY web SYSTEM "http://192.0.2.1/exlog-must-not-fetch">]>` + "\r\n<Events>" +
		`<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Service Control Manager'/><EventID>7000</EventID><Level>2</Level><TimeCreated SystemTime='2026-10-12T22:30:31.0000000Z'/><Computer>&xxe;</Computer></System><EventData><Data Name='param1'>&xxe;&web;</Data></EventData></Event></Events>`)
	files["TracingConfiguration-xxe.xml"] = []byte(`<?xml version="1.0" encoding="utf-8"?>` + "\r\n" + `<!DOCTYPE TracingConfiguration [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + "\r\n" +
		`<TracingConfiguration><TraceSourceLines><TraceSourceLine><Key>OnPremisesExchangeConnectorService</Key><Value><Listeners><Listener>` +
		`<ListenerType>CircularTraceListener</ListenerType><SourceLevel>&xxe;</SourceLevel><FileSizeQuotaInBytes>200000</FileSizeQuotaInBytes>` +
		`<FileQuota>30</FileQuota><FileName>&xxe;</FileName></Listener></Listeners></Value></TraceSourceLine></TraceSourceLines></TracingConfiguration>`)

	// UTF-16 LE with a BOM and an odd byte count.
	u := utf16.Encode([]rune(evtHead + "The Microsoft Intune Exchange Connector Service service entered the stopped state.\r\n"))
	odd := []byte{0xff, 0xfe}
	for _, c := range u {
		odd = append(odd, byte(c), byte(c>>8))
	}
	files["utf16-odd.txt"] = append(odd, 0x41)

	files["nul-filled.log"] = make([]byte, 1<<20)

	var gz bytes.Buffer
	gw := gzip.NewWriter(&gz)
	for i := 0; i < 200; i++ {
		gw.Write(good)
	}
	gw.Close()
	files["truncated.log.gz"] = gz.Bytes()[:gz.Len()/2]
	z := buildZip(t, zipEntry{name: "Logs/Connector0.log", data: bytes.Repeat(good, 200)}, zipEntry{name: "Logs/Connector1.log", data: bytes.Repeat(good, 200)})
	files["truncated.zip"] = z[:len(z)*6/10]

	// Names that would escape an extraction folder (exlog never extracts).
	files["path-traversal.zip"] = buildZip(t,
		zipEntry{name: "../../etc/passwd", data: good},
		zipEntry{name: `C:\Windows\System32\drivers\etc\hosts.log`, data: good},
		zipEntry{name: "/tmp/exlog-nasty-absolute.log", data: good},
		zipEntry{name: `..\..\..\evil.log`, data: good},
	)
	return files
}
