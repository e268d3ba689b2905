package config

import (
	"fmt"
	"io"
	"strings"

	"exlog/event"
)

// Service is what OnPremisesExchangeConnectorServiceConfiguration.xml says.
type Service struct {
	// ExchangeWebServiceURL is the hard-coded EWS URL; EWSURLSet reports
	// that it is present and not empty (Autodiscover is then bypassed).
	ExchangeWebServiceURL string
	EWSURLSet             bool
	// IsCasFailoverEnabled and EnableParallelCommandSupport are nil when
	// the file does not set them (or sets an unreadable value).
	IsCasFailoverEnabled         *bool
	EnableParallelCommandSupport *bool
	// Other holds every other leaf element by local name (first
	// occurrence). Values of names that look like secrets (password,
	// secret, token, credential) are replaced by "<redacted>".
	Other map[string]string
	// Lines gives the 1-based line of each setting found, by name
	// ("ExchangeWebServiceURL", "IsCasFailoverEnabled", ... and Other's names).
	Lines map[string]int
}

var serviceNames = map[string]string{
	"exchangewebserviceurl":        "ExchangeWebServiceURL",
	"iscasfailoverenabled":         "IsCasFailoverEnabled",
	"enableparallelcommandsupport": "EnableParallelCommandSupport",
}

// DetectService reports whether head looks like the connector's service
// configuration: XML with an ExchangeWebServiceURL, IsCasFailoverEnabled
// or EnableParallelCommandSupport element (or attribute).
func DetectService(head []byte) bool {
	if !looksLikeXML(head) || containsFold(head, "schemas.microsoft.com/win/2004/08/events/event") || containsFold(head, "E2ETraceEvent") {
		return false
	}
	for _, n := range []string{"ExchangeWebServiceURL", "IsCasFailoverEnabled", "EnableParallelCommandSupport"} {
		if containsFold(head, "<"+n) || containsFold(head, n+"=") || containsFold(head, "\""+n+"\"") {
			return true
		}
	}
	return false
}

// ReadService reads the service configuration. See the package comment
// for the error contract.
func ReadService(r io.Reader, path string, warn func(event.ReadWarning), caps event.Caps) (*Service, error) {
	s := &scanner{w: warn, path: path, names: serviceNames, others: true, caps: caps}
	if err := s.run(r); err != nil {
		return nil, err
	}
	sv := &Service{Other: map[string]string{}, Lines: map[string]int{}}
	for _, st := range s.settings {
		if _, dup := sv.Lines[st.name]; dup {
			continue
		}
		sv.Lines[st.name] = st.line
		switch st.name {
		case "ExchangeWebServiceURL":
			sv.ExchangeWebServiceURL = st.value
			sv.EWSURLSet = st.value != ""
		case "IsCasFailoverEnabled", "EnableParallelCommandSupport":
			b, ok := parseBool(st.value)
			if !ok {
				s.warn(st.line, "bad-setting", fmt.Sprintf("cannot read %s %q as true/false", st.name, st.value))
				continue
			}
			if st.name == "IsCasFailoverEnabled" {
				sv.IsCasFailoverEnabled = &b
			} else {
				sv.EnableParallelCommandSupport = &b
			}
		}
	}
	for _, o := range s.other {
		if _, dup := sv.Other[o.name]; dup {
			continue
		}
		v := o.value
		if looksSecret(o.name) && v != "" {
			v = "<redacted>"
		}
		sv.Other[o.name] = v
		sv.Lines[o.name] = o.line
	}
	return sv, nil
}

func looksSecret(name string) bool {
	n := strings.ToLower(name)
	for _, s := range []string{"password", "secret", "token", "credential"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}
