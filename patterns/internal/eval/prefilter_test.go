package eval

import (
	"math/rand"
	"sort"
	"strings"
	"testing"
)

// The automaton must report exactly the literals a naive search finds,
// ignoring ASCII case.
func TestPrefilterFindsEveryLiteral(t *testing.T) {
	lits := []string{"(407)", "timed out", "out", "get next command", "407", "a", "command", "xyz(full sync)"}
	ids := make([][]int32, len(lits))
	for i := range lits {
		ids[i] = []int32{int32(i)}
	}
	pf := buildPrefilter(lits, ids)
	r := rand.New(rand.NewSource(1))
	alphabet := []string{"(407)", "TIMED", " ", "out", "Get Next", "command", "xyz", "(FULL sync)", "é", "4", "0", "7", "\n"}
	for n := 0; n < 5000; n++ {
		var b strings.Builder
		for k := r.Intn(12); k >= 0; k-- {
			b.WriteString(alphabet[r.Intn(len(alphabet))])
		}
		msg := b.String()
		got := map[int32]bool{}
		s := uint32(0)
		for i := 0; i < len(msg); i++ {
			s = pf.delta[int(s)*pf.nclass+int(pf.class[msg[i]])]
			for _, id := range pf.out[s] {
				got[id] = true
			}
		}
		low := strings.ToLower(msg)
		for i, l := range lits {
			if want := strings.Contains(low, l); want != got[int32(i)] {
				keys := []int{}
				for k := range got {
					keys = append(keys, int(k))
				}
				sort.Ints(keys)
				t.Fatalf("message %q literal %q: want %v, automaton found %v", msg, l, want, keys)
			}
		}
	}
}
