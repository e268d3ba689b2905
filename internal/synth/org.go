package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// User is one targeted mailbox user of the fictional organisation.
type User struct {
	Display     string
	Alias       string
	UPN         string
	PrimarySMTP string
	Proxies     []string // lower-case smtp: and other addresses, primary excluded
	GUID        string
	ActiveSync  bool
	Devices     []*Device
	Database    string
}

// Device is one Exchange ActiveSync partnership.
type Device struct {
	User          *User
	ID            string
	Type          string
	Model         string
	OS            string
	UserAgent     string
	Friendly      string
	IMEI          string
	GUID          string
	FirstSync     time.Time
	LastSuccess   time.Time
	LastAttempt   time.Time
	PolicyUpdate  time.Time
	AccessState   string
	AccessReason  string
	Status        string
	ClientVersion string
	Folders       int
}

// Org is the fictional estate. All is derived from a seed.
type Org struct {
	Domain    string
	NetBIOS   string
	CAS       string // short name of the CAS, e.g. CAS01
	Users     []*User
	Devices   int
	Exported  time.Time // when the admin ran the cmdlets
	Connector string    // connector server name
	Notify    string    // notification account
}

var givenNames = []string{"Anna", "Ben", "Chloé", "David", "Emma", "Farid", "Grace", "Hiroshi", "Ines", "Jakob", "Karin", "Liam", "Mónica", "Noah", "Olga", "Pierre", "Quinn", "Rita", "Søren", "Tomasz", "Ulla", "Victor", "Wen", "Xavier", "Yusuf", "Zofia", "Ahmed", "Björn", "Carmen", "Dmitri", "Elif", "François", "Gabriela", "Hannah", "Ivan", "Julia", "Kenji", "Lars", "Maria", "Nils"}
var surnames = []string{"Anderson", "Becker", "Costa", "Dubois", "Evans", "Fischer", "García", "Hansen", "Ito", "Jansen", "Kowalski", "Larsen", "Martin", "Nowak", "O'Brien", "Petrov", "Quintero", "Rossi", "Schmidt", "Tanaka", "Ueda", "Vogel", "Weber", "Xu", "Yilmaz", "Zimmermann", "Åberg", "Brandt", "Clarke", "Durand", "Ekström", "Fontaine", "Gómez", "Horváth", "Ivanova", "Jones", "Keller", "Lindqvist", "Meyer", "Novák"}

// pilotUsers always exist at the top of the user list; the exports cover
// them. They carry the non-ASCII names the brief asks for.
var pilotUsers = []string{"Zoë Müller", "José Núñez", "Łukasz Żółć", "Ingrid Støre", "Amélie Côté", "Çağla Öztürk", "Søren Kjærgaard", "Renée O'Connor"}

var devModels = []struct{ typ, model, os, ua, client string }{
	{"iPhone", "iPhone14C2", "iOS 16.5 20F66", "Apple-iPhone14C2/2006.66", "20F66"},
	{"iPhone", "iPhone15C3", "iOS 17.1.1 21B91", "Apple-iPhone15C3/2102.91", "21B91"},
	{"iPad", "iPad13C1", "iOS 16.6 20G75", "Apple-iPad13C1/2007.75", "20G75"},
	{"Outlook", "Outlook for iOS and Android", "OutlookBasicAuth", "Outlook-iOS-Android/1.0", "1.0"},
	{"SAMSUNGSMG991B", "SM-G991B", "Android 13.0.0", "SAMSUNG-SM-G991B/101.130003", "16.1"},
	{"Android", "Pixel 7", "Android 14", "Android-Mail/2023.10.08", "16.1"},
	{"WindowsMail", "Windows Mail", "Windows 10.0.19045", "MSFT-WIN-3/10.0.19045", "16.1"},
}

func NewGUID(rng *rand.Rand) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func hexID(rng *rand.Rand, n int) string {
	const digits = "0123456789ABCDEF"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[rng.UintN(16)]
	}
	return string(b)
}

func digitsID(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + rng.UintN(10))
	}
	return string(b)
}

// ASCIIFold maps the accented letters used in names to ASCII for addresses.
func ASCIIFold(s string) string { return foldReplacer.Replace(s) }

var foldReplacer = strings.NewReplacer("ë", "e", "ü", "u", "é", "e", "ú", "u", "ñ", "n", "Ł", "L", "ł", "l", "Ż", "Z", "ż", "z", "ó", "o", "ł", "l", "ć", "c",
	"ø", "o", "Ø", "O", "ô", "o", "Ç", "C", "ç", "c", "ğ", "g", "Ö", "O", "ö", "o", "ü", "u", "æ", "ae", "Å", "A", "å", "a", "á", "a", "í", "i",
	"'", "", " ", ".", "è", "e", "Ü", "U", "É", "E")

// NewOrg builds an organisation of n users. Pilot users come first.
func NewOrg(seed uint64, n int, exported time.Time) *Org {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	o := &Org{Domain: "contoso.com", NetBIOS: "CONTOSO", CAS: "CAS01", Exported: exported, Connector: "EXCONN01", Notify: "intune.notify@contoso.com"}
	seen := map[string]bool{}
	for i := 0; i < n; i++ {
		var display string
		if i < len(pilotUsers) {
			display = pilotUsers[i]
		} else {
			for {
				display = givenNames[rng.IntN(len(givenNames))] + " " + surnames[rng.IntN(len(surnames))]
				if !seen[display] {
					break
				}
				if rng.IntN(2) == 0 {
					display = givenNames[rng.IntN(len(givenNames))] + " " + string(rune('A'+rng.IntN(26))) + ". " + surnames[rng.IntN(len(surnames))]
					if !seen[display] {
						break
					}
				}
			}
		}
		seen[display] = true
		parts := strings.SplitN(display, " ", 2)
		local := strings.ToLower(ASCIIFold(parts[0]) + "." + ASCIIFold(parts[len(parts)-1]))
		local = strings.ReplaceAll(local, "..", ".")
		dom := o.Domain
		if i%7 == 3 {
			dom = "fabrikam.com" // users of the acquired company keep their domain
		}
		alias := strings.ToLower(ASCIIFold(string([]rune(parts[0])[0]) + strings.ReplaceAll(parts[len(parts)-1], ".", "")))
		alias = strings.ReplaceAll(alias, ".", "")
		u := &User{Display: display, Alias: alias, UPN: local + "@" + dom, PrimarySMTP: local + "@" + dom, GUID: NewGUID(rng), ActiveSync: true,
			Database: fmt.Sprintf("DB%02d", 1+rng.IntN(4))}
		u.Proxies = append(u.Proxies, "smtp:"+alias+"@"+dom, "smtp:"+local+"@contoso.mail.onmicrosoft.com")
		if rng.IntN(3) == 0 {
			u.Proxies = append(u.Proxies, "SIP:"+local+"@"+dom)
		}
		u.Proxies = append(u.Proxies, "X500:/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn="+strings.ReplaceAll(alias, ".", "")+hexID(rng, 3))
		// devices: most users one or two, a few hoard old partnerships
		nd := 1 + rng.IntN(2)
		if rng.IntN(10) == 0 {
			nd += 2 + rng.IntN(4)
		}
		if i < len(pilotUsers) {
			nd = 2 + i%3
		}
		for j := 0; j < nd; j++ {
			m := devModels[rng.IntN(len(devModels))]
			first := exported.Add(-time.Duration(30+rng.IntN(900)) * 24 * time.Hour).Add(time.Duration(rng.IntN(86400)) * time.Second)
			last := exported.Add(-time.Duration(rng.IntN(20*3600)) * time.Second)
			d := &Device{User: u, Type: m.typ, Model: m.model, OS: m.os, UserAgent: m.ua, ClientVersion: m.client,
				GUID: NewGUID(rng), FirstSync: first, LastSuccess: last, LastAttempt: last.Add(time.Duration(rng.IntN(600)) * time.Second),
				PolicyUpdate: first.Add(time.Duration(rng.IntN(3600)) * time.Second),
				AccessState:  "Allowed", AccessReason: "ExternalCompliance", Status: "DeviceOk", Folders: 4 + rng.IntN(30)}
			switch {
			case strings.HasPrefix(m.typ, "iP"):
				d.ID = "Appl" + hexID(rng, 11)
				d.IMEI = ""
			case m.typ == "Outlook":
				d.ID = strings.ToLower(hexID(rng, 32))
			case m.typ == "WindowsMail":
				d.ID = hexID(rng, 32)
			default:
				d.ID = "androidc" + digitsID(rng, 10)
				d.IMEI = digitsID(rng, 15)
			}
			d.Friendly = strings.Fields(display)[0] + "'s " + m.model
			u.Devices = append(u.Devices, d)
			o.Devices++
		}
		o.Users = append(o.Users, u)
	}
	return o
}

// pilot returns the first n users: the ones an admin exported cmdlets for.
func (o *Org) Pilot(n int) []*User { return o.Users[:n] }
