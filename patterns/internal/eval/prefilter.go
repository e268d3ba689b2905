package eval

// prefilter is an Aho-Corasick automaton over ASCII-case-folded bytes: one
// pass over a message finds every required literal it contains, and so
// every probe worth evaluating. It is immutable after build and may be
// shared.
type prefilter struct {
	class  [256]uint16 // byte → input class (0: byte in no literal)
	nclass int
	delta  []uint32 // state*nclass+class → next state
	out    [][]int32
	hasOut []bool
}

// buildPrefilter indexes literals (already lower-case ASCII); ids[i] are
// the probe ids reported when literal i is found.
func buildPrefilter(lits []string, ids [][]int32) *prefilter {
	p := &prefilter{}
	next := uint16(1)
	for _, l := range lits {
		for i := 0; i < len(l); i++ {
			c := l[i]
			if p.class[c] == 0 {
				p.class[c] = next
				next++
			}
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		p.class[c] = p.class[c+'a'-'A']
	}
	p.nclass = int(next)

	// Trie.
	type node struct {
		child map[uint16]int
		out   []int32
	}
	nodes := []node{{child: map[uint16]int{}}}
	for li, l := range lits {
		s := 0
		for i := 0; i < len(l); i++ {
			c := p.class[l[i]]
			n, ok := nodes[s].child[c]
			if !ok {
				n = len(nodes)
				nodes = append(nodes, node{child: map[uint16]int{}})
				nodes[s].child[c] = n
			}
			s = n
		}
		nodes[s].out = append(nodes[s].out, ids[li]...)
	}

	// Breadth-first: failure links and the full transition table.
	nc := p.nclass
	p.delta = make([]uint32, len(nodes)*nc)
	fail := make([]int, len(nodes))
	p.out = make([][]int32, len(nodes))
	p.hasOut = make([]bool, len(nodes))
	queue := []int{}
	for c := 0; c < nc; c++ {
		if n, ok := nodes[0].child[uint16(c)]; ok && c != 0 {
			p.delta[c] = uint32(n)
			queue = append(queue, n)
		}
	}
	p.out[0] = nodes[0].out
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		p.out[s] = dedupeIDs(append(append([]int32(nil), nodes[s].out...), p.out[fail[s]]...))
		p.hasOut[s] = len(p.out[s]) > 0
		for c := 0; c < nc; c++ {
			if n, ok := nodes[s].child[uint16(c)]; ok && c != 0 {
				fail[n] = int(p.delta[fail[s]*nc+c])
				p.delta[s*nc+c] = uint32(n)
				queue = append(queue, n)
			} else {
				p.delta[s*nc+c] = p.delta[fail[s]*nc+c]
			}
		}
	}
	return p
}

func dedupeIDs(ids []int32) []int32 {
	out := ids[:0]
	for _, id := range ids {
		dup := false
		for _, o := range out {
			if o == id {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, id)
		}
	}
	return out
}
