// Package bundle lists the evidence files of a bundle: zip archives (zips
// inside zips included), folders, single files and standard input. It
// never extracts anything to disk: entries are read lazily, straight out of
// the archive, through readers that enforce the archive-bomb limits.
//
// A Bundle is built once by Open or OpenReader on one goroutine; after
// that its methods and the Open functions of its entries may be used from
// several goroutines.
package bundle

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Limits caps what archives may cost. A zero or negative field means "the
// default" (see DefaultLimits). Every refusal names the limit's command
// line flag so the user knows what to raise.
type Limits struct {
	// MaxTotal caps the uncompressed bytes read from archives over the
	// whole bundle (--max-total). Checked against the sizes the central
	// directories declare when listing, and against the bytes actually
	// produced while reading (re-opening an entry counts again).
	MaxTotal int64
	// MaxEntry caps one archive entry's uncompressed size (--max-entry).
	MaxEntry int64
	// MaxRatio caps uncompressed/compressed for one entry (--max-ratio).
	// Entries that expand to less than RatioFloor are exempt: tiny files
	// compress absurdly well and are harmless.
	MaxRatio float64
	// MaxDepth is how many zips deep are followed (--max-depth): a zip
	// given on the command line is depth 1, a zip inside it depth 2.
	MaxDepth int
	// MaxFiles caps the number of entries listed (--max-files); the
	// rest are reported as one Skip.
	MaxFiles int
	// MaxNestedInMemory caps the bytes of zips buffered to be read, in
	// total over the bundle (--max-nested-mem): compressed nested zips and
	// a zip read from standard input or a pipe. Up to 4 MiB each they are
	// held in memory, larger ones in a private temporary file (unlinked at
	// once where the system allows), so memory stays flat. A nested zip
	// stored without compression inside a zip is read in place and needs
	// no buffer.
	MaxNestedInMemory int64
}

// RatioFloor is the uncompressed size below which MaxRatio never refuses
// an entry.
const RatioFloor = 1 << 20

// DefaultLimits returns the limits used when the user sets none.
func DefaultLimits() Limits {
	return Limits{
		MaxTotal:          4 << 30,
		MaxEntry:          1 << 30,
		MaxRatio:          200,
		MaxDepth:          4,
		MaxFiles:          10000,
		MaxNestedInMemory: 256 << 20,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxTotal <= 0 {
		l.MaxTotal = d.MaxTotal
	}
	if l.MaxEntry <= 0 {
		l.MaxEntry = d.MaxEntry
	}
	if !(l.MaxRatio > 0) {
		l.MaxRatio = d.MaxRatio
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = d.MaxFiles
	}
	if l.MaxNestedInMemory <= 0 {
		l.MaxNestedInMemory = d.MaxNestedInMemory
	}
	return l
}

// Entry is one leaf file of the bundle.
type Entry struct {
	// Path is the origin path: "case.zip!logs.zip!Logs/Connector3.log"
	// for archive members ("\" in zip names becomes "/", nested archives
	// chain with "!"; a second member with the same name in one archive
	// gets "#2" appended, a third "#3", so paths are unique); for folder
	// inputs the folder's base name then the relative path
	// ("bundle/Logs/Connector3.log"); a single file's (or named pipe's)
	// base name; "stdin" for standard input ("stdin!x.log" inside a zip
	// from it). Inputs sharing a base name get "#2", "#3" after it.
	Path string
	// Size is the uncompressed size if known (declared by the archive or
	// from the file system), else -1. An empty file has Size 0.
	Size    int64
	ModTime time.Time
	// ModTimeUTC says ModTime is a known instant: a file system's time,
	// or a zip member's extended-timestamp (0x5455), NTFS (0x000a) or
	// Info-ZIP Unix (0x5855) time. A zip member with only the DOS
	// date/time holds the local time of the zipping machine in a zone
	// the zip does not record: ModTime then carries that wall clock (in
	// time.UTC, as archive/zip returns it) and ModTimeUTC is false, so
	// it must not be shown with a "Z" nor compared with UTC times.
	ModTimeUTC bool
	// OnceOnly is set for a stream that can be read only once (standard
	// input that is not a zip): its Open succeeds only the first time.
	OnceOnly bool
	// Open returns a fresh reader of the entry's bytes; the caller closes
	// it. Open may be called concurrently for different entries (and for
	// the same entry, except OnceOnly ones). Readers of archive members
	// stop with an error naming the entry and the limit when MaxEntry,
	// MaxTotal or MaxRatio is exceeded, or when the member expands beyond
	// its declared size or fails its checksum. Open fails after the
	// Bundle is closed.
	Open func() (io.ReadCloser, error)
}

// Skip is something found in the bundle that will not be read, and why
// (one line, naming the limit and flag when a limit refused it).
type Skip struct {
	Path   string
	Reason string
	// Limit is the cap that refused it, or "" when no cap did (not a
	// file exlog reads, a broken zip...).
	Limit Limit
}

// Limit names one of the Limits by its command-line flag.
type Limit string

// The Limits, by flag.
const (
	LimitTotal     Limit = "--max-total"
	LimitEntry     Limit = "--max-entry"
	LimitRatio     Limit = "--max-ratio"
	LimitDepth     Limit = "--max-depth"
	LimitFiles     Limit = "--max-files"
	LimitNestedMem Limit = "--max-nested-mem"
)

// LimitError is the error of a member's reader stopped by a cap while
// reading. Error() names the member; Reason does not (for a warning that
// names the member already).
type LimitError struct {
	Path   string
	Limit  Limit
	Reason string
}

func (e *LimitError) Error() string { return e.Path + ": " + e.Reason }

// Bundle is the listed content of the inputs.
type Bundle struct {
	lim     Limits
	entries []Entry
	skipped []Skip

	// Listing state (single goroutine, during Open).
	declared    int64 // sum of declared uncompressed sizes of accepted archive members
	overflow    int   // entries not listed because of MaxFiles
	overflowAt  string
	inMemory    int64 // bytes of zips buffered (MaxNestedInMemory budget)
	stdinListed bool

	total   atomic.Int64 // uncompressed bytes read from archives so far
	closed  atomic.Bool
	closeMu sync.Mutex
	closers []io.Closer // archive files kept open for lazy reading
}

var errClosed = errors.New("bundle is closed")

func newBundle(lim Limits) *Bundle { return &Bundle{lim: lim.withDefaults()} }

// Open lists every path: a zip file (detected by content, whatever its
// name), a folder (recursively; symbolic links followed, loops refused),
// a single file, or "-" for standard input. A path that cannot be found
// or stat'ed is an error (and nothing is returned); everything found but
// refused becomes a Skip. Entries keep the order of paths; within a folder
// or an archive they are sorted by name. Two inputs with the same base
// name get "#2", "#3" appended to the later ones' names. A named pipe
// given as a path is read like standard input (see OpenReader); inside
// folders, pipes and devices are skipped.
func Open(paths []string, lim Limits) (*Bundle, error) {
	b := newBundle(lim)
	names := map[string]int{} // input display names, to keep paths unique
	unique := func(name string) string {
		names[name]++
		if n := names[name]; n > 1 {
			return name + "#" + strconv.Itoa(n)
		}
		return name
	}
	for _, p := range paths {
		if p == "-" {
			if b.stdinListed {
				b.Close()
				return nil, errors.New(`standard input ("-") given more than once`)
			}
			b.stdinListed = true
			b.addReader(unique("stdin"), os.Stdin)
			continue
		}
		fi, err := os.Stat(p)
		if err != nil {
			b.Close()
			return nil, err
		}
		switch {
		case fi.IsDir():
			b.walk(p, unique(folderName(p)), []fs.FileInfo{fi})
		case fi.Mode().IsRegular():
			b.addFile(p, unique(filepath.Base(p)), fi)
		case fi.Mode()&(fs.ModeNamedPipe|fs.ModeCharDevice) != 0:
			// A pipe named on the command line, e.g. bash's <(curl …):
			// read it like standard input.
			f, err := os.Open(p)
			if err != nil {
				b.Close()
				return nil, err
			}
			b.keepOpen(f)
			b.addReader(unique(filepath.Base(p)), f)
		default:
			b.skip(unique(filepath.Base(p)), "not a regular file (device, pipe or socket)")
		}
	}
	b.finish()
	return b, nil
}

// OpenReader lists a bundle read from r (standard input), shown as name.
// A zip (detected by its first bytes) is read into memory, up to
// MaxNestedInMemory, and its members become entries "name!member". Any
// other content is one OnceOnly entry streamed from r: its Open works
// once. r must stay readable until that entry is read; OpenReader never
// closes it.
func OpenReader(name string, r io.Reader, lim Limits) (*Bundle, error) {
	b := newBundle(lim)
	b.addReader(name, r)
	b.finish()
	return b, nil
}

// Entries returns the leaf entries, in input order, sorted by name within
// each folder or archive. The slice is shared: do not modify it.
func (b *Bundle) Entries() []Entry { return b.entries }

// Skipped returns what was found but refused, in the order found.
func (b *Bundle) Skipped() []Skip { return b.skipped }

// Close releases the archive files. Entry readers still open fail from
// then on, and Entry.Open returns an error. Close may be called twice.
func (b *Bundle) Close() error {
	b.closed.Store(true)
	b.closeMu.Lock()
	defer b.closeMu.Unlock()
	var first error
	for _, c := range b.closers {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	b.closers = nil
	return first
}

func (b *Bundle) skip(path, reason string) {
	b.skipped = append(b.skipped, Skip{Path: path, Reason: reason})
}

// skipErr records a Skip for a read that failed with err, with the cap
// that stopped it if one did (the reason then leaves out the path, which
// the Skip names already).
func (b *Bundle) skipErr(path, what string, err error) {
	var le *LimitError
	if errors.As(err, &le) {
		b.skipLimit(path, le.Limit, what+le.Reason)
		return
	}
	b.skip(path, what+err.Error())
}

// skipLimit records a Skip refused by the cap lim.
func (b *Bundle) skipLimit(path string, lim Limit, reason string) {
	b.skipped = append(b.skipped, Skip{Path: path, Reason: reason, Limit: lim})
}

// admit counts one more entry against MaxFiles.
func (b *Bundle) admit(path string) bool {
	if len(b.entries) >= b.lim.MaxFiles {
		if b.overflow == 0 {
			b.overflowAt = path
		}
		b.overflow++
		return false
	}
	return true
}

func (b *Bundle) finish() {
	if b.overflow > 0 {
		b.skipLimit(b.overflowAt, LimitFiles, fmt.Sprintf("this and %d more files not listed: the bundle holds more than --max-files=%d files",
			b.overflow-1, b.lim.MaxFiles))
	}
}

// sigLen is how many leading bytes identify a zip.
const sigLen = 4

// isZip reports whether head starts like a zip archive: a local file
// header, an empty archive's end record, or a split-archive marker.
func isZip(head []byte) bool {
	if len(head) < sigLen || head[0] != 'P' || head[1] != 'K' {
		return false
	}
	s := string(head[2:4])
	return s == "\x03\x04" || s == "\x05\x06" || s == "\x07\x08"
}

// addFile lists one regular file: a zip is opened and kept open; anything
// else is an entry that reopens the file on demand.
func (b *Bundle) addFile(osPath, bundlePath string, fi fs.FileInfo) {
	if !b.admit(bundlePath) {
		return
	}
	f, err := os.Open(osPath)
	if err != nil {
		b.skip(bundlePath, "cannot read: "+err.Error())
		return
	}
	head := make([]byte, sigLen)
	n, err := f.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		f.Close()
		b.skip(bundlePath, "cannot read: "+err.Error())
		return
	}
	if isZip(head[:n]) {
		if b.addZip(bundlePath, f, fi.Size(), 1) {
			b.keepOpen(f)
		} else {
			f.Close()
		}
		return
	}
	f.Close()
	b.entries = append(b.entries, Entry{
		Path:       bundlePath,
		Size:       fi.Size(),
		ModTime:    fi.ModTime(),
		ModTimeUTC: true,
		Open: func() (io.ReadCloser, error) {
			if b.closed.Load() {
				return nil, fmt.Errorf("%s: %w", bundlePath, errClosed)
			}
			return os.Open(osPath)
		},
	})
}

func (b *Bundle) keepOpen(c io.Closer) {
	b.closeMu.Lock()
	b.closers = append(b.closers, c)
	b.closeMu.Unlock()
}

// folderName is the prefix of a folder input's entries: its base name
// ("" for a file-system root).
func folderName(osPath string) string {
	name := filepath.Base(filepath.Clean(osPath))
	if name == "." || name == ".." {
		if abs, err := filepath.Abs(osPath); err == nil {
			name = filepath.Base(abs)
		}
	}
	if name == "." || name == "/" || name == string(filepath.Separator) || strings.HasSuffix(name, `:\`) {
		return "" // a file-system root, such as "/" or `D:\`
	}
	return name
}

// walk lists a folder recursively. ancestors holds the folders on the way
// down (following symbolic links), to refuse links that loop.
func (b *Bundle) walk(osDir, bundleDir string, ancestors []fs.FileInfo) {
	des, err := os.ReadDir(osDir)
	if err != nil {
		b.skip(orDot(bundleDir), "cannot read folder: "+err.Error())
	}
	for _, de := range des {
		osPath := filepath.Join(osDir, de.Name())
		bp := de.Name()
		if bundleDir != "" {
			bp = bundleDir + "/" + de.Name()
		}
		fi, err := os.Stat(osPath) // follows symbolic links
		if err != nil {
			if de.Type()&fs.ModeSymlink != 0 {
				b.skip(bp, "broken or unreadable symbolic link: "+err.Error())
			} else {
				b.skip(bp, "cannot read: "+err.Error())
			}
			continue
		}
		switch {
		case fi.IsDir():
			if loopsBack(fi, ancestors) {
				b.skip(bp, "symbolic link loop: points back to a folder that contains it")
				continue
			}
			b.walk(osPath, bp, append(ancestors[:len(ancestors):len(ancestors)], fi))
		case fi.Mode().IsRegular():
			b.addFile(osPath, bp, fi)
		default:
			b.skip(bp, "not a regular file (device, pipe or socket)")
		}
	}
}

func loopsBack(fi fs.FileInfo, ancestors []fs.FileInfo) bool {
	for _, a := range ancestors {
		if os.SameFile(fi, a) {
			return true
		}
	}
	return false
}

func orDot(s string) string {
	if s == "" {
		return "."
	}
	return s
}

// stdinPeek is how much of standard input is buffered to sniff it.
const stdinPeek = 64 << 10

// addReader lists a one-shot stream: a zip is read into memory, anything
// else becomes one OnceOnly entry.
func (b *Bundle) addReader(name string, r io.Reader) {
	br := bufio.NewReaderSize(r, stdinPeek)
	head, err := br.Peek(sigLen)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		b.skip(name, "cannot read: "+err.Error())
		return
	}
	if isZip(head) {
		budget := b.lim.MaxNestedInMemory - b.inMemory
		buf, over, err := bufferZip(br, 0, budget)
		switch {
		case err != nil:
			b.skip(name, "cannot read zip: "+err.Error())
			return
		case over:
			b.skipLimit(name, LimitNestedMem, fmt.Sprintf("zip read from a stream is larger than --max-nested-mem=%s (it must be buffered to be read); save it to a file and pass its path, or raise --max-nested-mem", flagBytes(b.lim.MaxNestedInMemory)))
			return
		}
		b.inMemory += buf.size
		b.keepOpen(buf)
		b.addZip(name, buf, buf.size, 1)
		return
	}
	if !b.admit(name) {
		return
	}
	size := int64(-1)
	if len(head) == 0 {
		size = 0
	}
	var once atomic.Bool
	b.entries = append(b.entries, Entry{
		Path:     name,
		Size:     size,
		OnceOnly: true,
		Open: func() (io.ReadCloser, error) {
			if b.closed.Load() {
				return nil, fmt.Errorf("%s: %w", name, errClosed)
			}
			if !once.CompareAndSwap(false, true) {
				return nil, fmt.Errorf("%s: a stream can be read only once", name)
			}
			return io.NopCloser(br), nil
		},
	})
}

// flagBytes renders a byte count in a form the command line accepts.
func flagBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%d", n)
}

// humanBytes renders a byte count for people: "2.0 GiB", "512 B".
func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}

// trimFloat renders a ratio limit without trailing zeros ("200", "2.5").
func trimFloat(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.3f", f), "0"), ".")
}

// Value is the setting of the cap lim in l, as its flag takes it
// ("4GiB", "200", "4").
func (l Limits) Value(lim Limit) string {
	l = l.withDefaults()
	switch lim {
	case LimitTotal:
		return flagBytes(l.MaxTotal)
	case LimitEntry:
		return flagBytes(l.MaxEntry)
	case LimitRatio:
		return trimFloat(l.MaxRatio)
	case LimitDepth:
		return fmt.Sprint(l.MaxDepth)
	case LimitFiles:
		return fmt.Sprint(l.MaxFiles)
	case LimitNestedMem:
		return flagBytes(l.MaxNestedInMemory)
	}
	return ""
}
