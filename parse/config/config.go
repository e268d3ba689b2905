// Package config reads the connector's XML configuration files:
// TracingConfiguration.xml (trace listener level and rotation) and
// OnPremisesExchangeConnectorServiceConfiguration.xml (EWS URL, CAS
// failover, parallel commands).
//
// The schema of both files is not published; domain.md gives element and
// attribute names only. The readers are therefore deliberately tolerant:
// a setting is found whether it is an attribute or a child element, at any
// depth, with or without namespaces, in any letter case, and also in the
// generic forms <add key="Name" value="..."/> and
// <Setting Name="Name" Value="..."/>.
//
// Input contract: UTF-8 without BOM (UTF-16 files are transcoded upstream);
// an encoding named in the XML declaration is ignored. Files are small,
// but reading still streams tokens. No entity other than the XML built-ins
// is expanded, DTDs are ignored and nothing is fetched.
//
// Errors: ReadTracing and ReadService return an error only when the
// underlying reader fails. Malformed XML, unreadable values and missing
// settings are ReadWarnings (with the file path and a 1-based line) and
// the result holds whatever was read before the problem.
package config

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"exlog/event"
	"exlog/parse/xmlcap"
)

// setting is one name=value found in a file.
type setting struct {
	name   string // as canonicalised by the caller's name table
	value  string
	line   int
	scope  int    // index of the enclosing TraceSourceLine, 0 = none
	parent string // local name of the enclosing element (other leaves)
}

// scanner walks an XML file and reports the settings whose names are in
// names (lower-case name → canonical name), plus, when others is set, every
// other leaf element.
type scanner struct {
	dec    *xml.Decoder
	src    *xmlcap.Reader // bounds what the decoder buffers (--max-line)
	caps   event.Caps
	w      func(event.ReadWarning)
	path   string
	names  map[string]string
	others bool
	// results
	settings []setting
	other    []setting
	keys     []string // keys[i] is the Key of TraceSourceLine scope i (keys[0] = "")
}

// readErr remembers a failure of the underlying reader so that it can be
// told apart from malformed XML.
type readErr struct {
	r   io.Reader
	err error
}

func (r *readErr) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF && r.err == nil {
		r.err = err
	}
	return n, err
}

func (s *scanner) warn(line int, kind event.WarningKind, msg string) {
	if s.w != nil {
		s.w(event.ReadWarning{Origin: event.Origin{Path: s.path, Line: line, Offset: -1}, Kind: kind, Message: msg})
	}
}

// line is the decoder's line in the file (line feeds the cap dropped
// included).
func (s *scanner) line() int {
	l, _ := s.dec.InputPos()
	return l + int(s.src.DroppedLines())
}

// run scans the whole input.
func (s *scanner) run(r io.Reader) error {
	re := &readErr{r: r}
	s.src = xmlcap.NewReader(re, s.caps.Line(), func(at, n int64) {
		s.warn(s.line(), event.KindLongValue, fmt.Sprintf("at byte %d: %s", at, s.src.CutMessage(n)))
	})
	s.dec = xml.NewDecoder(s.src)
	s.dec.Strict = false
	s.dec.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	s.keys = []string{""}
	type frame struct {
		name    string // canonical setting name, "" if not a setting element
		local   string
		scope   int
		line    int
		text    strings.Builder
		hasKids bool
	}
	var stack []*frame
	for {
		// Position before the token: white space comes as its own
		// CharData, so for a start tag this is the line of its "<".
		startLine := s.line()
		tok, err := s.dec.Token()
		if err != nil {
			if re.err != nil {
				return re.err
			}
			if errors.Is(err, io.EOF) {
				if len(stack) > 0 {
					line := s.line()
					s.warn(line, event.KindTruncated, fmt.Sprintf("file ends inside <%s>", stack[len(stack)-1].local))
				}
				return nil
			}
			line := s.line()
			s.warn(line, event.KindGarbage, "malformed XML, rest of file ignored: "+err.Error())
			return nil
		}
		line := startLine
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.HasPrefix(bytes.TrimSpace(t), []byte("DOCTYPE")) {
				s.warn(line, event.KindDTDIgnored, "document type declaration ignored: entities are not expanded and nothing is fetched")
			}
		case xml.StartElement:
			scope := 0
			if len(stack) > 0 {
				stack[len(stack)-1].hasKids = true
				scope = stack[len(stack)-1].scope
			}
			local := t.Name.Local
			if strings.EqualFold(local, "TraceSourceLine") {
				s.keys = append(s.keys, "")
				scope = len(s.keys) - 1
			}
			f := &frame{local: local, scope: scope, line: line, name: s.names[strings.ToLower(local)]}
			stack = append(stack, f)
			s.attrs(t, scope, line)
		case xml.CharData:
			if len(stack) > 0 {
				if f := stack[len(stack)-1]; f.text.Len() < 1<<16 {
					f.text.Write(t)
				}
			}
		case xml.EndElement:
			if len(stack) == 0 {
				continue
			}
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			v := strings.TrimSpace(f.text.String())
			switch {
			case f.name != "":
				s.settings = append(s.settings, setting{name: f.name, value: v, line: f.line, scope: f.scope})
			case strings.EqualFold(f.local, "Key") && f.scope > 0 && s.keys[f.scope] == "":
				s.keys[f.scope] = v
			case s.others && !f.hasKids && len(stack) > 0:
				s.other = append(s.other, setting{name: f.local, value: v, line: f.line, parent: stack[len(stack)-1].local})
			}
		}
	}
}

// attrs takes settings written as attributes, <add key= value=> pairs and
// a TraceSourceLine Key attribute.
func (s *scanner) attrs(t xml.StartElement, scope, line int) {
	var k, v string
	for _, a := range t.Attr {
		n := strings.ToLower(a.Name.Local)
		switch n {
		case "key", "name":
			k = a.Value
			if scope > 0 && s.keys[scope] == "" && strings.EqualFold(t.Name.Local, "TraceSourceLine") {
				s.keys[scope] = a.Value
			}
		case "value":
			v = a.Value
		}
		if c := s.names[n]; c != "" {
			s.settings = append(s.settings, setting{name: c, value: strings.TrimSpace(a.Value), line: line, scope: scope})
		}
	}
	if c := s.names[strings.ToLower(k)]; c != "" && v != "" {
		s.settings = append(s.settings, setting{name: c, value: strings.TrimSpace(v), line: line, scope: scope})
	}
}

// looksLikeXML reports whether head starts (after white space) with markup.
func looksLikeXML(head []byte) bool {
	t := bytes.TrimLeft(head, " \t\r\n")
	return len(t) > 0 && t[0] == '<'
}

func containsFold(head []byte, s string) bool {
	return bytes.Contains(bytes.ToLower(head), []byte(strings.ToLower(s)))
}

// parseBool accepts true/false in any case, 1/0 and yes/no.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes":
		return true, true
	case "false", "0", "no":
		return false, true
	}
	return false, false
}

func parseInt(s string) (int64, error) {
	return strconv.ParseInt(strings.TrimSpace(s), 10, 64)
}
