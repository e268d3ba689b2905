package samples_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"exlog/analyze"
	"exlog/report"
)

// Metamorphic test of the session model (issue 15.8): every sample with
// syncs is rewritten with other plausible wordings of the lines whose
// wording is not documented (domain.md §4), with extra start-like and
// retry lines, and with same-millisecond records reordered; the sessions,
// their counts and the findings must not change.
//
// The rewriting works on the bundle's trace records as text, so it needs
// nothing from the generator: it would run on any bundle.

// variants is THE table of alternative wordings: a new variant is one line.
// where says where the line goes:
//
//	before  a few ms before each documented "Handling command:" line
//	inside  just after it, in the sync's activity (another start-like line)
//	retry   inside the sync (a Warning that announces a retry), only for
//	        syncs whose completion is in the logs
//	start   replaces the text of the quick-sync "Handling command:" line
//	done    replaces the sentence of the quick-sync completion (the
//	        documented Details part is kept)
//
// Placeholders: {kind} full|quick, {Kind} Full|Quick, {users}, {n} a
// running number, {cmd} a command id (a GUID). act: "" none, "same" the
// sync's activity.
var variants = []struct {
	name, where, sub, act, text string
}{
	{"received", "before", "Information", "", "Received command from the Intune service ({kind} sync)"},
	{"getnext-received", "before", "Verbose", "", "GetNextCommand: received command {n} ({Kind}Sync)"},
	{"dequeued", "before", "Verbose", "same", "Dequeued inventory command {cmd}: Getting the mobile device list ({kind} sync)"},
	{"starting", "inside", "Information", "same", "Starting the inventory ({kind} sync) for {users} users"},
	{"page", "inside", "Verbose", "same", "Getting the mobile device list ({kind} sync): page 1 of 3"},
	{"retry-attempt", "retry", "Warning", "same", "Getting the mobile device list ({kind} sync) timed out, attempt 1 of 5; retrying in 60 seconds"},
	{"retry-plain", "retry", "Warning", "same", "The request to the Exchange server did not answer in time: attempt 1 of 5; retrying in 60 seconds"},
	{"retry-will", "retry", "Warning", "same", "Inventory batch 2 of 4 ({kind} sync) hit a transient error and will be retried"},
	{"quick-start-sync", "start", "", "", "Handling command: Synchronizing the devices of changed users (quick sync) for {users} users"},
	{"quick-start-delta", "start", "", "", "Handling command: Getting changed mobile devices (delta sync) for {users} users"},
	{"quick-done-finished", "done", "", "", "Synchronizing the devices of changed users (quick sync) for {users} users finished successfully."},
	{"quick-done-succeeded", "done", "", "", "Delta inventory (quick sync) for {users} users succeeded."},
	{"reorder-same-ms", "reorder", "", "", ""},
}

// traceRec is one E2ETraceEvent record of a trace file, as text.
type traceRec struct {
	raw  string
	t    time.Time
	sub  string
	act  string // "{guid}"
	text string // unescaped ApplicationData when it is plain text
}

var (
	recTimeRe  = regexp.MustCompile(`<TimeCreated SystemTime="([^"]*)"`)
	recSubRe   = regexp.MustCompile(`<SubType Name="([^"]*)">0</SubType><Level>(\d+)</Level>`)
	recActRe   = regexp.MustCompile(`ActivityID="(\{[^}]*\})"`)
	recDataRe  = regexp.MustCompile(`(?s)<ApplicationData>(.*)</ApplicationData>`)
	handlingRe = regexp.MustCompile(`(?i)handling command:.*\((full|quick) sync\) for (\d+) users`)
	markerRe   = regexp.MustCompile(`(?i)\((full|quick) sync\)`)
)

const zeroAct = "{00000000-0000-0000-0000-000000000000}"

func parseRec(raw string) (traceRec, bool) {
	r := traceRec{raw: raw}
	m := recTimeRe.FindStringSubmatch(raw)
	s := recSubRe.FindStringSubmatch(raw)
	a := recActRe.FindStringSubmatch(raw)
	d := recDataRe.FindStringSubmatch(raw)
	if m == nil || s == nil || a == nil || d == nil || !strings.HasSuffix(raw, "</E2ETraceEvent>") {
		return r, false
	}
	t, err := time.Parse(time.RFC3339Nano, m[1])
	if err != nil {
		return r, false
	}
	r.t, r.sub, r.act = t, s[1], a[1]
	if !strings.Contains(d[1], "<") {
		r.text = html.UnescapeString(d[1])
	}
	return r, true
}

var levels = map[string]string{"Critical": "1", "Error": "2", "Warning": "4", "Information": "8", "Verbose": "16"}

// derive is a copy of r with another time, type, activity and text.
func (r traceRec) derive(t time.Time, sub, act, text string) string {
	raw := recTimeRe.ReplaceAllLiteralString(r.raw, `<TimeCreated SystemTime="`+t.In(r.t.Location()).Format("2006-01-02T15:04:05.0000000Z07:00")+`"`)
	if sub != "" {
		raw = recSubRe.ReplaceAllLiteralString(raw, `<SubType Name="`+sub+`">0</SubType><Level>`+levels[sub]+`</Level>`)
	}
	raw = recActRe.ReplaceAllLiteralString(raw, `ActivityID="`+act+`"`)
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(text)
	i := strings.Index(raw, "<ApplicationData>")
	j := strings.LastIndex(raw, "</ApplicationData>")
	return raw[:i+len("<ApplicationData>")] + esc + raw[j:]
}

// splitTrace cuts a trace file into a head (anything before the first
// record, e.g. a partial record), the records, and a tail (a cut record).
func splitTrace(s string) (head string, recs []string, tail string) {
	const open = "<E2ETraceEvent "
	i := strings.Index(s, open)
	if i < 0 {
		return s, nil, ""
	}
	head, s = s[:i], s[i:]
	for len(s) > 0 {
		j := strings.Index(s[len(open):], open)
		if j < 0 {
			if strings.HasSuffix(strings.TrimRight(s, "\r\n\x00 "), "</E2ETraceEvent>") {
				recs = append(recs, s)
			} else {
				tail = s
			}
			break
		}
		recs = append(recs, s[:len(open)+j])
		s = s[len(open)+j:]
	}
	return head, recs, tail
}

func fill(tmpl, kind, users string, n int) string {
	kindT := strings.ToUpper(kind[:1]) + kind[1:]
	return strings.NewReplacer("{kind}", kind, "{Kind}", kindT, "{users}", users, "{n}", fmt.Sprint(n),
		"{cmd}", fmt.Sprintf("7d0c4b2a-5e1f-4c3d-9a8b-%012d", n)).Replace(tmpl)
}

// rewrite applies variant v to one trace file's text. It returns the new
// text and how many places it changed.
func rewrite(s string, vi int) (string, int) {
	v := variants[vi]
	head, raws, tail := splitTrace(s)
	recs := make([]traceRec, len(raws))
	ok := make([]bool, len(raws))
	for i, raw := range raws {
		recs[i], ok[i] = parseRec(raw)
	}
	changed := 0
	var out []string
	if v.where == "reorder" {
		out = slices.Clone(raws)
		// Records of different threads a few ms apart get the same time
		// (the later one moves back by at most 3 ms) and change places.
		for i := 0; i+1 < len(out); i++ {
			a, b := recs[i], recs[i+1]
			if d := b.t.Sub(a.t); ok[i] && ok[i+1] && d >= 0 && d <= 3*time.Millisecond && raws[i] != raws[i+1] && b.act != a.act {
				out[i], out[i+1] = b.derive(a.t, "", b.act, b.text), out[i]
				if b.text == "" && !strings.Contains(b.raw, "<ApplicationData></ApplicationData>") {
					out[i] = recTimeRe.ReplaceAllLiteralString(b.raw, `<TimeCreated SystemTime="`+a.t.In(b.t.Location()).Format("2006-01-02T15:04:05.0000000Z07:00")+`"`)
				}
				recs[i], recs[i+1] = recs[i+1], recs[i]
				ok[i], ok[i+1] = ok[i+1], ok[i]
				raws[i], raws[i+1] = raws[i+1], raws[i]
				changed++
				i++
			}
		}
		return head + strings.Join(out, "") + tail, changed
	}
	// completion index of the sync started at i: the next record of the
	// same activity (or, without one, of the same kind) that completes it.
	completion := func(i int, kind string) int {
		for j := i + 1; j < len(recs) && j < i+20000; j++ {
			if !ok[j] {
				continue
			}
			m := markerRe.FindStringSubmatch(recs[j].text)
			if m == nil || !strings.EqualFold(m[1], kind) {
				continue
			}
			if recs[i].act != zeroAct && recs[j].act != recs[i].act {
				continue
			}
			low := strings.ToLower(recs[j].text)
			if strings.Contains(low, "completed successfully") {
				return j
			}
			if strings.Contains(low, "handling command") || strings.Contains(low, "fail") {
				return -1
			}
		}
		return -1
	}
	for i, raw := range raws {
		r := recs[i]
		h := handlingRe.FindStringSubmatch(r.text)
		if !ok[i] {
			out = append(out, raw)
			continue
		}
		if h == nil {
			if v.where == "done" && strings.Contains(r.text, "(quick sync)") && strings.Contains(strings.ToLower(r.text), "completed successfully") {
				if m := regexp.MustCompile(`for (\d+) users`).FindStringSubmatch(r.text); m != nil {
					rest := r.text[strings.Index(r.text, "completed successfully.")+len("completed successfully."):]
					out = append(out, r.derive(r.t, "", r.act, fill(v.text, "quick", m[1], i)+rest))
					changed++
					continue
				}
			}
			out = append(out, raw)
			continue
		}
		kind, users := strings.ToLower(h[1]), h[2]
		act := zeroAct
		if v.act == "same" {
			act = r.act
		}
		switch v.where {
		case "before":
			out = append(out, r.derive(r.t.Add(-3*time.Millisecond), v.sub, act, fill(v.text, kind, users, i)), raw)
			changed++
		case "inside":
			out = append(out, raw, r.derive(r.t.Add(time.Millisecond), v.sub, act, fill(v.text, kind, users, i)))
			changed++
		case "retry":
			j := completion(i, kind)
			if j < 0 {
				out = append(out, raw)
				continue
			}
			at := r.t.Add(min(time.Second, recs[j].t.Sub(r.t)/2))
			out = append(out, raw, r.derive(at, v.sub, act, fill(v.text, kind, users, i)))
			changed++
		case "start":
			if kind != "quick" {
				out = append(out, raw)
				continue
			}
			out = append(out, r.derive(r.t, "", r.act, fill(v.text, kind, users, i)))
			changed++
		default:
			out = append(out, raw)
		}
	}
	// inserted records may be out of file order by a few ms: that is what
	// real files look like (the reader merges by time).
	return head + strings.Join(out, "") + tail, changed
}

// bundleFiles reads a sample (zip, nested zips, or folder) into memory:
// path → bytes, nested zip members flattened under "<zip>.d/".
func bundleFiles(t *testing.T, path string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	var addZip func(prefix string, data []byte)
	addZip = func(prefix string, data []byte) {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("%s: %v", prefix, err)
		}
		for _, f := range zr.File {
			if f.FileInfo().IsDir() {
				continue
			}
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			name := prefix + filepath.ToSlash(f.Name)
			if bytes.HasPrefix(b, []byte("PK\x03\x04")) {
				addZip(name+".d/", b)
				continue
			}
			out[name] = b
		}
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			rel, _ := filepath.Rel(path, p)
			if bytes.HasPrefix(b, []byte("PK\x03\x04")) {
				addZip(filepath.ToSlash(rel)+".d/", b)
			} else {
				out[filepath.ToSlash(rel)] = b
			}
			return err
		})
		return out
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	addZip("", b)
	return out
}

func writeFiles(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		// keep modification times out of the picture: only contents matter
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// sessionView is what must not change: every session's kind, status,
// times, figures and reason, and every finding's id, key, severity, count
// and title; plus the verdict state. Times are kept apart so that they can
// be compared with a tolerance.
type sessionView struct {
	lines []string
	times []time.Time
}

func viewOf(r *report.Report) sessionView {
	var v sessionView
	v.lines = append(v.lines, "verdict "+string(r.Verdict.State))
	for _, s := range r.Syncs {
		end := time.Time{}
		if s.End != nil {
			end = *s.End
		}
		users, devices := "-", "-"
		if s.Users != nil {
			users = fmt.Sprint(*s.Users)
		}
		if s.DevicesSynced != nil {
			devices = fmt.Sprint(*s.DevicesSynced)
		}
		v.lines = append(v.lines, fmt.Sprintf("sync %s %s users=%s devices=%s cmd=%s slow=%v %q", s.Kind, s.Status, users, devices, s.CommandID, s.Slow, s.Reason))
		v.times = append(v.times, s.Start, end)
	}
	for _, f := range r.Findings {
		v.lines = append(v.lines, fmt.Sprintf("finding %s/%s %s ×%d %q", f.ID, f.Key, f.Severity, f.Count, f.Title))
	}
	return v
}

// diff says how b differs from a: "" when the lines are equal and every
// time is within tol.
func (a sessionView) diff(b sessionView, tol time.Duration) string {
	if d := viewDiff(strings.Join(a.lines, "\n"), strings.Join(b.lines, "\n")); d != "" || len(a.times) != len(b.times) {
		return d
	}
	for i := range a.times {
		if d := a.times[i].Sub(b.times[i]); d > tol || d < -tol {
			return fmt.Sprintf("%s: time %s → %s", a.lines[1+i/2], a.times[i].UTC().Format(time.RFC3339Nano), b.times[i].UTC().Format(time.RFC3339Nano))
		}
	}
	return ""
}

func TestMetamorphicSessions(t *testing.T) {
	samples := sampleInputs(t)
	names := make([]string, 0, len(samples))
	for n := range samples {
		names = append(names, n)
	}
	slices.Sort(names)
	tested := 0
	for _, name := range names {
		files := bundleFiles(t, samples[name])
		base, err := analyze.Run([]string{writeFiles(t, files)}, analyze.Options{Version: "metamorphic"})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(base.Syncs) == 0 {
			continue
		}
		tested++
		want := viewOf(base)
		for vi, v := range variants {
			if testing.Short() && vi%3 != 0 {
				continue
			}
			t.Run(name+"/"+v.name, func(t *testing.T) {
				changed := 0
				mod := map[string][]byte{}
				for p, b := range files {
					if bytes.Contains(b, []byte("<E2ETraceEvent ")) {
						s, n := rewrite(string(b), vi)
						mod[p] = []byte(s)
						changed += n
					} else {
						mod[p] = b
					}
				}
				if changed == 0 {
					t.Skipf("nothing to rewrite in %s for %s", name, v.name)
				}
				got, err := analyze.Run([]string{writeFiles(t, mod)}, analyze.Options{Version: "metamorphic"})
				if err != nil {
					t.Fatal(err)
				}
				tol := time.Duration(0)
				if v.where == "reorder" {
					tol = 3 * time.Millisecond // times move by up to 3 ms
				}
				if d := want.diff(viewOf(got), tol); d != "" {
					t.Errorf("%d places rewritten; sessions or findings changed:\n%s", changed, d)
				}
				if v.where == "retry" {
					retries := 0
					for _, s := range got.Syncs {
						retries += s.Retries
					}
					if retries == 0 {
						t.Errorf("%d retry lines inserted, no retry counted", changed)
					}
				}
			})
		}
	}
	if tested < 10 {
		t.Errorf("only %d samples with syncs", tested)
	}
}

// viewDiff lists the lines only in a (-) or only in b (+).
func viewDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	in := func(l []string, s string) bool { return slices.Contains(l, s) }
	var out []string
	for _, l := range al {
		if !in(bl, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range bl {
		if !in(al, l) {
			out = append(out, "+ "+l)
		}
	}
	if len(out) == 0 {
		return ""
	}
	if len(out) > 30 {
		out = append(out[:30], fmt.Sprintf("… %d more", len(out)-30))
	}
	return strings.Join(out, "\n")
}
