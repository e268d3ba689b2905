package evtx

import (
	"bytes"
	"encoding/binary"
	"flag"
	"hash/crc32"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"exlog/event"
	"exlog/parse/eventlog"
)

// The fixture testdata/scm-wiec.evtx is written by the small .evtx writer
// below from the structure of real records: the Service Control Manager
// templates of system.evtx (events 7045, 7000, 7023) are decoded by this
// package and encoded again, unchanged, into a fresh file whose records
// instantiate them with the connector's values. What is ours: the values
// (service names, error codes, times, record ids, computer name) and the
// layout of the one chunk (names written inline, each template defined
// inline by its first record and referred to by offset afterwards).
//
// Regenerate with: go test ./parse/evtx -run TestFixture -update

var update = flag.Bool("update", false, "rewrite generated test fixtures")

// subst is one record to write: a real record whose template is reused,
// and new values for some of its substitutions, by what they render.
type fixtureRecord struct {
	fromID string            // record id in system.evtx whose template is used
	data   map[string]string // EventData Name -> new string value
	time   time.Time
}

func TestFixtureSCM(t *testing.T) {
	base := time.Date(2023, 10, 12, 22, 34, 0, 0, time.UTC) // after the reboot of samples/service-logon
	recs := []fixtureRecord{
		{"45", map[string]string{"ServiceName": "Microsoft Intune Exchange Connector Service", "ImagePath": `C:\Program Files\Microsoft Intune Exchange Connector\Microsoft.Management.Services.OnPremisesExchangeConnectorService.exe`,
			"ServiceType": "user mode service", "StartType": "auto start", "AccountName": `.\WIEC_USER`}, base.Add(time.Minute)},
		{"35", map[string]string{"param1": "Microsoft Intune Exchange Connector Service", "param2": "%%1069"}, base.Add(2 * time.Minute)},
		{"35", map[string]string{"param1": "Print Spooler", "param2": "%%1069"}, base.Add(3 * time.Minute)},
		{"40", map[string]string{"param1": "Microsoft Intune Exchange Connector Service", "param2": "%%1067"}, base.Add(62 * time.Minute)},
		{"35", map[string]string{"param1": "Microsoft Intune Exchange Connector Service", "param2": "%%1069"}, base.Add(63 * time.Minute)},
	}
	got := writeFixture(t, recs, "EXCONN01")
	const path = "testdata/scm-wiec.evtx"
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (generate it with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from what the writer makes: regenerate it with -update", path)
	}
	evs, warns, broken := readAll(t, got, "scm-wiec.evtx")
	if len(warns) != 0 || broken != 0 || len(evs) != len(recs) {
		t.Fatalf("%d events, %d broken, warnings %v", len(evs), broken, warns)
	}
	e := evs[1]
	wantMsg := "The Microsoft Intune Exchange Connector Service service failed to start due to the following error: \nThe service did not start due to a logon failure."
	if e.Source != "Service Control Manager" || e.EventID != 7000 || e.Type != event.Error || e.Message != wantMsg ||
		e.Host != "EXCONN01" || !e.Time.Equal(base.Add(2*time.Minute)) || field(e, eventlog.FieldRecordID) != "2" || field(e, FieldQualifiers) != "49152" {
		t.Errorf("7000 event: %+v", e)
	}
	if !strings.HasPrefix(evs[0].Message, "A service was installed in the system.\n\nService Name:  Microsoft Intune Exchange Connector Service\n") {
		t.Errorf("7045 event: %q", evs[0].Message)
	}
}

// writeFixture writes a one-chunk .evtx file.
func writeFixture(t *testing.T, recs []fixtureRecord, computer string) []byte {
	data, err := os.ReadFile("testdata/system.evtx")
	if err != nil {
		t.Fatal(err)
	}
	src := map[string]fragment{} // record id -> its decoded fragment (template and values)
	srcCh := map[string]*chunk{}
	for off := fileHeaderSize; off+chunkSize <= len(data); off += chunkSize {
		ch := newChunk()
		copy(ch.c, data[off:off+chunkSize])
		ch.reset(chunkSize)
		for pos := chunkHeaderSize; pos+recordHeader < chunkSize && bytes.Equal(ch.c[pos:pos+4], recordMagic); {
			size := int(binary.LittleEndian.Uint32(ch.c[pos+4:]))
			id := binary.LittleEndian.Uint64(ch.c[pos+8:])
			p := parser{ch: ch, c: ch.c, pos: pos + recordHeader, end: pos + size - 4}
			if f, err := p.fragment(); err == nil {
				src[itoa(int(id))] = f
				srcCh[itoa(int(id))] = ch
			}
			pos += size
		}
	}

	c := make([]byte, chunkSize)
	w := &chunkWriter{b: c[:chunkHeaderSize], defs: map[*template]int{}}
	for i, r := range recs {
		f, ok := src[r.fromID]
		if !ok {
			t.Fatalf("no record %s in system.evtx", r.fromID)
		}
		fv := fixValues(t, srcCh[r.fromID], f, r, computer, uint64(i+1))
		if len(r.data) != 0 {
			t.Fatalf("record %s: no Data named %v", r.fromID, r.data)
		}
		w.record(uint64(i+1), r.time, fv, computer)
	}
	free := len(w.b)
	c = c[:chunkSize]
	copy(c, w.b)
	le := binary.LittleEndian
	copy(c, chunkMagic)
	le.PutUint64(c[8:], 1)
	le.PutUint64(c[16:], uint64(len(recs)))
	le.PutUint64(c[24:], 1)
	le.PutUint64(c[32:], uint64(len(recs)))
	le.PutUint32(c[40:], 128)
	le.PutUint32(c[44:], uint32(w.last))
	le.PutUint32(c[48:], uint32(free))
	le.PutUint32(c[52:], crc32.ChecksumIEEE(c[chunkHeaderSize:free]))
	le.PutUint32(c[124:], headerCRC(c))

	h := make([]byte, fileHeaderSize)
	copy(h, fileMagic)
	le.PutUint64(h[16:], 0) // last chunk
	le.PutUint64(h[24:], uint64(len(recs)+1))
	le.PutUint32(h[32:], 128)
	le.PutUint16(h[36:], 1)
	le.PutUint16(h[38:], 3)
	le.PutUint16(h[40:], fileHeaderSize)
	le.PutUint16(h[42:], 1)
	le.PutUint32(h[124:], crc32.ChecksumIEEE(h[:120]))
	return append(h, c...)
}

// wval is a value to write: bytes, or a nested Binary XML fragment (a
// template instance), which is encoded again at its new place because
// the names and the definition inside it are chunk offsets.
type wval struct {
	typ  uint8
	data []byte
	tpl  *template
	vals []wval
}

// wfrag is a template instance to write.
type wfrag struct {
	tpl  *template
	vals []wval
}

// templateOf finds the cached template whose items f uses.
func templateOf(t *testing.T, ch *chunk, f fragment) *template {
	for _, tp := range ch.tpls {
		if len(tp.items) > 0 && len(f.items) > 0 && &tp.items[0] == &f.items[0] {
			return tp
		}
	}
	t.Fatal("template not found")
	return nil
}

// fixValues copies the fragment's values, replacing EventData values by
// name (deleting them from r.data), the record id, the time and the
// computer; nested fragments are decoded and fixed the same way.
func fixValues(t *testing.T, ch *chunk, f fragment, r fixtureRecord, computer string, id uint64) wfrag {
	vals := make([]wval, len(f.vals))
	for i, v := range f.vals {
		if v.typ == typeBinXML {
			p := parser{ch: ch, c: ch.c, pos: v.off, end: v.off + len(v.data)}
			nf, err := p.fragment()
			if err != nil {
				t.Fatal(err)
			}
			sub := fixValues(t, ch, nf, r, computer, id)
			vals[i] = wval{typ: v.typ, tpl: sub.tpl, vals: sub.vals}
			continue
		}
		vals[i] = wval{typ: v.typ, data: append([]byte(nil), v.data...)}
	}
	le := binary.LittleEndian
	var visit func(items []item)
	visit = func(items []item) {
		for _, it := range items {
			if it.kind != itemElem {
				continue
			}
			e := it.elem
			sub := -1
			if len(e.kids) == 1 && e.kids[0].kind == itemSub && int(e.kids[0].sub) < len(vals) {
				sub = int(e.kids[0].sub)
			}
			switch {
			case e.name == "EventRecordID" && sub >= 0:
				le.PutUint64(vals[sub].data, id)
			case e.name == "TimeCreated":
				if a := findAttr(e, "SystemTime"); len(a) == 1 && a[0].kind == itemSub {
					le.PutUint64(vals[a[0].sub].data, uint64(r.time.Unix()+11644473600)*1e7)
				}
			case e.name == "Computer" && sub >= 0:
				vals[sub] = wval{typ: typeString, data: utf16le(computer)}
			case e.name == "Data" && sub >= 0:
				name := attrString(findAttr(e, "Name"), nil)
				if nv, ok := r.data[name]; ok {
					vals[sub] = wval{typ: typeString, data: utf16le(nv)}
					delete(r.data, name)
				}
			case e.name == "Binary" && sub >= 0:
				vals[sub] = wval{typ: vals[sub].typ} // the original service name in binary: dropped
			}
			visit(e.kids)
		}
	}
	visit(f.items)
	return wfrag{tpl: templateOf(t, ch, f), vals: vals}
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

// chunkWriter appends records to a chunk; positions are chunk offsets.
type chunkWriter struct {
	b    []byte
	defs map[*template]int // template -> offset of its definition
	last int               // offset of the last record
}

func (w *chunkWriter) u8(v byte)    { w.b = append(w.b, v) }
func (w *chunkWriter) u16(v uint16) { w.b = binary.LittleEndian.AppendUint16(w.b, v) }
func (w *chunkWriter) u32(v uint32) { w.b = binary.LittleEndian.AppendUint32(w.b, v) }

// name writes a name reference followed by the name itself (inline).
func (w *chunkWriter) name(s string) {
	w.u32(uint32(len(w.b) + 4))
	u := utf16.Encode([]rune(s))
	var hash uint32
	for _, c := range u {
		hash = hash*65599 + uint32(c) // the format's hash, low 16 bits kept (only Windows uses it)
	}
	w.u32(0)
	w.u16(uint16(hash))
	w.u16(uint16(len(u)))
	for _, c := range u {
		w.u16(c)
	}
	w.u16(0)
}

func (w *chunkWriter) items(items []item, computer string) {
	for _, it := range items {
		switch it.kind {
		case itemText:
			w.u8(tokValue)
			w.u8(typeString)
			u := utf16.Encode([]rune(it.text))
			w.u16(uint16(len(u)))
			for _, c := range u {
				w.u16(c)
			}
		case itemSub:
			if it.opt {
				w.u8(tokOptionalSub)
			} else {
				w.u8(tokSubstitution)
			}
			w.u16(it.sub)
			w.u8(0) // value type: the reader takes the instance's
		case itemElem:
			w.element(it.elem, computer)
		}
	}
}

func (w *chunkWriter) element(e *elem, computer string) {
	tok := byte(tokOpenElement)
	if len(e.attrs) > 0 {
		tok |= moreFlag
	}
	w.u8(tok)
	w.u16(0xffff) // dependency identifier: none
	sizeAt := len(w.b)
	w.u32(0)
	w.name(e.name)
	if len(e.attrs) > 0 {
		listAt := len(w.b)
		w.u32(0)
		for i, a := range e.attrs {
			t := byte(tokAttribute)
			if i < len(e.attrs)-1 {
				t |= moreFlag
			}
			w.u8(t)
			w.name(a.name)
			w.items(a.val, computer)
		}
		binary.LittleEndian.PutUint32(w.b[listAt:], uint32(len(w.b)-listAt-4))
	}
	kids := e.kids
	if e.name == "Computer" && len(kids) == 1 && kids[0].kind == itemText {
		kids = []item{{kind: itemText, text: computer}}
	}
	if len(kids) == 0 {
		w.u8(tokCloseEmpty)
	} else {
		w.u8(tokCloseStart)
		w.items(kids, computer)
		w.u8(tokEndElement)
	}
	binary.LittleEndian.PutUint32(w.b[sizeAt:], uint32(len(w.b)-sizeAt-4))
}

func (w *chunkWriter) record(id uint64, at time.Time, f wfrag, computer string) {
	start := len(w.b)
	w.last = start
	w.b = append(w.b, recordMagic...)
	w.u32(0) // size, below
	w.b = binary.LittleEndian.AppendUint64(w.b, id)
	w.b = binary.LittleEndian.AppendUint64(w.b, uint64(at.Unix()+11644473600)*1e7)
	w.b = append(w.b, tokFragment, 1, 1, 0)
	w.instance(f, computer)
	w.u8(tokEOF)
	for (len(w.b)-start+4)%8 != 0 {
		w.u8(0)
	}
	size := len(w.b) - start + 4
	w.u32(uint32(size))
	binary.LittleEndian.PutUint32(w.b[start+4:], uint32(size))
}

// instance writes a template instance: the definition inline the first
// time, its offset afterwards, then the values.
func (w *chunkWriter) instance(f wfrag, computer string) {
	w.u8(tokTemplate)
	w.u8(1)
	w.u32(0x5eed) // template id: not checked by readers
	if off, ok := w.defs[f.tpl]; ok {
		w.u32(uint32(off))
	} else {
		off := len(w.b) + 4
		w.defs[f.tpl] = off
		w.u32(uint32(off))
		w.u32(0)                               // next definition
		w.b = append(w.b, make([]byte, 16)...) // GUID
		sizeAt := len(w.b)
		w.u32(0)
		w.b = append(w.b, tokFragment, 1, 1, 0)
		w.items(f.tpl.items, computer)
		w.u8(tokEOF)
		binary.LittleEndian.PutUint32(w.b[sizeAt:], uint32(len(w.b)-sizeAt-4))
	}
	w.u32(uint32(len(f.vals)))
	// nested fragments are encoded at their final offset
	pos := len(w.b) + 4*len(f.vals)
	data := make([][]byte, len(f.vals))
	for i, v := range f.vals {
		if v.tpl != nil {
			n := &chunkWriter{b: make([]byte, pos, chunkSize), defs: w.defs}
			n.b = append(n.b, tokFragment, 1, 1, 0)
			n.instance(wfrag{tpl: v.tpl, vals: v.vals}, computer)
			n.u8(tokEOF)
			data[i] = n.b[pos:]
		} else {
			data[i] = v.data
		}
		pos += len(data[i])
	}
	for i, v := range f.vals {
		w.u16(uint16(len(data[i])))
		w.u8(v.typ)
		w.u8(0)
	}
	for _, d := range data {
		w.b = append(w.b, d...)
	}
}
