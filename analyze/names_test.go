package analyze

import "testing"

// A server captured from a message must look like one: CHANGES once said
// "sync talked to Exchange server GetNextCommand instead of cmb-ex16-01".
func TestCASServerMustLookLikeAHost(t *testing.T) {
	cases := []struct{ text, want string }{
		{"cmb-ex16-01: Connected", "cmb-ex16-01"},
		{"cas01.contoso.com: Connected", "cas01.contoso.com"},
		{"EXCH01: Connected", "EXCH01"},
		{"EXCHANGE: Connected", "EXCHANGE"},
		{"Exchange health: 'Server health 'Name: 'PowerShellExchangeServer: <Name=cmb-ex16-01>' Status: Connected','", "cmb-ex16-01"},
		{"GetNextCommand: received command 4c1d (quick sync)", ""},
		{"Handling command: Getting the mobile device list with a time filter (quick sync)", ""},
		{"Exchange: Connected", ""},
		{"Sync: Connected", ""},
		{"PowerShellExchangeServer: <Name=GetNextCommand>", ""},
		{"-bad-: Connected", ""},
		{"cas01..contoso.com: Connected", ""},
	}
	for _, c := range cases {
		if got := casServer(c.text); got != c.want {
			t.Errorf("casServer(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}
