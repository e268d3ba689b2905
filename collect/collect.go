// Package collect writes the PowerShell script an admin runs on the
// connector server to gather exactly the evidence exlog reads, and
// describes the layout of the zip it makes.
//
// The script targets Windows PowerShell 5.1 and needs nothing but the
// connector server and (for the Exchange exports) a remote PowerShell
// session to an Exchange server. It has not been run on Windows by the
// test suite: tests check its text and that exlog reads its layout.
package collect

import (
	"fmt"
	"strings"
	"text/template"
)

// Layout names the folders inside the zip the script makes.
const (
	DirLogs      = "Logs"      // Connector*.log / *.svclog, copied as they are
	DirConfig    = "config"    // TracingConfiguration.xml and the service configuration
	DirExports   = "exports"   // cmdlet output: Format-List text and CSV, UTF-8
	DirEventLogs = "eventlogs" // System.xml, Application.xml (wevtutil qe) and System.evtx, Application.evtx (wevtutil epl)
	// TimeZoneFile (in DirEventLogs) records the machine's time zone and
	// its UTC offsets over the exported days: Event Viewer text/CSV
	// exports of this machine carry its local time without a zone, and
	// exlog reads this file to convert them (parse/eventlog.ZoneFile).
	TimeZoneFile = "TimeZone.txt"
)

// Options shape the script.
type Options struct {
	Users          []string // mailboxes to export (UPNs or SMTP addresses)
	Days           int      // event-log history to export
	ExchangeServer string   // FQDN of an Exchange server for remote PowerShell; empty: a script parameter
}

// Script returns the PowerShell script text (CRLF line ends, as Windows expects).
func Script(opt Options) (string, error) {
	if opt.Days <= 0 {
		opt.Days = 14
	}
	var users []string
	for _, u := range opt.Users {
		u = strings.TrimSpace(u)
		if u == "" {
			continue
		}
		if strings.ContainsAny(u, "\"`$;|&<>\r\n") {
			return "", fmt.Errorf("user %q: not a plain UPN or SMTP address", u)
		}
		users = append(users, psQuote(u))
	}
	if strings.ContainsAny(opt.ExchangeServer, "'\"`$;|&<> \r\n") {
		return "", fmt.Errorf("exchange server %q: not a plain host name", opt.ExchangeServer)
	}
	var b strings.Builder
	err := scriptTmpl.Execute(&b, map[string]any{
		"Users": strings.Join(users, ", "), "Days": opt.Days, "Exchange": psQuote(opt.ExchangeServer),
		"DirLogs": DirLogs, "DirConfig": DirConfig, "DirExports": DirExports, "DirEventLogs": DirEventLogs,
		"TimeZoneFile": TimeZoneFile,
	})
	if err != nil {
		return "", err
	}
	return strings.ReplaceAll(b.String(), "\n", "\r\n"), nil
}

// psQuote makes a PowerShell single-quoted string literal.
func psQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

var scriptTmpl = template.Must(template.New("collect").Parse(`# exlog-collect.ps1 - gathers the evidence exlog reads about the
# Microsoft Intune on-premises Exchange Connector into one zip.
# Run on the connector server in Windows PowerShell 5.1 as an administrator:
#   powershell -ExecutionPolicy Bypass -File .\exlog-collect.ps1 -ExchangeServer cas01.contoso.com
# Nothing is changed on the server. Then give the zip to: exlog <zip>
[CmdletBinding()]
param(
    [string[]] $Users = @({{.Users}}),
    [int] $Days = {{.Days}},
    [string] $ExchangeServer = {{.Exchange}},
    [string] $OutDir = (Get-Location).Path
)
$ErrorActionPreference = 'Continue'
$stamp = Get-Date -Format 'yyyyMMdd-HHmm'
$root = Join-Path $env:TEMP ("exlog-collect-$env:COMPUTERNAME-$stamp")
New-Item -ItemType Directory -Force -Path $root | Out-Null
foreach ($d in '{{.DirLogs}}', '{{.DirConfig}}', '{{.DirExports}}', '{{.DirEventLogs}}') {
    New-Item -ItemType Directory -Force -Path (Join-Path $root $d) | Out-Null
}

# 1. Trace logs and configuration (both folder spellings are in use).
$bases = @(
    (Join-Path $env:ProgramData 'Microsoft\Windows Intune Exchange Connector'),
    (Join-Path $env:ProgramData 'Microsoft\Microsoft Intune Exchange Connector')
)
foreach ($base in $bases) {
    if (-not (Test-Path -LiteralPath $base)) { continue }
    $logs = Join-Path $base 'Logs'
    if (Test-Path -LiteralPath $logs) {
        Get-ChildItem -LiteralPath $logs -File | Where-Object { $_.Name -like '*Connector*' } |
            Copy-Item -Destination (Join-Path $root '{{.DirLogs}}') -Force
    }
    Get-ChildItem -LiteralPath $base -File -Filter '*.xml' |
        Where-Object { $_.Name -like 'TracingConfiguration*' -or $_.Name -like 'On*ExchangeConnectorServiceConfiguration*' } |
        Copy-Item -Destination (Join-Path $root '{{.DirConfig}}') -Force
}

# 2. Exchange cmdlet exports through remote PowerShell to an Exchange server.
if ($ExchangeServer) {
    try {
        $session = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri "http://$ExchangeServer/PowerShell/" -Authentication Kerberos -ErrorAction Stop
        Import-PSSession $session -DisableNameChecking -AllowClobber | Out-Null
        $ex = Join-Path $root '{{.DirExports}}'
        Get-ActiveSyncOrganizationSettings | Format-List | Out-File -Encoding utf8 -Width 4096 (Join-Path $ex 'ActiveSyncOrganizationSettings.txt')
        foreach ($u in $Users) {
            $safe = $u -replace '[^A-Za-z0-9@._-]', '_'
            Get-ActiveSyncDeviceStatistics -Mailbox $u | Format-List * | Out-File -Encoding utf8 -Width 4096 (Join-Path $ex "$safe-ActiveSyncDeviceStatistics.txt")
            Get-ActiveSyncDeviceStatistics -Mailbox $u | Export-Csv -NoTypeInformation -Encoding UTF8 (Join-Path $ex "$safe-ActiveSyncDeviceStatistics.csv")
            Get-Mailbox -Identity $u | Select-Object Identity,UserPrincipalName,PrimarySmtpAddress,EmailAddresses | Format-List | Out-File -Encoding utf8 -Width 4096 (Join-Path $ex "$safe-Mailbox.txt")
            Get-CASMailbox -Identity $u | Format-List | Out-File -Encoding utf8 -Width 4096 (Join-Path $ex "$safe-CASMailbox.txt")
        }
        Remove-PSSession $session
    } catch {
        Write-Warning "Exchange exports skipped: $($_.Exception.Message)"
    }
} else {
    Write-Warning 'No -ExchangeServer given: the Exchange cmdlet exports are skipped.'
}

# 3. System and Application events of the last $Days days: as XML (no root
# element) and, lossless and smaller, as binary .evtx (wevtutil epl). exlog
# reads both and counts a record found in both once.
$ms = [int64]$Days * 86400000
foreach ($log in 'System', 'Application') {
    $query = "*[System[TimeCreated[timediff(@SystemTime) <= $ms]]]"
    wevtutil qe $log "/q:$query" /f:xml | Out-File -Encoding utf8 (Join-Path (Join-Path $root '{{.DirEventLogs}}') "$log.xml")
    wevtutil epl $log (Join-Path (Join-Path $root '{{.DirEventLogs}}') "$log.evtx") "/q:$query" /ow:true
}

# 4. The machine's time zone and its UTC offset over the exported days
#    (daylight saving included): event-log text and CSV exports of this
#    machine carry local time without a zone; exlog converts them with it.
$tz = [TimeZoneInfo]::Local
$inv = [Globalization.CultureInfo]::InvariantCulture
$fmtOff = { param($o) $s = if ($o -lt [TimeSpan]::Zero) { '-' } else { '+' }; $s + $o.Duration().ToString('hh\:mm', $inv) }
$tzLines = @(
    '# exlog-collect time zone (event-log text and CSV exports of this machine carry this local time)',
    "ComputerName: $env:COMPUTERNAME",
    ('CollectedUtc: ' + [DateTime]::UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", $inv)),
    ('TimeZoneId: ' + $tz.Id),
    ('SupportsDaylightSavingTime: ' + $tz.SupportsDaylightSavingTime),
    ('UtcOffset: ' + (& $fmtOff $tz.GetUtcOffset([DateTime]::UtcNow)))
)
$t = [DateTime]::SpecifyKind([DateTime]::UtcNow.Date.AddDays(-$Days - 1), 'Utc')
$prev = $null
while ($t -le [DateTime]::UtcNow) {
    $off = $tz.GetUtcOffset($t)
    if ($off -ne $prev) {
        $tzLines += 'OffsetFrom: ' + $t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", $inv) + ' ' + (& $fmtOff $off)
        $prev = $off
    }
    $t = $t.AddMinutes(15)
}
$tzLines | Out-File -Encoding utf8 (Join-Path (Join-Path $root '{{.DirEventLogs}}') '{{.TimeZoneFile}}')

# 5. One zip.
$zip = Join-Path $OutDir ("exlog-collect-$env:COMPUTERNAME-$stamp.zip")
Compress-Archive -Path (Join-Path $root '*') -DestinationPath $zip -Force
Remove-Item -LiteralPath $root -Recurse -Force
Write-Host "Evidence written to $zip"
`))
