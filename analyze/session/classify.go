package session

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"exlog/event"
	"exlog/report"
)

// syncKind is the kind of a sync session. The zero value means "not a sync
// message".
type syncKind uint8

const (
	kindNone syncKind = iota
	kindFull
	kindQuick
)

// String is the name used in report.Sync.Kind: "full" or "quick".
func (k syncKind) String() string { return string(k.report()) }

// report is the kind in the report ("" for kindNone).
func (k syncKind) report() report.SyncKind {
	switch k {
	case kindFull:
		return report.SyncFull
	case kindQuick:
		return report.SyncQuick
	}
	return ""
}

// findMarker looks for the stable core of every sync message: a
// parenthesised "(full sync)", "(quick sync)" or "(delta sync)" in any case,
// tolerating inner spaces ("( Full Sync )") and a hyphen ("(quick-sync)").
// It returns the kind and the index of the '(' or kindNone, -1. It is the
// only code run on every record, so it scans for ')' with IndexByte and
// allocates nothing.
func findMarker(msg string) (syncKind, int) {
	from := 0
	for {
		i := strings.IndexByte(msg[from:], ')')
		if i < 0 {
			return kindNone, -1
		}
		i += from
		from = i + 1
		j := i // msg[j] == ')'; walk backwards
		for j > 0 && msg[j-1] == ' ' {
			j--
		}
		if j < 4 || !equalFoldASCII(msg[j-4:j], "sync") {
			continue
		}
		j -= 4
		if j > 0 && (msg[j-1] == ' ' || msg[j-1] == '-') {
			j--
		}
		var k syncKind
		switch {
		case j >= 4 && equalFoldASCII(msg[j-4:j], "full"):
			k, j = kindFull, j-4
		case j >= 5 && equalFoldASCII(msg[j-5:j], "quick"):
			k, j = kindQuick, j-5
		case j >= 5 && equalFoldASCII(msg[j-5:j], "delta"):
			k, j = kindQuick, j-5
		default:
			continue
		}
		for j > 0 && msg[j-1] == ' ' {
			j--
		}
		if j > 0 && msg[j-1] == '(' {
			return k, j - 1
		}
		// "(delta sync / quick sync)", "(incremental, quick sync)": the
		// marker last among other words inside the parentheses (blind
		// round 5: a reworded quick-sync line made every quick sync vanish).
		if o := openBefore(msg, j); o >= 0 {
			return k, o
		}
	}
}

// openBefore returns the index of the '(' that opens the parenthesised
// words ending at j, if only letters, spaces and the separators / , - lie
// between (at most 40 bytes), else -1.
func openBefore(msg string, j int) int {
	for i := j - 1; i >= 0 && i >= j-40; i-- {
		switch c := msg[i]; {
		case c == '(':
			if i+1 < j {
				return i
			}
			return -1
		case c == ' ' || c == '/' || c == ',' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		default:
			return -1
		}
	}
	return -1
}

// verdict is what a sync message says about its session.
type verdict uint8

const (
	// startImplicit: the marker without any start, end or failure words,
	// e.g. a quick-sync wording we have never seen. It opens a session
	// when none of its kind is open (see Builder for the exact rule).
	startImplicit verdict = iota
	// startExplicit: "Handling command:" with the marker, the documented
	// start text.
	startExplicit
	// endCompleted: "completed successfully" (documented) or, failing
	// that, a completion word (completionWords: done, complete(d),
	// finished, succeeded, success(ful), ended) without failure words.
	endCompleted
	// endFailed: failure words near the marker, or the message itself is
	// an Error/Critical record.
	endFailed
	// retryFailed: a failure (as endFailed) that announces a retry
	// ("retrying in 60 seconds", "attempt 1 of 5", "will be retried"):
	// the sync fails only if its completion does not follow.
	retryFailed
	// retryNotice: a retry announcement without failure words.
	retryNotice
)

func (v verdict) String() string {
	return [...]string{"start-implicit", "start-explicit", "completed", "failed", "retry-failed", "retry"}[v]
}

// classify decides what a message that carries a sync marker says. Only
// the part before "Details" is read for verbs, so that an Exchange health
// status or a counter in the details cannot turn a success into a
// failure. Order: an explicit success phrase wins (it is the product's own
// verdict); then failure words or an Error/Critical type; then
// "Handling command:"; then generic completion verbs; then "exception" or
// "failed" in the details; else an implicit start.
func classify(msg string, t event.Type) verdict {
	head := msg
	if i := indexFoldASCII(msg, "details"); i >= 0 {
		head = msg[:i]
	}
	if containsFoldASCII(head, "completed successfully") || containsFoldASCII(head, "successfully completed") {
		return endCompleted
	}
	if t == event.Error || t == event.Critical || hasFailureWord(head) {
		if announcesRetry(msg) {
			return retryFailed
		}
		return endFailed
	}
	if announcesRetry(head) {
		return retryNotice
	}
	if containsFoldASCII(head, "handling command") {
		return startExplicit
	}
	if saysCompleted(head) {
		return endCompleted
	}
	// No verb before "Details", but the details carry an exception or a
	// failure: that is how a failure without its own sentence would look.
	if rest := msg[len(head):]; rest != "" && (containsFoldASCII(rest, "exception") || containsFoldASCII(rest, "failed")) {
		return endFailed
	}
	return startImplicit
}

// announcesRetry reports whether msg says the operation will be tried
// again: "retry"/"retrying"/"retried" or "attempt <n> of <m>" with n < m (the
// connector's wording is not documented, domain.md §4; these are the
// stable cores of .NET retry loops).
func announcesRetry(msg string) bool {
	if containsFoldASCII(msg, "retry") || containsFoldASCII(msg, "retrying") || containsFoldASCII(msg, "retried") {
		return true
	}
	i := indexFoldASCII(msg, "attempt ")
	for i >= 0 {
		rest := msg[i+len("attempt "):]
		j := 0
		for j < len(rest) && isDigit(rest[j]) {
			j++
		}
		if j > 0 && (strings.HasPrefix(rest[j:], " of ") || strings.HasPrefix(rest[j:], "/")) {
			// "attempt 3 of 3" is the last attempt: nothing is retried.
			m := strings.TrimPrefix(strings.TrimPrefix(rest[j:], " of "), "/")
			k := 0
			for k < len(m) && isDigit(m[k]) {
				k++
			}
			n, okN := digitsValue(rest[:j])
			total, okT := digitsValue(m[:k])
			if !okN || !okT || n < total {
				return true
			}
		}
		k := indexFoldASCII(rest, "attempt ")
		if k < 0 {
			break
		}
		i += len("attempt ") + k
	}
	return false
}

var failureWords = []string{"fail", "exception", "error", "abort", "did not complete", "not complete", "incomplete", "unsuccessful", "timed out"}

// completionWords are the generic verbs of an end, matched as whole words
// (so "incomplete", "unsuccessful" and "extended" do not count). The
// documented "completed successfully" is matched before them (classify);
// these tolerate undocumented wordings of the quick-sync end ("… for 12
// users done - …", "… complete", "… ended"), domain.md §4.
var completionWords = []string{"done", "complete", "completed", "finished", "succeeded", "success", "successful", "successfully", "ended"}

// saysCompleted reports whether head carries a completion verb as a whole
// word, and is not a progress report ("progress: 3,000 of 6,400 users
// done" is a milestone, not the end).
func saysCompleted(head string) bool {
	if containsFoldASCII(head, "progress") {
		return false
	}
	for _, w := range completionWords {
		if hasWordFold(head, w) {
			return true
		}
	}
	return false
}

// hasWordFold reports whether lower-case word w occurs in s (ASCII case
// ignored) with no letter or digit on either side.
func hasWordFold(s, w string) bool {
	from := 0
	for {
		i := indexFoldASCII(s[from:], w)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(w)
		if (i == 0 || !isWordByte(s[i-1])) && (end == len(s) || !isWordByte(s[end])) {
			return true
		}
		from = i + 1
	}
}

func hasFailureWord(s string) bool {
	for _, w := range failureWords {
		if containsFoldASCII(s, w) {
			return true
		}
	}
	return false
}

// isStartupMessage reports whether msg says that the service started or
// stopped. The connector's own wording is NOT documented: those phrases are
// guesses, kept narrow. The Service Control Manager's event 7036 ("The
// Microsoft Intune Exchange Connector Service service entered the running
// state.") is standard Windows wording; it counts only when it names the
// connector. Builder uses this only to end sessions of another (or an
// unknown) process id on the same host.
func isStartupMessage(msg string) bool {
	if len(msg) > 300 {
		return false
	}
	for _, w := range startupWords {
		if containsFoldASCII(msg, w) {
			return true
		}
	}
	return containsFoldASCII(msg, "exchange connector") &&
		(containsFoldASCII(msg, "entered the running state") || containsFoldASCII(msg, "entered the stopped state"))
}

var startupWords = []string{"service is starting", "service started", "starting service", "service starting", "service has started", "onstart"}

// sameHost compares computer names, ignoring case and a DNS suffix
// ("EXCON01" = "excon01.contoso.com"): trace records carry the NetBIOS
// name, event-log exports often the FQDN.
func sameHost(a, b string) bool {
	if a == b {
		return true
	}
	if i := strings.IndexByte(a, '.'); i >= 0 {
		a = a[:i]
	}
	if i := strings.IndexByte(b, '.'); i >= 0 {
		b = b[:i]
	}
	return strings.EqualFold(a, b)
}

// details are the values a sync message may carry. Each is empty/nil when
// the message does not say it.
type details struct {
	users     *int
	devices   *int
	commandID string
	health    string
	healthBad bool // some server status other than "Connected"
}

// parseDetails extracts users ("for 12 users", "of 3 users"), devices
// synced ("Devices synced: 1,204"), the command id ("Commmand ID:" with
// three m's as documented, or "Command ID:"; else the first GUID after
// "Details") and the Exchange health ("server: Status" pairs). It never
// fails: what it cannot read stays empty.
func parseDetails(msg string) details {
	var d details
	if n, ok := numberBefore(msg, "user"); ok {
		d.users = &n
	}
	if i := indexFoldASCII(msg, "devices synced"); i >= 0 {
		if n, ok := numberAfter(msg[i+len("devices synced"):]); ok {
			d.devices = &n
		}
	}
	d.commandID = commandID(msg)
	d.health, d.healthBad = exchangeHealth(msg)
	return d
}

// numberBefore finds the first "<number> <word>" (word matched as a prefix,
// case-insensitive: "users", "user") and returns the number. Thousands
// separators of any culture (",", ".", NBSP, narrow NBSP, "'", " ") are
// ignored.
func numberBefore(msg, word string) (int, bool) {
	from := 0
	for from < len(msg) {
		i := indexFoldASCII(msg[from:], word)
		if i < 0 {
			return 0, false
		}
		i += from
		from = i + len(word)
		j := i
		for j > 0 && (msg[j-1] == ' ' || msg[j-1] == '\t') {
			j--
		}
		if j == i || j == 0 || !isDigit(msg[j-1]) {
			continue
		}
		if i > 0 && isWordByte(msg[i-1]) { // "superusers"
			continue
		}
		end := j
		start := j
		for start > 0 {
			c := msg[start-1]
			if isDigit(c) {
				start--
				continue
			}
			if isGroupSep(c) && start-1 > 0 && isDigit(msg[start-2]) {
				start--
				continue
			}
			// multi-byte separators: NBSP (C2 A0), narrow NBSP (E2 80 AF)
			if start >= 3 && msg[start-2] == 0xC2 && c == 0xA0 && isDigit(msg[start-3]) {
				start -= 2
				continue
			}
			if start >= 4 && msg[start-3] == 0xE2 && msg[start-2] == 0x80 && c == 0xAF && isDigit(msg[start-4]) {
				start -= 3
				continue
			}
			break
		}
		if n, ok := digitsValue(msg[start:end]); ok {
			return n, true
		}
	}
	return 0, false
}

// numberAfter reads "[:] <number>" at the start of s.
func numberAfter(s string) (int, bool) {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == ':' || s[i] == '\t' || s[i] == '=') {
		i++
	}
	start := i
	for i < len(s) {
		c := s[i]
		if isDigit(c) {
			i++
			continue
		}
		if isGroupSep(c) && i+1 < len(s) && isDigit(s[i+1]) && i > start {
			i++
			continue
		}
		if c == 0xC2 && i+2 < len(s) && s[i+1] == 0xA0 && isDigit(s[i+2]) && i > start {
			i += 2
			continue
		}
		break
	}
	return digitsValue(s[start:i])
}

// digitsValue returns the value of the digits in s (other bytes ignored);
// false when there are none or more than 9.
func digitsValue(s string) (int, bool) {
	n, digits := 0, 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n = n*10 + int(s[i]-'0')
			digits++
		}
	}
	if digits == 0 || digits > 9 {
		return 0, false
	}
	return n, true
}

func commandID(msg string) string {
	for _, label := range []string{"commmand id", "command id", "commandid"} {
		if i := indexFoldASCII(msg, label); i >= 0 {
			if id := guidToken(msg[i+len(label):]); id != "" {
				return id
			}
		}
	}
	if i := indexFoldASCII(msg, "details"); i >= 0 {
		rest := msg[i:]
		for k := 0; k+36 <= len(rest); k++ {
			if rest[k] == '-' || !isHex(rest[k]) || (k > 0 && isHex(rest[k-1])) {
				continue
			}
			if g, ok := event.ParseGUID([]byte(rest[k : k+36])); ok {
				return g.String()
			}
		}
	}
	return ""
}

// guidToken reads "[:] {guid}" at the start of s; the canonical lower-case
// form when it is a GUID, else the raw token (bounded), else "".
func guidToken(s string) string {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == ':' || s[i] == '\t' || s[i] == '=') {
		i++
	}
	j := i
	for j < len(s) && j-i < 64 && (isHex(s[j]) || s[j] == '-' || s[j] == '{' || s[j] == '}') {
		j++
	}
	tok := s[i:j]
	if tok == "" {
		return ""
	}
	if g, ok := event.ParseGUID([]byte(tok)); ok {
		return g.String()
	}
	return strings.Clone(tok)
}

// exchangeHealth reads the part after "Exchange health" and returns
// "server: Status" pairs joined by "; ", and whether any status is not
// "Connected". Documented shape (placeholders in <>):
//
//	Exchange health: 'Server health 'Name: 'PowerShellExchangeServer: <Name=<server>>' Status: Connected','
func exchangeHealth(msg string) (string, bool) {
	i := indexFoldASCII(msg, "exchange health")
	if i < 0 {
		return "", false
	}
	rest := msg[i+len("exchange health"):]
	var parts []string
	bad := false
	for len(rest) > 0 {
		si := indexFoldASCII(rest, "status")
		if si < 0 {
			break
		}
		server := ""
		if ni := strings.LastIndex(rest[:si], "Name="); ni >= 0 {
			server = tokenUntil(rest[ni+len("Name="):si], "<>'\",;")
		} else if ni := indexFoldASCII(rest[:si], "name:"); ni >= 0 {
			server = tokenUntil(strings.TrimLeft(rest[ni+len("name:"):si], " '"), "<>'\",;")
		}
		after := strings.TrimLeft(rest[si+len("status"):], " :='\"")
		status := tokenUntil(after, " '\",;<>)")
		if status == "" {
			rest = rest[si+len("status"):]
			continue
		}
		if !strings.EqualFold(status, "Connected") {
			bad = true
		}
		if server != "" {
			parts = append(parts, server+": "+status)
		} else {
			parts = append(parts, status)
		}
		// status was trimmed (and may be shortened): continue after it
		// where it is found, else just after the keyword.
		if j := strings.Index(after, status); j >= 0 {
			rest = after[j+len(status):]
		} else {
			rest = after
		}
		if len(parts) >= 8 {
			break
		}
	}
	return strings.Clone(strings.Join(parts, "; ")), bad
}

// tokenUntil returns s up to the first byte in stop (trimmed, bounded).
func tokenUntil(s, stop string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, stop); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if len(s) > 128 {
		s = truncate(s, 128)
	}
	return s
}

func isDigit(c byte) bool    { return '0' <= c && c <= '9' }
func isGroupSep(c byte) bool { return c == ',' || c == '.' || c == '\'' || c == ' ' }
func isHex(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}
func isWordByte(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || c == '_' || c >= 0x80
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFoldASCII compares s to lower-case ASCII pattern p, ignoring ASCII case.
func equalFoldASCII(s, p string) bool {
	if len(s) != len(p) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if lowerASCII(s[i]) != p[i] {
			return false
		}
	}
	return true
}

// indexFoldASCII is strings.Index ignoring ASCII case; p must be lower
// case and non-empty. It does not allocate.
func indexFoldASCII(s, p string) int {
	if len(p) == 0 {
		return 0
	}
	first := p[0]
	upper := first
	if 'a' <= first && first <= 'z' {
		upper = first - 'a' + 'A'
	}
	for i := 0; i+len(p) <= len(s); i++ {
		c := s[i]
		if c != first && c != upper {
			continue
		}
		if equalFoldASCII(s[i:i+len(p)], p) {
			return i
		}
	}
	return -1
}

func containsFoldASCII(s, p string) bool { return indexFoldASCII(s, p) >= 0 }

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// formatDuration renders d compactly for titles: "4h0m", "25m", "40s".
func formatDuration(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s >= 3600:
		return strconv.FormatInt(s/3600, 10) + "h" + strconv.FormatInt(s%3600/60, 10) + "m"
	case s >= 60:
		return strconv.FormatInt(s/60, 10) + "m"
	}
	return strconv.FormatInt(s, 10) + "s"
}
