package didyoumean

import "testing"

func TestNearest(t *testing.T) {
	cands := []string{"analyze", "index", "setup", "serve", "message", "contains"}
	for _, c := range []struct {
		word string
		max  int
		want string
	}{
		{"anlyze", 2, "analyze"},
		{"ANALYSE", 2, "analyze"},
		{"mesage", 2, "message"},
		{"containz", 2, "contains"},
		{"xyz", 1, ""},
		{"serve", 3, "setup"}, // an exact candidate is skipped: the next nearest
	} {
		if got := Nearest(c.word, cands, c.max); got != c.want {
			t.Errorf("Nearest(%q, %d) = %q, want %q", c.word, c.max, got, c.want)
		}
	}
	if d := Distance("kitten", "sitting"); d != 3 {
		t.Errorf("Distance = %d, want 3", d)
	}
}
