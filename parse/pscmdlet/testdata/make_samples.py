#!/usr/bin/env python3
"""Writes the cross-format samples in this folder: the same three contoso.com
users (3 ActiveSync devices, 3 CAS mailboxes) as Windows PowerShell would
export them with Format-List, Export-Csv and Export-Clixml.

Modelled on PowerShell 5.1 output (see README.md for what is guessed).
The outputs are committed; rerun only to change the samples:
    python3 make_samples.py
"""
import html

USERS = [
    dict(name="Zoë Müller", alias="zoe.muller", smtp="zoe.muller@contoso.com",
         dev=dict(DeviceType="iPhone", DeviceID="ApplF17XK2M0JC69", DeviceModel="iPhone13C2",
                  DeviceUserAgent="Apple-iPhone13C2/2001.101", DeviceOS="iOS 17.1.2 21B101",
                  DeviceFriendlyName="Zoë’s iPhone", Status="DeviceOk",
                  DeviceAccessState="Quarantined", DeviceAccessStateReason="ExternallyManaged",
                  FirstSyncTime=(2026, 3, 2, 9, 41, 7), LastSuccessSync=(2026, 11, 24, 15, 15, 22),
                  Guid="6f1b2e0c-3d44-4a8e-9d1a-2b7c5e9f0a11", NumberOfFoldersSynced=14),
         cas=dict(ActiveSyncEnabled=True, Partnership=True,
                  Emails=["SMTP:zoe.muller@contoso.com", "smtp:zoe.mueller@contoso.com",
                          "smtp:zm@contoso.com", "smtp:zoe.muller@contoso.mail.onmicrosoft.com",
                          "X500:/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=zoe.muller",
                          "SIP:zoe.muller@contoso.com"],
                  Allowed=["ApplF17XK2M0JC69"], Blocked=[])),
    dict(name="Adele Vance", alias="adele.vance", smtp="adele.vance@contoso.com",
         dev=dict(DeviceType="Android", DeviceID="androidc1847562195", DeviceModel="SM-G991B",
                  DeviceUserAgent="Android-SAMSUNG-SM-G991B/101.80001", DeviceOS="Android 13.0.0",
                  DeviceFriendlyName="Galaxy S21", Status="DeviceOk",
                  DeviceAccessState="Allowed", DeviceAccessStateReason="Global",
                  FirstSyncTime=(2025, 12, 5, 8, 2, 40), LastSuccessSync=(2026, 10, 2, 8, 1, 44),
                  Guid="0a9c7d21-55e3-4f0b-8c2e-7e6d1f3b4a22", NumberOfFoldersSynced=9),
         cas=dict(ActiveSyncEnabled=True, Partnership=True,
                  Emails=["SMTP:adele.vance@contoso.com", "smtp:adele@contoso.com"],
                  Allowed=[], Blocked=[])),
    dict(name="Jörg Weiß", alias="joerg.weiss", smtp="joerg.weiss@contoso.com",
         dev=dict(DeviceType="Outlook", DeviceID="B1C6D4E2F3A04B5C9D8E7F6A5B4C3D2E", DeviceModel="Outlook for iOS and Android",
                  DeviceUserAgent="Outlook-iOS-Android/1.0", DeviceOS="Android 12.0.0",
                  DeviceFriendlyName="", Status="DeviceOk",
                  DeviceAccessState="Blocked", DeviceAccessStateReason="ExternalCompliance",
                  FirstSyncTime=(2026, 1, 13, 17, 30, 2), LastSuccessSync=(2026, 9, 30, 23, 59, 58),
                  Guid="c3d2e1f0-a9b8-4c7d-8e6f-5a4b3c2d1e33", NumberOfFoldersSynced=5),
         cas=dict(ActiveSyncEnabled=False, Partnership=False,
                  Emails=["SMTP:joerg.weiss@contoso.com", "smtp:jörg.weiß@contoso.com", "smtp:jw@contoso.com"],
                  Allowed=[], Blocked=["B1C6D4E2F3A04B5C9D8E7F6A5B4C3D2E"])),
]

RUNSPACE = "5f6e7a8b-1c2d-4e3f-9a0b-1c2d3e4f5a6b"
WIDTH = 80


def us_date(t):
    y, mo, d, h, mi, s = t
    ap = "AM" if h < 12 else "PM"
    h12 = h % 12 or 12
    return f"{mo}/{d}/{y} {h12}:{mi:02d}:{s:02d} {ap}"


def de_date(t):
    y, mo, d, h, mi, s = t
    return f"{d:02d}.{mo:02d}.{y} {h:02d}:{mi:02d}:{s:02d}"


def iso(t, zone):
    y, mo, d, h, mi, s = t
    return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}.0000000{zone}"


def dev_identity(u):
    d = u["dev"]
    return f"contoso.com/Users/{u['name']}/ExchangeActiveSyncDevices/{d['DeviceType']}§{d['DeviceID']}"


def dev_props(u, date):
    d = u["dev"]
    return [
        ("RunspaceId", RUNSPACE),
        ("FirstSyncTime", date(d["FirstSyncTime"])),
        ("LastPolicyUpdateTime", date(d["FirstSyncTime"])),
        ("LastSyncAttemptTime", date(d["LastSuccessSync"])),
        ("LastSuccessSync", date(d["LastSuccessSync"])),
        ("DeviceType", d["DeviceType"]),
        ("DeviceID", d["DeviceID"]),
        ("DeviceUserAgent", d["DeviceUserAgent"]),
        ("DeviceWipeSentTime", ""),
        ("DeviceWipeRequestTime", ""),
        ("DeviceWipeAckTime", ""),
        ("LastPingHeartbeat", "540"),
        ("RecoveryPassword", "********"),
        ("DeviceModel", d["DeviceModel"]),
        ("DeviceImei", ""),
        ("DeviceFriendlyName", d["DeviceFriendlyName"]),
        ("DeviceOS", d["DeviceOS"]),
        ("DeviceOSLanguage", "de-DE" if "ö" in u["name"] else "en-US"),
        ("DevicePhoneNumber", ""),
        ("MailboxLogReport", ""),
        ("DeviceEnableOutboundSMS", "False"),
        ("DeviceMobileOperator", ""),
        ("Identity", dev_identity(u)),
        ("Guid", d["Guid"]),
        ("IsRemoteWipeSupported", "True"),
        ("Status", d["Status"]),
        ("StatusNote", ""),
        ("DeviceAccessState", d["DeviceAccessState"]),
        ("DeviceAccessStateReason", d["DeviceAccessStateReason"]),
        ("DeviceAccessControlRule", ""),
        ("DevicePolicyApplied", "Default"),
        ("DevicePolicyApplicationStatus", "AppliedInFull"),
        ("LastDeviceWipeRequestor", ""),
        ("ClientVersion", "16.1"),
        ("NumberOfFoldersSynced", str(d["NumberOfFoldersSynced"])),
        ("SyncStateUpgradeTime", ""),
        ("ClientType", "EAS"),
        ("IsValid", "True"),
        ("ObjectState", "Unchanged"),
    ]


def fl_list(items):
    if len(items) > 4:
        return "{" + ", ".join(items[:4]) + "...}"
    return "{" + ", ".join(items) + "}"


def cas_props(u, lists):
    c = u["cas"]
    return [
        ("RunspaceId", RUNSPACE),
        ("EmailAddresses", lists(c["Emails"])),
        ("LegacyExchangeDN", f"/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn={u['alias']}"),
        ("LinkedMasterAccount", ""),
        ("PrimarySmtpAddress", u["smtp"]),
        ("SamAccountName", u["alias"][:20]),
        ("ServerLegacyDN", "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=EX01"),
        ("ServerName", "ex01"),
        ("DisplayName", u["name"]),
        ("ActiveSyncAllowedDeviceIDs", lists(c["Allowed"])),
        ("ActiveSyncBlockedDeviceIDs", lists(c["Blocked"])),
        ("ActiveSyncMailboxPolicy", "Default"),
        ("ActiveSyncMailboxPolicyIsDefaulted", "True"),
        ("ActiveSyncDebugLogging", "False"),
        ("ActiveSyncEnabled", str(c["ActiveSyncEnabled"])),
        ("HasActiveSyncDevicePartnership", str(c["Partnership"])),
        ("OWAEnabled", "True"),
        ("EwsEnabled", ""),
        ("Identity", f"contoso.com/Users/{u['name']}"),
        ("IsValid", "True"),
        ("ObjectState", "Unchanged"),
    ]


def format_list(props):
    """Format-List of one object at WIDTH columns: label padded to the longest
    label, ' : ', value hard-wrapped (no spaces added), continuation lines
    indented by label width + 3."""
    w = max(len(n) for n, _ in props)
    room = WIDTH - w - 3 - 1  # PowerShell leaves the last column free
    out = []
    for n, v in props:
        chunks = [v[i:i + room] for i in range(0, len(v), room)] or [""]
        out.append(n.ljust(w) + " : " + chunks[0])
        for ch in chunks[1:]:
            out.append(" " * (w + 3) + ch)
    return out


def write_list(path):
    lines = ["", ""]
    for u in USERS:
        lines += format_list(dev_props(u, us_date)) + [""]
    for u in USERS:
        lines += format_list(cas_props(u, fl_list)) + [""]
    lines += [""]
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\r\n".join(lines))


def csv_quote(v):
    return '"' + v.replace('"', '""') + '"'


def ascii_lossy(s):
    return "".join(ch if ord(ch) < 128 else "?" for ch in s)


def write_csv(path_dev, path_cas):
    # Devices: Windows PowerShell 5.1 on a de-DE machine,
    # Export-Csv -UseCulture (';'), ASCII with #TYPE.
    rows = [dev_props(u, de_date) for u in USERS]
    out = ["#TYPE Deserialized.Microsoft.Exchange.Management.Tasks.ActiveSyncDeviceConfiguration"]
    out.append(";".join(csv_quote(n) for n, _ in rows[0]))
    for r in rows:
        out.append(";".join(csv_quote(ascii_lossy(v)) for _, v in r))
    with open(path_dev, "w", encoding="ascii", newline="") as f:
        f.write("\r\n".join(out) + "\r\n")
    # CAS mailboxes: PowerShell 7, UTF-8, no #TYPE; multi-valued columns are
    # .NET type names.
    def lists(items):
        return "Microsoft.Exchange.Data.MultiValuedProperty`1[System.String]"
    rows = []
    for u in USERS:
        r = cas_props(u, lists)
        r = [(n, "Microsoft.Exchange.Data.ProxyAddressCollection" if n == "EmailAddresses" else v) for n, v in r]
        rows.append(r)
    out = [",".join(csv_quote(n) for n, _ in rows[0])]
    for r in rows:
        out.append(",".join(csv_quote(v) for _, v in r))
    with open(path_cas, "w", encoding="utf-8", newline="") as f:
        f.write("\r\n".join(out) + "\r\n")


def xs(v):
    return html.escape(v, quote=True)


class CliXML:
    def __init__(self):
        self.ref = 0
        self.tn = {}
        self.out = ['<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">']

    def next_ref(self):
        r = self.ref
        self.ref += 1
        return r

    def tn_xml(self, names, ind):
        key = tuple(names)
        if key in self.tn:
            return f'{ind}<TNRef RefId="{self.tn[key]}" />'
        self.tn[key] = len(self.tn)
        ts = "".join(f"{ind}  <T>{xs(n)}</T>\r\n" for n in names)
        return f'{ind}<TN RefId="{self.tn[key]}">\r\n{ts}{ind}</TN>'


def write_clixml(path):
    x = CliXML()
    o = x.out
    for i, u in enumerate(USERS):
        d = u["dev"]
        r = x.next_ref()
        o.append(f'  <Obj RefId="{r}">')
        o.append(x.tn_xml(["Deserialized.Microsoft.Exchange.Management.Tasks.ActiveSyncDeviceConfiguration",
                           "Deserialized.Microsoft.Exchange.Data.Directory.ADObject", "Deserialized.System.Object"], "    "))
        o.append(f"    <ToString>{xs(d['DeviceType'])}§{xs(d['DeviceID'])}</ToString>")
        o.append("    <Props>")
        zone = "Z" if i == 1 else "+00:00"
        for n, v in dev_props(u, lambda t: iso(t, zone)):
            if n in ("FirstSyncTime", "LastPolicyUpdateTime", "LastSyncAttemptTime", "LastSuccessSync"):
                o.append(f'      <DT N="{n}">{v}</DT>')
            elif v == "" and n.endswith("Time"):
                o.append(f'      <Nil N="{n}" />')
            elif n == "RunspaceId" or n == "Guid":
                o.append(f'      <G N="{n}">{v}</G>')
            elif n in ("IsRemoteWipeSupported", "DeviceEnableOutboundSMS", "IsValid"):
                o.append(f'      <B N="{n}">{v.lower()}</B>')
            elif n in ("NumberOfFoldersSynced",):
                o.append(f'      <I32 N="{n}">{v}</I32>')
            elif n == "Identity":
                rr = x.next_ref()
                o.append(f'      <Obj N="Identity" RefId="{rr}">')
                o.append(x.tn_xml(["Deserialized.Microsoft.Exchange.Data.Directory.ADObjectId", "Deserialized.System.Object"], "        "))
                o.append(f"        <ToString>{xs(v)}</ToString>")
                o.append("        <Props>")
                o.append(f'          <S N="DistinguishedName">CN={xs(d["DeviceType"])}§{xs(d["DeviceID"])},CN=ExchangeActiveSyncDevices,CN={xs(u["name"])},CN=Users,DC=contoso,DC=com</S>')
                o.append("        </Props>")
                o.append("      </Obj>")
                o.append(f'      <Ref N="Id" RefId="{rr}" />')
            elif n == "DeviceAccessState" and i == 0:
                rr = x.next_ref()
                o.append(f'      <Obj N="{n}" RefId="{rr}">')
                o.append(x.tn_xml(["Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.DeviceAccessState", "Deserialized.System.Enum", "Deserialized.System.ValueType", "Deserialized.System.Object"], "        "))
                o.append(f"        <ToString>{v}</ToString>")
                o.append("        <I32>3</I32>")
                o.append("      </Obj>")
            else:
                o.append(f'      <S N="{n}">{xs(v)}</S>')
        o.append("    </Props>")
        o.append("  </Obj>")
    for u in USERS:
        c = u["cas"]
        r = x.next_ref()
        o.append(f'  <Obj RefId="{r}">')
        o.append(x.tn_xml(["Deserialized.Microsoft.Exchange.Data.Directory.Management.CASMailbox",
                           "Deserialized.Microsoft.Exchange.Data.Directory.ADPresentationObject", "Deserialized.System.Object"], "    "))
        o.append(f"    <ToString>{xs(u['name'])}</ToString>")
        o.append("    <Props>")
        for n, v in cas_props(u, lambda items: items):
            if isinstance(v, list):
                rr = x.next_ref()
                o.append(f'      <Obj N="{n}" RefId="{rr}">')
                tname = "Deserialized.Microsoft.Exchange.Data.ProxyAddressCollection" if n == "EmailAddresses" else "Deserialized.Microsoft.Exchange.Data.MultiValuedProperty`1[[System.String, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089]]"
                o.append(x.tn_xml([tname, "Deserialized.System.Collections.ArrayList", "Deserialized.System.Object"], "        "))
                o.append("        <LST>")
                for it in v:
                    o.append(f"          <S>{xs(it)}</S>")
                o.append("        </LST>")
                o.append("      </Obj>")
            elif n in ("ActiveSyncEnabled", "HasActiveSyncDevicePartnership", "ActiveSyncMailboxPolicyIsDefaulted", "ActiveSyncDebugLogging", "OWAEnabled", "IsValid"):
                o.append(f'      <B N="{n}">{v.lower()}</B>')
            elif v == "" and n in ("EwsEnabled", "LinkedMasterAccount"):
                o.append(f'      <Nil N="{n}" />')
            elif n == "RunspaceId":
                o.append(f'      <G N="{n}">{v}</G>')
            else:
                o.append(f'      <S N="{n}">{xs(v)}</S>')
        o.append("    </Props>")
        o.append("  </Obj>")
    o.append("</Objs>")
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\r\n".join(o))


if __name__ == "__main__":
    write_list("users-fl.txt")
    write_csv("devices-de-ps51.csv", "casmailbox-ps7.csv")
    write_clixml("users.clixml")
