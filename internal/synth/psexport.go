package synth

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// ValKind is the .NET shape of a property value.
type ValKind int

const (
	VStr ValKind = iota
	VBool
	VInt
	VDate
	VGUID
	VList
	VNil
	VRefObj // a nested object shared between objects (CliXML <Ref>)
)

// Value is one property value. List holds collection items; ListType is the
// .NET type name a CSV export prints instead of the items.
type Value struct {
	Kind     ValKind
	S        string
	B        bool
	I        int64
	T        time.Time
	List     []string
	ListType string
}

func Str(s string) Value       { return Value{Kind: VStr, S: s} }
func Bool(b bool) Value        { return Value{Kind: VBool, B: b} }
func Int(i int) Value          { return Value{Kind: VInt, I: int64(i)} }
func Date(t time.Time) Value   { return Value{Kind: VDate, T: t} }
func GUIDValue(g string) Value { return Value{Kind: VGUID, S: g} }
func NilValue() Value          { return Value{Kind: VNil} }
func List(t string, items ...string) Value {
	return Value{Kind: VList, List: items, ListType: t}
}
func RefObj(typ, s string) Value { return Value{Kind: VRefObj, S: s, ListType: typ} }

// Prop is one named property.
type Prop struct {
	Name string
	V    Value
}

// PSObject is one object as PowerShell would format or serialise it.
// Types lists type names most-derived first, without "Deserialized.".
type PSObject struct {
	Types    []string
	ToString string
	Props    []Prop
}

// USDate is the en-US short date and long time pattern.
func USDate(t time.Time) string { return t.Format("1/2/2006 3:04:05 PM") }

// flValue is how Format-List shows a value: collections as {a, b, c, d...}
// with $FormatEnumerationLimit = 4.
func flValue(v Value) string {
	switch v.Kind {
	case VStr, VGUID, VRefObj:
		return v.S
	case VBool:
		if v.B {
			return "True"
		}
		return "False"
	case VInt:
		return fmt.Sprint(v.I)
	case VDate:
		return USDate(v.T)
	case VList:
		if len(v.List) <= 4 {
			return "{" + strings.Join(v.List, ", ") + "}"
		}
		return "{" + strings.Join(v.List[:4], ", ") + "...}"
	}
	return ""
}

// FormatList renders objects as Windows PowerShell's Format-List writes them
// to a file: labels padded to the longest label of the object, " : ",
// values hard-wrapped at width columns onto continuation lines indented by
// label width + 3, a blank line between objects. Lines end in "\n"; callers
// convert to CRLF.
func FormatList(objs []PSObject, width int) string {
	var b strings.Builder
	b.WriteString("\n")
	for _, o := range objs {
		b.WriteString("\n")
		w := 0
		for _, p := range o.Props {
			w = max(w, len([]rune(p.Name)))
		}
		avail := width - (w + 3)
		for _, p := range o.Props {
			b.WriteString(p.Name)
			b.WriteString(strings.Repeat(" ", w-len([]rune(p.Name))))
			b.WriteString(" : ")
			val := []rune(flValue(p.V))
			first := true
			for first || len(val) > 0 {
				n := min(avail, len(val))
				if !first {
					b.WriteString(strings.Repeat(" ", w+3))
				}
				b.WriteString(string(val[:n]))
				b.WriteString("\n")
				val = val[n:]
				first = false
			}
		}
	}
	b.WriteString("\n\n")
	return b.String()
}

// csvValue is how Export-Csv writes a value: collections become the
// collection's type name.
func csvValue(v Value) string {
	if v.Kind == VList {
		return v.ListType
	}
	return flValue(v)
}

func CSVQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// ExportCSV51 is Windows PowerShell 5.1 Export-Csv: "#TYPE" line, every
// field quoted, ASCII (non-ASCII as "?"), CRLF.
func ExportCSV51(objs []PSObject, listName string) []byte {
	var b strings.Builder
	b.WriteString("#TYPE Deserialized." + objs[0].Types[0] + "\n")
	writeCSVRows(&b, objs, listName)
	return []byte(CRLF(ASCIILossy(b.String())))
}

// ExportCSV7 is PowerShell 7 Export-Csv: UTF-8 without BOM, no #TYPE, quoted.
func ExportCSV7(objs []PSObject, listName string) []byte {
	var b strings.Builder
	writeCSVRows(&b, objs, listName)
	return []byte(CRLF(b.String()))
}

// writeCSVRows writes the header and rows; listName, when set, replaces the
// type name printed for every collection (remote sessions print
// System.Collections.ArrayList).
func writeCSVRows(b *strings.Builder, objs []PSObject, listName string) {
	for i, p := range objs[0].Props {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(CSVQuote(p.Name))
	}
	b.WriteString("\n")
	for _, o := range objs {
		for i, p := range o.Props {
			if i > 0 {
				b.WriteString(",")
			}
			v := csvValue(p.V)
			if p.V.Kind == VList && listName != "" {
				v = listName
			}
			b.WriteString(CSVQuote(v))
		}
		b.WriteString("\n")
	}
}

// ExportCliXML is Export-Clixml: UTF-16LE with BOM, CRLF, two-space
// indentation, TN/TNRef for type names, Ref for repeated shared objects.
func ExportCliXML(objs []PSObject) []byte {
	var b bytes.Buffer
	refID := 0
	tnIDs := map[string]int{}
	shared := map[string]int{}
	writeTN := func(ind string, types []string) {
		key := strings.Join(types, "|")
		if id, ok := tnIDs[key]; ok {
			fmt.Fprintf(&b, "%s<TNRef RefId=\"%d\" />\n", ind, id)
			return
		}
		id := len(tnIDs)
		tnIDs[key] = id
		fmt.Fprintf(&b, "%s<TN RefId=\"%d\">\n", ind, id)
		for _, t := range types {
			fmt.Fprintf(&b, "%s  <T>Deserialized.%s</T>\n", ind, XMLText(t))
		}
		fmt.Fprintf(&b, "%s  <T>Deserialized.System.Object</T>\n", ind)
		fmt.Fprintf(&b, "%s</TN>\n", ind)
	}
	b.WriteString("<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">\n")
	for _, o := range objs {
		fmt.Fprintf(&b, "  <Obj RefId=\"%d\">\n", refID)
		refID++
		writeTN("    ", o.Types)
		fmt.Fprintf(&b, "    <ToString>%s</ToString>\n", XMLText(o.ToString))
		b.WriteString("    <Props>\n")
		var ms []Prop
		for _, p := range o.Props {
			if p.Name == "RunspaceId" {
				ms = append(ms, p)
				continue
			}
			ind := "      "
			n := XMLText(p.Name)
			switch v := p.V; v.Kind {
			case VStr:
				fmt.Fprintf(&b, "%s<S N=\"%s\">%s</S>\n", ind, n, XMLText(v.S))
			case VBool:
				fmt.Fprintf(&b, "%s<B N=\"%s\">%t</B>\n", ind, n, v.B)
			case VInt:
				fmt.Fprintf(&b, "%s<I32 N=\"%s\">%d</I32>\n", ind, n, v.I)
			case VDate:
				fmt.Fprintf(&b, "%s<DT N=\"%s\">%s</DT>\n", ind, n, v.T.UTC().Format("2006-01-02T15:04:05.0000000Z07:00"))
			case VGUID:
				fmt.Fprintf(&b, "%s<G N=\"%s\">%s</G>\n", ind, n, v.S)
			case VNil:
				fmt.Fprintf(&b, "%s<Nil N=\"%s\" />\n", ind, n)
			case VList:
				fmt.Fprintf(&b, "%s<Obj N=\"%s\" RefId=\"%d\">\n", ind, n, refID)
				refID++
				writeTN(ind+"  ", []string{v.ListType})
				if len(v.List) == 0 {
					fmt.Fprintf(&b, "%s  <LST />\n", ind)
				} else {
					fmt.Fprintf(&b, "%s  <LST>\n", ind)
					for _, it := range v.List {
						fmt.Fprintf(&b, "%s    <S>%s</S>\n", ind, XMLText(it))
					}
					fmt.Fprintf(&b, "%s  </LST>\n", ind)
				}
				fmt.Fprintf(&b, "%s</Obj>\n", ind)
			case VRefObj:
				key := p.Name + "|" + v.ListType + "|" + v.S
				if id, ok := shared[key]; ok {
					fmt.Fprintf(&b, "%s<Ref N=\"%s\" RefId=\"%d\" />\n", ind, n, id)
					continue
				}
				shared[key] = refID
				fmt.Fprintf(&b, "%s<Obj N=\"%s\" RefId=\"%d\">\n", ind, n, refID)
				refID++
				writeTN(ind+"  ", []string{v.ListType})
				fmt.Fprintf(&b, "%s  <ToString>%s</ToString>\n", ind, XMLText(v.S))
				fmt.Fprintf(&b, "%s</Obj>\n", ind)
			}
		}
		b.WriteString("    </Props>\n")
		if len(ms) > 0 {
			b.WriteString("    <MS>\n")
			for _, p := range ms {
				fmt.Fprintf(&b, "      <G N=\"%s\">%s</G>\n", p.Name, p.V.S)
			}
			b.WriteString("    </MS>\n")
		}
		b.WriteString("  </Obj>\n")
	}
	b.WriteString("</Objs>")
	return UTF16LE(CRLF(b.String()))
}

// --- Exchange objects -------------------------------------------------------

const (
	typeDeviceStats = "Microsoft.Exchange.Data.Mapi.MobileDeviceStatistics" // guessed for the older cmdlet name
	typeCASMailbox  = "Microsoft.Exchange.Data.Directory.Management.CASMailbox"
	typeMailbox     = "Microsoft.Exchange.Data.Directory.Management.Mailbox"
	typeOrgSettings = "Microsoft.Exchange.Data.Directory.SystemConfiguration.ActiveSyncOrganizationSettings"
	typeMVString    = "Microsoft.Exchange.Data.MultiValuedProperty`1[[System.String, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089]]"
	typeProxyAddrs  = "Microsoft.Exchange.Data.ProxyAddressCollection"
	typeADObjectID  = "Microsoft.Exchange.Data.Directory.ADObjectId"
)

// ExportSession is one remote PowerShell session of the admin: objects
// fetched through it share a RunspaceId.
type ExportSession struct {
	Runspace string
	Org      *Org
}

func (s *ExportSession) DeviceStats(d *Device) PSObject {
	u := d.User
	wipe := NilValue()
	imei := Str(d.IMEI)
	return PSObject{
		Types:    []string{typeDeviceStats, "Microsoft.Exchange.Data.ConfigurableObject"},
		ToString: s.Org.Domain + "/Corp/Users/" + u.Display + "/ExchangeActiveSyncDevices/" + d.Type + "§" + d.ID,
		Props: []Prop{
			{"RunspaceId", GUIDValue(s.Runspace)},
			{"FirstSyncTime", Date(d.FirstSync)},
			{"LastPolicyUpdateTime", Date(d.PolicyUpdate)},
			{"LastSyncAttemptTime", Date(d.LastAttempt)},
			{"LastSuccessSync", Date(d.LastSuccess)},
			{"DeviceType", Str(d.Type)},
			{"DeviceID", Str(d.ID)},
			{"DeviceUserAgent", Str(d.UserAgent)},
			{"DeviceWipeSentTime", wipe},
			{"DeviceWipeRequestTime", wipe},
			{"DeviceWipeAckTime", wipe},
			{"LastPingHeartbeat", Int(480 + len(d.ID)*20)},
			{"RecoveryPassword", Str("********")},
			{"DeviceModel", Str(d.Model)},
			{"DeviceImei", imei},
			{"DeviceFriendlyName", Str(d.Friendly)},
			{"DeviceOS", Str(d.OS)},
			{"DeviceOSLanguage", Str("en-us")},
			{"DevicePhoneNumber", Str("")},
			{"MailboxLogReport", Str("")},
			{"DeviceEnableOutboundSMS", Bool(false)},
			{"DeviceMobileOperator", Str("")},
			{"Identity", Str(s.Org.Domain + "/Corp/Users/" + u.Display + "/ExchangeActiveSyncDevices/" + d.Type + "§" + d.ID)},
			{"Guid", GUIDValue(d.GUID)},
			{"IsRemoteWipeSupported", Bool(d.Type != "Outlook")},
			{"Status", Str(d.Status)},
			{"StatusNote", Str("")},
			{"DeviceAccessState", Str(d.AccessState)},
			{"DeviceAccessStateReason", Str(d.AccessReason)},
			{"DeviceAccessControlRule", Str("")},
			{"DevicePolicyApplied", Str("Default")},
			{"DevicePolicyApplicationStatus", Str("AppliedInFull")},
			{"LastDeviceWipeRequestor", Str("")},
			{"ClientVersion", Str(d.ClientVersion)},
			{"NumberOfFoldersSynced", Int(d.Folders)},
			{"SyncStateUpgradeTime", NilValue()},
			{"ClientType", Str("EAS")},
			{"IsValid", Bool(true)},
			{"ObjectState", Str("Unchanged")},
		},
	}
}

func (s *ExportSession) EmailAddresses(u *User, primaryLast bool) []string {
	addrs := append([]string{}, u.Proxies...)
	if primaryLast {
		return append(addrs, "SMTP:"+u.PrimarySMTP)
	}
	return append([]string{"SMTP:" + u.PrimarySMTP}, addrs...)
}

func (s *ExportSession) CASMailbox(u *User, i int) PSObject {
	var allowed []string
	for _, d := range u.Devices {
		if d.AccessState == "Allowed" {
			allowed = append(allowed, d.ID)
		}
	}
	dn := "CN=" + u.Display + ",OU=Users,OU=Corp,DC=contoso,DC=com"
	return PSObject{
		Types:    []string{typeCASMailbox, "Microsoft.Exchange.Data.Directory.ADPresentationObject", "Microsoft.Exchange.Data.Directory.ADObject", "Microsoft.Exchange.Data.ConfigurableObject"},
		ToString: u.Display,
		Props: []Prop{
			{"RunspaceId", GUIDValue(s.Runspace)},
			{"EmailAddresses", List(typeProxyAddrs, s.EmailAddresses(u, i%3 == 1)...)},
			{"LegacyExchangeDN", Str("/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=" + u.Alias)},
			{"LinkedMasterAccount", Str("")},
			{"PrimarySmtpAddress", Str(u.PrimarySMTP)},
			{"SamAccountName", Str(u.Alias)},
			{"ServerName", Str("mbx0" + u.Database[3:])},
			{"DisplayName", Str(u.Display)},
			{"ActiveSyncAllowedDeviceIDs", List(typeMVString, allowed...)},
			{"ActiveSyncBlockedDeviceIDs", List(typeMVString)},
			{"ActiveSyncMailboxPolicy", RefObj(typeADObjectID, "Default")},
			{"ActiveSyncMailboxPolicyIsDefaulted", Bool(true)},
			{"ActiveSyncDebugLogging", Bool(false)},
			{"ActiveSyncEnabled", Bool(u.ActiveSync)},
			{"HasActiveSyncDevicePartnership", Bool(len(u.Devices) > 0)},
			{"OwaMailboxPolicy", RefObj(typeADObjectID, "Default")},
			{"OWAEnabled", Bool(true)},
			{"OWAforDevicesEnabled", Bool(true)},
			{"EwsEnabled", NilValue()},
			{"MAPIEnabled", Bool(true)},
			{"PopEnabled", Bool(false)},
			{"ImapEnabled", Bool(false)},
			{"Name", Str(u.Display)},
			{"DistinguishedName", Str(dn)},
			{"Identity", Str(s.Org.Domain + "/Corp/Users/" + u.Display)},
			{"Guid", GUIDValue(u.GUID)},
			{"IsValid", Bool(true)},
			{"ObjectState", Str("Unchanged")},
		},
	}
}

func (s *ExportSession) Mailbox(u *User, i int) PSObject {
	return PSObject{
		Types:    []string{typeMailbox, "Microsoft.Exchange.Data.Directory.Management.MailEnabledOrgPerson", "Microsoft.Exchange.Data.Directory.ADPresentationObject", "Microsoft.Exchange.Data.Directory.ADObject", "Microsoft.Exchange.Data.ConfigurableObject"},
		ToString: u.Display,
		Props: []Prop{
			{"RunspaceId", GUIDValue(s.Runspace)},
			{"Database", Str(u.Database)},
			{"Alias", Str(u.Alias)},
			{"DisplayName", Str(u.Display)},
			{"UserPrincipalName", Str(u.UPN)},
			{"PrimarySmtpAddress", Str(u.PrimarySMTP)},
			{"EmailAddresses", List(typeProxyAddrs, s.EmailAddresses(u, i%2 == 1)...)},
			{"RecipientTypeDetails", Str("UserMailbox")},
			{"Name", Str(u.Display)},
			{"Identity", Str(s.Org.Domain + "/Corp/Users/" + u.Display)},
			{"Guid", GUIDValue(u.GUID)},
		},
	}
}

func (s *ExportSession) OrgSettings(level string, changed time.Time) PSObject {
	return PSObject{
		Types:    []string{typeOrgSettings, "Microsoft.Exchange.Data.Directory.ADConfigurationObject", "Microsoft.Exchange.Data.Directory.ADObject", "Microsoft.Exchange.Data.ConfigurableObject"},
		ToString: "Mobile Mailbox Settings",
		Props: []Prop{
			{"RunspaceId", GUIDValue(s.Runspace)},
			{"DefaultAccessLevel", Str(level)},
			{"UserMailInsert", Str("")},
			{"AllowAccessForUnSupportedPlatform", Bool(false)},
			{"AdminMailRecipients", List(typeMVString)},
			{"OtaNotificationMailInsert", Str("")},
			{"DeviceFiltering", NilValue()},
			{"IsIntuneManaged", Bool(true)},
			{"HostedTenant", Bool(false)},
			{"AdminDisplayName", Str("")},
			{"ExchangeVersion", Str("0.10 (14.0.100.0)")},
			{"Name", Str("Mobile Mailbox Settings")},
			{"DistinguishedName", Str("CN=Mobile Mailbox Settings,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com")},
			{"Identity", Str("Mobile Mailbox Settings")},
			{"ObjectClass", List(typeMVString, "top", "msExchActiveSyncOrganizationSettings")},
			{"WhenChanged", Date(changed)},
			{"IsValid", Bool(true)},
			{"ObjectState", Str("Unchanged")},
		},
	}
}
