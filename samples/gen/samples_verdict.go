package main

import (
	_ "embed"
	"fmt"
	"time"
)

// Samples for the verdict (issue 16 points 1, 2, 8, 9; issue 15 point 10):
// the time after the end of support, logs that are not the connector's,
// a bundle mixing the connector's logs with another service's svclog, and
// a problem fixed during the logs.

// finserviceSvclog is a real WCF trace log written by XmlWriterTraceListener
// (w3wp, source System.ServiceModel), from the public repository
// laoluolapegba/finservice (Web_tracelog.svclog, commit 4c72cc9). The
// repository states no licence; the file is test input only, with
// attribution (see testdata/README.md).
//
//go:embed testdata/finservice-Web_tracelog.svclog
var finserviceSvclog []byte

func init() {
	sampleList = append(sampleList,
		Sample{Name: "end-of-support", Build: buildEndOfSupport,
			Models:  "a connector past its end of support: syncs until 19 Feb 2024, then every poll answers 403 and no sync runs (logs to 21 Feb 2024)",
			Find:    "`connector.end-of-support` (critical), first in the verdict; the 403s and the overdue syncs point to it; no advice to force a sync, reinstall or re-register",
			Guessed: "the wording of the 403 answer after the end of support; quick-sync wording"},
		Sample{Name: "not-connector", Build: buildNotConnector,
			Models:  "a real WCF trace log of another program (w3wp, System.ServiceModel) and nothing else",
			Find:    "`bundle.not-connector` naming w3wp on LAOLU-PC; verdict `unknown`; no `sync.*` claim",
			Guessed: "nothing: the file is real (laoluolapegba/finservice)"},
		Sample{Name: "mixed-other-service", Build: buildMixedOtherService,
			Models:  "2 healthy connector days plus another .NET service's svclog (Contoso.Billing.Host, System.ServiceModel) on the same server with DNS, TLS and 407 errors, running 4h37m past the connector's last record",
			Find:    "healthy; the billing service listed as not the connector's with its own errors; no network finding; covered window and schedule from the connector's records only",
			Guessed: "the billing service's messages; quick-sync wording"},
		Sample{Name: "autodiscover-fixed", Build: buildAutodiscoverFixed,
			Models:  "Autodiscover fails for the notification account for two days; ExchangeWebServiceURL is then set, the service restarted, and mail flows",
			Find:    "healthy; `notify.autodiscover-failed` resolved during the logs (restart, EWS URL set); `config.ews-url-hardcoded` (info) does not advise clearing the URL",
			Guessed: "Autodiscover and start-up wording around the documented texts"},
	)
}

func buildEndOfSupport() Output {
	from := time.Date(2024, 2, 17, 0, 0, 0, 0, time.UTC)
	eos := time.Date(2024, 2, 19, 0, 0, 0, 0, time.UTC)
	to := time.Date(2024, 2, 21, 12, 0, 0, 0, time.UTC)
	org := problemOrg(21, from)
	sim := newSim(2101, org, "c")
	sim.startup(from, 5120)
	logs := sim.run(Plan{From: from.Add(time.Minute), To: eos, PollEvery: 5 * time.Minute,
		FullAt: 2*time.Hour + 40*time.Minute, QuickEvery: 4 * time.Hour, QuickPhase: 35 * time.Minute})
	forbidden := "The remote server returned an error: (403) Forbidden."
	n := 0
	for t := eos.Add(7 * time.Minute); t.Before(to); t = t.Add(20 * time.Minute) {
		switch n % 4 {
		case 3:
			sim.emit(t, Warning, "", sim.pollTID, PayloadText, "Get next command: Intune answered 403: this Exchange connector has reached end of support and can no longer sync. "+forbidden)
		default:
			sim.getNextCommandError(t, webEx(forbidden, nil), n)
		}
		n++
	}
	const quota = 200000
	lf, kept, _ := logsOf(sim.records(), quota)
	files := append(lf, configFiles("Verbose ActivityTracing", quota)...)
	a, b := window0(kept)
	facts := traceFacts(kept) + fmt.Sprintf("- syncs as usual until %s; from then on every poll (every 20 min, %d polls) answers 403 Forbidden, a quarter of them worded \"reached end of support\", and no sync runs\n- %s\n\n",
		eos.Format(time.RFC3339), n, countUsersDevices(org)) + syncTable(logs, a, b)
	return Output{Zip: files, README: readme("end-of-support",
		"A connector after Microsoft's end of support: support ended on 15 January 2024 (\"will no longer sync with Exchange\", Set up the on-premises Intune Exchange connector) and 19 February 2024 (\"will no longer sync with Intune\", Configure Exchange on-premises access). Syncs still run until 19 February 2024; from then on every Get next command poll answers 403 and no sync runs. The logs end on 21 February 2024.",
		files, nil, facts,
		"- `connector.end-of-support`, critical (syncs stop after it), first among the reasons and next steps, with Microsoft's way forward (Exchange hybrid modern authentication with Intune / Entra conditional access, or Exchange Online)\n- `intune.unauthorized`, `command.get-next-exception`, `sync.full-overdue`, `sync.quick-gap` pointing to it",
		"- any advice to force a sync, reinstall or re-register the connector",
		"- the 403 wording (\"reached end of support\" is invented); quick-sync wording (variant \"c\")"),
	}
}

func buildNotConnector() Output {
	files := []File{{"finservice-Web_tracelog.svclog", finserviceSvclog}}
	facts := "- 62 E2ETraceEvent records of w3wp (PID 11976) on LAOLU-PC, trace source System.ServiceModel, 2012-01-18: Error 6, Start 13, Stop 13, Transfer 26, Suspend 2, Resume 2\n" +
		"- source: Web_tracelog.svclog of the public repository laoluolapegba/finservice (commit 4c72cc9; no licence stated there), unchanged\n"
	return Output{Folder: files, README: readme("not-connector",
		"A real WCF trace log of another program — a web service hosted in IIS (w3wp) tracing through System.ServiceModel — handed in as if it were the connector's. It has the trace logs' container format and errors of its own, and no connector activity at all.",
		files, nil, facts,
		"- `bundle.not-connector` naming what the logs are: w3wp on LAOLU-PC, source System.ServiceModel, 62 records\n- verdict `unknown` (can't tell); the program listed under not_connector with its own errors\n- collect-next: the connector's own Logs folder",
		"- any `sync.*` finding, any network or Intune finding, a covered window",
		"- nothing: the file is real"),
	}
}

func buildMixedOtherService() Output {
	from := time.Date(2023, 12, 4, 0, 0, 0, 0, time.UTC)
	org := problemOrg(22, from)
	sim := newSim(2201, org, "b")
	sim.startup(from, 4810)
	end := from.Add(2 * 24 * time.Hour)
	logs := sim.run(Plan{From: from.Add(time.Minute), To: end, PollEvery: 5 * time.Minute,
		FullAt: 3*time.Hour + 5*time.Minute, QuickEvery: 4 * time.Hour, QuickPhase: 25 * time.Minute})
	const quota = 200000
	lf, kept, _ := logsOf(sim.records(), quota)
	_, last := window0(kept)

	// Another .NET service on the same server, tracing through WCF.
	bill := newSim(2202, org, "a")
	bill.proc, bill.source, bill.pollTID, bill.startStop = "Contoso.Billing.Host", "System.ServiceModel", 5, false
	bill.pids = []pidChange{{from, 7720}}
	billEnd := last.Add(4*time.Hour + 37*time.Minute)
	wcfStack := []string{"System.Net.HttpWebRequest.GetResponse()", "System.ServiceModel.Channels.HttpChannelFactory`1.HttpRequestChannel.HttpChannelRequest.WaitForReply(TimeSpan timeout)",
		"Contoso.Billing.Host.InvoiceExporter.Push(Invoice invoice)"}
	errs := []*ExceptionInfo{
		{Type: webExceptionType, Message: "The remote name could not be resolved: 'billing-api.fabrikam.net'", Stack: wcfStack},
		{Type: webExceptionType, Message: "The underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel.", Stack: wcfStack,
			Inner: &ExceptionInfo{Type: authExceptionType, Message: "The remote certificate is invalid according to the validation procedure.", Stack: []string{"System.Net.Security.SslState.StartSendAuthResetSignal(ProtocolToken message, AsyncProtocolRequest asyncRequest, Exception exception)"}}},
		{Type: webExceptionType, Message: "The remote server returned an error: (407) Proxy Authentication Required.", Stack: wcfStack},
	}
	nErr := 0
	for t := from.Add(2 * time.Hour); t.Before(billEnd); t = t.Add(47 * time.Minute) {
		bill.emit(t, Information, "", 5, PayloadText, "Invoice export batch started")
		if nErr < 30 {
			ex := errs[nErr%3]
			bill.emit(t.Add(2*time.Second), Error, "", 5, PayloadRawXML, traceRecordXML("Error", "http://msdn.microsoft.com/en-US/library/System.ServiceModel.Diagnostics.ThrowingException.aspx",
				"Throwing an exception.", "/LM/W3SVC/2/ROOT/billing-1-1331", ex, "\r\n"))
			nErr++
		}
	}
	bill.emit(billEnd, Information, "", 5, PayloadText, "Invoice export batch started")
	var billing []byte
	for _, r := range encodeAll(bill.records()) {
		billing = append(billing, r...)
	}
	files := append(lf, File{"Billing/Web_tracelog.svclog", billing})
	files = append(files, configFiles("Verbose ActivityTracing", quota)...)
	a, b := window0(kept)
	facts := traceFacts(kept) + fmt.Sprintf("- Billing/Web_tracelog.svclog: %d records of Contoso.Billing.Host (PID 7720) on the same computer, source System.ServiceModel, until %s (4h37m after the connector's last record, %s): %d WCF errors (DNS, TLS trust, 407), one per third\n- %s\n\n",
		len(bill.records()), billEnd.Format(time.RFC3339), last.Format(time.RFC3339), nErr, countUsersDevices(org)) + syncTable(logs, a, b)
	return Output{Zip: files, README: readme("mixed-other-service",
		"Two healthy connector days, and in the same bundle the WCF trace log of another .NET service on the connector server (Contoso.Billing.Host, trace source System.ServiceModel) that fails on DNS, TLS trust and a proxy demanding authentication, and writes on for 4 h 37 min after the connector's last record.",
		files, nil, facts,
		"- verdict healthy: the connector's own records show every sync completed\n- not_connector: Contoso.Billing.Host on the connector's computer, its record count and its own DNS/TLS/407 errors summarised apart\n- the covered window ends at the connector's last record",
		"- `network.dns`, `network.tls`, `network.proxy-auth` (they are the billing service's); `sync.full-overdue`, `sync.quick-gap`; Contoso.Billing.Host counted as a connector process run",
		"- all billing-service messages; quick-sync wording (variant \"b\")"),
	}
}

func buildAutodiscoverFixed() Output {
	from := time.Date(2023, 12, 11, 0, 0, 0, 0, time.UTC)
	org := problemOrg(23, from)
	sim := newSim(2301, org, "a")
	sim.startup(from, 3960)
	fix := from.Add(2*24*time.Hour + 9*time.Hour + 12*time.Minute)
	end := from.Add(3*24*time.Hour + 6*time.Hour)
	ews := "https://mail.contoso.com/EWS/Exchange.asmx"
	autoEx := &ExceptionInfo{Type: "Microsoft.Exchange.WebServices.Data.AutodiscoverLocalException, Microsoft.Exchange.WebServices, Version=15.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35",
		Message: "The Autodiscover service couldn't be located.", Stack: []string{
			"Microsoft.Exchange.WebServices.Data.ExchangeService.AutodiscoverUrl(String emailAddress, AutodiscoverRedirectionUrlValidationCallback validateRedirectionUrlCallback)",
			"Contoso.Connector.Mail.Notifier.FindEws()"}}
	sim.shutdown(fix)
	sim.startup(fix.Add(3*time.Minute), 6204)
	sim.info(fix.Add(3*time.Minute+2*time.Second), "", "Notification mail will use the configured EWS URL "+ews+" (Autodiscover not used)")
	failures := 0
	logs := sim.run(Plan{From: from.Add(time.Minute), To: end, PollEvery: 5 * time.Minute,
		FullAt: 1*time.Hour + 55*time.Minute, QuickEvery: 3 * time.Hour, QuickPhase: 40 * time.Minute, Down: [][2]time.Time{{fix, fix.Add(3 * time.Minute)}},
		QuickHook: func(i int, t time.Time, sp *SyncSpec) bool {
			if t.Before(fix) {
				rcpt := org.Users[(i*7)%len(org.Users)].PrimarySMTP
				sp.Notify = nil
				if failures%2 == 0 {
					sim.emit(t.Add(20*time.Second), Error, "", 0, PayloadText, "Could not send the Get Started mail to "+rcpt+": Autodiscover failed for notification account svc-intunemail@contoso.com: The Autodiscover service couldn't be located.")
				} else {
					sim.emit(t.Add(20*time.Second), Error, "", 0, PayloadRawXML, traceRecordXML("Error", "Contoso.Connector.Mail.AutodiscoverFailed", "EWS endpoint lookup through Autodiscover failed for the notification mailbox.", serviceProcess+".exe", autoEx, "\r\n"))
				}
				failures++
			}
			if !t.Before(fix) && len(sp.Notify) == 0 {
				sp.Notify = []string{org.Users[i%len(org.Users)].PrimarySMTP}
			}
			return true
		}})
	const quota = 200000
	lf, kept, _ := logsOf(sim.records(), quota)
	files := append(lf, File{"TracingConfiguration.xml", tracingConfig("Verbose ActivityTracing", quota, 30)},
		File{"OnPremisesExchangeConnectorServiceConfiguration.xml", serviceConfig(ews, true, false, "cas01.contoso.com")})
	a, b := window0(kept)
	facts := traceFacts(kept) + fmt.Sprintf("- %d Autodiscover failures for the notification account until %s, in two wordings (one a WCF-style TraceRecord)\n- at %s the service stops and restarts (new process ID 3960 → 6204) with ExchangeWebServiceURL set to %s (the service config in the bundle holds it); notification mails are sent after that\n- %s\n\n",
		failures, fix.Format(time.RFC3339), fix.Format(time.RFC3339), ews, countUsersDevices(org)) + syncTable(logs, a, b)
	return Output{Zip: files, README: readme("autodiscover-fixed",
		"Autodiscover fails for the notification account for two days, so no Get Started mail goes out. Then the admin sets ExchangeWebServiceURL in the service configuration (Microsoft's documented fix when Autodiscover cannot find EWS) and restarts the service; mail flows again for the rest of the logs.",
		files, nil, facts,
		"- verdict healthy: `notify.autodiscover-failed` is listed as resolved during the logs, with the restart and the EWS URL now set as what changed\n- `config.ews-url-hardcoded` (info) whose advice does not contradict the fix",
		"- a next step asking to set ExchangeWebServiceURL (the bundle shows it done) or to clear it (that would break mail again)",
		"- Autodiscover, start-up and mail wording around the documented strings; quick-sync wording (variant \"a\")"),
	}
}
