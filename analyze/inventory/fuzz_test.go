package inventory

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"exlog/event"
	"exlog/parse/pscmdlet"
	"exlog/report"
)

// FuzzBuilder feeds any Format-List / CSV / CliXML text to a Builder: no
// panic, and the inventory and findings stay consistent.
func FuzzBuilder(f *testing.F) {
	f.Add([]byte(mailboxes), uint8(0))
	f.Add([]byte(cas+device("Zoë Müller", "ApplA1", "Quarantined", "ExternalEnrollment", "10/2/2026 8:01:44 AM")), uint8(0))
	f.Add([]byte("#TYPE X.Mailbox\r\n\"Identity\",\"UserPrincipalName\",\"EmailAddresses\"\r\n\"a?b\",\"a@x\",\"SMTP:b@x\"\r\n"), uint8(1))
	f.Add([]byte(`<Objs xmlns="http://schemas.microsoft.com/powershell/2004/04"><Obj RefId="0"><MS><S N="DefaultAccessLevel">Block</S></MS></Obj></Objs>`), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, format uint8) {
		readers := []func(io.Reader, string, func(event.ReadWarning)) pscmdlet.Reader{pscmdlet.NewListReader, pscmdlet.NewCSVReader, pscmdlet.NewCliXMLReader}
		b := NewBuilder()
		for pass := 0; pass < 2; pass++ { // the same export twice: duplicates must not double-count
			rd := readers[int(format)%len(readers)](bytes.NewReader(data), "f", nil)
			for {
				rec, err := rd.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				b.Add(rec, "f")
			}
		}
		inv, fs := b.Finish()
		if inv == nil {
			t.Fatal("nil inventory")
		}
		sum := 0
		for _, n := range inv.DevicesByAccessState {
			sum += n
		}
		if sum != inv.Devices || inv.Devices < 0 || inv.Users < 0 {
			t.Fatalf("inventory inconsistent: %+v", inv)
		}
		if inv.Records["device"] > 0 && inv.Devices > inv.Records["device"]/2 {
			t.Fatalf("%d devices from %d records read twice", inv.Devices, inv.Records["device"])
		}
		for _, f := range fs {
			if f.ID == "" || f.Title == "" || f.Count < len(f.Evidence) || len(f.Evidence) > report.MaxEvidence || f.Count == 0 {
				t.Fatalf("bad finding %+v", f)
			}
		}
	})
}
