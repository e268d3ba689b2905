package parse_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"exlog/event"
	"exlog/parse/config"
	"exlog/parse/eventlog"
	"exlog/parse/pscmdlet"
)

// The same cut has the same kind in every reader (issue 22.3: it was
// "long-value" in config and event-log XML, "value-too-long" in CliXML).
func TestLongValueSameKindEverywhere(t *testing.T) {
	caps := event.Caps{MaxLine: 100}
	long := strings.Repeat("v", 500)
	kinds := map[string][]event.WarningKind{}
	collect := func(name string) func(event.ReadWarning) {
		return func(w event.ReadWarning) { kinds[name] = append(kinds[name], w.Kind) }
	}

	cfg := `<?xml version="1.0"?><configuration><appSettings><add key="A" value="b"/></appSettings><note>` + long + `</note></configuration>`
	if _, err := config.ReadService(strings.NewReader(cfg), "svc.config", collect("config"), caps); err != nil {
		t.Fatalf("config: %v", err)
	}

	clixml := `<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><Obj RefId="0"><MS><S N="Note">` + long + `</S></MS></Obj></Objs>`
	pr := pscmdlet.NewCliXMLReader(strings.NewReader(clixml), "x.clixml", collect("clixml"))
	pr.SetCaps(caps)
	for {
		if _, err := pr.Next(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("clixml: %v", err)
		}
	}

	evx := `<Events><Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="MSExchange"/><EventID>1</EventID><Level>4</Level><TimeCreated SystemTime="2023-11-19T08:52:12.000Z"/><Computer>EX01</Computer></System><EventData><Data>` + long + `</Data></EventData></Event></Events>`
	er := eventlog.NewXMLReader(strings.NewReader(evx), "a.xml", collect("eventlog-xml"))
	er.SetCaps(caps)
	for {
		if _, err := er.Next(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("eventlog xml: %v", err)
		}
	}

	for _, name := range []string{"config", "clixml", "eventlog-xml"} {
		ks := kinds[name]
		if len(ks) != 1 || ks[0] != event.KindLongValue || ks[0].String() != "long-value" {
			t.Errorf("%s: warning kinds %v, want one long-value", name, ks)
		}
	}
}

// A line over --max-line is "long-line" in Format-List exports and
// event-log text exports alike (it was "line-too-long" in the first).
func TestLongLineSameKindEverywhere(t *testing.T) {
	caps := event.Caps{MaxLine: 200, MaxRecord: 1 << 20}
	long := strings.Repeat("w", 1000)
	kinds := map[string][]event.WarningKind{}
	collect := func(name string) func(event.ReadWarning) {
		return func(w event.ReadWarning) { kinds[name] = append(kinds[name], w.Kind) }
	}

	list := "\r\nDeviceID   : ApplA1\r\nDeviceType : " + long + "\r\n\r\n"
	pr := pscmdlet.NewListReader(strings.NewReader(list), "d.txt", collect("list"))
	pr.SetCaps(caps)
	for {
		if _, err := pr.Next(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("list: %v", err)
		}
	}

	text := "Log Name:      Application\r\nSource:        MSExchange\r\nDate:          2023-11-19T08:52:12.000\r\nEvent ID:      1\r\nLevel:         Information\r\nComputer:      EX01\r\nDescription:\r\n" + long + "\r\n"
	er := eventlog.NewTextReader(strings.NewReader(text), "a.txt", collect("eventlog-text"))
	er.SetCaps(caps)
	for {
		if _, err := er.Next(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("eventlog text: %v", err)
		}
	}

	for _, name := range []string{"list", "eventlog-text"} {
		n := 0
		for _, k := range kinds[name] {
			if k == event.KindLongLine {
				n++
			}
		}
		if n != 1 || event.KindLongLine.String() != "long-line" {
			t.Errorf("%s: warning kinds %v, want one long-line", name, kinds[name])
		}
	}
}
