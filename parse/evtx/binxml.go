package evtx

import (
	"encoding/binary"
	"fmt"
	"slices"
	"unicode/utf16"
)

// Binary XML tokens ([MS-EVEN6] 2.2.12, libyal's EVTX document section
// "Binary XML"). Tokens 0x01, 0x05, 0x06, 0x07, 0x08 and 0x09 may carry
// moreFlag (0x40): for an element, "has attributes"; for an attribute,
// "another attribute follows"; for values, "more data follows".
const (
	tokEOF          = 0x00
	tokOpenElement  = 0x01
	tokCloseStart   = 0x02
	tokCloseEmpty   = 0x03
	tokEndElement   = 0x04
	tokValue        = 0x05
	tokAttribute    = 0x06
	tokCDATA        = 0x07
	tokCharRef      = 0x08
	tokEntityRef    = 0x09
	tokPITarget     = 0x0a
	tokPIData       = 0x0b
	tokTemplate     = 0x0c
	tokSubstitution = 0x0d
	tokOptionalSub  = 0x0e
	tokFragment     = 0x0f
	moreFlag        = 0x40
)

// maxValues bounds the substitution values decoded for one record
// (nested Binary XML values included).
const maxValues = 1 << 17

// maxNesting bounds element nesting and nested Binary XML values, so that
// hostile input cannot recurse deeply.
const maxNesting = 64

type itemKind uint8

const (
	itemText itemKind = iota + 1 // literal text (values, CDATA, references)
	itemSub                      // a substitution: value number sub
	itemElem                     // a child element
)

// item is one piece of element content or of an attribute value.
type item struct {
	kind itemKind
	opt  bool // optional substitution: omitted when the value is null
	sub  uint16
	text string
	elem *elem
}

type elem struct {
	name  string
	attrs []attr
	kids  []item
}

type attr struct {
	name string
	val  []item
}

// template is a compiled template definition: the Binary XML after its
// header, with substitutions left as items. Templates are cached per chunk
// by the offset of their definition.
type template struct {
	items []item
	err   error
}

// fragment is one decoded Binary XML fragment: the items of its template
// with the instance's values, or literal items and no values.
type fragment struct {
	items []item
	vals  []value
}

// formatError is malformed Binary XML at an offset in the chunk.
type formatError struct {
	off int
	msg string
}

func (e *formatError) Error() string { return fmt.Sprintf("chunk offset %d: %s", e.off, e.msg) }

// parser reads Binary XML from the chunk buffer c between pos and end.
// Offsets in the format (names, template definitions) are relative to the
// chunk start, which is index 0 of c.
type parser struct {
	ch    *chunk
	c     []byte
	pos   int
	end   int
	depID bool // element starts carry a dependency identifier (not in nested BinXml values)
	nest  int
}

func (p *parser) fail(format string, args ...any) error {
	return &formatError{off: p.pos, msg: fmt.Sprintf(format, args...)}
}

func (p *parser) need(n int) error {
	if n < 0 || p.pos+n > p.end {
		return p.fail("data cut short (need %d bytes, %d left)", n, p.end-p.pos)
	}
	return nil
}

func (p *parser) u16() uint16 { v := binary.LittleEndian.Uint16(p.c[p.pos:]); p.pos += 2; return v }

// countedString reads a UTF-16 string preceded by its length in
// characters (a value token's string, CDATA).
func (p *parser) countedString() (string, error) {
	n := int(p.u16())
	if err := p.need(2 * n); err != nil {
		return "", err
	}
	s := utf16String(p.c[p.pos : p.pos+2*n])
	p.pos += 2 * n
	return s, nil
}

func (p *parser) u32() uint32 { v := binary.LittleEndian.Uint32(p.c[p.pos:]); p.pos += 4; return v }

// fragment reads a fragment: an optional fragment header, then a template
// instance or content, up to the end-of-stream token or end.
func (p *parser) fragment() (fragment, error) {
	if p.pos < p.end && p.c[p.pos] == tokFragment {
		if err := p.need(4); err != nil {
			return fragment{}, err
		}
		p.pos += 4
	}
	if p.pos < p.end && p.c[p.pos] == tokTemplate {
		return p.templateInstance()
	}
	items, err := p.content(false)
	return fragment{items: items}, err
}

// templateInstance reads a template instance token: the definition (inline
// the first time it is used in a chunk, else at an earlier offset) and
// the instance's substitution values.
func (p *parser) templateInstance() (fragment, error) {
	if err := p.need(10); err != nil {
		return fragment{}, err
	}
	p.pos += 2 // token, unknown byte
	p.pos += 4 // template identifier (the first 4 bytes of the definition's GUID)
	defOff := int(p.u32())
	if defOff == p.pos {
		// inline definition: next-definition offset, GUID, data size, data
		if err := p.need(24); err != nil {
			return fragment{}, err
		}
		size := int(binary.LittleEndian.Uint32(p.c[p.pos+20:]))
		if err := p.need(24 + size); err != nil {
			return fragment{}, p.fail("template definition of %d bytes cut short", size)
		}
		p.pos += 24 + size
	}
	tpl := p.ch.template(defOff)
	if tpl.err != nil {
		return fragment{}, tpl.err
	}
	if err := p.need(4); err != nil {
		return fragment{}, err
	}
	n := int(p.u32())
	if err := p.need(4 * n); err != nil {
		return fragment{}, p.fail("%d substitution descriptors cut short", n)
	}
	// Values live in the chunk's slab until the next record.
	start := len(p.ch.vals)
	if start+n > maxValues {
		return fragment{}, p.fail("more than %d substitution values in one record", maxValues)
	}
	p.ch.vals = slices.Grow(p.ch.vals, n)[:start+n]
	vals := p.ch.vals[start : start+n : start+n]
	desc := p.pos
	p.pos += 4 * n
	for i := range vals {
		size := int(binary.LittleEndian.Uint16(p.c[desc+4*i:]))
		typ := p.c[desc+4*i+2]
		if err := p.need(size); err != nil {
			return fragment{}, p.fail("substitution value %d (type 0x%02x, %d bytes) cut short", i, typ, size)
		}
		vals[i] = value{typ: typ, off: p.pos, data: p.c[p.pos : p.pos+size]}
		p.pos += size
	}
	return fragment{items: tpl.items, vals: vals}, nil
}

// content reads element content (inElem: up to and including the end
// element token) or fragment content (up to and including end of stream,
// or end).
func (p *parser) content(inElem bool) ([]item, error) {
	var items []item
	for {
		if p.pos >= p.end {
			if inElem {
				return items, p.fail("element cut short")
			}
			return items, nil
		}
		tok := p.c[p.pos]
		switch tok &^ moreFlag {
		case tokEOF:
			if inElem {
				return items, p.fail("end of stream inside an element")
			}
			p.pos++
			return items, nil
		case tokEndElement:
			if !inElem {
				return items, p.fail("end element outside an element")
			}
			p.pos++
			return items, nil
		case tokOpenElement:
			e, err := p.element()
			if err != nil {
				return items, err
			}
			items = append(items, item{kind: itemElem, elem: e})
		case tokValue, tokCDATA, tokCharRef, tokEntityRef, tokSubstitution, tokOptionalSub:
			it, err := p.valueItem()
			if err != nil {
				return items, err
			}
			items = append(items, it)
		case tokPITarget:
			if err := p.need(5); err != nil {
				return items, err
			}
			p.pos++
			if _, err := p.name(); err != nil {
				return items, err
			}
		case tokPIData:
			if err := p.need(3); err != nil {
				return items, err
			}
			p.pos++
			n := int(p.u16())
			if err := p.need(2 * n); err != nil {
				return items, err
			}
			p.pos += 2 * n
		case tokFragment:
			if err := p.need(4); err != nil {
				return items, err
			}
			p.pos += 4
		default:
			return items, p.fail("unexpected token 0x%02x", tok)
		}
	}
}

// element reads an element from its open token to its end.
func (p *parser) element() (*elem, error) {
	if p.nest >= maxNesting {
		return nil, p.fail("elements nested deeper than %d", maxNesting)
	}
	p.nest++
	defer func() { p.nest-- }()
	tok := p.c[p.pos]
	hdr := 1 + 4 + 4
	if p.depID {
		hdr += 2
	}
	if err := p.need(hdr); err != nil {
		return nil, err
	}
	p.pos++
	if p.depID {
		p.pos += 2
	}
	p.pos += 4 // data size
	name, err := p.name()
	if err != nil {
		return nil, err
	}
	e := &elem{name: name}
	if tok&moreFlag != 0 {
		if err := p.need(4); err != nil {
			return nil, err
		}
		p.pos += 4 // attribute list size
		for p.pos < p.end && p.c[p.pos]&^moreFlag == tokAttribute {
			if err := p.need(5); err != nil {
				return nil, err
			}
			p.pos++
			an, err := p.name()
			if err != nil {
				return nil, err
			}
			var val []item
			for p.pos < p.end && isValueToken(p.c[p.pos]) {
				it, err := p.valueItem()
				if err != nil {
					return nil, err
				}
				val = append(val, it)
			}
			e.attrs = append(e.attrs, attr{name: an, val: val})
		}
	}
	if err := p.need(1); err != nil {
		return nil, err
	}
	switch p.c[p.pos] {
	case tokCloseEmpty:
		p.pos++
		return e, nil
	case tokCloseStart:
		p.pos++
		e.kids, err = p.content(true)
		return e, err
	}
	return nil, p.fail("unexpected token 0x%02x after the start of element %q", p.c[p.pos], name)
}

func isValueToken(tok byte) bool {
	switch tok &^ moreFlag {
	case tokValue, tokCDATA, tokCharRef, tokEntityRef:
		return true
	}
	return tok == tokSubstitution || tok == tokOptionalSub
}

// valueItem reads a value, CDATA, character or entity reference or
// substitution token.
func (p *parser) valueItem() (item, error) {
	tok := p.c[p.pos]
	switch tok &^ moreFlag {
	case tokValue:
		if err := p.need(4); err != nil {
			return item{}, err
		}
		typ := p.c[p.pos+1]
		p.pos += 2
		if typ != typeString {
			return item{}, p.fail("value token of type 0x%02x (only strings are defined)", typ)
		}
		s, err := p.countedString()
		if err != nil {
			return item{}, err
		}
		return item{kind: itemText, text: s}, nil
	case tokCDATA:
		if err := p.need(3); err != nil {
			return item{}, err
		}
		p.pos++
		s, err := p.countedString()
		if err != nil {
			return item{}, err
		}
		return item{kind: itemText, text: s}, nil
	case tokCharRef:
		if err := p.need(3); err != nil {
			return item{}, err
		}
		p.pos++
		r := rune(p.u16())
		if utf16.IsSurrogate(r) {
			r = '\uFFFD'
		}
		return item{kind: itemText, text: string(r)}, nil
	case tokEntityRef:
		if err := p.need(5); err != nil {
			return item{}, err
		}
		p.pos++
		n, err := p.name()
		if err != nil {
			return item{}, err
		}
		return item{kind: itemText, text: entity(n)}, nil
	case tokSubstitution, tokOptionalSub:
		if err := p.need(4); err != nil {
			return item{}, err
		}
		p.pos++
		idx := p.u16()
		p.pos++ // value type: the instance's descriptor says it again
		return item{kind: itemSub, sub: idx, opt: tok == tokOptionalSub}, nil
	}
	return item{}, p.fail("unexpected token 0x%02x in a value", tok)
}

func entity(name string) string {
	switch name {
	case "lt":
		return "<"
	case "gt":
		return ">"
	case "amp":
		return "&"
	case "quot":
		return `"`
	case "apos":
		return "'"
	}
	return "&" + name + ";"
}

// name reads a name reference: a chunk offset of a name structure (next
// offset, hash, character count, UTF-16 characters, NUL), which follows
// inline when the offset points just past the reference.
func (p *parser) name() (string, error) {
	if err := p.need(4); err != nil {
		return "", err
	}
	off := int(p.u32())
	if off == p.pos {
		if err := p.need(8); err != nil {
			return "", err
		}
		n := int(binary.LittleEndian.Uint16(p.c[p.pos+6:]))
		if err := p.need(8 + 2*n + 2); err != nil {
			return "", p.fail("name cut short")
		}
		p.pos += 8 + 2*n + 2
	}
	s, ok := p.ch.nameAt(off)
	if !ok {
		return "", p.fail("name offset %d outside the chunk", off)
	}
	return s, nil
}
