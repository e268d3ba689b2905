package redact

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"

	"exlog/event"
	"exlog/report"
)

// String returns s with every identifier replaced by its pseudonym,
// allocating pseudonyms for addresses and DNS names seen for the first
// time.
func (r *Redactor) String(s string) string {
	if s == "" {
		return s
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.settled(s)
}

// size is the number of learned originals; callers hold mu.
func (r *Redactor) size() int {
	n := 0
	for _, m := range r.nums {
		n += len(m)
	}
	return n
}

// settled rewrites s again while doing so taught the Redactor something
// (a domain seen late in s makes its bare label earlier in s known), so
// the result does not depend on what was learned first.
func (r *Redactor) settled(s string) string {
	out := r.rewrite(s)
	for i := 0; i < 3; i++ {
		before := r.size()
		again := r.rewrite(s)
		if r.size() == before && again == out {
			break
		}
		out = again
	}
	return out
}

// rewrite is String without the lock.
func (r *Redactor) rewrite(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	prevWord := false
	for i := 0; i < len(s); {
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == '+' && !prevWord {
			if n, out := r.phoneAt(s[i:]); n > 0 {
				b.WriteString(out)
				i += n
				continue
			}
		}
		if prevWord || !(isWord(c) || c == ':') {
			b.WriteString(s[i : i+size])
			prevWord = isWord(c)
			i += size
			continue
		}
		// At a token start.
		if n, out := r.ipv6At(s[i:]); n > 0 {
			b.WriteString(out)
			i += n
			prevWord = false
			continue
		}
		if c == ':' {
			b.WriteByte(':')
			i++
			continue
		}
		if n, out := r.multiAt(s[i:]); n > 0 {
			b.WriteString(out)
			i += n
			prevWord = false
			continue
		}
		if n, out := r.structuredAt(s[:i], s[i:]); n > 0 {
			b.WriteString(out)
			i += n
			prevWord = false
			continue
		}
		end := i
		for end < len(s) {
			c, size := utf8.DecodeRuneInString(s[end:])
			if !isWord(c) {
				break
			}
			end += size
		}
		tok := s[i:end]
		if n, out := r.encodedEmailAt(s[i:], end-i); n > 0 {
			b.WriteString(out)
			i += n
			prevWord = false
			continue
		}
		lead := tok[:len(tok)-len(strings.TrimLeft(tok, ".-_"))]
		core := strings.Trim(tok, ".-_")
		if strings.HasSuffix(tok, "-") && strings.HasPrefix(s[end:], "<n>") && netbiosShape(core+"-0") {
			// "MBX-FAB-<n>" in an unmatched-error template: the
			// host's number became a placeholder, its name must go too.
			b.WriteString(lead + "host-")
			i = end
			prevWord = false
			continue
		}
		if versionBefore(s[:i]) && isDottedNumbers(core) {
			b.WriteString(tok) // "Version: 19.22.3.1" is a build number, not an address
			i = end
			continue
		}
		b.WriteString(lead)
		if j := strings.LastIndexByte(core, '.'); j > 0 && strings.HasPrefix(s[end:], "…") {
			// A dotted token cut by an evidence trim ("System.Management.Au…"):
			// its last label is a fragment, not a top-level domain.
			b.WriteString(r.token(core[:j]) + "." + r.pieces(core[j+1:]))
			b.WriteString(tok[len(lead)+len(core):])
			i = end
			prevWord = false
			continue
		}
		b.WriteString(r.token(core))
		b.WriteString(tok[len(lead)+len(core):])
		i = end
		prevWord = false
	}
	return b.String()
}

// versionBefore reports whether the text just before a token names a
// version or build.
func versionBefore(before string) bool {
	if len(before) > 24 {
		before = before[len(before)-24:]
	}
	before = strings.ToLower(strings.TrimRight(before, " :=(\t"))
	for _, w := range []string{"version", "build", "ver", "v", "release"} {
		if strings.HasSuffix(before, w) {
			return true
		}
	}
	return false
}

func isDottedNumbers(s string) bool {
	for _, c := range s {
		if c != '.' && (c < '0' || c > '9') {
			return false
		}
	}
	return strings.Contains(s, ".")
}

// ipv6At recognises an IPv6 address at the start of s.
func (r *Redactor) ipv6At(s string) (int, string) {
	n, colons := 0, 0
	for n < len(s) {
		c := s[n]
		if c == ':' {
			colons++
		} else if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '.') {
			break
		}
		n++
	}
	if colons < 2 {
		return 0, ""
	}
	cand := strings.TrimRight(s[:n], ".:")
	if strings.HasSuffix(s[:n], "::") {
		cand = s[:n]
	}
	a, err := netip.ParseAddr(cand)
	if err != nil || !a.Is6() {
		return 0, ""
	}
	if a.IsLoopback() || a.IsUnspecified() || isPseudoV6(a) {
		return len(cand), cand // consumed whole, so no part of it is read as another address
	}
	return len(cand), r.ipPseudo(cand)
}

var docV6 = netip.MustParsePrefix("2001:db8::/32")

func isPseudoV6(a netip.Addr) bool { return docV6.Contains(a) }

// multiAt matches a learned multi-word literal (display name, phone
// number, device friendly name) at the start of s.
func (r *Redactor) multiAt(s string) (int, string) {
	list := r.multi[firstToken(s)]
	for _, m := range list {
		n := len(m.text)
		if n > len(s) || !strings.EqualFold(s[:n], m.text) {
			continue
		}
		if n < len(s) {
			if c, _ := utf8.DecodeRuneInString(s[n:]); isWord(c) && c != '.' && c != '-' {
				continue
			}
		}
		return n, m.pseudo
	}
	return 0, ""
}

// token classifies one token and returns its replacement.
func (r *Redactor) token(tok string) string {
	if tok == "" {
		return tok
	}
	lower := strings.ToLower(tok)
	if at := strings.IndexByte(lower, '@'); at > 0 {
		if n := r.emailDomainLen(lower[at+1:]); n > 0 {
			local, domain := lower[:at], lower[at+1:at+1+n]
			rest := tok[at+1+n:]
			if strings.HasSuffix(domain, ".example") && strings.HasPrefix(local, "user-") {
				return tok[:at+1+n] + r.token(rest) // already a pseudonym
			}
			r.learnDomain(domain)
			return fmt.Sprintf("user-%04d@%s", r.number(kindUser, local), r.domainPseudo(domain)) + r.token(rest)
		}
	}
	if a, err := netip.ParseAddr(lower); err == nil && a.Is4() {
		if a.IsLoopback() || a.IsUnspecified() || isPseudoV4(a) {
			return tok
		}
		return r.ipPseudo(lower)
	}
	if out, ok := r.known(lower); ok {
		return out
	}
	if out, ok := r.shapeToken(tok, lower); ok {
		return out
	}
	if strings.Contains(lower, ".") && r.domainLike(lower) {
		if _, ok := r.nums[kindDomain][lower]; ok || strings.Count(lower, ".") == 1 {
			return r.domainPseudo(lower)
		}
		label, rest, _ := strings.Cut(lower, ".")
		if publicDomain(rest) {
			return tok
		}
		r.learnDomain(rest)
		return fmt.Sprintf("host-%02d.%s", r.number(kindHost, label), r.domainPseudo(rest))
	}
	return r.pieces(tok)
}

var docV4 = []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("198.18.0.0/15")}

func isPseudoV4(a netip.Addr) bool {
	for _, p := range docV4 {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// emailDomainLen returns the length of the DNS name at the start of s
// (what follows an "@"), 0 if there is none. A learned domain followed by
// "-" or "_" ends there: "adele@contoso.com-Devices.csv" is an address
// inside a file name.
func (r *Redactor) emailDomainLen(s string) int {
	n := 0
	for n < len(s) {
		c := s[n]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c >= 0x80) {
			break
		}
		n++
	}
	d := strings.TrimRight(s[:n], ".-")
	for i := 0; i < len(d); i++ {
		if (d[i] == '-' || d[i] == '_') && strings.Contains(d[:i], ".") {
			if _, ok := r.nums[kindDomain][d[:i]]; ok || r.domainLike(d[:i]) {
				return i
			}
		}
	}
	if !strings.Contains(d, ".") {
		return 0
	}
	return len(d)
}

// known returns the pseudonym of a learned token.
func (r *Redactor) known(lower string) (string, bool) {
	if !learnable(lower) {
		return "", false // reserved words stay words even if an FQDN used them as a label
	}
	if n, ok := r.nums[kindDevice][lower]; ok {
		return fmt.Sprintf("device-%04d", n), true
	}
	if n, ok := r.nums[kindHost][lower]; ok {
		return fmt.Sprintf("host-%02d", n), true
	}
	if n, ok := r.nums[kindUser][lower]; ok {
		return fmt.Sprintf("user-%04d", n), true
	}
	if _, ok := r.nums[kindDomain][lower]; ok {
		return r.domainPseudo(lower), true
	}
	if n, ok := r.nums[kindPhone][lower]; ok {
		return fmt.Sprintf("phone-%04d", n), true
	}
	return "", false
}

// pieces replaces learned names inside a token at . - _ boundaries
// ("jnunez-export.csv", "EXCONN01_Connector.log").
func (r *Redactor) pieces(tok string) string {
	if !strings.ContainsAny(tok, ".-_") {
		return tok
	}
	var b strings.Builder
	changed := false
	start := 0
	for i := 0; i <= len(tok); i++ {
		if i < len(tok) && !strings.ContainsRune(".-_", rune(tok[i])) {
			continue
		}
		piece := tok[start:i]
		if out, ok := r.known(strings.ToLower(piece)); ok {
			b.WriteString(out)
			changed = true
		} else {
			b.WriteString(piece)
		}
		if i < len(tok) {
			b.WriteByte(tok[i])
		}
		start = i + 1
	}
	if !changed {
		return tok
	}
	return b.String()
}

// domainPseudo returns domain-NN.example for a DNS name, domain-NN for a
// learned first label alone.
func (r *Redactor) domainPseudo(d string) string {
	n := r.number(kindDomain, d)
	if !strings.Contains(d, ".") {
		return fmt.Sprintf("domain-%02d", n)
	}
	return fmt.Sprintf("domain-%02d.example", n)
}

// ipPseudo maps an address to the documentation ranges (RFC 5737, 3849).
func (r *Redactor) ipPseudo(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	if a.Is4() {
		n := r.number(kindIPv4, a.String())
		switch {
		case n <= 254:
			return fmt.Sprintf("192.0.2.%d", n)
		case n <= 508:
			return fmt.Sprintf("198.51.100.%d", n-254)
		case n <= 762:
			return fmt.Sprintf("203.0.113.%d", n-508)
		}
		n -= 762
		return fmt.Sprintf("198.18.%d.%d", (n/254)%256, n%254+1)
	}
	n := r.number(kindIPv6, a.String())
	return fmt.Sprintf("2001:db8::%x", n)
}

// Report rewrites rep in place: it first learns the hosts, CAS servers
// and users the report names, then redacts every field that can carry an
// identifier — input paths and warnings, skipped files, gaps, syncs,
// findings (key, title, remedy, evidence), inventory, verdict,
// environment, changes, collect advice and unmatched templates — and map
// keys that hold origins. Ids, counts, severities, times and statuses are
// untouched; docs links are kept.
func (r *Redactor) Report(rep *report.Report) {
	if rep == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if env := rep.Environment; env != nil {
		for _, h := range env.Hosts {
			r.learnHost(h)
		}
		for _, h := range env.CASServers {
			r.learnHost(h)
		}
		if na := env.NotificationAccount; na != nil && strings.Contains(na.Account, "@") {
			r.learnEmail(na.Account)
		}
	}
	for _, p := range rep.NotConnector {
		if p.Host != "" {
			r.learnHost(p.Host)
		}
	}
	if inv := rep.Inventory; inv != nil {
		for _, u := range inv.UsersWithProblems {
			if strings.Contains(u.User, "@") {
				r.learnEmail(u.User)
			} else if i := strings.LastIndexByte(u.User, '/'); i >= 0 {
				r.learnName(u.User[i+1:], 0)
			}
		}
	}
	// Two passes over every field: the first only learns (an address in
	// the last finding makes its bare domain label in the first one
	// known), the second writes.
	r.walk(rep, func(p *string) { r.rewrite(*p) })
	r.walk(rep, func(p *string) { *p = r.rewrite(*p) })
}

// walk calls f on every redactable string of rep, map keys included
// (maps holding origins are rebuilt with the rewritten keys).
func (r *Redactor) walk(rep *report.Report, f func(*string)) {
	s := func(v string) string { f(&v); return v }
	strs := func(list []string) {
		for i := range list {
			list[i] = s(list[i])
		}
	}
	evidence := func(evs []report.Evidence) {
		for i := range evs {
			evs[i].Origin = s(evs[i].Origin)
			evs[i].Text = s(evs[i].Text)
		}
	}
	keys := func(m map[string]string) map[string]string {
		if m == nil {
			return nil
		}
		out := make(map[string]string, len(m))
		for k, v := range m {
			out[s(k)] = s(v)
		}
		return out
	}
	for i := range rep.Inputs {
		in := &rep.Inputs[i]
		in.Path = s(in.Path)
		for j := range in.Warnings {
			in.Warnings[j].Origin = s(in.Warnings[j].Origin)
			in.Warnings[j].Message = s(in.Warnings[j].Message)
		}
	}
	for i := range rep.Skipped {
		rep.Skipped[i].Path = s(rep.Skipped[i].Path)
		rep.Skipped[i].Reason = s(rep.Skipped[i].Reason)
	}
	for i := range rep.Summary.Gaps {
		rep.Summary.Gaps[i].AfterInput = s(rep.Summary.Gaps[i].AfterInput)
	}
	rep.Summary.Extra = keys(rep.Summary.Extra)
	for i := range rep.Syncs {
		sy := &rep.Syncs[i]
		sy.ExchangeHealth = s(sy.ExchangeHealth)
		sy.Reason = s(sy.Reason)
		sy.Origin = s(sy.Origin)
		evidence(sy.Evidence)
	}
	for i := range rep.Findings {
		f := &rep.Findings[i]
		f.Key = s(f.Key)
		f.Title = s(f.Title)
		f.Remedy = s(f.Remedy)
		f.ResolvedBy = s(f.ResolvedBy)
		evidence(f.Evidence)
	}
	if inv := rep.Inventory; inv != nil {
		for i := range inv.UsersWithProblems {
			inv.UsersWithProblems[i].User = s(inv.UsersWithProblems[i].User)
		}
		inv.Extra = keys(inv.Extra)
	}
	if v := rep.Verdict; v != nil {
		strs(v.Reasons)
		strs(v.NextSteps)
		for i := range v.Resolved {
			rs := &v.Resolved[i]
			rs.Key, rs.Title = s(rs.Key), s(rs.Title)
			strs(rs.Changes)
		}
	}
	for i := range rep.NotConnector {
		p := &rep.NotConnector[i]
		p.Host, p.Process = s(p.Host), s(p.Process)
		strs(p.Sources)
		strs(p.Files)
		for j := range p.Errors {
			u := &p.Errors[j]
			u.Template, u.Example, u.Origin = s(u.Template), s(u.Example), s(u.Origin)
		}
	}
	if env := rep.Environment; env != nil {
		strs(env.Hosts)
		strs(env.CASServers)
		strs(env.Notes)
		strs(env.Exchange)
		env.EWSURL = s(env.EWSURL)
		if na := env.NotificationAccount; na != nil {
			na.Account = s(na.Account)
			na.Origin = s(na.Origin)
			na.Text = s(na.Text)
		}
	}
	for i := range rep.Changes {
		rep.Changes[i].Text = s(rep.Changes[i].Text)
		rep.Changes[i].Origin = s(rep.Changes[i].Origin)
	}
	for i := range rep.Collect {
		c := &rep.Collect[i]
		c.What, c.Why, c.Command = s(c.What), s(c.Why), s(c.Command)
	}
	for i := range rep.Unmatched {
		u := &rep.Unmatched[i]
		u.Template, u.Example, u.Origin = s(u.Template), s(u.Example), s(u.Origin)
	}
}

// Event returns a redacted copy of e (message, host, origin, source and
// extra fields), for outputs that send events themselves (the indexer).
// Identifiers learned later in the run are not known yet: exports are
// read before events, and LearnEvent should be called on e first.
func (r *Redactor) Event(e *event.Event) *event.Event {
	c := *e
	r.mu.Lock()
	defer r.mu.Unlock()
	c.Message = r.rewrite(e.Message)
	c.Host = r.rewrite(e.Host)
	c.Source = r.rewrite(e.Source)
	c.Origin.Path = r.rewrite(e.Origin.Path)
	if len(e.Fields) > 0 {
		c.Fields = make([]event.Field, len(e.Fields))
		for i, f := range e.Fields {
			c.Fields[i] = event.Field{Name: f.Name, Value: r.rewrite(f.Value)}
		}
	}
	return &c
}
