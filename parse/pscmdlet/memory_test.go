package pscmdlet

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"exlog/event"
)

// repeater yields head, then body n times, then tail, without holding the
// whole text: a file far larger than anything kept in memory.
type repeater struct {
	head, body, tail string
	n                int
	cur              string
	stage            int // 0 head, 1 bodies, 2 tail, 3 done
}

func newRepeater(head, body, tail string, n int) *repeater {
	return &repeater{head: head, body: body, tail: tail, n: n, cur: head}
}

func (r *repeater) Read(p []byte) (int, error) {
	for r.cur == "" {
		switch {
		case r.stage <= 1 && r.n > 0:
			r.stage, r.cur = 1, r.body
			r.n--
		case r.stage <= 1:
			r.stage, r.cur = 2, r.tail
		default:
			return 0, io.EOF
		}
		if r.stage == 2 && r.cur == "" {
			r.stage = 3
			return 0, io.EOF
		}
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	if r.stage == 2 && r.cur == "" {
		r.stage = 3
	}
	return n, nil
}

// TestMemoryFlat reads ~8 MB of each format through a generating reader
// and checks that the live heap stays small: the readers keep one object.
func TestMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 8 MB per format")
	}
	list := "DeviceID          : ApplF17XK2M0JC69\r\nDeviceAccessState : Quarantined\r\nIdentity          : contoso.com/Users/Zoë Müller/ExchangeActiveSyncDevices/iP\r\n                    hone§ApplF17XK2M0JC69\r\nEmailAddresses    : {SMTP:zoe.muller@contoso.com, smtp:zm@contoso.com...}\r\n\r\n"
	csv := "\"ApplF17XK2M0JC69\",\"Quarantined\",\"contoso.com/Users/Zoe Muller/ExchangeActiveSyncDevices/iPhone?ApplF17XK2M0JC69\",\"two\r\nlines\"\r\n"
	cli := `<Obj RefId="7"><TN RefId="0"><T>Deserialized.Microsoft.Exchange.Management.Tasks.MobileDeviceConfiguration</T></TN><Props><S N="DeviceID">ApplF17XK2M0JC69</S><S N="DeviceAccessState">Quarantined</S><Obj N="Identity" RefId="8"><ToString>contoso.com/Users/Zoë Müller</ToString></Obj><Ref N="Id" RefId="8"/></Props></Obj>` + "\r\n"
	const size = 8 << 20
	for _, c := range []struct {
		name             string
		newReader        func(io.Reader, string, func(event.ReadWarning)) Reader
		head, body, tail string
	}{
		{"list", NewListReader, "\r\n", list, ""},
		{"csv", NewCSVReader, "#TYPE X\r\n\"DeviceID\",\"DeviceAccessState\",\"Identity\",\"Notes\"\r\n", csv, ""},
		{"clixml", NewCliXMLReader, cliHead + "\r\n", cli, "</Objs>"},
	} {
		n := size / len(c.body)
		rd := c.newReader(newRepeater(c.head, c.body, c.tail, n), c.name, func(w event.ReadWarning) {
			t.Fatalf("%s: warning %v", c.name, w)
		})
		var peak uint64
		var ms runtime.MemStats
		count := 0
		for {
			r, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(r.Text("DeviceID"), "ApplF17") {
				t.Fatalf("%s: record %d: %+v", c.name, count, r.Props)
			}
			count++
			if count%10000 == 0 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
		if count != n {
			t.Errorf("%s: %d records, want %d", c.name, count, n)
		}
		if peak > 8<<20 {
			t.Errorf("%s: live heap reached %d MB while reading %d MB", c.name, peak>>20, size>>20)
		}
		t.Logf("%s: %d records, peak live heap %.1f MB", c.name, count, float64(peak)/(1<<20))
	}
}
