package redact_test

import (
	"bytes"
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"exlog/analyze"
	"exlog/event"
	"exlog/output"
	"exlog/parse/pscmdlet"
	"exlog/redact"
	"exlog/report"
)

var (
	emailRE = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+`)
	ipv4RE  = regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`)
)

// sampleBundles lists every sample's bundle (zip or folder).
func sampleBundles(t *testing.T) map[string]string {
	dirs, err := filepath.Glob("../samples/*")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, d := range dirs {
		for _, name := range []string{"bundle.zip", "bundle"} {
			if _, err := os.Stat(filepath.Join(d, name)); err == nil {
				out[filepath.Base(d)] = filepath.Join(d, name)
				break
			}
		}
	}
	if len(out) < 10 {
		t.Fatalf("found only %d sample bundles", len(out))
	}
	return out
}

// originals collects the identifiers of an unredacted report without the
// redactor's help: hosts, CAS servers, users with problems, e-mail and
// IPv4 addresses anywhere in it, and the device IDs its evidence names.
func originals(rep *report.Report) []string {
	set := map[string]bool{}
	if env := rep.Environment; env != nil {
		for _, h := range append(append([]string{}, env.Hosts...), env.CASServers...) {
			set[h] = true
		}
	}
	if inv := rep.Inventory; inv != nil {
		for _, u := range inv.UsersWithProblems {
			if i := strings.LastIndexByte(u.User, '/'); i >= 0 {
				set[u.User[i+1:]] = true
			} else {
				set[u.User] = true
			}
		}
	}
	b, _ := json.Marshal(rep)
	for _, m := range emailRE.FindAllString(string(b), -1) {
		local, domain, _ := strings.Cut(m, "@")
		if strings.Contains(domain, "microsoft.com") {
			continue
		}
		set[local] = true
		set[strings.TrimRight(domain, ".")] = true
	}
	for _, m := range ipv4RE.FindAllStringIndex(string(b), -1) {
		ip := string(b[m[0]:m[1]])
		before := strings.ToLower(string(b[max(0, m[0]-12):m[0]]))
		if ip != "127.0.0.1" && ip != "0.0.0.0" && !strings.Contains(before, "version") && !strings.Contains(before, "build") {
			set[ip] = true
		}
	}
	deviceRE := regexp.MustCompile(`Quarantined \S+ (\S+) |(\S+) last synced`)
	for _, f := range rep.Findings {
		for _, ev := range f.Evidence {
			for _, m := range deviceRE.FindAllStringSubmatch(ev.Text, -1) {
				for _, g := range m[1:] {
					if g != "" {
						set[g] = true
					}
				}
			}
		}
	}
	var out []string
	for s := range set {
		if utf8.RuneCountInString(s) >= 3 {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// containsWord reports whether needle occurs in hay (both lower case) not
// inside a longer word.
func containsWord(hay, needle string) bool {
	for i := 0; ; {
		j := strings.Index(hay[i:], needle)
		if j < 0 {
			return false
		}
		j += i
		before, _ := utf8.DecodeLastRuneInString(hay[:j])
		after, _ := utf8.DecodeRuneInString(hay[j+len(needle):])
		word := func(c rune) bool { return unicode.IsLetter(c) || unicode.IsDigit(c) }
		if (j == 0 || !word(before)) && (j+len(needle) == len(hay) || !word(after)) {
			return true
		}
		i = j + 1
	}
}

func runSample(t *testing.T, path string, red *redact.Redactor) *report.Report {
	t.Helper()
	opt := analyze.Options{Version: "test"}
	if red != nil {
		opt.Observe = red.LearnEvent
		opt.ObserveRecord = func(r *pscmdlet.Record) { red.LearnRecord(r) }
	}
	rep, err := analyze.Run([]string{path}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if red != nil {
		red.Report(rep)
	}
	return rep
}

var _ = event.Event{}

// keptWords are originals that are also ordinary words of the report
// ("collect the user's devices", "activation mail"): the redactor keeps
// the words and redacts them only as parts of addresses and host names.
var keptWords = map[string]bool{"user": true, "users": true, "mail": true, "host": true, "device": true, "domain": true,
	"example": true, "phone": true, "admin": true, "administrator": true, "exchange": true, "default": true}

// TestRedactedSamples: for every sample and every output format, a
// redacted report holds no original identifier, and the findings and sync
// sessions are those of the unredacted run.
func TestRedactedSamples(t *testing.T) {
	total := 0
	defer func() {
		if total < 30 && !t.Failed() {
			t.Errorf("only %d identifiers found in all samples: the originals collector is broken", total)
		}
	}()
	for name, path := range sampleBundles(t) {
		t.Run(name, func(t *testing.T) {
			plain := runSample(t, path, nil)
			red := redact.New()
			redacted := runSample(t, path, red)

			origs := originals(plain)
			total += len(origs)
			for _, o := range red.Originals() {
				if utf8.RuneCountInString(o) >= 4 {
					origs = append(origs, o)
				}
			}
			if len(origs) == 0 {
				t.Log("no identifiers in this sample")
			}
			for _, format := range output.Names() {
				var buf bytes.Buffer
				wr, err := output.Format(format)
				if err != nil {
					t.Fatal(err)
				}
				if err := wr(&buf, redacted, output.Options{Title: "bundle"}); err != nil {
					t.Fatalf("%s: %v", format, err)
				}
				text := strings.ToLower(buf.String())
				if format == "html" || strings.Contains(format, "junit") || strings.Contains(format, "sarif") {
					text = html.UnescapeString(text)
				}
				if format == "json" || strings.Contains(format, "sarif") {
					var v any
					if json.Unmarshal(buf.Bytes(), &v) == nil {
						b, _ := json.Marshal(v)
						text += "\n" + strings.ToLower(string(b))
					}
				}
				for _, o := range origs {
					if keptWords[strings.ToLower(o)] {
						continue
					}
					if containsWord(text, strings.ToLower(o)) {
						i := strings.Index(text, strings.ToLower(o))
						t.Errorf("%s output: original %q survived: …%s…", format, o, text[max(0, i-80):min(len(text), i+80)])
					}
				}
			}
			if len(plain.Findings) != len(redacted.Findings) {
				t.Fatalf("findings: %d plain, %d redacted", len(plain.Findings), len(redacted.Findings))
			}
			for i, f := range plain.Findings {
				g := redacted.Findings[i]
				if f.ID != g.ID || f.Count != g.Count || f.Severity != g.Severity || len(f.Evidence) != len(g.Evidence) {
					t.Errorf("finding %d: %s/%d/%s became %s/%d/%s", i, f.ID, f.Count, f.Severity, g.ID, g.Count, g.Severity)
				}
			}
			if len(plain.Syncs) != len(redacted.Syncs) {
				t.Fatalf("syncs: %d plain, %d redacted", len(plain.Syncs), len(redacted.Syncs))
			}
			for i, s := range plain.Syncs {
				g := redacted.Syncs[i]
				if s.Kind != g.Kind || s.Status != g.Status || !s.Start.Equal(g.Start) || (s.End == nil) != (g.End == nil) || (s.End != nil && !s.End.Equal(*g.End)) {
					t.Errorf("sync %d: %s %s %v became %s %s %v", i, s.Kind, s.Status, s.Start, g.Kind, g.Status, g.Start)
				}
			}
			if plain.Summary.Records != redacted.Summary.Records {
				t.Errorf("records %d became %d", plain.Summary.Records, redacted.Summary.Records)
			}
		})
	}
}
