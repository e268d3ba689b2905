package analyze

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"exlog/analyze/session"
	"exlog/report"
)

// A zip member whose compressed bytes are damaged in the middle is read
// as far as it goes; the report says which file was read only in part
// and why, and the sync schedule over the lost stretch is "can't tell",
// not an outage (blind round 2, b5-corrupt-member). The bundle is the
// outside tester's healthy-2days with one member damaged.
func TestDamagedZipMember(t *testing.T) {
	src, err := zip.OpenReader(filepath.Join("..", "testdata", "blind", "healthy-2days", "bundle.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	damaged := ""
	for _, f := range src.File {
		if !strings.HasSuffix(f.Name, `Logs\Connector1.log`) {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		// Compress alone, flip 64 bytes a third of the way in, store the
		// damaged stream with the original CRC and sizes.
		var comp bytes.Buffer
		one := zip.NewWriter(&comp)
		w, _ := one.CreateHeader(&zip.FileHeader{Name: "x", Method: zip.Deflate})
		w.Write(data)
		one.Close()
		zr, _ := zip.NewReader(bytes.NewReader(comp.Bytes()), int64(comp.Len()))
		off, _ := zr.File[0].DataOffset()
		raw := append([]byte(nil), comp.Bytes()[off:off+int64(zr.File[0].CompressedSize64)]...)
		for i := len(raw) / 3; i < len(raw)/3+64; i++ {
			raw[i] ^= 0x5a
		}
		fh := &zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: f.Modified, CRC32: zr.File[0].CRC32,
			CompressedSize64: uint64(len(raw)), UncompressedSize64: uint64(len(data))}
		rw, err := zw.CreateRaw(fh)
		if err != nil {
			t.Fatal(err)
		}
		rw.Write(raw)
		damaged = f.Name
	}
	zw.Close()
	if damaged == "" {
		t.Fatal("no Connector1.log in the bundle: the test proves nothing")
	}
	p := filepath.Join(t.TempDir(), "bundle.zip")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Run([]string{p}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var unread *report.Finding
	for i, f := range rep.Findings {
		switch f.ID {
		case IDUnreadable:
			unread = &rep.Findings[i]
		case session.IDFullOverdue, session.IDQuickGap, session.IDFailed, session.IDUnfinished:
			if f.Severity > report.SeverityInfo && f.Ongoing {
				t.Errorf("a damaged file reads as a live sync problem: %s %s", f.ID, f.Title)
			}
		}
	}
	if unread == nil || len(unread.Evidence) == 0 || !strings.Contains(unread.Evidence[0].Text, "read only in part") ||
		!strings.Contains(unread.Evidence[0].Origin, "Connector1.log") {
		t.Fatalf("no bundle.unreadable naming the damaged member: %+v", unread)
	}
	for _, in := range rep.Inputs {
		if !strings.Contains(in.Path, "Connector1.log") {
			continue
		}
		found := false
		for _, w := range in.Warnings {
			found = found || w.Kind == "read-error"
		}
		if !found || !in.Partial {
			t.Errorf("%s: partial %v, read-error listed %v (warnings total %d)", in.Path, in.Partial, found, in.WarningsTotal)
		}
	}
	if rep.Verdict.State == report.StateBroken {
		t.Errorf("verdict broken on a healthy bundle with a damaged copy: %q", rep.Verdict.Reasons)
	}
}
