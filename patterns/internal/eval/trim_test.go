package eval

import (
	"strings"
	"testing"
)

func TestTrimAround(t *testing.T) {
	head := "The Microsoft Intune Exchange Connector Service service failed to start due to the following error: "
	msg := head + "The service did not start because of a logon failure. " + strings.Repeat("padding words here ", 20)
	msg = strings.Repeat("Earlier context that pushes the cause far along. ", 3) + msg
	i := strings.Index(msg, "logon failure")
	got := TrimAround(msg, i, i+len("logon failure"), MaxTextLen)
	if !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") {
		t.Errorf("both cuts not marked: %q", got)
	}
	if j := strings.Index(got, "logon failure"); j < 0 || len([]rune(got[:j]))+len("logon failure") > ShownLen {
		t.Errorf("match not within the first %d characters: %q", ShownLen, got)
	}
	body := strings.TrimSuffix(strings.TrimPrefix(got, "…"), "…")
	if at := strings.Index(msg, body); at <= 0 || msg[at-1] != ' ' {
		t.Errorf("start cut not at a word boundary: %q", got)
	}
	// A match near the start: cut from the start as before.
	if got := TrimAround(msg, 4, 13, MaxTextLen); got != Trim(msg, MaxTextLen) {
		t.Errorf("early match: %q", got)
	}
	// Positions that do not fit the text: fall back to Trim.
	if got := TrimAround("short", 3, 99, MaxTextLen); got != "short" {
		t.Errorf("bad span: %q", got)
	}
	// Multi-byte runes before the match: the cut stays valid UTF-8.
	m := strings.Repeat("é", 200) + " x match"
	k := strings.Index(m, "match")
	if got := TrimAround(m, k, k+5, MaxTextLen); !strings.Contains(got, "match") || !strings.HasPrefix(got, "…") || strings.ContainsRune(got, '\uFFFD') {
		t.Errorf("multi-byte: %q", got)
	}
}
