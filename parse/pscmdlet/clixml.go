package pscmdlet

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"exlog/event"
	"exlog/parse/xmlcap"
)

// CliXMLNamespace is the namespace of Export-Clixml documents.
const CliXMLNamespace = "http://schemas.microsoft.com/powershell/2004/04"

const (
	maxCliXMLDepth   = 32      // nested Obj levels read; deeper ones are skipped and reported
	maxCliXMLRefs    = 1 << 14 // remembered objects for <Ref>; the oldest are forgotten
	maxCliXMLTypes   = 1 << 12 // remembered TN lists for <TNRef>
	maxCliXMLText    = 4 << 20 // bytes kept of one text value
	maxCliXMLMembers = 1 << 16 // properties or items kept per object; the rest are counted and dropped
)

// NewCliXMLReader reads Export-Clixml output: root <Objs>, one Record per
// top-level <Obj> (nested objects become property values). Props and MS
// members both become Props, in file order. Primitive elements (S, I32,
// I64, U32, B, DT, G, Db, ...) give their text (S with _xHHHH_ escapes
// decoded); <Nil/> gives Null; a nested <Obj> gives its ToString (for an
// enum, its name), and its LST/IE/STK/QUE/DCT elements fill Items; <Ref>
// repeats an earlier object (the last 16384 are remembered; an older one
// becomes an Unknown value with a warning). <TN> type names hint the kind.
//
// A document type declaration is refused (warning, nothing read). An XML
// syntax error or a cut file ends the file with a warning; the object being
// read is returned with what was read so far, marked Partial.
func NewCliXMLReader(r io.Reader, path string, warn func(event.ReadWarning)) Reader {
	c := &cliXMLReader{path: path, warn: warn, types: map[string][]string{}, refs: map[string]Value{}}
	c.src = xmlcap.NewReader(r, event.DefaultMaxLine, func(at, n int64) {
		c.warnf(at, event.KindLongValue, "%s", c.src.CutMessage(n))
	})
	c.d = xml.NewDecoder(c.src)
	c.d.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil } // input is UTF-8 already
	return c
}

// SetCaps sets the longest text value or tag (MaxLine); call it before
// the first Next.
func (c *cliXMLReader) SetCaps(caps event.Caps) { c.src.Max = caps.Line() }

// offset is the file offset of the decoder's position.
func (c *cliXMLReader) offset() int64 { return c.src.FileOffset(c.d.InputOffset()) }

type cliXMLReader struct {
	src     *xmlcap.Reader // bounds what the decoder buffers
	d       *xml.Decoder
	path    string
	warn    func(event.ReadWarning)
	started bool
	done    bool

	types     map[string][]string // TN RefId → type names
	refs      map[string]Value    // Obj RefId → value
	refOrder  []string            // ring of remembered RefIds, for eviction
	refNext   int
	typeOrder []string
}

func (c *cliXMLReader) warnf(off int64, kind event.WarningKind, format string, args ...any) {
	if c.warn == nil {
		return
	}
	c.warn(event.ReadWarning{
		Origin:  event.Origin{Path: c.path, Offset: off},
		Kind:    kind,
		Message: fmt.Sprintf(format, args...),
	})
}

// fail reports a decoder error (cut file, XML syntax error) and ends the file.
func (c *cliXMLReader) fail(err error) {
	c.done = true
	var se *xml.SyntaxError
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || (errors.As(err, &se) && strings.Contains(se.Msg, "unexpected EOF")):
		c.warnf(c.offset(), event.KindTruncated, "file ends inside the document (cut export?)")
	case errors.As(err, &se):
		c.warnf(c.offset(), event.KindGarbage, "XML syntax error at line %d: %s; rest of file not read", se.Line, se.Msg)
	default:
		c.warnf(c.offset(), event.KindGarbage, "%v; rest of file not read", err)
	}
}

// isIOError tells failures of the underlying reader (returned by Next)
// from problems of the document (reported as warnings).
func isIOError(err error) bool {
	var se *xml.SyntaxError
	if errors.As(err, &se) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return false
	}
	return !strings.HasPrefix(err.Error(), "xml:")
}

func (c *cliXMLReader) Next() (*Record, error) {
	if c.done {
		return nil, io.EOF
	}
	if !c.started {
		if err := c.findRoot(); err != nil {
			return nil, err
		}
		if c.done {
			return nil, io.EOF
		}
	}
	for {
		off := c.offset()
		tok, err := c.d.Token()
		if err != nil {
			if isIOError(err) {
				c.done = true
				return nil, err
			}
			if err == io.EOF {
				c.warnf(off, event.KindTruncated, "file ends without </Objs>")
				c.done = true
				return nil, io.EOF
			}
			c.fail(err)
			return nil, io.EOF
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "Obj" {
				c.warnf(off, event.KindNotAnObject, "top-level <%s> is not an object; skipped", t.Name.Local)
				if err := c.d.Skip(); err != nil {
					if isIOError(err) {
						c.done = true
						return nil, err
					}
					c.fail(err)
					return nil, io.EOF
				}
				continue
			}
			rec := &Record{Offset: off}
			var oc objContent
			err := c.readObj(t, &oc, 1)
			rec.TypeNames = oc.typeNames
			rec.Props = oc.props
			rec.Kind = classify(rec.TypeNames, rec.Props)
			if err != nil {
				if isIOError(err) {
					c.done = true
					return nil, err
				}
				rec.Partial = true
				c.fail(err)
			}
			c.remember(attr(t, "RefId"), oc.value())
			return rec, nil
		case xml.EndElement:
			c.done = true
			return nil, io.EOF
		case xml.Directive:
			if bytes.HasPrefix(bytes.TrimSpace(t), []byte("DOCTYPE")) {
				c.warnf(off, event.KindGarbage, "document type declaration inside <Objs>; rest of file not read")
				c.done = true
				return nil, io.EOF
			}
		}
	}
}

// findRoot reads up to the <Objs> start tag.
func (c *cliXMLReader) findRoot() error {
	c.started = true
	for {
		off := c.offset()
		tok, err := c.d.Token()
		if err != nil {
			if isIOError(err) {
				c.done = true
				return err
			}
			if err == io.EOF {
				c.done = true
				return nil
			}
			c.fail(err)
			return nil
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.HasPrefix(bytes.TrimSpace(t), []byte("DOCTYPE")) {
				c.warnf(off, event.KindGarbage, "document type declaration refused (Export-Clixml never writes one); file not read")
				c.done = true
				return nil
			}
		case xml.StartElement:
			if t.Name.Local != "Objs" {
				c.warnf(off, event.KindGarbage, "root element is <%s>, not <Objs>; file not read", t.Name.Local)
				c.done = true
				return nil
			}
			if t.Name.Space != CliXMLNamespace {
				c.warnf(off, event.KindUnexpectedNamespace, "root <Objs> has namespace %q, want %q; reading anyway", t.Name.Space, CliXMLNamespace)
			}
			return nil
		}
	}
}

func (c *cliXMLReader) remember(refID string, v Value) {
	if refID == "" {
		return
	}
	if _, ok := c.refs[refID]; !ok {
		if len(c.refOrder) < maxCliXMLRefs {
			c.refOrder = append(c.refOrder, refID)
		} else {
			delete(c.refs, c.refOrder[c.refNext])
			c.refOrder[c.refNext] = refID
			c.refNext = (c.refNext + 1) % maxCliXMLRefs
		}
	}
	c.refs[refID] = v
}

func (c *cliXMLReader) rememberTypes(refID string, names []string) {
	if refID == "" {
		return
	}
	if _, ok := c.types[refID]; !ok {
		if len(c.typeOrder) >= maxCliXMLTypes {
			return // enough distinct types; later ones are not remembered
		}
		c.typeOrder = append(c.typeOrder, refID)
	}
	c.types[refID] = names
}

// objContent is what one <Obj> holds.
type objContent struct {
	typeNames   []string
	toString    string
	hasToString bool
	prim        string // primitive content (an enum's <I32>, a string's <S>)
	hasPrim     bool
	props       []Prop
	items       []string
	isList      bool
	unknown     bool
}

// value is the Value an object stands for when it is a property value.
func (oc *objContent) value() Value {
	v := Value{Items: oc.items, IsList: oc.isList, Unknown: oc.unknown}
	switch {
	case oc.hasToString:
		v.Raw = oc.toString
	case oc.hasPrim:
		v.Raw = oc.prim
	case oc.isList:
		v.Raw = "{" + strings.Join(oc.items, ", ") + "}"
	}
	if v.IsList && v.Items == nil {
		v.Items = []string{}
	}
	return v
}

// readObj reads the children of an <Obj> whose start tag was just read,
// through its end tag. On error, oc holds what was read so far.
func (c *cliXMLReader) readObj(start xml.StartElement, oc *objContent, depth int) error {
	for {
		off := c.offset()
		tok, err := c.d.Token()
		if err != nil {
			return unexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			switch t.Name.Local {
			case "TN":
				names, err := c.readTypeNames()
				oc.typeNames = names
				c.rememberTypes(attr(t, "RefId"), names)
				if err != nil {
					return err
				}
			case "TNRef":
				id := attr(t, "RefId")
				if names, ok := c.types[id]; ok {
					oc.typeNames = names
				} else {
					c.warnf(off, event.KindBadReference, "<TNRef RefId=%q> names no earlier type list", id)
				}
				if err := c.d.Skip(); err != nil {
					return unexpectedEOF(err)
				}
			case "ToString":
				s, err := c.readText()
				if err != nil {
					return err
				}
				oc.toString, oc.hasToString = decodePSString(s), true
			case "Props", "MS":
				if err := c.readMembers(&oc.props, depth); err != nil {
					return err
				}
			case "LST", "IE", "STK", "QUE":
				oc.isList = true
				if oc.items == nil {
					oc.items = []string{}
				}
				if err := c.readItems(&oc.items, depth); err != nil {
					return err
				}
			case "DCT":
				oc.isList = true
				if oc.items == nil {
					oc.items = []string{}
				}
				if err := c.readDict(&oc.items, depth); err != nil {
					return err
				}
			default:
				v, err := c.readValue(t, off, depth)
				if err != nil {
					return err
				}
				if !oc.hasPrim {
					oc.prim, oc.hasPrim = v.Raw, true
				}
			}
		}
	}
}

func (c *cliXMLReader) readTypeNames() ([]string, error) {
	var names []string
	for {
		tok, err := c.d.Token()
		if err != nil {
			return names, unexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return names, nil
		case xml.StartElement:
			s, err := c.readText()
			if err != nil {
				return names, err
			}
			if t.Name.Local == "T" && len(names) < 64 {
				names = append(names, strings.TrimSpace(s))
			}
		}
	}
}

// readMembers reads the named children of <Props> or <MS>.
func (c *cliXMLReader) readMembers(props *[]Prop, depth int) error {
	dropped := 0
	for {
		off := c.offset()
		tok, err := c.d.Token()
		if err != nil {
			return unexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			name := decodePSString(attr(t, "N"))
			v, err := c.readValue(t, off, depth)
			if len(*props) >= maxCliXMLMembers {
				if dropped == 0 {
					c.warnf(off, event.KindObjectTooLarge, "more than %d members in one object; the rest are dropped", maxCliXMLMembers)
				}
				dropped++
			} else if name == "" {
				c.warnf(off, event.KindGarbage, "member <%s> without a name (N attribute) skipped", t.Name.Local)
			} else {
				*props = append(*props, Prop{Name: name, Value: v})
			}
			if err != nil {
				return err
			}
		}
	}
}

func (c *cliXMLReader) readItems(items *[]string, depth int) error {
	dropped := 0
	for {
		off := c.offset()
		tok, err := c.d.Token()
		if err != nil {
			return unexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			v, err := c.readValue(t, off, depth)
			if err != nil {
				return err
			}
			if len(*items) >= maxCliXMLMembers {
				if dropped == 0 {
					c.warnf(off, event.KindObjectTooLarge, "more than %d items in one collection; the rest are dropped", maxCliXMLMembers)
				}
				dropped++
				continue
			}
			*items = append(*items, v.Raw)
		}
	}
}

// readDict reads <DCT><En><K N="Key">…</K><V N="Value">…</V></En>…</DCT>
// into "key=value" items.
func (c *cliXMLReader) readDict(items *[]string, depth int) error {
	for {
		tok, err := c.d.Token()
		if err != nil {
			return unexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if t.Name.Local != "En" {
				if err := c.d.Skip(); err != nil {
					return unexpectedEOF(err)
				}
				continue
			}
			var props []Prop
			if err := c.readMembers(&props, depth); err != nil {
				return err
			}
			var k, v string
			for _, p := range props {
				switch strings.ToLower(p.Name) {
				case "key":
					k = p.Value.Raw
				case "value":
					v = p.Value.Raw
				}
			}
			if len(*items) >= maxCliXMLMembers {
				c.warnf(c.offset(), event.KindObjectTooLarge, "more than %d entries in one dictionary; entry %q dropped", maxCliXMLMembers, k)
				continue
			}
			*items = append(*items, k+"="+v)
		}
	}
}

// readValue reads one value element whose start tag was just read.
func (c *cliXMLReader) readValue(t xml.StartElement, off int64, depth int) (Value, error) {
	switch t.Name.Local {
	case "Nil":
		return Value{Null: true}, unexpectedEOF(c.d.Skip())
	case "Ref":
		id := attr(t, "RefId")
		v, ok := c.refs[id]
		if !ok {
			c.warnf(off, event.KindBadReference, "<Ref RefId=%q> names no remembered object", id)
			v = Value{Unknown: true}
		}
		return v, unexpectedEOF(c.d.Skip())
	case "Obj":
		if depth >= maxCliXMLDepth {
			c.warnf(off, event.KindTooDeep, "object nested deeper than %d levels skipped", maxCliXMLDepth)
			return Value{Unknown: true}, unexpectedEOF(c.d.Skip())
		}
		var oc objContent
		err := c.readObj(t, &oc, depth+1)
		v := oc.value()
		if err == nil {
			c.remember(attr(t, "RefId"), v)
		}
		return v, err
	case "C": // a char, written as its UTF-16 code
		s, err := c.readText()
		if n, perr := strconv.ParseUint(strings.TrimSpace(s), 10, 16); perr == nil {
			s = string(rune(n))
		}
		return Value{Raw: s}, err
	case "S", "XD", "URI", "Version", "SBK", "SS", "BA":
		s, err := c.readText()
		return Value{Raw: decodePSString(s)}, err
	default: // B, I32, I64, U32, DT, G, Db, D, TS... and unknown elements: their text
		s, err := c.readText()
		return Value{Raw: strings.TrimSpace(s)}, err
	}
}

// readText returns the character data of the element whose start tag was
// just read, through its end tag; nested elements are skipped.
func (c *cliXMLReader) readText() (string, error) {
	var b []byte
	depth := 0
	for {
		tok, err := c.d.Token()
		if err != nil {
			return string(b), unexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if depth == 0 && len(b) < maxCliXMLText {
				b = append(b, t...)
			}
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				if len(b) > maxCliXMLText {
					b = b[:maxCliXMLText]
				}
				return string(b), nil
			}
			depth--
		}
	}
}

// unexpectedEOF turns io.EOF inside an element into io.ErrUnexpectedEOF.
func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// decodePSString undoes the serializer's escaping of characters that XML
// cannot hold: "_xHHHH_" is the UTF-16 code unit HHHH (surrogate pairs as
// two escapes); "_x005F_" is a literal underscore.
func decodePSString(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var out strings.Builder
	out.Grow(len(s))
	var units []uint16
	flush := func() {
		if len(units) > 0 {
			for _, r := range utf16.Decode(units) {
				out.WriteRune(r)
			}
			units = units[:0]
		}
	}
	for i := 0; i < len(s); {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' {
			if n, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				units = append(units, uint16(n))
				i += 7
				continue
			}
		}
		flush()
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			out.WriteByte(s[i])
		} else {
			out.WriteString(s[i : i+size])
		}
		i += size
	}
	flush()
	return out.String()
}

// DetectCliXML reports whether head (the first bytes of a UTF-8 file, up
// to 8 KiB) is an Export-Clixml document: an <Objs> root (after an
// optional XML declaration and comments) in the PowerShell namespace.
func DetectCliXML(head []byte) bool {
	h := bytes.TrimLeft(head, " \t\r\n")
	for {
		switch {
		case bytes.HasPrefix(h, []byte("<?")):
			i := bytes.Index(h, []byte("?>"))
			if i < 0 {
				return false
			}
			h = bytes.TrimLeft(h[i+2:], " \t\r\n")
			continue
		case bytes.HasPrefix(h, []byte("<!--")):
			i := bytes.Index(h, []byte("-->"))
			if i < 0 {
				return false
			}
			h = bytes.TrimLeft(h[i+3:], " \t\r\n")
			continue
		}
		break
	}
	if !bytes.HasPrefix(h, []byte("<Objs")) || len(h) < 6 || !strings.ContainsRune(" \t\r\n>", rune(h[5])) {
		return false
	}
	end := bytes.IndexByte(h, '>')
	if end < 0 {
		end = len(h)
	}
	return bytes.Contains(h[:end], []byte("schemas.microsoft.com/powershell/2004/04"))
}
