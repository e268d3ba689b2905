package main

// Issue 20 point 5: identifiers no export taught — only free text names
// them — must not survive --redact in any output format, nor in the
// documents index --redact sends.

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// freeTextIDs are identifiers that appear only in log messages of the
// crafted bundle; each entry is the text that must not survive.
var freeTextIDs = []string{
	"ApplF17XK2LMN0DT",                             // iOS EAS device id
	"androidc1234567890",                           // Gmail app device id
	"3C5E2A9B7D1F4E6A8B0C2D4E6F8A0B1C",             // 32-hex device id
	"356938035643809",                              // IMEI (Luhn-valid)
	"425 555 0134",                                 // phone number
	"S-1-5-21-3623811015-3361044348-30300820-1013", // domain SID
	"MBX-FAB-03",                                   // NetBIOS host
	"FILESRV07",                                    // UNC host
	"svc_exconn",                                   // user half of DOMAIN\user
	"Tom Hanks",                                    // person in an LDAP DN
	"mark.twain",                                   // local part of a URL-encoded address
	"FABRIKAM",                                     // the NetBIOS domain
	"MBX-FAB",                                      // the host name in a template ("MBX-FAB-<n>")
}

// freeTextMessages carry freeTextIDs in wordings a connector or Exchange
// could use (error type, so they reach the report's evidence and
// unmatched errors).
var freeTextMessages = []string{
	`Failed to process device ApplF17XK2LMN0DT (IMEI 356938035643809, phone +1 425 555 0134) for CN=Tom Hanks,OU=Sales,DC=fabrikam,DC=local.`,
	`Access denied for FABRIKAM\svc_exconn (S-1-5-21-3623811015-3361044348-30300820-1013) writing \\FILESRV07\exports$\devices.csv on MBX-FAB-03.`,
	`Device androidc1234567890 and 3C5E2A9B7D1F4E6A8B0C2D4E6F8A0B1C were blocked: GET /owa/?mailbox=mark.twain%40fabrikam.local returned 0x80070002.`,
}

// freeTextBundle is the exchange-errors sample plus a trace log whose
// error records carry freeTextMessages.
func freeTextBundle(t *testing.T) []byte {
	t.Helper()
	src := readSample(t, "exchange-errors")
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	var tmpl string
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == "Logs/Connector2.log" {
			i := bytes.Index(data, []byte("</E2ETraceEvent>"))
			tmpl = string(data[:i+len("</E2ETraceEvent>")])
		}
		w, _ := zw.Create(f.Name)
		_, _ = w.Write(data)
	}
	if tmpl == "" {
		t.Fatal("no trace record in the sample")
	}
	tmpl = strings.Replace(tmpl, `<SubType Name="Information">`, `<SubType Name="Error">`, 1)
	tmpl = strings.Replace(tmpl, `<SubType Name="Verbose">`, `<SubType Name="Error">`, 1)
	tmpl = strings.Replace(tmpl, `<Type>3</Type>`, `<Type>2</Type>`, 1)
	a, b := strings.Index(tmpl, "<ApplicationData>"), strings.Index(tmpl, "</ApplicationData>")
	var log strings.Builder
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	for _, m := range freeTextMessages {
		log.WriteString(tmpl[:a] + "<ApplicationData>" + esc.Replace(m) + tmpl[b:] + "\r\n")
	}
	w, _ := zw.Create("Logs/Connector3.log")
	_, _ = io.WriteString(w, log.String())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestRedactFreeTextIdentifiers(t *testing.T) {
	dir := t.TempDir()
	bundle := filepath.Join(dir, "bundle.zip")
	if err := os.WriteFile(bundle, freeTextBundle(t), 0o644); err != nil {
		t.Fatal(err)
	}
	runOut := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		code := run(args, globals{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader("")})
		if code != 0 && code != 1 {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
		return out.String() + errb.String()
	}
	// html escapes nothing in these strings but spaces may be kept as is;
	// compare case-insensitively, on the text with entities undone.
	norm := strings.NewReplacer("&#39;", "'", "&amp;", "&", "&#34;", `"`, `\\`, `\`).Replace
	plain := norm(runOut("analyze", "--no-progress", "--format", "json", bundle))
	for _, id := range freeTextIDs {
		if !strings.Contains(plain, id) {
			t.Fatalf("the unredacted report does not show %q: the test would prove nothing", id)
		}
	}
	outputs := map[string]string{}
	for _, f := range []string{"text", "json", "html", "junit", "sarif"} {
		outputs[f] = runOut("analyze", "--no-progress", "--redact", "--format", f, bundle)
	}
	ndjson := filepath.Join(dir, "bulk.ndjson")
	runOut("index", "--no-progress", "--redact", "--dry-run", ndjson, bundle)
	docs, err := os.ReadFile(ndjson)
	if err != nil {
		t.Fatal(err)
	}
	outputs["index documents"] = string(docs)
	for name, out := range outputs {
		low := strings.ToLower(norm(out))
		for _, id := range freeTextIDs {
			if strings.Contains(low, strings.ToLower(id)) {
				i := strings.Index(low, strings.ToLower(id))
				t.Errorf("%s: %q survives --redact: …%s…", name, id, out[max(0, i-60):min(len(out), i+60)])
			}
		}
		if !strings.Contains(out, "0x80070002") {
			t.Errorf("%s: the error code 0x80070002 was redacted too", name)
		}
	}
}
