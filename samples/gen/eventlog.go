package main

import (
	"fmt"
	"strings"
	"time"
)

// WinEvent is one Windows event log record.
type WinEvent struct {
	Provider   string
	ProviderID string
	Qualifiers int
	ID         int
	Level      int // 1 critical, 2 error, 3 warning, 4 information
	Task       string
	Keywords   string // hex as in XML
	KeywordTxt string // "Classic"
	Time       time.Time
	RecordID   int
	Channel    string
	Computer   string
	User       string // "N/A" or SID
	Data       [][2]string
	Binary     string // hex of the binary data; "" = none
	Message    string // lines separated by "\n"
}

var levelNames = map[int]string{1: "Critical", 2: "Error", 3: "Warning", 4: "Information"}

const scmProvider = "Service Control Manager"
const scmGUID = "{555908d1-a6d7-4695-8e1e-26931d2012f4}"

func scmEvent(id, level int, t time.Time, rec int, host string, data [][2]string, msg string) WinEvent {
	q := 16384
	if level <= 2 {
		q = 49152
	}
	return WinEvent{Provider: scmProvider, ProviderID: scmGUID, Qualifiers: q, ID: id, Level: level, Task: "0", Keywords: "0x8080000000000000", KeywordTxt: "Classic",
		Time: t, RecordID: rec, Channel: "System", Computer: host, User: "N/A", Data: data, Message: msg}
}

// eventXML renders one event like wevtutil qe /f:RenderedXml (single-quoted
// attributes, RenderingInfo with the message).
func eventXML(e WinEvent) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='%s' Guid='%s' EventSourceName='%s'/>", e.Provider, e.ProviderID, e.Provider)
	fmt.Fprintf(&b, "<EventID Qualifiers='%d'>%d</EventID><Version>0</Version><Level>%d</Level><Task>%s</Task><Opcode>0</Opcode><Keywords>%s</Keywords>", e.Qualifiers, e.ID, e.Level, e.Task, e.Keywords)
	fmt.Fprintf(&b, "<TimeCreated SystemTime='%s'/><EventRecordID>%d</EventRecordID><Correlation/><Execution ProcessID='720' ThreadID='%d'/>", e.Time.UTC().Format("2006-01-02T15:04:05.0000000Z"), e.RecordID, 760+e.RecordID%40)
	fmt.Fprintf(&b, "<Channel>%s</Channel><Computer>%s</Computer><Security/></System><EventData>", e.Channel, e.Computer)
	for _, d := range e.Data {
		fmt.Fprintf(&b, "<Data Name='%s'>%s</Data>", d[0], xmlText(d[1]))
	}
	if e.Binary != "" {
		fmt.Fprintf(&b, "<Binary>%s</Binary>", e.Binary)
	}
	b.WriteString("</EventData>")
	fmt.Fprintf(&b, "<RenderingInfo Culture='en-US'><Message>%s</Message><Level>%s</Level><Task></Task><Opcode></Opcode><Channel></Channel><Provider>Microsoft-Windows-Service Control Manager</Provider><Keywords><Keyword>%s</Keyword></Keywords></RenderingInfo></Event>",
		xmlText(strings.ReplaceAll(e.Message, "\n", "\r\n")), levelNames[e.Level], e.KeywordTxt)
	return b.String()
}

// wevtutilXML is `wevtutil qe System /f:RenderedXml`: events without a
// root element, one per line.
func wevtutilXML(evs []WinEvent) []byte {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString(eventXML(e))
		b.WriteString("\r\n")
	}
	return []byte(b.String())
}

// eventsXML is Event Viewer "Save All Events As… XML": an <Events> root.
func eventsXML(evs []WinEvent) []byte {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<Events>")
	for _, e := range evs {
		b.WriteString(eventXML(e))
		b.WriteString("\r\n")
	}
	b.WriteString("</Events>")
	return []byte(b.String())
}

// eventViewerText is the "Copy details as text" layout, events separated by
// a blank line, US date format, CRLF.
func eventViewerText(evs []WinEvent) []byte {
	var b strings.Builder
	for i, e := range evs {
		if i > 0 {
			b.WriteString("\n")
		}
		task := "None"
		fmt.Fprintf(&b, "Log Name:      %s\nSource:        %s\nDate:          %s\nEvent ID:      %d\nTask Category: %s\nLevel:         %s\nKeywords:      %s\nUser:          %s\nComputer:      %s\nDescription:\n%s\n",
			e.Channel, e.Provider, usDate(e.Time), e.ID, task, levelNames[e.Level], e.KeywordTxt, e.User, e.Computer, e.Message)
	}
	return []byte(crlf(b.String()))
}

// eventViewerCSV is Event Viewer "Save As… CSV": header, US dates, the
// message as a quoted field that may span lines, newest event first (the
// order Event Viewer displays).
func eventViewerCSV(evs []WinEvent) []byte {
	var b strings.Builder
	b.WriteString("Level,Date and Time,Source,Event ID,Task Category\n")
	for i := len(evs) - 1; i >= 0; i-- {
		e := evs[i]
		fmt.Fprintf(&b, "%s,%s,%s,%d,None,%s\n", levelNames[e.Level], usDate(e.Time), e.Provider, e.ID, csvQuote(e.Message))
	}
	return []byte(crlf(b.String()))
}

const connectorDisplay = "Microsoft Intune Exchange Connector Service"

// scm7036 is "service entered the … state"; its binary data is the
// service key name in UTF-16LE, as hex.
func scm7036(t time.Time, rec int, host, svc, state string) WinEvent {
	e := scmEvent(7036, 4, t, rec, host, [][2]string{{"param1", svc}, {"param2", state}},
		fmt.Sprintf("The %s service entered the %s state.", svc, state))
	key := serviceKeys[svc]
	if key == "" {
		key = strings.ReplaceAll(svc, " ", "")
	}
	e.Binary = strings.ToUpper(fmt.Sprintf("%x", utf16LE(key + "/" + map[string]string{"running": "4", "stopped": "1"}[state])[2:])) + "0000"
	return e
}

var serviceKeys = map[string]string{connectorDisplay: "WIEC", "Windows Update": "wuauserv", "Windows Modules Installer": "TrustedInstaller", "Background Intelligent Transfer Service": "BITS"}

// scm7031 is "service terminated unexpectedly", with SCM's recovery
// action (Windows' own wording; parse/eventlog/render.go has the template).
func scm7031(t time.Time, rec int, host, svc string, times int) WinEvent {
	return scmEvent(7031, 2, t, rec, host, [][2]string{{"param1", svc}, {"param2", fmt.Sprint(times)}, {"param3", "60000"}, {"param4", "1"}, {"param5", "Restart the service"}},
		fmt.Sprintf("The %s service terminated unexpectedly.  It has done this %d time(s).  The following corrective action will be taken in 60000 milliseconds: Restart the service.", svc, times))
}

func scm7000(t time.Time, rec int, host string) WinEvent {
	return scmEvent(7000, 2, t, rec, host, [][2]string{{"param1", connectorDisplay}, {"param2", "%%1069"}},
		"The "+connectorDisplay+" service failed to start due to the following error: \nThe service did not start because of a logon failure.")
}

func scm7041(t time.Time, rec int, host string) WinEvent {
	return scmEvent(7041, 2, t, rec, host, [][2]string{{"param1", "WIEC"}, {"param2", `.\WIEC_USER`}, {"param3", "%%1385"}, {"param4", "WIEC"}, {"param5", `.\WIEC_USER`}},
		`The WIEC service was unable to log on as .\WIEC_USER with the currently configured password due to the following error: 
Logon failure: the user has not been granted the requested logon type at this computer.

Service: WIEC
Domain and account: .\WIEC_USER

This service account does not have the required user right "Log on as a service."

User Action

Assign "Log on as a service" to the service account on this computer. You can use Local Security Settings (Secpol.msc) to do this. If this computer is a node in a cluster, check that this user right is assigned to the Cluster service account on all nodes in the cluster.

If you have already assigned this user right to the service account, and the user right appears to be removed, check with your domain administrator to find out if a Group Policy object associated with this node might be removing the right.`)
}
