package analyze

import (
	"bytes"
	"crypto/sha256"
	"io"
	"path"
	"regexp"
	"sort"
)

// Copies of one file (issue 15 point 9): the same Logs folder zipped
// twice, once as it is and once as "<guid>_ConnectorN.log" copies, must
// be read once. A copy is recognised by content: its bytes equal the
// original's, or are the start of them (a copy taken earlier, before the
// service wrote more). It is listed in inputs[] with duplicate_of naming
// the original, and not read; findings and counts cite the original.

// dupHeadSize is how much of each file is hashed to find candidates.
const dupHeadSize = 4 << 10

// guidPrefix matches a GUID (with or without braces) at the start of a
// file name, as in "6f2c...-..._Connector0.log".
var guidPrefix = regexp.MustCompile(`(?i)^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?[_.-]`)

// markDuplicateInputs sets DuplicateOf on every input whose content is
// another input's content or a prefix of it.
func (a *run) markDuplicateInputs() {
	type cand struct {
		in    *input
		order int
	}
	groups := map[[sha256.Size]byte][]cand{}
	var keys [][sha256.Size]byte
	for i, in := range a.inputs {
		e := in.src.Entry
		if e.OnceOnly || e.Size <= 0 {
			continue
		}
		h, ok := headHash(in)
		if !ok {
			continue
		}
		// Files shorter than the hashed head match identical copies only.
		if e.Size < dupHeadSize {
			h[0] ^= byte(e.Size)
			h[1] ^= byte(e.Size >> 8)
		}
		var k [sha256.Size]byte
		copy(k[:], h[:])
		k[2] ^= byte(in.src.Format)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], cand{in, i})
	}
	for _, k := range keys {
		g := groups[k]
		if len(g) < 2 {
			continue
		}
		// The original: the largest (it holds the others), then the one
		// without a GUID prefix, then the first in the bundle.
		sort.SliceStable(g, func(i, j int) bool {
			a, b := g[i].in.src.Entry, g[j].in.src.Entry
			if a.Size != b.Size {
				return a.Size > b.Size
			}
			ga, gb := guidPrefix.MatchString(path.Base(a.Path)), guidPrefix.MatchString(path.Base(b.Path))
			if ga != gb {
				return !ga
			}
			return g[i].order < g[j].order
		})
		for i := 1; i < len(g); i++ {
			for j := 0; j < i; j++ {
				orig := g[j].in
				if orig.rep.DuplicateOf != "" {
					continue
				}
				if isPrefixOf(g[i].in, orig) {
					g[i].in.rep.DuplicateOf = orig.rep.Path
					break
				}
			}
		}
	}
}

func headHash(in *input) ([sha256.Size]byte, bool) {
	rc, err := in.src.Entry.Open()
	if err != nil {
		return [sha256.Size]byte{}, false
	}
	defer rc.Close()
	buf := make([]byte, dupHeadSize)
	n, err := io.ReadFull(rc, buf)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return [sha256.Size]byte{}, false
	}
	return sha256.Sum256(buf[:n]), true
}

// isPrefixOf reports whether small's bytes are the start of big's.
func isPrefixOf(small, big *input) bool {
	if small.src.Entry.Size > big.src.Entry.Size {
		return false
	}
	rs, err := small.src.Entry.Open()
	if err != nil {
		return false
	}
	defer rs.Close()
	rb, err := big.src.Entry.Open()
	if err != nil {
		return false
	}
	defer rb.Close()
	bs, bb := make([]byte, 64<<10), make([]byte, 64<<10)
	for {
		n, err := io.ReadFull(rs, bs)
		if n > 0 {
			if m, _ := io.ReadFull(rb, bb[:n]); m != n || !bytes.Equal(bs[:n], bb[:n]) {
				return false
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return true
		}
		if err != nil {
			return false
		}
	}
}

// skipDuplicate reports whether an input is a copy not to be read.
func skipDuplicate(in *input) bool { return in.rep.DuplicateOf != "" }
