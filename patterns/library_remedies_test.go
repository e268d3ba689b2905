package patterns

import (
	"strings"
	"testing"
	"time"

	"exlog/event"
	"exlog/report"
)

func libFindings(t *testing.T, evs ...*event.Event) map[string]report.Finding {
	t.Helper()
	l, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	fs, _ := run(l, win(0, 24*time.Hour), evs...)
	out := map[string]report.Finding{}
	for _, f := range fs {
		out[f.ID] = f
	}
	return out
}

func scm(id uint32, host, msg string) *event.Event {
	e := ev(time.Minute, event.Error, msg)
	e.EventID, e.Source, e.Host, e.Format = id, "Service Control Manager", host, event.FormatEventlogText
	return e
}

// Remedies name the account and computer the event shows, in wordings
// unlike our samples; Microsoft's example account appears only when the
// event names none, marked as an example.
func TestLibraryRemedyNamesFromEvidence(t *testing.T) {
	cases := []struct {
		msg, host string
		id        uint32
		want, not []string
		wantTitle string
	}{
		{`The WIEC service was unable to log on as CMB\svc_intunecon with the currently configured password due to the following error: Logon failure: the user has not been granted the requested logon type at this computer.`,
			"CMB-EXCON01", 7041, []string{`grant CMB\svc_intunecon the "Log on as a service"`, "On CMB-EXCON01"}, []string{"WIEC_USER"}, `CMB\svc_intunecon lacks`},
		{"The WIEC service was unable to log on as \"svc-eas@fabrikam.local\" with the currently configured password because of the following error:\r\nLogon failure: the user has not been granted the requested logon type at this computer.\r\n\r\nService: WIEC\r\nDomain and account: svc-eas@fabrikam.local",
			"", 7041, []string{"grant svc-eas@fabrikam.local the", "On the connector server"}, []string{"WIEC_USER"}, "svc-eas@fabrikam.local lacks"},
		{"Service: WIEC. This service account does not have the required user right \"Log on as a service.\"",
			"EXC2", 7041, []string{"Microsoft's example is .\\WIEC_USER", "On EXC2"}, nil, "The connector's service account lacks"},
		{"The Microsoft Intune Exchange Connector Service service failed to start due to the following error: \r\nThe service did not start due to a logon failure.",
			"NYC-EXCON", 7000, []string{`Microsoft's documented cause: the account the service runs as lacks the "Log on as a service" user right`, "On NYC-EXCON"}, nil, ""},
	}
	for _, c := range cases {
		fs := libFindings(t, scm(c.id, c.host, c.msg))
		var f report.Finding
		for _, x := range fs {
			if strings.HasPrefix(x.ID, "service.") {
				f = x
			}
		}
		if f.ID == "" {
			t.Errorf("no service finding for %q: %v", c.msg, fs)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(f.Remedy, w) {
				t.Errorf("%s remedy lacks %q:\n%s", f.ID, w, f.Remedy)
			}
		}
		for _, n := range c.not {
			if strings.Contains(f.Remedy, n) || strings.Contains(f.Title, n) {
				t.Errorf("%s names %q though the event names another account:\n%s\n%s", f.ID, n, f.Title, f.Remedy)
			}
		}
		if c.wantTitle != "" && !strings.Contains(f.Title, c.wantTitle) {
			t.Errorf("%s title %q lacks %q", f.ID, f.Title, c.wantTitle)
		}
	}
}

// One cause, one finding: throttling that surfaces as a failed remote
// PowerShell connection is reported once, as throttling; a remote
// PowerShell failure for another reason still is its own finding.
func TestThrottlingExplainsRemotePowerShell(t *testing.T) {
	fs := libFindings(t,
		ev(time.Minute, event.Error, "Connecting to remote server mbx02.corp.fabrikam.net failed with the following error message : Fail to create a runspace because you have exceeded the maximum number of connections allowed : 18 for the policy party : MaxConcurrency. Please close existing runspace and try again. For more information, see the about_Remote_Troubleshooting Help topic."),
		ev(2*time.Minute, event.Warning, "[PS] Connecting to remote server mbx02.corp.fabrikam.net failed: The user FABRIKAM\\svc-exconn has exceeded the maximum number of concurrent connections (MaxConcurrency 18)."),
	)
	if _, ok := fs["exchange.remote-powershell-failed"]; ok {
		t.Errorf("throttling lines also raised remote-powershell-failed: %v", fs)
	}
	if f, ok := fs["exchange.throttled"]; !ok || f.Count != 2 {
		t.Errorf("throttled %+v", f)
	}
	fs = libFindings(t, ev(time.Minute, event.Error, "Connecting to remote server mbx02.corp.fabrikam.net failed with the following error message : WinRM cannot process the request. The following error with errorcode 0x80090311 occurred while using Kerberos authentication."))
	if f, ok := fs["exchange.remote-powershell-failed"]; !ok || !strings.Contains(f.Remedy, "mbx02.corp.fabrikam.net") {
		t.Errorf("plain WinRM failure: %+v", fs)
	}
}

// setup.bad-request only in the sign-in / registration context.
func TestBadRequestOnlyAtSignIn(t *testing.T) {
	ews := libFindings(t, ev(time.Minute, event.Error, "Notification to zoë.müller@contoso.com not sent: SendEmail failed. Microsoft.Exchange.WebServices.Data.ServiceRequestException: The request failed. The remote server returned an error: (400) Bad Request."))
	if _, ok := ews["setup.bad-request"]; ok {
		t.Errorf("an EWS SendEmail 400 was read as a sign-in failure")
	}
	if _, ok := ews["notify.send-failed"]; !ok {
		t.Errorf("the EWS failure lost its own finding: %v", ews)
	}
	signin := libFindings(t, ev(time.Minute, event.Error, "Logging in to the Intune tenant as admin@fabrikam.onmicrosoft.com failed: The remote server returned an error: (400) Bad Request."))
	if _, ok := signin["setup.bad-request"]; !ok {
		t.Errorf("a sign-in 400 was missed: %v", signin)
	}
}

// A proxy 407 never says the service cannot authenticate: setup offers
// proxy credentials.
func TestProxyAuthRemedy(t *testing.T) {
	fs := libFindings(t, ev(time.Minute, event.Error, "Get next command failed: System.Net.WebException: The remote server returned an error: (407) Proxy Authentication Required ( Forefront TMG requires authorization to fulfill the request. Access to the Web Proxy filter is denied. )"))
	f, ok := fs["network.proxy-auth"]
	if !ok || !strings.Contains(f.Remedy, "Use credentials to connect to the proxy server") || strings.Contains(f.Remedy, "cannot give") {
		t.Fatalf("proxy-auth %+v", f)
	}
	if _, ok := fs["command.get-next-exception"]; ok {
		t.Errorf("the same 407 also raised command.get-next-exception")
	}
}

// Both documented causes of "version is not supported".
func TestVersionNotSupportedBothCauses(t *testing.T) {
	fs := libFindings(t, ev(time.Minute, event.Error, "Unable to register: this version of the Exchange connector is not supported by the service."))
	f, ok := fs["setup.version-not-supported"]
	if !ok || !strings.Contains(f.Remedy, "Intune licence") || !strings.Contains(f.Remedy, "original Intune Exchange connector") || !strings.Contains(f.Remedy, "KB4342995") {
		t.Fatalf("version-not-supported %+v", f)
	}
}

// An unresolvable autodiscover name is the Autodiscover failure, once; any
// other unresolvable name is a DNS finding naming that host.
func TestAutodiscoverExplainsItsDNS(t *testing.T) {
	fs := libFindings(t, ev(time.Minute, event.Error, "AutodiscoverService: request for notify@fabrikam.net failed. System.Net.WebException: The remote name could not be resolved: 'autodiscover.fabrikam.net'"))
	if _, ok := fs["network.dns"]; ok {
		t.Errorf("autodiscover DNS failure raised network.dns too: %v", fs)
	}
	if _, ok := fs["notify.autodiscover-failed"]; !ok {
		t.Errorf("autodiscover failure missed: %v", fs)
	}
	fs = libFindings(t, ev(time.Minute, event.Error, "System.Net.WebException: The remote name could not be resolved: 'fef.msub03.manage.microsoft.com'"))
	if f, ok := fs["network.dns"]; !ok || !strings.Contains(f.Remedy, "nslookup fef.msub03.manage.microsoft.com") {
		t.Errorf("dns %+v", fs)
	}
}

// A server captured from a message must look like one (event.CheckCapture):
// a word of the sentence is never named as the server in a title or remedy.
func TestCapturedServerMustLookLikeAHost(t *testing.T) {
	fs := libFindings(t, ev(time.Minute, event.Error, "Connecting to remote server Handling failed with the following error message : WinRM cannot process the request."))
	f, ok := fs["exchange.remote-powershell-failed"]
	if !ok {
		t.Fatalf("no finding: %v", fs)
	}
	if strings.Contains(f.Title, "Handling") || strings.Contains(f.Remedy, "Handling") {
		t.Errorf("a word taken for a server: %q / %q", f.Title, f.Remedy)
	}
}
