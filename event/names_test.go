package event

import "testing"

func TestCheckCapture(t *testing.T) {
	for _, c := range []struct{ name, v, want string }{
		{"server", "cmb-ex16-01", "cmb-ex16-01"},
		{"server", "CAS01.contoso.com", "CAS01.contoso.com"},
		{"server", "GetNextCommand", ""},
		{"remote", "Handling", ""},
		{"host", "EXCH", "EXCH"},
		{"status", "Disconnected", "Disconnected"}, // not a host capture: as written
		{"account", "CMB\\svc_intunecon", "CMB\\svc_intunecon"},
	} {
		if got := CheckCapture(c.name, c.v); got != c.want {
			t.Errorf("CheckCapture(%q, %q) = %q, want %q", c.name, c.v, got, c.want)
		}
	}
}
