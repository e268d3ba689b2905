package nasty

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"exlog/analyze"
	"exlog/internal/cputime"
	"exlog/report"
)

var writeDir = flag.String("nasty.write", "", "write the small corpus files to this folder")

// goodSample is analysed beside every hostile file; its findings must
// survive.
const goodSample = "../../samples/service-logon/bundle.zip"

// hangGuard only catches hangs; the real bounds are the counters: peak
// live heap and bytes allocated (the Go runtime's), and CPU time (the
// kernel's accounting of this process, which other load does not
// inflate the way it inflates wall-clock time).
const hangGuard = 2 * time.Minute

// Default bounds of a case that sets none.
const (
	defaultMaxCPU   = 5 * time.Second
	defaultMaxAlloc = 256 * mib
)

var (
	goodOnce sync.Once
	goodIDs  []string
)

func findingIDs(rep *report.Report) []string {
	var ids []string
	for _, f := range rep.Findings {
		if !strings.HasPrefix(f.ID, "bundle.") {
			ids = append(ids, f.ID+"/"+f.Key)
		}
	}
	sort.Strings(ids)
	return ids
}

func goodFindings(t *testing.T) []string {
	goodOnce.Do(func() {
		rep, err := analyze.Run([]string{goodSample}, analyze.Options{Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		goodIDs = findingIDs(rep)
	})
	if len(goodIDs) == 0 {
		t.Fatal("the good sample has no findings: the survival check would prove nothing")
	}
	return goodIDs
}

// heapSampler records the peak of live heap objects while a run goes on,
// from the runtime's own counters (no stop-the-world).
type heapSampler struct {
	peak atomic.Uint64
	stop chan struct{}
	done chan struct{}
}

const heapMetric = "/memory/classes/heap/objects:bytes"

func heapNow() uint64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func startHeapSampler() *heapSampler {
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			if v := heapNow(); v > h.peak.Load() {
				h.peak.Store(v)
			}
			select {
			case <-h.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return h
}

func (h *heapSampler) Stop() uint64 {
	close(h.stop)
	<-h.done
	return h.peak.Load()
}

// measured is one pipeline run with its costs.
type measured struct {
	rep        *report.Report
	err        error
	peakHeap   uint64 // above the baseline before the run
	totalAlloc uint64 // bytes allocated during the run
	elapsed    time.Duration
	cpu        time.Duration // process CPU time used during the run
	cpuOK      bool          // cpu was measured
}

// runPipeline analyses paths as `exlog analyze` does, measuring memory.
func runPipeline(t *testing.T, paths []string) measured {
	t.Helper()
	runtime.GC()
	runtime.GC()
	base := heapNow()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	alloc0 := ms.TotalAlloc
	h := startHeapSampler()
	cpu0, cpuOK := cputime.Process()
	start := time.Now()
	done := make(chan measured, 1)
	go func() {
		rep, err := analyze.Run(paths, analyze.Options{Version: "test"})
		done <- measured{rep: rep, err: err}
	}()
	var m measured
	select {
	case m = <-done:
	case <-time.After(hangGuard):
		t.Fatalf("analysis of %v did not finish within %v", paths, hangGuard)
	}
	m.elapsed = time.Since(start)
	if cpu1, ok := cputime.Process(); ok && cpuOK {
		m.cpu, m.cpuOK = cpu1-cpu0, true
	}
	peak := h.Stop()
	runtime.ReadMemStats(&ms)
	m.totalAlloc = ms.TotalAlloc - alloc0
	if peak > base {
		m.peakHeap = peak - base
	}
	return m
}

// messages lists what the report says about inputs: skips, input
// warnings and bundle.* evidence, each prefixed with its path.
func messages(rep *report.Report) []string {
	var out []string
	for _, s := range rep.Skipped {
		out = append(out, s.Path+": "+s.Reason)
	}
	for _, in := range rep.Inputs {
		for _, w := range in.Warnings {
			out = append(out, in.Path+": "+w.Origin+": "+w.Kind+": "+w.Message)
		}
	}
	for _, f := range rep.Findings {
		if strings.HasPrefix(f.ID, "bundle.") {
			for _, ev := range f.Evidence {
				out = append(out, ev.Origin+": "+ev.Text)
			}
		}
	}
	return out
}

// nastyCase is one hostile input and what exlog must say about it.
type nastyCase struct {
	path string
	// want: some message names the file (its base name) and contains one
	// of these (case-insensitive); empty: the file must at least be
	// listed as an input or a skip.
	want []string
	// maxHeap bounds the peak live heap above the baseline.
	maxHeap uint64
	// maxCPU bounds the CPU time of the run (0: defaultMaxCPU), maxAlloc
	// the bytes allocated (0: defaultMaxAlloc): together the time bound.
	maxCPU   time.Duration
	maxAlloc uint64
	// forbid must not occur anywhere in the JSON report.
	forbid []string
}

func checkCase(t *testing.T, c nastyCase) {
	t.Helper()
	good := goodFindings(t)
	m := runPipeline(t, []string{goodSample, c.path})
	if m.err != nil {
		t.Fatalf("analysis failed instead of reporting the file: %v", m.err)
	}
	if c.maxCPU == 0 {
		c.maxCPU = defaultMaxCPU
	}
	if c.maxAlloc == 0 {
		c.maxAlloc = defaultMaxAlloc
	}
	t.Logf("%s: CPU %v (bound %v), wall %v, peak heap +%.1f MiB (bound %.0f MiB), allocated %.1f MiB (bound %.0f MiB)",
		filepath.Base(c.path), m.cpu.Round(time.Millisecond), c.maxCPU, m.elapsed.Round(time.Millisecond),
		float64(m.peakHeap)/(1<<20), float64(c.maxHeap)/(1<<20), float64(m.totalAlloc)/(1<<20), float64(c.maxAlloc)/(1<<20))
	if m.peakHeap > c.maxHeap {
		t.Errorf("peak heap grew by %d bytes, bound %d", m.peakHeap, c.maxHeap)
	}
	if m.totalAlloc > c.maxAlloc {
		t.Errorf("allocated %d bytes, bound %d", m.totalAlloc, c.maxAlloc)
	}
	if m.cpuOK && m.cpu > c.maxCPU {
		t.Errorf("used %v of CPU, bound %v", m.cpu, c.maxCPU)
	}
	base := filepath.Base(c.path)
	msgs := messages(m.rep)
	named := false
	for _, in := range m.rep.Inputs {
		named = named || strings.Contains(in.Path, base)
	}
	for _, s := range m.rep.Skipped {
		named = named || strings.Contains(s.Path, base)
	}
	if !named {
		t.Errorf("%s is neither an input nor a skip: %q", base, msgs)
	}
	if len(c.want) > 0 {
		found := ""
		for _, msg := range msgs {
			if !strings.Contains(msg, base) {
				continue
			}
			said := strings.ToLower(strings.ReplaceAll(msg, base, "")) // the file's name must not satisfy the check
			for _, w := range c.want {
				if strings.Contains(said, strings.ToLower(w)) {
					found = msg
				}
			}
		}
		if found == "" {
			t.Errorf("no message names %s and says one of %q; messages:\n  %s", base, c.want, strings.Join(msgs, "\n  "))
		}
	}
	for _, msg := range msgs {
		if strings.Contains(msg, base) {
			t.Logf("message: %s", msg)
		}
	}
	b, _ := m.rep.MarshalIndent()
	for _, f := range c.forbid {
		if strings.Contains(string(b), f) {
			t.Errorf("report contains %q", f)
		}
	}
	got := map[string]bool{}
	for _, id := range findingIDs(m.rep) {
		got[id] = true
	}
	for _, id := range good {
		if !got[id] {
			t.Errorf("the good sample's finding %s is gone", id)
		}
	}
}

var (
	corpusOnce sync.Once
	corpusDir  string
	corpus     map[string][]byte
)

// corpusPath writes the small corpus once per test binary and returns
// the path of one file.
func corpusPath(t *testing.T, name string) string {
	corpusOnce.Do(func() {
		corpus = corpusFiles(t)
		dir, err := os.MkdirTemp("", "exlog-nasty-")
		if err != nil {
			t.Fatal(err)
		}
		corpusDir = dir
		for n, b := range corpus {
			if err := os.WriteFile(filepath.Join(dir, n), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	})
	if corpus[name] == nil {
		t.Fatalf("no corpus file %s", name)
	}
	return filepath.Join(corpusDir, name)
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if corpusDir != "" {
		os.RemoveAll(corpusDir)
	}
	os.Exit(code)
}

// TestNastyCorpusFiles writes the corpus with -nasty.write DIR (the
// committed copy under testdata/nasty) and checks a committed copy, if
// present, is what the generator makes.
func TestNastyCorpusFiles(t *testing.T) {
	files := corpusFiles(t)
	if *writeDir != "" {
		for n, b := range files {
			if len(b) > 4<<20 {
				continue // too big to commit: generated by the tests only
			}
			if err := os.WriteFile(filepath.Join(*writeDir, n), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for n, b := range files {
		got, err := os.ReadFile(filepath.Join("..", "..", "testdata", "nasty", n))
		if err != nil {
			continue
		}
		if string(got) != string(b) {
			t.Errorf("testdata/nasty/%s differs from the generator: regenerate it (see package doc)", n)
		}
	}
}

const mib = 1 << 20

func TestNastyInputs_ZipBomb(t *testing.T) {
	checkCase(t, nastyCase{path: corpusPath(t, "zip-bomb.zip"), want: []string{"--max-entry", "--max-ratio", "--max-total"}, maxHeap: 48 * mib})
}

func TestNastyInputs_LyingHeaders(t *testing.T) {
	checkCase(t, nastyCase{path: corpusPath(t, "lying-headers.zip"), want: []string{"declared", "checksum"}, maxHeap: 48 * mib})
}

func TestNastyInputs_NestedTooDeep(t *testing.T) {
	checkCase(t, nastyCase{path: corpusPath(t, "nested-deep.zip"), want: []string{"--max-depth"}, maxHeap: 48 * mib})
}

func TestNastyInputs_TwentyThousandEntries(t *testing.T) {
	checkCase(t, nastyCase{path: corpusPath(t, "many-entries.zip"), want: []string{"--max-files"}, maxHeap: 96 * mib})
}

func TestNastyInputs_BillionLaughs(t *testing.T) {
	checkCase(t, nastyCase{path: corpusPath(t, "billion-laughs.xml"), want: []string{"not expanded"}, maxHeap: 48 * mib, forbid: []string{"lollollol"}})
}

func TestNastyInputs_ExternalEntities(t *testing.T) {
	for _, name := range []string{"external-entity.xml", "TracingConfiguration-xxe.xml"} {
		t.Run(name, func(t *testing.T) {
			checkCase(t, nastyCase{path: corpusPath(t, name), want: []string{"nothing is fetched"}, maxHeap: 48 * mib, forbid: []string{"root:x:", "/bin/sh", "/usr/sbin/nologin"}})
		})
	}
}

func TestNastyInputs_UTF16OddBytes(t *testing.T) {
	checkCase(t, nastyCase{path: corpusPath(t, "utf16-odd.txt"), want: []string{"odd number"}, maxHeap: 48 * mib})
}

func TestNastyInputs_NULFilled(t *testing.T) {
	checkCase(t, nastyCase{path: corpusPath(t, "nul-filled.log"), want: []string{"binary", "not evidence"}, maxHeap: 48 * mib})
}

func TestNastyInputs_TruncatedGzip(t *testing.T) {
	checkCase(t, nastyCase{path: corpusPath(t, "truncated.log.gz"), want: []string{"gzip"}, maxHeap: 48 * mib})
}

func TestNastyInputs_TruncatedZip(t *testing.T) {
	checkCase(t, nastyCase{path: corpusPath(t, "truncated.zip"), want: []string{"zip", "cannot", "truncated"}, maxHeap: 48 * mib})
}

// TestNastyInputs_PathTraversal: names that would escape an extraction
// folder are only shown (with / separators), never written anywhere.
func TestNastyInputs_PathTraversal(t *testing.T) {
	cwd, _ := os.Getwd()
	before := listTree(t, cwd)
	tmpBefore := listTree(t, os.TempDir())
	p := corpusPath(t, "path-traversal.zip")
	checkCase(t, nastyCase{path: p, maxHeap: 48 * mib, forbid: []string{"root:x:"}})
	if after := listTree(t, cwd); !equal(before, after) {
		t.Errorf("files appeared in the working folder: %v", diff(before, after))
	}
	if _, err := os.Stat("/tmp/exlog-nasty-absolute.log"); err == nil {
		t.Error("/tmp/exlog-nasty-absolute.log was written")
	}
	_ = tmpBefore
	rep, err := analyze.Run([]string{p}, analyze.Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var origins []string
	for _, in := range rep.Inputs {
		origins = append(origins, in.Path)
		if strings.Contains(in.Path, `\`) {
			t.Errorf("origin keeps a backslash: %s", in.Path)
		}
	}
	t.Logf("origins: %q", origins)
	if len(origins) != 4 {
		t.Errorf("want the 4 members as inputs, got %q", origins)
	}
}

func listTree(t *testing.T, dir string) []string {
	var out []string
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func equal(a, b []string) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

func diff(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range a {
		in[x] = true
	}
	var out []string
	for _, x := range b {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}
