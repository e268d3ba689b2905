// Package redact replaces personal and customer identifiers in a finished
// report with consistent pseudonyms, so a report can be shared without
// leaking users: user principal names and SMTP addresses become
// user-0007@domain-02.example, display names "User 0007", device IDs and
// IMEIs device-0012, phone numbers phone-0003, computer and server names
// host-03 (the NetBIOS and FQDN forms of one host map alike), IPv4
// addresses 192.0.2.x (then 198.51.100.x, 203.0.113.x), IPv6 addresses
// 2001:db8::x and domain names domain-02.example.
//
// How identifiers are found (the contract with analyze): the analysis
// runs on the real data, so joins and findings are unchanged; the
// Redactor learns identifiers while it runs — LearnRecord sees every
// exported object (UPN, SMTP addresses, aliases, display names, device
// IDs, IMEIs, phone numbers, server names) and LearnEvent every event's
// computer name — and Report then learns the report's own hosts, CAS
// servers and users before rewriting every free-text field. Besides
// what was learned, e-mail addresses, IP addresses and host names under a
// known top-level domain are recognised by shape and redacted even when
// never learned. Public vendor domains (microsoft.com, w3.org, ...) are
// kept so documentation links still work. GUIDs (command and activity
// IDs) are not personal and are kept.
//
// Matching is by whole token (letters, digits and . - _ @ $), case
// insensitive; multi-word names match at token boundaries. A second pass
// splits tokens at . - _ so that learned names inside file names
// ("jnunez-export.csv") are caught too.
//
// The mapping is the only way back to the real names: WriteMap writes it
// (the caller must keep it private) and ReadMap reloads it so the next
// bundle of the same customer gets the same pseudonyms.
//
// A Redactor is safe for concurrent use.
package redact

import (
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"os"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"exlog/event"
	"exlog/parse/pscmdlet"
)

// MapSchema names the mapping file format.
const MapSchema = "exlog.redact-map/v1"

// Kinds of identifier; each has its own numbering.
const (
	kindUser   = "users"   // local parts, aliases, SAM names; display names share the number
	kindName   = "names"   // display names (value: the user number)
	kindDomain = "domains" // DNS domains and their first label
	kindHost   = "hosts"   // NetBIOS names and first labels of FQDNs
	kindDevice = "devices" // device IDs, IMEIs (friendly names share the number)
	kindPhone  = "phones"
	kindIPv4   = "ipv4"
	kindIPv6   = "ipv6"
	kindSID    = "sids" // Windows domain SIDs (S-1-5-21-…)
)

var kinds = []string{kindUser, kindName, kindDomain, kindHost, kindDevice, kindPhone, kindIPv4, kindIPv6, kindSID}

// Redactor holds the mapping of one run (or of one customer, when
// reloaded). The zero value is not usable: call New or ReadMap.
type Redactor struct {
	mu sync.Mutex
	// nums maps kind → lower-cased original → pseudonym number.
	nums map[string]map[string]int
	next map[string]int
	// names: display names and friendly names, keyed by the lower-cased
	// first token, longest first: matched before tokens are classified.
	multi map[string][]multiWord
	// lastHost avoids relearning the same computer name per event.
	lastHost string
}

type multiWord struct {
	text   string // original, as learned
	pseudo string
}

// New returns an empty Redactor.
func New() *Redactor {
	r := &Redactor{nums: map[string]map[string]int{}, next: map[string]int{}, multi: map[string][]multiWord{}}
	for _, k := range kinds {
		r.nums[k] = map[string]int{}
	}
	return r
}

// mapFile is the JSON form of the mapping.
type mapFile struct {
	Schema  string                    `json:"schema"`
	Warning string                    `json:"warning"`
	Map     map[string]map[string]int `json:"map"`
	// Names keeps display names with their original case (Map holds them
	// lower-cased).
	Names      []string          `json:"names,omitempty"`
	NameDevice map[string]string `json:"-"`
}

// PrivateWarning is what the caller tells the user when it writes the map.
const PrivateWarning = "this file maps the pseudonyms of a redacted exlog report back to real user, device and server names: keep it private and never share it with the report"

// ReadMap loads a mapping written by WriteMap.
func ReadMap(rd io.Reader) (*Redactor, error) {
	var mf struct {
		Schema string                    `json:"schema"`
		Map    map[string]map[string]int `json:"map"`
		Names  []string                  `json:"names"`
	}
	if err := json.NewDecoder(rd).Decode(&mf); err != nil {
		return nil, fmt.Errorf("redaction map: %w", err)
	}
	if mf.Schema != MapSchema {
		return nil, fmt.Errorf("redaction map: schema %q, want %q", mf.Schema, MapSchema)
	}
	r := New()
	for k, m := range mf.Map {
		if r.nums[k] == nil {
			return nil, fmt.Errorf("redaction map: unknown kind %q", k)
		}
		for orig, n := range m {
			if n <= 0 {
				return nil, fmt.Errorf("redaction map: %s %q has number %d", k, orig, n)
			}
			r.nums[k][orig] = n
			counter := k
			if k == kindName {
				counter = kindUser
			}
			if n > r.next[counter] {
				r.next[counter] = n
			}
		}
	}
	for _, name := range mf.Names {
		if n, ok := r.nums[kindName][strings.ToLower(name)]; ok {
			r.addMulti(name, fmt.Sprintf("User %04d", n))
		}
	}
	return r, nil
}

// ReadMapFile loads the mapping at path; a missing file gives an empty
// Redactor (the first bundle of a customer).
func ReadMapFile(path string) (*Redactor, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return New(), nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := ReadMap(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// WriteMap writes the mapping as JSON. The output must be kept private.
func (r *Redactor) WriteMap(w io.Writer) error {
	r.mu.Lock()
	mf := mapFile{Schema: MapSchema, Warning: PrivateWarning, Map: r.nums}
	for _, list := range r.multi {
		for _, m := range list {
			if strings.HasPrefix(m.pseudo, "User ") {
				mf.Names = append(mf.Names, m.text)
			}
		}
	}
	sort.Strings(mf.Names)
	b, err := json.MarshalIndent(mf, "", "  ")
	r.mu.Unlock()
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// WriteMapFile writes the mapping to path, readable by the owner only
// (mode 0600 on Unix; on Windows the file inherits the folder's ACL).
func (r *Redactor) WriteMapFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil && !isUnsupported(err) {
		f.Close()
		return err
	}
	if err := r.WriteMap(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func isUnsupported(err error) bool {
	return err != nil && strings.Contains(err.Error(), "not supported")
}

// Originals lists every learned original value (lower case for most
// kinds), for tests that check none survives.
func (r *Redactor) Originals() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, k := range kinds {
		for o := range r.nums[k] {
			out = append(out, o)
		}
	}
	sort.Strings(out)
	return out
}

// number returns the pseudonym number of orig (lower-cased) in kind,
// allocating one. Callers hold mu.
func (r *Redactor) number(kind, key string) int {
	if n, ok := r.nums[kind][key]; ok {
		return n
	}
	counter := kind
	if kind == kindName {
		counter = kindUser
	}
	r.next[counter]++
	n := r.next[counter]
	r.nums[kind][key] = n
	return n
}

// reserved are tokens never learned: they are the words of pseudonyms, or
// too common to replace everywhere.
var reserved = map[string]bool{"user": true, "users": true, "host": true, "device": true, "domain": true, "example": true, "phone": true,
	"localhost": true, "local": true, "com": true, "net": true, "org": true, "mail": true, "exchange": true, "default": true,
	"administrator": true, "admin": true, "system": true, "true": true, "false": true, "null": true, "none": true, "unknown": true}

func learnable(key string) bool {
	if utf8.RuneCountInString(key) < 3 || reserved[key] {
		return false
	}
	digits := true
	for _, c := range key {
		if c < '0' || c > '9' {
			digits = false
			break
		}
	}
	return !digits || len(key) >= 6 // IMEIs and phone digits, not small numbers
}

// LearnHost records a computer name, NetBIOS or FQDN.
func (r *Redactor) LearnHost(name string) {
	name = strings.TrimSpace(name)
	if name == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.learnHost(name)
}

func (r *Redactor) learnHost(name string) {
	name = strings.ToLower(strings.Trim(name, ". "))
	if _, err := netip.ParseAddr(name); err == nil {
		r.ipPseudo(name)
		return
	}
	label, rest, dotted := strings.Cut(name, ".")
	if dotted && rest != "" {
		r.learnDomain(rest)
	}
	if learnable(label) && isToken(label) {
		r.number(kindHost, label)
	}
}

// LearnEmail records a UPN or SMTP address (an "smtp:" prefix is removed).
func (r *Redactor) LearnEmail(addr string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.learnEmail(addr)
}

// learnEmail returns the user number, or 0 if addr is no address.
func (r *Redactor) learnEmail(addr string) int {
	addr = strings.ToLower(strings.TrimSpace(addr))
	if i := strings.IndexByte(addr, ':'); i >= 0 && i < 6 {
		addr = addr[i+1:] // smtp:, SMTP:, sip:
	}
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || !isToken(local) || !isToken(domain) {
		return 0
	}
	r.learnDomain(domain)
	return r.number(kindUser, local)
}

// learnDomain records a DNS domain and, for a customer's domain, its
// first label ("contoso" of contoso.com), which Active Directory and
// X.500 names use alone.
func (r *Redactor) learnDomain(d string) {
	d = strings.ToLower(strings.Trim(d, ". "))
	if d == "" || publicDomain(d) || !strings.Contains(d, ".") {
		return
	}
	label, _, _ := strings.Cut(d, ".")
	if _, known := r.nums[kindDomain][d]; !known && learnable(label) {
		if ln, ok := r.nums[kindDomain][label]; ok && !r.dottedDomain(ln) {
			// FABRIKAM\user or DC=fabrikam was seen first: fabrikam.local
			// shares its number (unless another DNS name has it already:
			// contoso.com and contoso.mail.onmicrosoft.com stay apart).
			r.nums[kindDomain][d] = ln
		}
	}
	n := r.number(kindDomain, d)
	if learnable(label) {
		if _, ok := r.nums[kindDomain][label]; !ok {
			r.nums[kindDomain][label] = n
		}
	}
}

// dottedDomain reports whether a DNS name (not a bare label) has the
// domain number n. Callers hold mu.
func (r *Redactor) dottedDomain(n int) bool {
	for d, m := range r.nums[kindDomain] {
		if m == n && strings.Contains(d, ".") {
			return true
		}
	}
	return false
}

// LearnName records a display name for user number user (0: a new user).
func (r *Redactor) LearnName(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.learnName(name, 0)
}

func (r *Redactor) learnName(name string, user int) {
	name = strings.TrimSpace(name)
	key := strings.ToLower(name)
	if !learnable(key) || strings.Contains(key, "@") {
		return
	}
	if _, ok := r.nums[kindName][key]; ok {
		return
	}
	if user == 0 {
		user = r.number(kindName, key)
	} else {
		r.nums[kindName][key] = user
	}
	r.addMulti(name, fmt.Sprintf("User %04d", user))
	if !strings.ContainsAny(name, " \t") && isToken(key) {
		// A one-word name is also a token.
		if _, ok := r.nums[kindUser][key]; !ok {
			r.nums[kindUser][key] = user
		}
	}
}

func (r *Redactor) addMulti(text, pseudo string) {
	first := firstToken(text)
	if first == "" {
		return
	}
	list := r.multi[first]
	for _, m := range list {
		if strings.EqualFold(m.text, text) {
			return
		}
	}
	list = append(list, multiWord{text: text, pseudo: pseudo})
	sort.SliceStable(list, func(i, j int) bool { return len(list[i].text) > len(list[j].text) })
	r.multi[first] = list
}

// LearnDevice records a device ID or IMEI.
func (r *Redactor) LearnDevice(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.learnDevice(id)
}

func (r *Redactor) learnDevice(id string) int {
	key := strings.ToLower(strings.TrimSpace(id))
	if !learnable(key) || !isToken(key) {
		return 0
	}
	return r.number(kindDevice, key)
}

// LearnPhone records a phone number (matched in text by its exact
// spelling, and by its digits when written without separators).
func (r *Redactor) LearnPhone(p string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.learnPhone(p)
}

func (r *Redactor) learnPhone(p string) {
	p = strings.TrimLeft(strings.TrimSpace(p), "+")
	var digits strings.Builder
	for _, c := range p {
		if c >= '0' && c <= '9' {
			digits.WriteRune(c)
		}
	}
	if digits.Len() < 6 {
		return
	}
	n := r.number(kindPhone, digits.String())
	pseudo := fmt.Sprintf("phone-%04d", n)
	if p != digits.String() {
		r.addMulti(p, pseudo)
	}
}

// LearnEvent records the event's computer name. It is cheap enough to
// call for every event of a run.
func (r *Redactor) LearnEvent(e *event.Event) {
	if e.Host == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.Host == r.lastHost {
		return
	}
	r.lastHost = e.Host
	r.learnHost(e.Host)
}

// LearnRecord records the identifiers of one exported object: addresses,
// aliases, display names, the user part of its Identity, device IDs,
// IMEIs, phone numbers and server names.
func (r *Redactor) LearnRecord(rec *pscmdlet.Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	user := 0
	get := func(name string) (pscmdlet.Value, bool) { return rec.Get(name) }
	for _, p := range []string{"UserPrincipalName", "PrimarySmtpAddress", "WindowsEmailAddress", "ExternalEmailAddress"} {
		if v, ok := get(p); ok {
			if n := r.learnEmail(v.Raw); n != 0 && user == 0 {
				user = n
			}
		}
	}
	if v, ok := get("EmailAddresses"); ok {
		items := v.Items
		if !v.IsList {
			items = strings.FieldsFunc(strings.Trim(v.Raw, "{}"), func(c rune) bool { return c == ',' || c == ' ' })
		}
		for _, it := range items {
			r.learnEmail(it)
		}
	}
	for _, p := range []string{"Alias", "SamAccountName"} {
		if v, ok := get(p); ok {
			key := strings.ToLower(strings.TrimSpace(v.Raw))
			if learnable(key) && isToken(key) {
				if user == 0 {
					user = r.number(kindUser, key)
				} else if _, ok := r.nums[kindUser][key]; !ok {
					r.nums[kindUser][key] = user
				}
			}
		}
	}
	isDevice := rec.Kind == pscmdlet.KindDeviceStats
	if v, ok := get("Identity"); ok {
		// contoso.com/Users/Zoë Müller[/ExchangeActiveSyncDevices/Type§ID]
		segs := strings.Split(v.Raw, "/")
		for i, s := range segs {
			if strings.EqualFold(s, "ExchangeActiveSyncDevices") || strings.EqualFold(s, "MobileDevices") {
				if i > 0 {
					r.learnName(segs[i-1], user)
				}
				if i+1 < len(segs) {
					if _, id, ok := strings.Cut(segs[i+1], "§"); ok {
						r.learnDevice(id)
					}
				}
				isDevice = true
				break
			}
		}
		if !isDevice && len(segs) > 1 {
			r.learnName(segs[len(segs)-1], user)
		}
		if len(segs) > 0 && strings.Contains(segs[0], ".") {
			r.learnDomain(segs[0])
		}
	}
	for _, p := range []string{"DisplayName", "Name"} {
		if v, ok := get(p); ok && !isDevice {
			r.learnName(v.Raw, user)
		}
	}
	if v, ok := get("DistinguishedName"); ok {
		if cn, ok := strings.CutPrefix(v.Raw, "CN="); ok {
			cn, _, _ = strings.Cut(cn, ",")
			if !isDevice {
				r.learnName(cn, user)
			}
		}
	}
	dev := 0
	for _, p := range []string{"DeviceId", "DeviceID", "DeviceImei", "DeviceIMEI"} {
		if v, ok := get(p); ok {
			if n := r.learnDevice(v.Raw); n != 0 && dev == 0 {
				dev = n
			}
		}
	}
	if v, ok := get("DeviceFriendlyName"); ok && dev != 0 && strings.TrimSpace(v.Raw) != "" {
		r.addMulti(strings.TrimSpace(v.Raw), fmt.Sprintf("device-%04d name", dev))
	}
	if v, ok := get("DevicePhoneNumber"); ok {
		r.learnPhone(v.Raw)
	}
	for _, p := range []string{"ServerName", "OriginatingServer", "Server", "ComputerName"} {
		if v, ok := get(p); ok {
			r.learnHost(v.Raw)
		}
	}
}

func isWord(c rune) bool {
	return unicode.IsLetter(c) || unicode.IsDigit(c) || c == '.' || c == '-' || c == '_' || c == '@' || c == '$'
}

func isToken(s string) bool {
	for _, c := range s {
		if !isWord(c) {
			return false
		}
	}
	return s != ""
}

func firstToken(s string) string {
	s = strings.TrimLeftFunc(s, func(c rune) bool { return !isWord(c) })
	end := strings.IndexFunc(s, func(c rune) bool { return !isWord(c) })
	if end >= 0 {
		s = s[:end]
	}
	return strings.ToLower(strings.TrimRight(s, ".-_"))
}

// publicDomains are vendor and standards domains that identify nobody;
// they (and their subdomains) are kept so documentation links work.
var publicDomains = []string{"microsoft.com", "microsoftonline.com", "windows.net", "windows.com", "office.com", "office365.com",
	"outlook.com", "live.com", "azure.com", "azure.net", "msftauth.net", "msauth.net", "w3.org", "xmlsoap.org", "digicert.com",
	"example", "example.com", "example.org", "example.net", "github.com", "elastic.co"}

func publicDomain(d string) bool {
	for _, p := range publicDomains {
		if d == p || strings.HasSuffix(d, "."+p) {
			return true
		}
	}
	return false
}

// tlds are the top-level domains that make an unknown dotted token a
// host or domain name. File extensions that are also TLDs (zip, log, ...)
// are deliberately absent.
var tlds = map[string]bool{"com": true, "net": true, "org": true, "local": true, "lan": true, "corp": true, "internal": true,
	"intra": true, "int": true, "edu": true, "gov": true, "mil": true, "biz": true, "info": true, "io": true, "cloud": true,
	"de": true, "uk": true, "fr": true, "nl": true, "be": true, "ch": true, "at": true, "it": true, "es": true, "pt": true,
	"se": true, "no": true, "dk": true, "fi": true, "pl": true, "cz": true, "ie": true, "eu": true, "us": true, "ca": true,
	"au": true, "nz": true, "jp": true, "cn": true, "in": true, "br": true, "mx": true, "za": true, "ru": true, "tr": true,
	"ad": true, "home": true, "private": true}

// domainLike reports whether a dotted lower-case token is a DNS name.
func (r *Redactor) domainLike(t string) bool {
	if publicDomain(t) {
		return false
	}
	i := strings.LastIndexByte(t, '.')
	if i <= 0 || i == len(t)-1 {
		return false
	}
	if tlds[t[i+1:]] {
		return true
	}
	for d := t; ; {
		if _, ok := r.nums[kindDomain][d]; ok && strings.Contains(d, ".") {
			return true
		}
		_, rest, ok := strings.Cut(d, ".")
		if !ok {
			return false
		}
		d = rest
	}
}
