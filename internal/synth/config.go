package synth

import "fmt"

// TracingConfig renders TracingConfiguration.xml. The real schema is not
// published: element names come from domain.md §2, the nesting is a guess.
func TracingConfig(level string, quota, files int) []byte {
	return []byte(CRLF(fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?>
<TracingConfiguration xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <TraceSourceLines>
    <TraceSourceLine>
      <Key>OnPremisesExchangeConnectorService</Key>
      <Value>
        <Listeners>
          <Listener>
            <ListenerType>CircularTraceListener</ListenerType>
            <SourceLevel>%s</SourceLevel>
            <FileSizeQuotaInBytes>%d</FileSizeQuotaInBytes>
            <FileQuota>%d</FileQuota>
            <FileName>Logs\Connector.svclog</FileName>
          </Listener>
        </Listeners>
      </Value>
    </TraceSourceLine>
  </TraceSourceLines>
</TracingConfiguration>`, level, quota, files)))
}

// ServiceConfig renders OnPremisesExchangeConnectorServiceConfiguration.xml
// (element names documented, the rest guessed). An empty ewsURL writes an
// empty element: Autodiscover is used.
func ServiceConfig(ewsURL string, casFailover, parallel bool, cas string) []byte {
	ews := "<ExchangeWebServiceURL />"
	if ewsURL != "" {
		ews = "<ExchangeWebServiceURL>" + ewsURL + "</ExchangeWebServiceURL>"
	}
	return []byte(CRLF(fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?>
<OnPremisesExchangeConnectorServiceConfiguration xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <ExchangeServerURL>https://%s/PowerShell</ExchangeServerURL>
  %s
  <IsCasFailoverEnabled>%t</IsCasFailoverEnabled>
  <EnableParallelCommandSupport>%t</EnableParallelCommandSupport>
  <NotificationAccount>intune.notify@contoso.com</NotificationAccount>
</OnPremisesExchangeConnectorServiceConfiguration>`, cas, ews, casFailover, parallel)))
}
