package event

import "testing"

func TestParseGUID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"{1e741849-9dc0-49cd-82c5-cbb0ee8bb9ca}", "1e741849-9dc0-49cd-82c5-cbb0ee8bb9ca", true},
		{"1E741849-9DC0-49CD-82C5-CBB0EE8BB9CA", "1e741849-9dc0-49cd-82c5-cbb0ee8bb9ca", true},
		{"{00000000-0000-0000-0000-000000000000}", "", true},
		{"1e741849-9dc0-49cd-82c5-cbb0ee8bb9c", "", false},   // short
		{"1e741849-9dc0-49cd-82c5-cbb0ee8bb9cg", "", false},  // not hex
		{"1e74184--9dc0-49cd-82c5-cbb0ee8bb9ca", "", false},  // dash in a hex position
		{"-e741849-9dc0-49cd-82c5-cbb0ee8bb9c-", "", false},  // dashes at the ends
		{"1e741849x9dc0-49cd-82c5-cbb0ee8bb9ca", "", false},  // missing dash
		{"1e741849-9dc0-49cd-82c5-cbb0ee8bb9ca-", "", false}, // long
		{"{1e741849-9dc0-49cd-82c5-cbb0ee8bb9ca", "", false}, // one brace
	} {
		g, ok := ParseGUID([]byte(tc.in))
		if ok != tc.ok || g.String() != tc.want {
			t.Errorf("ParseGUID(%q) = %q, %v; want %q, %v", tc.in, g, ok, tc.want, tc.ok)
		}
	}
}

func FuzzParseGUID(f *testing.F) {
	f.Add("{1e741849-9dc0-49cd-82c5-cbb0ee8bb9ca}")
	f.Add("1e74184--9dc0-49cd-82c5-cbb0ee8bb9ca")
	f.Fuzz(func(t *testing.T, s string) {
		g, ok := ParseGUID([]byte(s))
		if !ok {
			return
		}
		back, ok2 := ParseGUID([]byte(g.String()))
		if !g.IsZero() && (!ok2 || back != g) {
			t.Fatalf("%q → %q does not round-trip", s, g)
		}
	})
}
