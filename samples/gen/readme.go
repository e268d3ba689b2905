package main

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Sample is one corpus entry. Build must be deterministic.
type Sample struct {
	Name    string
	Models  string // one line for the corpus table
	Find    string // what a correct analysis finds (table)
	Guessed string // what is guessed (table)
	Build   func() Output
}

// Output is a built sample: a zip (entries) or a folder, and its README.
type Output struct {
	Zip    []File
	Folder []File
	README string
}

type corpusRow struct {
	s    Sample
	size int
}

func corpusReadme(rows []corpusRow) string {
	var b strings.Builder
	b.WriteString(`# exlog samples corpus

Synthetic evidence bundles for the Intune on-premises Exchange Connector. No
real connector log is public, so every byte here is written by the generator
in ` + "`gen/`" + ` from the formats of the team's domain notes (domain.md in the shared folder
beside the repository: §3 trace records exactly, §5 exports, §6 event logs)
and their documented strings (§4). Where the
real wording is unknown (quick-sync sentences, error context, start-up
messages) the samples vary it on purpose: patterns must key on the stable
cores, not on our sentences.

Regenerate (byte-identical; seeded math/rand/v2, fixed base times):

    go run ./samples/gen

` + "`go test ./samples/gen`" + ` regenerates into a temporary directory and fails if
any committed file differs, so the corpus cannot drift from its generator.
Golden reports are not written here: they come from exlog itself; each
sample's README says what a correct analysis must find.

**Scaling.** Real connectors write 30 files × 10 MB and poll every minute or
so. To keep the repository small the samples use short rotation quotas
(tens to a few hundred KB per file) and poll every 3–10 minutes (healthy-5days: every minute); the
TracingConfiguration.xml in each bundle states the quota the sample was
generated with, not the 10000000 default.

| sample | models | a correct analysis finds | guessed |
| --- | --- | --- | --- |
`)
	for _, r := range rows {
		fmt.Fprintf(&b, "| [%s](%s/) | %s | %s | %s |\n", r.s.Name, r.s.Name, r.s.Models, r.s.Find, r.s.Guessed)
	}
	b.WriteString(`
## Wording variants (unconfirmed strings, varied on purpose)

The documented full-sync texts are used verbatim everywhere (with
"Commmand ID", except in variant b, which uses the translated spelling
"Command ID"). Quick-sync sentences, the idle poll and the notification
message come in three variants; only the "(quick sync)" marker, "Get next
command" and "SendEmail from notification account to" are kept constant:

`)
	for _, k := range []string{"a", "b", "c"} {
		w := wordings[k]
		fmt.Fprintf(&b, "- **%s** (%s): start `%s`; end `%s … Details: …`; idle poll `%s`; mail `%s`\n", k, variantUse[k],
			fmt.Sprintf(w.QuickStart, 12, "2023-11-20T04:47:00Z"), fmt.Sprintf(w.QuickDone, 12, "2023-11-20T04:47:00Z"), w.PollIdle, fmt.Sprintf(w.SendEmail, "zoe.muller@contoso.com"))
	}
	b.WriteString(`
Errors: the documented codes and texts (setup errors, SCM 7000/7041, the
generic .NET messages of domain.md §4) are exact; every sentence around them
(e.g. "Exception in Get next command: …", "Registration failed: …",
"Remote PowerShell failure: …") is invented and differs between occurrences.

## Names and data

All names are fictional (contoso.com, fabrikam.com, the connector server
EXCONN01, the CAS CAS01). The user list includes non-ASCII names (Zoë
Müller, José Núñez, Łukasz Żółć, …) so that encodings matter: PS 5.1 CSV
exports turn them into "?". Cmdlet exports cover a *pilot group* of users
(the first users of the model), as an admin exporting per-mailbox statistics
would; the trace logs speak for the whole organisation.

## Guessed everywhere (domain.md §4, §7)

- Trace source name ` + "`OnPremisesExchangeConnectorService`" + ` and process name
  ` + "`Microsoft.Management.Services.OnPremisesExchangeConnectorService`" + `; EventID 0.
- Quick-sync sentences (only the ` + "`(quick sync)`" + ` marker is kept), the idle
  "Get next command" message, start-up/stop messages, progress messages,
  failure sentences, stack frames of connector code.
- The schema of TracingConfiguration.xml and of the service configuration
  file (element names are documented, the nesting is not).
- The circular listener's exact rotation rule (we switch files after the
  record that reaches the quota).
`)
	return b.String()
}

// variantUse says which samples use which wording variant.
var variantUse = map[string]string{
	"a": "healthy-5days, setup-errors, discovery-problems, sync-stuck-full, warning-level (filtered out), restart-mid",
	"b": "healthy-csv-clixml, service-logon, network-errors, sync-outage-6h, sync-across-files",
	"c": "cut-records, exchange-errors, sync-slow-full",
}

// traceFacts summarises the records that survive in the bundle, for a README.
func traceFacts(recs []TraceRecord) string {
	if len(recs) == 0 {
		return "- trace records: 0\n"
	}
	types := map[string]int{}
	first, last := recs[0].Time, recs[0].Time
	var fullStart, fullDone, quickStart, quickDone, polls int
	for _, r := range recs {
		types[strings.ToLower(r.Sub)]++
		if r.Time.Before(first) {
			first = r.Time
		}
		if r.Time.After(last) {
			last = r.Time
		}
		if r.Kind != PayloadText || (r.Sub != Information && r.Sub != Verbose) {
			continue
		}
		switch {
		case strings.HasPrefix(r.Text, "Handling command:") && strings.Contains(r.Text, "(full sync)"):
			fullStart++
		case strings.HasPrefix(r.Text, "Handling command:") && strings.Contains(r.Text, "(quick sync)"):
			quickStart++
		case strings.Contains(r.Text, "(full sync)") && strings.Contains(r.Text, "completed successfully"):
			fullDone++
		case strings.Contains(r.Text, "(quick sync)") && strings.Contains(r.Text, "completed successfully"):
			quickDone++
		}
		if r.Sub == Verbose && strings.HasPrefix(r.Text, "Get next command") && r.Activity == "" {
			polls++
		}
	}
	var keys []string
	for k := range types {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var tb []string
	for _, k := range keys {
		tb = append(tb, fmt.Sprintf("%s %d", k, types[k]))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "- trace records (complete, in the bundle): %d — %s\n", len(recs), strings.Join(tb, ", "))
	fmt.Fprintf(&b, "- covered window: %s → %s (%.1f h)\n", first.UTC().Format(time.RFC3339Nano), last.UTC().Format(time.RFC3339Nano), last.Sub(first).Hours())
	fmt.Fprintf(&b, "- full-sync start messages %d, full-sync completions %d; quick-sync start messages %d, quick-sync completions %d\n", fullStart, fullDone, quickStart, quickDone)
	fmt.Fprintf(&b, "- benign Verbose \"Get next command\" messages outside any activity: %d\n", polls)
	return b.String()
}

// syncTable lists the sync sessions whose start survives in recs' window.
func syncTable(logs []SyncLog, from, to time.Time) string {
	var b strings.Builder
	b.WriteString("| kind | start (UTC) | end (UTC) | duration | users | devices | outcome |\n| --- | --- | --- | --- | --- | --- | --- |\n")
	for _, l := range logs {
		if l.Start.Before(from) || l.Start.After(to) {
			continue
		}
		kind := "full"
		if l.Kind == QuickSync {
			kind = "quick"
		}
		end, dur := "—", "—"
		if !l.End.IsZero() {
			end = l.End.UTC().Format("2006-01-02 15:04:05")
			dur = l.End.Sub(l.Start).Round(time.Second).String()
		}
		out := map[Outcome]string{Completed: "completed", NeverEnds: "no end message", Fails: "failed"}[l.Outcome]
		if l.Health != "" && l.Health != "Connected" {
			out += " (Exchange health " + l.Health + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %d | %s |\n", kind, l.Start.UTC().Format("2006-01-02 15:04:05"), end, dur, l.Users, l.Devices, out)
	}
	return b.String()
}

// fileList describes bundle entries for a README.
func fileList(files []File, note map[string]string) string {
	var b strings.Builder
	for _, f := range files {
		fmt.Fprintf(&b, "- `%s` (%d bytes)", f.Name, len(f.Data))
		if n := note[f.Name]; n != "" {
			b.WriteString(" — " + n)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// kept returns the records at the given indexes.
func keptRecords(recs []TraceRecord, idx []int) []TraceRecord {
	out := make([]TraceRecord, 0, len(idx))
	for _, i := range idx {
		out = append(out, recs[i])
	}
	return out
}

func countUsersDevices(o *Org) string {
	return fmt.Sprintf("%d users, %d devices in the organisation model", len(o.Users), o.Devices)
}
