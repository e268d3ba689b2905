package evtx

import (
	"encoding/binary"
	"hash/crc32"
	"unicode/utf16"

	"exlog/parse/eventlog"
)

// File layout (libyal's EVTX document, sections "File header" and "Chunk").
const (
	fileHeaderSize  = 4096 // header block; the first 128 bytes are used
	chunkSize       = 64 << 10
	chunkHeaderSize = 512 // header (128), string offsets (64*4), template offsets (32*4)
	recordHeader    = 24  // signature, size, record id, written time
	fileFlagDirty   = 0x1
	fileFlagFull    = 0x2
)

var (
	fileMagic   = []byte("ElfFile\x00")
	chunkMagic  = []byte("ElfChnk\x00")
	recordMagic = []byte("**\x00\x00")
)

// chunk is the chunk being read: its bytes (c[:n], the rest zero) and the
// names and templates decoded from it. Everything in it is valid until the
// next chunk is read into the same buffer.
type chunk struct {
	c      []byte
	n      int
	names  map[int]string
	tpls   map[int]*template
	intern map[string]string // names across chunks, so that each is allocated once
	vals   []value           // substitution values of the current record
	fields map[string]string // data field names by element or Data name
}

func newChunk() *chunk {
	return &chunk{c: make([]byte, chunkSize), names: map[int]string{}, tpls: map[int]*template{}, intern: map[string]string{}, fields: map[string]string{}}
}

func (ch *chunk) reset(n int) {
	ch.n = n
	clear(ch.c[n:])
	clear(ch.names)
	clear(ch.tpls)
	if len(ch.intern) > 4096 {
		clear(ch.intern)
	}
}

// nameAt decodes the name structure at chunk offset off.
func (ch *chunk) nameAt(off int) (string, bool) {
	if s, ok := ch.names[off]; ok {
		return s, true
	}
	if off < 0 || off+8 > ch.n {
		return "", false
	}
	n := int(binary.LittleEndian.Uint16(ch.c[off+6:]))
	if off+8+2*n > ch.n {
		return "", false
	}
	raw := ch.c[off+8 : off+8+2*n]
	var buf [64]byte
	b := buf[:0]
	ascii := true
	for i := 0; i < len(raw); i += 2 {
		if raw[i+1] != 0 || raw[i] >= 0x80 {
			ascii = false
			break
		}
		b = append(b, raw[i])
	}
	var s string
	if ascii {
		if v, ok := ch.intern[string(b)]; ok {
			s = v
		} else {
			s = string(b)
			ch.intern[s] = s
		}
	} else {
		u := make([]uint16, n)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(raw[2*i:])
		}
		s = string(utf16.Decode(u))
	}
	ch.names[off] = s
	return s, true
}

// fieldName is "data."+name, allocated once per name.
func (ch *chunk) fieldName(name string) string {
	if f, ok := ch.fields[name]; ok {
		return f
	}
	f := eventlog.FieldDataPrefix + name
	if len(ch.fields) < 4096 {
		ch.fields[name] = f
	}
	return f
}

// template returns the compiled template whose definition starts at chunk
// offset off (next-definition offset, GUID, data size, Binary XML).
func (ch *chunk) template(off int) *template {
	if t, ok := ch.tpls[off]; ok {
		return t
	}
	t := &template{}
	ch.tpls[off] = t // a definition that refers to itself finds this one, not recursion
	if off < chunkHeaderSize || off+24 > ch.n {
		t.err = &formatError{off: off, msg: "template definition outside the chunk"}
		return t
	}
	size := int(binary.LittleEndian.Uint32(ch.c[off+20:]))
	end := min(off+24+size, ch.n)
	p := parser{ch: ch, c: ch.c, pos: off + 24, end: end, depID: true}
	if p.pos < p.end && p.c[p.pos] == tokFragment {
		p.pos += 4
	}
	t.items, t.err = p.content(false)
	return t
}

// headerCRC is the checksum of a chunk header: bytes 0-120 and 128-512.
func headerCRC(c []byte) uint32 {
	h := crc32.NewIEEE()
	h.Write(c[:120])
	h.Write(c[128:chunkHeaderSize])
	return h.Sum32()
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
