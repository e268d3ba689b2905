package patterns

import (
	"testing"
)

func TestLibraryLoads(t *testing.T) {
	l, err := Load()
	if err != nil {
		t.Fatalf("library does not load:\n%v", err)
	}
	for _, w := range l.Warnings() {
		t.Errorf("library warning: %s", w.Long())
	}
	for _, r := range l.Test() {
		if !r.Passed() {
			t.Errorf("%s", r)
		}
	}
}
