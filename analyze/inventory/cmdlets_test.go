package inventory

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"exlog/analyze/configcheck"
	"exlog/parse/config"
	"exlog/parse/pscmdlet"
	"exlog/patterns"
)

// Exchange versions the connector supports (Exchange 2010 SP3 or later,
// DocsInstall), as years.
var supported = []int{2010, 2013, 2016, 2019}

// cmdletTable is every cmdlet a remedy may name, with the Exchange versions
// it exists in, from Microsoft's cmdlet reference (the page and what it
// says). Windows PowerShell cmdlets have no Exchange versions (exchange
// false). A remedy naming a cmdlet that is not here fails
// TestCmdletTableCoversRemedies: look the cmdlet up and add it.
var cmdletTable = []struct {
	name     string
	versions []int
	exchange bool
	page     string
	seen     string
}{
	{"Remove-MobileDevice", []int{2013, 2016, 2019}, true,
		"https://learn.microsoft.com/powershell/module/exchange/remove-mobiledevice",
		`reference front matter "applicable: Exchange Server 2013, Exchange Server 2016, Exchange Online"; Remove-ActiveSyncDevice page: "In Exchange 2013 or later, use the Remove-MobileDevice cmdlet instead"`},
	{"Remove-ActiveSyncDevice", []int{2010, 2013, 2016, 2019}, true,
		"https://learn.microsoft.com/powershell/module/exchange/remove-activesyncdevice",
		"parameters apply to Exchange Server 2010, 2013, 2016, 2019, SE; also in the connector's required cmdlets (install page)"},
	{"Get-ActiveSyncDevice", []int{2010, 2013, 2016, 2019}, true,
		"https://learn.microsoft.com/en-us/mem/intune/protect/exchange-connector-install",
		"in the connector's required cmdlets, so present on every version it supports (2010 SP3 or later)"},
	{"Get-ActiveSyncDeviceStatistics", []int{2010, 2013, 2016, 2019}, true,
		"https://learn.microsoft.com/powershell/module/exchange/get-activesyncdevicestatistics",
		`"works best in Exchange 2010. In later versions ... use Get-MobileDeviceStatistics"; in the connector's required cmdlets (install page)`},
	{"Get-ActiveSyncOrganizationSettings", []int{2010, 2013, 2016, 2019}, true,
		"https://learn.microsoft.com/en-us/mem/intune/protect/exchange-connector-install",
		"in the connector's required cmdlets (Get-/Set-ActiveSyncOrganizationSettings)"},
	{"Set-ActiveSyncOrganizationSettings", []int{2010, 2013, 2016, 2019}, true,
		"https://learn.microsoft.com/powershell/module/exchange/set-activesyncorganizationsettings",
		`front matter "applicable: Exchange Server 2010, Exchange Server 2013, Exchange Server 2016, Exchange Online"; in the connector's required cmdlets`},
	{"Get-ExchangeServer", []int{2010, 2013, 2016, 2019}, true,
		"https://learn.microsoft.com/en-us/mem/intune/protect/exchange-connector-install",
		"in the connector's required cmdlets"},
	{"Get-CASMailbox", []int{2010, 2013, 2016, 2019}, true,
		"https://learn.microsoft.com/powershell/module/exchange/get-casmailbox",
		"in the connector's required cmdlets (Get-CasMailbox, Set-CasMailbox); the troubleshooting article uses it"},
	{"Set-CASMailbox", []int{2010, 2013, 2016, 2019}, true,
		"https://learn.microsoft.com/powershell/module/exchange/set-casmailbox",
		"reference with Exchange Server 2010 and 2013 sections; in the connector's required cmdlets"},
	{"Get-Mailbox", []int{2010, 2013, 2016, 2019}, true,
		"https://learn.microsoft.com/powershell/module/exchange/get-mailbox",
		`front matter "applicable: Exchange Server 2010, Exchange Server 2013, Exchange Server 2016, Exchange Online"`},
	{"Set-Mailbox", []int{2010, 2013, 2016, 2019}, true,
		"https://learn.microsoft.com/powershell/module/exchange/set-mailbox",
		`front matter "applicable: Exchange Server 2010, Exchange Server 2013, Exchange Server 2016, Exchange Online"; current page adds Exchange Server 2019`},
	{"Get-PowerShellVirtualDirectory", []int{2010, 2013, 2016, 2019}, true,
		"https://learn.microsoft.com/powershell/module/exchange/get-powershellvirtualdirectory",
		"parameters apply to Exchange Server 2010, 2013, 2016, 2019, SE"},
	// Windows PowerShell, not Exchange: run on the connector server.
	{"Test-WSMan", nil, false, "https://learn.microsoft.com/powershell/module/microsoft.wsman.management/test-wsman", "Windows PowerShell"},
	{"Restart-Service", nil, false, "https://learn.microsoft.com/powershell/module/microsoft.powershell.management/restart-service", "Windows PowerShell"},
	{"Copy-Item", nil, false, "https://learn.microsoft.com/powershell/module/microsoft.powershell.management/copy-item", "Windows PowerShell"},
	{"Compress-Archive", nil, false, "https://learn.microsoft.com/powershell/module/microsoft.powershell.archive/compress-archive", "Windows PowerShell 5.0 or later"},
	{"Format-List", nil, false, "https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/format-list", "Windows PowerShell"},
	{"Out-File", nil, false, "https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/out-file", "Windows PowerShell"},
	{"Select-Object", nil, false, "https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/select-object", "Windows PowerShell"},
}

var cmdletRe = regexp.MustCompile(`\b(?:Get|Set|New|Remove|Clear|Test|Enable|Disable|Add|Restart|Copy|Compress|Format|Out|Select|Export|Import|Invoke|Start|Stop|Update|Grant|Revoke|Install|Uninstall|Search|Sort|Where|ForEach)-[A-Z][A-Za-z]+\b`)

// qualifierRe: a version phrase right after a cmdlet restricts it
// ("Remove-MobileDevice on Exchange 2013 or later").
var qualifierRe = regexp.MustCompile(`(?i)\b(?:on|from|in) Exchange (2010|2013|2016|2019)( or later)?\b`)

func lookupCmdlet(name string) (versions []int, exchange, ok bool) {
	for _, c := range cmdletTable {
		if strings.EqualFold(c.name, name) {
			return c.versions, c.exchange, true
		}
	}
	return nil, false, false
}

// cmdletProblems returns what is wrong with the cmdlets a remedy names,
// given the Exchange versions the evidence shows (nil: any supported).
func cmdletProblems(remedy string, shown []int) []string {
	if len(shown) == 0 {
		shown = supported
	}
	var out []string
	locs := cmdletRe.FindAllStringIndex(remedy, -1)
	for i, l := range locs {
		name := remedy[l[0]:l[1]]
		versions, exchange, ok := lookupCmdlet(name)
		if !ok {
			out = append(out, name+": not in the cmdlet table")
			continue
		}
		if !exchange {
			continue
		}
		// the clause after the cmdlet, up to the next cmdlet or , ; . )
		end := len(remedy)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		clause := remedy[l[1]:end]
		if j := strings.IndexAny(clause, ",;)"); j >= 0 {
			clause = clause[:j]
		}
		if j := strings.Index(clause, ". "); j >= 0 {
			clause = clause[:j]
		}
		need := shown
		if m := qualifierRe.FindStringSubmatch(clause); m != nil {
			y, _ := strconv.Atoi(m[1])
			need = []int{y}
			if m[2] != "" {
				need = nil
				for _, v := range supported {
					if v >= y {
						need = append(need, v)
					}
				}
			}
		}
		for _, v := range need {
			if !slices.Contains(versions, v) {
				out = append(out, name+" does not exist in Exchange "+strconv.Itoa(v))
				break
			}
		}
	}
	return out
}

// goStrings returns the string literals of the non-test Go files under dir.
func goStrings(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if bl, ok := n.(*ast.BasicLit); ok && bl.Kind == token.STRING {
				if s, err := strconv.Unquote(bl.Value); err == nil {
					out = append(out, s)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Every cmdlet named in a library remedy or in any string of the analyze
// packages (Go checks' remedies and collect commands) is in the table.
func TestCmdletTableCoversRemedies(t *testing.T) {
	lib, err := patterns.Load()
	if err != nil {
		t.Fatal(err)
	}
	texts := goStrings(t, "..") // analyze/ and its packages
	for _, p := range lib.Patterns() {
		texts = append(texts, p.Remedy)
	}
	found := 0
	for _, s := range texts {
		for _, name := range cmdletRe.FindAllString(s, -1) {
			found++
			if _, _, ok := lookupCmdlet(name); !ok {
				t.Errorf("%s is named (%q) but not in cmdletTable: look it up in Microsoft's cmdlet reference and add it", name, s)
			}
		}
	}
	if found < 5 {
		t.Fatalf("only %d cmdlet mentions found: the scan is broken", found)
	}
	for _, c := range cmdletTable {
		if c.page == "" || !strings.HasPrefix(c.page, "https://learn.microsoft.com/") || c.seen == "" || (c.exchange && len(c.versions) == 0) {
			t.Errorf("table entry %s lacks its page, what it says, or versions", c.name)
		}
	}
}

// Library remedies have no version context: each Exchange cmdlet they name
// must exist in every version the connector supports.
func TestLibraryRemediesCmdletsExistEverywhere(t *testing.T) {
	lib, err := patterns.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range lib.Patterns() {
		for _, prob := range cmdletProblems(p.Remedy, nil) {
			t.Errorf("%s: %s", p.ID, prob)
		}
	}
	// configcheck remedies, fired
	sv := &config.Service{ExchangeWebServiceURL: "https://mail.fabrikam.net/EWS/Exchange.asmx", EWSURLSet: true, IsCasFailoverEnabled: new(bool)}
	for _, f := range configcheck.Check([]configcheck.Tracing{{Tracing: &config.Tracing{SourceLevel: "Error"}, Path: "t.xml"}}, []configcheck.Service{{Service: sv, Path: "s.xml"}}) {
		for _, prob := range cmdletProblems(f.Remedy, nil) {
			t.Errorf("%s: %s", f.ID, prob)
		}
	}
}

// The inventory's remedies name cmdlets the Exchange the exports show has,
// for each version the exports may show.
func TestInventoryRemediesFitTheExchangeShown(t *testing.T) {
	everything := staleDevices() +
		device("Lee Gu", "AndrX1", "Quarantined", "ExternalEnrollment", "11/20/2023 1:00:00 PM") +
		device("Lee Gu", "AndrX2", "Blocked", "ExternalCompliance", "11/20/2023 1:00:00 PM")
	mbx := "UserPrincipalName : lee.gu@contoso.com\r\nPrimarySmtpAddress : lee.gu@fabrikam.com\r\nActiveSyncEnabled : False\r\nIdentity : contoso.com/Users/Lee Gu\r\n"
	org := "DefaultAccessLevel : Quarantine\r\nIdentity : Mobile Mailbox Settings\r\n"
	for _, c := range []struct {
		name, servers string
		shown         []int
	}{
		{"Exchange 2010", "Name : EX10\r\nAdminDisplayVersion : Version 14.3 (Build 123.4)\r\n", []int{2010}},
		{"Exchange 2016", "Name : EX16\r\nAdminDisplayVersion : Version 15.1 (Build 2507.6)\r\n", []int{2016}},
		{"Exchange 2019", "Name : EX19\r\nAdminDisplayVersion : Version 15.2 (Build 1118.7)\r\n", []int{2019}},
		{"2010 and 2016", "Name : EX10\r\nAdminDisplayVersion : Version 14.3 (Build 123.4)\r\n\r\nName : EX16\r\nAdminDisplayVersion : Version 15.1 (Build 2507.6)\r\n", []int{2010, 2016}},
		{"none shown", "", nil},
	} {
		b := NewBuilder()
		feed(t, b, pscmdlet.NewListReader, "dev.txt", everything)
		feed(t, b, pscmdlet.NewListReader, "mbx.txt", mbx)
		feed(t, b, pscmdlet.NewListReader, "org.txt", org)
		if c.servers != "" {
			feed(t, b, pscmdlet.NewListReader, "servers.txt", c.servers)
		}
		_, fs := b.Finish()
		ids := map[string]bool{}
		for _, f := range fs {
			ids[f.ID] = true
			for _, prob := range cmdletProblems(f.Remedy, c.shown) {
				t.Errorf("%s: %s: %s\n%s", c.name, f.ID, prob, f.Remedy)
			}
		}
		for _, id := range []string{IDDeviceStale, IDDeviceQuarantined, IDDefaultNotAllow, IDSMTPUPNMismatch, IDActiveSyncOff} {
			if !ids[id] {
				t.Errorf("%s: %s did not fire, its remedy is untested", c.name, id)
			}
		}
	}
}

// The check fails on what it must fail on.
func TestCmdletCheckCanFail(t *testing.T) {
	if p := cmdletProblems("Remove their partnerships (Remove-MobileDevice) now.", []int{2010}); len(p) != 1 || !strings.Contains(p[0], "Exchange 2010") {
		t.Errorf("Remove-MobileDevice on 2010 not caught: %v", p)
	}
	if p := cmdletProblems("Use Get-Frobnicate.", nil); len(p) != 1 {
		t.Errorf("unknown cmdlet not caught: %v", p)
	}
	if p := cmdletProblems("Remove-MobileDevice on Exchange 2013 or later, Remove-ActiveSyncDevice on Exchange 2010.", []int{2010, 2016}); len(p) != 0 {
		t.Errorf("qualified mentions flagged: %v", p)
	}
	if p := cmdletProblems("Remove-ActiveSyncDevice on Exchange 2013 or later, Remove-MobileDevice on Exchange 2010.", nil); len(p) != 1 {
		t.Errorf("wrongly qualified mention not caught: %v", p)
	}
}
