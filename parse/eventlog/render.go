package eventlog

import (
	"strconv"
	"strings"

	"exlog/event"
)

// XML exported with wevtutil qe /f:xml carries no RenderingInfo: only the
// insertion strings. For the Service Control Manager events that matter to
// exlog, messageFromData rebuilds the English message from the templates
// below; these texts are reconstructed from general knowledge of Windows,
// not copied from the message DLL, so patterns should key on their stable
// cores ("failed to start", "unable to log on as", "Log on as a service").
// Other events get their insertion strings joined by "\n".

const scmProvider = "Service Control Manager"

var scmTemplates = map[uint32]string{
	7000: "The %1 service failed to start due to the following error: \n%2",
	7001: "The %1 service depends on the %2 service which failed to start because of the following error: \n%3",
	7009: "A timeout was reached (%1 milliseconds) while waiting for the %2 service to connect.",
	7011: "A timeout (%1 milliseconds) was reached while waiting for a transaction response from the %2 service.",
	7022: "The %1 service hung on starting.",
	7023: "The %1 service terminated with the following error: \n%2",
	7024: "The %1 service terminated with the following service-specific error: \n%2",
	7026: "The following boot-start or system-start driver(s) did not load: \n%1",
	7031: "The %1 service terminated unexpectedly.  It has done this %2 time(s).  The following corrective action will be taken in %3 milliseconds: %5.",
	7034: "The %1 service terminated unexpectedly.  It has done this %2 time(s).",
	7036: "The %1 service entered the %2 state.",
	7040: "The start type of the %1 service was changed from %2 to %3.",
	7041: "The %1 service was unable to log on as %2 with the currently configured password due to the following error: \n%3\n\n" +
		"Service: %1 \nDomain and account: %2\n\n" +
		"This service account does not have the required user right \"Log on as a service.\"\n\n" +
		"User Action\n\n" +
		"Assign \"Log on as a service\" to the service account on this computer. You can use Local Security Settings (Secpol.msc) to do this. " +
		"If this computer is a node in a cluster, check that this user right is assigned to the Cluster service account on all nodes in the cluster.\n\n" +
		"If you have already assigned this user right to the service account, and the user right appears to be removed, " +
		"check with your domain administrator to find out if a Group Policy object associated with this node might be removing the right.",
	7045: "A service was installed in the system.\n\nService Name:  %1\nService File Name:  %2\nService Type:  %3\nService Start Type:  %4\nService Account:  %5",
}

// win32Messages resolves "%%N" insertion strings (Win32 error codes that
// SCM events reference) for the codes that service logon problems use.
var win32Messages = map[int]string{
	1:    "Incorrect function.",
	2:    "The system cannot find the file specified.",
	3:    "The system cannot find the path specified.",
	5:    "Access is denied.",
	14:   "Not enough memory resources are available to complete this operation.",
	50:   "The request is not supported.",
	1053: "The service did not respond to the start or control request in a timely fashion.",
	1058: "The service cannot be started, either because it is disabled or because it has no enabled devices associated with it.",
	1067: "The process terminated unexpectedly.",
	1068: "The dependency service or group failed to start.",
	1069: "The service did not start due to a logon failure.",
	1326: "The user name or password is incorrect.",
	1330: "The password for this account has expired.",
	1331: "This user can't sign in because this account is currently disabled.",
	1385: "Logon failure: the user has not been granted the requested logon type at this computer.",
	1275: "This driver has been blocked from loading",
	1909: "The referenced account is currently locked out and may not be logged on to.",
}

// ResolveInsertion replaces a whole-value "%%N" by its English message
// when known (for readers of binary logs that render messages themselves).
func ResolveInsertion(v string) string { return resolveInsertion(v) }

// RenderMessage renders the English message of the Service Control Manager
// events above from their insertion strings (in order); ok is false for
// other events.
func RenderMessage(source string, id uint32, data []event.Field) (msg string, ok bool) {
	if _, ok := scmTemplates[id]; !ok || source != scmProvider {
		return "", false
	}
	return messageFromData(source, id, data), true
}

// resolveInsertion replaces a whole-value "%%N" by its message when known.
func resolveInsertion(v string) string {
	s := strings.TrimSpace(v)
	if strings.HasPrefix(s, "%%") {
		if n, err := strconv.Atoi(s[2:]); err == nil {
			if n>>16 == 0x8007 {
				n &= 0xffff // an HRESULT wrapping a Win32 error (FACILITY_WIN32)
			}
			if m, ok := win32Messages[n]; ok {
				return m
			}
		}
	}
	return v
}

// messageFromData builds a message from EventData values (in order).
func messageFromData(source string, id uint32, data []event.Field) string {
	vals := make([]string, len(data))
	for i, f := range data {
		vals[i] = resolveInsertion(f.Value)
	}
	if source == scmProvider {
		if tpl, ok := scmTemplates[id]; ok {
			return expandTemplate(tpl, vals)
		}
	}
	var b strings.Builder
	for _, v := range vals {
		if strings.TrimSpace(v) == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(v)
	}
	return b.String()
}

// expandTemplate replaces %1..%99 by vals[0..]; missing values expand to
// nothing.
func expandTemplate(tpl string, vals []string) string {
	var b strings.Builder
	for i := 0; i < len(tpl); i++ {
		c := tpl[i]
		if c != '%' || i+1 >= len(tpl) || tpl[i+1] < '1' || tpl[i+1] > '9' {
			b.WriteByte(c)
			continue
		}
		j := i + 1
		for j < len(tpl) && j < i+3 && tpl[j] >= '0' && tpl[j] <= '9' {
			j++
		}
		n, _ := strconv.Atoi(tpl[i+1 : j])
		if n-1 < len(vals) {
			b.WriteString(vals[n-1])
		}
		i = j - 1
	}
	return b.String()
}
