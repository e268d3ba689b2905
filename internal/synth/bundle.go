package synth

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"time"
	"unicode/utf16"
)

// File is one file of a bundle; Name uses "/" and is turned into "\" by
// ZipBytes when the archive is written Windows-style.
type File struct {
	Name string
	Data []byte
}

// ZipModTime is the fixed modification time written into every entry so
// that archives are byte-identical run after run.
var ZipModTime = time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)

// ZipBytes builds a deterministic zip. With backslash, entry names use "\"
// as separator, as older .NET ZipFile and some Windows tools wrote them.
func ZipBytes(files []File, backslash bool) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		name := f.Name
		if backslash {
			name = strings.ReplaceAll(name, "/", `\`)
		}
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetModTime(ZipModTime)
		if len(f.Data) == 0 {
			h.Method = zip.Store
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			panic(err)
		}
		if _, err := w.Write(f.Data); err != nil {
			panic(err)
		}
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// UTF16LE encodes s as UTF-16LE with a BOM (Windows PowerShell 5.1 ">" and Out-File).
func UTF16LE(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2+2*len(u))
	b[0], b[1] = 0xFF, 0xFE
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2+2*i:], c)
	}
	return b
}

// CRLF turns "\n" line ends into "\r\n"; s must not already hold CR.
func CRLF(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// ASCIILossy is .NET's ASCIIEncoding: every non-ASCII character becomes "?".
func ASCIILossy(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 127 {
			if r > 0xFFFF {
				b.WriteString("??")
			} else {
				b.WriteByte('?')
			}
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// PNGScreenshot is a small valid-looking PNG (signature, IHDR, IDAT, IEND
// chunks with filler), not evidence.
func PNGScreenshot(rng *rand.Rand, n int) []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	b = append(b, 0, 0, 0, 13)
	b = append(b, "IHDR"...)
	b = binary.BigEndian.AppendUint32(b, 1280)
	b = binary.BigEndian.AppendUint32(b, 720)
	b = append(b, 8, 6, 0, 0, 0, 0x1d, 0x94, 0x1b, 0x5e)
	b = binary.BigEndian.AppendUint32(b, uint32(n))
	b = append(b, "IDAT"...)
	for i := 0; i < n; i++ {
		b = append(b, byte(rng.UintN(256)))
	}
	b = append(b, 0x5a, 0x13, 0x27, 0x8b)
	b = append(b, 0, 0, 0, 0)
	b = append(b, "IEND"...)
	return append(b, 0xae, 0x42, 0x60, 0x82)
}

// MSIBlob starts like an OLE compound file (as .msi installers do) and
// holds filler: a file that is not evidence.
func MSIBlob(rng *rand.Rand, n int) []byte {
	b := []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	for len(b) < n {
		b = append(b, byte(rng.UintN(256)))
	}
	return b
}
