package syntax

import "testing"

func TestExplainsClause(t *testing.T) {
	src := "pattern a.b {\n  match message contains \"x\"\n  explains c.d, e.f-g\n}\npattern c.d { match message contains \"y\" }\n"
	roundTrip(t, "explains.exlog", src)
	r, probs := Parse("explains.exlog", src)
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	var names []string
	for _, cl := range r.File.Patterns[0].Clauses {
		if cl.Explains != nil {
			for _, n := range cl.Explains.Names {
				names = append(names, n.Name)
			}
		}
	}
	if len(names) != 2 || names[0] != "c.d" || names[1] != "e.f-g" {
		t.Fatalf("explains names = %v", names)
	}
	// A missing id is a syntax error (where it is reported is the
	// parser's recovery business, shared with every clause).
	_, probs = Parse("bad.exlog", "pattern a.b {\n  match message contains \"x\"\n  explains\n}\n")
	if len(probs) != 1 {
		t.Fatalf("want one error, got %v", probs)
	}
}
