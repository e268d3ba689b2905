package event

import (
	"encoding/json"
	"regexp"
	"testing"
)

// Every declared kind has a name of its own, kebab-case, and round-trips
// to JSON as that name; the zero value has none.
func TestWarningKindNames(t *testing.T) {
	kebab := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	seen := map[string]WarningKind{}
	kinds := WarningKinds()
	if len(kinds) < 30 {
		t.Fatalf("only %d kinds declared", len(kinds))
	}
	for _, k := range kinds {
		name := k.String()
		if !kebab.MatchString(name) {
			t.Errorf("kind %d: name %q is not kebab-case", k, name)
		}
		if o, dup := seen[name]; dup {
			t.Errorf("kinds %d and %d are both %q", o, k, name)
		}
		seen[name] = k
		b, err := json.Marshal(ReadWarning{Kind: k})
		if err != nil || !regexp.MustCompile(`"Kind":"`+name+`"`).Match(b) {
			t.Errorf("kind %q marshals as %s (%v)", name, b, err)
		}
	}
	if KindInvalid.String() != "" || numWarningKinds.String() != "" || WarningKind(255).String() != "" {
		t.Errorf("invalid kinds have names: %q %q %q", KindInvalid, numWarningKinds, WarningKind(255))
	}
}

// The same problem has one spelling: the ones unified in issue 22 stay
// unified, and the names reports always used stay as they were.
func TestWarningKindSpellings(t *testing.T) {
	names := map[string]bool{}
	for _, k := range WarningKinds() {
		names[k.String()] = true
	}
	for _, gone := range []string{"value-too-long", "line-too-long", "bad-value", "broken"} {
		if names[gone] {
			t.Errorf("%q is back: spell it as the other readers do", gone)
		}
	}
	for _, kept := range []string{"truncated-record", "oversize-record", "bad-record", "garbage", "long-value", "long-line", "bad-field", "bad-time", "no-timezone", "utf16-resync", "read-error", "odd-length"} {
		if !names[kept] {
			t.Errorf("%q is gone from the report vocabulary", kept)
		}
	}
}

// Broken is the report's Input.Broken: records lost or cut, nothing else
// (a record damaged but kept, a field or value cut, is not broken).
func TestWarningKindBroken(t *testing.T) {
	want := map[WarningKind]bool{KindTruncated: true, KindOversize: true, KindBadRecord: true, KindGarbage: true,
		// records skipped or dropped by the .evtx, event-log and cmdlet readers
		KindBrokenRecord: true, KindMalformedRecord: true, KindMalformedRow: true, KindNotAnObject: true,
		KindTooDeep: true, KindRecordTooLong: true}
	for _, k := range append(WarningKinds(), KindInvalid) {
		if k.Broken() != want[k] {
			t.Errorf("%q.Broken() = %v, want %v", k, k.Broken(), want[k])
		}
	}
}
