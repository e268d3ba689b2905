package redact

// Identifiers recognised by their shape in free text, whether or not the
// exports taught them (issue 20 point 5). Each is numbered in the same
// kind as its learned form, so an ID seen in an export and in a log
// message gets one pseudonym. What is recognised, and what is kept on
// purpose, is listed in README ("What --redact promises").

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"
)

// shapeToken returns the pseudonym of a single token whose shape alone
// says it is an identifier: a domain SID, a device ID (Appl…, androidc…,
// 32 hex digits, a 15-digit IMEI) or an upper-case NetBIOS host name with
// a dash and a number (MBX-FAB-03). Callers hold mu.
func (r *Redactor) shapeToken(tok, lower string) (string, bool) {
	switch {
	case domainSID(lower):
		return fmt.Sprintf("sid-%04d", r.number(kindSID, lower)), true
	case deviceShape(tok):
		return fmt.Sprintf("device-%04d", r.number(kindDevice, lower)), true
	case netbiosShape(tok):
		return fmt.Sprintf("host-%02d", r.number(kindHost, lower)), true
	}
	return "", false
}

// domainSID: S-1-5-21-a-b-c, with or without the RID. Well-known SIDs
// (S-1-5-18, S-1-5-32-544) name no one and are kept.
func domainSID(lower string) bool {
	rest, ok := strings.CutPrefix(lower, "s-1-5-21-")
	if !ok {
		return false
	}
	parts := strings.Split(rest, "-")
	if len(parts) < 3 || len(parts) > 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || !allDigits(p) {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return s != ""
}

// deviceShape: the Exchange ActiveSync device IDs iOS (Appl + serial,
// upper case) and the Gmail app (androidc + digits) send, 32 hex digits
// (Outlook, Windows, most others; a GUID written without dashes looks
// the same and is redacted too), and IMEIs (15 digits, Luhn check).
func deviceShape(tok string) bool {
	if rest, ok := strings.CutPrefix(tok, "Appl"); ok && len(rest) >= 8 && strings.IndexFunc(rest, func(c rune) bool {
		return !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')
	}) < 0 && strings.ContainsAny(rest, "0123456789") {
		return true
	}
	if rest, ok := strings.CutPrefix(strings.ToLower(tok), "androidc"); ok && len(rest) >= 6 && allDigits(rest) {
		return true
	}
	if len(tok) == 32 && allHex(tok) && !allDigits(tok) {
		return true
	}
	return len(tok) == 15 && allDigits(tok) && luhn(tok)
}

func luhn(d string) bool {
	sum := 0
	for i := 0; i < len(d); i++ {
		n := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

// technical are first parts of upper-case dashed tokens that are
// standards or time offsets, not hosts (UTF-16, ISO-8859-1, SHA-256, TLS-1, KB-5001234, UTC-07).
var technical = map[string]bool{"UTF": true, "ISO": true, "SHA": true, "AES": true, "RSA": true, "TLS": true, "SSL": true,
	"RFC": true, "CP": true, "KB": true, "MS": true, "X": true, "HTTP": true, "HTTPS": true, "IPV4": true, "IPV6": true,
	"WIN32": true, "X509": true, "DES": true, "MD5": true, "CVE": true, "EC": true, "P": true, "ECDSA": true, "ECDHE": true,
	"DHE": true, "HMAC": true, "CRC": true, "IEEE": true, "ANSI": true, "EAS": true, "ASCII": true, "UCS": true,
	"UTC": true, "GMT": true} // UTC-07, GMT-08: offsets, not hosts

// netbiosShape: an upper-case host name with a dash that ends in digits
// (MBX-FAB-03, EXCH-01, WIN-7K2J9Q1M4): at most 15 characters, letters in
// its first part, not a GUID, not a standard's name.
func netbiosShape(tok string) bool {
	if len(tok) < 4 || len(tok) > 15 || !strings.Contains(tok, "-") {
		return false
	}
	letters := 0
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		switch {
		case c >= 'A' && c <= 'Z':
			letters++
		case c >= '0' && c <= '9', c == '-':
		default:
			return false
		}
	}
	first, _, _ := strings.Cut(tok, "-")
	last := tok[strings.LastIndexByte(tok, '-')+1:]
	if letters < 2 || technical[first] || first == "" || allDigits(first) || last == "" {
		return false
	}
	c := tok[len(tok)-1]
	return c >= '0' && c <= '9'
}

// wellKnownDomains are the account domains of Windows itself: NT
// AUTHORITY\SYSTEM, BUILTIN\Administrators, NT SERVICE\…, registry hives.
var wellKnownDomains = map[string]bool{"authority": true, "builtin": true, "service": true, "apppool": true, "hklm": true,
	"hkcu": true, "hkey_local_machine": true, "hkey_current_user": true, "hkey_users": true, "hku": true, "hkcr": true,
	"window manager": true, "font driver host": true, "workgroup": true}

// accountAt recognises DOMAIN\user at the start of s (the caller is at a
// token start not preceded by '\' or ':'): the domain an upper-case
// NetBIOS name (or a learned domain label), the user one token not
// followed by another '\' (that would be a path). It returns the length
// consumed and the pseudonyms, or 0.
func (r *Redactor) accountAt(s string) (int, string) {
	d := 0
	for d < len(s) && d <= 15 {
		c := s[d]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			break
		}
		d++
	}
	if d == 0 || d >= len(s) || s[d] != '\\' {
		return 0, ""
	}
	dom := s[:d]
	ldom := strings.ToLower(dom)
	_, learned := r.nums[kindDomain][ldom]
	if wellKnownDomains[ldom] || !learned && (strings.ToUpper(dom) != dom || allDigits(dom)) {
		return 0, ""
	}
	u := d + 1
	for u < len(s) {
		c, size := utf8.DecodeRuneInString(s[u:])
		if !isWord(c) {
			break
		}
		u += size
	}
	user := strings.TrimRight(s[d+1:u], ".-_")
	u = d + 1 + len(user)
	if user == "" || u < len(s) && (s[u] == '\\' || s[u] == '/' || s[u] == ':') {
		return 0, ""
	}
	luser := strings.ToLower(user)
	if !learnable(luser) {
		return 0, ""
	}
	dp := r.domainLabelPseudo(ldom)
	if out, ok := r.known(luser); ok {
		return u, dp + `\` + out
	}
	return u, dp + `\` + fmt.Sprintf("user-%04d", r.number(kindUser, luser))
}

// domainLabelPseudo returns the pseudonym of a domain's first label or
// NetBIOS name (domain-NN), learning it.
func (r *Redactor) domainLabelPseudo(label string) string {
	if n, ok := r.nums[kindDomain][label]; ok {
		return fmt.Sprintf("domain-%02d", n)
	}
	return fmt.Sprintf("domain-%02d", r.number(kindDomain, label))
}

// uncHostAt recognises the host of \\HOST\share at the start of s; before
// is the text before it, which must end in two backslashes.
func (r *Redactor) uncHostAt(before, s string) (int, string) {
	if !strings.HasSuffix(before, `\\`) || strings.HasSuffix(before, `\\\`) {
		return 0, ""
	}
	n := 0
	for n < len(s) {
		c, size := utf8.DecodeRuneInString(s[n:])
		if !isWord(c) {
			break
		}
		n += size
	}
	host := strings.TrimRight(s[:n], ".")
	if host == "" || host == "?" || host == "." {
		return 0, ""
	}
	lower := strings.ToLower(host)
	if _, err := netip.ParseAddr(lower); err == nil {
		return len(host), r.ipPseudo(lower)
	}
	if !learnable(strings.SplitN(lower, ".", 2)[0]) {
		return 0, ""
	}
	r.learnHost(host)
	return len(host), r.token(host)
}

// dnContainers are RDN values of directory containers, not of people.
var dnContainers = map[string]bool{"users": true, "computers": true, "builtin": true, "exchangeactivesyncdevices": true,
	"microsoft exchange": true, "configuration": true, "services": true, "system": true, "program data": true,
	"microsoft exchange system objects": true, "monitoring mailboxes": true, "administrative groups": true,
	"exchange administrative group (fydibohf23spdlt)": true, "servers": true, "recipients": true, "schema": true,
	"managed service accounts": true, "foreignsecurityprincipals": true, "domain controllers": true}

// rdnAt recognises CN=value or DC=value at the start of s (an LDAP
// distinguished name in free text): a CN is a person, device or server
// unless it names a well-known container; a DC is a domain label. OU
// values (departments, sites) are kept. It returns the length consumed
// and the replacement, or 0.
func (r *Redactor) rdnAt(s string) (int, string) {
	if len(s) < 4 || s[2] != '=' {
		return 0, ""
	}
	attr := strings.ToUpper(s[:2])
	if attr != "CN" && attr != "DC" {
		return 0, ""
	}
	end := 3
	for end < len(s) {
		c := s[end]
		if c == '\\' && end+1 < len(s) {
			end += 2
			continue
		}
		if c == ',' || c == '+' || c == ';' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\r' || c == '\n' || c == '/' {
			break
		}
		end++
	}
	val := strings.TrimSpace(s[3:end])
	lower := strings.ToLower(val)
	if val == "" || dnContainers[lower] || !learnable(lower) {
		return 0, ""
	}
	if attr == "DC" {
		return end, s[:3] + r.domainLabelPseudo(lower)
	}
	if out, ok := r.known(lower); ok {
		return end, s[:3] + out
	}
	if isToken(val) {
		if out, ok := r.shapeToken(val, lower); ok {
			return end, s[:3] + out
		}
	}
	if _, ok := r.nums[kindName][lower]; !ok {
		r.learnName(val, 0)
	}
	if n, ok := r.nums[kindName][lower]; ok {
		return end, s[:3] + fmt.Sprintf("User %04d", n)
	}
	return 0, ""
}

// phoneAt recognises an international phone number at the start of s:
// '+', then 8 to 15 digits in groups separated by one space, dash, dot or
// parentheses (+1 425 555 0134, +44 (0)20 7946 0018, +4930123456).
func (r *Redactor) phoneAt(s string) (int, string) {
	if len(s) < 2 || s[0] != '+' || s[1] < '0' || s[1] > '9' {
		return 0, ""
	}
	var digits []byte
	n, end := 1, 0
	sep := false
	for n < len(s) {
		c := s[n]
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
			sep = false
			n++
			end = n
			continue
		case (c == ' ' || c == '-' || c == '.') && !sep:
			sep = true
			n++
			continue
		case c == '(' || c == ')':
			n++
			continue
		}
		break
	}
	if len(digits) < 8 || len(digits) > 15 {
		return 0, ""
	}
	if end < len(s) {
		if c, _ := utf8.DecodeRuneInString(s[end:]); isWord(c) && c != '.' && c != '-' {
			return 0, ""
		}
	}
	return end, fmt.Sprintf("phone-%04d", r.number(kindPhone, string(digits)))
}

// encodedEmailAt recognises the address local%40domain (URL-encoded, as
// in a query string) at the start of s; tok is the local part already
// scanned, end its length.
func (r *Redactor) encodedEmailAt(s string, end int) (int, string) {
	if end+3 >= len(s) || !strings.EqualFold(s[end:end+3], "%40") {
		return 0, ""
	}
	local := strings.ToLower(strings.Trim(s[:end], ".-_"))
	if local == "" || strings.Contains(local, "@") {
		return 0, ""
	}
	rest := strings.ToLower(s[end+3:])
	n := r.emailDomainLen(rest)
	if n == 0 {
		return 0, ""
	}
	domain := rest[:n]
	if strings.HasSuffix(domain, ".example") && strings.HasPrefix(local, "user-") {
		return end + 3 + n, s[:end+3+n]
	}
	r.learnDomain(domain)
	return end + 3 + n, fmt.Sprintf("user-%04d%s%s", r.number(kindUser, local), s[end:end+3], r.domainPseudo(domain))
}

// structuredAt tries the identifiers that span several tokens or depend
// on what precedes them, at a token start: an LDAP RDN (CN=Tom Hanks),
// the host of a UNC path (\\FILESRV07\share) and DOMAIN\user.
func (r *Redactor) structuredAt(before, s string) (int, string) {
	if n, out := r.rdnAt(s); n > 0 {
		return n, out
	}
	if n, out := r.uncHostAt(before, s); n > 0 {
		return n, out
	}
	if before == "" || !strings.HasSuffix(before, `\`) && !strings.HasSuffix(before, ":") && !strings.HasSuffix(before, "/") {
		return r.accountAt(s)
	}
	return 0, ""
}
