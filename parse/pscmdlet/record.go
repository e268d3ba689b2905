// Package pscmdlet reads what Exchange cmdlets export — Format-List text,
// Export-Csv and Export-Clixml — and turns every exported object into a
// Record: an ordered list of named Values with the kind of object it is
// (ActiveSync device, CAS mailbox, mailbox, organisation settings).
//
// Input contract: every reader takes UTF-8 text without a byte-order mark
// (UTF-16 exports are transcoded upstream). Readers stream: they hold one
// object at a time, so memory does not grow with the file. A Reader is not
// safe for concurrent use. Each Record returned by Next is freshly
// allocated and belongs to the caller; it may be kept after the next call.
//
// Malformed input never stops a reader with an error: problems are
// reported through the warn callback (with file and line or byte offset),
// and what was readable is kept in a Record marked Partial. Next returns a
// non-EOF error only when the underlying io.Reader fails.
package pscmdlet

import (
	"strings"
	"unicode/utf8"

	"exlog/event"
)

// Kind says what an exported object is. The zero value is invalid.
type Kind uint8

const (
	KindInvalid     Kind = iota
	KindDeviceStats      // Get-ActiveSyncDeviceStatistics / Get-MobileDeviceStatistics
	KindCASMailbox       // Get-CASMailbox
	KindMailbox          // Get-Mailbox (or a selection of its address properties)
	KindOrgSettings      // Get-ActiveSyncOrganizationSettings
	KindGeneric          // any other object
	numKinds
)

var kindNames = [...]string{"invalid", "device", "cas-mailbox", "mailbox", "org-settings", "generic"}

// String returns the name used in reports: "device", "cas-mailbox",
// "mailbox", "org-settings", "generic".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid"
}

// Value is one property value as exported.
type Value struct {
	// Raw is the text as exported; wrapped Format-List lines are rejoined
	// exactly. For CliXML objects it is the object's ToString (or, for a
	// collection without one, "{a, b}").
	Raw string
	// Items holds the elements of a collection ("{a, b}" in Format-List,
	// LST/IE/DCT in CliXML). Meaningful only when IsList.
	Items  []string
	IsList bool
	// Truncated: the collection was cut by $FormatEnumerationLimit
	// ("{a, b, c, d...}"). Items is then NOT the whole collection.
	Truncated bool
	// Unknown: the exporter lost the value, e.g. a multi-valued property
	// written by Export-Csv as a .NET type name
	// ("Microsoft.Exchange.Data.MultiValuedProperty`1[System.String]").
	Unknown bool
	// Null: CliXML <Nil/>. Text formats cannot tell null from empty and
	// leave Null false with Raw "".
	Null bool
	// Lossy: the value comes from an ASCII-only export (Windows PowerShell
	// 5.1 Export-Csv) and contains '?', which may stand for a non-ASCII
	// character that was lost ("Zo? M?ller"). Compare such values loosely.
	Lossy bool
}

// Prop is one named property of a Record.
type Prop struct {
	Name  string
	Value Value
}

// Record is one exported object.
type Record struct {
	Kind  Kind
	Props []Prop // in file order
	// TypeNames are the .NET type names the export named, most derived
	// first (CSV "#TYPE" line, CliXML TN); empty for Format-List.
	TypeNames []string
	Line      int   // 1-based line where the object starts (text formats); 0 for CliXML
	Offset    int64 // byte offset of the <Obj> element (CliXML); -1 for text formats
	Partial   bool  // the object was cut or malformed; Props hold what was readable
}

// Get returns the value of the property with the given name, compared
// case-insensitively; the first one wins if a name repeats.
func (r *Record) Get(name string) (Value, bool) {
	for i := range r.Props {
		if strings.EqualFold(r.Props[i].Name, name) {
			return r.Props[i].Value, true
		}
	}
	return Value{}, false
}

// Has reports whether the record has a property with this name.
func (r *Record) Has(name string) bool {
	_, ok := r.Get(name)
	return ok
}

// Text returns the trimmed raw text of a property ("" if absent or null).
func (r *Record) Text(name string) string {
	v, ok := r.Get(name)
	if !ok || v.Null {
		return ""
	}
	return strings.TrimSpace(v.Raw)
}

// Bool parses "True"/"False" (any case, also "$true", "1"/"0"). ok is
// false when the property is missing, null, empty or not a boolean.
func (r *Record) Bool(name string) (v bool, ok bool) {
	val, found := r.Get(name)
	if !found || val.Null || val.Unknown {
		return false, false
	}
	switch strings.ToLower(strings.TrimSpace(val.Raw)) {
	case "true", "$true", "1":
		return true, true
	case "false", "$false", "0":
		return false, true
	}
	return false, false
}

// Origin is the position of the record in the file at path.
func (r *Record) Origin(path string) event.Origin {
	return event.Origin{Path: path, Line: r.Line, Offset: r.Offset}
}

// Reader yields the objects of one export. Next returns io.EOF after the
// last object; any other error is a failure of the underlying io.Reader.
// SetCaps, called before the first Next, bounds what it holds at a time.
type Reader interface {
	Next() (*Record, error)
	SetCaps(event.Caps)
}

// classify decides the kind of an object from its type names (authoritative
// when recognised) and otherwise from its property names.
func classify(typeNames []string, props []Prop) Kind {
	for _, tn := range typeNames {
		if k := kindFromTypeName(tn); k != KindInvalid {
			return k
		}
	}
	return kindFromProps(props)
}

// kindFromTypeName recognises Exchange type names, also with the
// "Deserialized." and "Selected." prefixes that remoting and Select-Object
// add.
func kindFromTypeName(tn string) Kind {
	tn = strings.TrimSpace(tn)
	for stripped := true; stripped; {
		stripped = false
		for _, p := range []string{"Deserialized.", "Selected."} {
			if len(tn) > len(p) && strings.EqualFold(tn[:len(p)], p) {
				tn, stripped = tn[len(p):], true
			}
		}
	}
	if !strings.HasPrefix(strings.ToLower(tn), "microsoft.exchange.") {
		return KindInvalid
	}
	last := tn
	if i := strings.LastIndexByte(tn, '.'); i >= 0 {
		last = tn[i+1:]
	}
	switch strings.ToLower(last) {
	case "activesyncdeviceconfiguration", "mobiledeviceconfiguration", "activesyncdevicestatistics", "mobiledevicestatistics",
		"mobiledevice", "activesyncdevice": // Get-MobileDevice / Get-ActiveSyncDevice: no sync times, same access state

		return KindDeviceStats
	case "casmailbox":
		return KindCASMailbox
	case "mailbox":
		return KindMailbox
	case "activesyncorganizationsettings":
		return KindOrgSettings
	}
	return KindInvalid
}

// Property names that hint a kind, keyed by their exact and lower-case
// spellings (the exact one avoids a lower-casing allocation per property).
const (
	hintDeviceID = iota + 1
	hintDevice
	hintEAS
	hintMailbox
	hintOrg
)

var kindHints = func() map[string]int {
	m := map[string]int{}
	add := func(h int, names ...string) {
		for _, n := range names {
			m[n] = h
			m[strings.ToLower(n)] = h
		}
	}
	add(hintDeviceID, "DeviceID")
	add(hintDevice, "DeviceAccessState", "LastSuccessSync", "FirstSyncTime", "DeviceType", "DeviceUserAgent", "DeviceModel", "LastSyncAttemptTime")
	add(hintEAS, "ActiveSyncEnabled", "HasActiveSyncDevicePartnership", "ActiveSyncMailboxPolicy", "ActiveSyncAllowedDeviceIDs", "ActiveSyncBlockedDeviceIDs")
	add(hintMailbox, "EmailAddresses", "UserPrincipalName", "PrimarySmtpAddress")
	add(hintOrg, "DefaultAccessLevel")
	return m
}()

func kindFromProps(props []Prop) Kind {
	var deviceID, deviceHint, eas, mailboxHint, orgHint bool
	for i := range props {
		h := lookupFold(kindHints, props[i].Name)
		switch h {
		case hintDeviceID:
			deviceID = true
		case hintDevice:
			deviceHint = true
		case hintEAS:
			eas = true
		case hintMailbox:
			mailboxHint = true
		case hintOrg:
			orgHint = true
		}
	}
	switch {
	case deviceID && deviceHint:
		return KindDeviceStats
	case orgHint:
		return KindOrgSettings
	case eas:
		return KindCASMailbox
	case mailboxHint:
		return KindMailbox
	case deviceID:
		return KindDeviceStats
	}
	return KindGeneric
}

// Canonical spellings of the enum values domain.md lists.
var enumValues = func() map[string]string {
	m := map[string]string{}
	for _, s := range []string{
		// Status
		"DeviceOk", "DeviceBlocked", "DeviceWipePending", "DeviceWipeSucceeded",
		// DeviceAccessState
		"Allowed", "Blocked", "Quarantined", "DeviceDiscovery", "Unknown",
		// DeviceAccessStateReason
		"Global", "Individual", "DeviceRule", "Upgrade", "Policy", "UserAgentsChanges",
		"RecentCommands", "Watsons", "OutOfBudgets", "SyncCommands", "EnableNotificationEmail",
		"CommandFrequency", "ExternallyManaged", "ExternalCompliance", "ExternalEnrollment",
		// DefaultAccessLevel
		"Allow", "Block", "Quarantine",
	} {
		m[strings.ToLower(s)] = s
	}
	return m
}()

// Enum returns an enumeration value (DeviceAccessState,
// DeviceAccessStateReason, Status, DefaultAccessLevel...) in its canonical
// spelling ("quarantined" → "Quarantined"). Values not in the known lists
// are returned trimmed but otherwise unchanged. ok is false when the
// property is missing, null, unknown or empty.
func (r *Record) Enum(name string) (string, bool) {
	v, found := r.Get(name)
	if !found || v.Null || v.Unknown {
		return "", false
	}
	s := strings.TrimSpace(v.Raw)
	if s == "" || strings.ContainsRune(s, utf8.RuneError) {
		return "", false // a value cut inside a character (a torn export) names nothing
	}
	if c, ok := enumValues[strings.ToLower(s)]; ok {
		return c, true
	}
	return s, true
}

// parseCollection interprets Format-List collection syntax: "{}" empty,
// "{a, b}", "{a, b, c, d...}" truncated by $FormatEnumerationLimit. Items
// are split on ", "; an element that itself contains ", " cannot be told
// apart and is split too (Raw keeps the exact text).
func parseCollection(v *Value) {
	s := strings.TrimSpace(v.Raw)
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return
	}
	inner := s[1 : len(s)-1]
	v.IsList = true
	v.Items = []string{}
	switch {
	case strings.HasSuffix(inner, "..."):
		v.Truncated = true
		inner = inner[:len(inner)-3]
	case strings.HasSuffix(inner, "…"):
		v.Truncated = true
		inner = inner[:len(inner)-len("…")]
	}
	if strings.TrimSpace(inner) == "" {
		return
	}
	for _, it := range strings.Split(inner, ", ") {
		if it = strings.TrimSpace(it); it != "" {
			v.Items = append(v.Items, it)
		}
	}
}

// isDotNetTypeName reports whether s is what Export-Csv writes for a
// multi-valued property: the type name of the collection instead of its
// elements.
func isDotNetTypeName(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, " \t@:/\\") {
		return false
	}
	if !strings.HasPrefix(s, "System.") && !strings.HasPrefix(s, "Microsoft.") && !strings.HasPrefix(s, "Deserialized.") {
		return false
	}
	return strings.Contains(s, "`") || strings.HasSuffix(s, "[]") ||
		strings.Contains(s, "Collection") || strings.Contains(s, "MultiValuedProperty") ||
		strings.HasSuffix(s, "ArrayList") || strings.HasSuffix(s, "Hashtable")
}

// lookupFold looks name up in m (whose keys include the lower-case
// spellings) without allocating for names up to 64 bytes.
func lookupFold(m map[string]int, name string) int {
	if h, ok := m[name]; ok {
		return h
	}
	var buf [64]byte
	if len(name) > len(buf) {
		return m[strings.ToLower(name)]
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return m[string(buf[:len(name)])]
}
