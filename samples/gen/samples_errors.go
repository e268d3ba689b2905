package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

func buildCutRecords() Output {
	from := time.Date(2023, 10, 5, 7, 0, 0, 0, time.UTC)
	org := problemOrg(3, from)
	sim := newSim(301, org, "c")
	sim.startup(from, 1880)
	sim.run(Plan{From: from.Add(time.Minute), To: from.Add(24 * time.Hour), PollEvery: 5 * time.Minute,
		FullAt: 2*time.Hour + 40*time.Minute, QuickEvery: 4 * time.Hour, QuickPhase: 15 * time.Minute})
	recs := sim.records()
	var data []byte
	var offs []int
	for i := range recs {
		offs = append(offs, len(data))
		data = recs[i].Append(data)
	}
	// the first 213 bytes of record 0 are gone (partial first record), 512
	// NUL bytes sit between two records in the middle, and the last record
	// stops at 60 % of its length
	const cutFirst, nuls = 213, 512
	mid := len(recs) / 2
	lastLen := len(data) - offs[len(offs)-1]
	keepLast := lastLen * 6 / 10
	var out []byte
	out = append(out, data[cutFirst:offs[mid]]...)
	garbageAt := len(out)
	out = append(out, make([]byte, nuls)...)
	out = append(out, data[offs[mid]:len(data)-(lastLen-keepLast)]...)
	lastAt := offs[len(offs)-1] - cutFirst + nuls
	files := []File{{"Connector0.log", out}}
	kept := recs[1 : len(recs)-1]
	facts := traceFacts(kept) + fmt.Sprintf("- file size %d bytes; %d records were written, %d are complete\n- bytes 0–%d: the tail of record 1 (its first %d bytes are missing: partial first record)\n- bytes %d–%d: %d NUL bytes between record %d and record %d (garbage)\n- bytes %d–%d: the first %d of %d bytes of the last record (cut last record)\n",
		len(out), len(recs), len(kept), offs[1]-cutFirst-1, cutFirst, garbageAt, garbageAt+nuls-1, nuls, mid, mid+1, lastAt, len(out)-1, keepLast, lastLen)
	return Output{Folder: files, README: readme("cut-records",
		"A single trace file (given as a folder holding one file) as copied from a running server: the copy starts in the middle of a record, a run of NUL bytes sits between two records (pre-allocated space copied while the file was written), and the last record is cut off. Everything else is one healthy day.",
		files, nil, facts,
		fmt.Sprintf("- a partial first record at offset 0, garbage (%d bytes) at offset %d, a truncated last record at offset %d — each reported with its offset, and `bundle.truncated-record`\n- the %d complete records parsed; parsed + skipped/broken adds up to what is in the file", nuls, garbageAt, lastAt, len(kept)),
		"- any other finding at warning or above (`sync.coverage-short`, info, is right: the file covers just under 24 h)",
		"- quick-sync wording (variant \"c\"); the exact shape of real damage (NUL runs are typical of files copied while open)"),
	}
}

// configTool returns a Sim that writes as the connector's configuration
// tool (process name guessed).
func configTool(seed uint64, org *Org) *Sim {
	s := newSim(seed, org, "a")
	s.proc = "Microsoft.Management.Services.OnPremisesExchangeConnector.Configuration"
	s.pollTID = 1
	return s
}

func buildSetupErrors() Output {
	cet := time.FixedZone("", 3600)
	day := time.Date(2023, 11, 9, 8, 0, 0, 0, time.UTC)
	org := problemOrg(4, day)
	s := configTool(401, org)
	s.zone = cet
	s.pids = []pidChange{{day, 5580}}
	t := day.Add(12 * time.Minute)
	s.info(t, "", "Exchange Connector configuration tool started by CONTOSO\\adm.weber")
	add := func(d time.Duration, sub string, kind PayloadKind, text string) {
		t = t.Add(d)
		s.emit(t, sub, "", 1, kind, text)
	}
	badReq := &ExceptionInfo{Type: webExceptionType, Message: "The remote server returned an error: (400) Bad Request.", Stack: []string{
		"System.Net.HttpWebRequest.GetResponse()",
		"Microsoft.Management.Services.OnPremisesExchangeConnector.Configuration.IntuneRegistration.SignIn(String userName)",
		"Microsoft.Management.Services.OnPremisesExchangeConnector.Configuration.MainViewModel.Register()"}}
	certEx := &ExceptionInfo{Type: "System.Runtime.InteropServices.COMException, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089",
		Message: "CertEnroll::CX509PrivateKey::Create: The system cannot find the file specified. 0x80070002 (WIN32: 2 ERROR_FILE_NOT_FOUND)", Stack: []string{
			"CERTENROLLLib.CX509PrivateKeyClass.Create()",
			"Microsoft.Management.Services.OnPremisesExchangeConnector.Configuration.CertificateRequest.CreateKey()",
			"Microsoft.Management.Services.OnPremisesExchangeConnector.Configuration.IntuneRegistration.Enroll()"}}
	add(time.Minute, Information, PayloadText, "Signing in to Microsoft Intune as it.helpdesk@contoso.onmicrosoft.com")
	add(4*time.Second, Error, PayloadRawXML, traceRecordXML("Error", "Microsoft.Management.Services.OnPremisesExchangeConnector.Configuration.SignInFailed", "Sign-in to Microsoft Intune failed.", "ExchangeConnectorConfiguration.exe", badReq, "\r\n"))
	add(3*time.Minute, Error, PayloadText, "Registration failed: The remote server returned an error: (400) Bad Request. (account it.helpdesk@contoso.onmicrosoft.com)")
	add(6*time.Minute, Information, PayloadText, "Signing in to Microsoft Intune as adm.weber@contoso.onmicrosoft.com")
	add(9*time.Second, Error, PayloadText, "Error code: 0x000000b. An error occurred while enrolling the connector certificate: CertEnroll::CX509PrivateKey::Create: The system cannot find the file specified. 0x80070002 (WIN32: 2 ERROR_FILE_NOT_FOUND)")
	add(5*time.Minute, Error, PayloadRawXML, traceRecordXML("Error", "Microsoft.Management.Services.OnPremisesExchangeConnector.Configuration.EnrollFailed", "Enrollment failed (Error code: 0x000000b).", "ExchangeConnectorConfiguration.exe", certEx, "\r\n"))
	add(11*time.Minute, Information, PayloadText, "Signing in to Microsoft Intune as intune.admin@contoso.onmicrosoft.com")
	add(7*time.Second, Error, PayloadText, "The Exchange Connector version is not supported.")
	add(4*time.Minute, Error, PayloadDataItem, "Connector registration rejected by the service: The Exchange Connector version is not supported. Make sure the account has an active Intune license.")
	add(22*time.Minute, Information, PayloadText, "Signing in to Microsoft Intune as intune.admin@contoso.onmicrosoft.com")
	add(31*time.Second, Error, PayloadText, "Error code: 0x00000006. The Exchange Connector cannot connect to Microsoft Intune. Check the proxy settings of this server.")
	add(8*time.Minute, Error, PayloadText, "Cannot connect to Microsoft Intune (Error code: 0x00000006): the request to https://manage.microsoft.com was blocked.")
	add(14*time.Minute, Information, PayloadText, "Testing the connection to Exchange server cas01.contoso.com")
	add(21*time.Second, Error, PayloadText, "Error code: 0x0000001. The Exchange Connector cannot connect to the Microsoft Exchange server. The server could not be reached: cas01.contoso.com")
	add(6*time.Minute, Error, PayloadDataItem, "Exchange connection test failed (Error code: 0x0000001): cannot connect to the Microsoft Exchange server; the following server could not be reached cas01.contoso.com")
	add(17*time.Minute, Information, PayloadText, "Testing the connection to Exchange server cas01.contoso.com")
	add(9*time.Second, Information, PayloadText, "The connection test to Exchange server cas01.contoso.com succeeded.")
	add(40*time.Second, Information, PayloadText, "The Exchange Connector was registered with Microsoft Intune.")
	regDone := t
	// the service starts after registration and runs its first full sync
	svc := newSim(402, org, "a")
	svc.zone = cet
	svcStart := regDone.Add(2 * time.Minute)
	svc.startup(svcStart, 6024)
	logs := svc.run(Plan{From: svcStart.Add(time.Minute), To: svcStart.Add(7 * time.Hour), PollEvery: 5 * time.Minute,
		FullAt: svcStart.Add(3*time.Minute).Sub(svcStart.Truncate(24*time.Hour)) - 4*time.Minute, QuickEvery: 4 * time.Hour, QuickPhase: 15*time.Hour + 30*time.Minute})
	all := append(s.records(), svc.records()...)
	sortRecords(all)
	const quota = 400000
	lf, kept, _ := logsOf(all, quota)
	files := append(lf, configFiles("Verbose ActivityTracing", quota)...)
	a, b := window0(kept)
	facts := traceFacts(kept) + "- all times are written with a local offset (`+01:00`), not `Z`\n" + fmt.Sprintf("- configuration tool process 5580 (%s–%s UTC), then the service, process 6024, from %s UTC\n\n", day.Add(12*time.Minute).Format("15:04:05"), regDone.Format("15:04:05"), svcStart.Format("15:04:05")) + syncTable(logs, a, b)
	return Output{Zip: files, README: readme("setup-errors",
		"The day a connector is installed. The admin runs the configuration tool five times and hits each of the five documented setup errors (domain.md §4) — twice each, with different surrounding wording and in different payload shapes (plain text, TraceRecord exception, DataItem) — before registration succeeds and the service starts and completes its first full sync. Records carry local time with an offset.",
		files, nil, facts,
		"- `setup.bad-request` (2: a TraceRecord exception and a text record)\n- `setup.not-global-admin` (2: Error code 0x000000b / CertEnroll 0x80070002)\n- `setup.version-not-supported` (2)\n- `setup.intune-unreachable` (2: Error code 0x00000006)\n- `setup.exchange-unreachable` (2: Error code 0x0000001, cas01.contoso.com)\n- times read with their +01:00 offset and reported in UTC\n- `sync.coverage-short` is acceptable: the logs cover about nine hours",
		"- `sync.full-overdue`, `sync.unfinished`; `network.*` findings for these setup texts are tolerable only as duplicates of the setup ones",
		"- every sentence around the documented codes and texts; the configuration tool's process name and that it writes to the same trace log; the account names"),
	}
}

// sortRecords orders records by write time (stable).
func sortRecords(r []TraceRecord) {
	for i := 1; i < len(r); i++ {
		for j := i; j > 0 && r[j].Written.Before(r[j-1].Written); j-- {
			r[j], r[j-1] = r[j-1], r[j]
		}
	}
}

func buildServiceLogon() Output {
	from := time.Date(2023, 10, 10, 22, 30, 0, 0, time.UTC)
	org := problemOrg(5, from)
	sim := newSim(501, org, "b")
	sim.startup(from, 2240)
	end := from.Add(48 * time.Hour)
	sim.run(Plan{From: from.Add(time.Minute), To: end, PollEvery: 5 * time.Minute,
		FullAt: 2*time.Hour + 20*time.Minute, QuickEvery: 4 * time.Hour, QuickPhase: 25 * time.Minute})
	sim.shutdown(end.Add(30 * time.Second))
	const quota = 200000
	lf, kept, _ := logsOf(sim.records(), quota)
	host := org.Connector + ".contoso.com"
	boot := end.Add(4 * time.Minute)
	evs := []WinEvent{
		scm7036(end.Add(31*time.Second), 60410, host, connectorDisplay, "stopped"),
		scm7036(boot.Add(20*time.Second), 60455, host, "Windows Update", "running"),
		scm7041(boot.Add(41*time.Second), 60471, host),
		scm7000(boot.Add(41*time.Second+120*time.Millisecond), 60472, host),
		scm7036(boot.Add(3*time.Minute), 60480, host, "Background Intelligent Transfer Service", "running"),
		scm7041(boot.Add(9*time.Hour+12*time.Minute), 60611, host),
		scm7000(boot.Add(9*time.Hour+12*time.Minute+90*time.Millisecond), 60612, host),
		scm7041(boot.Add(9*time.Hour+31*time.Minute), 60640, host),
		scm7000(boot.Add(9*time.Hour+31*time.Minute+70*time.Millisecond), 60641, host),
	}
	files := append(lf, configFiles("Verbose ActivityTracing", quota)...)
	files = append(files, File{"eventlogs/system-wevtutil.xml", wevtutilXML(evs)}, File{"eventlogs/system-details.txt", eventViewerText(evs)})
	facts := traceFacts(kept) + fmt.Sprintf("- System log: %d events, of which 3× 7041 and 3× 7000 for the connector service (at boot %s and two manual start attempts), the same events in both exports\n- "+countUsersDevices(org)+"\n", len(evs), boot.Add(41*time.Second).Format(time.RFC3339))
	return Output{Zip: files, README: readme("service-logon",
		"Two healthy days of traces that end when the server reboots for patching; after the reboot the connector service cannot log on because a GPO removed \"Log on as a service\" from WIEC_USER. The System log is exported twice: `wevtutil qe System /f:RenderedXml` (no root element, single-quoted attributes) and Event Viewer \"copy details\" text.",
		files, map[string]string{"eventlogs/system-wevtutil.xml": "wevtutil RenderedXml, one event per line, no root", "eventlogs/system-details.txt": "Event Viewer text, US dates in the server's time zone (UTC), the same events"}, facts,
		"- `service.logon-right-missing` (SCM 7041, WIEC, .\\WIEC_USER, \"Log on as a service\"): 3 events, each present in both exports\n- `service.logon-failure` (SCM 7000 for Microsoft Intune Exchange Connector Service): 3 events, each in both exports\n- the traces: all sessions completed, logs end at the stop message",
		"- sync findings judged on the trace window (it ends with the reboot; nothing was overdue inside it). The System log goes on to the next morning: an analyzer that extends the window with it may defensibly report `sync.full-overdue` (~29.6 h since the last completed full sync), because the service could not start",
		"- the EventData parameter layout of 7041 (param3 `%%1385`, param4/5); the Binary field; the process/thread IDs"),
	}
}

func buildNetworkErrors() Output {
	from := time.Date(2023, 10, 19, 0, 0, 0, 0, time.UTC)
	org := problemOrg(6, from)
	sim := newSim(601, org, "b")
	sim.footers = true
	sim.startup(from, 3764)
	type win struct {
		a, b time.Time
		name string
		ex   *ExceptionInfo
	}
	d := func(day, h, m int) time.Time {
		return from.Add(time.Duration(day*24+h)*time.Hour + time.Duration(m)*time.Minute)
	}
	sock := &ExceptionInfo{Type: socketExceptionType, Message: "A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed because connected host has failed to respond 40.126.32.140:443",
		Stack: []string{"System.Net.Sockets.Socket.DoConnect(EndPoint endPointSnapshot, SocketAddress socketAddress)", "System.Net.ServicePoint.ConnectSocketInternal(Boolean connectFailure, Socket s4, Socket s6, Socket& socket, IPAddress& address, ConnectSocketState state, IAsyncResult asyncResult, Exception& exception)"}}
	auth := &ExceptionInfo{Type: authExceptionType, Message: "The remote certificate is invalid according to the validation procedure.",
		Stack: []string{"System.Net.TlsStream.EndWrite(IAsyncResult asyncResult)", "System.Net.ConnectStream.WriteHeadersCallback(IAsyncResult ar)"}}
	wins := []win{
		{d(0, 7, 5), d(0, 7, 50), "407 proxy authentication", webEx("The remote server returned an error: (407) Proxy Authentication Required.", nil)},
		{d(0, 13, 10), d(0, 13, 35), "TLS trust", webEx("The underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel.", auth)},
		{d(0, 18, 0), d(0, 18, 40), "DNS", webEx("The remote name could not be resolved: 'manage.microsoft.com'", nil)},
		{d(1, 3, 5), d(1, 3, 30), "unable to connect", webEx("Unable to connect to the remote server", sock)},
		{d(1, 10, 0), d(1, 10, 20), "timeout", webEx("The operation has timed out", nil)},
		{d(1, 14, 0), d(1, 14, 25), "401 from Intune", webEx("The remote server returned an error: (401) Unauthorized.", nil)},
		{d(1, 22, 0), d(1, 22, 15), "TLS secure channel", webEx("The request was aborted: Could not create SSL/TLS secure channel.", nil)},
		// no network pattern explains a 503: command.get-next-exception's own evidence
		{d(1, 23, 0), d(1, 23, 20), "503 from Intune", webEx("The remote server returned an error: (503) Server Unavailable.", nil)},
	}
	counts := map[string]int{}
	variant := 0
	retried := 0 // quick syncs with a remote PowerShell timeout that was retried, then completed
	logs := sim.run(Plan{From: from.Add(time.Minute), To: from.Add(48 * time.Hour), PollEvery: 5 * time.Minute,
		FullAt: 2*time.Hour + 13*time.Minute, QuickEvery: 4 * time.Hour, QuickPhase: 47 * time.Minute,
		QuickHook: func(i int, t time.Time, sp *SyncSpec) bool {
			if i == 2 || i == 7 {
				retried++
				sp.Inject = func(s *Sim, at time.Time, act string) {
					s.emit(at, Warning, act, 0, PayloadText, "Remote PowerShell call to "+s.org.CAS+" failed (attempt 1 of 3); retrying in 30 seconds. Reason: System.Net.WebException: The operation has timed out")
				}
			}
			return true
		},
		PollHook: func(t time.Time) bool {
			for _, w := range wins {
				if !t.Before(w.a) && t.Before(w.b) {
					sim.getNextCommandError(t, w.ex, variant)
					variant++
					counts[w.name]++
					return true
				}
			}
			return false
		}})
	const quota = 200000
	lf, kept, _ := logsOf(sim.records(), quota)
	files := append(lf, configFiles("Verbose ActivityTracing", quota)...)
	var cl []string
	total := 0
	for _, w := range wins {
		cl = append(cl, fmt.Sprintf("  - %s, %s–%s UTC: %d failed polls — `%s`", w.name, w.a.Format("01-02 15:04"), w.b.Format("15:04"), counts[w.name], w.ex.Message))
		total += counts[w.name]
	}
	a, b := window0(kept)
	facts := traceFacts(kept) + fmt.Sprintf("- %d failed \"Get next command\" polls (Error), payload shapes cycling: escaped text with the stack trace (`&#xD;&#xA;`) and a System.Diagnostics footer; TraceRecord with raw CRLF in the StackTrace; DataItem with the message only:\n%s\n- %d quick syncs carry a Warning `Remote PowerShell call to <CAS> failed (attempt 1 of 3); retrying in 30 seconds. Reason: System.Net.WebException: The operation has timed out` and then complete\n- "+countUsersDevices(org)+"\n\n", total, strings.Join(cl, "\n"), retried) + syncTable(logs, a, b)
	return Output{Zip: files, README: readme("network-errors",
		"Two days in which the connector's polling of the Intune service (\"Get next command\") fails in short windows for different network reasons, while syncs keep running between them. Benign Verbose polls (\"Get next command returned no command…\") surround the failures.",
		files, nil, facts,
		fmt.Sprintf("- `command.get-next-exception`: the %d failed polls no network finding explains (503); the %d others are explained by their network findings (one cause, one finding)\n- `network.proxy-auth` (%d), `network.tls` (%d: trust + secure channel), `network.dns` (%d, host manage.microsoft.com), `network.unreachable` (%d: unable to connect + timed out), `intune.unauthorized` (%d)\n- `network.retried` (info, %d): the retried remote PowerShell timeouts, not network.unreachable\n- all sync sessions completed",
			counts["503 from Intune"], total-counts["503 from Intune"], counts["407 proxy authentication"], counts["TLS trust"]+counts["TLS secure channel"], counts["DNS"], counts["unable to connect"]+counts["timeout"], counts["401 from Intune"], retried),
		"- anything from the Verbose \"Get next command\" polls that succeeded (they are not errors)\n- sync findings",
		"- the connector's message around the exceptions, its stack frames, the shape of its error records; the .NET exception messages are the real .NET texts"),
	}
}

func buildExchangeErrors() Output {
	from := time.Date(2023, 10, 26, 0, 0, 0, 0, time.UTC)
	org := problemOrg(8, from)
	sim := newSim(801, org, "c")
	sim.stackNL = "\n"
	sim.startup(from, 4480)
	remotingType := "System.Management.Automation.Remoting.PSRemotingTransportException, System.Management.Automation, Version=3.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35"
	psStack := []string{"System.Management.Automation.Runspaces.AsyncResult.EndInvoke()", "System.Management.Automation.Runspaces.Internal.RunspacePoolInternal.EndOpen(IAsyncResult asyncResult)",
		"Microsoft.Management.Services.OnPremisesExchangeConnector.ExchangePowerShell.OpenRunspace(Uri connectionUri)"}
	injects := map[int]func(s *Sim, t time.Time, act string){
		2: func(s *Sim, t time.Time, act string) {
			ex := &ExceptionInfo{Type: remotingType, Message: "Connecting to remote server cas01.contoso.com failed with the following error message : Access is denied. For more information, see the about_Remote_Troubleshooting Help topic.", Stack: psStack}
			s.emit(t, Error, act, 0, PayloadRawXML, traceRecordXML("Error", "Microsoft.Management.Services.OnPremisesExchangeConnector.ExchangeConnectionFailed", "Could not open a remote PowerShell session to the Exchange server.", serviceProcess+".exe", ex, s.stackNL))
		},
		5: func(s *Sim, t time.Time, act string) {
			s.emit(t, Error, act, 0, PayloadText, "Remote PowerShell failure: Connecting to remote server cas01.contoso.com failed with the following error message : The WinRM client cannot process the request. It cannot determine the content type of the HTTP response from the destination computer. The content type is absent or invalid. For more information, see the about_Remote_Troubleshooting Help topic.")
		},
		8: func(s *Sim, t time.Time, act string) {
			s.emit(t, Error, act, 0, PayloadText, "Exception while running Get-ActiveSyncDevice: System.Management.Automation.Remoting.PSRemotingTransportException: Connecting to remote server cas01.contoso.com failed with the following error message : Fail to create a runspace because you have exceeded the maximum number of connections allowed : 18 for the policy party : MaxConcurrency. Please close existing runspace and try again.\nFor more information, see the about_Remote_Troubleshooting Help topic.\n   at "+strings.Join(psStack, "\n   at "))
		},
	}
	var failed []SyncLog
	logs := sim.run(Plan{From: from.Add(time.Minute), To: from.Add(48 * time.Hour), PollEvery: 5 * time.Minute,
		FullAt: 2*time.Hour + 25*time.Minute, QuickEvery: 4 * time.Hour, QuickPhase: 50 * time.Minute,
		FullHook: func(day int, sp *SyncSpec) {
			if day == 1 {
				sp.Health = "Disconnected"
			}
		},
		QuickHook: func(i int, t time.Time, sp *SyncSpec) bool {
			if f, ok := injects[i]; ok {
				sp.Outcome = Fails
				sp.Inject = f
				sp.Notify = nil
			}
			return true
		}})
	for _, l := range logs {
		if l.Outcome == Fails {
			failed = append(failed, l)
		}
	}
	autoEx := &ExceptionInfo{Type: "Microsoft.Exchange.WebServices.Data.AutodiscoverLocalException, Microsoft.Exchange.WebServices, Version=15.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35",
		Message: "The Autodiscover service couldn't be located.", Stack: []string{
			"Microsoft.Exchange.WebServices.Autodiscover.AutodiscoverService.InternalGetLegacyUserSettings[TSettings](String emailAddress, List`1 redirectionEmailAddresses, Int32& currentHop)",
			"Microsoft.Exchange.WebServices.Data.ExchangeService.AutodiscoverUrl(String emailAddress, AutodiscoverRedirectionUrlValidationCallback validateRedirectionUrlCallback)",
			"Microsoft.Management.Services.OnPremisesExchangeConnector.NotificationMailer.ResolveEwsUrl()"}}
	at := func(h, m int) time.Time {
		return from.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + 17*time.Second)
	}
	sim.emit(at(11, 2), Error, "", 0, PayloadText, "Autodiscover failed for notification account intune.notify@contoso.com: The Autodiscover service couldn't be located.")
	sim.emit(at(35, 41), Error, "", 0, PayloadRawXML, traceRecordXML("Error", "Microsoft.Management.Services.OnPremisesExchangeConnector.AutodiscoverFailed", "Could not find the EWS URL of the notification account through Autodiscover.", serviceProcess+".exe", autoEx, "\n"))
	sim.emit(at(21, 9), Error, "", 0, PayloadText, "Exchange command failed for alex.wilber@contoso.com: System.Management.Automation.RemoteException: The term 'Get-CASMailbox' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.\n   at "+strings.Join(psStack[:1], "\n   at "))
	sendErr := "Microsoft.Exchange.WebServices.Data.ServiceResponseException: The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account."
	sim.emit(at(15, 20), Error, "", 0, PayloadText, "SendEmail from notification account to jose.nunez@contoso.com failed. "+sendErr)
	sim.emit(at(39, 7), Error, "", 0, PayloadDataItem, "Notification mail not sent: SendEmail from notification account to amelie.cote@contoso.com failed: "+sendErr)
	const quota = 200000
	lf, kept, _ := logsOf(sim.records(), quota)
	files := append(lf, configFiles("Verbose ActivityTracing", quota)...)
	files[len(files)-1] = File{"OnPremisesExchangeConnectorServiceConfiguration.xml", serviceConfig("", true, true, "cas01.contoso.com")}
	a, b := window0(kept)
	var fl []string
	for _, l := range failed {
		fl = append(fl, l.Start.Format(time.RFC3339))
	}
	var unhealthy SyncLog
	for _, l := range logs {
		if l.Health == "Disconnected" {
			unhealthy = l
		}
	}
	facts := traceFacts(kept) + "- stack traces inside TraceRecord payloads use LF only; EnableParallelCommandSupport is true in the service config\n- " + countUsersDevices(org) + "\n\n" + syncTable(logs, a, b)
	return Output{Zip: files, README: readme("exchange-errors",
		"Two days in which the connector's work against Exchange goes wrong in several documented ways: remote PowerShell (WinRM) to the CAS fails (Access is denied; the WinRM client cannot process the request), Exchange throttles the connector (MaxConcurrency), Autodiscover cannot find EWS for the notification account, EWS refuses to send the notification mail, and one full sync completes while reporting the Exchange server as Disconnected.",
		files, nil, facts,
		fmt.Sprintf("- `sync.failed`: 3 quick syncs (%s), each with its error inside the activity as evidence\n- `exchange.remote-powershell-failed` (2 or 3: Access is denied; WinRM client cannot process the request; the MaxConcurrency error is itself worded as a failed WinRM connection) \n- `exchange.access-denied` (1: `Get-CASMailbox` is not recognized as a cmdlet in the remote session: the connector account lacks the RBAC role for it)\n- `exchange.throttled` (1: MaxConcurrency, 18 connections)\n- `notify.autodiscover-failed` (2)\n- `notify.send-failed` (2: to jose.nunez@contoso.com and amelie.cote@contoso.com)\n- `sync.exchange-unhealthy`: the full sync started %s reports `Status: Disconnected`",
			strings.Join(fl, ", "), unhealthy.Start.Format(time.RFC3339)),
		"- `sync.full-overdue`, `sync.unfinished`; network findings",
		"- the failure sentence of a sync (`… failed. The inventory command will be retried.`), the status word `Disconnected`, every sentence around the documented error texts; the stack frames"),
	}
}

func buildDiscoveryProblems() Output {
	export := time.Date(2023, 11, 12, 10, 20, 0, 0, time.UTC)
	org := newOrg(7, 1500, export)
	sim := newSim(701, org, "a")
	from := export.Add(-48 * time.Hour)
	sim.startup(from, 2612)
	logs := sim.run(Plan{From: from.Add(time.Minute), To: export.Add(-10 * time.Minute), PollEvery: 5 * time.Minute,
		FullAt: 2*time.Hour + 13*time.Minute, QuickEvery: 4 * time.Hour, QuickPhase: 47 * time.Minute})
	const quota = 200000
	lf, kept, _ := logsOf(sim.records(), quota)
	p := org.Pilot(pilotCount)
	// Łukasz: primary SMTP differs from the UPN
	mism := p[2]
	mism.PrimarySMTP = "l.zolc@fabrikam.com"
	// José: ActiveSync disabled although he has devices
	noEAS := p[1]
	noEAS.ActiveSync = false
	// quarantined by the connector
	var quarantined []string
	reasons := []string{"ExternallyManaged", "ExternallyManaged", "ExternalCompliance", "ExternallyManaged", "ExternalCompliance", "ExternallyManaged"}
	qi := 0
	for _, u := range p[3:8] {
		for _, d := range u.Devices {
			if qi < len(reasons) {
				d.AccessState = "Quarantined"
				d.AccessReason = reasons[qi]
				quarantined = append(quarantined, u.Display+" "+d.ID+" ("+reasons[qi]+")")
				qi++
			}
		}
	}
	stale := p[9].Devices[0]
	stale.LastSuccess = export.Add(-60*24*time.Hour - 3*time.Hour)
	stale.LastAttempt = stale.LastSuccess.Add(40 * time.Second)
	sess := &exportSession{runspace: newGUID(rand.New(rand.NewPCG(7, 7))), org: org}
	cas, mbx, _, orgs := pilotExports(org, sess, "Quarantine")
	// the device statistics cover every mailbox (Get-Mailbox -ResultSize
	// Unlimited | Get-ActiveSyncDeviceStatistics), not only the pilot group
	var dev []PSObject
	for _, u := range org.Users {
		for _, d := range u.Devices {
			dev = append(dev, sess.deviceStats(d))
		}
	}
	mbxText := formatList(mbx, 80)
	files := append(lf,
		File{"TracingConfiguration.xml", tracingConfig("Verbose ActivityTracing", quota, 30)},
		File{"OnPremisesExchangeConnectorServiceConfiguration.xml", serviceConfig("https://mail.contoso.com/EWS/Exchange.asmx", false, false, "cas01.contoso.com")},
		File{"exports/casmailbox.txt", flFile(cas)},
		File{"exports/mailbox-utf8.txt", append([]byte{0xEF, 0xBB, 0xBF}, crlf(mbxText)...)},
		File{"exports/device-statistics.csv", exportCSV7(dev, "")},
		File{"exports/orgsettings.txt", flFile(orgs)},
	)
	a, b := window0(kept)
	facts := traceFacts(kept) + fmt.Sprintf("- exports taken %s; mailbox, CAS mailbox and organisation exports for %d pilot users; device statistics for all %d devices of all %d users\n- "+countUsersDevices(org)+"\n\n", export.Format(time.RFC3339), len(cas), len(dev), len(org.Users)) + syncTable(logs, a, b)
	return Output{Zip: files, README: readme("discovery-problems",
		"Healthy traces, but the exports show why devices are not discovered or users get no mail: a user whose primary SMTP address differs from the UPN, a user with devices but ActiveSync disabled, devices quarantined by the connector, a device that has not synced for 60 days, an organisation whose DefaultAccessLevel is Quarantine, and a service configuration with a hard-coded EWS URL and CAS failover off. Exports mix formats: Format-List UTF-16LE, Format-List UTF-8 with BOM, PowerShell 7 CSV (UTF-8, no #TYPE).",
		files, map[string]string{"exports/mailbox-utf8.txt": "Format-List, UTF-8 with BOM (Out-File -Encoding utf8)", "exports/device-statistics.csv": "PowerShell 7 Export-Csv of every device: UTF-8 without BOM, no #TYPE, all quoted"}, facts,
		fmt.Sprintf("- `discovery.smtp-upn-mismatch`: %s — UPN %s, primary SMTP %s\n- `discovery.activesync-disabled`: %s (ActiveSyncEnabled False, %d devices)\n- `device.quarantined`: 6 devices — 4 ExternallyManaged, 2 ExternalCompliance: %s\n- `device.stale`: %s of %s, LastSuccessSync %s (60 days before the export)\n- `access.default-not-allow`: DefaultAccessLevel Quarantine\n- `config.ews-url-hardcoded` (info): https://mail.contoso.com/EWS/Exchange.asmx\n- `config.cas-failover-disabled`",
			mism.Display, mism.UPN, mism.PrimarySMTP, noEAS.Display, len(noEAS.Devices), strings.Join(quarantined, "; "), stale.ID, stale.User.Display, usDate(stale.LastSuccess)),
		"- sync findings (all sessions completed); `device.stale` for the other devices (all synced within 20 h of the export)",
		"- the property order of the exports; which export an admin would really take; that the connector's quarantine reasons look like this in Exchange"),
	}
}
